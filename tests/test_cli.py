"""The command line: what it says when it cannot reach AWS, and that --demo starts a living account."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

import pytest

from ecstui import cli
from ecstui.emulator.server import EmulatorServer
from ecstui.ui.app import EcsApp


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    clean.update(
        AWS_CONFIG_FILE="/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE="/nonexistent/aws-credentials",
        AWS_EC2_METADATA_DISABLED="true",
    )
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "ecstui", *args], capture_output=True, text=True, env=clean, timeout=60, check=False
    )


def test_no_credentials_is_one_sentence_and_exit_status_2() -> None:
    result = run_cli("--region", "eu-west-1")
    assert result.returncode == 2
    assert "No AWS credentials" in result.stderr
    assert "ecstui --demo" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert len(result.stderr.strip().splitlines()) == 1


def test_no_region_is_one_sentence_and_exit_status_2() -> None:
    result = run_cli(AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y")
    assert result.returncode == 2
    assert "No AWS region" in result.stderr and "--region" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_endpoint_is_one_sentence_and_exit_status_2() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli(
        "--region",
        "us-east-1",
        "--endpoint-url",
        f"http://127.0.0.1:{port}",
        AWS_ACCESS_KEY_ID="x",
        AWS_SECRET_ACCESS_KEY="y",
    )
    assert result.returncode == 2
    assert "Cannot reach" in result.stderr and str(port) in result.stderr
    assert "Traceback" not in result.stderr


def test_aws_endpoint_url_and_region_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    monkeypatch.setenv("AWS_REGION", "eu-central-1")
    target = cli.target_from_args(cli.build_parser().parse_args(["--read-only"]))
    assert (target.endpoint_url, target.region, target.read_only) == ("http://127.0.0.1:4566", "eu-central-1", True)


def test_service_without_cluster_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--service", "web"])
    assert exit_info.value.code == 2
    assert "--service needs --cluster" in capsys.readouterr().err


def test_demo_starts_the_embedded_aws_and_shows_its_clusters(
    monkeypatch: pytest.MonkeyPatch, emulator: EmulatorServer
) -> None:
    # moto's state is per process: start from the empty account the `emulator` fixture leaves.
    seen: dict[str, Any] = {}
    original_run = EcsApp.run

    def headless_run(self: EcsApp, **kwargs: Any) -> None:
        async def look(pilot: Any) -> None:
            from ecstui.ui.screens.clusters import ClustersScreen
            from tests.ui.conftest import wait_until

            # The demo has broken services, so triage may open over the clusters: look at the clusters pane.
            clusters = next(s for s in pilot.app.screen_stack if isinstance(s, ClustersScreen))
            await wait_until(pilot, lambda: clusters.updated_at is not None, limit=30)
            seen["clusters"] = sorted(c.name for c in clusters.items.values())
            seen["endpoint"] = self.target.endpoint_url
            pilot.app.exit()

        original_run(self, headless=True, auto_pilot=look, size=(140, 36))

    monkeypatch.setattr(EcsApp, "run", headless_run)
    monkeypatch.setenv("AWS_PROFILE", "someone-elses")  # the demo must not need or use it
    assert cli.main(["--demo"]) == 0
    assert seen["clusters"] == ["batch", "prod", "staging"]
    assert seen["endpoint"].startswith("http://127.0.0.1:")


# A process in which moto is not installed, as far as imports can tell (sys.modules[name] = None makes both
# `import moto` and importlib.util.find_spec("moto") answer that it is not there).
_WITHOUT_MOTO = "import sys; sys.modules['moto'] = None; from ecstui.cli import main; sys.exit(main({argv!r}))"


def run_without_moto(*argv: str) -> subprocess.CompletedProcess[str]:
    code = _WITHOUT_MOTO.format(argv=list(argv))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)


def test_demo_without_the_demo_extra_says_how_to_get_it_in_one_sentence() -> None:
    result = run_without_moto("--demo")
    assert result.returncode == 2
    assert result.stderr.strip() == f"ecstui: {cli.DEMO_EXTRA_MISSING}"
    assert "pip install 'ecstui[demo]'" in result.stderr and "make demo" in result.stderr


def test_help_works_without_the_demo_extra() -> None:
    result = run_without_moto("--help")
    assert result.returncode == 0, result.stderr
    assert "--demo" in result.stdout

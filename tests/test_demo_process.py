"""The demo's emulator in its own process: it answers at the URL it prints, stops with its parent, and a child
that cannot start is one sentence naming its log."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecstui.demo_process import LOG_FILE, DemoProcess, DemoProcessError
from tests.conftest import REGION


def test_the_child_serves_the_demo_account_until_stopped(tmp_path: Path) -> None:
    import boto3

    demo = DemoProcess(tmp_path).spawn()
    try:
        url = demo.endpoint_url()
        ecs = boto3.client("ecs", endpoint_url=url, region_name=REGION)
        names = sorted(arn.rsplit("/", 1)[1] for arn in ecs.list_clusters()["clusterArns"])
        assert names == ["batch", "prod", "staging"]
        process = demo._process
        assert process is not None
    finally:
        demo.stop()
    assert process.returncode == 0  # it ended on its own once its stdin closed
    assert (tmp_path / LOG_FILE).exists()


def test_a_child_that_cannot_start_is_one_sentence_naming_its_log(tmp_path: Path) -> None:
    demo = DemoProcess(tmp_path)
    demo._args = ["--no-such-flag"]  # the child exits before it prints an endpoint
    demo.spawn()
    with pytest.raises(DemoProcessError) as failed:
        demo.endpoint_url()
    assert str(failed.value) == f"the embedded AWS did not start: see {tmp_path / LOG_FILE}"
    assert "--no-such-flag" in (tmp_path / LOG_FILE).read_text(encoding="utf-8")

"""ecstui.aws stands alone: importing it loads no Textual, and no file in it imports the UI or the emulator."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import ecstui.aws

AWS_PACKAGE_DIR = Path(ecstui.aws.__file__).parent
FORBIDDEN_PREFIXES = ("textual", "ecstui.ui", "ecstui.emulator")

_PROBE = """
import importlib, json, pkgutil, sys
import ecstui.aws
explicit = ["ecstui.aws.fetch", "ecstui.aws.parse", "ecstui.aws.session", "ecstui.aws.models", "ecstui.aws.errors"]
found = [info.name for info in pkgutil.walk_packages(ecstui.aws.__path__, "ecstui.aws.")]
for name in explicit + found:
    importlib.import_module(name)
print(json.dumps({"imported": sorted(set(explicit + found)), "loaded": sorted(sys.modules)}))
"""


def _is_forbidden(module: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in FORBIDDEN_PREFIXES)


def test_importing_every_aws_module_loads_no_textual_ui_or_emulator() -> None:
    # A fresh interpreter: this test process has Textual loaded by other tests already.
    result = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "ecstui.aws.fetch" in report["imported"] and "ecstui.aws.parse" in report["imported"]
    assert [name for name in report["loaded"] if _is_forbidden(name)] == []


def _imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            # A relative import climbing out of ecstui.aws (from ..ui import x) is as bad as an absolute one.
            package = ["ecstui", "aws"][: max(0, 2 - (node.level - 1))]
            names.append(".".join([*package, *([node.module] if node.module else [])]))
    return names


def test_no_file_under_ecstui_aws_imports_textual_the_ui_or_the_emulator() -> None:
    files = sorted(AWS_PACKAGE_DIR.rglob("*.py"))
    assert files
    offenders = {
        str(path.relative_to(AWS_PACKAGE_DIR)): bad
        for path in files
        if (bad := [name for name in _imported_modules(path) if _is_forbidden(name)])
    }
    assert offenders == {}


def test_the_static_check_sees_absolute_relative_and_nested_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom textual.app import App\nfrom ..ui import screens\nfrom . import models\n"
        "def later():\n    import ecstui.emulator.server\n",
        encoding="utf-8",
    )
    found = [name for name in _imported_modules(sample) if _is_forbidden(name)]
    assert found == ["textual.app", "ecstui.ui", "ecstui.emulator.server"]


# The demo's emulator stack is an extra (pyproject's `demo`): the command, its --help and the UI for real AWS
# must run without it.
DEMO_ONLY_PREFIXES = ("moto", "flask", "werkzeug", "ecstui.emulator")

_REAL_AWS_PROBE = """
import contextlib, io, json, sys
import ecstui.cli
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    ecstui.cli.main(["--help"])
import ecstui.ui.app
print(json.dumps(sorted(sys.modules)))
"""


def test_the_command_its_help_and_the_ui_load_nothing_of_the_demo_extra() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _REAL_AWS_PROBE], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert "ecstui.ui.app" in loaded
    demo_only = [name for name in loaded if any(name == p or name.startswith(p + ".") for p in DEMO_ONLY_PREFIXES)]
    assert demo_only == []

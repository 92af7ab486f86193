"""Snapshot tests use the UI tests' seeded demo account.

Known issue: on a loaded machine a DataTable is now and then screenshotted with every column only as wide as
its header (seen in about 1 of 40 snapshots per CI run; root cause not found yet). Snapshot tests are rerun
up to twice so that race does not fail CI; a real rendering change fails all three runs.
"""

import pytest

from tests.ui.conftest import demo_account, shared_demo_account, simulator

__all__ = ["demo_account", "shared_demo_account", "simulator"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/snapshots/" in str(item.fspath):
            item.add_marker(pytest.mark.flaky(reruns=2))

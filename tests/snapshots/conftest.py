"""Snapshot tests use the UI tests' seeded demo account."""

from tests.ui.conftest import demo_account, shared_demo_account, simulator

__all__ = ["demo_account", "shared_demo_account", "simulator"]

"""Snapshot tests use the UI tests' seeded demo account."""

from tests.ui.conftest import demo_account, simulator

__all__ = ["demo_account", "simulator"]

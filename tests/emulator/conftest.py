"""The demo account of the UI tests (seeded once per process, restored for each test) serves here too."""

from tests.ui.conftest import demo_account, simulator

__all__ = ["demo_account", "simulator"]

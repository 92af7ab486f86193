"""`python -m ecstui`."""

from ecstui.cli import run

run()

"""Shared fixtures: one embedded AWS (moto behind the AWS-limits layer) per test process."""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

# Tests never see a developer's real AWS configuration or state directories.
_scratch = tempfile.mkdtemp(prefix="ecstui-tests-")
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-east-1",
    AWS_REGION="us-east-1",
    AWS_CONFIG_FILE=os.path.join(_scratch, "aws-config"),
    AWS_SHARED_CREDENTIALS_FILE=os.path.join(_scratch, "aws-credentials"),
    XDG_STATE_HOME=os.path.join(_scratch, "state"),
    XDG_CONFIG_HOME=os.path.join(_scratch, "config"),
    XDG_CACHE_HOME=os.path.join(_scratch, "cache"),
)
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)

from ecstui.aws.session import AwsTarget  # noqa: E402
from ecstui.emulator.server import EmulatorServer  # noqa: E402

REGION = "us-east-1"

# The UI tests allocate a lot (Textual) over a large heap that lives as long as the process (moto, botocore,
# Textual, the app): with CPython's default thresholds a full collection ran about once a test, some 0.6 s each,
# a third of the UI tests' time. Larger young generations, and the heap as it is after collection frozen out of
# every later collection, make it about a tenth of that. What the tests do and check is unchanged.
gc.set_threshold(10_000, 20, 20)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    server = EmulatorServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> EmulatorServer:
    """The embedded AWS, emptied and with a clean request log, for one test."""
    emulator_server.reset()
    emulator_server.seed_ids(42)
    return emulator_server


@pytest.fixture
def target(emulator: EmulatorServer) -> AwsTarget:
    return AwsTarget(region=REGION, endpoint_url=emulator.endpoint_url)


def boto_client(emulator: EmulatorServer, service: str) -> Any:
    """A synchronous boto3 client, for setting up state in tests (the app itself uses aiobotocore)."""
    import boto3

    return boto3.client(service, endpoint_url=emulator.endpoint_url, region_name=REGION)


@pytest.fixture
def ecs(emulator: EmulatorServer) -> Any:
    return boto_client(emulator, "ecs")

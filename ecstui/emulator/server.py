"""Run moto in server mode on a loopback port, in this process, behind the AWS-limits layer."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from moto.moto_api import state_manager
from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from ecstui.emulator.aws_limits import AwsLimitsMiddleware, ListingCache, RequestLog
from ecstui.emulator.faults import Faults, FaultsMiddleware
from ecstui.emulator.fidelity import apply_fidelity_patches
from ecstui.emulator.speedups import FastDispatcher, apply_speedups, reset_backends

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


def freeze_task_decay() -> None:
    # moto walks a RUNNING task towards STOPPED on every describe_tasks call; the simulator owns task
    # lifecycles instead, so that progression is switched off.
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})


@dataclass
class EmulatorServer:
    """An AWS endpoint on 127.0.0.1 that keeps ECS's paging and batch limits."""

    host: str = "127.0.0.1"
    port: int = 0
    log: RequestLog = field(default_factory=RequestLog)
    # The listings that later pages of paged list calls are served from (see ListingCache).
    listings: ListingCache = field(default_factory=ListingCache)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Latency, throttling, injected errors and outages; inert until configured.
    faults: Faults = field(default_factory=Faults)
    # Counts resets, so a test fixture can tell whether the account it seeded is still there.
    generation: int = 0
    _server: BaseWSGIServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> str:
        logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
        apply_fidelity_patches()
        apply_speedups()
        freeze_task_decay()
        moto_app = FastDispatcher(create_backend_app)
        app = FaultsMiddleware(AwsLimitsMiddleware(moto_app, self.log, self.lock, self.listings), self.faults)
        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=MotoRequestHandler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="ecstui-emulator", daemon=True)
        self._thread.start()
        return self.endpoint_url

    @property
    def endpoint_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def reset(self) -> None:
        """Forget every resource (moto's reset) and every logged request; faults go back to how they were made."""
        # What POST /moto-api/reset does, minus re-initialising every backend before dropping it (see
        # speedups.reset_backends); under the lock, as a request would be.
        with self.lock:
            reset_backends()
        freeze_task_decay()
        self.listings.clear()
        self.log.clear()
        self.faults.reset()
        self.generation += 1

    def seed_ids(self, seed: int) -> None:
        """Make moto's ids and IPs repeatable from here on (the server shares this process)."""
        from moto.moto_api._internal import mock_random

        with self.lock:
            mock_random.seed(seed)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

"""Port forwards through ECS Exec: session-manager-plugin running in the background for each, watched until it
ends, ended (the plugin and the SSM session both) on request or when ecstui exits."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ecstui.aws.errors import AwsError
from ecstui.aws.exec import ExecActions, SsmSession, plugin_version, start_session_plugin_call
from ecstui.aws.models import Container, Task

# What the plugin prints once its local listener is up ("Waiting for connections...").
_LISTENING = "waiting for connections"
STDERR_LINES_KEPT = 50
TERMINATE_GRACE_SECONDS = 5.0


def local_port_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a listener could bind the port now (the plugin listens on localhost)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@dataclass
class PortForward:
    """One forward: localhost:<local_port> to <remote host or the container>:<remote_port> through a task."""

    id: int
    local_port: int
    remote_port: int
    remote_host: str | None
    cluster: str
    task_id: str
    container: str
    session: SsmSession
    started_at: datetime
    state: str = "starting"  # starting, open, ending, ended, failed
    exit_code: int | None = None
    stderr: deque[str] = field(default_factory=lambda: deque(maxlen=STDERR_LINES_KEPT))
    process: asyncio.subprocess.Process | None = field(default=None, repr=False)
    _watch: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def target(self) -> str:
        through = f"{self.container} of task {self.task_id[:12]} ({self.cluster})"
        if self.remote_host:
            return f"{self.remote_host}:{self.remote_port} through {through}"
        return f"{self.container}:{self.remote_port} (task {self.task_id[:12]}, {self.cluster})"

    @property
    def live(self) -> bool:
        return self.state in ("starting", "open")

    @property
    def problem(self) -> str | None:
        """The plugin's last words on stderr, when it failed."""
        return self.stderr[-1] if self.state == "failed" and self.stderr else None


class PortForwards:
    """Every forward this ecstui opened, newest last."""

    def __init__(self, actions: ExecActions, clock: Callable[[], datetime]) -> None:
        self.actions = actions
        self.clock = clock
        self.forwards: list[PortForward] = []
        self._next_id = 1

    @property
    def open_count(self) -> int:
        return sum(1 for forward in self.forwards if forward.live)

    async def open(
        self, cluster: str, task: Task, container: Container, remote_port: int, local_port: int, host: str | None
    ) -> PortForward:
        """StartSession, then the plugin in the background (its stdin closed, its output read, its stderr kept)."""
        session = await self.actions.start_port_forward(cluster, task, container, remote_port, local_port, host)
        forward = PortForward(
            id=self._next_id,
            local_port=local_port,
            remote_port=remote_port,
            remote_host=host,
            cluster=cluster,
            task_id=task.id,
            container=container.name,
            session=session,
            started_at=self.clock(),
        )
        self._next_id += 1
        argv, extra = start_session_plugin_call(session, await plugin_version())
        try:
            forward.process = await asyncio.create_subprocess_exec(
                *argv,
                env={**os.environ, **extra},
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                # Its own session: the terminal's ^C is ecstui's, not the forward's.
                start_new_session=True,
            )
        except OSError as exc:
            # As the AWS CLI does when the plugin is missing: end the session rather than leave it to time out.
            with contextlib.suppress(AwsError):
                await self.actions.terminate_session(session.session_id)
            self.actions.record_plugin_exit(
                "port_forward_plugin", forward.target, session.session_id, f"could not start: {exc.strerror or exc}"
            )
            raise AwsError(f"session-manager-plugin could not be started: {exc.strerror or exc}.") from exc
        self.forwards.append(forward)
        forward._watch = asyncio.ensure_future(self._watch_plugin(forward))
        return forward

    async def _watch_plugin(self, forward: PortForward) -> None:
        process = forward.process
        assert process is not None and process.stdout is not None and process.stderr is not None

        async def read_stdout() -> None:
            assert process.stdout is not None
            async for raw in process.stdout:
                if _LISTENING in raw.decode("utf-8", "replace").lower() and forward.state == "starting":
                    forward.state = "open"

        async def read_stderr() -> None:
            assert process.stderr is not None
            async for raw in process.stderr:
                line = raw.decode("utf-8", "replace").rstrip()
                if line:
                    forward.stderr.append(line)

        await asyncio.gather(read_stdout(), read_stderr())
        forward.exit_code = await process.wait()
        ended_by_us = forward.state == "ending"
        forward.state = "ended" if ended_by_us or forward.exit_code == 0 else "failed"
        outcome = f"plugin exited with status {forward.exit_code}"
        if forward.problem:
            outcome += f": {forward.problem}"
        self.actions.record_plugin_exit("port_forward_plugin", forward.target, forward.session.session_id, outcome)
        if not ended_by_us:
            # The plugin went by itself: its SSM session would linger until the agent's idle timeout.
            with contextlib.suppress(AwsError):
                await self.actions.terminate_session(forward.session.session_id)

    async def end(self, forward: PortForward) -> None:
        """Stop the plugin (SIGTERM, then SIGKILL after a grace) and end the SSM session."""
        if not forward.live:
            return
        forward.state = "ending"
        process = forward.process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
            try:
                await asyncio.wait_for(asyncio.shield(process.wait()), TERMINATE_GRACE_SECONDS)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
        if forward._watch is not None:
            with contextlib.suppress(Exception):
                await forward._watch
        await self.actions.terminate_session(forward.session.session_id)

    async def end_all(self) -> None:
        for forward in list(self.forwards):
            with contextlib.suppress(AwsError):
                await self.end(forward)


__all__ = ["PortForward", "PortForwards", "local_port_free"]

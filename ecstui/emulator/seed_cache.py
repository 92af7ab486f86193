"""The seeded demo account, kept on disk so that `ecstui --demo` starts in a fraction of a second.

Seeding the account over HTTP and warm-starting the simulator takes seconds; restoring a pickle of the result
(emulator.snapshot) takes a tenth of one. The file lives in the user's cache directory and names the key it
was made with: a hash of the emulator's code (which seeds and simulates), moto's version, Python's and the
scenario. Any other key, or a file that does not unpickle, means seeding again and rewriting the file.

What the account shows is relative to when it was seeded ("started 12 minutes ago", log lines, metrics), so
every stored time is moved forward by the age of the file as it is read back: the demo looks as live as when
it was seeded.
"""

from __future__ import annotations

import gc
import hashlib
import io
import logging
import os
import pickle
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from moto.core.base_backend import BackendDict

from ecstui.emulator import snapshot
from ecstui.emulator.metrics_api import store_of

if TYPE_CHECKING:
    from ecstui.emulator.server import EmulatorServer
    from ecstui.emulator.simulator import Simulator

log = logging.getLogger(__name__)

CACHE_FILE = "demo-seed.pickle"
EMULATOR_DIR = Path(__file__).parent
# moto's metric store rows: (epoch seconds, sum, min, max, count); the time is every fifth double.
_SERIES_STRIDE = 5

# Where a backend goes back, by what survives a process: the backend class (pickled by name) and its service.
Place = tuple[type, str, str, str]


def cache_key(scenario: str, region: str, seed: int) -> str:
    """Changes whenever what seeding would produce may change: the emulator's code, moto, Python, the inputs."""
    import moto

    digest = hashlib.sha256(f"{scenario}|{region}|{seed}|{moto.__version__}|{sys.version}".encode())
    for source in sorted(EMULATOR_DIR.glob("*.py")):
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class SeedCache:
    """One cached account: `load` puts it into a server (True) or says it has none for this key (False)."""

    key: str
    directory: Path

    @property
    def path(self) -> Path:
        return self.directory / CACHE_FILE

    def save(self, server: EmulatorServer, simulator: Simulator) -> None:
        """Write what the server holds now (the whole account, every region), replacing any older file."""
        taken = snapshot.take(server, simulator)
        places: list[Place] = [(bd.backend, bd.service_name, account, region) for bd, account, region in taken.places]
        header = pickle.dumps((self.key, datetime.now(UTC), places), protocol=pickle.HIGHEST_PROTOCOL)
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_suffix(f".{os.getpid()}.tmp")
        # Written aside and renamed: two demos starting at once never read half a file.
        with partial.open("wb") as out:
            out.write(len(header).to_bytes(8, "big"))
            out.write(header)
            out.write(taken.payload)
        partial.replace(self.path)

    def load(self, server: EmulatorServer, simulator: Simulator, now: datetime | None = None) -> bool:
        """Put the cached account into the server, as if seeded at `now` (True); on a miss change nothing."""
        try:
            data = self.path.read_bytes()
        except OSError:
            return False
        try:
            with _collection_paused():
                return self._restore(data, server, simulator, now or datetime.now(UTC))
        except Exception as exc:  # a cache that cannot be read is only a slower start
            log.warning("demo seed cache %s unreadable (%s): seeding again", self.path, exc)
            return False

    def _restore(self, data: bytes, server: EmulatorServer, simulator: Simulator, now: datetime) -> bool:
        size = int.from_bytes(data[:8], "big")
        key, taken_at, places = pickle.loads(data[8 : 8 + size])
        if key != self.key:
            return False
        shift = now - taken_at
        saved = snapshot.Snapshot(tuple(_backend_dict(place) for place in places), data[8 + size :])
        # Unpickled before the server is reset: a file that breaks off leaves the account as it was.
        state = _ShiftingUnpickler(saved.payload, shift).load()
        snapshot.restore(server, saved, simulator, loads=lambda _payload: state)
        _shift_epoch_times(server, saved, shift)
        return True


def _backend_dict(place: Place) -> tuple[BackendDict[Any], str, str]:
    backend_class, service_name, account, region = place
    # Unpickling the class imported its module, which made its BackendDict (moto lists it in
    # BackendDict._instances only once it is used, so look in the module).
    for candidate in vars(sys.modules[backend_class.__module__]).values():
        is_it = isinstance(candidate, BackendDict) and candidate.backend is backend_class
        if is_it and candidate.service_name == service_name:
            return candidate, account, region
    raise LookupError(f"moto has no backends for {service_name}")


@contextmanager
def _collection_paused() -> Iterator[None]:
    # Unpickling makes some hundred thousand objects, none garbage: collecting during it only costs time.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _ShiftingUnpickler(pickle.Unpickler):
    """Unpickles every datetime `shift` later than it was pickled."""

    def __init__(self, payload: bytes, shift: timedelta) -> None:
        super().__init__(io.BytesIO(payload))
        self._make = _shifted_datetime(shift)

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name)
        # A pickled datetime is a call of the class on its packed fields; the class is looked up once a pickle.
        return self._make if found is datetime else found


def _shifted_datetime(shift: timedelta) -> Callable[..., datetime]:
    def make(*args: Any) -> datetime:
        return datetime(*args) + shift

    return make


def _shift_epoch_times(server: EmulatorServer, saved: snapshot.Snapshot, shift: timedelta) -> None:
    """Times that moto and the metric store keep as numbers: log events (milliseconds), datapoints (seconds)."""
    millis = int(shift.total_seconds() * 1000)
    seconds = shift.total_seconds()
    with server.lock:
        for backend_dict, account, region in saved.places:
            backend = backend_dict[account][region]
            if backend_dict.service_name == "logs":
                _shift_logs(backend, millis)
            elif backend_dict.service_name == "cloudwatch":
                for points in store_of(backend).series.values():
                    for i in range(0, len(points), _SERIES_STRIDE):
                        points[i] += seconds


def _shift_logs(backend: Any, millis: int) -> None:
    for group in backend.groups.values():
        if isinstance(group.creation_time, int):
            group.creation_time += millis
        for stream in group.streams.values():
            for event in stream.events:
                event.timestamp += millis
                event.ingestion_time += millis
            for name in ("first_event_timestamp", "last_event_timestamp", "creation_time"):
                if isinstance(getattr(stream, name, None), int):
                    setattr(stream, name, getattr(stream, name) + millis)

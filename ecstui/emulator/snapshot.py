"""Save everything the emulated account holds, and put it back in a few tens of milliseconds.

Seeding the demo account over HTTP and warm-starting the simulator takes a second or more; tests need that
account hundreds of times. A snapshot pickles every moto backend in use (moto keeps the list:
`BackendDict._instances`), moto's seeded random stream (ids and IPs made afterwards come out as they would
have) and optionally a simulator's state, so a restored account continues exactly as the saved one would have.
Each restore unpickles fresh objects: what one restore's user changes, the next restore does not see.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from moto.core.base_backend import BackendDict
from moto.moto_api._internal import mock_random

if TYPE_CHECKING:
    from ecstui.emulator.server import EmulatorServer
    from ecstui.emulator.simulator import Simulator


@dataclass(frozen=True)
class Snapshot:
    # Where each saved backend goes back: moto's BackendDicts live as long as the process, across resets.
    places: tuple[tuple[BackendDict[Any], str, str], ...]
    payload: bytes  # pickled (backends in the order of places, simulator state or None, random state)

    @property
    def size(self) -> int:
        return len(self.payload)


def take(server: EmulatorServer, simulator: Simulator | None = None) -> Snapshot:
    """Save every backend in use, moto's random stream and, if given, the simulator's state."""
    with server.lock:
        places: list[tuple[BackendDict[Any], str, str]] = []
        backends: list[Any] = []
        for backend_dict in list(BackendDict._instances):  # type: ignore[misc]
            for account_id, per_account in dict.items(backend_dict):
                for region, backend in dict.items(per_account):
                    places.append((backend_dict, account_id, region))
                    backends.append(backend)
        state = (backends, simulator.state() if simulator is not None else None, mock_random.getstate())
        payload = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    return Snapshot(tuple(places), payload)


def restore(
    server: EmulatorServer,
    snapshot: Snapshot,
    simulator: Simulator | None = None,
    loads: Callable[[bytes], Any] = pickle.loads,
) -> None:
    """Make the server hold exactly what the snapshot holds (it is reset first), and the simulator continue.

    `loads` unpickles the payload (the seed cache's shifts every stored time to now)."""
    server.reset()
    with server.lock:
        backends, simulator_state, random_state = loads(snapshot.payload)
        for (backend_dict, account_id, region), backend in zip(snapshot.places, backends, strict=True):
            backend_dict[account_id][region] = backend
        mock_random.setstate(random_state)
        if simulator is not None:
            if simulator_state is None:
                raise ValueError("this snapshot holds no simulator state")
            simulator.load_state(simulator_state)

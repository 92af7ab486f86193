"""The embedded demo AWS: an emulator server, seeded, warm-started and kept alive by the simulator."""

from __future__ import annotations

import logging
from pathlib import Path

from ecstui.emulator.faults import Faults
from ecstui.emulator.hostile import seed_hostile, stir_hostile
from ecstui.emulator.seed import seed_demo, seed_scale, start_bad_rollouts
from ecstui.emulator.seed_cache import SeedCache, cache_key
from ecstui.emulator.server import EmulatorServer
from ecstui.emulator.simulator import Simulator

log = logging.getLogger(__name__)

# demo: a believable account; scale: one large cluster; hostile: every free-text field carries markup and escapes.
SCENARIOS = ("demo", "scale", "hostile")


class Demo:
    """Start with `start()` (returns the endpoint URL); `stop()` ends the simulator and the server."""

    def __init__(
        self,
        scenario: str = "demo",
        region: str = "us-east-1",
        port: int = 0,
        simulate: bool = True,
        interval: float = 1.0,
        seed: int = 7,
        faults: Faults | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        """`cache_dir`: keep the seeded account there and start from it next time (None: always seed)."""
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r} ({', '.join(SCENARIOS)})")
        self.scenario = scenario
        self.region = region
        self.simulate = simulate
        self.interval = interval
        self.seed = seed
        self.server = EmulatorServer(port=port, faults=faults if faults is not None else Faults())
        self.simulator: Simulator | None = None
        self.seed_cache = SeedCache(cache_key(scenario, region, seed), cache_dir) if cache_dir is not None else None
        self.restored_from_cache = False

    def start(self) -> str:
        url = self.server.start()
        self.server.seed_ids(self.seed)
        # Seeding must not wait on the latency and token buckets that are set up for the app.
        with self.server.faults.suspended():
            # The simulator attaches before seeding so services are created with ECS's semantics.
            self.simulator = Simulator(self.server, region=self.region, seed=self.seed, chaos=True)
            cache = self.seed_cache
            self.restored_from_cache = cache is not None and cache.load(self.server, self.simulator)
            if not self.restored_from_cache:
                if cache is not None:  # a cache that broke off mid-restore may have left part of an account
                    self.server.reset()
                    self.server.seed_ids(self.seed)
                self._seed(url, self.simulator)
                if cache is not None:
                    try:
                        cache.save(self.server, self.simulator)
                    except OSError as exc:  # no cache only means seeding again next time
                        log.warning("demo seed cache not written: %s", exc)
        if self.simulate:
            self.simulator.start(self.interval)
        log.info("demo AWS ready at %s", url)
        return url

    def _seed(self, url: str, simulator: Simulator) -> None:
        """Everything the scenario's account holds, in every region it seeds (the seed cache keeps it whole)."""
        if self.scenario == "demo":
            seed_demo(url, self.region)
        elif self.scenario == "hostile":
            seed_hostile(url, self.region)
        else:
            seed_scale(url, self.region)
        simulator.warm_start()
        if self.scenario == "demo":
            start_bad_rollouts(url, self.region)
            for _ in range(4):
                simulator.step()
        elif self.scenario == "hostile":
            stir_hostile(url, simulator, self.region)

    @property
    def endpoint_url(self) -> str:
        return self.server.endpoint_url

    def stop(self) -> None:
        if self.simulator is not None:
            self.simulator.stop()
        self.server.stop()

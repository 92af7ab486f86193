"""Run the embedded AWS standalone: `python -m ecstui.emulator [--port N] [--scenario demo|scale|hostile]`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from ecstui.emulator.demo import SCENARIOS, Demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ecstui.emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    parser.add_argument("--scenario", choices=SCENARIOS, default="demo")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--no-simulator", action="store_true", help="seed and warm-start, then keep state still")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between simulator steps")
    args = parser.parse_args(argv)

    started = time.monotonic()
    demo = Demo(
        scenario=args.scenario,
        region=args.region,
        port=args.port,
        simulate=not args.no_simulator,
        interval=args.interval,
    )
    url = demo.start()
    print(url, flush=True)
    print(
        f"ecstui emulator ({args.scenario}) ready in {time.monotonic() - started:.1f}s. Try:\n"
        f"  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing ecstui --endpoint-url {url} "
        f"--region {args.region}\nCtrl-C to stop.",
        file=sys.stderr,
        flush=True,
    )
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Command line: flags -> AWS target and options -> (the embedded demo, if asked) -> the app."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ecstui.aws.audit import default_audit_path
from ecstui.aws.errors import to_aws_error
from ecstui.aws.prefetch import ServiceListingPrefetch
from ecstui.aws.session import AwsSession, AwsTarget
from ecstui.config import ConfigError, load_settings

if TYPE_CHECKING:
    from ecstui.demo_process import DemoProcess
    from ecstui.ui.app import EcsApp

EXIT_USAGE = 2
PREFLIGHT_TIMEOUT = 10.0
DEMO_REGION = "us-east-1"
# moto and its server stack are an extra (pyproject's `demo`): a plain install talks to real AWS only.
DEMO_EXTRA_MISSING = "the demo needs the demo extra: pip install 'ecstui[demo]' (or make demo)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecstui",
        description="A keyboard-driven terminal console for AWS ECS. Press ? in any view for its keys.",
    )
    parser.add_argument("--profile", help="AWS profile (default: AWS_PROFILE or the default profile)")
    parser.add_argument("--region", help="AWS region (default: AWS_REGION / AWS_DEFAULT_REGION / the profile's)")
    parser.add_argument("--endpoint-url", help="AWS endpoint to talk to instead of AWS (default: AWS_ENDPOINT_URL)")
    parser.add_argument("--cluster", help="open this cluster's services")
    parser.add_argument("--service", help="with --cluster: open this service's tasks")
    parser.add_argument(
        "--refresh", type=float, default=None, metavar="SECONDS", help="poll interval (default 5, or the config's)"
    )
    parser.add_argument("--read-only", action="store_true", help="make every change to AWS impossible")
    parser.add_argument("--demo", action="store_true", help="run on an embedded, simulated AWS (no credentials)")
    parser.add_argument(
        "--latency", type=float, default=0.0, metavar="MS", help="with --demo: add this round trip to every request"
    )
    parser.add_argument(
        "--throttle", action="store_true", help="with --demo: throttle ECS calls with AWS's token buckets"
    )
    return parser


def target_from_args(args: argparse.Namespace) -> AwsTarget:
    region = args.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    endpoint = args.endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    return AwsTarget(profile=args.profile, region=region, endpoint_url=endpoint, read_only=args.read_only)


async def preflight(target: AwsTarget) -> str | None:
    """One sentence on what keeps ecstui from AWS (credentials, region, endpoint), or None if it can talk."""
    async with AwsSession(target) as session:
        missing = await session.missing_configuration()
        if missing:
            return missing
        try:
            ecs = await session.ecs()
            await asyncio.wait_for(ecs.list_clusters(maxResults=1), PREFLIGHT_TIMEOUT)
        except TimeoutError:
            where = target.endpoint_url or f"ECS in {session.region}"
            return f"{where} did not answer within {PREFLIGHT_TIMEOUT:.0f}s: check the network or --endpoint-url."
        except Exception as exc:
            error = to_aws_error(exc, endpoint=target.endpoint_url)
            if error.kind in ("unreachable", "credentials", "denied"):
                hint = "" if "--demo" in error.message else " (Or try `ecstui --demo`.)"
                return error.message + hint
    return None


def demo_audit_path() -> Path:
    """What is done to the simulated account is kept apart from the audit trail of real accounts, and starts
    empty with each demo, whose account is new too."""
    path = default_audit_path().with_name("demo-audit.jsonl")
    path.unlink(missing_ok=True)
    return path


def demo_extra_missing() -> str | None:
    """One sentence if the embedded AWS cannot run here (moto not installed), else None. Only finds moto; the
    demo imports it when it starts."""
    import importlib.util

    return DEMO_EXTRA_MISSING if importlib.util.find_spec("moto") is None else None


def start_demo(latency_ms: float = 0.0, throttle: bool = False) -> DemoProcess:
    """The embedded AWS, starting in a process of its own (DemoProcess.endpoint_url() waits until it is ready)."""
    from ecstui.demo_process import DemoProcess, default_cache_dir

    # The embedded AWS accepts any credentials; these keep botocore from looking for real ones.
    for key, value in (("AWS_ACCESS_KEY_ID", "demo"), ("AWS_SECRET_ACCESS_KEY", "demo")):
        os.environ[key] = value
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.pop("AWS_PROFILE", None)
    return DemoProcess(default_cache_dir(), latency_ms, throttle).spawn()


def main(argv: Sequence[str] | None = None, run_app: Callable[[EcsApp], object] | None = None) -> int:
    """The command. `run_app` runs the built app (default: in the terminal); the benchmark runs it headless."""
    run_app = run_app or (lambda app: app.run())
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.service and not args.cluster:
        parser.error("--service needs --cluster")
    if (args.latency or args.throttle) and not args.demo:
        parser.error("--latency and --throttle shape the embedded AWS: use them with --demo")
    if args.latency < 0:
        parser.error("--latency must be 0 or more milliseconds")
    if args.refresh is not None and args.refresh <= 0:
        parser.error("--refresh must be a positive number of seconds")
    try:
        settings = load_settings()
    except ConfigError as bad_config:
        print(f"ecstui: {bad_config}", file=sys.stderr)
        return EXIT_USAGE

    if args.demo and (missing := demo_extra_missing()):
        print(f"ecstui: {missing}", file=sys.stderr)
        return EXIT_USAGE

    demo: DemoProcess | None = None
    if args.demo:
        demo = start_demo(args.latency, args.throttle)
        # The UI is imported while the emulator starts in its process: both take a second or more of CPU.
        import ecstui.ui.app  # noqa: F401
        from ecstui.demo_process import DemoProcessError

        try:
            endpoint = demo.endpoint_url()
        except DemoProcessError as failed:
            print(f"ecstui: {failed}", file=sys.stderr)
            return EXIT_USAGE
        target = AwsTarget(region=DEMO_REGION, endpoint_url=endpoint, read_only=args.read_only)
    else:
        target = target_from_args(args)
    # Opening on a cluster, its service listing starts now, on a thread of its own: the checks below, importing
    # the UI and building it take place during its round trips instead of before them.
    prefetch = ServiceListingPrefetch(target, args.cluster).start() if args.cluster and not args.service else None
    if not args.demo:
        problem = asyncio.run(preflight(target))
        if problem:
            if prefetch is not None:
                prefetch.cancel()
            print(f"ecstui: {problem}", file=sys.stderr)
            return EXIT_USAGE

    from ecstui.ui.app import AppOptions, EcsApp

    profile = None if args.demo else (target.profile or os.environ.get("AWS_PROFILE") or "default")
    options = AppOptions(
        refresh=args.refresh or settings.refresh_seconds,
        cluster=args.cluster,
        service=args.service,
        demo=args.demo,
        production=settings.is_production(profile),
        production_profiles=settings.production_globs(),
        read_account=True,
        keymap=dict(settings.keymap),
        secret_env_pattern=settings.secret_env_pattern,
        exec_command=settings.exec_command,
        log_lines=settings.log_lines,
        rollout_grace=settings.rollout_grace_seconds,
        triage_at_start=settings.triage_at_start,
        sweep_seconds=settings.sweep_seconds,
        sweep_calls_per_minute=settings.sweep_calls_per_minute,
        audit_path=str(demo_audit_path()) if args.demo else None,
    )
    try:
        run_app(EcsApp(target, options, prefetch))
    except KeyboardInterrupt:
        pass
    finally:
        if demo is not None:
            demo.stop()
    return 0


def run() -> None:
    sys.exit(main())

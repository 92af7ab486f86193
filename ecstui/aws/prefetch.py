"""A cluster's service listing started at launch, on a thread and event loop of its own.

ListServices pages come one after another (each needs the last one's nextToken), so a big cluster's listing
is a chain of round trips: 20 of them for 2,000 services. Started on the UI's event loop, every round trip
waited also for whatever the UI was doing when its answer came (importing Textual, building the first screen,
creating clients), and the chain stretched by all of it. On its own loop the chain only shares the
interpreter: the next page goes out as soon as the last one is read.

It spends the same tokens as everything else (the limiter is the app's, and safe across threads), and its
requests are added to the app's counts when the app takes the listing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import sys
import threading

from ecstui.aws.fetch import EcsReader
from ecstui.aws.ratelimit import EcsRateLimiter
from ecstui.aws.session import AwsSession, AwsTarget, RequestStats

LISTING_SWITCH_INTERVAL = 0.0005  # seconds; measured: the 20-page listing of 2,000 services ~0.1 s shorter


class ServiceListingPrefetch:
    """`start()` lists `cluster`'s service ARNs in the background; `result()` awaits them on any event loop."""

    def __init__(self, target: AwsTarget, cluster: str, limiter: EcsRateLimiter | None = None) -> None:
        self.target = target
        self.cluster = cluster
        self.limiter = limiter if limiter is not None else EcsRateLimiter(target.rate_share)
        self.stats = RequestStats()
        self._future: concurrent.futures.Future[list[str]] = concurrent.futures.Future()
        # The first page's ARNs, as soon as they arrive (the first screenful is described while the rest is read).
        self._first_page: concurrent.futures.Future[list[str]] = concurrent.futures.Future()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._ready = threading.Event()  # the thread's loop and task exist (or the thread ended)
        self._thread = threading.Thread(target=self._run, name=f"list services of {cluster}", daemon=True)

    def start(self) -> ServiceListingPrefetch:
        self._thread.start()
        return self

    @property
    def settled(self) -> bool:
        """The listing ended with its ARNs or an error (not cancelled): its requests are all sent and counted."""
        return self._future.done() and not self._future.cancelled()

    async def result(self) -> list[str]:
        """The ARNs (or the error the listing met), awaited without blocking the caller's loop."""
        return await asyncio.wrap_future(self._future)

    async def first_page(self) -> list[str]:
        """The first page's ARNs, sorted by name (all of them when the listing ended first; its error if it failed)."""
        return await asyncio.wrap_future(self._first_page)

    def _set_first_page(self, arns: list[str]) -> None:
        with contextlib.suppress(concurrent.futures.InvalidStateError):
            self._first_page.set_result(arns)

    def cancel(self, timeout: float = 2.0) -> None:
        """Stop the listing (if it still runs) and wait for its thread to close its connections."""
        if not self._thread.is_alive():
            return
        self._ready.wait(timeout)
        loop, task = self._loop, self._task
        if loop is not None and task is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the thread is ending
                loop.call_soon_threadsafe(task.cancel)
        self._thread.join(timeout)

    def _settle(self, arns: list[str] | None, error: BaseException | None) -> None:
        # The awaiting side may have cancelled the future already (wrap_future passes a cancel on): then nobody
        # wants the outcome. The first page, if it never came on its own, settles the same way (all the ARNs).
        for future in (self._first_page, self._future):
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                if error is not None:
                    future.set_exception(error)
                elif arns is not None:
                    future.set_result(arns)
                else:
                    future.cancel()

    def _run(self) -> None:
        # While the UI is imported and built on the main thread, this thread waits for the interpreter each time
        # an answer comes in: up to the switch interval (5 ms) a page, twice or more. Shorter while it lists.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, LISTING_SWITCH_INTERVAL))
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # whatever ended the thread is the listing's outcome
            self._settle(None, exc)
        finally:
            sys.setswitchinterval(interval)
            self._ready.set()
            self._settle(None, None)  # no-op when settled

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.current_task()
        self._ready.set()
        session = AwsSession(self.target, limiter=self.limiter)
        self.stats = session.stats
        try:
            arns = await self._list(session)
        except asyncio.CancelledError:
            self._settle(None, None)
            raise
        except Exception as exc:  # the awaiting side gets it as the reader raised it
            self._settle(None, exc)
        else:
            self._settle(arns, None)
        finally:
            await session.close()

    async def _list(self, session: AwsSession) -> list[str]:
        return await EcsReader(session).service_arns(self.cluster, on_first_page=self._set_first_page)

"""Described task definitions kept by revision: a revision's content never changes, only its status can.

How the cache copes with status (the one mutable part of a revision):
- A List* result is authoritative for the status it was filtered by, and every listing is fetched fresh.
  `observe_listing()` sets that status on each listed revision that is cached, and drops cached revisions of
  the listed families that claim that status but were not listed (deregistered or deleted since): the next
  read describes them again.
- `forget()` drops one revision; whoever deregisters or deletes a revision calls it (or reads with refresh).
- Anything else served from the cache shows the status it had when described.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable

from ecstui.aws.models import TaskDefinition, short_name


def revision_key(arn_or_family_revision: str) -> str | None:
    """'arn:...:task-definition/web:12' or 'web:12' -> 'web:12'; a bare family ('web') -> None.

    One reader serves one account and region, where family:revision names exactly one ARN. A bare family
    means "its latest ACTIVE revision", which changes, so it is never a cache key.
    """
    family, _, revision = short_name(arn_or_family_revision).partition(":")
    if not family or not revision.isdigit():
        return None
    return f"{family}:{int(revision)}"


def family_of(arn_or_family_revision: str) -> str:
    return short_name(arn_or_family_revision).partition(":")[0]


class TaskDefinitionCache:
    """Least-recently-used map of revision -> TaskDefinition, with concurrent describes of one revision merged."""

    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[str, TaskDefinition] = OrderedDict()
        self._pending: dict[str, asyncio.Future[TaskDefinition]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, arn_or_family_revision: str) -> TaskDefinition | None:
        key = revision_key(arn_or_family_revision)
        found = self._entries.get(key) if key else None
        if key and found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, task_definition: TaskDefinition) -> None:
        key = revision_key(task_definition.arn) or revision_key(task_definition.label)
        if key is None:
            return
        self._entries[key] = task_definition
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget(self, arn_or_family_revision: str) -> None:
        key = revision_key(arn_or_family_revision)
        if key:
            self._entries.pop(key, None)

    def observe_listing(self, status: str, arns: Iterable[str], families: Iterable[str] | None = None) -> None:
        """A fresh list filtered by `status` returned `arns`, complete for `families` (every family when None)."""
        listed = {key for arn in arns if (key := revision_key(arn))}
        scope = None if families is None else set(families)
        for key, cached in list(self._entries.items()):
            if key in listed:
                if cached.status != status:
                    self._entries[key] = _with_status(cached, status)
            elif cached.status == status and (scope is None or cached.family in scope):
                del self._entries[key]

    async def get_or_describe(
        self, arn_or_family_revision: str, describe: Callable[[str], Awaitable[TaskDefinition]]
    ) -> TaskDefinition:
        """The cached revision, or describe it once however many callers ask for it at the same moment."""
        key = revision_key(arn_or_family_revision)
        if key is None:
            described = await describe(arn_or_family_revision)
            self.put(described)
            return described
        cached = self.get(key)
        if cached is not None:
            return cached
        pending = self._pending.get(key)
        if pending is None:
            pending = asyncio.ensure_future(describe(arn_or_family_revision))
            self._pending[key] = pending
            pending.add_done_callback(lambda done: self._settle(key, done))
        # Shielded: one caller giving up (a screen closed) must not cancel the describe others wait for.
        return await asyncio.shield(pending)

    def _settle(self, key: str, done: asyncio.Future[TaskDefinition]) -> None:
        self._pending.pop(key, None)
        # Retrieving the exception here keeps asyncio from reporting it when every waiter has gone away.
        if not done.cancelled() and done.exception() is None:
            self.put(done.result())


def _with_status(task_definition: TaskDefinition, status: str) -> TaskDefinition:
    raw = {**task_definition.raw, "status": status} if task_definition.raw else task_definition.raw
    return dataclasses.replace(task_definition, status=status, raw=raw)

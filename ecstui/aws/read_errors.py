"""One decorator for every public read: whatever fails inside leaves it as an AwsError, never a raw exception."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from ecstui.aws.errors import AwsError

if TYPE_CHECKING:
    from ecstui.aws.session import AwsSession

P = ParamSpec("P")
R = TypeVar("R")


class HasSession(Protocol):
    @property
    def session(self) -> AwsSession: ...


S = TypeVar("S", bound=HasSession)


def reads_aws(method: Callable[Concatenate[S, P], Awaitable[R]]) -> Callable[Concatenate[S, P], Coroutine[Any, Any, R]]:
    """Wrap a reader's coroutine method so botocore and aiohttp exceptions become readable AwsErrors."""

    @functools.wraps(method)
    async def read(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(self, *args, **kwargs)
        except AwsError:
            raise
        except Exception as exc:
            raise self.session.error_from(exc) from exc

    return read

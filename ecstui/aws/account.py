"""Which account a session is in: its id (STS GetCallerIdentity) and its alias (IAM ListAccountAliases).

Read once per session and kept: neither changes while ecstui runs. A failure is not an error of any pane: the
top bar then says "account ?" (a role may be denied iam:ListAccountAliases and still run everything else).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from ecstui.aws.session import AwsSession


@dataclass(frozen=True)
class Account:
    """An account id ("123456789012") and its alias, either unknown (None) when it could not be read."""

    id: str | None = None
    alias: str | None = None

    @property
    def label(self) -> str:
        """`account 123456789012 (alias)`, or `account ?`."""
        label = f"account {self.id or '?'}"
        return f"{label} ({self.alias})" if self.alias else label


class AccountReader:
    """The account of one session, read on first ask and cached."""

    def __init__(self, session: AwsSession) -> None:
        self.session = session
        self._account: Account | None = None
        self._lock = asyncio.Lock()

    @property
    def known(self) -> Account | None:
        """What was read so far (None before the first read ended)."""
        return self._account

    async def read(self) -> Account:
        async with self._lock:
            if self._account is None:
                self._account = Account(await self._account_id(), await self._alias())
            return self._account

    async def _account_id(self) -> str | None:
        try:
            identity = await (await self.session.sts()).get_caller_identity()
        except Exception:  # the top bar says "account ?"; the panes say what is wrong with the credentials
            return None
        return str(identity.get("Account") or "") or None

    async def _alias(self) -> str | None:
        try:
            answer = await (await self.session.iam()).list_account_aliases()
        except Exception:  # denied or unreachable: the id alone is shown
            return None
        aliases = answer.get("AccountAliases") or []
        return str(aliases[0]) if aliases else None


__all__ = ["Account", "AccountReader"]

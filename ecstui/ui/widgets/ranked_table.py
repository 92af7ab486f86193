"""A ResourceTable whose ranked columns sort by meaning (unhealthy before healthy), not alphabetically."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ecstui.ui.widgets.resource_table import Column, ResourceTable, plain


@dataclass(frozen=True)
class Rank:
    """Sorting by a ranked column orders rows by `key` of these columns' texts (the column itself first)."""

    columns: tuple[str, ...]
    key: Callable[[tuple[str, ...]], Any]


class RankedTable(ResourceTable):
    def __init__(
        self,
        columns: Sequence[Column],
        ranks: Mapping[str, Rank],
        *,
        sort_column: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(columns, sort_column=sort_column, id=id)
        self.ranks = dict(ranks)

    def _sort(self) -> None:
        rank = self.ranks.get(self.sort_column or "")
        if rank is None or not self.row_count:
            super()._sort()
            return

        def key(cells: object) -> Any:
            values = cells if isinstance(cells, tuple) else (cells,)
            return rank.key(tuple(plain(cell) for cell in values))

        self.sort(*rank.columns, key=key, reverse=self.sort_reverse)

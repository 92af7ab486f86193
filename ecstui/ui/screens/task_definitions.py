"""Task definitions: families, then a family's revisions."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from ecstui.aws.models import TaskDefinition, TaskDefinitionFamily
from ecstui.ui.format import age, dash, status_text
from ecstui.ui.screens.base import ListScreen
from ecstui.ui.widgets.resource_table import Cell, Column


class FamiliesScreen(ListScreen[TaskDefinitionFamily]):
    kind = "Task definition families"
    columns = (Column("family", "Family"),)
    sort_column = "family"

    async def fetch(self) -> Sequence[TaskDefinitionFamily]:
        return await self.ecs_app.reader.task_definition_families()

    def row_key(self, item: TaskDefinitionFamily) -> str:
        return item.name

    def row_cells(self, item: TaskDefinitionFamily) -> tuple[Cell, ...]:
        return (Text(item.name, style="bold"),)

    def open_item(self, item: TaskDefinitionFamily) -> None:
        self.ecs_app.open_revisions(item.name)


class RevisionsScreen(ListScreen[TaskDefinition]):
    kind = "Revisions"
    columns = (
        Column("revision", "Revision"),
        Column("status", "Status"),
        Column("images", "Images"),
        Column("cpu", "CPU"),
        Column("memory", "Memory"),
        Column("network", "Network mode"),
        Column("compat", "Compatibilities"),
        Column("registered", "Registered"),
    )
    sort_column = "revision"

    def __init__(self, family: str) -> None:
        self.family = family
        super().__init__()

    def on_mount(self) -> None:
        super().on_mount()
        self.table.sort_reverse = True  # newest first

    def subject(self) -> str:
        return self.family

    async def fetch(self) -> Sequence[TaskDefinition]:
        return await self.ecs_app.reader.task_definition_revisions(self.family)

    def row_key(self, item: TaskDefinition) -> str:
        return item.arn

    def row_cells(self, item: TaskDefinition) -> tuple[Cell, ...]:
        images = ", ".join(c.image.rsplit("/", 1)[-1] for c in item.containers)
        return (
            Text(item.label, style="bold"),
            status_text(item.status),
            images or "-",
            dash(item.cpu),
            dash(item.memory),
            dash(item.network_mode),
            ",".join(item.requires_compatibilities) or "-",
            age(item.registered_at, self.ecs_app.clock()),
        )

    def open_item(self, item: TaskDefinition) -> None:
        self.ecs_app.open_task_definition(item.arn)

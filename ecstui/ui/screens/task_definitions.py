"""Task definitions: families, then a family's revisions; from a revision, new revisions, runs and deregistering."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding

from ecstui.aws.fetch import EcsReader
from ecstui.aws.models import Cluster, Service, TaskDefinition, TaskDefinitionFamily
from ecstui.aws.resource_ref import ResourceRef, task_definition_family_ref, task_definition_ref
from ecstui.aws.task_definition_cache import family_of
from ecstui.aws.task_definition_draft import draft_from_revision
from ecstui.ui.commands import PaletteCommand
from ecstui.ui.dialogs.base import ConfirmDialog
from ecstui.ui.dialogs.run_task import RunTaskDialog
from ecstui.ui.dialogs.task_definition import NewRevisionDialog, RollServicesDialog
from ecstui.ui.dialogs.task_definition_json import (
    EditorUnavailable,
    JsonEditDialog,
    definition_json,
    edit_externally,
    editor_command,
)
from ecstui.ui.format import age, dash, status_text
from ecstui.ui.inert import notify_inert
from ecstui.ui.resource_keys import ResourceKeys
from ecstui.ui.screens.base import ListScreen, LiveScreen
from ecstui.ui.widgets.column_fit import Priority
from ecstui.ui.widgets.resource_table import Cell, Column


async def services_by_cluster(reader: EcsReader) -> tuple[list[Cluster], dict[str, list[Service]]]:
    """Every cluster and its services.

    Cost: 1 ListClusters + 1 DescribeClusters, then per cluster ceil(n/100) ListServices + ceil(n/10)
    DescribeServices. Fine for the demo and for tens of clusters; an account of thousands of services would
    want a narrower search (say, only the cluster in context).
    """
    clusters = await reader.clusters()
    services = {cluster.name: await reader.services(cluster.name) for cluster in clusters}
    return clusters, services


class TaskDefinitionActions(LiveScreen):
    """The keys a revision offers, wherever one is selected: the revisions list and the revision's own pane."""

    BINDINGS = [
        Binding("n", "new_revision", "New revision", id="taskdefs.new_revision"),
        Binding("e", "edit_json", "Edit JSON", id="taskdefs.edit_json"),
        Binding("R", "run_task", "Run task", id="taskdefs.run_task"),
        Binding("ctrl+d", "deregister", "Deregister/delete", id="taskdefs.deregister"),
        # Off the footer, which is full here: listed under ? and in the palette ("New task definition").
        Binding("N", "new_task_definition", "New task definition", id="taskdefs.new_definition", show=False),
        Binding("C", "copy_to_family", "Copy to new family", id="taskdefs.copy_to_family"),
    ]

    def current_definition(self) -> TaskDefinition | None:
        """The revision the keys act on."""
        raise NotImplementedError

    def _chosen(self, what: str) -> TaskDefinition | None:
        definition = self.current_definition()
        if definition is None:
            notify_inert(self.ecs_app, f"Choose a revision first, then {what}.", severity="warning")
            return None
        if not self.ecs_app.can_mutate(what):
            return None
        return definition

    # -- new revision -----------------------------------------------------------------------------------
    def action_new_revision(self) -> None:
        definition = self._chosen("a new revision")
        if definition is not None:
            self.app.push_screen(NewRevisionDialog(definition), self._registered)

    def action_edit_json(self) -> None:
        definition = self._chosen("editing the JSON")
        if definition is None:
            return
        if editor_command() is None:
            self.app.push_screen(JsonEditDialog(definition), self._registered)
            return
        # The editor's file holds the mask for secret-named values too; the dialog puts them back.
        original = definition_json(definition, self.ecs_app.secret_names)
        try:
            edited = edit_externally(self.app, original)
        except EditorUnavailable as problem:
            note = f"{problem} Editing here instead."
            self.app.push_screen(JsonEditDialog(definition, original, note=note), self._registered)
            return
        if edited == original:
            notify_inert(self.ecs_app, f"No change to {definition.label}: nothing registered.")
            return
        # The dialog checks the edited text at once: an error shows there with the text kept, else the diff.
        self.app.push_screen(JsonEditDialog(definition, edited, review_at_once=True), self._registered)

    def _registered(self, registered: TaskDefinition | None) -> None:
        if registered is not None:
            self.run_worker(self._offer_roll(registered), group="taskdefs-roll", exclusive=True, exit_on_error=False)

    async def _offer_roll(self, registered: TaskDefinition) -> None:
        _, services = await services_by_cluster(self.ecs_app.reader)
        using = [
            s for found in services.values() for s in found if family_of(s.task_definition_arn) == registered.family
        ]
        if not using:
            notify_inert(
                self.ecs_app, f"No service uses the family {registered.family}; {registered.label} is registered."
            )
            return
        self.app.push_screen(RollServicesDialog(registered, using))

    # -- from scratch, or copied into a new family ----------------------------------------------------------
    def action_new_task_definition(self) -> None:
        self.ecs_app.new_task_definition()

    def action_copy_to_family(self) -> None:
        definition = self._chosen("copying into a new family")
        if definition is None:
            return
        # Every field of the revision, but an empty family: the form refuses to go on until one is typed.
        draft = draft_from_revision(definition.raw, family="", region=self.ecs_app.session.region)
        self.ecs_app.new_task_definition(draft, f"Copy {definition.label} into a new family")

    # -- run task ---------------------------------------------------------------------------------------
    def action_run_task(self) -> None:
        definition = self._chosen("running a task")
        if definition is not None:
            self.run_worker(self._open_run_task(definition), group="taskdefs-run", exclusive=True, exit_on_error=False)

    async def _open_run_task(self, definition: TaskDefinition) -> None:
        clusters, services = await services_by_cluster(self.ecs_app.reader)
        if not clusters:
            notify_inert(self.ecs_app, "There is no cluster to run a task in: create one first.", severity="warning")
            return
        self.app.push_screen(RunTaskDialog(definition, clusters, services, self.ecs_app.context_cluster))

    # -- deregister / delete ----------------------------------------------------------------------------
    def action_deregister(self) -> None:
        definition = self.current_definition()
        inactive = definition is not None and definition.status == "INACTIVE"
        definition = self._chosen("deleting a revision" if inactive else "deregistering a revision")
        if definition is None:
            return
        if definition.status not in ("ACTIVE", "INACTIVE"):
            notify_inert(self.ecs_app, f"{definition.label} is {definition.status}: nothing to do.", severity="warning")
            return
        typed = definition.label if self.ecs_app.needs_typed_confirmation else None
        reader, actions, arn = self.ecs_app.reader, self.ecs_app.actions, definition.arn
        if inactive:

            async def delete() -> object:
                deleted = await actions.delete_task_definitions([arn])
                reader.forget_task_definition(arn)
                return deleted

            dialog: ConfirmDialog[object] = ConfirmDialog(
                f"Delete {definition.label}",
                f"Delete the inactive revision {definition.label} for good? ECS removes it once no task uses it; "
                "it cannot be brought back.",
                delete,
                confirm_label="Delete",
                type_to_confirm=typed,
                destructive=True,
                success=f"Deleting {definition.label}.",
            )
        else:

            async def deregister() -> object:
                deregistered = await actions.deregister_task_definition(arn)
                reader.forget_task_definition(arn)
                return deregistered

            dialog = ConfirmDialog(
                f"Deregister {definition.label}",
                f"Deregister {definition.label}? Running tasks and services on it keep running, but no new "
                "service or run can use it. It then shows under inactive revisions, where it can be deleted.",
                deregister,
                confirm_label="Deregister",
                type_to_confirm=typed,
                destructive=True,
                success=f"Deregistered {definition.label}.",
            )
        self.app.push_screen(dialog)

    # -- command palette --------------------------------------------------------------------------------
    def palette_commands(self) -> list[PaletteCommand]:
        """What can be done with the selected revision."""
        definition = self.current_definition()
        if definition is None:
            return []
        label = definition.label
        commands: list[PaletteCommand] = [
            PaletteCommand(
                f"New revision from {label}",
                "Edit images, CPU/memory, environment, ports; diff; register",
                self.action_new_revision,
            ),
            PaletteCommand(
                f"Edit the JSON of {label}", "In $VISUAL/$EDITOR or here; diff; register", self.action_edit_json
            ),
            PaletteCommand(f"Run tasks of {label}", "Choose cluster, count, compute and network", self.action_run_task),
            PaletteCommand(
                f"Copy {label} into a new family",
                "The same containers, roles and size under another family name; preview; register",
                self.action_copy_to_family,
            ),
        ]
        if definition.status == "INACTIVE":
            commands.append(
                PaletteCommand(
                    f"Delete {label}", "DeleteTaskDefinitions on this inactive revision", self.action_deregister
                )
            )
        elif definition.status == "ACTIVE":
            commands.append(PaletteCommand(f"Deregister {label}", "Make the revision INACTIVE", self.action_deregister))
        return commands


class FamiliesScreen(ListScreen[TaskDefinitionFamily], ResourceKeys):
    kind = "Task definition families"

    BINDINGS = [Binding("n", "new_task_definition", "New task definition", id="taskdefs.new")]
    columns = (Column("family", "Family", priority=Priority.IDENTITY),)
    sort_column = "family"

    async def fetch(self) -> Sequence[TaskDefinitionFamily]:
        return await self.ecs_app.reader.task_definition_families()

    def row_key(self, item: TaskDefinitionFamily) -> str:
        return item.name

    def row_cells(self, item: TaskDefinitionFamily) -> tuple[Cell, ...]:
        return (Text(item.name, style="bold"),)

    def open_item(self, item: TaskDefinitionFamily) -> None:
        self.ecs_app.open_revisions(item.name)

    def action_new_task_definition(self) -> None:
        self.ecs_app.new_task_definition()

    def selected_ref(self) -> ResourceRef | None:
        item = self.selected
        if item is None:
            return None
        return task_definition_family_ref(item.name, self.session_region, item.latest_revision_arn)


class RevisionsScreen(ListScreen[TaskDefinition], TaskDefinitionActions, ResourceKeys):
    kind = "Revisions"
    columns = (
        Column("revision", "Revision", priority=Priority.IDENTITY),
        Column("status", "Status", priority=Priority.ESSENTIAL),
        Column("images", "Images"),
        Column("cpu", "CPU"),
        Column("memory", "Memory"),
        Column("network", "Network mode", priority=Priority.DETAIL),
        Column("compat", "Compatibilities", priority=Priority.DETAIL),
        Column("registered", "Registered"),
    )
    sort_column = "revision"

    BINDINGS = [
        Binding("S", "toggle_inactive", "Active/inactive", id="taskdefs.toggle_inactive"),
    ]

    def __init__(self, family: str) -> None:
        self.family = family
        self.status = "ACTIVE"
        super().__init__()

    def on_mount(self) -> None:
        self.table.sort_reverse = True  # newest first

    def subject(self) -> str:
        return self.family + ("  inactive" if self.status == "INACTIVE" else "")

    async def fetch(self) -> Sequence[TaskDefinition]:
        return await self.ecs_app.reader.task_definition_revisions(self.family, status=self.status)

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

    def current_definition(self) -> TaskDefinition | None:
        return self.selected

    def action_toggle_inactive(self) -> None:
        self.status = "INACTIVE" if self.status == "ACTIVE" else "ACTIVE"
        self.items = {}
        self.table.sync([])
        self.updated_at = None
        self._update_title()
        self.action_refresh_now()

    def selected_ref(self) -> ResourceRef | None:
        item = self.selected
        return task_definition_ref(item, self.session_region) if item is not None else None

"""Service actions: scale, roll out another revision, delete (scaling to 0 first), with their checks."""

from __future__ import annotations

import difflib
import json
from collections.abc import Awaitable, Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, OptionList, Static
from textual.widgets.option_list import Option

from ecstui.aws.errors import to_aws_error
from ecstui.aws.load_balancer_cleanup import Leftover, LoadBalancerCleanup, RemovalStep
from ecstui.aws.models import Service, TaskDefinition
from ecstui.aws.service_scaling_reader import ScalableTarget
from ecstui.aws.validation import parse_desired_count, registrable_definition
from ecstui.ui.dialogs.base import ActionDialog, Invalidity, checked
from ecstui.ui.inert import inert, make_inert, visible
from ecstui.ui.secrets import masked_definition, readable_mask


class ScaleDialog(ActionDialog[Service]):
    title_text = "Scale service"
    confirm_label = "Scale"

    def __init__(self, cluster: str, service: Service) -> None:
        self.cluster = cluster
        self.service = service
        self.title_text = f"Scale {service.name}"
        super().__init__()

    def compose_body(self) -> ComposeResult:
        s = self.service
        yield Static(inert(f"Now: desired {s.desired}, running {s.running}, pending {s.pending}  ({self.cluster})"))
        yield Static("New desired count (0 to 5000):", classes="field-label")
        yield Input(str(s.desired), id="desired", select_on_focus=True)

    def validate(self) -> int:
        count = checked(parse_desired_count(self.query_one("#desired", Input).value))
        if count == self.service.desired:
            raise Invalidity(f"{self.service.name} already wants {count} tasks; nothing to change.")
        return count

    def perform(self, values: Any) -> Awaitable[Service]:
        return self.ecs_app.actions.scale_service(self.cluster, self.service.name, int(values))

    def describe_success(self, result: Service) -> str:
        return f"{result.name}: desired count {self.service.desired} → {result.desired}."


def definition_diff(
    old: TaskDefinition, new: TaskDefinition, secrets: Callable[[object], bool] = lambda name: False
) -> Text:
    """A coloured unified diff of what RegisterTaskDefinition would be given for each revision (secret-named
    environment values masked, a changed one marked as changed)."""
    old_raw, new_raw = registrable_definition(dict(old.raw)), registrable_definition(dict(new.raw))
    old_shown = masked_definition(old_raw, secrets)
    new_shown = masked_definition(new_raw, secrets, compared_to=old_raw)
    before = readable_mask(json.dumps(old_shown, indent=2, sort_keys=True, default=str)).splitlines()
    after = readable_mask(json.dumps(new_shown, indent=2, sort_keys=True, default=str)).splitlines()
    text = Text()
    for line in difflib.unified_diff(before, after, old.label, new.label, lineterm="", n=2):
        style = (
            "green" if line.startswith("+") else "red" if line.startswith("-") else "cyan" if line[:2] == "@@" else ""
        )
        text.append(line + "\n", style=style)
    return text if text.plain else Text("The two revisions register the same definition.", style="dim")


class UpdateServiceDialog(ActionDialog[Service]):
    """Roll the service onto another revision of its family, shown as a diff against the running one."""

    title_text = "Update service"
    confirm_label = "Roll out"

    DEFAULT_CSS = """
    UpdateServiceDialog #revisions { height: 8; }
    UpdateServiceDialog #diff { height: auto; max-height: 20; }
    """

    def __init__(self, cluster: str, service: Service) -> None:
        self.cluster = cluster
        self.service = service
        self.title_text = f"Update {service.name}: choose a revision"
        self.revisions: dict[str, TaskDefinition] = {}
        self.current: TaskDefinition | None = None
        super().__init__()

    def compose_body(self) -> ComposeResult:
        yield Static(inert(f"Running {self.service.task_definition}. Revisions of the family, newest first:"))
        yield OptionList(id="revisions")
        yield Static(Text("loading revisions…", style="dim"), id="diff")
        yield Static("Desired count (empty keeps the current one):", classes="field-label")
        yield Input("", placeholder=str(self.service.desired), id="desired")

    def on_mount(self) -> None:
        self._load()

    def initial_focus(self) -> Widget:
        return self.query_one("#revisions", OptionList)

    @work(exclusive=True, group="load-revisions", exit_on_error=False)
    async def _load(self) -> None:
        reader = self.ecs_app.reader
        try:
            self.current = await reader.task_definition(self.service.task_definition_arn)
            revisions = await reader.task_definition_revisions(self.current.family)
        except Exception as exc:
            self.show_load_error(exc)
            return
        options = self.query_one("#revisions", OptionList)
        for definition in revisions:
            self.revisions[definition.arn] = definition
            running = "  (running)" if definition.arn == self.service.task_definition_arn else ""
            images = ", ".join(c.image.rsplit("/", 1)[-1] for c in definition.containers)
            options.add_option(Option(inert(f"{definition.label}  {images}{running}"), id=definition.arn))
        if revisions:
            options.highlighted = 0

    @on(OptionList.OptionHighlighted, "#revisions")
    def _show_diff(self, event: OptionList.OptionHighlighted) -> None:
        chosen = self.revisions.get(event.option.id or "")
        if chosen is not None and self.current is not None:
            self.query_one("#diff", Static).update(
                make_inert(definition_diff(self.current, chosen, self.ecs_app.secret_names))
            )

    def validate(self) -> tuple[str, int | None]:
        options = self.query_one("#revisions", OptionList)
        if options.highlighted is None:
            raise Invalidity("Choose a revision first.")
        arn = options.get_option_at_index(options.highlighted).id or ""
        text = self.query_one("#desired", Input).value
        # Empty keeps the count; str.strip() would also drop an ideographic space and let '\u30003' through.
        desired = checked(parse_desired_count(text)) if text.strip(" \t") else None
        if arn == self.service.task_definition_arn and desired is None:
            raise Invalidity("That revision is already running; choose another, or set a desired count.")
        return arn, desired

    def perform(self, values: Any) -> Awaitable[Service]:
        arn, desired = values
        return self.ecs_app.actions.update_service(self.cluster, self.service.name, arn, desired)

    def describe_success(self, result: Service) -> str:
        return f"{result.name}: rolling out {result.task_definition}."


class DeleteServiceDialog(ActionDialog[Service]):
    """ECS refuses to delete a service that still wants tasks: offer to scale it to 0 first. Offer too to remove,
    once it is deleted, what ecstui created for it (tagged in ELB) and nothing else uses, and its scalable target."""

    confirm_label = "Delete"
    confirm_variant = "error"
    destructive = True

    DEFAULT_CSS = """
    DeleteServiceDialog #cleanup { height: auto; }
    DeleteServiceDialog .cleanup-note { color: $text-muted; height: auto; }
    """

    def __init__(self, cluster: str, service: Service) -> None:
        self.cluster = cluster
        self.service = service
        self.title_text = f"Delete service {service.name}"
        # What ecstui created for the service, offered for removal (None until read).
        self.leftovers: list[Leftover] | None = None
        self.scalable: ScalableTarget | None = None
        self.removals: list[RemovalStep] = []
        self.scaling_removed: str | None = None
        super().__init__()

    def compose_body(self) -> ComposeResult:
        s = self.service
        yield Static(
            inert(
                f"Delete {s.name} from {self.cluster}. Its tasks are stopped and it leaves its load balancers. "
                "This cannot be undone."
            )
        )
        if s.desired > 0:
            yield Checkbox(
                inert(f"Scale {s.name} from {s.desired} to 0 first (ECS requires it)"), True, id="scale-first"
            )
        yield Static("Then remove what ecstui created for it and nothing else uses:", classes="field-label")
        with Vertical(id="cleanup"):
            yield Static(Text("looking…", style="dim"), id="cleanup-status", classes="cleanup-note")
        yield Static(inert(f"Type {s.name!r} to confirm:"), classes="field-label")
        yield Input("", placeholder=visible(s.name), id="confirm-name")

    def on_mount(self) -> None:
        self._find_leftovers()

    @work(exclusive=True, group="find-leftovers", exit_on_error=False)
    async def _find_leftovers(self) -> None:
        app = self.ecs_app
        status = self.query_one("#cleanup-status", Static)
        cleanup = LoadBalancerCleanup(app.load_balancer_actions)
        problems: list[str] = []
        try:
            leftovers = await cleanup.leftovers(self.cluster, self.service)
        except Exception as exc:
            leftovers = []
            problems.append(f"Could not read the load balancing it uses: {to_aws_error(exc).message}")
        try:
            self.scalable = (await app.scaling.targets_of(self.cluster, [self.service.name])).get(self.service.name)
        except Exception as exc:
            problems.append(f"Could not read its auto scaling: {to_aws_error(exc).message}")
        self.leftovers = leftovers
        box = self.query_one("#cleanup", Vertical)
        widgets: list[Widget] = []
        if self.scalable is not None:
            widgets.append(
                Checkbox(
                    inert(f"its scalable target (scales {self.scalable.minimum} to {self.scalable.maximum} tasks)"),
                    True,
                    id="cleanup-scaling",
                )
            )
        for index, leftover in enumerate(leftovers):
            if leftover.kept is None:
                widgets.append(Checkbox(inert(leftover.label), True, id=f"cleanup-{index}"))
            else:
                widgets.append(Static(inert(f"kept: {leftover.label} ({leftover.kept})"), classes="cleanup-note"))
        if not widgets and not problems:
            status.update(Text("nothing: ecstui created no load balancing or auto scaling for it.", style="dim"))
        else:
            status.update(inert(" ".join(problems)) if problems else "")
            status.display = bool(problems)
        await box.mount_all(widgets)

    def validate(self) -> tuple[bool, list[Leftover], bool]:
        typed = self.query_one("#confirm-name", Input).value.strip()
        if typed != self.service.name:
            raise Invalidity(f"Type {self.service.name!r} exactly to confirm (you typed {typed!r}).")
        scale_first = self.service.desired > 0 and self.query_one("#scale-first", Checkbox).value
        if self.service.desired > 0 and not scale_first:
            raise Invalidity(
                f"ECS refuses to delete a service that wants {self.service.desired} tasks: scale to 0 first."
            )
        if self.leftovers is None:
            # What is offered for removal must be seen before the delete is sent, not found after.
            raise Invalidity("Still looking for what ecstui created for this service; confirm again in a moment.")
        chosen = [
            leftover
            for index, leftover in enumerate(self.leftovers or [])
            if leftover.kept is None and self.query_one(f"#cleanup-{index}", Checkbox).value
        ]
        scaling = self.scalable is not None and self.query_one("#cleanup-scaling", Checkbox).value
        return scale_first, chosen, scaling

    async def _scale_then_delete(self, scale_first: bool, chosen: list[Leftover], scaling: bool) -> Service:
        app = self.ecs_app
        actions = app.actions
        if scale_first:
            self.set_status(f"Scaling {self.service.name} to 0…")
            await actions.scale_service(self.cluster, self.service.name, 0)
        self.set_status(f"Deleting {self.service.name}…")
        deleted = await actions.delete_service(self.cluster, self.service.name)
        # The service is gone: from here on a failure is said, and the rest still removed.
        if scaling:
            self.set_status("Removing its scalable target…")
            try:
                await app.scaling_actions.remove_service_scaling(self.cluster, self.service.name)
                self.scaling_removed = "Removed its scalable target."
            except Exception as exc:
                self.scaling_removed = f"Could not remove its scalable target: {to_aws_error(exc).message}"
        cleanup = LoadBalancerCleanup(app.load_balancer_actions)
        for leftover in chosen:
            self.set_status(f"Removing {leftover.label}…")
            self.removals += await cleanup.remove_all(self.cluster, self.service.name, [leftover])
        return deleted

    def perform(self, values: Any) -> Awaitable[Service]:
        scale_first, chosen, scaling = values
        return self._scale_then_delete(scale_first, chosen, scaling)

    def describe_success(self, result: Service) -> str:
        said = [f"{self.service.name} deleted (status {result.status})."]
        if self.scaling_removed:
            said.append(self.scaling_removed)
        said += [step.said for step in self.removals]
        return " ".join(said)

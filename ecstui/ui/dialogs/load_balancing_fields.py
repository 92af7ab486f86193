"""The service form's load-balancing fields: none, an existing load balancer's listener and target group, or a new
internet-facing ALB; everything picked from the VPC, read into a LoadBalancingPlan.

The service dialog hosts it and tells it what it knows as the user fills the form in:
- `set_service_name(name)`: the defaults `<service>-tg` and `<service>-alb` follow it (until the user edits them);
- `set_network(vpc, subnets, security_groups)`: the VPC's load balancers and target groups are listed, and a new
  ALB goes into those subnets and security groups;
- `set_containers([(container, port)], network_mode)`: the container:port to balance, and the target type a new
  or existing target group must have (ip under awsvpc, instance otherwise).
It posts `LoadBalancingFields.Changed` when the choice changes, so the dialog can offer the ALB-requests metric
(`uses_alb`). `read()` gives the plan, None for no load balancer, or raises Invalidity with one sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Select, Static

from ecstui.aws.errors import to_aws_error
from ecstui.aws.load_balancer_actions import (
    LoadBalancingPlan,
    NewLoadBalancer,
    NewTargetGroup,
    default_name,
    plan_problem,
)
from ecstui.aws.load_balancer_choices import (
    ALB_PROTOCOLS,
    NLB_PROTOCOLS,
    ListenerChoice,
    LoadBalancerChoice,
    TargetGroupChoice,
)
from ecstui.ui.dialogs.base import Invalidity
from ecstui.ui.inert import inert
from ecstui.ui.widgets.picker import Choice, Picker

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

NONE: Final = "none"
EXISTING: Final = "existing"
NEW_ALB: Final = "new"
MODES: Final = ((NONE, "No load balancer"), (EXISTING, "Existing load balancer"), (NEW_ALB, "New internet-facing ALB"))
# The target group picker's first choice: a new group, created for the service.
NEW_TARGET_GROUP: Final = "new-target-group"
_ELB_ARN = r"arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:"
LOAD_BALANCER_ARN: Final = re.compile(_ELB_ARN + r"loadbalancer/(app|net)/[\w-]+/[0-9a-f]+")
LISTENER_ARN: Final = re.compile(_ELB_ARN + r"listener/(app|net)/[\w-]+/[0-9a-f]+/[0-9a-f]+")
TARGET_GROUP_ARN: Final = re.compile(_ELB_ARN + r"targetgroup/[\w-]+/[0-9a-f]+")


def _label(text: str) -> Static:
    return Static(text, classes="field-label")


def _port(text: str, what: str) -> int:
    value = text.strip(" \t")
    # Five digits at most before int(): a pasted 5,000-digit number would make int() raise instead of a sentence.
    if not value.isascii() or not value.isdigit() or len(value) > 5 or not 1 <= int(value) <= 65535:
        raise Invalidity(f"The {what} must be a number from 1 to 65535 (you typed {text!r}).")
    return int(value)


class LoadBalancingFields(Vertical):
    """'No load balancer' (the default) / an existing load balancer, listener and target group (existing or new) /
    a new internet-facing ALB with an HTTP listener forwarding to a new target group."""

    DEFAULT_CSS = """
    LoadBalancingFields { height: auto; }
    LoadBalancingFields > Vertical { height: auto; }
    LoadBalancingFields .hidden { display: none; }
    LoadBalancingFields .lb-note { color: $text-muted; height: auto; }
    """

    class Changed(Message):
        """The load-balancing choice changed: none, existing or new, or which load balancer."""

        def __init__(self, fields: LoadBalancingFields) -> None:
            super().__init__()
            self.fields = fields

        @property
        def control(self) -> LoadBalancingFields:
            return self.fields

        @property
        def uses_alb(self) -> bool:
            return self.fields.uses_alb()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.service_name = ""
        self.vpc_id: str | None = None
        self.subnets: tuple[str, ...] = ()
        self.security_groups: tuple[str, ...] = ()
        self.ports: list[tuple[str, int]] = []
        self.target_type = "ip"
        self._balancers: dict[str, LoadBalancerChoice] = {}
        self._listeners: dict[str, ListenerChoice] = {}
        self._target_groups: list[TargetGroupChoice] = []
        # The defaults put in each input; an input still holding its default follows the next one.
        self._defaults: dict[str, str] = {}

    # -- composing ------------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield _label("Load balancing:")
        yield Select[str](
            [(inert(label), value) for value, label in MODES], value=NONE, allow_blank=False, id="lb-mode"
        )
        with Vertical(id="lb-container-row", classes="hidden"):
            yield _label("Container to balance (container:port from the task definition):")
            yield Select[str]([], prompt="no container port in the task definition", id="lb-container")
        with Vertical(id="lb-existing", classes="hidden"):
            yield _label("Load balancer (of the VPC):")
            yield Picker(what="load balancer", accept_typed=LOAD_BALANCER_ARN, show_ids=False, id="lb-balancer")
            yield _label("Listener:")
            yield Picker(what="listener", accept_typed=LISTENER_ARN, show_ids=False, id="lb-listener")
            yield _label("Target group:")
            yield Picker(what="target group", accept_typed=TARGET_GROUP_ARN, show_ids=False, id="lb-target-group")
        with Vertical(id="lb-new-alb", classes="hidden"):
            yield _label("New ALB name (internet-facing, in the service's subnets and security groups):")
            yield Input(id="lb-alb-name")
            yield _label("HTTP listener port:")
            yield Input("80", id="lb-listener-port")
            yield Static("", id="lb-alb-network", classes="lb-note")
        with Vertical(id="lb-new-target-group", classes="hidden"):
            yield _label("New target group name:")
            yield Input(id="lb-tg-name")
            yield _label("Target group port (the container's):")
            yield Input(id="lb-tg-port")
            yield _label("Health check path:")
            yield Input("/", id="lb-tg-health")
            yield Static("", id="lb-tg-note", classes="lb-note")

    def on_mount(self) -> None:
        self.query_one("#lb-balancer", Picker).show_loading("choose the service's VPC first")
        self.query_one("#lb-listener", Picker).show_loading("choose a load balancer first")
        self.query_one("#lb-target-group", Picker).show_loading("choose a load balancer first")
        self._defaults = {"lb-listener-port": "80", "lb-tg-health": "/"}
        self._fill_defaults()
        self._show()

    @property
    def _app(self) -> EcsApp:
        return cast("EcsApp", self.app)

    # -- what the dialog tells it ---------------------------------------------------------------------------------
    def set_service_name(self, name: str) -> None:
        """The service's name: the new target group and ALB are named after it (until the user names them)."""
        self.service_name = name.strip()
        self._fill_defaults()

    def set_network(self, vpc_id: str | None, subnets: Sequence[str], security_groups: Sequence[str]) -> None:
        """The service's VPC, subnets and security groups: the VPC's load balancers and target groups are listed."""
        self.subnets = tuple(subnets)
        self.security_groups = tuple(security_groups)
        if vpc_id != self.vpc_id:
            self.vpc_id = vpc_id
            self._balancers, self._listeners, self._target_groups = {}, {}, []
            if vpc_id:
                self.query_one("#lb-balancer", Picker).show_loading()
                self._load_vpc(vpc_id)
            else:
                self.query_one("#lb-balancer", Picker).show_loading("choose the service's VPC first")
        self._describe_network()

    def set_containers(self, ports: Sequence[tuple[str, int]], network_mode: str) -> None:
        """The task definition's container ports, and its network mode (awsvpc: the targets are the tasks' IPs)."""
        self.ports = list(ports)
        self.target_type = "ip" if network_mode == "awsvpc" else "instance"
        select = self.query_one("#lb-container", Select)
        select.set_options([(inert(f"{name}:{port}"), str(i)) for i, (name, port) in enumerate(self.ports)])
        if self.ports:
            select.value = "0"
        self._fill_defaults()
        self._list_target_groups()

    def uses_alb(self) -> bool:
        """Whether the service will be behind an application load balancer (the ALB-requests metric applies)."""
        mode = self._mode()
        if mode == NEW_ALB:
            return True
        if mode == EXISTING:
            balancer = self._balancer()
            return balancer is not None and balancer.is_alb
        return False

    # -- reading --------------------------------------------------------------------------------------------------
    def read(self) -> LoadBalancingPlan | None:
        """The plan, None for no load balancer; Invalidity with one sentence for what ELB or ECS would refuse."""
        mode = self._mode()
        if mode == NONE:
            return None
        container, port = self._container()
        if mode == NEW_ALB:
            plan = LoadBalancingPlan(
                container,
                port,
                new_target_group=self._new_target_group("HTTP"),
                new_load_balancer=NewLoadBalancer(
                    self.query_one("#lb-alb-name", Input).value.strip(),
                    self.subnets,
                    self.security_groups,
                    _port(self.query_one("#lb-listener-port", Input).value, "listener port"),
                ),
            )
        else:
            balancer_arn = self.query_one("#lb-balancer", Picker).value
            if not balancer_arn:
                raise Invalidity("Choose the load balancer, or 'No load balancer'.")
            listener = self.query_one("#lb-listener", Picker).value
            if not listener:
                raise Invalidity("Choose the load balancer's listener.")
            group = self.query_one("#lb-target-group", Picker).value
            if not group:
                raise Invalidity("Choose a target group, or a new one.")
            balancer = self._balancer()
            protocol = "TCP" if balancer is not None and not balancer.is_alb else "HTTP"
            if group == NEW_TARGET_GROUP:
                plan = LoadBalancingPlan(
                    container, port, new_target_group=self._new_target_group(protocol), listener_arn=listener
                )
            else:
                plan = LoadBalancingPlan(container, port, target_group_arn=group, listener_arn=listener)
        if problem := plan_problem(plan):
            raise Invalidity(problem)
        return plan

    def _container(self) -> tuple[str, int]:
        if not self.ports:
            raise Invalidity("The task definition maps no container port: a load balancer has nothing to send to.")
        value = self.query_one("#lb-container", Select).value
        if not isinstance(value, str) or not value.isdigit() or int(value) >= len(self.ports):
            raise Invalidity("Choose the container:port the load balancer sends traffic to.")
        return self.ports[int(value)]

    def _new_target_group(self, protocol: str) -> NewTargetGroup:
        name = self.query_one("#lb-tg-name", Input).value.strip()
        port = _port(self.query_one("#lb-tg-port", Input).value, "target group port")
        path = self.query_one("#lb-tg-health", Input).value.strip() if protocol in ALB_PROTOCOLS else ""
        if self.target_type == "ip":
            return NewTargetGroup(name, protocol, port, "ip", path or None)
        return NewTargetGroup(name, protocol, port, "instance", path or None)

    # -- showing --------------------------------------------------------------------------------------------------
    def _mode(self) -> str:
        value = self.query_one("#lb-mode", Select).value
        return value if isinstance(value, str) else NONE

    def _balancer(self) -> LoadBalancerChoice | None:
        arn = self.query_one("#lb-balancer", Picker).value
        return self._balancers.get(arn or "")

    def _show(self) -> None:
        mode = self._mode()
        new_group = mode == NEW_ALB or (
            mode == EXISTING and self.query_one("#lb-target-group", Picker).value == NEW_TARGET_GROUP
        )
        self.query_one("#lb-container-row").set_class(mode == NONE, "hidden")
        self.query_one("#lb-existing").set_class(mode != EXISTING, "hidden")
        self.query_one("#lb-new-alb").set_class(mode != NEW_ALB, "hidden")
        self.query_one("#lb-new-target-group").set_class(not new_group, "hidden")
        balancer = self._balancer()
        nlb = mode == EXISTING and balancer is not None and not balancer.is_alb
        protocol = "TCP" if nlb else "HTTP"
        self.query_one("#lb-tg-health", Input).disabled = nlb
        self.query_one("#lb-tg-note", Static).update(
            inert(
                f"{protocol} target group, {self.target_type} targets" + ("" if nlb else ", health checked on the path")
            )
        )

    def _describe_network(self) -> None:
        subnets = ", ".join(self.subnets) or "none chosen yet"
        groups = ", ".join(self.security_groups) or "none chosen yet"
        self.query_one("#lb-alb-network", Static).update(
            inert(f"Subnets: {subnets}\nSecurity groups: {groups}", multiline=True)
        )

    def _fill_defaults(self) -> None:
        if not self.is_mounted:
            return
        port = str(self.ports[self._chosen_port_index()][1]) if self.ports else ""
        defaults = {
            "lb-tg-name": default_name(self.service_name, "tg") if self.service_name else "",
            "lb-alb-name": default_name(self.service_name, "alb") if self.service_name else "",
            "lb-tg-port": port,
        }
        for id, value in defaults.items():
            box = self.query_one(f"#{id}", Input)
            # What the user typed stays; only an input still holding the default it was given follows the new one.
            if box.value == self._defaults.get(id, ""):
                box.value = value
            self._defaults[id] = value

    def _chosen_port_index(self) -> int:
        value = self.query_one("#lb-container", Select).value
        if isinstance(value, str) and value.isdigit() and int(value) < len(self.ports):
            return int(value)
        return 0

    def _list_target_groups(self) -> None:
        if not self.is_mounted:
            return
        picker = self.query_one("#lb-target-group", Picker)
        balancer = self._balancer()
        protocols = NLB_PROTOCOLS if balancer is not None and not balancer.is_alb else ALB_PROTOCOLS
        fit = [
            tg for tg in self._target_groups if tg.target_type == self.target_type and (tg.protocol or "") in protocols
        ]
        new = Choice(NEW_TARGET_GROUP, "New target group", "created for this service, named below")
        choices = [new] + [
            Choice(
                tg.arn,
                tg.name,
                # One line at 80 columns: the health check's path, not its timings.
                f"{tg.protocol or '?'}:{tg.port or '?'} {tg.target_type}  {self._behind(tg)}  "
                f"checks {tg.health_check.split(' every ', 1)[0]}",
            )
            for tg in fit
        ]
        picker.set_choices(choices, selected=None if picker.value else [NEW_TARGET_GROUP])

    def _behind(self, group: TargetGroupChoice) -> str:
        """'behind prod-public', or 'no load balancer yet' (ECS refuses a group that is behind none)."""
        if not group.load_balancer_arns:
            return "(no load balancer yet)"
        names = [self._balancers[arn].name if arn in self._balancers else arn for arn in group.load_balancer_arns]
        return "behind " + ", ".join(names)

    # -- loading --------------------------------------------------------------------------------------------------
    @work(exclusive=True, group="lb-vpc", exit_on_error=False)
    async def _load_vpc(self, vpc_id: str) -> None:
        choices = self._app.load_balancer_choices
        picker = self.query_one("#lb-balancer", Picker)
        try:
            balancers = await choices.load_balancers(vpc_id)
            groups = await choices.target_groups(vpc_id)
        except Exception as exc:
            picker.show_error(to_aws_error(exc).message)
            return
        if vpc_id != self.vpc_id:
            return  # the VPC changed while this was read
        self._balancers = {lb.arn: lb for lb in balancers}
        self._target_groups = groups
        picker.set_choices(
            [
                Choice(lb.arn, lb.name, f"{'ALB' if lb.is_alb else 'NLB'} {lb.scheme}  {lb.dns_name or ''}".rstrip())
                for lb in balancers
            ]
        )
        self._list_target_groups()

    @work(exclusive=True, group="lb-listeners", exit_on_error=False)
    async def _load_listeners(self, balancer_arn: str) -> None:
        picker = self.query_one("#lb-listener", Picker)
        picker.show_loading()
        try:
            listeners = await self._app.load_balancer_choices.listeners(balancer_arn)
        except Exception as exc:
            picker.show_error(to_aws_error(exc).message)
            return
        self._listeners = {listener.arn: listener for listener in listeners}
        picker.set_choices(
            [Choice(listener.arn, listener.label, listener.default_action) for listener in listeners],
            selected=[listeners[0].arn] if len(listeners) == 1 else [],
        )

    # -- reacting -------------------------------------------------------------------------------------------------
    @on(Select.Changed, "#lb-mode")
    def _mode_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show()
        self.post_message(self.Changed(self))

    @on(Select.Changed, "#lb-container")
    def _container_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._fill_defaults()

    @on(Picker.Changed, "#lb-balancer")
    def _balancer_changed(self, event: Picker.Changed) -> None:
        event.stop()
        self._listeners = {}
        self.query_one("#lb-listener", Picker).set_choices([], selected=[])
        if event.picker.value:
            self._load_listeners(event.picker.value)
        self._list_target_groups()
        self._show()
        self.post_message(self.Changed(self))

    @on(Picker.Changed, "#lb-target-group")
    def _target_group_changed(self, event: Picker.Changed) -> None:
        event.stop()
        self._show()

    @on(Picker.Changed, "#lb-listener")
    def _listener_changed(self, event: Picker.Changed) -> None:
        event.stop()


__all__ = ["EXISTING", "MODES", "NEW_ALB", "NEW_TARGET_GROUP", "NONE", "LoadBalancingFields"]

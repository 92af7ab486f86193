"""A service's awsvpc network picked from the account: VPC, then its subnets, then its security groups, and the
public IP proposed from whether the chosen subnets are public."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Checkbox, Static

from ecstui.aws.errors import AwsError, to_aws_error
from ecstui.aws.models import NetworkConfig
from ecstui.aws.network import SecurityGroup, Subnet, Vpc
from ecstui.ui.dialogs.base import Invalidity
from ecstui.ui.inert import inert
from ecstui.ui.widgets.picker import Choice, Picker

if TYPE_CHECKING:
    from ecstui.ui.app import EcsApp

# What a pasted ID looks like (EC2 IDs are 8 or 17 hex digits after the prefix).
VPC_ID = re.compile(r"vpc-[0-9a-f]{8,17}")
SUBNET_ID = re.compile(r"subnet-[0-9a-f]{8,17}")
SECURITY_GROUP_ID = re.compile(r"sg-[0-9a-f]{8,17}")
_SEPARATORS = re.compile(r"[\s,]+")


@dataclass(frozen=True, slots=True)
class NetworkChoice:
    """The awsvpc network as chosen: what CreateService's awsvpcConfiguration takes, and the VPC it is in."""

    vpc_id: str | None
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    assign_public_ip: bool


def vpc_choice(vpc: Vpc) -> Choice:
    detail = " · ".join(p for p in (vpc.cidr, "default VPC" if vpc.is_default else None) if p)
    return Choice(vpc.id, vpc.name or vpc.id, detail)


def subnet_choice(subnet: Subnet) -> Choice:
    # Public or private first: on a narrow screen it is what a line keeps before it wraps.
    parts = [subnet.kind, subnet.availability_zone, subnet.cidr]
    return Choice(subnet.id, subnet.name or subnet.id, " ".join(p for p in parts if p))


def security_group_choice(group: SecurityGroup) -> Choice:
    detail = f"{group.description} · in: {group.inbound}" if group.description else f"in: {group.inbound}"
    return Choice(group.id, group.name or group.id, detail)


def public_ip_proposal(chosen: Sequence[str], known: dict[str, Subnet]) -> tuple[bool, str]:
    """Whether to propose a public IP for tasks in the chosen subnets, and the sentence that says why."""
    if not chosen:
        return False, "Public IP: proposed once subnets are chosen (on when every one is public)."
    unknown = [s for s in chosen if s not in known]
    if unknown:
        return False, f"Proposed off: {unknown[0]} is not listed in this VPC, so whether it is public is unknown."
    private = [s for s in chosen if not known[s].public]
    if private:
        return False, (
            f"Proposed off: {private[0]} is private (no route to an internet gateway), where a public IP reaches "
            "nothing; its tasks go out through a NAT gateway, if the VPC has one."
        )
    return True, (
        "Proposed on: every chosen subnet is public (it routes to an internet gateway); without a public IP a "
        "task there can pull no image and reach nothing outside the VPC."
    )


class ServiceNetworkFields(Vertical):
    """VPC → subnets → security groups pickers and the public IP checkbox; `read()` gives the NetworkChoice."""

    DEFAULT_CSS = """
    ServiceNetworkFields { height: auto; }
    ServiceNetworkFields #public-ip-why { color: $text-muted; height: auto; }
    """

    class Changed(Message):
        """The VPC, subnets or security groups changed (what a load balancer there would use)."""

        def __init__(self, fields: ServiceNetworkFields, choice: NetworkChoice) -> None:
            super().__init__()
            self.fields = fields
            self.choice = choice

        @property
        def control(self) -> ServiceNetworkFields:
            return self.fields

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.subnets_known: dict[str, Subnet] = {}
        self._user_chose_public_ip = False
        self._template_note: str | None = None

    @property
    def ecs_app(self) -> EcsApp:
        return cast("EcsApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("VPC (type a name, CIDR or ID; enter picks):", classes="field-label")
        yield Picker(what="VPC", accept_typed=VPC_ID, id="vpc")
        yield Static("Subnets of the VPC (enter toggles one):", classes="field-label")
        yield Picker(multiple=True, what="subnet", accept_typed=SUBNET_ID, id="subnets")
        yield Static("Security groups of the VPC (enter toggles one):", classes="field-label")
        yield Picker(multiple=True, what="security group", accept_typed=SECURITY_GROUP_ID, id="security-groups")
        yield Checkbox("Assign public IP", False, id="public-ip")
        yield Static("", id="public-ip-why")

    @property
    def vpc(self) -> Picker:
        return self.query_one("#vpc", Picker)

    @property
    def subnets(self) -> Picker:
        return self.query_one("#subnets", Picker)

    @property
    def security_groups(self) -> Picker:
        return self.query_one("#security-groups", Picker)

    # -- reading the account ------------------------------------------------------------------------------
    @work(exclusive=True, group="network-vpcs", exit_on_error=False)
    async def load(self, template: NetworkConfig | None = None, template_name: str | None = None) -> None:
        """List the VPCs and choose one: the template service's (its network is copied), else the default VPC."""
        network = self.ecs_app.network
        try:
            vpcs = await network.vpcs()
        except AwsError as error:
            self.vpc.show_error(f"The VPCs could not be read: {error.message}")
            return
        chosen: str | None = None
        if template is not None and template.subnets:
            chosen = await self._vpc_of(vpcs, template.subnets[0])
            if chosen is not None:
                self._template_note = f"As in service {template_name}." if template_name else None
                self.subnets.select(template.subnets)
                self.security_groups.select(template.security_groups)
                self._user_chose_public_ip = True
                self._set_public_ip(template.assign_public_ip)
        if chosen is None and vpcs:
            chosen = next((v.id for v in vpcs if v.is_default), vpcs[0].id)
        self.vpc.set_choices([vpc_choice(v) for v in vpcs], selected=[chosen] if chosen else None)
        if chosen is None:
            self._announce()

    async def _vpc_of(self, vpcs: Sequence[Vpc], subnet_id: str) -> str | None:
        # EC2 names a subnet's VPC only in the subnet: look through each VPC's (cached) subnets.
        for vpc in vpcs:
            try:
                if any(s.id == subnet_id for s in await self.ecs_app.network.subnets(vpc.id)):
                    return vpc.id
            except AwsError:
                continue
        return None

    @on(Picker.Changed, "#vpc")
    def _vpc_changed(self, event: Picker.Changed) -> None:
        event.stop()
        if event.picker.value is not None:
            self._load_vpc(event.picker.value)
        self._announce()

    @work(exclusive=True, group="network-vpc", exit_on_error=False)
    async def _load_vpc(self, vpc_id: str) -> None:
        network = self.ecs_app.network
        self.subnets.show_loading()
        self.security_groups.show_loading()
        try:
            subnets = await network.subnets(vpc_id)
        except Exception as exc:
            self.subnets.show_error(f"The subnets could not be read: {to_aws_error(exc).message}")
        else:
            self.subnets_known = {s.id: s for s in subnets}
            # Another VPC's subnets cannot serve this one: what was chosen there is dropped.
            kept = [s for s in self.subnets.selected if s in self.subnets_known]
            self.subnets.set_choices([subnet_choice(s) for s in subnets], selected=kept)
        try:
            groups = await network.security_groups(vpc_id)
        except Exception as exc:
            self.security_groups.show_error(f"The security groups could not be read: {to_aws_error(exc).message}")
        else:
            ids = {g.id for g in groups}
            kept = [g for g in self.security_groups.selected if g in ids]
            self.security_groups.set_choices([security_group_choice(g) for g in groups], selected=kept)
        self._propose_public_ip()

    # -- the public IP --------------------------------------------------------------------------------
    @on(Picker.Changed, "#subnets")
    def _subnets_changed(self, event: Picker.Changed) -> None:
        event.stop()
        self._propose_public_ip()
        self._announce()

    @on(Picker.Changed, "#security-groups")
    def _groups_changed(self, event: Picker.Changed) -> None:
        event.stop()
        self._announce()

    def _propose_public_ip(self) -> None:
        if self._user_chose_public_ip:
            return
        proposed, why = public_ip_proposal(self.subnets.selected, self.subnets_known)
        self._set_public_ip(proposed)
        self.query_one("#public-ip-why", Static).update(inert(why))

    def _set_public_ip(self, value: bool) -> None:
        box = self.query_one("#public-ip", Checkbox)
        # Set without a Changed message: every Changed that arrives is then the user's own.
        with box.prevent(Checkbox.Changed):
            box.value = value
        if self._user_chose_public_ip and self._template_note:
            self.query_one("#public-ip-why", Static).update(inert(self._template_note))

    @on(Checkbox.Changed, "#public-ip")
    def _public_ip_changed(self, event: Checkbox.Changed) -> None:
        event.stop()
        # The user's choice: no later proposal overrides it.
        self._user_chose_public_ip = True
        self._template_note = None
        self.query_one("#public-ip-why", Static).update(inert("Public IP as you chose."))

    # -- what the form sends ------------------------------------------------------------------------------
    def read(self) -> NetworkChoice:
        """The choice; raises Invalidity when a filter still holds text that was never picked (enter picks)."""
        for picker in (self.vpc, self.subnets, self.security_groups):
            left = picker.filter.value.strip()
            # Words left to filter the list are fine; IDs pasted without enter would be silently left out of the
            # service, which would then run somewhere the user did not mean.
            pattern = picker.accept_typed
            pasted = {w for w in _SEPARATORS.split(left) if w and pattern is not None and pattern.fullmatch(w)}
            if pasted and not pasted <= set(picker.selected):
                raise Invalidity(
                    f"The {picker.what} field holds {left!r}, which is not picked: press enter to take it, or clear it."
                )
        return NetworkChoice(
            vpc_id=self.vpc.value,
            subnets=self.subnets.selected,
            security_groups=self.security_groups.selected,
            assign_public_ip=self.query_one("#public-ip", Checkbox).value,
        )

    def _announce(self) -> None:
        choice = NetworkChoice(
            self.vpc.value, self.subnets.selected, self.security_groups.selected, self.query_one(Checkbox).value
        )
        self.post_message(self.Changed(self, choice))


__all__ = [
    "SECURITY_GROUP_ID",
    "SUBNET_ID",
    "VPC_ID",
    "NetworkChoice",
    "ServiceNetworkFields",
    "public_ip_proposal",
    "security_group_choice",
    "subnet_choice",
    "vpc_choice",
]

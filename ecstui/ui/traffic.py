"""How load-balancer health and stop causes read on screen, shared by the service, task, tasks and targets panes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import RenderableType
from rich.text import Text

from ecstui.aws.load_balancing import TargetGroupView, TargetHealth
from ecstui.aws.models import short_name
from ecstui.aws.stopped_tasks import StopCauseGroup
from ecstui.ui.format import BAD, DIM, GOOD, WARN, age, dash
from ecstui.ui.inert import inert
from ecstui.ui.tables import InertTable, inert_group

TIMES = "\u00d7"  # the multiplication sign, as in "out of memory, 6 times"
STABLE_ADDRESS_NOTE = "the stable address in front of changing task IPs"

TARGET_STATE_STYLES: dict[str, str] = {
    "healthy": GOOD,
    "unhealthy": BAD,
    "unhealthy.draining": BAD,
    "draining": "dark_orange",
    "initial": WARN,
    "unavailable": WARN,
    "unused": DIM,
}

# Worst first: what an on-call engineer looks for before what is fine.
TARGET_STATE_RANK: dict[str, int] = {
    "unhealthy": 0,
    "unhealthy.draining": 1,
    "unavailable": 2,
    "draining": 3,
    "initial": 4,
    "unused": 5,
    "healthy": 6,
}


def target_state_rank(state: str) -> int:
    return TARGET_STATE_RANK.get(state.strip().lower(), 5)


def target_state_text(state: str | None) -> Text:
    if not state:
        return Text("-", style=DIM)
    return inert(state, TARGET_STATE_STYLES.get(state.lower(), ""))


def task_id_of(task_arn: str | None) -> str:
    return short_name(task_arn) if task_arn else "-"


def health_summary(entries: Sequence[tuple[TargetGroupView, TargetHealth]]) -> Text:
    """One cell for a task's targets: the worst state first ('unhealthy', or 'healthy, draining')."""
    if not entries:
        return Text("-", style=DIM)
    states = sorted({health.state for _, health in entries}, key=target_state_rank)
    text = Text()
    for index, state in enumerate(states):
        if index:
            text.append(", ")
        text.append_text(target_state_text(state))
    return text


def stable_address(groups: Sequence[TargetGroupView]) -> str | None:
    """The load balancer DNS name a client should use, if the service is behind one."""
    for group in groups:
        for dns in group.load_balancer_dns:
            if dns:
                return dns
    return None


ADDRESS_THAT_STAYS = "the address that stays while task IPs change"


def _listener_url(protocol: str | None, dns: str, port: int | None, conditions: Sequence[str]) -> str:
    scheme = (protocol or "tcp").lower()
    url = f"{scheme}://{dns}" + (f":{port}" if port is not None else "")
    # A path rule ('path /node-app/*') is reached under its path; other conditions (hosts, headers) are not a URL.
    paths = [c.split(" ", 1)[1] for c in conditions if c.startswith("path ")]
    if paths:
        first = paths[0].split(",")[0]
        url += first.rstrip("*") if first.startswith("/") else "/" + first.rstrip("*")
    return url


def addresses_that_stay(groups: Sequence[TargetGroupView]) -> list[tuple[str, TargetGroupView]]:
    """Each load balancer URL that reaches the service's tasks, with the target group behind it:
    'http://<dns>:80/node-app/' for a path rule, 'http://<dns>:80' for a listener's default action."""
    found: list[tuple[str, TargetGroupView]] = []
    for group in groups:
        dns_of = dict(group.dns_by_load_balancer)
        for rule in group.rules:
            dns = dns_of.get(rule.load_balancer_arn or "")
            if dns:
                found.append((_listener_url(rule.protocol, dns, rule.listener_port, rule.conditions), group))
        if not group.rules:
            found.extend((dns, group) for dns in group.load_balancer_dns)
    return list({url: (url, group) for url, group in found}.values())


def healthy_of(group: TargetGroupView) -> Text:
    """'(2 of 2 healthy)': draining targets are on their way out and not counted."""
    serving = [t for t in group.targets if t.state != "draining"]
    healthy = sum(1 for t in serving if t.state == "healthy")
    style = GOOD if serving and healthy == len(serving) else WARN if healthy else BAD
    if not group.health_checked:
        return Text("(health unknown)", style=DIM)
    return Text(f"({healthy} of {len(serving)} healthy)", style=style)


def address_line(url: str, group: TargetGroupView) -> Text:
    """'http://<dns>:80 → web-tg (2 of 2 healthy)'."""
    return Text.assemble(inert(url, "bold cyan"), " → ", inert(group.name), " ", healthy_of(group))


def render_addresses_that_stay(groups: Sequence[TargetGroupView]) -> Text | None:
    """Every address that stays, one a line, or None when the service is behind no load balancer with a DNS name."""
    found = addresses_that_stay(groups)
    if not found:
        return None
    text = Text()
    for index, (url, group) in enumerate(found):
        if index:
            text.append("\n")
        text.append_text(address_line(url, group))
    return text


def render_target_groups(
    groups: Sequence[TargetGroupView], now: datetime, *, only_task: str | None = None
) -> RenderableType:
    """Each target group: the load balancer and its DNS name, the listener rules that forward to it, its targets."""
    parts: list[RenderableType] = []
    for group in groups:
        header = Text()
        header.append(group.name, style="bold")
        header.append(f"  {dash(group.protocol)}:{dash(group.port)}  target type {dash(group.target_type)}")
        if group.unhealthy_count:
            header.append(f"  {group.unhealthy_count} unhealthy", style=BAD)
        parts.append(header)
        lbs = ", ".join(group.load_balancer_names) or "no load balancer"
        lb_line = Text("  load balancer ", style=DIM)
        lb_line.append(f"{lbs} ({dash(group.load_balancer_type)})", style="")
        parts.append(lb_line)
        for dns in group.load_balancer_dns:
            line = Text("  DNS ", style=DIM)
            line.append(dns, style="bold cyan")
            line.append(f"  ({STABLE_ADDRESS_NOTE})", style=DIM)
            parts.append(line)
        for rule in group.rules:
            line = Text("  rule ", style=DIM)
            line.append(f"{rule.label}  (priority {rule.priority}")
            line.append(f", weight {rule.weight})" if rule.weight is not None else ")")
            parts.append(line)
        parts.append(Text(f"  health check {group.health_check}", style=DIM))
        targets = [t for t in group.targets if only_task is None or t.task_arn == only_task]
        table = InertTable(box=None, pad_edge=False, padding=(0, 2, 0, 0), header_style="bold")
        for name in ("  Target", "Port", "State", "Reason", "Description", "AZ", "Task"):
            table.add_column(name)
        for target in sorted(targets, key=lambda t: target_state_rank(t.state)):
            table.add_row(
                inert(f"  {target.target_id}"),
                dash(target.port),
                target_state_text(target.state),
                inert(dash(target.reason), BAD if target.state.startswith("unhealthy") else ""),
                dash(target.description),
                dash(target.availability_zone),
                task_id_of(target.task_arn),
            )
        if targets:
            parts.append(table)
        else:
            parts.append(Text("  no targets registered", style=DIM))
        parts.append(Text(""))
    if not parts:
        return Text("Not behind a load balancer.", style=DIM)
    return inert_group(*parts)


def render_stop_causes(groups: Sequence[StopCauseGroup], now: datetime) -> RenderableType:
    """Stopped tasks grouped by cause: a crash loop is one line (a cause and its count), not 48 rows."""
    if not groups:
        return Text("No stopped tasks in the last hour ECS keeps them.", style=DIM)
    table = InertTable(box=None, pad_edge=False, padding=(0, 2, 0, 0), header_style="bold")
    for name in ("Cause", "Tasks", "Latest", "Exit codes", "Example reason"):
        table.add_column(name)
    for group in groups:
        style = BAD if group.abnormal else ""
        table.add_row(
            inert(group.cause, style),
            Text(f"{TIMES}{group.count}", style=style),
            inert(f"{age(group.latest_at, now)} ago" if group.latest_at else "-"),
            ", ".join(str(code) for code in group.exit_codes) or "-",
            inert(dash(group.example_reason), DIM if not group.abnormal else ""),
        )
    return table


def stop_causes_line(groups: Sequence[StopCauseGroup], now: datetime) -> Text:
    """The same summary in one line, for the head of a stopped-tasks list (its causes made visible)."""
    text = Text("Why they stopped: ", style="bold")
    if not groups:
        text.append("nothing stopped recently", style=DIM)
        return text
    for index, group in enumerate(groups):
        if index:
            text.append("  ·  ", style=DIM)
        text.append_text(inert(f"{group.cause} {TIMES}{group.count}", BAD if group.abnormal else ""))
        details = [f"latest {age(group.latest_at, now)} ago"] if group.latest_at else []
        if group.exit_codes:
            details.append("exit " + ",".join(str(code) for code in group.exit_codes))
        if details:
            text.append(f" ({'; '.join(details)})", style=DIM)
    return text

"""The account's EC2 Auto Scaling groups, as the create-cluster dialog lists them for EC2 capacity providers."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ecstui.aws.parse import _int, _obj, _objs, _str
from ecstui.aws.read_errors import reads_aws
from ecstui.aws.session import AwsSession
from ecstui.aws.ttl_cache import SLOW_CHANGING_TTL, TtlCache

# DescribeAutoScalingGroups' MaxRecords is 1..100 (50 when not given).
DESCRIBE_GROUPS_PAGE: Final = 100


@dataclass(frozen=True, slots=True)
class AutoScalingGroup:
    name: str
    arn: str | None
    min_size: int | None
    max_size: int | None
    desired: int | None
    instances: int  # instances in the group now, whatever their state
    # What it launches: "template web-lt (v$Default)", "configuration web-lc", "mixed instances web-lt", or None.
    launches: str | None
    availability_zones: tuple[str, ...]
    # Set when a capacity provider may manage its scaling only with scale-in protection (ECS asks for it).
    new_instances_protected_from_scale_in: bool

    @property
    def sizes(self) -> str:
        """'min 0, max 10, desired 2'."""
        return f"min {self.min_size}, max {self.max_size}, desired {self.desired}"


def _launch_template(d: Mapping[str, Any]) -> str | None:
    name = _str(d.get("LaunchTemplateName")) or _str(d.get("LaunchTemplateId"))
    if not name:
        return None
    version = _str(d.get("Version"))
    return f"{name} (v{version})" if version else name


def launches(d: Mapping[str, Any]) -> str | None:
    """What a group launches: its launch template (with version), launch configuration, or mixed-instances template."""
    template = _launch_template(_obj(d.get("LaunchTemplate")))
    if template:
        return f"template {template}"
    if configuration := _str(d.get("LaunchConfigurationName")):
        return f"configuration {configuration}"
    mixed = _obj(_obj(_obj(d.get("MixedInstancesPolicy")).get("LaunchTemplate")).get("LaunchTemplateSpecification"))
    template = _launch_template(mixed)
    return f"mixed instances {template}" if template else None


def group_from_api(d: Mapping[str, Any]) -> AutoScalingGroup:
    return AutoScalingGroup(
        name=_str(d.get("AutoScalingGroupName")) or "",
        arn=_str(d.get("AutoScalingGroupARN")),
        min_size=_int(d.get("MinSize")),
        max_size=_int(d.get("MaxSize")),
        desired=_int(d.get("DesiredCapacity")),
        instances=len(_objs(d.get("Instances"))),
        launches=launches(d),
        availability_zones=tuple(str(z) for z in d.get("AvailabilityZones") or () if isinstance(z, str)),
        new_instances_protected_from_scale_in=d.get("NewInstancesProtectedFromScaleIn") is True,
    )


class AutoScalingGroupReader:
    """Reads the region's Auto Scaling groups, every page, cached for minutes; `forget()` after creating one."""

    def __init__(
        self,
        session: AwsSession,
        *,
        page_size: int = DESCRIBE_GROUPS_PAGE,
        ttl: float = SLOW_CHANGING_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 1 <= page_size <= DESCRIBE_GROUPS_PAGE:
            raise ValueError(f"page_size must be within 1..{DESCRIBE_GROUPS_PAGE}")
        self.session = session
        self.page_size = page_size
        self._cache = TtlCache(ttl, clock)

    def forget(self) -> None:
        self._cache.clear()

    @reads_aws
    async def groups(self) -> list[AutoScalingGroup]:
        """Every Auto Scaling group of the region, by name."""

        async def load() -> list[AutoScalingGroup]:
            autoscaling = await self.session.autoscaling()
            found: list[AutoScalingGroup] = []
            token: str | None = None
            seen: set[str] = set()
            while True:
                request: dict[str, Any] = {"MaxRecords": self.page_size}
                if token:
                    request["NextToken"] = token
                response = await autoscaling.describe_auto_scaling_groups(**request)
                found.extend(group_from_api(d) for d in _objs(response.get("AutoScalingGroups")))
                token = _str(response.get("NextToken")) or None
                # A token handed back twice would loop forever.
                if token is None or token in seen:
                    break
                seen.add(token)
            return sorted(found, key=lambda g: (g.name.lower(), g.name))

        return list(await self._cache.get_or_load(("groups",), load))


__all__ = ["DESCRIBE_GROUPS_PAGE", "AutoScalingGroup", "AutoScalingGroupReader", "group_from_api", "launches"]

"""The AWS profiles of the config files, as botocore itself reads them, and the regions ECS runs in.

AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are read by botocore's own loader (no second parser that could
disagree with the CLI); each profile is named with how it gets its credentials, so the picker can say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import botocore.session

ProfileKind = Literal["sso", "assume-role", "process", "static", "other"]


@dataclass(frozen=True)
class Profile:
    """One profile: its name, how its credentials are got, and the region it sets (None: the default one)."""

    name: str
    kind: ProfileKind
    region: str | None = None


def profile_kind(settings: Mapping[str, Any]) -> ProfileKind:
    """How a profile's credentials are got, from its settings (the first that botocore would use wins)."""
    if "aws_access_key_id" in settings:
        return "static"
    if "role_arn" in settings:
        return "assume-role"
    if "sso_session" in settings or "sso_start_url" in settings:
        return "sso"
    if "credential_process" in settings:
        return "process"
    return "other"


def read_profiles() -> list[Profile]:
    """Every profile of the config and credentials files (merged as botocore merges them), by name."""
    session = botocore.session.Session()
    profiles: Mapping[str, Mapping[str, Any]] = session.full_config.get("profiles", {})
    return [
        Profile(name, profile_kind(settings), str(settings["region"]) if settings.get("region") else None)
        for name, settings in sorted(profiles.items())
    ]


def ecs_regions(current: str | None = None) -> list[str]:
    """The regions of the commercial partition where ECS runs (botocore's endpoint data), `current` first."""
    regions = sorted(botocore.session.Session().get_available_regions("ecs"))
    if current:
        regions = [current, *(r for r in regions if r != current)]
    return regions


__all__ = ["Profile", "ProfileKind", "ecs_regions", "profile_kind", "read_profiles"]

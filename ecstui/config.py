"""The user's settings from a TOML file in the XDG config directory (or $ECSTUI_CONFIG)."""

from __future__ import annotations

import fnmatch
import glob
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

CONFIG_ENV = "ECSTUI_CONFIG"
DEFAULT_REFRESH_SECONDS = 5.0
DEFAULT_LOG_LINES = 100_000  # lines a log pane holds
# Plain environment variables whose names match are secrets in all but name (AWS's own examples put
# MYSQL_ROOT_PASSWORD there): searched case-insensitively anywhere in the name, so DB_PASSWORD and aws_secret_key match.
DEFAULT_SECRET_ENV_PATTERN = "PASSWORD|SECRET|TOKEN|KEY|CREDENTIAL|PRIVATE"
# What `s` (ECS Exec) runs in a container: a shell every image has.
DEFAULT_EXEC_COMMAND = "/bin/sh"
# How long a rollout with nothing failed may take before triage calls it a problem (ECS needs minutes to start,
# register and health-check tasks).
DEFAULT_ROLLOUT_GRACE_SECONDS = 600.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, None: 1}
# A big listing's rows off screen are described again at most once a sweep, spending at most this many calls a
# minute (see ecstui.ui.listing_sweep): 2,000 services watched at 160x45 (41 rows, five describes a refresh every
# 5 s) then cost 60 + 30 = 90 ECS calls a minute.
DEFAULT_SWEEP_SECONDS = 60.0
DEFAULT_SWEEP_CALLS_PER_MINUTE = 30


class ConfigError(Exception):
    """A config file ecstui cannot use, said in one sentence naming the file and the place."""


@dataclass(frozen=True, slots=True)
class ProfileSettings:
    production: bool = False
    """A production profile shows a red banner, and destructive actions need the resource's name typed."""


@dataclass(frozen=True, slots=True)
class Settings:
    profiles: dict[str, ProfileSettings] = field(default_factory=dict)
    """Per AWS profile, by the profile's name in ~/.aws/config."""
    refresh_seconds: float = DEFAULT_REFRESH_SECONDS
    """How long between two refreshes of the current view."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys ("scale" -> "S"), applied over the defaults."""
    secret_env_pattern: str = DEFAULT_SECRET_ENV_PATTERN
    """A regular expression: environment variables whose names it matches (case-insensitively, anywhere in the
    name) have their values masked until revealed."""
    exec_command: str = DEFAULT_EXEC_COMMAND
    """What `s` runs in a container through ECS Exec ("/bin/bash -l", "/bin/sh")."""
    log_lines: int = DEFAULT_LOG_LINES
    """How many lines a log pane holds; the oldest are dropped past it (a frame costs the same however many)."""
    rollout_grace_seconds: float = DEFAULT_ROLLOUT_GRACE_SECONDS
    """`rollout_grace`: how long a healthy rollout is "deploying" rather than a triage problem."""
    triage_at_start: bool = False
    """Decide before the first pane whether to open on the triage list (something is broken) or the clusters."""
    sweep_seconds: float = DEFAULT_SWEEP_SECONDS
    """A big listing (above 200 rows): how often at most its rows off screen are described again and it is re-listed."""
    sweep_calls_per_minute: int = DEFAULT_SWEEP_CALLS_PER_MINUTE
    """A big listing: the calls a minute its background sweep (describes of rows off screen, re-lists) may spend."""
    path: Path | None = None
    """The file these settings came from; None when there was none."""
    production_profiles: tuple[str, ...] = ()
    """Globs ("prod-*", "*-production"): a profile whose name matches one is production, as if so marked."""

    def is_production(self, profile: str | None) -> bool:
        if profile and any(fnmatch.fnmatchcase(profile, pattern) for pattern in self.production_profiles):
            return True
        return bool(profile) and self.profiles.get(profile or "", ProfileSettings()).production

    def production_globs(self) -> tuple[str, ...]:
        """Every profile name or glob that is production (the app applies them to the profiles switched to)."""
        marked = (glob.escape(name) for name, settings in self.profiles.items() if settings.production)
        return (*self.production_profiles, *marked)


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("ecstui")) / "config.toml"


def load_settings(path: Path | None = None) -> Settings:
    """Settings from `path` (default: config_path()); defaults when the file does not exist."""
    path = path or config_path()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        if path == config_path() and os.environ.get(CONFIG_ENV):
            raise ConfigError(f"{path}: no such file (named by ${CONFIG_ENV}).") from None
        return Settings()
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}.") from None
    except OSError as exc:
        raise ConfigError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    return settings_from_dict(data, path)


def settings_from_dict(data: dict[str, Any], path: Path | None = None) -> Settings:
    where = str(path) if path else "config"
    known_keys = (
        "profiles",
        "refresh_seconds",
        "keymap",
        "secret_env_pattern",
        "exec_command",
        "log_lines",
        "production_profiles",
        "rollout_grace",
        "triage_at_start",
        "sweep_seconds",
        "sweep_calls_per_minute",
    )
    unknown = set(data) - set(known_keys)
    if unknown:
        known = ", ".join(known_keys)
        raise ConfigError(f"{where}: unknown setting {sorted(unknown)[0]!r} (known: {known}).")
    profiles_raw = data.get("profiles", {})
    if not isinstance(profiles_raw, dict):
        raise ConfigError(f"{where}: [profiles] must be a table of [profiles.<name>] tables.")
    profiles: dict[str, ProfileSettings] = {}
    for name, section in profiles_raw.items():
        if not isinstance(section, dict):
            raise ConfigError(f"{where}: profiles.{name} must be a table, like [profiles.{name}].")
        extra = set(section) - {"production"}
        if extra:
            raise ConfigError(f"{where}: unknown setting profiles.{name}.{sorted(extra)[0]} (known: production).")
        production = section.get("production", False)
        if not isinstance(production, bool):
            raise ConfigError(f"{where}: profiles.{name}.production must be true or false, not {production!r}.")
        profiles[str(name)] = ProfileSettings(production=production)
    refresh = data.get("refresh_seconds", DEFAULT_REFRESH_SECONDS)
    if isinstance(refresh, bool) or not isinstance(refresh, int | float) or not 0.5 <= refresh <= 3600:
        raise ConfigError(f"{where}: refresh_seconds must be a number of seconds from 0.5 to 3600, not {refresh!r}.")
    keymap_raw = data.get("keymap", {})
    if not isinstance(keymap_raw, dict) or not all(isinstance(v, str) for v in keymap_raw.values()):
        raise ConfigError(f'{where}: [keymap] must map binding ids to keys, like scale = "S".')
    pattern = data.get("secret_env_pattern", DEFAULT_SECRET_ENV_PATTERN)
    if not isinstance(pattern, str) or not pattern.strip():
        raise ConfigError(f'{where}: secret_env_pattern must be a regular expression, like "PASSWORD|TOKEN".')
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(f"{where}: secret_env_pattern is not a regular expression: {exc}.") from None
    exec_command = data.get("exec_command", DEFAULT_EXEC_COMMAND)
    if not isinstance(exec_command, str) or not exec_command.strip():
        raise ConfigError(f'{where}: exec_command must be the command to run in a container, like "/bin/sh".')
    log_lines = data.get("log_lines", DEFAULT_LOG_LINES)
    if isinstance(log_lines, bool) or not isinstance(log_lines, int) or not 1_000 <= log_lines <= 1_000_000:
        raise ConfigError(f"{where}: log_lines must be a whole number from 1000 to 1000000, not {log_lines!r}.")
    globs = data.get("production_profiles", [])
    if not isinstance(globs, list) or not all(isinstance(g, str) and g.strip() for g in globs):
        raise ConfigError(f'{where}: production_profiles must be a list of profile names or globs, like ["prod-*"].')
    rollout_grace = _seconds(data.get("rollout_grace", DEFAULT_ROLLOUT_GRACE_SECONDS))
    if rollout_grace is None or not 0 <= rollout_grace <= 86400:
        raise ConfigError(
            f'{where}: rollout_grace must be seconds or a duration like "10m" (at most 24h), '
            f"not {data.get('rollout_grace')!r}."
        )
    triage_at_start = data.get("triage_at_start", False)
    if not isinstance(triage_at_start, bool):
        raise ConfigError(f"{where}: triage_at_start must be true or false, not {triage_at_start!r}.")
    sweep = data.get("sweep_seconds", DEFAULT_SWEEP_SECONDS)
    if isinstance(sweep, bool) or not isinstance(sweep, int | float) or not 10 <= sweep <= 86400:
        raise ConfigError(f"{where}: sweep_seconds must be a number of seconds from 10 to 86400, not {sweep!r}.")
    sweep_calls = data.get("sweep_calls_per_minute", DEFAULT_SWEEP_CALLS_PER_MINUTE)
    if isinstance(sweep_calls, bool) or not isinstance(sweep_calls, int) or not 1 <= sweep_calls <= 6000:
        raise ConfigError(
            f"{where}: sweep_calls_per_minute must be a whole number from 1 to 6000, not {sweep_calls!r}."
        )
    return Settings(
        sweep_seconds=float(sweep),
        sweep_calls_per_minute=sweep_calls,
        triage_at_start=triage_at_start,
        production_profiles=tuple(g.strip() for g in globs),
        rollout_grace_seconds=rollout_grace,
        exec_command=exec_command.strip(),
        profiles=profiles,
        refresh_seconds=float(refresh),
        keymap={str(k): v for k, v in keymap_raw.items()},
        secret_env_pattern=pattern,
        log_lines=log_lines,
        path=path,
    )


def _seconds(value: object) -> float | None:
    """600, 90.5, "90s", "10m", "1h" -> seconds; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and (found := _DURATION.match(value)):
        return float(found.group(1)) * _UNIT_SECONDS[found.group(2)]
    return None


__all__ = [
    "CONFIG_ENV",
    "DEFAULT_EXEC_COMMAND",
    "DEFAULT_ROLLOUT_GRACE_SECONDS",
    "DEFAULT_SECRET_ENV_PATTERN",
    "DEFAULT_SWEEP_CALLS_PER_MINUTE",
    "DEFAULT_SWEEP_SECONDS",
    "ConfigError",
    "ProfileSettings",
    "Settings",
    "config_path",
    "load_settings",
]

"""Settings come from TOML in the XDG config directory or $ECSTUI_CONFIG, with readable errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ecstui.config import CONFIG_ENV, ConfigError, Settings, config_path, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def test_the_default_path_is_in_the_xdg_config_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert config_path() == Path(os.environ["XDG_CONFIG_HOME"]) / "ecstui" / "config.toml"


def test_no_file_means_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert load_settings() == Settings()


def test_the_environment_names_another_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[profiles.prod]\nproduction = true\n[profiles.dev]\n")
    monkeypatch.setenv(CONFIG_ENV, str(path))
    settings = load_settings()
    assert settings.path == path
    assert settings.is_production("prod")
    assert not settings.is_production("dev")
    assert not settings.is_production("unknown")
    assert not settings.is_production(None)


def test_a_missing_file_named_by_the_environment_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "absent.toml"))
    with pytest.raises(ConfigError, match="no such file"):
        load_settings()


def test_refresh_interval_and_keymap(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, 'refresh_seconds = 10\n[keymap]\nscale = "S"\n'))
    assert settings.refresh_seconds == 10.0
    assert settings.keymap == {"scale": "S"}


def test_how_many_lines_a_log_pane_holds(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "log_lines = 250000\n")).log_lines == 250_000
    assert load_settings(write(tmp_path, "")).log_lines == 100_000


def test_production_profiles_by_glob_and_by_name(tmp_path: Path) -> None:
    text = 'production_profiles = ["prod-*", "*-live"]\n[profiles."ops[1]"]\nproduction = true\n'
    settings = load_settings(write(tmp_path, text))
    assert settings.is_production("prod-eu") and settings.is_production("shop-live")
    assert settings.is_production("ops[1]") and not settings.is_production("ops1")
    assert not settings.is_production("staging") and not settings.is_production(None)
    assert settings.production_globs() == ("prod-*", "*-live", "ops[[]1]")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("", 600.0),
        ("rollout_grace = 90\n", 90.0),
        ('rollout_grace = "10m"\n', 600.0),
        ('rollout_grace = "45s"\n', 45.0),
        ('rollout_grace = "1h"\n', 3600.0),
    ],
)
def test_how_long_a_healthy_rollout_is_not_a_problem(tmp_path: Path, text: str, seconds: float) -> None:
    assert load_settings(write(tmp_path, text)).rollout_grace_seconds == seconds


def test_triage_at_start_is_off_unless_asked(tmp_path: Path) -> None:
    assert load_settings(write(tmp_path, "triage_at_start = true\n")).triage_at_start is True
    assert load_settings(write(tmp_path, "")).triage_at_start is False


def test_how_often_and_at_what_cost_a_big_listing_is_swept(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, "sweep_seconds = 120\nsweep_calls_per_minute = 20\n"))
    assert (settings.sweep_seconds, settings.sweep_calls_per_minute) == (120.0, 20)
    defaults = load_settings(write(tmp_path, ""))
    assert (defaults.sweep_seconds, defaults.sweep_calls_per_minute) == (60.0, 30)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[profiles.prod\nproduction = true", "is not valid TOML"),
        ('[profiles.prod]\nproduction = "yes"\n', "profiles.prod.production must be true or false"),
        ("[profiles.prod]\nprod = true\n", "unknown setting profiles.prod.prod"),
        ("profiles = 3\n", "[profiles] must be a table"),
        ("refresh_seconds = 0\n", "refresh_seconds must be a number"),
        ("refresh = 5\n", "unknown setting 'refresh'"),
        ("[keymap]\nscale = 1\n", "[keymap] must map binding ids to keys"),
        ("log_lines = 10\n", "log_lines must be a whole number from 1000 to 1000000"),
        ('production_profiles = "prod-*"\n', "production_profiles must be a list of profile names or globs"),
        ('rollout_grace = "soon"\n', "rollout_grace must be seconds or a duration"),
        ("rollout_grace = -1\n", "rollout_grace must be seconds or a duration"),
        ("rollout_grace = true\n", "rollout_grace must be seconds or a duration"),
        ('triage_at_start = "yes"\n', "triage_at_start must be true or false"),
        ("sweep_seconds = 1\n", "sweep_seconds must be a number of seconds from 10 to 86400"),
        ("sweep_calls_per_minute = 2.5\n", "sweep_calls_per_minute must be a whole number from 1 to 6000"),
    ],
)
def test_a_malformed_file_gives_one_readable_sentence(tmp_path: Path, text: str, says: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert says in str(caught.value)
    assert str(path) in str(caught.value)
    assert caught.value.__cause__ is None  # no chained traceback to show

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, Settings, load_settings, normalise_database_url


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_paas_postgres_urls_use_psycopg_3() -> None:
    assert (
        normalise_database_url("postgres://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    )
    assert normalise_database_url("postgresql://h/db") == "postgresql+psycopg://h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
    assert settings(database_url="postgres://h/db").database_url == "postgresql+psycopg://h/db"


def test_defaults_follow_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "BOT_ADMIN_IDS", "REMINDER_OFFSETS", "BOT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    defaults = settings()
    assert defaults.database_url == "sqlite:///ensemble.db"
    assert defaults.telegram_api_base_url == "https://api.telegram.org/bot"
    assert defaults.reminder_offsets == (timedelta(hours=24), timedelta(hours=2))
    assert defaults.bot_admin_ids == frozenset()
    assert defaults.bot_timezone == "Europe/Paris"
    hour = int(defaults.sync_schedule.split()[1])
    assert not 2 <= hour < 3


def test_lists_and_durations_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_ADMIN_IDS", "12, 34,")
    monkeypatch.setenv("REMINDER_OFFSETS", "90s,24h")
    loaded = settings()
    assert loaded.bot_admin_ids == frozenset({12, 34})
    assert loaded.reminder_offsets == (timedelta(hours=24), timedelta(seconds=90))


def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(ConfigError, match="BOT_TIMEZONE"):
        load_settings(_env_file=None)


def test_secrets_are_never_shown() -> None:
    loaded = settings(telegram_bot_token="1:very-secret", refugies_info_site_secret="s3cr3t")
    assert "very-secret" not in repr(loaded)
    assert "s3cr3t" not in str(loaded)
    assert loaded.require_bot_token() == "1:very-secret"


def test_a_missing_token_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="TELEGRAM_BOT_TOKEN"):
        settings().require_bot_token()


def test_the_dotenv_file_is_read(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    monkeypatch.delenv("BOT_ADMIN_IDS", raising=False)
    (tmp_path / ".env").write_text("BOT_ADMIN_IDS=7\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert Settings().bot_admin_ids == frozenset({7})


def test_the_fiches_mirror_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FICHES_COUNTY", "FICHES_SCHEDULE"):
        monkeypatch.delenv(name, raising=False)
    defaults = settings()
    assert defaults.fiches_county == "Côte-d'Or"
    hour = int(defaults.fiches_schedule.split()[1])
    assert not 2 <= hour < 3
    assert defaults.fiches_schedule != defaults.sync_schedule
    # The platform's own form ("21 - Côte-d'Or") names the same département.
    assert settings(fiches_county="21 - Côte-d'Or").fiches_county == "Côte-d'Or"
    assert settings(fiches_county="2A - Corse-du-Sud").fiches_county == "Corse-du-Sud"
    # The platform puts the name in a regular expression: nothing else gets through.
    monkeypatch.setenv("FICHES_COUNTY", "Côte-d'Or$|.*")
    with pytest.raises(ConfigError, match="FICHES_COUNTY"):
        load_settings(_env_file=None)

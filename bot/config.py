"""The one place that reads the environment (and an optional `.env` file)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.opening_hours import OpeningHours, parse_opening_hours

DEFAULT_DATABASE_URL = "sqlite:///ensemble.db"
DEFAULT_FICHES_COUNTY = "Côte-d'Or"

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# A département as the platform names it: the platform puts it in a regular expression
# (` - <name>$`), so only letters, spaces, hyphens and apostrophes are let through.
_COUNTY = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+)*$")
# "21 - Côte-d'Or", as the platform writes locations: the name is what it filters on.
_NUMBERED_COUNTY = re.compile(r"^\s*(?:\d{2,3}|2[AB])\s*-\s*")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def parse_duration(text: str) -> timedelta:
    """Read `90s`, `15m`, `2h` or `1d`."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 15m, 2h, 1d)")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


# DATA_RETENTION: « 24 months », « 730d », « 2 years », « 90 jours »… A month is a twelfth of
# 365 days, so that 24 months are exactly 730 days (a timedelta has no calendar months).
_RETENTION = re.compile(r"^\s*(\d+)\s*([a-zé]+)\s*$")
_RETENTION_DAYS = {
    **dict.fromkeys(("d", "day", "days", "jour", "jours", "j"), 1.0),
    **dict.fromkeys(("w", "week", "weeks", "semaine", "semaines"), 7.0),
    **dict.fromkeys(("month", "months", "mois"), 365 / 12),
    **dict.fromkeys(("y", "year", "years", "an", "ans", "année", "années"), 365.0),
}
DEFAULT_DATA_RETENTION = timedelta(days=730)


def parse_retention(text: str) -> timedelta:
    """Read a retention period: `24 months`, `730d`, `2 years`, or `90s`/`2h` as for
    reminders (handy in tests). Zero is refused: it would purge everyone at once."""
    match = _RETENTION.match(text.lower())
    if match and match.group(2) in _RETENTION_DAYS:
        period = timedelta(days=int(match.group(1)) * _RETENTION_DAYS[match.group(2)])
    else:
        try:
            period = parse_duration(text)
        except ValueError:
            raise ValueError(
                f"not a retention period: {text!r} (use e.g. 24 months, 730d, 2 years)"
            ) from None
    if period <= timedelta(0):
        raise ValueError(f"the retention period must be longer than zero, not {text!r}")
    return period


def normalise_database_url(url: str) -> str:
    """Accept the `postgres://` form PaaS give and pick the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Everything the bot and the publisher can be told from outside."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    database_url: str = DEFAULT_DATABASE_URL
    bot_admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    bot_timezone: str = "Europe/Paris"
    reminder_offsets: Annotated[tuple[timedelta, ...], NoDecode] = (
        timedelta(hours=24),
        timedelta(hours=2),
    )
    refugies_info_api_url: str = "https://api.refugies.info"
    refugies_info_site_secret: SecretStr | None = None
    refugies_info_token: SecretStr | None = None
    refugies_info_structure_id: str | None = None
    # 07:30 local time: clear of the 02:00-03:00 hole that DST changes open.
    sync_schedule: str = Field(default="30 7 * * *")
    # The département whose refugies.info fiches the bot mirrors, and when (daily, 06:15
    # local time: before the publisher, clear of the DST hole).
    fiches_county: str = DEFAULT_FICHES_COUNTY
    fiches_schedule: str = Field(default="15 6 * * *")
    # People who have not written for this long are forgotten (their attendance is kept
    # only as anonymous counts for the contract's indicators).
    data_retention: Annotated[timedelta, NoDecode] = DEFAULT_DATA_RETENTION
    # The relay: a supergroup with topics where staff talk with people (none: no relay),
    # and when the team reads it (none: always).
    staff_chat_id: int | None = None
    staff_hours: Annotated[OpeningHours, NoDecode] = OpeningHours()

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return normalise_database_url(value.strip() or DEFAULT_DATABASE_URL)

    @field_validator("bot_admin_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("reminder_offsets", mode="before")
    @classmethod
    def _offsets(cls, value: object) -> object:
        if isinstance(value, str):
            offsets = sorted(
                {parse_duration(part) for part in value.split(",") if part.strip()}, reverse=True
            )
            return tuple(offsets)
        return value

    @field_validator("data_retention", mode="before")
    @classmethod
    def _retention(cls, value: object) -> object:
        return parse_retention(value) if isinstance(value, str) else value

    @field_validator("staff_chat_id", mode="before")
    @classmethod
    def _staff_chat(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("staff_chat_id")
    @classmethod
    def _staff_chat_is_a_group(cls, value: int | None) -> int | None:
        if value is not None and value >= 0:
            raise ValueError(
                "the staff group's id is negative (a supergroup's starts with -100, "
                "e.g. -1001234567890)"
            )
        return value

    @field_validator("staff_hours", mode="before")
    @classmethod
    def _staff_hours(cls, value: object) -> object:
        return parse_opening_hours(value) if isinstance(value, str) else value

    @field_validator("fiches_county")
    @classmethod
    def _county(cls, value: str) -> str:
        name = _NUMBERED_COUNTY.sub("", value).strip() or DEFAULT_FICHES_COUNTY
        if not _COUNTY.match(name):
            raise ValueError(
                f"{value!r} is not a département name as refugies.info writes it (e.g. Côte-d'Or)"
            )
        return name

    @field_validator("bot_timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    def require_bot_token(self) -> str:
        """The bot token, or a ConfigError that names the variable."""
        if self.telegram_bot_token is None or not self.telegram_bot_token.get_secret_value():
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its "
                "token in the environment or in .env"
            )
        return self.telegram_bot_token.get_secret_value()


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning validation errors into one readable ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from error

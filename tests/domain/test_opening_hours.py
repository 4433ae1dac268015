"""STAFF_HOURS: read as operators write it, open or not in local time, and the next opening
found across days, weekends and changes of clocks."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.config import ConfigError, load_settings
from bot.domain.opening_hours import OpeningHours, Span, parse_opening_hours

PARIS = ZoneInfo("Europe/Paris")
OFFICE = parse_opening_hours("mon-fri 09:00-12:30,13:30-17:00; sat 09:00-12:00")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc, unused-ignore]


def test_hours_are_read_as_operators_write_them() -> None:
    assert len(OFFICE.spans) == 5 * 2 + 1
    assert OFFICE.spans[0] == Span(0, 9 * 60, 12 * 60 + 30)
    assert parse_opening_hours("lun-ven 9:00-17:00") == parse_opening_hours("mon-fri 09:00-17:00")
    weekend = parse_opening_hours("sat-sun 10:00-24:00")
    assert {s.weekday for s in weekend.spans} == {5, 6}
    assert {s.weekday for s in parse_opening_hours("fri-mon 10:00-11:00").spans} == {4, 5, 6, 0}
    assert parse_opening_hours("mon,wed 10:00-11:00").spans == (
        Span(0, 600, 660),
        Span(2, 600, 660),
    )
    for always in ("", "  ", "always"):
        assert parse_opening_hours(always).always


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("mon-fri", "needs days, then hours"),
        ("monday 09:00-10:00", "'monday' is not a day"),
        ("mon 9h-10h", "'9h' is not a time such as 09:00"),
        ("mon 10:00-09:00", "ends before it starts"),
        ("mon 09:00", "is not hours such as 09:00-12:30"),
        ("mon 24:00-24:00", "'24:00' is not a time of day"),
        ("mon 09:75-10:00", "'09:75' is not a time of day"),
    ],
)
def test_wrong_hours_are_refused_with_the_reason_and_an_example(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match="not opening hours") as raised:
        parse_opening_hours(text)
    assert problem in str(raised.value)
    assert "mon-fri 09:00-12:30" in str(raised.value)


def test_a_wrong_setting_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STAFF_HOURS", "weekdays 9-5")
    with pytest.raises(ConfigError, match="STAFF_HOURS"):
        load_settings(_env_file=None)
    monkeypatch.setenv("STAFF_HOURS", "mon-fri 09:00-17:00")
    monkeypatch.setenv("STAFF_CHAT_ID", "1234")
    with pytest.raises(ConfigError, match=r"STAFF_CHAT_ID.*negative"):
        load_settings(_env_file=None)
    monkeypatch.setenv("STAFF_CHAT_ID", "-1001234567890")
    settings = load_settings(_env_file=None)
    assert settings.staff_chat_id == -1001234567890
    assert not settings.staff_hours.always


def test_without_the_settings_there_is_no_relay_and_the_team_always_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("STAFF_CHAT_ID", raising=False)
    monkeypatch.delenv("STAFF_HOURS", raising=False)
    settings = load_settings(_env_file=None)
    assert settings.staff_chat_id is None
    assert settings.staff_hours == OpeningHours()
    assert settings.staff_hours.next_opening(datetime.now(UTC), PARIS) is None


def test_open_or_not_in_local_time() -> None:
    thursday = (2026, 11, 26)
    assert OFFICE.is_open(paris(*thursday, 9, 0), PARIS)
    assert OFFICE.is_open(paris(*thursday, 12, 29), PARIS)
    assert not OFFICE.is_open(paris(*thursday, 12, 30), PARIS)
    assert not OFFICE.is_open(paris(*thursday, 8, 59), PARIS)
    # 08:30 UTC is 09:30 in Paris in winter.
    assert OFFICE.is_open(datetime(2026, 11, 26, 8, 30, tzinfo=UTC), PARIS)
    assert OFFICE.next_opening(paris(*thursday, 10, 0), PARIS) is None


@pytest.mark.parametrize(
    ("now", "opening"),
    [
        # Lunch: the afternoon, the same day.
        (paris(2026, 11, 26, 12, 45), paris(2026, 11, 26, 13, 30)),
        # Evening: the next morning.
        (paris(2026, 11, 26, 18, 0), paris(2026, 11, 27, 9, 0)),
        # Saturday afternoon: Monday morning.
        (paris(2026, 11, 28, 12, 0), paris(2026, 11, 30, 9, 0)),
        # Just before midnight on Sunday.
        (paris(2026, 11, 29, 23, 59), paris(2026, 11, 30, 9, 0)),
        # The clocks go forward on Sunday 29 March 2026: Monday 09:00 is 07:00 UTC, not 08:00.
        (paris(2026, 3, 28, 18, 0), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
        # ... and back on Sunday 25 October 2026: Monday 09:00 is 08:00 UTC.
        (paris(2026, 10, 24, 18, 0), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
    ],
)
def test_the_next_opening_across_days_weekends_and_clock_changes(
    now: datetime, opening: datetime
) -> None:
    found = OFFICE.next_opening(now, PARIS)
    assert found == opening
    assert found is not None
    assert found.tzinfo is not None
    assert OFFICE.is_open(found, PARIS)


def test_an_opening_in_the_hour_the_clocks_skip_begins_when_they_jump() -> None:
    night = parse_opening_hours("sun 02:30-05:00")
    # 29 March 2026: 02:00 CET becomes 03:00 CEST, at 01:00 UTC; 02:30 never happens.
    found = night.next_opening(paris(2026, 3, 29, 0, 0), PARIS)
    assert found == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert night.is_open(found, PARIS)
    assert night.next_opening(paris(2026, 3, 29, 3, 30), PARIS) is None


def test_the_same_weekday_a_week_later_when_today_s_opening_has_passed() -> None:
    mondays = parse_opening_hours("mon 09:00-10:00")
    assert mondays.next_opening(paris(2026, 11, 30, 11, 0), PARIS) == paris(2026, 12, 7, 9, 0)

"""DATA_RETENTION: how long people who stopped writing are kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, Settings, load_settings, parse_retention


def test_the_default_is_24_months(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATA_RETENTION", raising=False)
    assert Settings(_env_file=None).data_retention == timedelta(days=730)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24 months", timedelta(days=730)),
        ("730d", timedelta(days=730)),
        ("2 years", timedelta(days=730)),
        ("18 mois", timedelta(days=547.5)),
        ("90 jours", timedelta(days=90)),
        ("6 weeks", timedelta(weeks=6)),
        ("90s", timedelta(seconds=90)),
    ],
)
def test_periods_are_read_in_words_or_units(text: str, expected: timedelta) -> None:
    assert parse_retention(text) == expected


@pytest.mark.parametrize("text", ["", "forever", "2 fortnights", "0d", "-3 months", "24"])
def test_a_bad_value_names_the_variable_and_says_what_to_write(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setenv("DATA_RETENTION", text)
    with pytest.raises(ConfigError, match="DATA_RETENTION") as error:
        load_settings(_env_file=None)
    assert "24 months" in str(error.value) or "longer than zero" in str(error.value)

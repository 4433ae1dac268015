from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import (
    BY_CODE,
    FSI,
    LANGUAGES,
    PDI,
    RLM,
    Catalogs,
    MissingCatalogError,
    guess_language,
    isolate_latin_runs,
    picker_order,
)

CATALOGS = Catalogs()


@pytest.mark.parametrize(
    ("telegram_code", "expected"),
    [
        ("ar-SA", "ar"),
        ("fa", "fa"),
        ("fa-AF", "fa"),
        ("prs", "fa"),
        ("uk", "uk"),
        ("ru-RU", "ru"),
        ("en-US", "en"),
        ("fr_FR", "fr"),
        ("pt-BR", None),
        ("", None),
        (None, None),
        ("zz-garbage", None),
    ],
)
def test_telegram_language_codes_are_normalised(
    telegram_code: str | None, expected: str | None
) -> None:
    assert guess_language(telegram_code) == expected


def test_the_picker_puts_the_guess_first_and_keeps_all_languages() -> None:
    order = [language.code for language in picker_order("ti")]
    assert order == ["ti", "fr", "en", "ar", "fa", "ps", "ru", "uk"]
    assert [language.code for language in picker_order(None)] == [
        language.code for language in LANGUAGES
    ]


def test_right_to_left_messages_start_with_a_strong_rtl_mark() -> None:
    for code in ("ar", "fa", "ps"):
        t = CATALOGS.translator(code)
        assert t.finish("12 ateliers").startswith(RLM)
        assert t.finish(t.finish("x")).count(RLM) == 1
    assert not CATALOGS.translator("ru").finish("x").startswith(RLM)


def test_interpolated_values_are_isolated_and_escaped() -> None:
    arabic = CATALOGS.translator("ar")
    assert arabic.fill("{name}!", name="Rue <Jean> & co") == f"{FSI}Rue &lt;Jean&gt; &amp; co{PDI}!"
    # An Arabic name inside an English sentence needs isolating just as much.
    assert CATALOGS.translator("en").fill("Hi {n}.", n="أمينة") == f"Hi {FSI}أمينة{PDI}."


def test_dates_and_numbers_follow_the_reader_locale() -> None:
    day = date(2026, 12, 3)
    assert "décembre" in CATALOGS.translator("fr").date(day)
    # Dari readers get Afghan month names (fa_AF), not the Iranian ones.
    assert "دسمبر" in CATALOGS.translator("fa").date(day)
    assert "грудня" in CATALOGS.translator("uk").date(day)
    moment = datetime(2026, 12, 3, 13, 30, tzinfo=UTC)
    assert CATALOGS.translator("fr").time(moment, ZoneInfo("Europe/Paris")) == "14:30"
    assert CATALOGS.translator("fr").datetime(moment, ZoneInfo("Europe/Paris")) == (
        "3 déc. 2026, 14:30"
    )
    assert CATALOGS.translator("en").number(1234.5) == "1,234.5"
    assert CATALOGS.translator("fr").number(1234.5) == "1\u202f234,5"


def test_french_plurals_count_zero_as_singular() -> None:
    french = CATALOGS.translator("fr")
    assert french.ngettext("{n} place", "{n} places", 0) == "{n} place"
    assert french.ngettext("{n} place", "{n} places", 2) == "{n} places"


def test_a_missing_catalog_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(MissingCatalogError, match="en"):
        Catalogs(tmp_path)


def test_catalogs_compile_in_memory_when_no_mo_file_exists(tmp_path: Path) -> None:
    import shutil

    from bot.i18n import LOCALES_DIR

    for code in BY_CODE:
        if code != "fr":
            folder = tmp_path / code / "LC_MESSAGES"
            folder.mkdir(parents=True)
            shutil.copy(LOCALES_DIR / code / "LC_MESSAGES" / "messages.po", folder)
    fresh = Catalogs(tmp_path)
    assert fresh.translator("ru").gettext("Menu principal") == CATALOGS.translator("ru").gettext(
        "Menu principal"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("مرحبا «Ensemble !» هنا", f"مرحبا «{FSI}Ensemble !{PDI}» هنا"),
        ("اسألوا CAF.", f"اسألوا {FSI}CAF{PDI}."),
        ("على caf.fr اليوم", f"على {FSI}caf.fr{PDI} اليوم"),
        ("اكتبوا /menu الآن", f"اكتبوا {FSI}/menu{PDI} الآن"),
        ('<a href="https://caf.fr">CAF</a>', f'<a href="https://caf.fr">{FSI}CAF{PDI}</a>'),
        (f"{FSI}Ensemble !{PDI} هنا", f"{FSI}Ensemble !{PDI} هنا"),
        ("الرقم 3230", "الرقم 3230"),
        ("نص &amp; CAF", f"نص &amp; {FSI}CAF{PDI}"),  # an entity is never cut open
    ],
)
def test_latin_runs_in_right_to_left_text_are_isolated_with_their_punctuation(
    text: str, expected: str
) -> None:
    assert isolate_latin_runs(text) == expected


def test_only_right_to_left_messages_isolate_latin_runs() -> None:
    assert CATALOGS.translator("ar").finish("«Ensemble !»") == f"{RLM}«{FSI}Ensemble !{PDI}»"
    assert CATALOGS.translator("ru").finish("«Ensemble !»") == "«Ensemble !»"

"""Every screen, in every language, is a message Telegram accepts."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.emulator.entities import parse_html, utf16_length
from bot.i18n import LANGUAGES, RLM, Catalogs, Language
from bot.knowledge import load_knowledge_base
from bot.storage import Person
from bot.views import language, menu, privacy
from bot.views.screen import Screen

CATALOGS = Catalogs()
BASE = load_knowledge_base(datetime(2026, 11, 26, tzinfo=UTC).date())
PERSON = Person(123456789, "ps", datetime(2026, 1, 2, 8, 0, tzinfo=UTC), datetime.now(UTC))


def every_screen(code: str) -> list[Screen]:
    t = CATALOGS.translator(code)
    return [
        language.language_picker(t),
        language.language_chosen(t),
        menu.greeting(t, BASE),
        menu.main_menu(t, BASE),
        menu.help_text(t),
        menu.not_text(t, BASE, spoken=True),
        menu.not_text(t, BASE, spoken=False),
        menu.something_went_wrong(t),
        *(menu.coming_soon(t, key) for key in menu.SECTIONS),
        privacy.my_data(t, PERSON, ZoneInfo("Europe/Paris")),
        privacy.confirm_forget(t),
        privacy.forgotten(t),
    ]


@pytest.mark.parametrize("lang", LANGUAGES, ids=[language.code for language in LANGUAGES])
def test_every_screen_is_valid_telegram_html_within_limits(lang: Language) -> None:
    for screen in every_screen(lang.code):
        text = parse_html(screen.text).text
        assert 1 <= utf16_length(text) <= 4096
        assert text.startswith(RLM) == lang.rtl
        for row in screen.keyboard.inline_keyboard if screen.keyboard else ():
            for button in row:
                assert button.text.strip()
                assert 1 <= len(str(button.callback_data).encode()) <= 64


@pytest.mark.parametrize("lang", LANGUAGES, ids=[language.code for language in LANGUAGES])
def test_no_french_reaches_a_reader_of_another_language(lang: Language) -> None:
    if lang.code == "fr":
        return
    french = {parse_html(s.text).text for s in every_screen("fr")}
    for screen in every_screen(lang.code):
        assert parse_html(screen.text).text not in french

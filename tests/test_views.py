"""Every screen, in every language, is a message Telegram accepts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.workshops import Offer
from bot.emulator.entities import parse_html, utf16_length
from bot.i18n import LANGUAGES, RLM, Catalogs, Language, Translator
from bot.knowledge import load_knowledge_base
from bot.knowledge.workshops import load_catalogue
from bot.storage import Person, Registration, Session
from bot.views import language, menu, privacy, workshops
from bot.views.screen import Screen

CATALOGS = Catalogs()
BASE = load_knowledge_base(datetime(2026, 11, 26, tzinfo=UTC).date())
PERSON = Person(123456789, "ps", datetime(2026, 1, 2, 8, 0, tzinfo=UTC), datetime.now(UTC))


ZONE = ZoneInfo("Europe/Paris")
CATALOGUE = load_catalogue()
START = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)


def offer(seats_taken: int, place: str | None = "cesam") -> Offer:
    session = Session(
        id=7,
        workshop="logement",
        starts_at=START,
        ends_at=START + timedelta(hours=2),
        capacity=3,
        place=place,
        cancelled_at=None,
        registered=seats_taken,
        waiting=0,
    )
    workshop = CATALOGUE.workshop("logement")
    assert workshop is not None
    return Offer(session, workshop, CATALOGUE.place(place))


def workshop_screens(t: Translator) -> list[Screen]:
    free, full, nowhere = offer(1), offer(3), offer(0, place=None)
    seat = Registration(free.session, "registered", None)
    queue = Registration(full.session, "waiting", 2)
    return [
        workshops.upcoming(t, [free, full, nowhere], ZONE),
        workshops.upcoming(t, [], ZONE),
        workshops.session_page(t, free, None, ZONE, open_for_registration=True),
        workshops.session_page(t, full, None, ZONE, open_for_registration=True),
        workshops.session_page(t, free, seat, ZONE, open_for_registration=True),
        workshops.session_page(t, full, queue, ZONE, open_for_registration=True),
        workshops.session_page(t, nowhere, None, ZONE, open_for_registration=False),
        workshops.confirm_cancel(t, free, ZONE),
        workshops.cancelled(t, was_waiting=False),
        workshops.cancelled(t, was_waiting=True),
        workshops.mine(t, [(free, seat), (full, queue)], ZONE),
        workshops.mine(t, [], ZONE),
        Screen(workshops.registered(t, free, ZONE)),
        Screen(workshops.waiting(t, full, 2)),
        Screen(workshops.promoted(t, free, ZONE)),
        Screen(workshops.closed(t)),
        Screen(workshops.ics_caption(t)),
        workshops.reminder(t, free, ZONE),
        workshops.reminder(t, nowhere, ZONE),
        Screen(workshops.session_cancelled(t, free, ZONE)),
    ]


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
        *workshop_screens(t),
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


def test_the_list_of_sessions_shows_the_soonest_twenty() -> None:
    t = CATALOGS.translator("en")
    many = [offer(0) for _ in range(30)]
    screen = workshops.upcoming(t, many, ZONE)
    assert screen.keyboard is not None
    sessions = [
        b for row in screen.keyboard.inline_keyboard for b in row
        if str(b.callback_data).startswith("ws:s:")
    ]  # fmt: skip
    assert len(sessions) == workshops.MAX_LISTED

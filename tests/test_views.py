"""Every screen, in every language, is a message Telegram accepts."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from bot.domain.workshops import Offer, Reason, SessionError, read_session_line
from bot.emulator.entities import parse_html, utf16_length
from bot.i18n import LANGUAGES, RLM, Catalogs, Language, Translator
from bot.knowledge import load_knowledge_base
from bot.knowledge.workshops import load_catalogue
from bot.storage import Person, Registrant, Registration, Session
from bot.views import language, menu, privacy, staff, workshops
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
    seat = Registration(free.session, "registered", None, 11)
    queue = Registration(full.session, "waiting", 2, 12)
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


def staff_screens(t: Translator) -> list[Screen]:
    free, nowhere = offer(2), offer(0, place=None)
    people = [
        Registrant(31, 1, "registered", None, START, attended=True),
        Registrant(32, 2, "registered", None, START, attended=False),
        Registrant(33, 3, "waiting", 1, START, attended=False),
    ]
    workshop, place = free.workshop, free.place
    line = read_session_line("03/12/2030 14:00 12", ZONE, date(2030, 1, 1))
    notices = [
        staff.capacity_changed(t, 1, 1, 0),
        staff.capacity_changed(t, 3, 0, 2),
        staff.session_cancelled(t),
        staff.session_created(t),
        staff.closed(t),
    ]
    return [
        staff.home(t, [free, nowhere], ZONE, START - timedelta(days=1)),
        staff.home(t, [], ZONE, START),
        staff.session(t, free, people, ZONE, is_open=True),
        staff.session(t, nowhere, [], ZONE, is_open=False),
        *(staff.session(t, free, people, ZONE, is_open=True, notice=n) for n in notices),
        staff.attendance(t, free, people, ZONE),
        staff.attendance(t, nowhere, [], ZONE),
        staff.ask_capacity(t, free),
        staff.confirm_capacity(t, free, 1, people[1:2]),
        staff.confirm_capacity(t, free, 0, people[:2]),
        Screen(staff.not_a_capacity(t)),
        staff.confirm_cancel(t, free, ZONE),
        staff.choose_workshop(t, CATALOGUE.workshops),
        staff.choose_place(t, workshop, CATALOGUE.places),
        staff.ask_moment(t, workshop),
        *(Screen(staff.not_a_session(t, reason)) for reason in get_args(Reason)),
        staff.confirm_new(t, workshop, place, line, line.starts_at + timedelta(hours=2), ZONE),
        staff.confirm_new(t, workshop, None, line, line.starts_at + timedelta(hours=2), ZONE),
        Screen(staff.link_caption(t, free, "https://t.me/ensemble_bot?start=s7")),
        Screen(workshops.back_to_waiting(t, free, ZONE, 1)),
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
        *staff_screens(t),
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


def test_staff_read_a_session_in_one_line() -> None:
    paris = ZoneInfo("Europe/Paris")
    today = date(2026, 11, 26)
    line = read_session_line("03/12/2026 14:00-16:30 12", paris, today)
    assert (line.starts_at.isoformat(), line.capacity) == ("2026-12-03T14:00:00+01:00", 12)
    assert line.ends_at is not None
    assert line.ends_at.hour == 16
    assert line.ends_at.minute == 30
    assert read_session_line("2026-12-03 9h30 4", paris, today).starts_at.hour == 9
    # A day without a year is the next one to come.
    assert read_session_line("5/1 10:00 8", paris, today).starts_at.year == 2027
    assert read_session_line("28/11 10:00 8", paris, today).starts_at.year == 2026
    for wrong, reason in [
        ("demain 14h 3", "format"),
        ("31/02/2027 10:00 3", "format"),
        ("03/12/2026 25:00 3", "format"),
        ("29/03/2026 02:30 3", "clock-change"),
    ]:
        with pytest.raises(SessionError) as raised:
            read_session_line(wrong, paris, today)
        assert raised.value.reason == reason


def test_staff_exports_open_in_a_spreadsheet() -> None:
    t = CATALOGS.translator("fr")
    people = [
        Registrant(31, 1, "registered", None, START, attended=True),
        Registrant(33, 3, "waiting", 1, START, attended=False),
    ]
    content = staff.registrants_csv(t, [(offer(1), people)], ZONE)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][6:] == [
        "numéro d'inscription", "statut", "place en liste d'attente", "inscrit le", "présent"
    ]  # fmt: skip
    assert rows[1][6:] == [
        "31",
        "inscrit",
        "",
        START.astimezone(ZONE).strftime("%Y-%m-%d %H:%M"),
        "oui",
    ]
    assert rows[2][6:8] == ["33", "en attente"]
    png = staff.qr_png("https://t.me/ensemble_bot?start=s7")
    assert png.startswith(b"\x89PNG")
    assert len(png) > 500

"""Every screen, in every language, is a message Telegram accepts."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from bot.domain.consent import Consent
from bot.domain.indicators import ReportPeriod
from bot.domain.people import PersonData
from bot.domain.platform import PlatformLibrary
from bot.domain.profile import QUESTIONS, AgeBand, Gender, Profile, Status
from bot.domain.relay import Card
from bot.domain.staff_records import Reason as RecordReason
from bot.domain.workshops import Offer, Reason, SessionError, read_session_line
from bot.emulator.entities import parse_html, utf16_length
from bot.i18n import LANGUAGES, RLM, Catalogs, Language, Translator
from bot.knowledge import load_knowledge_base
from bot.knowledge.sample_fiches import SAMPLE_FICHES_PATH
from bot.knowledge.workshops import load_catalogue
from bot.storage import Person, Registrant, Registration, Session
from bot.storage.platform_fiches import fiche_from_json
from bot.storage.records import AuditEntry, Enrolment, HousingOutcome, Place, VolunteerRole
from bot.views import (
    guidance,
    language,
    menu,
    platform,
    privacy,
    relay,
    staff,
    staff_records,
    workshops,
)
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
        staff.confirm_cancel(t, nowhere, ZONE),
        staff.choose_workshop(t, CATALOGUE.workshops),
        staff.choose_place(t, workshop, CATALOGUE.places),
        staff.ask_moment(t, workshop),
        *(Screen(staff.not_a_session(t, reason)) for reason in get_args(Reason)),
        staff.confirm_new(t, workshop, place, line, line.starts_at + timedelta(hours=2), ZONE),
        staff.confirm_new(t, workshop, None, line, line.starts_at + timedelta(hours=2), ZONE),
        Screen(staff.link_caption(t, free, "https://t.me/ensemble_bot?start=s7")),
        Screen(workshops.back_to_waiting(t, free, ZONE, 1)),
        staff.session(t, free, people, ZONE, is_open=True, cohosted=False),
        staff.session(t, nowhere, [], ZONE, is_open=False, cohosted=True),
        *records_screens(t),
    ]


def records_screens(t: Translator) -> list[Screen]:
    """The staff's records, their audit log and the report (« Suivi et rapport »)."""
    today = date(2026, 11, 26)
    role = VolunteerRole(5, 123456789, "co-animation <b>", date(2026, 3, 2), None)
    this_year = ReportPeriod(date(2026, 1, 1), today)
    periods: list[tuple[staff_records.PeriodKind, ReportPeriod]] = [
        ("year", this_year),
        ("12-months", ReportPeriod(date(2025, 11, 27), today)),
        ("contract", ReportPeriod(date(2023, 10, 15), date(2024, 10, 15))),
    ]
    ref = "a1b2c3d4e5f6"
    entries = [
        AuditEntry(3, START, 7001, "enrol", 31, ref, "entrée en accompagnement le 02/11/2026"),
        AuditEntry(2, START, None, "session", None, None, "séance 7 créée en ligne de commande"),
        AuditEntry(1, START, 7001, "end_volunteer_role", None, ref, "fin du rôle « x & y »"),
        AuditEntry(0, START, 7002, "a-kind-added-later", None, None, "…"),
    ]
    notices = [
        staff_records.enrolled(t, 31, 4, today),
        staff_records.support_ended(t, 31, 1, today),
        staff_records.housed(t, 31, today),
        staff_records.role_added(t, 31, "traduction", today),
        staff_records.role_ended(t, "traduction", today),
        staff_records.training_added(t, "MJC des Grésilles", "association", 150, today),
        staff_records.cohosted(t, cohosted=True),
        staff_records.cohosted(t, cohosted=False),
    ]
    problems = [
        *(staff_records.refused(t, reason) for reason in get_args(RecordReason)),
        *(staff_records.mistake(t, what) for what in get_args(staff_records.Mistake)),
        staff_records.no_current_role(t, 31),
    ]
    questions = [
        lambda problem: staff_records.ask_enrol(t, 4, today, problem),
        lambda problem: staff_records.ask_end_support(t, 1, today, problem),
        lambda problem: staff_records.ask_housing(t, today, problem),
        lambda problem: staff_records.ask_role(t, today, problem),
        lambda problem: staff_records.ask_role_person(t, problem),
        lambda problem: staff_records.ask_role_end(t, role, today, problem),
        lambda problem: staff_records.ask_training_name(t, problem),
        lambda problem: staff_records.ask_training_type(t, "CCAS & co", problem),
        lambda problem: staff_records.ask_training_hours(t, "CCAS", "association", today, problem),
        lambda problem: staff_records.ask_dates(t, today, problem),
    ]
    return [
        staff_records.home(t),
        *(staff_records.home(t, notice) for notice in notices),
        staff_records.choose_support(t, ending=False),
        staff_records.choose_support(t, ending=True),
        *(ask(None) for ask in questions),
        *(ask(problem) for ask in questions for problem in problems),
        staff_records.choose_role(t, 31, [role, role]),
        staff_records.audit_log(t, entries, ZONE),
        staff_records.audit_log(t, entries * 10, ZONE),
        staff_records.audit_log(t, [], ZONE),
        staff_records.choose_period(t, periods),
        staff_records.choose_format(t, this_year),
        Screen(staff_records.report_caption(t, this_year)),
    ]


SAMPLE = json.loads(SAMPLE_FICHES_PATH.read_text(encoding="utf-8"))
LIBRARY = PlatformLibrary(
    [fiche_from_json(f) for f in SAMPLE["fiches"] if not f["ours"]], SAMPLE["themes"]
)


def platform_screens(t: Translator) -> list[Screen]:
    readings = [r for f in LIBRARY.fiches if (r := LIBRARY.reading(f, t.code)) is not None]
    also = [platform.reading_button(r, marked=True) for r in readings[:2]]
    return [
        platform.themes(t, LIBRARY, "Côte-d'Or"),
        platform.themes(t, PlatformLibrary(), "Côte-d'Or"),
        *(platform.theme(t, LIBRARY, theme_id) for theme_id, _ in LIBRARY.themes()),
        *(platform.fiche(t, reading, also=also) for reading in readings),
    ]


def privacy_screens(t: Translator) -> list[Screen]:
    retention = timedelta(days=730)
    full = Profile(Status.REFUGEE, Gender.WOMAN, AgeBand.PREFER_NOT, 7)
    data = PersonData(
        person=PERSON,
        consent=Consent("2026-11", START),
        profile=full,
        places=(
            Place(31, 7, "logement", START, "registered", attended=True),
            Place(32, 8, "sortie", START, "waiting", attended=False),
        ),
        enrolments=(
            Enrolment(1, PERSON.telegram_id, 4, START.date(), None),
            Enrolment(2, PERSON.telegram_id, 1, START.date(), START.date()),
        ),
        housing=HousingOutcome(PERSON.telegram_id, START.date()),
        volunteer_roles=(VolunteerRole(1, PERSON.telegram_id, "accueil", START.date(), None),),
        audit_reference=None,
    )
    bare = PersonData(PERSON, None, None, (), (), None, (), None)
    titles = {w.slug: t.gettext(w.title) for w in CATALOGUE.workshops}
    return [
        privacy.consent_notice(t, "7", retention),
        privacy.consent_full(t, "p", retention),
        Screen(privacy.consent_declined(t)),
        privacy.profile_offer(t),
        *(privacy.profile_question(t, q, after) for q in QUESTIONS for after in ("n", "s")),
        privacy.profile_summary(t, Profile()),
        privacy.profile_summary(t, full, notice=privacy.profile_thanks(t)),
        privacy.profile_declined(t),
        privacy.my_data(t, data, ZONE, titles),
        privacy.my_data(t, bare, ZONE, titles),
        privacy.confirm_forget(t),
        privacy.confirm_forget(t, talked_to_team=True),
        privacy.forgotten(t),
        privacy.nothing_kept(t),
    ]


def relay_screens(t: Translator) -> list[Screen]:
    """« Talk to the team »: the person's side, the staff group's, and the menus with it."""
    seat = Registration(offer(1).session, "registered", None, 11)
    queue = Registration(offer(3).session, "waiting", 2, 12)
    full = Card(42, "ar", START, START, ((offer(1), seat), (offer(3), queue)), open=True)
    bare = Card(7, None, START, None, (), open=False)
    entry = next(e for e in BASE.entries() if e.emergency)
    return [
        menu.greeting(t, BASE, relay=True),
        menu.main_menu(t, BASE, relay=True),
        menu.not_text(t, BASE, spoken=True, relay=True),
        guidance.no_answer(t, BASE, relay=True),
        guidance.entry_page(t, BASE, entry, relay=True),
        relay.talking(t, None, ZONE),
        relay.talking(t, START, ZONE),
        relay.sent(t, None, ZONE),
        relay.sent(t, START, ZONE),
        relay.team_wrote(t),
        relay.ended_by_team(t),
        relay.ended(t),
        relay.nothing_to_end(t),
        Screen(t.finish(relay.back_with_the_assistant(t))),
        relay.not_delivered(t),
        relay.card(t, full, ZONE),
        relay.card(t, bare, ZONE, notice=relay.topic_recreated(t)),
        relay.closed_by_staff(t),
        relay.ended_by_person(t),
        relay.blocked(t),
        relay.refused(t),
        relay.urgent(t),
        relay.person_left(t),
        relay.person_left(t, purged=True),
        Screen(t.finish(relay.left_topic_name(t, 42))),
        relay.only_in_a_topic(t),
        relay.nobody_here(t),
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
        *platform_screens(t),
        *privacy_screens(t),
        *relay_screens(t),
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

"""The relay's rules and storage: topic names, the card's facts, conversations that survive
restarts, numbers never given twice, and forgetting (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.domain.opening_hours import parse_opening_hours
from bot.domain.relay import Relay, clean_first_name, reference, topic_name
from bot.domain.workshops import Workshops
from bot.knowledge.workshops import load_catalogue
from bot.storage import RelayRepository, SessionRepository, UserRepository

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # a Thursday, 10:00 in Paris
PARIS = ZoneInfo("Europe/Paris")
AMINA, KARIM = 501, 502


def test_numbers_have_four_digits_and_more_when_needed() -> None:
    assert reference(42) == "#0042"
    assert reference(12345) == "#12345"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("Amina", "Amina"),
        ("  Amina\n\tBenali  ", "Amina Benali"),
        ("Ami\u202ena", "Ami na"),  # a right-to-left override could disguise the title
        ("\u200b\u2066", "?"),
        ("", "?"),
        (None, "?"),
        ("x" * 40, "x" * 31 + "…"),
        ("فرزانه\u200cها", "فرزانه\u200cها"),  # Persian spelling keeps its non-joiner
    ],
)
def test_a_first_name_is_cleaned_and_cut(given: str | None, shown: str) -> None:
    assert clean_first_name(given) == shown


def test_a_topic_is_named_by_number_first_name_and_language() -> None:
    assert topic_name(42, "Amina", "ar") == "#0042 · Amina · ar"
    assert topic_name(7, "أمينة", "ar") == "#0007 · \u2068أمينة\u2069 · ar"
    assert topic_name(7, None, None) == "#0007 · ? · ?"
    assert len(topic_name(10**9, "x" * 500, "uk")) <= 128


@pytest.fixture
def relay(engine: Engine) -> tuple[Relay, list[datetime]]:
    now = [T0]
    users = UserRepository(engine)
    for person in (AMINA, KARIM):
        users.set_language(person, "ar" if person == AMINA else "uk", T0 - timedelta(days=30))
    workshops = Workshops(SessionRepository(engine), load_catalogue())
    hours = parse_opening_hours("mon-fri 09:00-17:00")
    return Relay(RelayRepository(engine), users, workshops, hours, PARIS, lambda: now[0]), now


def test_a_conversation_is_opened_written_to_and_confirmed_once(
    relay: tuple[Relay, list[datetime]],
) -> None:
    service, now = relay
    assert service.conversation(AMINA) is None
    opened = service.start_talking(AMINA)
    assert (opened.state, opened.talking, opened.acknowledged) == ("open", True, False)
    assert opened.topic_in(-100) is None

    service.note_written(AMINA)
    first = service.delivered(opened)
    assert (first.confirm, first.next_opening) == (True, None)  # open at 10:00 on Thursday
    again = service.conversation(AMINA)
    assert again is not None
    assert service.delivered(again).confirm is False
    assert again.first_written_at == T0

    # Back to the assistant, then talking again: confirmed again, outside hours this time.
    service.stop_talking(AMINA)
    now[0] = T0 + timedelta(hours=10)  # 20:00 in Paris
    service.note_written(AMINA)
    later = service.delivered(service.start_talking(AMINA))
    assert later.confirm
    assert later.next_opening == datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
    stored = service.conversation(AMINA)
    assert stored is not None
    assert stored.first_written_at == T0  # the first time is kept


def test_topics_are_found_again_after_a_restart_and_numbers_are_never_reused(
    engine: Engine, relay: tuple[Relay, list[datetime]]
) -> None:
    service, _ = relay
    amina = service.start_talking(AMINA)
    karim = service.start_talking(KARIM)
    assert karim.number == amina.number + 1
    service.topic_created(AMINA, -100, 11)
    service.topic_created(KARIM, -100, 12)

    # A new repository is what a restarted bot has.
    fresh = RelayRepository(engine)
    found = fresh.by_topic(-100, 12)
    assert found is not None
    assert (found.telegram_id, found.topic_in(-100), found.topic_in(-200)) == (KARIM, 12, None)
    assert fresh.by_topic(-200, 12) is None

    assert service.end(KARIM) is True
    assert service.end(KARIM) is False  # already closed
    closed = fresh.get(KARIM)
    assert closed is not None
    assert (closed.state, closed.talking) == ("closed", False)

    gone = service.forget(KARIM)
    assert gone is not None
    assert gone.thread_id == 12
    assert service.forget(KARIM) is None
    # Someone new never gets Karim's number, even though his was the last one.
    UserRepository(engine).set_language(503, "fr", T0)
    assert service.start_talking(503).number == karim.number + 1


def test_forgetting_a_person_deletes_their_conversation(
    engine: Engine, relay: tuple[Relay, list[datetime]]
) -> None:
    service, _ = relay
    service.start_talking(AMINA)
    assert UserRepository(engine).forget(AMINA)
    assert service.conversation(AMINA) is None


def test_the_card_tells_language_dates_and_sessions_to_come(
    engine: Engine, relay: tuple[Relay, list[datetime]]
) -> None:
    service, _ = relay
    workshops = Workshops(SessionRepository(engine), load_catalogue())
    offer = workshops.add_session("logement", T0 + timedelta(days=3), None, 1, "cesam", T0)
    workshops.register(offer.session.id, KARIM, T0)
    workshops.register(offer.session.id, AMINA, T0)
    service.start_talking(AMINA)
    service.note_written(AMINA)
    stored = service.conversation(AMINA)
    assert stored is not None
    card = service.card(stored)
    assert card is not None
    assert (card.number, card.language, card.open) == (stored.number, "ar", True)
    assert card.first_seen == T0 - timedelta(days=30)
    assert card.first_written == T0
    ((shown, registration),) = card.places
    assert shown.session.id == offer.session.id
    assert (registration.status, registration.position) == ("waiting", 1)

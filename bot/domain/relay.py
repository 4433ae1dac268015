"""The relay between a person and the team: who talks with the team, their topic in the
staff group (its name, its card), and when the team will read them.

A conversation is *open* until staff `/close` it or the person `/end`s it; while it is open,
staff replies reach the person. The person is *talking* while their free text goes to the
team rather than to search (« Talk to the team » turns it on, « Back to the assistant »
off). Telegram I/O is the handlers' business; the rules are here.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.opening_hours import OpeningHours
from bot.domain.workshops import Offer, Workshops
from bot.i18n import SOURCE_LANGUAGE
from bot.storage import Conversation, Registration, RelayRepository, UserRepository

# The staff group is read by the whole team, in its working language.
TEAM_LANGUAGE = SOURCE_LANGUAGE
MAX_FIRST_NAME = 32
# Invisible characters worth keeping in a name: Persian and Arabic spelling needs them.
_JOINERS = frozenset({"\u200c", "\u200d"})
FSI, PDI = "\u2068", "\u2069"


def reference(number: int) -> str:
    """« #0042 »: how staff name a conversation (four digits, more when needed)."""
    return f"#{number:04d}"


def clean_first_name(name: str | None) -> str:
    """A first name as a topic's title can show it: one line, without control or
    direction characters (which could hide or reorder the rest of the title), cut to
    MAX_FIRST_NAME characters; « ? » when nothing is left."""
    kept = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) and ch not in _JOINERS else ch
        for ch in name or ""
    )
    words = " ".join(kept.split())
    if len(words) > MAX_FIRST_NAME:
        words = words[: MAX_FIRST_NAME - 1].rstrip() + "…"
    return words or "?"


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def topic_name(number: int, first_name: str | None, language: str | None) -> str:
    """« #0042 · Amina · ar »: the number first (staff search by it), the first name, the
    language the person reads. An Arabic or Persian name is isolated, so the number and
    the language code stay where they are written."""
    name = clean_first_name(first_name)
    if _right_to_left(name):
        name = f"{FSI}{name}{PDI}"
    return " · ".join([reference(number), name, language or "?"])


@dataclass(frozen=True)
class Card:
    """What staff see at the top of a person's topic (and with /info): never a name or an
    account, only what helps to answer."""

    number: int
    language: str | None
    first_seen: datetime  # when the person first wrote to the assistant
    first_written: datetime | None  # when they first wrote to the team
    places: tuple[tuple[Offer, Registration], ...]  # their sessions to come
    open: bool


@dataclass(frozen=True)
class Delivery:
    """What the person is told when their message goes to the team."""

    confirm: bool  # the first message since they started talking: say it arrived
    next_opening: datetime | None  # the team is away: when it will read it


class Relay:
    """The rules of the relay over its storage; one short transaction per call."""

    def __init__(
        self,
        conversations: RelayRepository,
        users: UserRepository,
        workshops: Workshops,
        hours: OpeningHours,
        zone: ZoneInfo,
        clock: Callable[[], datetime],
    ) -> None:
        self.conversations = conversations
        self._users = users
        self._workshops = workshops
        self.hours = hours
        self.zone = zone
        self._clock = clock

    def conversation(self, person: int) -> Conversation | None:
        return self.conversations.get(person)

    def by_topic(self, staff_chat_id: int, thread_id: int) -> Conversation | None:
        return self.conversations.by_topic(staff_chat_id, thread_id)

    def next_opening(self) -> datetime | None:
        """When the team next reads messages; None while it does."""
        return self.hours.next_opening(self._clock(), self.zone)

    def start_talking(self, person: int) -> Conversation:
        """« Talk to the team », or staff writing to them: the conversation is open and
        their free text goes to the team."""
        return self.conversations.open(person, self._clock())

    def stop_talking(self, person: int) -> None:
        self.conversations.stop_talking(person)

    def end(self, person: int) -> bool:
        """/close or /end; False if the conversation was not open."""
        return self.conversations.close(person)

    def note_written(self, person: int) -> None:
        """The person writes to the team (the first time shows on their topic's card)."""
        self.conversations.written(person, self._clock())

    def delivered(self, conversation: Conversation) -> Delivery:
        """The person's message reached their topic: what to tell them."""
        if conversation.acknowledged:
            return Delivery(confirm=False, next_opening=None)
        self.conversations.acknowledge(conversation.telegram_id)
        return Delivery(confirm=True, next_opening=self.next_opening())

    def topic_created(self, person: int, staff_chat_id: int, thread_id: int) -> None:
        self.conversations.topic_created(person, staff_chat_id, thread_id, self._clock())

    def topic_closed(self, person: int, closed: bool) -> None:
        self.conversations.topic_closed(person, closed)

    def card(self, conversation: Conversation) -> Card | None:
        """The card of a person's topic; None if they are gone."""
        person = self._users.get(conversation.telegram_id)
        if person is None:
            return None
        places = self._workshops.of_person(conversation.telegram_id, self._clock())
        return Card(
            number=conversation.number,
            language=person.language,
            first_seen=person.first_seen,
            first_written=conversation.first_written_at,
            places=tuple(places),
            open=conversation.state == "open",
        )

    def forget(self, person: int) -> Conversation | None:
        """The person leaves (/forget): their conversation goes; what it was, or None."""
        return self.conversations.forget(person)

"""Workshops as people and staff meet them: sessions with their kind and place, registering,
the waiting list, cancelling. Rules of time and validity live here; seats in storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.knowledge.workshops import Catalogue, Place, Workshop
from bot.storage import Registration, Session, SessionRepository

# Deep links carry `s<session id>`: `https://t.me/<bot>?start=s12`.
DEEP_LINK_PREFIX = "s"


class SessionError(ValueError):
    """A session cannot be created as asked; the message says why, in one line."""


@dataclass(frozen=True)
class Offer:
    """A session with what people need to know about it."""

    session: Session
    workshop: Workshop
    place: Place | None

    @property
    def payload(self) -> str:
        return f"{DEEP_LINK_PREFIX}{self.session.id}"


@dataclass(frozen=True)
class Outcome:
    """What a press on Register or Cancel did."""

    kind: Literal["registered", "waiting", "already", "cancelled", "closed", "nothing"]
    offer: Offer | None
    position: int | None = None  # on the waiting list
    promoted: int | None = None  # who got the freed seat


def session_id_from_payload(payload: str) -> int | None:
    """The session of a deep link's payload, or None if it is not one."""
    digits = payload.removeprefix(DEEP_LINK_PREFIX)
    if payload.startswith(DEEP_LINK_PREFIX) and digits.isdigit() and len(digits) <= 9:
        return int(digits)
    return None


def deep_link(username: str | None, payload: str) -> str:
    """The link that opens a session in Telegram; only `?start=…` before the bot's first run."""
    return f"https://t.me/{username}?start={payload}" if username else f"?start={payload}"


class Workshops:
    """Thread-safe: every call is one or two short transactions."""

    def __init__(self, sessions: SessionRepository, catalogue: Catalogue) -> None:
        self._sessions = sessions
        self.catalogue = catalogue

    def _offer(self, session: Session | None) -> Offer | None:
        if session is None:
            return None
        workshop = self.catalogue.workshop(session.workshop)
        if workshop is None:  # a kind removed from the catalogue: its sessions are hidden
            return None
        return Offer(session, workshop, self.catalogue.place(session.place))

    def offer(self, session_id: int) -> Offer | None:
        return self._offer(self._sessions.get(session_id))

    def upcoming_sessions(self, now: datetime) -> list[Session]:
        return self._sessions.upcoming(now)

    def upcoming(self, now: datetime) -> list[Offer]:
        return [o for s in self._sessions.upcoming(now) if (o := self._offer(s)) is not None]

    def is_open(self, offer: Offer, now: datetime) -> bool:
        """A session can be joined until it starts, unless cancelled."""
        return offer.session.cancelled_at is None and offer.session.starts_at > now

    def register(self, session_id: int, person: int, now: datetime) -> Outcome:
        offer = self.offer(session_id)
        if offer is None or not self.is_open(offer, now):
            return Outcome("closed", offer)
        before = self._sessions.registration(session_id, person)
        registration = self._sessions.register(session_id, person, now)
        if registration is None:
            return Outcome("closed", offer)
        fresh = self._offer(registration.session)
        if before is not None and before.status != "cancelled":
            # Pressed twice, or replayed after a crash: the same place, nothing to send again.
            return Outcome("already", fresh, position=registration.position)
        if registration.status == "waiting":
            return Outcome("waiting", fresh, position=registration.position)
        return Outcome("registered", fresh)

    def cancel(self, session_id: int, person: int, now: datetime) -> Outcome:
        """Give up a seat or a waiting place. A seat freed in a session that has started or
        was cancelled goes to no one: nobody is told « good news » for a session that is over."""
        offer = self.offer(session_id)
        open_still = offer is not None and self.is_open(offer, now)
        cancelled, promoted = self._sessions.cancel(session_id, person, now, promote=open_still)
        offer = self.offer(session_id)
        if not cancelled:
            return Outcome("nothing", offer)
        return Outcome("cancelled", offer, promoted=promoted)

    def registration(self, session_id: int, person: int) -> Registration | None:
        found = self._sessions.registration(session_id, person)
        return found if found is not None and found.status != "cancelled" else None

    def places_kept(self, person: int) -> int:
        """How many registrations are stored for a person, cancelled ones included (for
        « Mes données »: everything kept is shown)."""
        return self._sessions.count_of_person(person)

    def of_person(self, person: int, now: datetime) -> list[tuple[Offer, Registration]]:
        """A person's places in sessions still to come."""
        found = []
        for registration in self._sessions.of_person(person):
            offer = self._offer(registration.session)
            if offer is not None and self.is_open(offer, now):
                found.append((offer, registration))
        return found

    def add_session(
        self,
        workshop: str,
        starts_at: datetime,
        ends_at: datetime | None,
        capacity: int,
        place: str | None,
        now: datetime,
    ) -> Offer:
        kind = self.catalogue.workshop(workshop)
        if kind is None:
            known = ", ".join(w.slug for w in self.catalogue.workshops)
            raise SessionError(f"unknown workshop {workshop!r} (known: {known})")
        if place is not None and self.catalogue.place(place) is None:
            known = ", ".join(p.slug for p in self.catalogue.places)
            raise SessionError(f"unknown place {place!r} (known: {known})")
        if capacity < 1:
            raise SessionError("the capacity must be at least 1")
        if starts_at <= now:
            raise SessionError("the start is in the past")
        ends = ends_at or starts_at + timedelta(minutes=kind.duration)
        if ends <= starts_at:
            raise SessionError("the end must come after the start")
        session = self._sessions.add(workshop, starts_at, ends, capacity, place, now)
        offer = self._offer(session)
        assert offer is not None  # noqa: S101 - its workshop was just checked
        return offer

    def cancel_session(self, session_id: int, now: datetime) -> list[int]:
        """Cancel a session; the people to tell."""
        return self._sessions.cancel_session(session_id, now)

    def all_offers(self) -> list[Offer]:
        return [o for s in self._sessions.all() if (o := self._offer(s)) is not None]

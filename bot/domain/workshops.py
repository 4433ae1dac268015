"""Workshops as people and staff meet them: sessions with their kind and place, registering,
the waiting list, cancelling. Rules of time and validity live here; seats in storage."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from bot.knowledge.workshops import Catalogue, Place, Workshop
from bot.storage import CapacityChange, Registrant, Registration, Session, SessionRepository

# Deep links carry `s<session id>`: `https://t.me/<bot>?start=s12`.
DEEP_LINK_PREFIX = "s"
# Staff see sessions from this long ago, to take attendance after the fact.
STAFF_LOOK_BACK = timedelta(days=30)

Reason = Literal[
    "workshop", "place", "capacity", "past", "end", "clock-change", "format", "session"
]


class SessionError(ValueError):
    """A session cannot be created as asked; the message says why, in one line (for the
    command line), the reason says it for a translated message."""

    def __init__(self, message: str, reason: Reason) -> None:
        super().__init__(message)
        self.reason = reason


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


def local_moment(moment: datetime, zone: tzinfo) -> datetime:
    """A date and time without an offset, read in the local time zone. At a clock change,
    02:30 may not exist (spring) or exist twice (autumn): refused rather than guessed."""
    if moment.tzinfo is not None:
        return moment
    local = moment.replace(tzinfo=zone)
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment or (
        local.replace(fold=1).utcoffset() != local.utcoffset()
    ):
        raise SessionError(
            f"{moment.isoformat()} falls in a clock change in BOT_TIMEZONE: give an offset "
            "(for example +01:00)",
            "clock-change",
        )
    return local


@dataclass(frozen=True)
class SessionLine:
    """What staff typed for a new session: « 03/12/2026 14:00-16:00 12 »."""

    starts_at: datetime
    ends_at: datetime | None
    capacity: int


_SESSION_LINE = re.compile(
    r"^\s*(?:(?P<d>\d{1,2})[/.](?P<m>\d{1,2})(?:[/.](?P<y>\d{4}))?"
    r"|(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"\s+(?P<h>\d{1,2})[:h](?P<min>\d{2})"
    r"(?:\s*-\s*(?P<eh>\d{1,2})[:h](?P<emin>\d{2}))?"
    r"\s+(?P<capacity>\d{1,4})\s*$"
)


def read_session_line(text: str, zone: tzinfo, today: date) -> SessionLine:
    """Day, start (and end) time, seats, in local time; a day without a year is the next
    one to come."""
    found = _SESSION_LINE.match(text)
    if found is None:
        raise SessionError("expected « DD/MM/YYYY HH:MM[-HH:MM] SEATS »", "format")
    parts = found.groupdict()
    try:
        if parts["iy"]:
            day = date(int(parts["iy"]), int(parts["im"]), int(parts["id"]))
        else:
            day = date(int(parts["y"] or today.year), int(parts["m"]), int(parts["d"]))
            if parts["y"] is None and day < today:
                day = day.replace(year=today.year + 1)
        start = time(int(parts["h"]), int(parts["min"]))
        end = time(int(parts["eh"]), int(parts["emin"])) if parts["eh"] else None
    except ValueError:
        raise SessionError("no such day or time", "format") from None
    starts_at = local_moment(datetime.combine(day, start), zone)
    ends_at = local_moment(datetime.combine(day, end), zone) if end else None
    return SessionLine(starts_at, ends_at, int(parts["capacity"]))


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

    def check_session(
        self,
        workshop: str,
        starts_at: datetime,
        ends_at: datetime | None,
        capacity: int,
        place: str | None,
        now: datetime,
    ) -> datetime:
        """Refuse a session that cannot be (SessionError, with its reason); its end."""
        kind = self.catalogue.workshop(workshop)
        if kind is None:
            known = ", ".join(w.slug for w in self.catalogue.workshops)
            raise SessionError(f"unknown workshop {workshop!r} (known: {known})", "workshop")
        if place is not None and self.catalogue.place(place) is None:
            known = ", ".join(p.slug for p in self.catalogue.places)
            raise SessionError(f"unknown place {place!r} (known: {known})", "place")
        if capacity < 1:
            raise SessionError("the capacity must be at least 1", "capacity")
        if starts_at <= now:
            raise SessionError("the start is in the past", "past")
        ends = ends_at or starts_at + timedelta(minutes=kind.duration)
        if ends <= starts_at:
            raise SessionError("the end must come after the start", "end")
        return ends

    def add_session(
        self,
        workshop: str,
        starts_at: datetime,
        ends_at: datetime | None,
        capacity: int,
        place: str | None,
        now: datetime,
    ) -> Offer:
        ends = self.check_session(workshop, starts_at, ends_at, capacity, place, now)
        session = self._sessions.add(workshop, starts_at, ends, capacity, place, now)
        offer = self._offer(session)
        assert offer is not None  # noqa: S101 - its workshop was just checked
        return offer

    def cancel_session(self, session_id: int, now: datetime) -> list[int] | None:
        """Cancel a session still to come; the people to tell (None: nothing cancelled)."""
        return self._sessions.cancel_session(session_id, now)

    def all_offers(self, since: datetime | None = None) -> list[Offer]:
        """Every session (or those starting after `since`), cancelled ones too."""
        return [o for s in self._sessions.all(since) if (o := self._offer(s)) is not None]

    # ---- staff ----------------------------------------------------------------------
    def staff_offers(self, now: datetime) -> list[Offer]:
        """What staff manage: sessions to come and those of the last weeks (attendance)."""
        return self.all_offers(since=now - STAFF_LOOK_BACK)

    def registrants(self, session_id: int) -> list[Registrant]:
        return self._sessions.registrants(session_id)

    def mark_attended(self, number: int, attended: bool, now: datetime) -> int | None:
        """Present or not; the registration's session, None if there is no such place."""
        return self._sessions.set_attended(number, attended, now)

    @staticmethod
    def would_wait(registrants: list[Registrant], capacity: int) -> list[Registrant]:
        """Who fewer seats would send back to the waiting list: the last to get a seat
        (the storage's rule, shown before it is applied)."""
        seated = [r for r in registrants if r.status == "registered"]
        return seated[capacity:]

    def change_capacity(
        self, session_id: int, capacity: int, now: datetime
    ) -> tuple[Offer, CapacityChange] | None:
        """New number of seats in a session still open; None for one started or cancelled."""
        if capacity < 1:
            raise SessionError("the capacity must be at least 1", "capacity")
        offer = self.offer(session_id)
        if offer is None or not self.is_open(offer, now):
            return None
        change = self._sessions.set_capacity(session_id, capacity, now)
        if change is None:  # cancelled or started meanwhile
            return None
        fresh = self.offer(session_id)
        assert fresh is not None  # noqa: S101 - it was just read
        return fresh, change

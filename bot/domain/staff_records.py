"""What staff record for the contract's indicators, each change with an audit entry.

People are found by a registration number (staff see numbers, never names); partner
structures by their name. The audit log says who (a staff member's Telegram id), what and
when; it names people only by registration number and an opaque reference that is deleted
with them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Literal

from bot.domain.workshops import Workshops
from bot.storage import AuditNote, StaffRecordRepository
from bot.storage.records import AuditEntry, VolunteerRole

# The actions whose individual support staff record (annex 1): fiche 1, social and civic
# integration support; fiche 4, support towards housing.
SUPPORT_ACTIONS = {1: "accompagnement (fiche 1)", 4: "accompagnement vers le logement (fiche 4)"}
MAX_TRAINING_HOURS = Decimal(1000)
MAX_ROLE = 80
MAX_STRUCTURE = 120
MAX_STRUCTURE_TYPE = 60

Reason = Literal[
    "registration",
    "action",
    "already",
    "not-enrolled",
    "dates",
    "hours",
    "text",
    "role",
    "session",
]


class RecordError(ValueError):
    """A record cannot be made as asked; the message says why in one line, the reason says
    it for a translated message."""

    def __init__(self, message: str, reason: Reason) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Recorded:
    """A new record: its id, and whose it is (for the staff's confirmation)."""

    id: int
    telegram_id: int | None = None


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def parse_hours(text: str | Decimal | float) -> int:
    """Hours as staff type them (« 6 », « 1,5 », « 2.25 ») in whole minutes."""
    try:
        hours = Decimal(str(text).strip().replace(",", "."))
    except InvalidOperation:
        raise RecordError(f"not a number of hours: {text!r}", "hours") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_TRAINING_HOURS:
        raise RecordError(
            f"a training lasts more than 0 and at most {MAX_TRAINING_HOURS} hours", "hours"
        )
    return int((hours * 60).to_integral_value())


class StaffRecords:
    """Thread-safe: every call is a few short transactions."""

    def __init__(
        self,
        records: StaffRecordRepository,
        workshops: Workshops,
        clock: Callable[[], datetime],
    ) -> None:
        self._records = records
        self._workshops = workshops
        self._clock = clock

    def _person(self, number: int) -> int:
        person = self._records.person_of_registration(number)
        if person is None:
            raise RecordError(f"no registration number {number}", "registration")
        return person

    # ---- support (fiches 1 and 4) ------------------------------------------------------
    def enrol(self, number: int, action: int, start: date, staff_id: int | None) -> Recorded:
        """Enrol the person of registration `number` in an action's individual support."""
        if action not in SUPPORT_ACTIONS:
            raise RecordError("individual support is recorded for fiches 1 and 4", "action")
        person = self._person(number)
        for enrolment in self._records.enrolments_of(person):
            if enrolment.action == action and enrolment.ended_on is None:
                raise RecordError(
                    f"already in the {SUPPORT_ACTIONS[action]} since {_day(enrolment.started_on)}",
                    "already",
                )
        note = AuditNote(
            staff_id,
            "enrol",
            f"entrée en {SUPPORT_ACTIONS[action]} le {_day(start)}",
            number,
        )
        return Recorded(self._records.enrol(person, action, start, self._clock(), note), person)

    def end_support(self, number: int, action: int, end: date, staff_id: int | None) -> None:
        """The end of the person's support in `action` (for its average duration)."""
        if action not in SUPPORT_ACTIONS:
            raise RecordError("individual support is recorded for fiches 1 and 4", "action")
        person = self._person(number)
        current = [
            e for e in self._records.enrolments_of(person) if e.action == action and not e.ended_on
        ]
        if not current:
            raise RecordError(f"not in the {SUPPORT_ACTIONS[action]}", "not-enrolled")
        if end < current[-1].started_on:
            raise RecordError("the support cannot end before it started", "dates")
        note = AuditNote(
            staff_id, "end_support", f"fin de {SUPPORT_ACTIONS[action]} le {_day(end)}", number
        )
        self._records.end_enrolment(current[-1].id, end, self._clock(), note)

    # ---- housing (fiche 4) -----------------------------------------------------------------
    def record_housing(self, number: int, housed_on: date, staff_id: int | None) -> Recorded:
        """The person's household reached lasting housing."""
        person = self._person(number)
        note = AuditNote(
            staff_id,
            "housing",
            f"ménage entré dans un logement pérenne le {_day(housed_on)}",
            number,
        )
        recorded = self._records.record_housing(person, housed_on, self._clock(), note)
        if recorded is None:
            known = self._records.housing_of(person)
            when = f" on {_day(known.housed_on)}" if known else ""
            raise RecordError(f"this household's housing was already recorded{when}", "already")
        return Recorded(recorded, person)

    # ---- volunteering (fiche 3) ----------------------------------------------------------------
    def add_volunteer_role(
        self, number: int, role: str, start: date, staff_id: int | None
    ) -> Recorded:
        """A role a former beneficiary takes as a volunteer (e.g. « co-animation »)."""
        role = " ".join(role.split())
        if not role or len(role) > MAX_ROLE:
            raise RecordError(f"a role in 1 to {MAX_ROLE} characters", "text")
        person = self._person(number)
        note = AuditNote(
            staff_id, "volunteer_role", f"bénévole : {role}, à partir du {_day(start)}", number
        )
        return Recorded(
            self._records.add_volunteer_role(person, role, start, self._clock(), note), person
        )

    def end_volunteer_role(self, role_id: int, end: date, staff_id: int | None) -> None:
        role = self._records.volunteer_role(role_id)
        if role is None or role.ended_on is not None:
            raise RecordError(f"no current volunteer role {role_id}", "role")
        if end < role.started_on:
            raise RecordError("the role cannot end before it started", "dates")
        note = AuditNote(
            staff_id,
            "end_volunteer_role",
            f"fin du rôle de bénévole « {role.role} » le {_day(end)}",
        )
        self._records.end_volunteer_role(role_id, end, self._clock(), note)

    def mark_cohosted(self, session_id: int, cohosted: bool, staff_id: int | None) -> bool:
        """A session co-hosted by a volunteer (its attendees count in fiche 3's second
        table), or not; False if nothing changed."""
        if self._workshops.offer(session_id) is None:
            raise RecordError(f"no session {session_id}", "session")
        words = "co-animée par un bénévole" if cohosted else "plus co-animée par un bénévole"
        note = AuditNote(staff_id, "cohosted", f"séance {session_id} {words}")
        return self._records.set_cohosted(session_id, cohosted, self._clock(), note)

    # ---- trainings of partner structures (fiche 2) -----------------------------------------
    def add_training(
        self,
        name: str,
        structure_type: str,
        hours: str | Decimal | float,
        given_on: date,
        staff_id: int | None,
    ) -> Recorded:
        """A training given to a partner structure (not a person): its hours count once,
        whatever the number of participants."""
        name, structure_type = " ".join(name.split()), " ".join(structure_type.split())
        if not name or len(name) > MAX_STRUCTURE:
            raise RecordError(f"a structure name in 1 to {MAX_STRUCTURE} characters", "text")
        if not structure_type or len(structure_type) > MAX_STRUCTURE_TYPE:
            raise RecordError(f"a structure type in 1 to {MAX_STRUCTURE_TYPE} characters", "text")
        minutes = parse_hours(hours)
        note = AuditNote(
            staff_id,
            "training",
            f"formation de {name} ({structure_type}), {_hours(minutes)} h, le {_day(given_on)}",
        )
        return Recorded(
            self._records.add_training(name, structure_type, minutes, given_on, self._clock(), note)
        )

    # ---- attendance (recorded by the workshops; audited here) ------------------------------
    def mark_attended(self, number: int, attended: bool, staff_id: int | None) -> int | None:
        """Present or not; the registration's session (None: no such place)."""
        person = self._records.person_of_registration(number)
        session = self._workshops.mark_attended(number, attended, self._clock())
        if session is None:
            return None
        words = "présente" if attended else "absente"
        note = AuditNote(staff_id, "attendance", f"{words} à la séance {session}", number)
        self._records.audit(note, self._clock(), person)
        return session

    # ---- reading, for the staff's screens ---------------------------------------------------
    def current_roles(self, number: int) -> list[VolunteerRole]:
        """The volunteer roles of the person of registration `number` that have not ended."""
        person = self._person(number)
        return [r for r in self._records.volunteer_roles_of(person) if r.ended_on is None]

    def current_role(self, role_id: int) -> VolunteerRole | None:
        role = self._records.volunteer_role(role_id)
        return role if role is not None and role.ended_on is None else None

    def is_cohosted(self, session_id: int) -> bool:
        return session_id in self._records.cohosted()

    def note(self, staff_id: int | None, action: str, detail: str) -> None:
        """An audit entry for another staff change (sessions created, seats changed…)."""
        self._records.audit(AuditNote(staff_id, action, detail), self._clock())

    def audit_log(self, limit: int = 50) -> list[AuditEntry]:
        """The latest changes, newest first."""
        return self._records.audit_log(limit)


def _hours(minutes: int) -> str:
    """« 1,5 », « 6 »: hours in French."""
    hours = Decimal(minutes) / 60
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")

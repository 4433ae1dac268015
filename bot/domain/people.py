"""A person's data and rights: consent, the optional profile, « my data », forgetting, and
the purge of people inactive for longer than DATA_RETENTION.

Forgetting keeps the contract's counts right: what the report counts about the person is
first turned into anonymous records (see bot.storage.anonymous), then every row naming
them is deleted. Giving up their seats (with promotion of people waiting) comes first and
is separate, so that the bot can tell the promoted people before it forgets.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from bot.domain.consent import CONSENT_NOTICE_VERSION, Consent
from bot.domain.profile import (
    MAX_HOUSEHOLD,
    AgeBand,
    Gender,
    Household,
    Profile,
    Question,
    Skipped,
    Status,
    answer_text,
    read_profile,
)
from bot.domain.workshops import Workshops
from bot.storage import (
    AnonymousRecordRepository,
    ConsentRepository,
    Person,
    ProfileRepository,
    StaffRecordRepository,
    UserRepository,
)
from bot.storage.anonymous import Anonymised, Categories
from bot.storage.records import Enrolment, HousingOutcome, Place, VolunteerRole


class ConsentRequiredError(Exception):
    """Profile answers are stored only with a valid consent."""


@dataclass(frozen=True)
class PersonData:
    """Everything stored about a person (for « my data »)."""

    person: Person
    consent: Consent | None
    profile: Profile | None  # None: never offered nor answered
    places: tuple[Place, ...]  # registrations, with attendance
    enrolments: tuple[Enrolment, ...]
    housing: HousingOutcome | None
    volunteer_roles: tuple[VolunteerRole, ...]
    audit_reference: str | None  # how the staff audit log names them


@dataclass(frozen=True)
class Forgotten:
    existed: bool
    kept: Anonymised  # what stays, anonymously, for the indicators


@dataclass(frozen=True)
class Promotion:
    """A seat freed by someone forgotten, now held by `telegram_id` (to be told)."""

    session_id: int
    telegram_id: int


class People:
    """Thread-safe: every call is a few short transactions."""

    def __init__(
        self,
        engine: Engine,
        workshops: Workshops,
        clock: Callable[[], datetime],
    ) -> None:
        self._users = UserRepository(engine)
        self._consents = ConsentRepository(engine)
        self._profiles = ProfileRepository(engine)
        self._records = StaffRecordRepository(engine)
        self._anonymous = AnonymousRecordRepository(engine)
        self._workshops = workshops
        self._clock = clock

    # ---- consent ------------------------------------------------------------------
    def consent(self, telegram_id: int) -> Consent | None:
        stored = self._consents.get(telegram_id)
        if stored is None:
            return None
        return Consent(stored.notice_version, stored.given_at, stored.withdrawn_at)

    def may_register(self, telegram_id: int) -> bool:
        """Registering needs the current notice accepted; browsing the guidance never does."""
        consent = self.consent(telegram_id)
        return consent is not None and consent.valid

    def give_consent(self, telegram_id: int, version: str = CONSENT_NOTICE_VERSION) -> None:
        self._consents.give(telegram_id, version, self._clock())

    def withdraw_consent(self, telegram_id: int) -> bool:
        """No more registrations until accepted again; the profile answers are deleted (they
        were given under the consent). Existing places are left to the person."""
        return self._consents.withdraw(telegram_id, self._clock())

    # ---- the optional profile ------------------------------------------------------
    def profile(self, telegram_id: int) -> Profile | None:
        stored = self._profiles.get(telegram_id)
        if stored is None:
            return None
        return read_profile(stored.status, stored.gender, stored.age_band, stored.household)

    def offer_profile(self, telegram_id: int) -> bool:
        """Call after a registration: True once (the first time, with a valid consent), when
        the profile questions should be offered."""
        if not self.may_register(telegram_id):
            return False
        return self._profiles.offer(telegram_id, self._clock())

    def answer(self, telegram_id: int, question: Question, value: str | int) -> None:
        """Store one answer (a value of its enum, « prefer_not », or a household size)."""
        if not self.may_register(telegram_id):
            raise ConsentRequiredError("profile answers need the current consent")
        self._profiles.answer(
            telegram_id, question, answer_text(_parse(question, value)), self._clock()
        )

    # ---- my data -----------------------------------------------------------------------
    def everything(self, telegram_id: int) -> PersonData | None:
        person = self._users.get(telegram_id)
        if person is None:
            return None
        return PersonData(
            person=person,
            consent=self.consent(telegram_id),
            profile=self.profile(telegram_id),
            places=tuple(self._records.places_of(telegram_id)),
            enrolments=tuple(self._records.enrolments_of(telegram_id)),
            housing=self._records.housing_of(telegram_id),
            volunteer_roles=tuple(self._records.volunteer_roles_of(telegram_id)),
            audit_reference=self._records.reference_of(telegram_id),
        )

    # ---- forgetting ---------------------------------------------------------------------
    def give_up_places(self, telegram_id: int, now: datetime | None = None) -> list[Promotion]:
        """Cancel the person's places in sessions to come; who got the freed seats."""
        now = now or self._clock()
        promotions = []
        for offer, _ in self._workshops.of_person(telegram_id, now):
            outcome = self._workshops.cancel(offer.session.id, telegram_id, now)
            if outcome.promoted is not None:
                promotions.append(Promotion(offer.session.id, outcome.promoted))
        return promotions

    def forget(self, telegram_id: int, now: datetime | None = None) -> Forgotten:
        """Keep the counts anonymously, then delete everything about the person. (Give up
        their places first: `give_up_places`.)"""
        profile = self.profile(telegram_id) or Profile()
        categories = Categories(
            status=str(profile.status),
            gender=str(profile.gender),
            age_band=str(profile.age_band),
            household=profile.household_band,
        )
        # A fresh random key per forgotten person, kept nowhere else.
        existed, kept = self._anonymous.forget_keeping_counts(
            telegram_id, secrets.token_hex(16), categories, now or self._clock()
        )
        return Forgotten(existed, kept)

    def inactive(self, now: datetime, retention: timedelta) -> list[int]:
        """Who has not written for longer than `retention`: to be forgotten, by the same
        rules as a request (the bot tells staff and the promoted people around it)."""
        return self._users.inactive_since(now - retention)

    def still_inactive(self, telegram_id: int, now: datetime, retention: timedelta) -> bool:
        """Looked at again just before forgetting: someone who wrote meanwhile stays."""
        person = self._users.get(telegram_id)
        return person is not None and person.last_seen < now - retention


def _parse(question: Question, value: str | int) -> Status | Gender | AgeBand | Household:
    text = str(value)
    if question == "status":
        return Status(text)
    if question == "gender":
        return Gender(text)
    if question == "age_band":
        return AgeBand(text)
    if text.isdigit():
        if not 1 <= int(text) <= MAX_HOUSEHOLD:
            raise ValueError(f"a household of 1 to {MAX_HOUSEHOLD} people, not {text}")
        return int(text)
    return Skipped(text)

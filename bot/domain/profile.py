"""The optional profile asked for the contract's indicators: every answer can be skipped.

`UNKNOWN` means « not answered » (skipped, or never asked); `PREFER_NOT` means the person
chose « prefer not to say ». Both are counted as unknown in the report, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal


class Status(StrEnum):
    """The person's situation, as they say it (the contract's publics, Article 3)."""

    PRIMO_ARRIVANT = "primo_arrivant"
    REFUGEE = "refugee"
    SUBSIDIARY_PROTECTION = "subsidiary_protection"
    STATELESS = "stateless"
    TEMPORARY_PROTECTION = "temporary_protection"
    OTHER = "other"
    DONT_KNOW = "dont_know"
    PREFER_NOT = "prefer_not"
    UNKNOWN = "unknown"


# Beneficiaries of international protection: the annex's « dont BPI » rows.
BPI = frozenset({Status.REFUGEE, Status.SUBSIDIARY_PROTECTION, Status.STATELESS})
# Answers that say nothing about the status: counted as « statut inconnu ».
UNKNOWN_STATUS = frozenset({Status.DONT_KNOW, Status.PREFER_NOT, Status.UNKNOWN})


class Gender(StrEnum):
    WOMAN = "woman"
    MAN = "man"
    OTHER = "other"
    PREFER_NOT = "prefer_not"
    UNKNOWN = "unknown"


class AgeBand(StrEnum):
    UNDER_25 = "under_25"
    FROM_25 = "25_and_over"
    PREFER_NOT = "prefer_not"
    UNKNOWN = "unknown"


class Skipped(StrEnum):
    """A household size not given."""

    PREFER_NOT = "prefer_not"
    UNKNOWN = "unknown"


# Household sizes are asked as a number of people, counting the person.
MAX_HOUSEHOLD = 20

Household = int | Skipped
HouseholdBand = Literal["1", "2", "3-4", "5+", "unknown"]
HOUSEHOLD_BANDS: tuple[HouseholdBand, ...] = ("1", "2", "3-4", "5+", "unknown")

Question = Literal["status", "gender", "age_band", "household"]
QUESTIONS: tuple[Question, ...] = ("status", "gender", "age_band", "household")


@dataclass(frozen=True)
class Profile:
    status: Status = Status.UNKNOWN
    gender: Gender = Gender.UNKNOWN
    age_band: AgeBand = AgeBand.UNKNOWN
    household: Household = Skipped.UNKNOWN

    @property
    def bpi(self) -> bool:
        return self.status in BPI

    @property
    def household_band(self) -> HouseholdBand:
        return household_band(self.household)


def household_band(household: Household) -> HouseholdBand:
    """Sizes grouped as the report shows them (and as anonymous records keep them: an exact
    size would single people out)."""
    if isinstance(household, Skipped):
        return "unknown"
    if household <= 2:
        return "1" if household == 1 else "2"
    return "3-4" if household <= 4 else "5+"


def read_household(text: str) -> Household:
    """A stored household answer: a number of people, or why there is none."""
    if text.isdigit() and 1 <= int(text) <= MAX_HOUSEHOLD:
        return int(text)
    return Skipped(text) if text in Skipped._value2member_map_ else Skipped.UNKNOWN


def read_profile(status: str, gender: str, age_band: str, household: str) -> Profile:
    """A profile from stored text; a value this code no longer knows reads as unknown."""
    return Profile(
        status=Status(status) if status in Status._value2member_map_ else Status.UNKNOWN,
        gender=Gender(gender) if gender in Gender._value2member_map_ else Gender.UNKNOWN,
        age_band=AgeBand(age_band) if age_band in AgeBand._value2member_map_ else AgeBand.UNKNOWN,
        household=read_household(household),
    )


def answer_text(answer: Status | Gender | AgeBand | Household) -> str:
    """How an answer is stored."""
    return str(answer)

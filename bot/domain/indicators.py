"""The contract's indicators (Article 8, annex 1), counted from the records of a period.

Pure counting: records in, numbers out. The rules, also written in the report's footer:
- the period's dates are inclusive, in local time (BOT_TIMEZONE);
- a session counts when it is not cancelled and starts within the period;
- a beneficiary of an action is a person enrolled in the action's support (fiches 1 and 4),
  holding a volunteer role (fiche 3), or present at one of its sessions in the period;
  counted once per action, whatever the number of sessions;
- profile answers missing, « prefer not to say » or « don't know » are counted as unknown,
  never guessed; people forgotten since are counted from their anonymous records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal

from bot.domain.profile import (
    BPI,
    HOUSEHOLD_BANDS,
    UNKNOWN_STATUS,
    AgeBand,
    Gender,
    HouseholdBand,
    Status,
    household_band,
    read_household,
    read_profile,
)
from bot.storage.anonymous import Categories, Period, StoredFacts

ACTIONS = (1, 2, 3, 4)


@dataclass(frozen=True)
class ReportPeriod:
    """From `start` to `end`, both days included, in local time."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("the period starts after it ends")

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def overlaps(self, started_on: date, ended_on: date | None) -> bool:
        return started_on <= self.end and (ended_on is None or ended_on >= self.start)


@dataclass(frozen=True)
class Traits:
    """The categories a person is counted in."""

    status: Status
    gender: Gender
    age_band: AgeBand
    household: HouseholdBand


UNKNOWN_TRAITS = Traits(Status.UNKNOWN, Gender.UNKNOWN, AgeBand.UNKNOWN, "unknown")


def traits_of(categories: Categories) -> Traits:
    """Traits from stored answers: a living profile keeps the exact household size, an
    anonymous record only its band."""
    profile = read_profile(categories.status, categories.gender, categories.age_band, "unknown")
    if categories.household in HOUSEHOLD_BANDS:
        band: HouseholdBand = categories.household
    else:
        band = household_band(read_household(categories.household))
    return Traits(profile.status, profile.gender, profile.age_band, band)


@dataclass(frozen=True)
class PeopleCount:
    """One of annex 1's tables: people, and how many of them are in each category."""

    total: int = 0
    men: int = 0
    women: int = 0
    other_gender: int = 0
    gender_unknown: int = 0
    under_25: int = 0
    age_unknown: int = 0
    bpi: int = 0
    bpi_men: int = 0
    bpi_women: int = 0
    bpi_under_25: int = 0
    status_unknown: int = 0
    by_status: Mapping[Status, int] = field(default_factory=dict)
    by_household: Mapping[HouseholdBand, int] = field(default_factory=dict)

    def breakdown(self, key: str) -> int:
        """A row of annex 1 by the programme's breakdown key (men, bpi_under_25…)."""
        value = getattr(self, key)
        assert isinstance(value, int)  # noqa: S101 - the programme's keys are checked
        return value


def count_people(people: Iterable[str], traits: Mapping[str, Traits]) -> PeopleCount:
    """Each person once, in the categories of their answers."""
    counts: dict[str, int] = defaultdict(int)
    by_status: dict[Status, int] = defaultdict(int)
    by_household: dict[HouseholdBand, int] = defaultdict(int)
    for person in set(people):
        found = traits.get(person, UNKNOWN_TRAITS)
        counts["total"] += 1
        by_status[found.status] += 1
        by_household[found.household] += 1
        gender = {Gender.MAN: "men", Gender.WOMAN: "women", Gender.OTHER: "other_gender"}.get(
            found.gender, "gender_unknown"
        )
        counts[gender] += 1
        young = found.age_band == AgeBand.UNDER_25
        if young:
            counts["under_25"] += 1
        elif found.age_band != AgeBand.FROM_25:
            counts["age_unknown"] += 1
        if found.status in UNKNOWN_STATUS:
            counts["status_unknown"] += 1
        if found.status in BPI:
            counts["bpi"] += 1
            if gender in ("men", "women"):
                counts[f"bpi_{gender}"] += 1
            if young:
                counts["bpi_under_25"] += 1
    return PeopleCount(**counts, by_status=dict(by_status), by_household=dict(by_household))


@dataclass(frozen=True)
class WorkshopActivity:
    """Sessions of one kind of workshop held in the period, and who came."""

    workshop: str
    sessions: int
    places: int  # seats held, plus people waiting who were marked present
    attended: int
    participants: int  # different people present

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.places if self.places else None


@dataclass(frozen=True)
class FicheIndicators:
    fiche: int
    beneficiaries: PeopleCount
    supported: int = 0  # people in the action's support (fiches 1, 4) or roles (fiche 3)
    support_entries: int = 0  # supports (roles) that started in the period
    average_support_days: float | None = None
    activities: tuple[WorkshopActivity, ...] = ()
    participants: int = 0  # different people present at the action's sessions
    structures_trained: int = 0
    training_hours: Decimal = Decimal(0)
    trainings: int = 0
    structures_by_type: Mapping[str, int] = field(default_factory=dict)
    cohosted: PeopleCount | None = None
    cohosted_sessions: int = 0
    households_housed: int = 0

    @property
    def sessions(self) -> int:
        return sum(a.sessions for a in self.activities)

    @property
    def attended(self) -> int:
        return sum(a.attended for a in self.activities)

    @property
    def places(self) -> int:
        return sum(a.places for a in self.activities)

    @property
    def attendance_rate(self) -> float | None:
        return self.attended / self.places if self.places else None

    def people(self, indicator: str) -> PeopleCount | None:
        """The table of a programme indicator of kind « people », by its key."""
        if indicator in ("beneficiaries", "volunteers"):
            return self.beneficiaries
        if indicator == "beneficiaries_of_co_hosted_actions":
            return self.cohosted
        return None

    def value(self, indicator: str) -> int | Decimal | None:
        """A single-number programme indicator by its key; None: not in the records."""
        return {
            "trained_structures": self.structures_trained if self.fiche == 2 else None,
            "training_hours": self.training_hours if self.fiche == 2 else None,
            "households_housed": self.households_housed if self.fiche == 4 else None,
        }.get(indicator)


@dataclass(frozen=True)
class Indicators:
    period: ReportPeriod
    as_of: datetime  # when the report was made: sessions after it are not counted as held
    fiches: Mapping[int, FicheIndicators]


def count_indicators(
    facts: StoredFacts,
    workshop_actions: Mapping[str, int],
    period: ReportPeriod,
    zone: tzinfo,
    as_of: datetime,
) -> Indicators:
    """Every fiche's numbers for the period. `workshop_actions`: each workshop kind's fiche
    action (a kind no longer in the catalogue counts for no action)."""
    traits = {person: traits_of(categories) for person, categories in facts.categories.items()}
    in_period = {
        s.id: s
        for s in facts.sessions
        if not s.cancelled and period.contains(s.starts_at.astimezone(zone).date())
    }
    held = {sid for sid, s in in_period.items() if s.starts_at <= as_of}
    # Durations of support run to their end, or to the period's end or today if earlier.
    limit = min(period.end, as_of.astimezone(zone).date())

    present: dict[int, set[str]] = defaultdict(set)  # action -> people present
    for p in facts.participations:
        session = in_period.get(p.session_id)
        if session is not None and p.attended and session.workshop in workshop_actions:
            present[workshop_actions[session.workshop]].add(p.person)

    supports: dict[int, list[Period]] = defaultdict(list)
    for support in (*facts.enrolments, *facts.volunteer_roles):
        if period.overlaps(support.started_on, support.ended_on):
            supports[support.action].append(support)

    fiches = {}
    for action in ACTIONS:
        supported = {s.person for s in supports[action]}
        fiches[action] = FicheIndicators(
            fiche=action,
            beneficiaries=count_people(present[action] | supported, traits),
            supported=len(supported),
            support_entries=sum(period.contains(s.started_on) for s in supports[action]),
            average_support_days=_average_days(supports[action], limit),
            activities=_activities(facts, held, workshop_actions, action),
            participants=len(present[action]),
        )
    fiches[2] = _with_trainings(fiches[2], facts, period)
    cohosted = {sid for sid, s in in_period.items() if s.cohosted}
    fiches[3] = replace(
        fiches[3],
        cohosted=count_people(
            (p.person for p in facts.participations if p.attended and p.session_id in cohosted),
            traits,
        ),
        cohosted_sessions=len(cohosted),
    )
    housed = {h.person for h in facts.housing if period.contains(h.started_on)}
    fiches[4] = replace(fiches[4], households_housed=len(housed))
    return Indicators(period, as_of, fiches)


def _with_trainings(
    fiche: FicheIndicators, facts: StoredFacts, period: ReportPeriod
) -> FicheIndicators:
    """Fiche 2's trainings of partner structures: each structure once, every hour."""
    given = [t for t in facts.trainings if period.contains(t[3])]
    structures = {(_name(name), _name(kind)) for name, kind, _, _ in given}
    by_type: dict[str, set[str]] = defaultdict(set)
    for name, kind in structures:
        by_type[kind].add(name)
    return replace(
        fiche,
        structures_trained=len({name for name, _ in structures}),
        training_hours=Decimal(sum(minutes for _, _, minutes, _ in given)) / 60,
        trainings=len(given),
        structures_by_type={kind: len(names) for kind, names in sorted(by_type.items())},
    )


def _name(text: str) -> str:
    """Structure names and types typed by hand: « CCAS  de Dijon » is « ccas de dijon »."""
    return " ".join(text.split()).casefold()


def _average_days(supports: list[Period], limit: date) -> float | None:
    durations = [
        ((min(s.ended_on, limit) if s.ended_on else limit) - s.started_on) / timedelta(days=1)
        for s in supports
        if s.started_on <= limit
    ]
    return sum(durations) / len(durations) if durations else None


def _activities(
    facts: StoredFacts,
    held: set[int],
    workshop_actions: Mapping[str, int],
    action: int,
) -> tuple[WorkshopActivity, ...]:
    kinds = sorted(k for k, a in workshop_actions.items() if a == action)
    sessions: dict[str, int] = defaultdict(int)
    for s in facts.sessions:
        if s.id in held and s.workshop in kinds:
            sessions[s.workshop] += 1
    kind_of = {s.id: s.workshop for s in facts.sessions}
    places: dict[str, int] = defaultdict(int)
    attended: dict[str, int] = defaultdict(int)
    people: dict[str, set[str]] = defaultdict(set)
    for p in facts.participations:
        if p.session_id not in held or kind_of[p.session_id] not in kinds:
            continue
        kind = kind_of[p.session_id]
        places[kind] += 1
        if p.attended:
            attended[kind] += 1
            people[kind].add(p.person)
    return tuple(
        WorkshopActivity(kind, sessions[kind], places[kind], attended[kind], len(people[kind]))
        for kind in kinds
    )

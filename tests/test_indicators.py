"""The indicator report: annex 1's tables on an empty period, and numbers equal to counts made
by hand on a synthetic history (tests/indicator_dataset.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import Engine

from bot.domain.indicators import Indicators, PeopleCount, ReportPeriod, count_indicators
from bot.domain.profile import Status
from bot.knowledge.workshops import load_catalogue
from bot.report_files import TO_FILL, indicator_report, table_rows
from bot.storage import AnonymousRecordRepository
from sync.programme import load_programme
from tests import indicator_dataset as data

ANNEX_ROWS = [
    "Nombre total d'étrangers éligibles bénéficiaires de l'action",
    "dont hommes",
    "dont femmes",
    "dont moins de 25 ans",
    "dont BPI",
    "dont BPI hommes",
    "dont BPI femmes",
    "dont BPI moins de 25 ans",
]
PERIOD = ReportPeriod(data.START, data.END)
TRAINED = "Pour les actions à destination des acteurs de l'intégration"


def count(engine: Engine, period: ReportPeriod = PERIOD) -> Indicators:
    actions = {w.slug: w.action for w in load_catalogue().workshops}
    facts = AnonymousRecordRepository(engine).facts()
    return count_indicators(facts, actions, period, data.PARIS, data.AS_OF)


def people(**counts: int) -> PeopleCount:
    """A table counted by hand: what is not named is zero."""
    return PeopleCount(**counts)


def same_table(found: PeopleCount, expected: PeopleCount) -> None:
    fields = [
        "total",
        "men",
        "women",
        "other_gender",
        "gender_unknown",
        "under_25",
        "age_unknown",
        "bpi",
        "bpi_men",
        "bpi_women",
        "bpi_under_25",
        "status_unknown",
    ]
    assert {f: getattr(found, f) for f in fields} == {f: getattr(expected, f) for f in fields}


def test_an_empty_period_shows_the_four_fiches_with_their_objectives_and_annex_rows(
    engine: Engine,
) -> None:
    doc = indicator_report(engine, PERIOD, data.PARIS, data.AS_OF)
    assert [sheet.name for sheet in doc.sheets] == ["Fiche 1", "Fiche 2", "Fiche 3", "Fiche 4"]
    objectives = []
    for sheet in doc.sheets:
        first = sheet.tables[0]
        assert [row[0] for row in first.rows[:8]] == ANNEX_ROWS
        assert all(row[2] == 0 for row in first.rows)
        objectives.append(first.rows[0][1])
    assert objectives == [200, 75, 50, 60]
    co_hosted = table_rows(doc, "Fiche 3", "Bénéficiaires d'une action co-animée par un bénévole")
    assert [row[0] for row in co_hosted[:8]] == ANNEX_ROWS
    assert co_hosted[0][1] == 200
    structures = table_rows(doc, "Fiche 2", TRAINED)
    assert (structures[0][1], structures[0][2], structures[1][2]) == (50, 0, Decimal(0))
    housed = table_rows(doc, "Fiche 4", "Accès au logement")
    assert housed[0][2] == 0
    for sheet in ("Fiche 1", "Fiche 2", "Fiche 3", "Fiche 4"):
        money = table_rows(doc, sheet, "Indicateurs financiers")
        assert [row[2] for row in money] == [TO_FILL, TO_FILL]
    assert any("inconnu" in rule for rule in doc.rules)


def test_the_numbers_equal_counts_made_by_hand(engine: Engine) -> None:
    data.build(engine)
    found = count(engine)
    one, two, three, four = (found.fiches[n] for n in (1, 2, 3, 4))

    # Fiche 1: P1 (present twice, supported), P2 (present), P6 (present, supported,
    # forgotten since). Support: P1 167 days to the period's end, P6 120 days.
    same_table(
        one.beneficiaries,
        people(total=3, men=2, women=1, under_25=2, bpi=3, bpi_men=2, bpi_women=1, bpi_under_25=2),
    )
    assert one.beneficiaries.by_status == {
        Status.REFUGEE: 1,
        Status.SUBSIDIARY_PROTECTION: 1,
        Status.STATELESS: 1,
    }
    assert one.beneficiaries.by_household == {"3-4": 1, "1": 1, "2": 1}
    assert (one.supported, one.support_entries, one.average_support_days) == (2, 2, 143.5)
    [vie] = one.activities
    assert (vie.workshop, vie.sessions, vie.places, vie.attended, vie.participants) == (
        "vie-en-france",
        2,
        4,
        4,
        3,
    )

    # Fiche 2: S4 (P3, P6 present; P4 absent) and S9 (P4, just after midnight local time).
    same_table(
        two.beneficiaries,
        people(
            total=3,
            men=1,
            gender_unknown=2,
            under_25=1,
            age_unknown=2,
            bpi=1,
            bpi_men=1,
            bpi_under_25=1,
            status_unknown=2,
        ),
    )
    [outing] = two.activities
    assert (outing.sessions, outing.places, outing.attended, outing.participants) == (2, 4, 3, 3)
    assert outing.attendance_rate == 0.75
    assert (two.structures_trained, two.training_hours, two.trainings) == (2, Decimal("10.5"), 3)
    assert dict(two.structures_by_type) == {"association": 1, "service public": 1}

    # Fiche 3: P5, a volunteer since 1 March (121 days), present at S5; S4 co-hosted.
    same_table(three.beneficiaries, people(total=1, women=1))
    assert three.beneficiaries.by_status == {Status.PRIMO_ARRIVANT: 1}
    assert (three.supported, three.support_entries, three.average_support_days) == (1, 1, 121)
    assert three.cohosted is not None
    same_table(
        three.cohosted,
        people(
            total=2,
            men=1,
            gender_unknown=1,
            under_25=1,
            age_unknown=1,
            bpi=1,
            bpi_men=1,
            bpi_under_25=1,
            status_unknown=1,
        ),
    )
    assert three.cohosted_sessions == 1

    # Fiche 4: S3 (P2, P3 present; P8 only waiting), S7 cancelled; P2 supported from
    # 1 November to 1 February (92 days), housed on 15 March.
    same_table(
        four.beneficiaries,
        people(
            total=2,
            men=1,
            gender_unknown=1,
            age_unknown=1,
            bpi=1,
            bpi_men=1,
            status_unknown=1,
        ),
    )
    assert (four.supported, four.support_entries, four.average_support_days) == (1, 0, 92)
    assert four.households_housed == 1
    logement = next(a for a in four.activities if a.workshop == "logement")
    assert (logement.sessions, logement.places, logement.attended) == (1, 2, 2)
    assert sum(a.sessions for a in four.activities) == 1


def test_the_tables_show_the_counted_numbers(engine: Engine) -> None:
    data.build(engine)
    doc = indicator_report(engine, PERIOD, data.PARIS, data.AS_OF)
    fiche_1 = table_rows(doc, "Fiche 1", "Indicateurs relatifs au public-cible")
    assert [(row[0], row[2]) for row in fiche_1[:8]] == list(
        zip(ANNEX_ROWS, [3, 2, 1, 2, 3, 2, 1, 2], strict=True)
    )
    assert fiche_1[4][1] == 150  # the contract's BPI objective
    hours = table_rows(doc, "Fiche 2", TRAINED)
    assert (hours[0][2], hours[1][2], hours[2][2]) == (2, Decimal("10.5"), TO_FILL)
    housed = table_rows(doc, "Fiche 4", "Accès au logement")
    assert housed[0][2] == 1


def test_forgetting_a_person_changes_no_count(engine: Engine) -> None:
    dataset = data.build(engine, forget_p6=False)
    before = count(engine)
    dataset.people.give_up_places(data.P6)
    dataset.people.forget(data.P6)
    after = count(engine)
    assert after == before
    # And a second forgotten person who attended twice: still counted once.
    dataset.people.forget(data.P1)
    assert count(engine) == before


def test_a_period_before_the_history_counts_nothing(engine: Engine) -> None:
    data.build(engine)
    found = count(engine, ReportPeriod(date(2022, 1, 1), date(2022, 12, 31)))
    assert all(f.beneficiaries.total == 0 for f in found.fiches.values())
    assert found.fiches[4].households_housed == 0
    assert found.fiches[2].structures_trained == 0


def test_support_still_open_counts_in_a_later_period(engine: Engine) -> None:
    data.build(engine)
    found = count(engine, ReportPeriod(date(2025, 1, 1), date(2025, 12, 31)))
    # P1's support (fiche 1) and P5's volunteer role (fiche 3) have no end: still counted.
    assert (found.fiches[1].beneficiaries.total, found.fiches[3].beneficiaries.total) == (1, 1)
    assert (found.fiches[2].beneficiaries.total, found.fiches[4].beneficiaries.total) == (0, 0)
    assert found.fiches[1].activities[0].sessions == 0


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="after it ends"):
        ReportPeriod(date(2024, 2, 1), date(2024, 1, 31))


def test_the_programme_objectives_are_the_contract_ones() -> None:
    programme = load_programme()
    targets = {a.fiche: a.targets.beneficiaries for a in programme.actions}
    assert targets == {1: 200, 2: 75, 3: 50, 4: 60}

"""The contract's indicator report (Article 8, annex 1) as a file: Markdown, CSV or Excel.

In French, the contract's language. The same bytes go to the command line
(`python -m bot report`) and to staff in Telegram (`report_file`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Literal

from sqlalchemy import Engine

from bot.domain.indicators import (
    FicheIndicators,
    Indicators,
    PeopleCount,
    ReportPeriod,
    count_indicators,
)
from bot.domain.profile import Status
from bot.knowledge.workshops import Catalogue, load_catalogue
from bot.storage import AnonymousRecordRepository
from sync.programme import Action, Indicator, Programme, load_programme

Format = Literal["md", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("md", "csv", "xlsx")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TO_FILL = "à renseigner par CESAM"
OBJECTIVE, REALISED = "Objectif", "Réalisé"


@dataclass(frozen=True)
class Rate:
    """A share, shown as a percentage."""

    value: float


Cell = str | int | Decimal | Rate | None


@dataclass(frozen=True)
class Table:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str | None = None


@dataclass(frozen=True)
class Sheet:
    name: str  # short: a spreadsheet tab
    title: str
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class Document:
    title: str
    period: ReportPeriod
    made_at: str
    sheets: tuple[Sheet, ...]
    rules: tuple[str, ...]


@dataclass(frozen=True)
class ReportFile:
    name: str
    content: bytes
    media_type: str


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


# ---- from the records to a document ------------------------------------------------------
def indicator_report(
    engine: Engine,
    period: ReportPeriod,
    zone: tzinfo,
    as_of: datetime,
    *,
    programme: Programme | None = None,
    catalogue: Catalogue | None = None,
) -> Document:
    """The report of `period` from the database, as of `as_of`."""
    programme = programme or load_programme()
    catalogue = catalogue or load_catalogue()
    facts = AnonymousRecordRepository(engine).facts()
    actions = {w.slug: w.action for w in catalogue.workshops}
    indicators = count_indicators(facts, actions, period, zone, as_of)
    titles = {w.slug: w.title for w in catalogue.workshops}
    return document(indicators, programme, titles, as_of.astimezone(zone))


def document(
    indicators: Indicators, programme: Programme, titles: dict[str, str], made_at: datetime
) -> Document:
    """Lay the numbers out as annex 1's tables, fiche by fiche, then the rules."""
    period = indicators.period
    sheets = tuple(
        _sheet(action, indicators.fiches[action.fiche], programme, titles)
        for action in sorted(programme.actions, key=lambda a: a.fiche)
        if action.fiche in indicators.fiches
    )
    return Document(
        title=f"Rapport d'évaluation – {programme.contract.title}",
        period=period,
        made_at=made_at.strftime("%d/%m/%Y à %H:%M"),
        sheets=sheets,
        rules=rules(period, made_at),
    )


def _sheet(
    action: Action, numbers: FicheIndicators, programme: Programme, titles: dict[str, str]
) -> Sheet:
    tables: list[Table] = []
    main = next((i for i in action.indicators if i.kind == "people"), None)
    groups: list[tuple[str, list[Indicator]]] = []
    for indicator in action.indicators:
        title = _group_title(indicator)
        if indicator.kind == "people" or not groups or groups[-1][0] != title:
            groups.append((title, [indicator]))
        else:
            groups[-1][1].append(indicator)
    for title, members in groups:
        if members[0].kind == "people":
            count = numbers.people(members[0].key)
            tables.append(_people_table(title, members[0], count, action, programme, main))
        else:
            tables.append(_values_table(title, members, numbers))
    tables += _complementary(action, numbers, titles)
    return Sheet(
        name=f"Fiche {action.fiche}",
        title=f"Fiche action n°{action.fiche} : {' '.join(action.title.split())}",
        tables=tuple(tables),
    )


def _group_title(indicator: Indicator) -> str:
    if indicator.kind == "amount":
        return "Indicateurs financiers"
    if indicator.group:
        return indicator.group
    return "Indicateurs relatifs au public-cible"


def _people_table(
    title: str,
    indicator: Indicator,
    count: PeopleCount | None,
    action: Action,
    programme: Programme,
    main: Indicator | None,
) -> Table:
    def value(number: int) -> Cell:
        return TO_FILL if count is None else number

    count_or_empty = count or PeopleCount()
    # The contract's « dont BPI » objective belongs to the action's main public.
    bpi_target = action.targets.bpi if indicator is main else None
    label = " ".join(indicator.label.split())
    rows: list[tuple[Cell, ...]] = [(label, indicator.target, value(count_or_empty.total))]
    for key in indicator.breakdown:
        target = bpi_target if key == "bpi" else None
        rows.append((programme.breakdowns[key], target, value(count_or_empty.breakdown(key))))
    # Beyond annex 1: where the answers were missing or did not fit its rows.
    rows += [
        ("dont autre genre", None, value(count_or_empty.other_gender)),
        ("dont genre inconnu", None, value(count_or_empty.gender_unknown)),
        ("dont âge inconnu", None, value(count_or_empty.age_unknown)),
        ("dont statut inconnu", None, value(count_or_empty.status_unknown)),
    ]
    return Table(title, ("", OBJECTIVE, REALISED), tuple(rows))


def _values_table(title: str, members: list[Indicator], numbers: FicheIndicators) -> Table:
    rows: list[tuple[Cell, ...]] = []
    for indicator in members:
        found = (
            None if indicator.kind in ("amount", "description") else numbers.value(indicator.key)
        )
        label = " ".join(indicator.label.split())
        rows.append((label, indicator.target, TO_FILL if found is None else found))
    return Table(title, ("", OBJECTIVE, REALISED), tuple(rows))


def _rate(value: float | None) -> Cell:
    return None if value is None else Rate(value)


def _days(value: float | None) -> Cell:
    return None if value is None else Decimal(str(round(value, 1)))


def _complementary(action: Action, numbers: FicheIndicators, titles: dict[str, str]) -> list[Table]:
    people = numbers.beneficiaries
    statuses = people.by_status
    targets = action.targets
    situation: list[tuple[Cell, ...]] = [
        ("Primo-arrivants", targets.primo_arrivants, statuses.get(Status.PRIMO_ARRIVANT, 0)),
        ("BPI : réfugiés", None, statuses.get(Status.REFUGEE, 0)),
        ("BPI : protection subsidiaire", None, statuses.get(Status.SUBSIDIARY_PROTECTION, 0)),
        ("BPI : apatrides", None, statuses.get(Status.STATELESS, 0)),
        ("BPI (total)", targets.bpi, people.bpi),
        ("BPT (protection temporaire)", targets.bpt, statuses.get(Status.TEMPORARY_PROTECTION, 0)),
        ("Autre situation", None, statuses.get(Status.OTHER, 0)),
        ("Situation inconnue", None, people.status_unknown),
    ]
    households = people.by_household
    family: list[tuple[Cell, ...]] = [
        ("1 personne", households.get("1", 0)),
        ("2 personnes", households.get("2", 0)),
        ("3 ou 4 personnes", households.get("3-4", 0)),
        ("5 personnes ou plus", households.get("5+", 0)),
        ("Taille inconnue", households.get("unknown", 0)),
    ]
    activity: list[tuple[Cell, ...]] = [
        (
            titles.get(a.workshop, a.workshop),
            a.sessions,
            a.places,
            a.attended,
            a.participants,
            _rate(a.attendance_rate),
        )
        for a in numbers.activities
    ]
    activity.append(
        (
            "Total",
            numbers.sessions,
            numbers.places,
            numbers.attended,
            numbers.participants,
            _rate(numbers.attendance_rate),
        )
    )
    tables = [
        Table(
            "Indicateurs complémentaires : situation à l'entrée des bénéficiaires",
            ("", OBJECTIVE, REALISED),
            tuple(situation),
        ),
        Table(
            "Indicateurs complémentaires : composition familiale (taille du ménage)",
            ("", REALISED),
            tuple(family),
        ),
        Table(
            "Indicateurs complémentaires : ateliers et séances par type",
            (
                "Type d'atelier",
                "Séances tenues",
                "Places occupées",
                "Présences",
                "Personnes différentes",
                "Taux de présence",
            ),
            tuple(activity),
        ),
    ]
    if action.fiche in (1, 4):
        tables.append(
            Table(
                "Indicateurs complémentaires : accompagnement individuel",
                ("", REALISED),
                (
                    ("Personnes accompagnées pendant la période", numbers.supported),
                    ("Entrées dans l'accompagnement pendant la période", numbers.support_entries),
                    ("Durée moyenne d'accompagnement (jours)", _days(numbers.average_support_days)),
                ),
            )
        )
    if action.fiche == 3:
        tables.append(
            Table(
                "Indicateurs complémentaires : bénévolat",
                ("", REALISED),
                (
                    ("Bénévoles (rôle en cours pendant la période)", numbers.supported),
                    ("Rôles de bénévole commencés pendant la période", numbers.support_entries),
                    ("Durée moyenne de l'engagement (jours)", _days(numbers.average_support_days)),
                    ("Séances co-animées par un bénévole", numbers.cohosted_sessions),
                ),
            )
        )
    if action.fiche == 2:
        by_type: list[tuple[Cell, ...]] = [
            (f"Structures formées : {kind}", count)
            for kind, count in numbers.structures_by_type.items()
        ]
        tables.append(
            Table(
                "Indicateurs complémentaires : formations des acteurs de l'intégration",
                ("", REALISED),
                (("Formations données", numbers.trainings), *by_type),
            )
        )
    if action.complementary_indicators:
        tables.append(
            Table(
                "Indicateurs complémentaires demandés par le contrat",
                ("Indicateur du contrat",),
                tuple((" ".join(text.split()),) for text in action.complementary_indicators),
                note=(
                    "Les tableaux « Indicateurs complémentaires » ci-dessus donnent ce que les "
                    f"données du bot permettent de compter ; le reste est {TO_FILL}."
                ),
            )
        )
    return tables


def rules(period: ReportPeriod, made_at: datetime) -> tuple[str, ...]:
    """The counting rules, as the report's footer states them."""
    # « Europe/Paris » (BOT_TIMEZONE) rather than « CET »: the name does not change with DST.
    zone = getattr(made_at.tzinfo, "key", None) or made_at.tzname() or "heure locale"
    return (
        f"Période : du {_day(period.start)} au {_day(period.end)}, les deux jours inclus, en "
        f"heure locale ({zone}). Rapport établi le {made_at.strftime('%d/%m/%Y à %H:%M')}.",
        "Séances : une séance compte si elle n'est pas annulée et commence pendant la période. "
        "Chaque type d'atelier appartient à une fiche action (content/workshops.yaml).",
        "Bénéficiaires d'une action : les personnes présentes (présence notée par l'équipe) à "
        "au moins une séance d'un atelier de l'action pendant la période, et les personnes "
        "accompagnées par l'action pendant la période (fiches 1 et 4 : entrée en "
        "accompagnement enregistrée par l'équipe, non terminée avant le début de la période ; "
        "fiche 3 : rôle de bénévole en cours pendant la période). Chaque personne compte une "
        "seule fois par action, quel que soit le nombre de séances ; elle peut compter dans "
        "plusieurs actions.",
        "Genre, âge et statut : les réponses de la personne à son profil facultatif. Sans "
        "réponse, « je préfère ne pas dire » ou « je ne sais pas » : compté comme inconnu, "
        "jamais deviné. BPI : réfugiés, protection subsidiaire, apatrides. « Moins de 25 ans » : "
        "la tranche d'âge déclarée. Le profil compté est celui du jour du rapport.",
        "Personnes qui ont effacé leurs données (ou effacées après la durée de conservation) : "
        "leurs présences, places, accompagnements, rôles et logement sont gardés sous forme "
        "anonyme (sans identifiant, avec les catégories de leur profil au moment de "
        "l'effacement) et comptés de la même façon.",
        "Fiche 2 : structures formées = structures différentes (par leur nom, sans tenir compte "
        "des majuscules ni des espaces) ayant reçu une formation pendant la période ; heures = "
        "somme des durées des formations, quel que soit le nombre de participants.",
        "Fiche 3, « Bénéficiaires d'une action co-animée par un bénévole » : les personnes "
        "présentes pendant la période à au moins une séance (de n'importe quelle fiche) que "
        "l'équipe a marquée « co-animée par un bénévole », une fois chacune.",
        "Fiche 4, ménages entrés dans un logement pérenne : entrées enregistrées par l'équipe "
        "pendant la période ; un ménage est enregistré au nom de la personne accompagnée.",
        "Places occupées : inscriptions avec une place, plus les personnes en liste d'attente "
        "notées présentes ; taux de présence = présences / places occupées, pour les séances "
        "déjà commencées au moment du rapport.",
        "Durée moyenne d'accompagnement (ou d'engagement) : de la date d'entrée à la date de "
        "fin, ou au dernier jour de la période (au jour du rapport s'il est plus tôt) pour un "
        "accompagnement en cours ; moyenne sur les accompagnements en cours pendant la période.",
        f"Montants (coût total de l'action, subvention du programme 104) et indicateurs hors des "
        f"données du bot : « {TO_FILL} », jamais un nombre inventé.",
    )


# ---- rendering -------------------------------------------------------------------------
def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Rate):
        return f"{round(cell.value * 100)} %"
    if isinstance(cell, Decimal):
        text = f"{cell:.2f}".rstrip("0").rstrip(".")
        return text.replace(".", ",")
    return str(cell)


def render_markdown(doc: Document) -> str:
    lines = [
        f"# {doc.title}",
        "",
        f"Période : du {_day(doc.period.start)} au "
        f"{_day(doc.period.end)} (inclus). Établi le {doc.made_at}.",
        "",
    ]
    for sheet in doc.sheets:
        lines += [f"## {sheet.title}", ""]
        for table in sheet.tables:
            lines += [f"### {table.title}", ""]
            lines.append("| " + " | ".join(h or "Indicateur" for h in table.header) + " |")
            lines.append(
                "|" + "|".join(":---" if i == 0 else "---:" for i in range(len(table.header))) + "|"
            )
            for row in table.rows:
                lines.append("| " + " | ".join(_md(_text(cell)) for cell in row) + " |")
            lines.append("")
            if table.note:
                lines += [table.note, ""]
    lines += ["## Règles de comptage", ""]
    lines += [f"- {rule}" for rule in doc.rules]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def render_csv(doc: Document) -> bytes:
    """One table after another, each with its header; UTF-8 with a byte order mark, so that
    Excel reads the accents."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([doc.title])
    writer.writerow([f"Période : du {_day(doc.period.start)} au {_day(doc.period.end)} (inclus)"])
    writer.writerow([f"Établi le {doc.made_at}"])
    for sheet in doc.sheets:
        for table in sheet.tables:
            writer.writerow([])
            writer.writerow(["Fiche", "Tableau", *(h or "Indicateur" for h in table.header)])
            for row in table.rows:
                writer.writerow([sheet.name, table.title, *(_text(cell) for cell in row)])
    writer.writerow([])
    writer.writerow(["Règles de comptage"])
    for rule in doc.rules:
        writer.writerow([rule])
    return ("\ufeff" + out.getvalue()).encode()


def render_xlsx(doc: Document) -> bytes:
    """One sheet per fiche, and one for the counting rules (openpyxl)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    bold = Font(bold=True)
    first = True
    for sheet in doc.sheets:
        ws = book.active if first else book.create_sheet()
        assert ws is not None  # noqa: S101 - a new workbook has one sheet
        first = False
        ws.title = sheet.name
        ws.append([sheet.title])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([f"Période : du {_day(doc.period.start)} au {_day(doc.period.end)} (inclus)"])
        ws.append([f"Établi le {doc.made_at}"])
        for table in sheet.tables:
            ws.append([])
            ws.append([table.title])
            ws.cell(ws.max_row, 1).font = bold
            ws.append([h or "Indicateur" for h in table.header])
            for cell in ws[ws.max_row]:
                cell.font = bold
            for row in table.rows:
                ws.append([_xlsx_value(cell) for cell in row])
                for position, cell in enumerate(row, start=1):
                    target = ws.cell(ws.max_row, position)
                    if isinstance(cell, Rate):
                        target.number_format = "0%"
                    elif isinstance(cell, Decimal):
                        target.number_format = "0.0#"
            if table.note:
                ws.append([table.note])
        ws.column_dimensions["A"].width = 70
        for column in "BCDEF":
            ws.column_dimensions[column].width = 18
        for line in ws.iter_rows(min_col=1, max_col=1):
            line[0].alignment = Alignment(wrap_text=True, vertical="top")
    rules_sheet = book.create_sheet("Règles")
    rules_sheet.append(["Règles de comptage"])
    rules_sheet["A1"].font = bold
    for rule in doc.rules:
        rules_sheet.append([rule])
    rules_sheet.column_dimensions["A"].width = 120
    for line in rules_sheet.iter_rows(min_col=1, max_col=1):
        line[0].alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(cell: Cell) -> str | int | float | None:
    if isinstance(cell, Rate):
        return cell.value
    if isinstance(cell, Decimal):
        return float(cell)
    return cell


RENDERERS: dict[Format, Callable[[Document], bytes]] = {
    "md": lambda doc: render_markdown(doc).encode(),
    "csv": render_csv,
    "xlsx": render_xlsx,
}


def report_file(doc: Document, fmt: Format) -> ReportFile:
    """The report as a file to send or save: its name, bytes and media type."""
    name = f"indicateurs-ctai-{doc.period.start.isoformat()}-au-{doc.period.end.isoformat()}.{fmt}"
    return ReportFile(name, RENDERERS[fmt](doc), MEDIA_TYPES[fmt])


def table_rows(doc: Document, sheet: str, title: str) -> Sequence[tuple[Cell, ...]]:
    """The rows of a table, by sheet name and table title (for tests and the bot)."""
    for candidate in doc.sheets:
        if candidate.name == sheet:
            for table in candidate.tables:
                if table.title == title:
                    return table.rows
    raise KeyError(f"{sheet}: {title}")

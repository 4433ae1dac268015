"""`python -m bot report` as an operator runs it: Markdown, CSV and Excel, and one-line
refusals (exit 2) for bad input."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.storage import migrate, open_engine
from tests import indicator_dataset as data
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The synthetic history of tests/indicator_dataset.py in a SQLite file."""
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'history.db'}"
    engine = open_engine(url)
    try:
        migrate(engine)
        data.build(engine)
    finally:
        engine.dispose()
    return url


def report(database: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "report", *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(ROOT), "DATABASE_URL": database},
        capture_output=True,
        timeout=120,
    )


PERIOD = ("--from", "2024-01-01", "--to", "2024-06-30")


def test_markdown_goes_to_standard_output(database: str, tmp_path: Path) -> None:
    result = report(database, tmp_path, *PERIOD)
    assert result.returncode == 0, result.stderr.decode()
    text = result.stdout.decode()
    assert text.startswith("# Rapport d'évaluation")
    assert "Période : du 01/01/2024 au 30/06/2024 (inclus)" in text
    for number in (1, 2, 3, 4):
        assert f"## Fiche action n°{number} :" in text
    assert "| Nombre total d'étrangers éligibles bénéficiaires de l'action | 200 | 3 |" in text
    assert "| dont BPI | 150 | 3 |" in text
    assert "| Coût total de l'action |  | à renseigner par CESAM |" in text
    assert "## Règles de comptage" in text
    assert result.stderr == b""


def test_csv_to_a_file(database: str, tmp_path: Path) -> None:
    target = tmp_path / "indicateurs.csv"
    result = report(database, tmp_path, *PERIOD, "--format", "csv", "--output", str(target))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b""
    content = target.read_bytes()
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    fiche_4 = [r for r in rows if r[:2] == ["Fiche 4", "Accès au logement"]]
    assert fiche_4[0][2:] == [
        "Nombre de ménages d'étrangers éligibles ayant pu accéder à un logement pérenne",
        "",
        "1",
    ]
    totals = [r[4] for r in rows if len(r) > 4 and r[2].startswith("Nombre total d'étrangers")]
    assert totals == ["3", "3", "1", "2", "2"]  # fiches 1, 2, 3 (twice), 4


def test_xlsx_is_a_real_workbook_one_sheet_per_fiche(database: str, tmp_path: Path) -> None:
    target = tmp_path / "indicateurs.xlsx"
    result = report(database, tmp_path, *PERIOD, "--format", "xlsx", "--output", str(target))
    assert result.returncode == 0, result.stderr.decode()
    book = load_workbook(target)
    assert book.sheetnames == ["Fiche 1", "Fiche 2", "Fiche 3", "Fiche 4", "Règles"]
    sheet = book["Fiche 2"]
    values = {
        row[0]: row[1:]
        for row in sheet.iter_rows(values_only=True)
        if isinstance(row[0], str) and row[0].startswith("Nombre")
    }
    assert values["Nombre d'acteurs de l'intégration bénéficiaires d'une action de formation"][
        :2
    ] == (50, 2)
    hours = next(v for k, v in values.items() if k.startswith("Nombre d'heures"))
    assert hours[1] == 10.5
    assert "inconnu" in " ".join(str(c.value) for c in book["Règles"]["A"])


def test_binary_formats_go_to_a_redirected_output(database: str, tmp_path: Path) -> None:
    # Captured standard output is not a terminal: the bytes are written to it.
    result = report(database, tmp_path, *PERIOD, "--format", "xlsx")
    assert result.returncode == 0, result.stderr.decode()
    assert load_workbook(io.BytesIO(result.stdout)).sheetnames[0] == "Fiche 1"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--from", "2024-13-01", "--to", "2024-06-30"), "--from '2024-13-01' is not a day"),
        (("--from", "yesterday", "--to", "2024-06-30"), "is not a day"),
        (("--from", "2024-07-01", "--to", "2024-06-30"), "is after --to"),
        (("--from", "01/07/2024", "--to", "30/06/2024"), "is after --to"),
    ],
)
def test_bad_dates_are_refused_in_one_line(
    database: str, tmp_path: Path, args: tuple[str, ...], words: str
) -> None:
    result = report(database, tmp_path, *args)
    assert result.returncode == 2
    lines = result.stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert words in lines[0]
    assert result.stdout == b""


def test_a_binary_format_is_never_written_onto_a_terminal(database: str) -> None:
    import argparse

    from bot.config import Settings
    from bot.report_cli import ReportError, run_report

    args = argparse.Namespace(start="2024-01-01", end="2024-06-30", format="csv", output=None)
    settings = Settings(_env_file=None, database_url=database)  # type: ignore[call-arg]
    with pytest.raises(ReportError, match="give --output FILE"):
        run_report(args, settings, io.BytesIO(), out_is_terminal=True)

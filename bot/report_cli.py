"""`python -m bot report --from DATE --to DATE [--format md|csv|xlsx] [--output FILE]`.

Markdown goes to standard output unless `--output` is given. CSV and Excel are bytes: they
go to `--output`, or to standard output only when it is redirected (never onto a terminal).
"""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime
from typing import BinaryIO

from bot.config import Settings
from bot.domain.indicators import ReportPeriod
from bot.report_files import FORMATS, indicator_report, report_file
from bot.storage.database import prepare_database

_FRENCH_DAY = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


class ReportError(ValueError):
    """The report cannot be made as asked; the message says why, in one line."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from", dest="start", required=True, help="first day, e.g. 2023-10-15 (included)"
    )
    parser.add_argument("--to", dest="end", required=True, help="last day (included)")
    parser.add_argument("--format", choices=FORMATS, default="md", help="md (default), csv, xlsx")
    parser.add_argument("--output", help="write to this file (default: standard output)")


def parse_day(text: str, option: str) -> date:
    """A day as 2024-10-15 or 15/10/2024."""
    french = _FRENCH_DAY.match(text)
    try:
        if french:
            return date(int(french.group(3)), int(french.group(2)), int(french.group(1)))
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ReportError(
            f"{option} {text!r} is not a day (use YYYY-MM-DD, e.g. 2024-10-15)"
        ) from None


def read_period(start: str, end: str) -> ReportPeriod:
    first, last = parse_day(start, "--from"), parse_day(end, "--to")
    if first > last:
        raise ReportError(f"--from ({first.isoformat()}) is after --to ({last.isoformat()})")
    return ReportPeriod(first, last)


def run_report(
    args: argparse.Namespace, settings: Settings, out: BinaryIO, out_is_terminal: bool
) -> int:
    """0 when written; ReportError (one line) for what the operator must change."""
    period = read_period(args.start, args.end)
    if args.format != "md" and args.output is None and out_is_terminal:
        raise ReportError(
            f"--format {args.format} is a file: give --output FILE (or redirect the output)"
        )
    engine = prepare_database(settings.database_url)
    try:
        doc = indicator_report(engine, period, settings.timezone, datetime.now(UTC))
    finally:
        engine.dispose()
    file = report_file(doc, args.format)
    if args.output is None:
        out.write(file.content)
        out.flush()
        return 0
    try:
        with open(args.output, "wb") as target:
            target.write(file.content)
    except OSError as error:
        raise ReportError(f"cannot write {args.output}: {error.strerror}") from None
    return 0

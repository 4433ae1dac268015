"""`python -m bot content check`: every problem of the knowledge base, by file and entry."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TextIO

from bot.knowledge.load import CONTENT_DIR, inspect
from bot.knowledge.workshops import inspect_catalogue


def run_check(out: TextIO, today: date, content_dir: Path = CONTENT_DIR) -> int:
    """Print the problems and a summary; exit code 1 when there is an error."""
    base, problems = inspect(content_dir, today)
    catalogue, catalogue_problems = inspect_catalogue(content_dir)
    problems += catalogue_problems
    for problem in problems:
        out.write(f"{problem}\n")
    errors = sum(problem.severity == "error" for problem in problems)
    warnings = len(problems) - errors
    if base is not None and catalogue is not None:
        out.write(
            f"{len(base.topics)} topics, {len(base.entries())} entries, "
            f"{len(catalogue.workshops)} workshops, {len(catalogue.places)} places: "
            f"{errors} errors, {warnings} warnings\n"
        )
    else:
        out.write(f"{errors} errors, {warnings} warnings\n")
    return 1 if errors else 0

"""The demo's sample of refugies.info fiches: recorded from the project's emulator of the
platform (not real platform text), loaded into the mirror's tables so that the fiches
section can be tried offline (`python -m bot demo`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from bot.knowledge.load import CONTENT_DIR, ContentError, Problem
from bot.storage.platform_fiches import PlatformFicheRepository, fiche_from_json

SAMPLE_FICHES_PATH = CONTENT_DIR / "demo" / "platform-fiches.json"


def load_sample_fiches(
    engine: Engine, path: Path = SAMPLE_FICHES_PATH, now: datetime | None = None
) -> int:
    """Put the sample fiches in the mirror's tables (replacing what is there); how many.

    Refuses a file that does not say it is sample data: real fiches come only from
    `python -m sync fiches`."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise _problem(path, f"cannot read the sample fiches ({error})") from error
    if not isinstance(data, dict) or data.get("sample") is not True:
        raise _problem(path, 'not labelled as sample data ("sample": true)')
    fiches = [fiche_from_json(item) for item in data.get("fiches") or []]
    county = str(data.get("county") or "sample")
    themes = data.get("themes") or {}
    PlatformFicheRepository(engine).replace(fiches, county, now or datetime.now(UTC), themes=themes)
    return len(fiches)


def _problem(path: Path, message: str) -> ContentError:
    return ContentError([Problem("error", path.name, None, message)])

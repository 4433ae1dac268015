"""Record the demo's sample fiches: the mirror run against the emulator's sample fiches.

`python -m tests.sync.record_demo_fiches` rewrites `content/demo/platform-fiches.json`; a
test checks that the shipped file is what a recording gives today (run this after changing
the samples, the converter or what the mirror stores).
"""

from __future__ import annotations

import json
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from bot.knowledge.sample_fiches import SAMPLE_FICHES_PATH
from bot.storage.database import migrate, open_engine
from bot.storage.platform_fiches import PlatformFicheRepository, fiche_to_json
from sync.client import RefugiesInfoClient
from sync.mirror import FicheMirror
from tests.sync.refugies_emulator import SITE_SECRET, RefugiesEmulator
from tests.sync.sample_fiches import DEMO_OUR_STRUCTURE, seed_sample_fiches

COUNTY = "Côte-d'Or"
ABOUT = (
    "Sample data for `python -m bot demo`, recorded from the project's refugies.info "
    "emulator (tests/sync/sample_fiches.py): not real refugies.info text. Real fiches come "
    "from `python -m sync fiches`."
)
# Any fixed moment: the mirror stores no time of its own in a fiche.
RECORDED_AT = datetime(2024, 11, 1, 6, 15, tzinfo=UTC)


def record() -> dict[str, Any]:
    """What the mirror stores after a run against the emulator's sample fiches."""
    with tempfile.TemporaryDirectory() as folder, RefugiesEmulator() as platform:
        seed_sample_fiches(platform, DEMO_OUR_STRUCTURE)
        engine = open_engine(f"sqlite:///{Path(folder) / 'record.db'}")
        try:
            migrate(engine)
            repository = PlatformFicheRepository(engine)
            with RefugiesInfoClient(
                platform.base_url, site_secret=SecretStr(SITE_SECRET)
            ) as client:
                report = FicheMirror(
                    client,
                    repository,
                    COUNTY,
                    our_structure_id=DEMO_OUR_STRUCTURE,
                    clock=lambda: RECORDED_AT,
                ).run()
            if not report.ok:
                raise RuntimeError(f"the recording failed: {report.error}")
            fiches = repository.all(include_ours=True)
            themes = repository.theme_names()
        finally:
            engine.dispose()
    return {
        "about": ABOUT,
        "sample": True,
        "county": COUNTY,
        "themes": themes,
        "fiches": [fiche_to_json(fiche) for fiche in fiches],
    }


def serialise(recording: dict[str, Any]) -> str:
    return json.dumps(recording, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    SAMPLE_FICHES_PATH.write_text(serialise(record()), encoding="utf-8")
    print(SAMPLE_FICHES_PATH, file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

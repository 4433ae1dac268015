"""The demo's sample fiches: labelled as samples, recorded from the emulator (and still what
a recording gives), loaded into the mirror's tables for the bot to read offline."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.knowledge.load import ContentError
from bot.knowledge.sample_fiches import SAMPLE_FICHES_PATH, load_sample_fiches
from bot.storage.platform_fiches import PlatformFicheRepository
from tests.sync.record_demo_fiches import record, serialise
from tests.sync.sample_fiches import OURS, PARIS_ONLY, SOCIAL_HOUSING

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def test_the_shipped_sample_says_it_is_not_real_platform_text() -> None:
    data = json.loads(SAMPLE_FICHES_PATH.read_text(encoding="utf-8"))
    assert data["sample"] is True
    assert "not real refugies.info text" in data["about"]
    assert "emulator" in data["about"]
    assert all(
        fiche["sponsor_name"] in (None, "CESAM") or "démonstration" in fiche["sponsor_name"]
        for fiche in data["fiches"]
    )


def test_the_shipped_sample_is_what_a_recording_gives_today() -> None:
    # After changing the samples, the converter or what the mirror stores:
    # `python -m tests.sync.record_demo_fiches`.
    assert SAMPLE_FICHES_PATH.read_text(encoding="utf-8") == serialise(record())


def test_the_sample_loads_into_the_mirror_for_the_bot(engine: Engine) -> None:
    assert load_sample_fiches(engine, now=T0) == 5
    repository = PlatformFicheRepository(engine)
    shown = {fiche.id for fiche in repository.all()}
    assert OURS not in shown  # our own action: the bot shows it from its own content
    assert PARIS_ONLY not in shown
    housing = repository.get(SOCIAL_HOUSING)
    assert housing is not None
    assert housing.texts["ar"].translated
    assert not housing.texts["ps"].translated
    assert repository.last_success("Côte-d'Or") == T0
    # Loading again changes nothing.
    assert load_sample_fiches(engine, now=T0) == 5
    run = repository.last_run()
    assert run is not None
    assert run.written == 0


def test_a_file_not_labelled_as_a_sample_is_refused(engine: Engine, tmp_path: Path) -> None:
    unlabelled = tmp_path / "fiches.json"
    unlabelled.write_text(json.dumps({"county": "Côte-d'Or", "fiches": []}), encoding="utf-8")
    with pytest.raises(ContentError, match="not labelled as sample data"):
        load_sample_fiches(engine, unlabelled)
    with pytest.raises(ContentError, match="cannot read"):
        load_sample_fiches(engine, tmp_path / "absent.json")
    assert PlatformFicheRepository(engine).ids() == set()

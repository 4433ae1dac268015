"""The fiches mirror's storage, the same on SQLite and PostgreSQL: replaced whole or not at
all, only changed fiches rewritten, read back per language, by theme, by id."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from bot.storage import PlatformFicheRepository
from bot.storage.platform_fiches import (
    PLATFORM_LANGUAGES,
    FicheSection,
    FicheText,
    PlatformFiche,
    fiche_from_json,
    fiche_to_json,
    platform_fiche_texts,
    platform_fiche_themes,
    platform_fiches,
)

T0 = datetime(2026, 11, 26, 6, 15, tzinfo=UTC)
HOUSING = "63286a015d31b2c0cad9960c"
PAPERS = "63286a015d31b2c0cad9960b"
FRENCH = "63286a015d31b2c0cad9960a"


def _fiche(number: int, *, languages: tuple[str, ...] = ("fr",), **changes: Any) -> PlatformFiche:
    fiche_id = f"{number:024x}"
    texts = {
        lang: FicheText(
            language=lang,
            translated=lang in languages,
            title=f"Titre {number} ({lang})" if lang in languages else None,
            brand="Marque" if lang in languages else None,
            summary=f"Résumé {number}" if lang in languages else None,
            sections=(
                FicheSection("what", None, f"<b>Quoi</b> {number} &amp; plus"),
                FicheSection("how", "Comment", "• un\n• deux"),
            )
            if lang in languages
            else (),
            url=f"https://refugies.info/{lang}/program/{fiche_id}" if lang in languages else None,
        )
        for lang in PLATFORM_LANGUAGES
    }
    fiche = PlatformFiche(
        id=fiche_id,
        kind="dispositif",
        theme_id=HOUSING,
        secondary_theme_ids=(PAPERS,),
        location=("21 - Côte-d'Or",),
        audience={
            "publicStatus": ["refugie", "subsidiaire"],
            "age": {"type": "moreThan", "ages": [18]},
        },
        sponsor_id="5a00000000000000000000e1",
        sponsor_name="Association",
        last_modified=T0 - timedelta(days=number),
        ours=False,
        texts=texts,
    )
    return replace(fiche, **changes)


@pytest.fixture
def repository(engine: Engine) -> PlatformFicheRepository:
    return PlatformFicheRepository(engine)


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _stored_at(engine: Engine) -> dict[str, datetime]:
    with engine.connect() as connection:
        rows = connection.execute(select(platform_fiches.c.id, platform_fiches.c.stored_at))
        return {row.id: row.stored_at for row in rows}


def test_a_fiche_is_stored_and_read_back_whole(repository: PlatformFicheRepository) -> None:
    fiche = _fiche(1, languages=("fr", "ar", "en"))
    changes = repository.replace([fiche], "Côte-d'Or", T0)
    assert changes.written == (fiche.id,)
    assert (changes.removed, changes.unchanged) == ((), 0)
    assert repository.get(fiche.id) == fiche
    assert repository.all() == [fiche]
    stored = repository.get(fiche.id)
    assert stored is not None
    assert stored.languages == ("fr", "en", "ar")
    assert stored.texts["ps"] == FicheText(language="ps", translated=False)
    ps = stored.text("ps")  # no Pashto: the bot falls back to French
    assert ps is not None
    assert ps.language == "fr"
    assert stored.last_modified is not None
    assert stored.last_modified.tzinfo is not None


def test_a_second_run_with_nothing_changed_writes_no_fiche(
    repository: PlatformFicheRepository, engine: Engine
) -> None:
    fiches = [_fiche(1), _fiche(2, languages=("fr", "uk"))]
    repository.replace(fiches, "Côte-d'Or", T0)
    before = _stored_at(engine)

    again = repository.replace(fiches, "Côte-d'Or", T0 + timedelta(days=1))
    assert again.nothing
    assert (again.written, again.removed, again.unchanged) == ((), (), 2)
    assert _stored_at(engine) == before
    run = repository.last_run("Côte-d'Or")
    assert run is not None
    assert run.last_success_at == T0 + timedelta(days=1)
    assert (run.fiches, run.written, run.removed) == (2, 0, 0)


def test_only_changed_fiches_are_rewritten_and_gone_ones_removed(
    repository: PlatformFicheRepository, engine: Engine
) -> None:
    one, two, three = _fiche(1), _fiche(2), _fiche(3)
    repository.replace([one, two, three], "Côte-d'Or", T0)
    before = _stored_at(engine)

    retranslated = _fiche(2, languages=("fr", "ps"))
    changes = repository.replace([one, retranslated], "Côte-d'Or", T0 + timedelta(days=1))
    assert changes.written == (two.id,)
    assert changes.removed == (three.id,)
    assert changes.unchanged == 1
    after = _stored_at(engine)
    assert after[one.id] == before[one.id]
    assert after[two.id] == T0 + timedelta(days=1)
    assert three.id not in after
    assert repository.get(three.id) is None
    assert _count(engine, platform_fiche_texts) == 2 * len(PLATFORM_LANGUAGES)
    assert _count(engine, platform_fiche_themes) == 4
    stored = repository.get(two.id)
    assert stored is not None
    assert stored.is_translated("ps")


def test_our_own_fiches_are_kept_but_not_shown_unless_asked(
    repository: PlatformFicheRepository,
) -> None:
    theirs, ours = _fiche(1), _fiche(2, ours=True)
    repository.replace([theirs, ours], "Côte-d'Or", T0)
    assert [fiche.id for fiche in repository.all()] == [theirs.id]
    assert [fiche.id for fiche in repository.all(include_ours=True)] == [theirs.id, ours.id]
    assert repository.by_theme(HOUSING) == [theirs]
    assert repository.get(ours.id) == ours


def test_fiches_by_theme_main_theme_first(repository: PlatformFicheRepository) -> None:
    housing_first = _fiche(1, theme_id=PAPERS, secondary_theme_ids=(HOUSING,))
    housing_main = _fiche(2)
    french = _fiche(3, theme_id=FRENCH, secondary_theme_ids=())
    repository.replace([housing_first, housing_main, french], "Côte-d'Or", T0)
    assert [f.id for f in repository.by_theme(HOUSING)] == [housing_main.id, housing_first.id]
    assert [f.id for f in repository.by_theme(FRENCH)] == [french.id]
    assert repository.by_theme("0" * 24) == []


def test_a_failed_run_keeps_the_mirror_and_says_why(repository: PlatformFicheRepository) -> None:
    fiches = [_fiche(1), _fiche(2)]
    repository.replace(fiches, "Côte-d'Or", T0)
    repository.record_failure("Côte-d'Or", "GET /dispositifs/x: 500", T0 + timedelta(days=1))
    assert repository.all() == fiches
    run = repository.last_run("Côte-d'Or")
    assert run is not None
    assert run.last_success_at == T0
    assert run.last_attempt_at == T0 + timedelta(days=1)
    assert run.last_error == "GET /dispositifs/x: 500"
    assert repository.last_success() == T0
    assert repository.last_run("Paris") is None


def test_a_replacement_that_fails_half_way_changes_nothing(
    repository: PlatformFicheRepository,
) -> None:
    fiches = [_fiche(1), _fiche(2)]
    repository.replace(fiches, "Côte-d'Or", T0)
    broken = _fiche(5, kind=None)  # refused by the database, after others were written
    with pytest.raises(IntegrityError):
        repository.replace([_fiche(4), broken], "Côte-d'Or", T0 + timedelta(days=1))
    assert repository.all() == fiches
    run = repository.last_run()
    assert run is not None
    assert run.last_success_at == T0


def test_the_json_form_round_trips() -> None:
    fiche = _fiche(7, languages=("fr", "ar", "ti"), location="france", theme_id=None)
    assert fiche_from_json(fiche_to_json(fiche)) == fiche
    assert fiche.content_hash() == fiche_from_json(fiche_to_json(fiche)).content_hash()
    assert fiche.content_hash() != replace(fiche, ours=True).content_hash()

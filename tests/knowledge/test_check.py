"""`content check`: every problem named by file and entry; errors fail, old dates warn."""

from __future__ import annotations

import io
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.knowledge.check import run_check
from bot.knowledge.load import CONTENT_DIR, ContentError, inspect, load_knowledge_base

TODAY = date(2026, 11, 26)


def entry(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": "logement-exemple",
        "title": "Un titre",
        "answer": "Une réponse courte.",
        "keywords": ["logement"],
        "source": "https://www.service-public.fr/particuliers/vosdroits/F10007",
        "checked": TODAY.isoformat(),
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


def content(tmp_path: Path, *entries: dict[str, object]) -> Path:
    folder = tmp_path / "content"
    (folder / "guidance").mkdir(parents=True)
    shutil.copy(CONTENT_DIR / "official-sites.yaml", folder)
    shutil.copy(CONTENT_DIR / "programme.yaml", folder)
    shutil.copy(CONTENT_DIR / "workshops.yaml", folder)
    shutil.copy(CONTENT_DIR / "places.yaml", folder)
    topic = {"id": "logement", "title": "Logement", "emoji": "🏠", "order": 1, "entries": entries}
    (folder / "guidance" / "01-logement.yaml").write_text(
        yaml.safe_dump(topic, allow_unicode=True), encoding="utf-8"
    )
    return folder


def report(folder: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = run_check(out, TODAY, folder)
    return code, out.getvalue()


def test_the_real_knowledge_base_has_no_error() -> None:
    base, problems = inspect(CONTENT_DIR, TODAY)
    assert [p for p in problems if p.severity == "error"] == []
    assert base is not None
    assert len(base.entries()) >= 60


def test_a_valid_entry_passes(tmp_path: Path) -> None:
    code, out = report(content(tmp_path, entry()))
    assert code == 0
    assert "1 topics, 1 entries, 8 workshops, 1 places: 0 errors, 0 warnings" in out


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"source": None}, "logement-exemple: source: Field required"),
        ({"answer": "x" * 601}, "logement-exemple: answer too long: 601 characters"),
        ({"links": [{"entry": "nulle-part"}]}, "unknown link target 'nulle-part'"),
        (
            {"links": [{"label": "Un blog", "url": "https://example.com/astuces"}]},
            "link to a site that is not official",
        ),
        ({"source": "https://example.com/page"}, "source is not an official site"),
        ({"source": "contract:un-autre-contrat"}, "names a contract that is not in"),
        ({"checked": "2027-01-01"}, "a date in the future"),
        ({"keywords": []}, "keywords"),
    ],
)
def test_each_error_is_named_by_file_and_entry_and_fails(
    tmp_path: Path, change: dict[str, object], expected: str
) -> None:
    code, out = report(content(tmp_path, entry(**change)))
    assert code == 1
    assert "error: guidance/01-logement.yaml: " in out
    assert expected in out


def test_an_old_check_is_a_warning_only(tmp_path: Path) -> None:
    code, out = report(content(tmp_path, entry(checked="2025-10-01")))
    assert code == 0
    assert "warning: guidance/01-logement.yaml: logement-exemple: checked on 2025-10-01" in out


def test_the_same_id_twice_is_an_error(tmp_path: Path) -> None:
    code, out = report(content(tmp_path, entry(), entry()))
    assert code == 1
    assert "id also used in" in out


def test_the_contract_is_an_accepted_source(tmp_path: Path) -> None:
    code, _ = report(content(tmp_path, entry(source="contract:ctai-dijon-2023-2024")))
    assert code == 0


def test_loading_refuses_a_base_with_errors(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="answer too long"):
        load_knowledge_base(TODAY, content(tmp_path, entry(answer="x" * 700)))


def test_a_place_with_an_unsourced_address_is_an_error(tmp_path: Path) -> None:
    folder = content(tmp_path, entry())
    (folder / "places.yaml").write_text(
        "places:\n  - slug: mairie\n    name: Mairie\n    address: 1 rue Inventée, Dijon\n",
        encoding="utf-8",
    )
    code, out = report(folder)
    assert code == 1
    assert "error: places.yaml" in out
    assert "an address or coordinates need a `source`" in out

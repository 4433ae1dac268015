"""Building a fiche's body, and comparing it with what the platform shows."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from sync.fiches import (
    build_fiche,
    missing_for_publication,
    platform_holds,
    section_key,
    to_html,
)
from sync.payloads import (
    Contact,
    CreateDispositifRequest,
    Metadatas,
    Price,
    UpdateDispositifRequest,
)
from sync.programme import Programme
from sync.themes import resolve_themes
from tests.sync.refugies_emulator import DISPOSITIF_FIELDS, Enum, Obj

STRUCTURE = "5f0c1e2d3b4a596877665544"
DECLARED = set(DISPOSITIF_FIELDS) | {"typeContenu"}


def _bodies(programme: Programme, structure: str | None = STRUCTURE) -> list[dict[str, Any]]:
    theme_ids = resolve_themes(programme.themes, None).ids
    return [
        build_fiche(programme, action, structure_id=structure, theme_ids=theme_ids).to_json()
        for action in programme.actions
    ]


def test_section_keys_are_stable_uuids_per_action_and_section() -> None:
    first = section_key("entree-logement", "why", "budget-logement")
    assert first == section_key("entree-logement", "why", "budget-logement")
    assert uuid.UUID(first).version == 4
    others = {
        section_key("entree-logement", "how", "budget-logement"),
        section_key("benevolat", "why", "budget-logement"),
        section_key("entree-logement", "why", "voisinage"),
    }
    assert first not in others
    assert len(others) == 3


def test_text_becomes_the_platforms_rich_text() -> None:
    text = "Au programme :\n- des ateliers ;\n- un <appartement>.\n\nUne ligne\ncoupée & suivie."
    assert to_html(text) == (
        "<p>Au programme :</p><ul><li>des ateliers ;</li><li>un &lt;appartement&gt;.</li></ul>"
        "<p>Une ligne coupée &amp; suivie.</p>"
    )
    # The platform strips empty paragraphs when publishing: we must never send one.
    assert "<p></p>" not in to_html("a\n\n\n\nb")
    assert "<br>" not in to_html("a\n\n\n\nb")


def test_bodies_pass_the_platforms_declared_types(programme: Programme) -> None:
    create = Obj({"typeContenu": Enum("dispositif", "demarche")}, DISPOSITIF_FIELDS)
    for body in _bodies(programme):
        errors: dict[str, Any] = {}
        create.check(body, "body", errors)
        assert errors == {}
        assert set(body) <= DECLARED


def test_a_body_holds_what_a_fiche_needs(programme: Programme) -> None:
    bodies = _bodies(programme)
    assert len(bodies) == 4
    for body in bodies:
        assert missing_for_publication(body) == []
        assert body["typeContenu"] == "dispositif"
        assert body["mainSponsor"] == STRUCTURE
        assert body["titreMarque"] == "Ensemble !"
        assert body["metadatas"]["location"] == ["21 - Côte-d'Or"]
        assert body["metadatas"]["age"] is None  # explicit null: "no restriction"
        # No source says what the actions cost: the price is sent as an explicit null.
        assert "price" in body["metadatas"]
        assert body["metadatas"]["price"] is None
        assert body["map"] is None
        assert body["contact"] == {
            "name": "CESAM – « Ensemble ! »",
            "isMember": True,
            "isMe": False,
        }
        assert "du 15 octobre 2023 au 15 octobre 2024" in body["what"]
        assert len(body["why"]) >= 3
        assert len(body["how"]) >= 1
    themes = [(b["theme"], b["secondaryThemes"]) for b in bodies]
    assert themes[3] == ("63286a015d31b2c0cad9960c", ["63286a015d31b2c0cad9960b"])


def test_without_a_structure_id_the_body_leaves_it_out(programme: Programme) -> None:
    body = _bodies(programme, structure=None)[0]
    assert "mainSponsor" not in body
    assert "mainSponsor is empty" in missing_for_publication(body)


def test_payload_models_refuse_unknown_fields_and_omit_what_is_not_set() -> None:
    with pytest.raises(ValidationError):
        UpdateDispositifRequest.model_validate({"titreInformatif": "x", "status": "Actif"})
    with pytest.raises(ValidationError):
        Metadatas.model_validate({"location": ["Côte-d'Or"]})  # not the "21 - Name" form
    assert UpdateDispositifRequest(abstract="court").to_json() == {"abstract": "court"}
    # `email?: string` may be absent but never null; `details?: ... | null` may be null.
    assert Contact(name="CESAM", email=None, isMember=True, isMe=False).to_json() == {
        "name": "CESAM",
        "isMember": True,
        "isMe": False,
    }
    assert Price(values=[0], details=None).to_json() == {"values": [0], "details": None}
    assert Metadatas(age=None).to_json() == {"age": None}
    with pytest.raises(ValidationError):
        CreateDispositifRequest.model_validate({"typeContenu": "dispositif", "theme": "logement"})


def test_incomplete_bodies_are_explained() -> None:
    body = {
        "titreInformatif": "Ateliers",
        "titreMarque": "",
        "what": "<p>x</p>",
        "abstract": "y",
        "theme": "63286a015d31b2c0cad9960c",
        "mainSponsor": STRUCTURE,
        "why": {"a": {"title": "t", "text": "x"}, "b": {"title": "", "text": "x"}},
        "how": {},
        "metadatas": {"location": None},
    }
    problems = missing_for_publication(body)
    assert "titreMarque is empty" in problems
    assert "why has 2 sections, 3 needed" in problems
    assert "a why section has no title or no text" in problems
    assert "how has 0 sections, 1 needed" in problems
    assert "metadatas.age is absent (give a value, or null)" in problems
    assert "metadatas.location is absent (give a value, or null)" not in problems


def test_comparison_tolerates_how_the_platform_shows_things() -> None:
    assert platform_holds("mainSponsor", STRUCTURE, {"_id": STRUCTURE, "nom": "CESAM"})
    assert platform_holds("theme", "t1", "t1")
    assert platform_holds("secondaryThemes", ["a", "b"], [{"_id": "b"}, "a"])
    metadatas = {"location": ["21 - Côte-d'Or"], "public": None, "price": {"values": [0]}}
    shown = {"location": ["21 - Côte-d'Or"], "price": {"values": [0.0], "details": None}}
    assert platform_holds("metadatas", metadatas, shown)
    assert platform_holds("map", None, None)
    assert platform_holds("map", None, [])


def test_comparison_notices_real_differences() -> None:
    why = {"k1": {"title": "a", "text": "<p>x</p>"}}
    assert not platform_holds("why", why, {"k1": {"title": "a", "text": "<p>y</p>"}})
    assert not platform_holds("why", why, {**why, "k2": {"title": "b", "text": "<p>z</p>"}})
    assert not platform_holds(
        "metadatas", {"age": None}, {"age": {"type": "moreThan", "ages": [18]}}
    )
    assert not platform_holds("metadatas", {"location": ["21 - Côte-d'Or"]}, {"location": "france"})
    assert not platform_holds("mainSponsor", STRUCTURE, {"_id": "another"})
    assert not platform_holds("titreInformatif", "Ateliers", "Ateliers logement")
    assert not platform_holds("metadatas", {"price": {"values": [0]}}, {"price": {"values": [10]}})

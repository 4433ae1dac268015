"""The programme file: the contract's facts, the four actions, and checks on what editors write."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from sync.fiches import build_fiche
from sync.programme import (
    DEFAULT_PROGRAMME_PATH,
    REQUIRED_METADATA_KEYS,
    Programme,
    ProgrammeError,
    load_programme,
)
from sync.themes import resolve_themes


def _raw() -> dict[str, Any]:
    loaded = yaml.safe_load(DEFAULT_PROGRAMME_PATH.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _write(tmp_path: Path, raw: dict[str, Any]) -> Path:
    path = tmp_path / "programme.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_the_contract_facts_are_those_of_the_signed_contract(programme: Programme) -> None:
    contract = programme.contract
    assert contract.period.start == date(2023, 10, 15)
    assert contract.period.end == date(2024, 10, 15)
    assert contract.state_contribution_eur == 300_000
    assert [party.name for party in contract.parties] == ["Dijon Métropole", "L'État"]
    assert programme.operator.name == "CESAM"
    assert programme.operator.programme == "Ensemble !"
    # The four actions' budgets are the State's contribution, fiche by fiche (annex 1).
    assert [a.cost_eur for a in programme.actions] == [180_000, 60_000, 30_000, 30_000]
    assert sum(a.cost_eur for a in programme.actions) == contract.state_contribution_eur


def test_four_actions_with_their_targets(programme: Programme) -> None:
    targets = {
        a.fiche: (a.targets.beneficiaries, a.targets.primo_arrivants, a.targets.bpi, a.targets.bpt)
        for a in programme.actions
    }
    assert targets == {
        1: (200, 30, 150, 20),
        2: (75, 15, 50, 10),
        3: (50, 10, 30, 10),
        4: (60, 15, 40, 5),
    }
    assert programme.action("territoire-accueil").targets.structures == 50
    indicator = programme.action("benevolat").indicators[1]
    assert (indicator.group, indicator.target) == (
        "Bénéficiaires d'une action co-animée par un bénévole",
        200,
    )
    housing = {i.key for i in programme.action("entree-logement").indicators}
    assert "households_housed" in housing
    for action in programme.actions:
        people = action.indicators[0]
        assert people.target == action.targets.beneficiaries
        assert people.breakdown[:3] == ("men", "women", "under_25")
        assert {"total_cost", "p104_subsidy"} <= {i.key for i in action.indicators}


def test_every_listing_is_complete_and_truthful(programme: Programme) -> None:
    for action in programme.actions:
        listing = action.listing
        assert listing.titre_marque == "Ensemble !"
        assert len(listing.why) >= 3
        assert len(listing.how) >= 1
        metadatas = listing.metadatas
        assert set(REQUIRED_METADATA_KEYS) <= metadatas.model_fields_set
        assert metadatas.location == ["21 - Côte-d'Or"]
        # The contract says nothing about a price, and nobody recorded who confirmed one.
        assert metadatas.price is None
        assert listing.price_source is None
        assert metadatas.publicStatus is not None
        assert {"refugie", "subsidiaire", "temporaire"} <= set(metadatas.publicStatus)
        assert "asile" not in metadatas.publicStatus  # asylum seekers are not the CTAI's public
        # The contract gives no public address, phone, email or hours for the actions.
        assert listing.map == ()
        assert listing.contact.email is None
        assert listing.contact.phone is None
        texts = " ".join(
            [listing.what, listing.abstract] + [s.text for s in (*listing.why, *listing.how)]
        )
        assert not re.search(r"\b0\d([ .]?\d\d){4}\b", texts), "a phone number was invented"
        assert "@" not in texts, "an email address was invented"
        assert not re.search(r"\b\d{1,2} ?h ?\d{0,2}\b", texts), "opening hours were invented"


def test_a_programme_whose_targets_do_not_add_up_is_refused(tmp_path: Path) -> None:
    raw = _raw()
    raw["actions"][0]["targets"]["bpi"] = 149
    with pytest.raises(ProgrammeError, match=r"actions\.0\.targets.*beneficiaries = 200"):
        load_programme(_write(tmp_path, raw))


def test_a_filter_left_out_must_be_written_null(tmp_path: Path) -> None:
    raw = _raw()
    del raw["listing_defaults"]["metadatas"]["age"]
    with pytest.raises(ProgrammeError, match=r"metadatas age missing"):
        load_programme(_write(tmp_path, raw))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda raw: raw["actions"][1]["listing"].update(theme="jardinage"), "unknown theme"),
        (
            lambda raw: raw["actions"][0]["listing"]["why"].append(
                dict(raw["actions"][0]["listing"]["why"][0])
            ),
            "two sections share a key",
        ),
        (lambda raw: raw["actions"][2].update(fiche=1), "share a fiche number"),
        (
            lambda raw: raw["listing_defaults"]["metadatas"].update(publicStatus=["réfugié"]),
            "publicStatus",
        ),
        (lambda raw: raw["actions"][0]["listing"].update(phone="03 80 00 00 00"), "phone"),
    ],
)
def test_editing_mistakes_are_caught_with_their_place(
    tmp_path: Path, edit: Any, message: str
) -> None:
    raw = _raw()
    edit(raw)
    with pytest.raises(ProgrammeError, match=message):
        load_programme(_write(tmp_path, raw))


def test_a_missing_or_broken_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ProgrammeError, match="cannot read"):
        load_programme(tmp_path / "absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("contract: [unclosed", encoding="utf-8")
    with pytest.raises(ProgrammeError, match="not valid YAML"):
        load_programme(broken)


def test_the_next_contract_period_is_a_content_change(tmp_path: Path) -> None:
    raw = _raw()
    raw["contract"]["id"] = "ctai-dijon-2024-2025"
    raw["contract"]["period"] = {"start": date(2024, 10, 15), "end": date(2025, 10, 15)}
    raw["contract"]["listing_note"] = (
        "Cette action est financée dans le cadre du CTAI, du 15 octobre 2024 au 15 octobre 2025."
    )
    following = load_programme(_write(tmp_path, raw))
    action = following.action("entree-logement")
    body = build_fiche(
        following,
        action,
        structure_id="5f0c1e2d3b4a596877665544",
        theme_ids=resolve_themes(following.themes, None).ids,
    ).to_json()
    assert "au 15 octobre 2025" in body["what"]
    assert "au 15 octobre 2024." not in body["what"]


def _public_texts(programme: Programme) -> dict[str, str]:
    """Each fiche's text as a reader sees it: titles, summary, what, every section."""
    texts = {}
    for action in programme.actions:
        listing = action.listing
        sections = [f"{s.title}\n{s.text}" for s in (*listing.why, *listing.how)]
        texts[action.key] = "\n".join(
            [listing.titre_informatif, listing.abstract, listing.what, *sections]
        )
    return texts


def test_the_newcomers_are_those_of_article_3_with_the_cir_explained(
    programme: Programme,
) -> None:
    # Fiches 1 and 2 say whom the actions are for: Article 3's three criteria and the CIR,
    # protection subsidiaire and stateless people named, the CIR said in a few words.
    for key in ("integration-sociale-citoyenne", "territoire-accueil"):
        what = programme.action(key).listing.what
        for words in (
            "hors de l'Union européenne",
            "premier titre de séjour depuis moins de 5 ans",
            "rester vivre en France",
            "contrat d'intégration républicaine (CIR)",
            "protection subsidiaire",
            "apatrides",
            "protection temporaire",
            "Le CIR est un contrat que l'on signe avec l'État",
        ):
            assert words in what, (key, words)


def test_the_territory_is_the_metropolis_not_the_city(programme: Programme) -> None:
    for key, text in _public_texts(programme).items():
        for match in re.finditer(r"Dijon", text):
            before = text[max(0, match.start() - 13) : match.start()]
            assert before == "métropole de ", (key, text[match.start() - 40 : match.end()])


def test_every_fiche_says_where_to_reach_the_team(programme: Programme) -> None:
    for action in programme.actions:
        last = action.listing.how[-1]
        assert (last.key, last.title) == ("joindre-l-equipe", "Joindre l'équipe")
        assert "refugies.info/fr/annuaire" in last.text


def test_a_social_worker_is_never_the_way_in(programme: Programme) -> None:
    # The contract names social workers as partners, not as the way to the actions.
    for key, text in _public_texts(programme).items():
        assert not re.search(r"demandez[^.]*travailleur social", text, re.IGNORECASE), key
        assert "Vous pouvez en parler à votre travailleur social" not in text, key


def test_free_of_charge_is_said_only_of_the_115(programme: Programme) -> None:
    for key, text in _public_texts(programme).items():
        for match in re.finditer(r"gratuit", text):
            assert "115" in text[max(0, match.start() - 200) : match.start()], key


def test_a_price_is_published_only_with_who_confirmed_it_and_when(tmp_path: Path) -> None:
    raw = _raw()
    raw["listing_defaults"]["metadatas"]["price"] = {"values": [0]}
    with pytest.raises(ProgrammeError, match=r"metadatas\.price is set but not its source"):
        load_programme(_write(tmp_path, raw))

    raw["listing_defaults"]["price_source"] = {
        "confirmed_by": "la responsable du programme « Ensemble ! »",
        "confirmed_on": date(2025, 1, 15),
        "how": "courriel au chargé de mission CTAI",
    }
    sourced = load_programme(_write(tmp_path, raw))
    for action in sourced.actions:
        assert action.listing.price_source is not None
        assert action.listing.price_source.confirmed_on == date(2025, 1, 15)
        assert action.listing.metadatas.price is not None

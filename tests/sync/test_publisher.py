"""Plans and runs against the emulated platform: idempotence, edits, faults, deletions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.storage.database import migrate, open_engine
from bot.storage.listings import ListingRepository
from sync.client import RefugiesInfoClient
from sync.fiches import build_fiche, section_key
from sync.payloads import RemoteFiche
from sync.programme import Programme, Section
from sync.publisher import Desired, Kind, Observation, Publisher, RunReport, decide
from sync.themes import resolve_themes
from tests.sync.conftest import Wiring, utc_now
from tests.sync.refugies_emulator import (
    ACTIVE,
    DRAFT,
    WAITING_ADMIN,
    RefugiesEmulator,
    is_complete,
    new_id,
)


def _with_listing(programme: Programme, key: str, **changes: Any) -> Programme:
    actions = tuple(
        action.model_copy(update={"listing": action.listing.model_copy(update=changes)})
        if action.key == key
        else action
        for action in programme.actions
    )
    return programme.model_copy(update={"actions": actions})


def _rewritten_why(programme: Programme, key: str, section: str, text: str) -> Programme:
    why = tuple(
        Section(key=s.key, title=s.title, text=text) if s.key == section else s
        for s in programme.action(key).listing.why
    )
    return _with_listing(programme, key, why=why)


def _ids(wiring: Wiring) -> dict[str, str]:
    return {
        listing.action_key: listing.fiche_id
        for listing in wiring.listings.all()
        if listing.fiche_id is not None
    }


def _run(wiring: Wiring, programme: Programme, **options: Any) -> RunReport:
    return wiring.publisher(programme, **options).run()


def _moderate_all(refugies: RefugiesEmulator, status: str = ACTIVE) -> None:
    for fiche_id in list(refugies.fiches):
        refugies.moderate(fiche_id, status)


def test_the_first_run_creates_four_complete_fiches_sent_to_moderation(
    wiring: Wiring, programme: Programme
) -> None:
    report = _run(wiring, programme)

    assert report.ok
    assert [(r.created, r.submitted, r.status) for r in report.results] == [
        (True, True, WAITING_ADMIN)
    ] * 4
    fiches = wiring.refugies.fiches_of(wiring.operator.structure_id)
    assert len(fiches) == 4
    for fiche in fiches:
        assert fiche.main["status"] == WAITING_ADMIN
        assert fiche.main["metadatas"]["location"] == ["21 - Côte-d'Or"]
        assert is_complete(fiche, fiche.main)
        assert fiche.contacts == [
            {"name": "CESAM – « Ensemble ! »", "isMember": True, "isMe": False}
        ]
    assert report.writes == 8  # one create and one publish per fiche
    assert {listing.status for listing in wiring.listings.all()} == {WAITING_ADMIN}


def test_runs_with_nothing_changed_write_nothing_before_and_after_moderation(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    writes = len(wiring.refugies.write_calls)

    second = _run(wiring, programme)
    assert second.ok
    assert second.writes == 0
    assert [r.changed_anything for r in second.results] == [False] * 4

    _moderate_all(wiring.refugies)
    third = _run(wiring, programme)
    assert third.ok
    assert third.writes == 0
    assert len(wiring.refugies.write_calls) == writes
    assert {listing.status for listing in wiring.listings.all()} == {ACTIVE}


def test_a_plan_writes_nothing_anywhere(wiring: Wiring, programme: Programme) -> None:
    plan = wiring.publisher(programme).plan()
    assert plan.ok
    assert [entry.decision.kind for entry in plan.entries if entry.decision] == [Kind.CREATE] * 4
    assert all(entry.decision and entry.decision.publish for entry in plan.entries)
    assert wiring.refugies.write_calls == []
    assert wiring.listings.all() == []


def test_a_change_here_updates_only_that_section_of_the_live_fiche(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    _moderate_all(wiring.refugies)
    writes = len(wiring.refugies.write_calls)
    fiche_id = _ids(wiring)["entree-logement"]
    changed = _rewritten_why(
        programme, "entree-logement", "budget-logement", "Vous apprenez à prévoir vos dépenses."
    )

    plan = wiring.publisher(changed).plan()
    decision = next(e.decision for e in plan.entries if e.action.key == "entree-logement")
    assert decision is not None
    assert decision.kind is Kind.UPDATE
    assert [(c.field, c.reason) for c in decision.changes] == [("why", "changed here")]
    assert decision.publish
    assert decision.live
    assert len(wiring.refugies.write_calls) == writes

    report = _run(wiring, changed)
    assert report.ok
    assert report.writes == 2
    patch, publish = wiring.refugies.write_calls[-2:]
    assert (patch.route, set(patch.body)) == ("PATCH /dispositifs/{id}", {"why"})
    assert publish.route == "PATCH /dispositifs/{id}/publish"
    fiche = wiring.refugies.fiches[fiche_id]
    assert (fiche.main["status"], fiche.draft) == (ACTIVE, None)
    # Same keys for the other sections: only the edited one goes back to translation.
    assert fiche.reviews == [[f"why.{section_key('entree-logement', 'why', 'budget-logement')}"]]
    assert _run(wiring, changed).writes == 0


def test_an_edit_made_on_the_platform_is_kept_and_reported(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    fiche_id = _ids(wiring)["benevolat"]
    wiring.refugies.edit_on_platform(fiche_id, abstract="Un autre résumé.")

    plan = wiring.publisher(programme).plan()
    decision = next(e.decision for e in plan.entries if e.action.key == "benevolat")
    assert decision is not None
    assert decision.changes == ()
    assert decision.kept == ("abstract",)

    report = _run(wiring, programme)
    assert report.ok
    assert report.writes == 0
    result = next(r for r in report.results if r.action.key == "benevolat")
    assert result.kept == ("abstract",)
    assert wiring.refugies.fiches[fiche_id].main["abstract"] == "Un autre résumé."


def test_an_edit_made_on_the_platform_is_put_back_when_asked(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    fiche_id = _ids(wiring)["benevolat"]
    wiring.refugies.edit_on_platform(fiche_id, abstract="Un autre résumé.")

    plan = wiring.publisher(programme, overwrite_platform_edits=True).plan()
    decision = next(e.decision for e in plan.entries if e.action.key == "benevolat")
    assert decision is not None
    assert [(c.field, c.reason) for c in decision.changes] == [
        ("abstract", "changed on the platform")
    ]

    report = _run(wiring, programme, overwrite_platform_edits=True)
    assert report.ok
    assert report.writes == 1
    assert set(wiring.refugies.write_calls[-1].body) == {"abstract"}
    assert wiring.refugies.fiches[fiche_id].main["status"] == WAITING_ADMIN


def test_a_500_on_a_create_is_retried_without_a_duplicate(
    wiring: Wiring, programme: Programme
) -> None:
    wiring.refugies.fail_next("POST /dispositifs")
    report = _run(wiring, programme)
    assert report.ok
    assert len(wiring.refugies.fiches_of(wiring.operator.structure_id)) == 4
    assert len(wiring.refugies.calls_to("POST /dispositifs")) == 5
    assert wiring.waits.seconds == [1.0]


def test_a_500_after_the_fiche_was_made_finds_it_instead_of_creating_another(
    wiring: Wiring, programme: Programme
) -> None:
    wiring.refugies.fail_next("POST /dispositifs", after=True)
    report = _run(wiring, programme)
    assert report.ok
    assert len(wiring.refugies.fiches) == 4
    assert len(wiring.refugies.calls_to("POST /dispositifs")) == 4
    first = report.results[0]
    assert (first.created, first.submitted, first.status) == (True, True, WAITING_ADMIN)
    assert _run(wiring, programme).writes == 0


def test_a_create_left_without_answer_is_only_adopted_later(
    wiring: Wiring, programme: Programme
) -> None:
    gate = wiring.refugies.hold_next("POST /dispositifs")
    report = wiring.publisher(programme, timeout=0.2).run()

    assert not report.ok
    first, *others = report.results
    assert first.error is not None
    assert "may still be creating" in first.error
    assert all(result.error is None and result.created for result in others)
    gate.set()
    wiring.refugies.wait_idle()
    assert len(wiring.refugies.fiches) == 4  # the held create went through after all

    again = _run(wiring, programme)
    assert again.ok
    assert (again.results[0].adopted, again.results[0].submitted) == (True, True)
    assert len(wiring.refugies.calls_to("POST /dispositifs")) == 4
    assert {f.main["status"] for f in wiring.refugies.fiches.values()} == {WAITING_ADMIN}


def test_a_fiche_deleted_on_the_platform_is_recreated_only_when_asked(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    old = _ids(wiring)["territoire-accueil"]
    wiring.refugies.delete_on_platform(old)

    report = _run(wiring, programme)
    assert not report.ok
    failed = report.results[1]
    assert failed.error is not None
    assert "deleted on the platform" in failed.error
    assert "--recreate-deleted" in failed.error
    assert report.writes == 0

    recreated = _run(wiring, programme, recreate_deleted=True)
    assert recreated.ok
    new = _ids(wiring)["territoire-accueil"]
    assert new != old
    assert wiring.refugies.fiches[new].main["status"] == WAITING_ADMIN
    assert len(wiring.refugies.fiches_of(wiring.operator.structure_id)) == 4


def test_a_422_is_reported_with_the_field_and_never_retried(
    wiring: Wiring, programme: Programme
) -> None:
    wiring.refugies.stop_declaring("secondaryThemes")
    report = _run(wiring, programme)
    assert report.failed == 4
    for result in report.results:
        assert result.error is not None
        assert "422 Validation Failed" in result.error
        assert '"secondaryThemes" is an excess property' in result.error
    assert len(wiring.refugies.calls_to("POST /dispositifs")) == 4
    assert wiring.waits.seconds == []
    listing = wiring.listings.get("benevolat")
    assert listing is not None
    assert listing.last_error is not None


def test_a_lost_database_finds_the_fiches_again(
    wiring: Wiring, programme: Programme, tmp_path: Path
) -> None:
    _run(wiring, programme)
    fresh = open_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    migrate(fresh)
    try:
        client = wiring.connector.client()
        publisher = Publisher(
            client,
            ListingRepository(fresh),
            programme,
            wiring.operator.structure_id,
            period_ended_ok=True,
        )
        report = publisher.run()
        assert report.ok
        assert report.writes == 0
        assert all(result.adopted for result in report.results)
        assert len(wiring.refugies.fiches) == 4
    finally:
        fresh.dispose()


def test_an_incomplete_fiche_stays_a_draft(wiring: Wiring, programme: Programme) -> None:
    two_reasons = programme.action("benevolat").listing.why[:2]
    incomplete = _with_listing(programme, "benevolat", why=two_reasons)
    plan = wiring.publisher(incomplete).plan()
    decision = plan.entries[2].decision
    assert decision is not None
    assert not decision.publish
    assert decision.missing == ("why has 2 sections, 3 needed",)

    report = _run(wiring, incomplete)
    assert report.ok
    result = report.results[2]
    assert (result.created, result.submitted, result.status) == (True, False, DRAFT)
    assert len(wiring.refugies.calls_to("PATCH /dispositifs/{id}/publish")) == 3

    completed = _run(wiring, programme)
    assert completed.results[2].updated == ("why",)
    assert completed.results[2].status == WAITING_ADMIN


def test_a_fiche_rejected_by_the_structure_is_left_to_a_person(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    wiring.refugies.moderate(_ids(wiring)["benevolat"], "Rejeté structure")
    report = _run(wiring, programme)
    assert report.failed == 1
    assert report.writes == 0
    error = report.results[2].error
    assert error is not None
    assert "rejected" in error


def test_a_live_fiche_whose_draft_was_not_published_gets_it_published(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    _moderate_all(wiring.refugies)
    changed = _with_listing(programme, "benevolat", abstract="Les anciens bénéficiaires aident.")
    for _ in range(4):
        wiring.refugies.fail_next("PATCH /dispositifs/{id}/publish")
    assert _run(wiring, changed).failed == 1

    plan = wiring.publisher(changed).plan()
    decision = plan.entries[2].decision
    assert decision is not None
    assert decision.kind is Kind.SUBMIT
    assert decision.live
    report = _run(wiring, changed)
    assert report.ok
    assert report.writes == 1
    assert report.results[2].published
    fiche = wiring.refugies.fiches[_ids(wiring)["benevolat"]]
    assert (fiche.main["status"], fiche.main["abstract"]) == (
        ACTIVE,
        "Les anciens bénéficiaires aident.",
    )


def test_nothing_is_created_when_the_platform_cannot_be_checked_first(
    wiring: Wiring, programme: Programme
) -> None:
    for _ in range(4):
        wiring.refugies.fail_next("GET /dispositifs/user-contributions")
    report = _run(wiring, programme)
    assert report.failed == 4
    assert all("cannot check the platform" in (r.error or "") for r in report.results)
    assert wiring.refugies.calls_to("POST /dispositifs") == []


def test_a_wrong_site_secret_stops_the_run_with_the_servers_reason(
    wiring: Wiring, programme: Programme
) -> None:
    with RefugiesInfoClient(
        wiring.refugies.base_url,
        site_secret=SecretStr("wrong"),
        token=SecretStr(wiring.operator.user.token),
        sleep=wiring.waits,
    ) as client:
        publisher = Publisher(
            client,
            wiring.listings,
            programme,
            wiring.operator.structure_id,
            clock=utc_now,
            period_ended_ok=True,
        )
        report = publisher.run()
    assert report.aborted is not None
    assert "401 Request blocked via API" in report.aborted
    assert wiring.refugies.write_calls == []


def _desired(programme: Programme) -> Desired:
    action = programme.actions[0]
    return Desired.of(
        build_fiche(
            programme,
            action,
            structure_id="5f0c1e2d3b4a596877665544",
            theme_ids=resolve_themes(programme.themes, None).ids,
        )
    )


@pytest.mark.parametrize(
    ("status", "has_draft", "edited", "expected"),
    [
        (ACTIVE, False, False, (Kind.NOTHING, False, True)),
        (ACTIVE, False, True, (Kind.UPDATE, True, True)),
        (WAITING_ADMIN, False, False, (Kind.NOTHING, False, False)),
        (WAITING_ADMIN, False, True, (Kind.UPDATE, False, False)),
        (DRAFT, False, False, (Kind.SUBMIT, True, False)),
        (DRAFT, True, False, (Kind.SUBMIT, True, True)),
        ("Mise à jour à valider", True, False, (Kind.NOTHING, False, True)),
        ("Archivé", False, True, (Kind.UPDATE, True, True)),
        ("Rejeté structure", False, False, (Kind.BLOCKED, False, False)),
    ],
)
def test_decisions_follow_the_platforms_life_cycle(
    programme: Programme,
    status: str,
    has_draft: bool,
    edited: bool,
    expected: tuple[Kind, bool, bool],
) -> None:
    desired = _desired(programme)
    shown = {**desired.body, "abstract": "Autre chose."} if edited else dict(desired.body)
    remote = RemoteFiche(id="f" * 24, status=status, hasDraftVersion=has_draft, fields=shown)
    decision = decide(desired, Observation(None, remote=remote), recreate_deleted=False)
    assert (decision.kind, decision.publish, decision.live) == expected
    assert [c.field for c in decision.changes] == (["abstract"] if edited else [])


def test_decisions_for_absent_and_deleted_fiches(programme: Programme) -> None:
    desired = _desired(programme)
    assert decide(desired, Observation(None), recreate_deleted=False).kind is Kind.CREATE
    gone = Observation(None, deleted=True)
    assert decide(desired, gone, recreate_deleted=False).kind is Kind.DELETED
    assert decide(desired, gone, recreate_deleted=True).kind is Kind.RECREATE


def test_a_programme_whose_period_is_over_is_not_published_unless_asked(
    wiring: Wiring, programme: Programme
) -> None:
    # The 2023-2024 contract ended on 15 October 2024.
    refused = _run(wiring, programme, period_ended_ok=False)
    assert refused.refused is not None
    assert "ended on 2024-10-15" in refused.refused
    assert "--period-ended-ok" in refused.refused
    assert (refused.results, refused.writes, refused.ok) == ((), 0, False)
    assert wiring.refugies.requests == []  # decided before asking the platform anything

    plan = wiring.publisher(programme, period_ended_ok=False).plan()
    assert plan.refused == refused.refused
    assert [entry.decision.kind for entry in plan.entries if entry.decision] == [Kind.CREATE] * 4
    assert wiring.refugies.write_calls == []

    published = _run(wiring, programme, period_ended_ok=True)
    assert published.ok
    assert published.refused is None
    assert any("ended on 2024-10-15; published all the same" in n for n in published.notes)


def test_a_fiche_this_account_cannot_open_is_not_taken_for_deleted(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    structure, user = wiring.operator.structure_id, wiring.operator.user
    # The account leaves the structure; the platform then answers 404 for fiches waiting for
    # review, though it still lists them among the account's own.
    wiring.refugies.add_user("direction@cesam.example", member_of=structure)
    wiring.refugies.leave_structure(structure, user)

    report = _run(wiring, programme, recreate_deleted=True)
    assert report.failed == 4
    assert report.writes == 0
    for result in report.results:
        assert result.error is not None
        assert f"fiche {result.fiche_id} exists (status En attente admin)" in result.error
        assert "this account cannot open it" in result.error
        assert f"REFUGIES_INFO_STRUCTURE_ID ({structure})" in result.error
        assert result.status == WAITING_ADMIN
    assert len(wiring.refugies.fiches) == 4
    listing = wiring.listings.get("benevolat")
    assert listing is not None
    assert (listing.status, listing.last_error is not None) == (WAITING_ADMIN, True)


def test_a_404_is_not_taken_for_a_deletion_when_the_fiches_cannot_be_listed(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    # Gone for good, or out of this account's sight: the platform answers 404 either way.
    del wiring.refugies.fiches[_ids(wiring)["benevolat"]]
    for _ in range(4):
        wiring.refugies.fail_next("GET /dispositifs/user-contributions")

    report = _run(wiring, programme, recreate_deleted=True)
    assert report.failed == 1
    error = report.results[2].error
    assert error is not None
    assert "cannot be opened (404), and whether it was deleted cannot be checked" in error
    assert wiring.refugies.calls_to("POST /dispositifs")[4:] == []


def test_a_draft_edited_on_the_platform_is_left_for_a_person(
    wiring: Wiring, programme: Programme
) -> None:
    _run(wiring, programme)
    _moderate_all(wiring.refugies)
    fiche_id = _ids(wiring)["benevolat"]
    wiring.refugies.edit_draft_on_platform(fiche_id, abstract="Un résumé en cours d'écriture.")
    changed = _rewritten_why(programme, "benevolat", "creer-des-liens", "Rencontrer du monde.")

    report = _run(wiring, changed)
    assert report.failed == 1
    assert report.writes == 0
    error = report.results[2].error
    assert error is not None
    assert "a draft edited on the platform is waiting (abstract)" in error
    assert "publish or discard it on refugies.info" in error
    fiche = wiring.refugies.fiches[fiche_id]
    assert fiche.main["status"] == ACTIVE
    assert fiche.draft is not None
    assert fiche.draft["abstract"] == "Un résumé en cours d'écriture."

    overwritten = _run(wiring, changed, overwrite_platform_edits=True)
    assert overwritten.ok
    assert overwritten.writes == 2
    patch, publish = wiring.refugies.write_calls[-2:]
    assert set(patch.body) == {"abstract", "why"}
    assert publish.route == "PATCH /dispositifs/{id}/publish"
    assert (fiche.main["status"], fiche.draft) == (ACTIVE, None)
    assert fiche.main["abstract"] == programme.action("benevolat").listing.abstract


def test_a_fiche_made_by_another_account_of_the_structure_is_found_not_duplicated(
    wiring: Wiring, programme: Programme, tmp_path: Path
) -> None:
    colleague = wiring.refugies.add_user(
        "direction@cesam.example", member_of=wiring.operator.structure_id
    )
    elsewhere = open_engine(f"sqlite:///{tmp_path / 'colleague.db'}")
    migrate(elsewhere)
    try:
        theirs = Publisher(
            wiring.connector.client(token=colleague.token),
            ListingRepository(elsewhere),
            programme,
            wiring.operator.structure_id,
            period_ended_ok=True,
        )
        assert theirs.run().ok
    finally:
        elsewhere.dispose()

    report = _run(wiring, programme)
    assert report.ok
    assert report.writes == 0
    assert all(result.adopted for result in report.results)
    assert len(wiring.refugies.fiches) == 4


def test_the_run_carries_on_without_the_structures_list(
    wiring: Wiring, programme: Programme
) -> None:
    # The route is not in the reference: a platform may not have it.
    for _ in range(2):
        wiring.refugies.fail_next("GET /structures/{id}", 404, message="Not found")
    wiring.refugies.fail_next("POST /dispositifs")

    report = _run(wiring, programme)
    assert report.ok
    assert len(wiring.refugies.fiches) == 4
    assert any("structure's fiches could not be read" in note for note in report.notes)
    assert len(wiring.refugies.calls_to("GET /structures/{id}")) == 2
    assert _run(wiring, programme).writes == 0


def test_a_publication_refused_as_incomplete_points_at_the_structure_id(
    wiring: Wiring, programme: Programme
) -> None:
    unknown = new_id()
    publisher = Publisher(
        wiring.connector.client(),
        wiring.listings,
        programme,
        unknown,
        clock=utc_now,
        period_ended_ok=True,
    )
    report = publisher.run()
    assert report.failed == 4
    for result in report.results:
        assert result.error is not None
        assert "400 The content is incomplete" in result.error
        assert f"REFUGIES_INFO_STRUCTURE_ID ({unknown}) may not exist" in result.error
    assert {fiche.main["status"] for fiche in wiring.refugies.fiches.values()} == {DRAFT}


def test_a_theme_id_that_is_not_an_object_id_is_ignored(
    wiring: Wiring, programme: Programme
) -> None:
    logement = wiring.refugies.themes[0]
    configured = logement["_id"]
    logement["_id"] = "logement"

    report = _run(wiring, programme)
    assert report.ok
    assert any("'logement' from the platform is not an ObjectId" in n for n in report.notes)
    fiche = wiring.refugies.fiches[_ids(wiring)["entree-logement"]]
    assert fiche.main["theme"] == configured


def test_an_unreadable_line_among_the_users_fiches_is_skipped_with_a_note(
    wiring: Wiring, programme: Programme
) -> None:
    wiring.refugies.odd_contributions.append({"_id": "a" * 24, "titreInformatif": "?"})
    report = _run(wiring, programme)
    assert report.ok
    assert len(wiring.refugies.fiches) == 4
    assert any(f"item 0 ({'a' * 24}) skipped" in note for note in report.notes)


def test_a_live_fiche_is_never_published_without_a_draft(
    wiring: Wiring, programme: Programme
) -> None:
    # The platform would send it back to review (En attente admin): it would go offline.
    _run(wiring, programme)
    _moderate_all(wiring.refugies)
    ids = _ids(wiring)
    wiring.refugies.edit_on_platform(ids["benevolat"], abstract="Revu par la modération.")
    changed = _rewritten_why(programme, "entree-logement", "voisinage", "Bien vivre ensemble.")

    for options in ({}, {"overwrite_platform_edits": True}, {}):
        assert _run(wiring, changed, **options).ok
    publishes = {call.path for call in wiring.refugies.calls_to("PATCH /dispositifs/{id}/publish")}
    assert publishes - {f"/dispositifs/{fiche_id}/publish" for fiche_id in ids.values()} == set()
    assert len(wiring.refugies.calls_to("PATCH /dispositifs/{id}/publish")) == 4 + 2
    assert {fiche.main["status"] for fiche in wiring.refugies.fiches.values()} == {ACTIVE}

"""The sync state table behaves the same on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, inspect
from sqlalchemy.exc import IntegrityError

from bot.storage.database import migrate
from bot.storage.listings import ListingRepository

T0 = datetime(2024, 3, 4, 6, 30, tzinfo=UTC)
FICHE = "65e5f0c1a2b3c4d5e6f70819"


def test_the_migration_creates_the_table_and_can_run_twice(engine: Engine) -> None:
    migrate(engine)
    columns = {column["name"] for column in inspect(engine).get_columns("listings")}
    assert {"action_key", "fiche_id", "pushed_hash", "field_hashes", "status"} <= columns


def test_a_listing_goes_from_bound_to_pushed_to_seen(engine: Engine) -> None:
    listings = ListingRepository(engine)
    assert listings.get("entree-logement") is None
    listings.bind("entree-logement", FICHE, T0)
    listings.record_push("entree-logement", {"what": "h1", "why": "h2"}, "whole", T0)
    listings.record_status("entree-logement", "En attente admin", False, T0 + timedelta(hours=1))

    listing = listings.get("entree-logement")
    assert listing is not None
    assert listing.fiche_id == FICHE
    assert dict(listing.field_hashes) == {"what": "h1", "why": "h2"}
    assert listing.pushed_hash == "whole"
    assert listing.pushed_at == T0
    assert listing.status == "En attente admin"
    assert listing.status_seen_at == T0 + timedelta(hours=1)
    assert listing.status_seen_at is not None
    assert listing.status_seen_at.tzinfo is not None


def test_an_error_is_kept_until_the_action_is_fine_again(engine: Engine) -> None:
    listings = ListingRepository(engine)
    listings.record_error("benevolat", "GET /themes: timed out", T0)
    failed = listings.get("benevolat")
    assert failed is not None
    assert failed.fiche_id is None
    assert failed.last_error == "GET /themes: timed out"
    listings.bind("benevolat", FICHE, T0)
    listings.record_status("benevolat", "Actif", False, T0)
    recovered = listings.get("benevolat")
    assert recovered is not None
    assert recovered.last_error is None


def test_rebinding_forgets_the_previous_fiche(engine: Engine) -> None:
    listings = ListingRepository(engine)
    listings.bind("benevolat", FICHE, T0)
    listings.record_push("benevolat", {"what": "h"}, "whole", T0)
    listings.record_status("benevolat", "Supprimé", False, T0)
    listings.bind("benevolat", "65e5f0c1a2b3c4d5e6f7081a", T0)
    listing = listings.get("benevolat")
    assert listing is not None
    assert (listing.fiche_id, listing.pushed_hash, listing.status) == (
        "65e5f0c1a2b3c4d5e6f7081a",
        None,
        None,
    )
    assert dict(listing.field_hashes) == {}


def test_two_actions_never_share_a_fiche(engine: Engine) -> None:
    listings = ListingRepository(engine)
    listings.bind("benevolat", FICHE, T0)
    with pytest.raises(IntegrityError):
        listings.bind("entree-logement", FICHE, T0)
    assert [listing.action_key for listing in listings.all()] == ["benevolat"]

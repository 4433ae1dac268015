"""Where each funded action stands on refugies.info: its fiche, what we pushed, what we saw."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Engine,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

listings = Table(
    "listings",
    metadata,
    # The action's stable key in content/programme.yaml.
    Column("action_key", String(80), primary_key=True),
    Column("fiche_id", String(24), nullable=True),
    # sha256 of the whole body last pushed, and of each field, so a run can tell which
    # fields changed here since (the platform does not show every field back, e.g. contact).
    Column("pushed_hash", String(64), nullable=True),
    Column("field_hashes", JSON, nullable=True),
    Column("pushed_at", UtcDateTime, nullable=True),
    Column("status", String(40), nullable=True),
    Column("has_draft", Boolean, nullable=False, server_default=false()),
    Column("status_seen_at", UtcDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("updated_at", UtcDateTime, nullable=False),
    # Two actions must never share one fiche.
    UniqueConstraint("fiche_id"),
)


@dataclass(frozen=True)
class Listing:
    action_key: str
    fiche_id: str | None
    pushed_hash: str | None
    field_hashes: Mapping[str, str] = field(default_factory=dict)
    pushed_at: datetime | None = None
    status: str | None = None
    has_draft: bool = False
    status_seen_at: datetime | None = None
    last_error: str | None = None


def _listing(row: object) -> Listing:
    hashes = row.field_hashes  # type: ignore[attr-defined]
    return Listing(
        action_key=row.action_key,  # type: ignore[attr-defined]
        fiche_id=row.fiche_id,  # type: ignore[attr-defined]
        pushed_hash=row.pushed_hash,  # type: ignore[attr-defined]
        field_hashes=dict(hashes) if isinstance(hashes, dict) else {},
        pushed_at=row.pushed_at,  # type: ignore[attr-defined]
        status=row.status,  # type: ignore[attr-defined]
        has_draft=bool(row.has_draft),  # type: ignore[attr-defined]
        status_seen_at=row.status_seen_at,  # type: ignore[attr-defined]
        last_error=row.last_error,  # type: ignore[attr-defined]
    )


class ListingRepository:
    """Reads and writes `listings`; one short transaction per call."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert

    def get(self, action_key: str) -> Listing | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(listings).where(listings.c.action_key == action_key)
            ).one_or_none()
        return None if row is None else _listing(row)

    def all(self) -> list[Listing]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(listings).order_by(listings.c.action_key)).all()
        return [_listing(row) for row in rows]

    def bind(self, action_key: str, fiche_id: str, now: datetime) -> None:
        """The action's fiche is now `fiche_id`: forget what we knew of any previous one."""
        self._upsert(
            action_key,
            now,
            fiche_id=fiche_id,
            pushed_hash=None,
            field_hashes=None,
            pushed_at=None,
            status=None,
            has_draft=False,
            status_seen_at=None,
            last_error=None,
        )

    def record_push(
        self, action_key: str, field_hashes: Mapping[str, str], pushed_hash: str, now: datetime
    ) -> None:
        """The platform now holds this content for the action's fiche."""
        self._upsert(
            action_key,
            now,
            field_hashes=dict(field_hashes),
            pushed_hash=pushed_hash,
            pushed_at=now,
        )

    def record_status(self, action_key: str, status: str, has_draft: bool, now: datetime) -> None:
        """What the platform said about the fiche, and that the action is fine again."""
        self._upsert(
            action_key, now, status=status, has_draft=has_draft, status_seen_at=now, last_error=None
        )

    def record_error(self, action_key: str, message: str, now: datetime) -> None:
        self._upsert(action_key, now, last_error=message)

    def _upsert(self, action_key: str, now: datetime, **values: object) -> None:
        values["updated_at"] = now
        statement = self._insert(listings).values(action_key=action_key, **values)
        statement = statement.on_conflict_do_update(
            index_elements=[listings.c.action_key], set_=values
        )
        with self._engine.begin() as connection:
            connection.execute(statement)

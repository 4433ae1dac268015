"""The mirror of refugies.info's fiches for one département, as the bot reads them.

`python -m sync fiches` fills it; the bot only reads. A run replaces the mirror in one
transaction, fiche by fiche and only where something changed (a content hash per fiche), so
readers always see a whole mirror, old or new, and a failed run leaves the old one in place.

Per fiche: its kind, themes, where it applies, whom it is for, when the platform last
changed it, whether it is one of our own four (the publisher's), and per language whether a
translation exists and, if so, its title, brand, summary (plain text), the sections the bot
shows (already Telegram HTML) and its page on refugies.info in that language.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Engine,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    delete,
    false,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

# The platform's languages, as its API names them: French (the source) and the seven it is
# translated into (Dari and Persian share `fa`; there is no `prs`).
PLATFORM_LANGUAGES = ("fr", "en", "ar", "fa", "ps", "ti", "ru", "uk")

platform_fiches = Table(
    "platform_fiches",
    metadata,
    Column("id", String(24), primary_key=True),  # the platform's id (an ObjectId)
    Column("kind", String(16), nullable=False),  # dispositif or demarche
    Column("theme_id", String(24), nullable=True),
    # "france", "online", or a list of départements written "21 - Côte-d'Or"; null: unsaid.
    Column("location", JSON, nullable=True),
    # The platform's publicStatus, public, age and frenchLevel, as it writes them.
    Column("audience", JSON, nullable=False),
    Column("sponsor_id", String(24), nullable=True),
    Column("sponsor_name", Text, nullable=True),
    # One of the fiches our publisher keeps (the contract's actions): the bot shows those
    # from its own content, not twice.
    Column("ours", Boolean, nullable=False, server_default=false()),
    Column("last_modified", UtcDateTime, nullable=True),
    # sha256 of everything stored for the fiche: a run rewrites a fiche only when it changes.
    Column("content_hash", String(64), nullable=False),
    Column("stored_at", UtcDateTime, nullable=False),
)


def _fiche_column() -> Column[str]:
    return Column(
        "fiche_id",
        String(24),
        ForeignKey("platform_fiches.id", ondelete="CASCADE"),
        primary_key=True,
    )


platform_fiche_themes = Table(
    "platform_fiche_themes",
    metadata,
    _fiche_column(),
    Column("theme_id", String(24), primary_key=True),
    Column("main", Boolean, nullable=False),
    Index("ix_platform_fiche_themes_theme_id", "theme_id"),
)

platform_fiche_texts = Table(
    "platform_fiche_texts",
    metadata,
    _fiche_column(),
    Column("language", String(8), primary_key=True),
    # False: the platform has no translation in this language (the other columns are null).
    Column("translated", Boolean, nullable=False),
    Column("title", Text, nullable=True),  # plain text
    Column("brand", Text, nullable=True),  # plain text (titreMarque), empty for démarches
    Column("summary", Text, nullable=True),  # plain text
    # [{"part": what|why|how|next, "title": plain text or null, "html": Telegram HTML}]
    Column("sections", JSON, nullable=False),
    Column("url", Text, nullable=True),
)

platform_mirror_runs = Table(
    "platform_mirror_runs",
    metadata,
    # One row per département mirrored: its latest run.
    Column("county", String(80), primary_key=True),
    Column("last_success_at", UtcDateTime, nullable=True),
    Column("last_attempt_at", UtcDateTime, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("fiches", Integer, nullable=False, server_default="0"),
    Column("written", Integer, nullable=False, server_default="0"),
    Column("removed", Integer, nullable=False, server_default="0"),
)


# The platform's themes and their short names per language (« Logement », « Housing »…),
# as `GET /themes` gives them: the bot lists the fiches by theme in the reader's language.
platform_themes = Table(
    "platform_themes",
    metadata,
    Column("id", String(24), primary_key=True),
    Column("names", JSON, nullable=False),  # {language: short name}
)

ThemeNames = Mapping[str, Mapping[str, str]]  # theme id → language → name


@dataclass(frozen=True)
class FicheSection:
    """One part of a fiche as the bot shows it: `what`, or a titled `why`/`how`/`next` item."""

    part: str
    title: str | None
    html: str  # Telegram HTML, safe to send as is


@dataclass(frozen=True)
class FicheText:
    """A fiche in one language; `translated` False means the platform shows French there."""

    language: str
    translated: bool
    title: str | None = None
    brand: str | None = None
    summary: str | None = None
    sections: tuple[FicheSection, ...] = ()
    url: str | None = None


@dataclass(frozen=True)
class PlatformFiche:
    id: str
    kind: str
    theme_id: str | None
    secondary_theme_ids: tuple[str, ...]
    location: str | tuple[str, ...] | None
    audience: Mapping[str, Any]
    sponsor_id: str | None
    sponsor_name: str | None
    last_modified: datetime | None
    ours: bool
    texts: Mapping[str, FicheText] = field(default_factory=dict)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages the fiche is written in on the platform, French first."""
        return tuple(lang for lang in PLATFORM_LANGUAGES if self.is_translated(lang))

    def is_translated(self, language: str) -> bool:
        text = self.texts.get(language)
        return text is not None and text.translated

    def text(self, language: str) -> FicheText | None:
        """The fiche in `language` if translated, else in French (None if neither)."""
        for candidate in (language, "fr"):
            if self.is_translated(candidate):
                return self.texts[candidate]
        return None

    def content_hash(self) -> str:
        """What a run compares: every stored fact but when it was stored."""
        encoded = json.dumps(fiche_to_json(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass(frozen=True)
class MirrorRun:
    county: str
    last_success_at: datetime | None
    last_attempt_at: datetime
    last_error: str | None
    fiches: int
    written: int
    removed: int


@dataclass(frozen=True)
class MirrorChanges:
    """What a run changed: fiches written (new or changed), removed, left as they were."""

    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0

    @property
    def nothing(self) -> bool:
        return not self.written and not self.removed


# JSON forms (the demo's sample file, and the content hash)


def _section_json(section: FicheSection) -> dict[str, Any]:
    return {"part": section.part, "title": section.title, "html": section.html}


def _text_json(text: FicheText) -> dict[str, Any]:
    return {
        "language": text.language,
        "translated": text.translated,
        "title": text.title,
        "brand": text.brand,
        "summary": text.summary,
        "sections": [_section_json(section) for section in text.sections],
        "url": text.url,
    }


def _location_json(location: str | tuple[str, ...] | None) -> str | list[str] | None:
    return list(location) if isinstance(location, tuple) else location


def fiche_to_json(fiche: PlatformFiche) -> dict[str, Any]:
    return {
        "id": fiche.id,
        "kind": fiche.kind,
        "theme_id": fiche.theme_id,
        "secondary_theme_ids": list(fiche.secondary_theme_ids),
        "location": _location_json(fiche.location),
        "audience": dict(fiche.audience),
        "sponsor_id": fiche.sponsor_id,
        "sponsor_name": fiche.sponsor_name,
        "last_modified": fiche.last_modified.isoformat() if fiche.last_modified else None,
        "ours": fiche.ours,
        "texts": [_text_json(fiche.texts[lang]) for lang in sorted(fiche.texts)],
    }


def _location(value: Any) -> str | tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return value if isinstance(value, str) else None


def _sections(value: Any) -> tuple[FicheSection, ...]:
    return tuple(
        FicheSection(str(item["part"]), item.get("title"), str(item["html"]))
        for item in value or []
    )


def _text_from_json(data: Mapping[str, Any]) -> FicheText:
    return FicheText(
        language=str(data["language"]),
        translated=bool(data["translated"]),
        title=data.get("title"),
        brand=data.get("brand"),
        summary=data.get("summary"),
        sections=_sections(data.get("sections")),
        url=data.get("url"),
    )


def fiche_from_json(data: Mapping[str, Any]) -> PlatformFiche:
    modified = data.get("last_modified")
    texts = [_text_from_json(item) for item in data.get("texts") or []]
    return PlatformFiche(
        id=str(data["id"]),
        kind=str(data["kind"]),
        theme_id=data.get("theme_id"),
        secondary_theme_ids=tuple(data.get("secondary_theme_ids") or ()),
        location=_location(data.get("location")),
        audience=dict(data.get("audience") or {}),
        sponsor_id=data.get("sponsor_id"),
        sponsor_name=data.get("sponsor_name"),
        last_modified=datetime.fromisoformat(modified) if modified else None,
        ours=bool(data.get("ours")),
        texts={text.language: text for text in texts},
    )


def _run(row: Any) -> MirrorRun:
    return MirrorRun(
        county=row.county,
        last_success_at=row.last_success_at,
        last_attempt_at=row.last_attempt_at,
        last_error=row.last_error,
        fiches=int(row.fiches),
        written=int(row.written),
        removed=int(row.removed),
    )


class PlatformFicheRepository:
    """Reads the mirror for the bot, and replaces it for the mirror's runs."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # Reading (the bot)

    def all(self, *, include_ours: bool = False) -> list[PlatformFiche]:
        """Every fiche with its texts in every language (for a search index)."""
        with self._engine.connect() as connection:
            return self._load(connection, None, include_ours)

    def by_theme(self, theme_id: str, *, include_ours: bool = False) -> list[PlatformFiche]:
        """The fiches whose main or secondary theme is `theme_id`, main ones first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(platform_fiche_themes.c.fiche_id, platform_fiche_themes.c.main).where(
                    platform_fiche_themes.c.theme_id == theme_id
                )
            ).all()
            fiches = self._load(connection, [row.fiche_id for row in rows], include_ours)
        main = {row.fiche_id for row in rows if row.main}
        return sorted(fiches, key=lambda fiche: (fiche.id not in main, fiche.id))

    def get(self, fiche_id: str) -> PlatformFiche | None:
        """One fiche, ours included (a link to it may have been shared)."""
        with self._engine.connect() as connection:
            found = self._load(connection, [fiche_id], include_ours=True)
        return found[0] if found else None

    def ids(self) -> set[str]:
        with self._engine.connect() as connection:
            return set(connection.execute(select(platform_fiches.c.id)).scalars())

    def last_run(self, county: str | None = None) -> MirrorRun | None:
        """The latest run (for `county`, or for any département)."""
        query = select(platform_mirror_runs).order_by(platform_mirror_runs.c.last_attempt_at.desc())
        if county is not None:
            query = query.where(platform_mirror_runs.c.county == county)
        with self._engine.connect() as connection:
            row = connection.execute(query.limit(1)).one_or_none()
        return None if row is None else _run(row)

    def last_success(self, county: str | None = None) -> datetime | None:
        """When the mirror last finished a run: how fresh what the bot shows is."""
        run = self.last_run(county)
        return run.last_success_at if run else None

    def _load(
        self, connection: Connection, ids: Sequence[str] | None, include_ours: bool
    ) -> list[PlatformFiche]:
        query = select(platform_fiches).order_by(platform_fiches.c.id)
        if ids is not None:
            if not ids:
                return []
            query = query.where(platform_fiches.c.id.in_(ids))
        if not include_ours:
            query = query.where(platform_fiches.c.ours.is_(False))
        rows = connection.execute(query).all()
        if not rows:
            return []
        wanted = [row.id for row in rows]
        themes: dict[str, list[tuple[str, bool]]] = {}
        for theme in connection.execute(
            select(platform_fiche_themes)
            .where(platform_fiche_themes.c.fiche_id.in_(wanted))
            .order_by(platform_fiche_themes.c.theme_id)
        ):
            themes.setdefault(theme.fiche_id, []).append((theme.theme_id, bool(theme.main)))
        texts: dict[str, dict[str, FicheText]] = {}
        for text in connection.execute(
            select(platform_fiche_texts).where(platform_fiche_texts.c.fiche_id.in_(wanted))
        ):
            texts.setdefault(text.fiche_id, {})[text.language] = FicheText(
                language=text.language,
                translated=bool(text.translated),
                title=text.title,
                brand=text.brand,
                summary=text.summary,
                sections=_sections(text.sections),
                url=text.url,
            )
        return [
            PlatformFiche(
                id=row.id,
                kind=row.kind,
                theme_id=row.theme_id,
                secondary_theme_ids=tuple(t for t, main in themes.get(row.id, []) if not main),
                location=_location(row.location),
                audience=dict(row.audience or {}),
                sponsor_id=row.sponsor_id,
                sponsor_name=row.sponsor_name,
                last_modified=row.last_modified,
                ours=bool(row.ours),
                texts=texts.get(row.id, {}),
            )
            for row in rows
        ]

    # Writing (the mirror's runs)

    def theme_names(self) -> dict[str, dict[str, str]]:
        with self._engine.connect() as connection:
            rows = connection.execute(select(platform_themes)).all()
        return {row.id: dict(row.names) for row in rows}

    def replace(
        self,
        fiches: Iterable[PlatformFiche],
        county: str,
        now: datetime,
        themes: ThemeNames | None = None,
    ) -> MirrorChanges:
        """Make the mirror exactly `fiches`, in one transaction: changed and new fiches are
        written, fiches no longer listed removed, unchanged ones not touched; the run is
        recorded as a success. `themes`, when given, replace the theme names (when they
        differ: a run with nothing changed writes nothing)."""
        wanted = {fiche.id: fiche for fiche in fiches}
        written: list[str] = []
        with self._engine.begin() as connection:
            if themes is not None:
                self._replace_themes(connection, themes)
            stored = dict(
                connection.execute(
                    select(platform_fiches.c.id, platform_fiches.c.content_hash)
                ).all()
            )
            removed = sorted(set(stored) - set(wanted))
            if removed:
                self._delete(connection, removed)
            for fiche_id in sorted(wanted):
                fiche = wanted[fiche_id]
                digest = fiche.content_hash()
                if stored.get(fiche_id) == digest:
                    continue
                if fiche_id in stored:
                    self._delete(connection, [fiche_id])
                self._insert(connection, fiche, digest, now)
                written.append(fiche_id)
            changes = MirrorChanges(tuple(written), tuple(removed), len(wanted) - len(written))
            self._record(
                connection,
                county,
                now,
                last_success_at=now,
                last_error=None,
                fiches=len(wanted),
                written=len(written),
                removed=len(removed),
            )
        return changes

    @staticmethod
    def _replace_themes(connection: Connection, themes: ThemeNames) -> None:
        stored = {row.id: row.names for row in connection.execute(select(platform_themes))}
        wanted = {theme_id: dict(names) for theme_id, names in themes.items()}
        if stored == wanted:
            return
        connection.execute(delete(platform_themes))
        if wanted:
            connection.execute(
                insert(platform_themes),
                [{"id": theme_id, "names": names} for theme_id, names in wanted.items()],
            )

    def record_failure(self, county: str, error: str, now: datetime) -> None:
        """A run that could not finish: the fiches stay as they were, the error is kept."""
        with self._engine.begin() as connection:
            self._record(connection, county, now, last_error=error)

    def _record(self, connection: Connection, county: str, now: datetime, **values: Any) -> None:
        values["last_attempt_at"] = now
        changed = connection.execute(
            update(platform_mirror_runs)
            .where(platform_mirror_runs.c.county == county)
            .values(**values)
        )
        if changed.rowcount == 0:
            connection.execute(insert(platform_mirror_runs).values(county=county, **values))

    @staticmethod
    def _delete(connection: Connection, ids: Sequence[str]) -> None:
        # Children first: the same code whether or not the database enforces the cascade.
        for table in (platform_fiche_texts, platform_fiche_themes):
            connection.execute(delete(table).where(table.c.fiche_id.in_(ids)))
        connection.execute(delete(platform_fiches).where(platform_fiches.c.id.in_(ids)))

    @staticmethod
    def _insert(connection: Connection, fiche: PlatformFiche, digest: str, now: datetime) -> None:
        connection.execute(
            insert(platform_fiches).values(
                id=fiche.id,
                kind=fiche.kind,
                theme_id=fiche.theme_id,
                location=_location_json(fiche.location),
                audience=dict(fiche.audience),
                sponsor_id=fiche.sponsor_id,
                sponsor_name=fiche.sponsor_name,
                ours=fiche.ours,
                last_modified=fiche.last_modified,
                content_hash=digest,
                stored_at=now,
            )
        )
        themes = [(fiche.theme_id, True)] if fiche.theme_id else []
        themes += [(theme, False) for theme in fiche.secondary_theme_ids if theme != fiche.theme_id]
        seen: set[str] = set()
        rows = []
        for theme_id, main in themes:
            if theme_id not in seen:
                seen.add(theme_id)
                rows.append({"fiche_id": fiche.id, "theme_id": theme_id, "main": main})
        if rows:
            connection.execute(insert(platform_fiche_themes), rows)
        texts = [
            {
                "fiche_id": fiche.id,
                "language": text.language,
                "translated": text.translated,
                "title": text.title,
                "brand": text.brand,
                "summary": text.summary,
                "sections": [_section_json(section) for section in text.sections],
                "url": text.url,
            }
            for text in fiche.texts.values()
        ]
        if texts:
            connection.execute(insert(platform_fiche_texts), texts)

"""The refugies.info fiches of one département, mirrored for the bot (`python -m sync fiches`).

A run reads first and writes after: the list of fiches that apply in the département
(`GET /dispositifs/getContentsForApp`, public), then each fiche in French and in every
language the platform has it translated into (`GET /dispositifs/{id}`, with the site
secret and never a user token). Only when everything was read does it replace the mirror,
in one transaction, rewriting just the fiches that changed. Any failure on the way (after
the client's retries) leaves the previous mirror as it was, for the bot to keep using.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.storage.platform_fiches import (
    PLATFORM_LANGUAGES,
    MirrorChanges,
    MirrorRun,
    PlatformFiche,
    PlatformFicheRepository,
)
from sync.client import NotFoundError, RefugiesInfoClient, RefugiesInfoError
from sync.platform_fiche import is_object_id, read_fiche, translated_locales

logger = logging.getLogger(__name__)

USER_AGENT = (
    "ensemble-assistant-fiches/0.1 (read-only mirror of refugies.info for a Telegram "
    "assistant; CTAI Dijon Métropole)"
)
# A polite pace for a daily read of a few hundred pages: at most 4 requests a second.
REQUESTS_PER_SECOND = 4.0


class MirrorRefusedError(RefugiesInfoError):
    """The platform answered, but what it answered would empty the mirror."""


@dataclass(frozen=True)
class Fetched:
    """Everything read in one run, before anything is written."""

    fiches: tuple[PlatformFiche, ...]
    # Fiches listed but gone by the time they were opened, odd list items: said, not fatal.
    notes: tuple[str, ...] = ()
    # The platform's themes: id → language → short name (« Logement », « Housing »…).
    themes: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class MirrorReport:
    county: str
    started_at: datetime
    finished_at: datetime
    requests: int
    fiches: tuple[PlatformFiche, ...] = ()
    changes: MirrorChanges | None = None
    notes: tuple[str, ...] = ()
    error: str | None = None
    # What the bot still has when a run failed: the previous mirror.
    kept: int = 0
    kept_since: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def translated(self) -> dict[str, int]:
        """How many fiches are written in each language."""
        return {
            lang: sum(1 for fiche in self.fiches if fiche.is_translated(lang))
            for lang in PLATFORM_LANGUAGES
        }


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class FicheMirror:
    """One département's fiches, read from the platform and stored for the bot."""

    client: RefugiesInfoClient
    repository: PlatformFicheRepository
    county: str
    # Our publisher's fiches: marked, so that the bot does not show them twice.
    our_fiche_ids: Callable[[], Iterable[str]] = lambda: ()
    our_structure_id: str | None = None
    clock: Callable[[], datetime] = _utc_now

    def fetch(self) -> Fetched:
        """Read every fiche of the département in every language it exists in; no write."""
        listed = self.client.contents_for_app("fr", self.county)
        notes: list[str] = []
        ids: list[str] = []
        for index, item in enumerate(listed):
            fiche_id = item.get("_id")
            if not is_object_id(fiche_id):
                notes.append(f"item {index} of the list has no usable id: skipped")
            elif fiche_id not in ids:
                ids.append(str(fiche_id))
        if not ids and self.repository.ids():
            raise MirrorRefusedError(
                f"the platform listed no fiche for {self.county}: taken for a fault, "
                "not for the end of every fiche"
            )
        ours = set(self.our_fiche_ids())
        fiches: list[PlatformFiche] = []
        for fiche_id in ids:
            answers = self._answers(fiche_id)
            if answers is None:
                notes.append(f"fiche {fiche_id} was listed but is no longer public: left out")
                continue
            fiche = read_fiche(fiche_id, answers, ours=fiche_id in ours)
            if self.our_structure_id and fiche.sponsor_id == self.our_structure_id:
                # Another fiche of our structure (made by hand, say): ours all the same.
                fiche = replace(fiche, ours=True)
            fiches.append(fiche)
        if ids and not fiches and self.repository.ids():
            # Listed, yet none could be opened: a fault of the platform, not the end of every
            # fiche; the mirror in use is kept.
            raise MirrorRefusedError(
                f"the platform listed {len(ids)} fiches for {self.county} but none could be "
                "opened: taken for a fault"
            )
        return Fetched(tuple(fiches), tuple(notes), self._themes())

    def _themes(self) -> dict[str, dict[str, str]]:
        """Each theme's short name per language (its long name where the short is missing),
        so that the bot lists fiches by theme in the reader's language."""
        themes: dict[str, dict[str, str]] = {}
        for theme in self.client.themes():
            if not is_object_id(theme.id):
                continue
            names = {**theme.name, **{lang: short for lang, short in theme.short.items() if short}}
            themes[theme.id] = {lang: name for lang, name in names.items() if name}
        return themes

    def _answers(self, fiche_id: str) -> dict[str, dict[str, object]] | None:
        """The fiche in French and in each of its translations; None if it is gone (404).
        A translation that answers 404 is left out (the fiche stays, in French there)."""
        try:
            french = self.client.fiche_in(fiche_id, "fr")
        except NotFoundError:
            return None
        answers: dict[str, dict[str, object]] = {"fr": french}
        for locale in translated_locales(french):
            try:
                answers[locale] = self.client.fiche_in(fiche_id, locale)
            except NotFoundError:
                continue
        return answers

    def run(self) -> MirrorReport:
        """Fetch, then replace the mirror; on any failure, keep it and record why."""
        started = self.clock()
        calls_before = len(self.client.calls)
        try:
            fetched = self.fetch()
        except RefugiesInfoError as error:
            self.repository.record_failure(self.county, str(error), self.clock())
            last = self.repository.last_run(self.county)
            return MirrorReport(
                self.county,
                started,
                self.clock(),
                len(self.client.calls) - calls_before,
                error=str(error),
                kept=len(self.repository.ids()),
                kept_since=last.last_success_at if last else None,
            )
        finished = self.clock()
        changes = self.repository.replace(
            fetched.fiches, self.county, finished, themes=fetched.themes
        )
        for note in fetched.notes:
            logger.warning("%s", note)
        return MirrorReport(
            self.county,
            started,
            finished,
            len(self.client.calls) - calls_before,
            fiches=fetched.fiches,
            changes=changes,
            notes=fetched.notes,
        )


def summary_line(report: MirrorReport, timezone: ZoneInfo) -> str:
    """One line per run, for the terminal and the scheduler's log."""
    when = report.finished_at.astimezone(timezone).strftime("%Y-%m-%d %H:%M %Z")
    head = f"refugies.info fiches {report.county} {when}"
    if report.error is not None or report.changes is None:
        since = (
            report.kept_since.astimezone(timezone).strftime("%Y-%m-%d %H:%M")
            if report.kept_since
            else "never"
        )
        return (
            f"{head}: failed: {report.error}; the previous mirror is kept "
            f"({report.kept} fiches, last complete run: {since})"
        )
    languages = ", ".join(f"{lang} {count}" for lang, count in report.translated().items())
    changes = report.changes
    ours = sum(1 for fiche in report.fiches if fiche.ours)
    return (
        f"{head}: {len(report.fiches)} fiches ({languages}); {len(changes.written)} written, "
        f"{len(changes.removed)} removed, {changes.unchanged} unchanged; {ours} of ours "
        f"marked; {report.requests} requests"
    )


def render_report(report: MirrorReport, timezone: ZoneInfo) -> list[str]:
    """What a run did, fiche by fiche, then its summary line."""
    lines: list[str] = []
    if report.changes is not None:
        by_id = {fiche.id: fiche for fiche in report.fiches}
        for fiche_id in report.changes.written:
            fiche = by_id[fiche_id]
            text = fiche.text("fr")
            title = text.title if text and text.title else "(no title)"
            mark = " (ours: not shown by the bot)" if fiche.ours else ""
            languages = " ".join(fiche.languages)
            lines.append(f"written  {fiche_id}  {title} [{languages}]{mark}")
        lines.extend(f"removed  {fiche_id}" for fiche_id in report.changes.removed)
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append(summary_line(report, timezone))
    return lines


def status_line(county: str, run: MirrorRun | None, kept: int, timezone: ZoneInfo) -> str:
    """Where the mirror stands, from the database alone (for `python -m sync status`)."""

    def moment(value: datetime | None) -> str:
        return value.astimezone(timezone).strftime("%Y-%m-%d %H:%M") if value else "never"

    if run is None:
        return f"fiches of {county}: {kept} mirrored, no run yet (`python -m sync fiches`)"
    line = f"fiches of {county}: {kept} mirrored, last complete run {moment(run.last_success_at)}"
    if run.last_error is not None:
        line += f"; the last run ({moment(run.last_attempt_at)}) failed: {run.last_error}"
    return line

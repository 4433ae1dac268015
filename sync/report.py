"""Plain-text renderings of plans, runs and statuses, for an operator's terminal and logs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.storage.listings import Listing
from sync.payloads import (
    STATUS_ACCEPTED_STRUCTURE,
    STATUS_ACTIVE,
    STATUS_ARCHIVED,
    STATUS_DELETED,
    STATUS_DRAFT,
    STATUS_REJECTED_STRUCTURE,
    STATUS_UPDATE_TO_VALIDATE,
    STATUS_WAITING_ADMIN,
    STATUS_WAITING_STRUCTURE,
)
from sync.programme import Programme
from sync.publisher import ActionResult, Decision, Kind, PlanReport, RunReport

FICHE_URL = "https://refugies.info/fr/dispositif/{fiche_id}"

_STATUS_WORDS = {
    STATUS_DRAFT: "draft",
    STATUS_WAITING_STRUCTURE: "waiting for the structure",
    STATUS_WAITING_ADMIN: "waiting for moderation",
    STATUS_ACCEPTED_STRUCTURE: "waiting for moderation",
    STATUS_REJECTED_STRUCTURE: "rejected by the structure",
    STATUS_ACTIVE: "live",
    STATUS_DELETED: "deleted",
    STATUS_UPDATE_TO_VALIDATE: "live, changes waiting for moderation",
    STATUS_ARCHIVED: "archived",
}


def fiche_url(fiche_id: str) -> str:
    return FICHE_URL.format(fiche_id=fiche_id)


def status_words(status: str | None, has_draft: bool = False) -> str:
    """ "waiting for moderation (En attente admin)": plain words, then the platform's status."""
    if status is None:
        return "-"
    if status == STATUS_DRAFT and has_draft:
        return f"live, changes not yet published ({status})"
    words = _STATUS_WORDS.get(status)
    if words is None:
        return status
    suffix = ", changes pending" if has_draft and status != STATUS_DRAFT else ""
    return f"{words}{suffix} ({status})"


def describe(decision: Decision) -> str:
    """What a run would do for one action, in a line."""
    line = _describe(decision)
    if decision.kept:
        line += (
            f"; kept as edited on the platform: {', '.join(decision.kept)} "
            "(--overwrite-platform-edits puts ours back)"
        )
    return line


def _describe(decision: Decision) -> str:
    incomplete = f"incomplete: {'; '.join(decision.missing)}" if decision.missing else ""
    if decision.kind in (Kind.CREATE, Kind.RECREATE):
        start = (
            "create" if decision.kind is Kind.CREATE else "deleted on the platform: create again"
        )
        then = (
            "then submit for moderation" if decision.publish else f"kept as a draft, {incomplete}"
        )
        return f"{start}, {then}"
    if decision.kind is Kind.UPDATE:
        fields = ", ".join(f"{change.field} ({change.reason})" for change in decision.changes)
        if decision.adopted:
            fields += "; fiche found on the platform"
        if decision.publish:
            then = "then publish the draft" if decision.live else "then submit for moderation"
        elif decision.missing:
            then = f"kept as a draft, {incomplete}"
        else:
            then = f"stays {status_words(decision.status, decision.has_draft)}"
        return f"update {fields}; {then}"
    if decision.kind is Kind.SUBMIT:
        if decision.live:
            return "publish the pending draft of the live fiche"
        return "submit for moderation (complete, not yet submitted)"
    if decision.kind is Kind.NOTHING:
        found = "; fiche found on the platform" if decision.adopted else ""
        if decision.status == STATUS_ACTIVE:
            return f"live{found}"
        if decision.status in (STATUS_WAITING_ADMIN, STATUS_ACCEPTED_STRUCTURE):
            return f"waiting for moderation{found}"
        if decision.status == STATUS_UPDATE_TO_VALIDATE:
            return f"live, changes waiting for moderation{found}"
        if decision.status == STATUS_WAITING_STRUCTURE:
            return f"waiting for the structure to accept it{found}"
        detail = f", {incomplete}" if incomplete else ""
        return f"unchanged, {status_words(decision.status, decision.has_draft)}{detail}{found}"
    return decision.problem or decision.kind.value


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]


def render_plan(report: PlanReport) -> list[str]:
    refused = [f"a run would publish nothing: {report.refused}"] if report.refused else []
    if report.aborted:
        return [*refused, f"plan aborted: {report.aborted}"]
    rows = []
    for entry in report.entries:
        decision = entry.decision
        fiche_id = decision.fiche_id if decision and decision.fiche_id else "-"
        text = describe(decision) if decision else f"cannot tell: {entry.error}"
        rows.append((str(entry.action.fiche), entry.action.key, fiche_id, text))
    lines = table(("FICHE", "ACTION", "FICHE ID", "PLAN"), rows)
    if report.refused:
        # What follows is what a run would do if told to publish all the same.
        lines = [*refused, "with --period-ended-ok, a run would:", *lines]
    lines.extend(f"note: {note}" for note in report.notes)
    return lines


def _done(result: ActionResult) -> str:
    if result.error is not None:
        return f"FAILED: {result.error}"
    parts = []
    if result.adopted:
        parts.append("found on the platform")
    if result.created:
        parts.append("created")
    if result.updated:
        parts.append("updated " + ", ".join(result.updated))
    if result.submitted:
        parts.append("submitted for moderation")
    if result.published:
        parts.append("draft published")
    if result.missing:
        parts.append("kept as a draft, incomplete: " + "; ".join(result.missing))
    if result.kept:
        parts.append("kept as edited on the platform: " + ", ".join(result.kept))
    return "; ".join(parts) or "nothing to do"


def render_run(report: RunReport, timezone: ZoneInfo) -> list[str]:
    rows = [
        (
            str(result.action.fiche),
            result.action.key,
            result.fiche_id or "-",
            status_words(result.status, result.has_draft),
            _done(result),
        )
        for result in report.results
    ]
    lines = table(("FICHE", "ACTION", "FICHE ID", "STATUS", "DONE"), rows) if rows else []
    lines.extend(f"note: {note}" for note in report.notes)
    lines.append(summary_line(report, timezone))
    return lines


def summary_line(report: RunReport, timezone: ZoneInfo) -> str:
    """One line per run, for the scheduler's log."""
    when = report.finished_at.astimezone(timezone).strftime("%Y-%m-%d %H:%M %Z")
    if report.refused:
        return f"refugies.info sync {when}: not run: {report.refused}"
    if report.aborted:
        return f"refugies.info sync {when}: aborted: {report.aborted}"
    results = report.results
    counts = {
        "created": sum(r.created for r in results),
        "updated": sum(bool(r.updated) for r in results),
        "submitted": sum(r.submitted for r in results),
        "published": sum(r.published for r in results),
        "unchanged": sum(r.error is None and not r.changed_anything for r in results),
        "failed": report.failed,
    }
    done = ", ".join(f"{count} {name}" for name, count in counts.items())
    calls = f"{report.writes} write call{'' if report.writes == 1 else 's'}"
    return f"refugies.info sync {when}: {len(results)} actions: {done}; {calls}"


def _seen(moment: datetime | None, timezone: ZoneInfo) -> str:
    return moment.astimezone(timezone).strftime("%Y-%m-%d %H:%M") if moment else "-"


def render_status(
    programme: Programme, listings: Sequence[Listing], timezone: ZoneInfo
) -> list[str]:
    """The actions, their fiches and what the platform last said, from our records."""
    by_key = {listing.action_key: listing for listing in listings}
    rows = []
    problems = []
    for action in programme.actions:
        listing = by_key.pop(action.key, None)
        fiche_id = listing.fiche_id if listing else None
        rows.append(
            (
                str(action.fiche),
                action.key,
                fiche_id or "-",
                status_words(listing.status, listing.has_draft) if listing else "not published yet",
                _seen(listing.status_seen_at if listing else None, timezone),
                fiche_url(fiche_id) if fiche_id else "-",
            )
        )
        if listing and listing.last_error:
            problems.append(f"fiche {action.fiche} ({action.key}): {listing.last_error}")
    for listing in by_key.values():
        # An action dropped from the programme keeps its fiche: a person decides its fate.
        rows.append(
            (
                "-",
                listing.action_key,
                listing.fiche_id or "-",
                status_words(listing.status, listing.has_draft) + ", not in the programme",
                _seen(listing.status_seen_at, timezone),
                fiche_url(listing.fiche_id) if listing.fiche_id else "-",
            )
        )
    seen_header = f"SEEN ({timezone.key})"
    lines = table(("FICHE", "ACTION", "FICHE ID", "STATUS", seen_header, "LINK"), rows)
    lines.extend(f"last error, {problem}" for problem in problems)
    return lines

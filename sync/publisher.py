"""Keep each funded action's fiche on refugies.info in line with the programme.

Decisions are pure functions of what we want, what we last pushed and what the platform
shows now; the Publisher gathers those facts, then carries the decisions out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from bot.storage.listings import Listing, ListingRepository
from sync.client import (
    InvalidRequestError,
    Listed,
    NotAllowedError,
    NotAuthenticatedError,
    NotFoundError,
    RefugiesInfoClient,
    RefugiesInfoError,
    ServerError,
    TransportError,
)
from sync.fiches import (
    FIELDS_SHOWN_BACK,
    NOT_UPDATABLE,
    build_fiche,
    digest,
    field_hashes,
    missing_for_publication,
    platform_holds,
)
from sync.payloads import (
    STATUS_ACTIVE,
    STATUS_ARCHIVED,
    STATUS_DELETED,
    STATUS_DRAFT,
    STATUS_REJECTED_STRUCTURE,
    STATUS_WAITING_ADMIN,
    STATUS_WAITING_STRUCTURE,
    Contribution,
    CreateDispositifRequest,
    RemoteFiche,
    UpdateDispositifRequest,
)
from sync.programme import Action, Programme
from sync.themes import ThemeIds, resolve_themes

PARIS = ZoneInfo("Europe/Paris")
REASON_HERE = "changed here"
REASON_PLATFORM = "changed on the platform"
REASON_ABSENT = "not on the platform"
REASON_DIFFERS = "differs on the platform"


class Kind(StrEnum):
    CREATE = "create"
    RECREATE = "recreate"
    UPDATE = "update"
    SUBMIT = "submit"
    NOTHING = "nothing"
    DELETED = "deleted"
    BLOCKED = "blocked"


class CreateUncertainError(RefugiesInfoError):
    """A create got no answer: the fiche may exist, so it is not sent again in this run."""


class PublishRefusedError(RefugiesInfoError):
    """`/publish` refused a fiche that our own completeness check accepts."""


@dataclass(frozen=True)
class FieldChange:
    field: str
    reason: str


@dataclass(frozen=True)
class Desired:
    """The fiche we want for an action, with what is needed to compare it."""

    request: CreateDispositifRequest
    body: dict[str, Any]
    hashes: dict[str, str]
    digest: str
    missing: tuple[str, ...]

    @classmethod
    def of(cls, request: CreateDispositifRequest) -> Desired:
        body = request.to_json()
        return cls(
            request=request,
            body=body,
            hashes=field_hashes(body),
            digest=digest(body),
            missing=tuple(missing_for_publication(body)),
        )


@dataclass(frozen=True)
class Observation:
    """What we know of an action's fiche before deciding."""

    listing: Listing | None
    remote: RemoteFiche | None = None
    deleted: bool = False
    # Found among the user's fiches on the platform rather than through our records.
    adopted: bool = False
    problem: str | None = None
    # How the platform lists a fiche it would not open for this account.
    listed: Contribution | None = None


@dataclass(frozen=True)
class Decision:
    kind: Kind
    fiche_id: str | None = None
    changes: tuple[FieldChange, ...] = ()
    publish: bool = False
    status: str | None = None
    has_draft: bool = False
    # The fiche is public: edits go to a draft copy, which publishing puts live.
    live: bool = False
    adopted: bool = False
    missing: tuple[str, ...] = ()
    problem: str | None = None
    # Fields someone changed on the platform since our last push, left as they are there.
    kept: tuple[str, ...] = ()


def changes_between(
    desired: Desired, pushed: Mapping[str, str], shown: Mapping[str, Any]
) -> tuple[FieldChange, ...]:
    """The fields that differ: those the platform shows differently, or that changed here."""
    changes: list[FieldChange] = []
    for name, value in desired.body.items():
        if name in NOT_UPDATABLE:
            continue
        changed_here = name in pushed and pushed[name] != desired.hashes[name]
        if name in FIELDS_SHOWN_BACK and name in shown:
            if not platform_holds(name, value, shown[name]):
                if changed_here:
                    reason = REASON_HERE
                elif name in pushed:
                    reason = REASON_PLATFORM
                else:  # a fiche we have no record of pushing (found again, or first seen)
                    reason = REASON_DIFFERS
                changes.append(FieldChange(name, reason))
        elif changed_here:
            changes.append(FieldChange(name, REASON_HERE))
        elif name not in pushed and name in FIELDS_SHOWN_BACK and value not in (None, [], {}):
            changes.append(FieldChange(name, REASON_ABSENT))
        # A field the platform never shows (contact) and that we have no record of was
        # sent when the fiche was created: nothing to do.
    return tuple(changes)


def decide(
    desired: Desired,
    observation: Observation,
    *,
    recreate_deleted: bool,
    overwrite_platform_edits: bool = False,
) -> Decision:
    """What to do for one action, from the facts gathered (pure).

    A field edited on the platform since our last push (by a moderator, or the structure)
    is kept and reported, not overwritten, unless asked: putting ours back every day would
    undo their work and cost the section its translations."""
    listing = observation.listing
    if observation.problem:
        listed = observation.listed
        return Decision(
            Kind.BLOCKED,
            listing.fiche_id if listing else None,
            status=listed.status if listed else None,
            has_draft=listed.hasDraftVersion if listed else False,
            problem=observation.problem,
        )
    if observation.deleted:
        fiche_id = listing.fiche_id if listing else None
        if recreate_deleted:
            return Decision(
                Kind.RECREATE,
                fiche_id,
                publish=not desired.missing,
                status=STATUS_DELETED,
                missing=desired.missing,
            )
        return Decision(
            Kind.DELETED,
            fiche_id,
            status=STATUS_DELETED,
            problem=f"fiche {fiche_id} was deleted on the platform (or this account can no "
            "longer see it); `python -m sync run --recreate-deleted` creates it again",
        )
    remote = observation.remote
    if remote is None:
        return Decision(Kind.CREATE, publish=not desired.missing, missing=desired.missing)

    pushed = listing.field_hashes if listing and listing.fiche_id == remote.id else {}
    changes = changes_between(desired, pushed, remote.fields)
    kept: tuple[str, ...] = ()
    if not overwrite_platform_edits:
        kept = tuple(c.field for c in changes if c.reason == REASON_PLATFORM)
        changes = tuple(c for c in changes if c.reason != REASON_PLATFORM)
    status, has_draft = remote.status, remote.hasDraftVersion
    seen = Decision(
        Kind.NOTHING,
        remote.id,
        changes=changes,
        status=status,
        has_draft=has_draft,
        live=status in (STATUS_ACTIVE, STATUS_ARCHIVED) or has_draft,
        adopted=observation.adopted,
        missing=desired.missing,
        kept=kept,
    )
    if status == STATUS_REJECTED_STRUCTURE:
        return replace(
            seen,
            kind=Kind.BLOCKED,
            problem=f"the structure rejected fiche {remote.id} on the platform: "
            "a person has to look at it",
        )
    # A member sees the draft copy of a live fiche. Edits to it that we keep are someone's
    # unfinished work: publishing would put it online before they chose to.
    draft_waiting = has_draft and status in (STATUS_DRAFT, STATUS_ACTIVE, STATUS_ARCHIVED)
    if kept and draft_waiting:
        return replace(
            seen,
            kind=Kind.BLOCKED,
            kept=(),
            problem=f"fiche {remote.id}: a draft edited on the platform is waiting "
            f"({', '.join(kept)}): publish or discard it on refugies.info "
            "(or run with --overwrite-platform-edits to put ours back and publish)",
        )
    status_after = status
    if changes:
        if status in (STATUS_ACTIVE, STATUS_ARCHIVED) and not has_draft:
            status_after = STATUS_DRAFT  # the platform edits a draft copy of a live fiche
        elif status in (STATUS_WAITING_ADMIN, STATUS_WAITING_STRUCTURE) and desired.missing:
            status_after = STATUS_DRAFT  # an incomplete fiche falls back to draft
    publish = status_after == STATUS_DRAFT and not desired.missing
    kind = Kind.UPDATE if changes else Kind.SUBMIT if publish else Kind.NOTHING
    return replace(seen, kind=kind, publish=publish)


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())


def looks_like(contribution: Contribution, body: Mapping[str, Any], structure_id: str) -> bool:
    """Whether a fiche of the user's is this action's (same titles, same structure)."""
    sponsor = contribution.mainSponsor
    return (
        contribution.typeContenu in (None, "dispositif")
        and contribution.status != STATUS_DELETED
        and _plain(contribution.titreInformatif) == _plain(str(body.get("titreInformatif", "")))
        and _plain(contribution.titreMarque) == _plain(str(body.get("titreMarque", "")))
        and (sponsor is None or sponsor.id in (None, structure_id))
    )


def union(*lists: Iterable[Contribution]) -> list[Contribution]:
    """Every fiche listed, once (the same fiche may be in several lists)."""
    by_id: dict[str, Contribution] = {}
    for listed in lists:
        for contribution in listed:
            by_id.setdefault(contribution.id, contribution)
    return list(by_id.values())


@dataclass
class Context:
    """What a plan or a run reads once: theme ids, the fiches listed, our own records."""

    themes: ThemeIds
    # The fiches the user created (None: could not be read, see the error).
    contributions: list[Contribution] | None
    contributions_error: str | None
    # The structure's fiches (None: could not be read; an optional source).
    structure_fiches: list[Contribution] | None = None
    notes: tuple[str, ...] = ()
    bound: dict[str, str] = field(default_factory=dict)  # fiche id -> action key

    def known(self) -> list[Contribution] | None:
        """Every fiche listed; None when the user's own list is missing, as an absence from
        the structure's list alone proves nothing (a non-member sees only live fiches)."""
        if self.contributions is None:
            return None
        return union(self.contributions, self.structure_fiches or ())

    def find(self, fiche_id: str) -> Contribution | None:
        listed = union(self.contributions or (), self.structure_fiches or ())
        return next((contribution for contribution in listed if contribution.id == fiche_id), None)


@dataclass(frozen=True)
class PlanEntry:
    action: Action
    decision: Decision | None
    error: str | None = None


@dataclass(frozen=True)
class PlanReport:
    entries: tuple[PlanEntry, ...] = ()
    notes: tuple[str, ...] = ()
    aborted: str | None = None
    # Why a run would publish nothing at all (the entries say what it would do if told to).
    refused: str | None = None

    @property
    def ok(self) -> bool:
        return self.aborted is None and all(entry.error is None for entry in self.entries)


@dataclass(frozen=True)
class ActionResult:
    action: Action
    fiche_id: str | None = None
    status: str | None = None
    has_draft: bool = False
    created: bool = False
    adopted: bool = False
    updated: tuple[str, ...] = ()
    submitted: bool = False
    published: bool = False
    missing: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()
    error: str | None = None

    @property
    def changed_anything(self) -> bool:
        return self.created or bool(self.updated) or self.submitted or self.published


@dataclass(frozen=True)
class RunReport:
    started_at: datetime
    finished_at: datetime
    results: tuple[ActionResult, ...] = ()
    notes: tuple[str, ...] = ()
    writes: int = 0
    aborted: str | None = None
    # Why nothing was published (before any request): the contract period is over.
    refused: str | None = None

    @property
    def failed(self) -> int:
        return sum(1 for result in self.results if result.error is not None)

    @property
    def ok(self) -> bool:
        return self.aborted is None and self.refused is None and self.failed == 0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Publisher:
    """Plans and runs the sync of every action of the programme."""

    def __init__(
        self,
        client: RefugiesInfoClient,
        listings: ListingRepository,
        programme: Programme,
        structure_id: str,
        *,
        clock: Callable[[], datetime] = _utc_now,
        recreate_deleted: bool = False,
        overwrite_platform_edits: bool = False,
        create_attempts: int = 3,
        period_ended_ok: bool = False,
    ) -> None:
        self.client = client
        self.listings = listings
        self.programme = programme
        self.structure_id = structure_id
        self.clock = clock
        self.recreate_deleted = recreate_deleted
        self.overwrite_platform_edits = overwrite_platform_edits
        self.create_attempts = create_attempts
        self.period_ended_ok = period_ended_ok

    # Reading the state of things

    def _context(self) -> Context:
        try:
            themes = resolve_themes(self.programme.themes, self.client.themes())
        except RefugiesInfoError:
            themes = resolve_themes(self.programme.themes, None)
        notes: list[str] = []
        contributions: list[Contribution] | None = None
        error: str | None = None
        try:
            mine = self.client.user_contributions()
        except (NotAllowedError, NotAuthenticatedError, TransportError):
            raise  # every action would fail the same way: stop here
        except RefugiesInfoError as failure:
            error = str(failure)
        else:
            contributions = mine.fiches
            notes.extend(mine.skipped)
        structure = self._structure_fiches()
        if isinstance(structure, Listed):
            notes.extend(structure.skipped)
        else:
            notes.append(structure)
        bound = {
            listing.fiche_id: listing.action_key
            for listing in self.listings.all()
            if listing.fiche_id is not None
        }
        return Context(
            themes,
            contributions,
            error,
            structure_fiches=structure.fiches if isinstance(structure, Listed) else None,
            notes=tuple(notes),
            bound=bound,
        )

    def _structure_fiches(self) -> Listed | str:
        """The structure's fiches, or why they could not be read.

        They find a fiche another account of the structure made; but the route is not in
        the reference, so any failure only means looking among this account's fiches."""
        try:
            return self.client.structure_fiches(self.structure_id)
        except RefugiesInfoError as error:
            return (
                f"the structure's fiches could not be read ({error}): "
                "only this account's own fiches were checked"
            )

    def _desired(self, action: Action, context: Context) -> Desired:
        return Desired.of(
            build_fiche(
                self.programme,
                action,
                structure_id=self.structure_id,
                theme_ids=context.themes.ids,
            )
        )

    def _look_on_platform(
        self, action: Action, desired: Desired, contributions: list[Contribution], context: Context
    ) -> list[Contribution]:
        return [
            contribution
            for contribution in contributions
            if looks_like(contribution, desired.body, self.structure_id)
            and context.bound.get(contribution.id, action.key) == action.key
        ]

    def _observe(self, action: Action, desired: Desired, context: Context) -> Observation:
        listing = self.listings.get(action.key)
        if listing is not None and listing.fiche_id is not None:
            try:
                remote = self.client.dispositif(listing.fiche_id)
            except NotFoundError:
                return self._not_found(listing, listing.fiche_id, context)
            if remote.status == STATUS_DELETED:
                return Observation(listing, remote=remote, deleted=True)
            return Observation(listing, remote=remote)
        # No fiche on record: one may exist already (a lost answer, a lost database).
        known = context.known()
        if known is None:
            return Observation(
                listing,
                problem="cannot check the platform for an existing fiche before creating one: "
                f"{context.contributions_error}",
            )
        found = self._look_on_platform(action, desired, known, context)
        if len(found) > 1:
            ids = ", ".join(contribution.id for contribution in found)
            return Observation(
                listing,
                problem=f"several fiches on the platform look like this action ({ids}): "
                "delete the extra ones on refugies.info",
            )
        if found:
            try:
                remote = self.client.dispositif(found[0].id)
            except NotFoundError:
                return Observation(listing, listed=found[0], problem=self._hidden(found[0]))
            return Observation(listing, remote=remote, adopted=True)
        return Observation(listing)

    def _not_found(self, listing: Listing, fiche_id: str, context: Context) -> Observation:
        """A 404 also means "not for you": deleted only if no list shows the fiche."""
        listed = context.find(fiche_id)
        if listed is not None and listed.status != STATUS_DELETED:
            return Observation(listing, listed=listed, problem=self._hidden(listed))
        if context.contributions is None:
            return Observation(
                listing,
                problem=f"fiche {fiche_id} cannot be opened (404), and whether it was deleted "
                f"cannot be checked: {context.contributions_error}",
            )
        return Observation(listing, deleted=True)

    def _hidden(self, listed: Contribution) -> str:
        return (
            f"fiche {listed.id} exists (status {listed.status}) but this account cannot open "
            "it: is the account a member of the structure REFUGIES_INFO_STRUCTURE_ID "
            f"({self.structure_id})?"
        )

    def period_ended(self) -> str | None:
        """Why the programme describes the past, or None while its contract period runs."""
        period = self.programme.contract.period
        today = self.clock().astimezone(PARIS).date()
        if period.end >= today:
            return None
        return f"the contract period in the programme ended on {period.end.isoformat()}"

    def _refusal(self) -> str | None:
        """Why a run publishes nothing: a listing of an ended contract would tell people
        about actions whose funding is over, unless a person says it still holds."""
        ended = self.period_ended()
        if ended is None or self.period_ended_ok:
            return None
        return (
            f"{ended}: nothing is published. Update content/programme.yaml to the current "
            "contract (or its amendment), or run with --period-ended-ok if the actions go on"
        )

    def _notes(self, context: Context) -> tuple[str, ...]:
        notes = (*context.themes.notes, *context.notes)
        ended = self.period_ended()
        if ended is None or not self.period_ended_ok:
            return notes
        return (*notes, f"{ended}; published all the same, as asked (--period-ended-ok)")

    def _decide(self, desired: Desired, observation: Observation) -> Decision:
        return decide(
            desired,
            observation,
            recreate_deleted=self.recreate_deleted,
            overwrite_platform_edits=self.overwrite_platform_edits,
        )

    # Planning

    def plan(self) -> PlanReport:
        """What a run would do, action by action; never writes anywhere."""
        try:
            context = self._context()
        except RefugiesInfoError as error:
            return PlanReport(aborted=str(error), refused=self._refusal())
        entries: list[PlanEntry] = []
        for action in self.programme.actions:
            desired = self._desired(action, context)
            try:
                observation = self._observe(action, desired, context)
            except RefugiesInfoError as error:
                entries.append(PlanEntry(action, None, str(error)))
                continue
            decision = self._decide(desired, observation)
            entries.append(PlanEntry(action, decision))
        return PlanReport(tuple(entries), self._notes(context), refused=self._refusal())

    # Running

    def run(self) -> RunReport:
        """Create, update and submit what needs it; record what the platform says."""
        started = self.clock()
        refused = self._refusal()
        if refused is not None:
            return RunReport(started, self.clock(), refused=refused)
        writes_before = self.client.writes
        try:
            context = self._context()
        except RefugiesInfoError as error:
            return RunReport(started, self.clock(), aborted=str(error))
        results = tuple(self._run_action(action, context) for action in self.programme.actions)
        return RunReport(
            started,
            self.clock(),
            results,
            self._notes(context),
            self.client.writes - writes_before,
        )

    def _run_action(self, action: Action, context: Context) -> ActionResult:
        desired = self._desired(action, context)
        try:
            observation = self._observe(action, desired, context)
            decision = self._decide(desired, observation)
            return self._carry_out(action, desired, observation, decision, context)
        except RefugiesInfoError as error:
            self.listings.record_error(action.key, str(error), self.clock())
            listing = self.listings.get(action.key)
            return ActionResult(
                action, fiche_id=listing.fiche_id if listing else None, error=str(error)
            )

    def _carry_out(
        self,
        action: Action,
        desired: Desired,
        observation: Observation,
        decision: Decision,
        context: Context,
    ) -> ActionResult:
        key = action.key
        if decision.kind in (Kind.DELETED, Kind.BLOCKED):
            if decision.fiche_id and decision.status:
                self.listings.record_status(key, decision.status, decision.has_draft, self.clock())
            problem = decision.problem or decision.kind.value
            self.listings.record_error(key, problem, self.clock())
            return ActionResult(
                action, decision.fiche_id, decision.status, decision.has_draft, error=problem
            )

        if decision.kind in (Kind.CREATE, Kind.RECREATE):
            fiche_id, made_by_failed_call = self._create(action, desired, context)
            self.listings.bind(key, fiche_id, self.clock())
            context.bound[fiche_id] = key
            if made_by_failed_call:
                # The platform made the fiche despite the error: check and finish it.
                adopted = Observation(None, remote=self.client.dispositif(fiche_id), adopted=True)
                again = self._decide(desired, adopted)
                result = self._carry_out(action, desired, adopted, again, context)
                return replace(result, created=True)
            self.listings.record_push(key, desired.hashes, desired.digest, self.clock())
            self.listings.record_status(key, STATUS_DRAFT, False, self.clock())
            submitted = False
            status, has_draft = STATUS_DRAFT, False
            if not desired.missing:
                status, has_draft = self._publish(fiche_id)
                submitted = True
            self.listings.record_status(key, status, has_draft, self.clock())
            return ActionResult(
                action,
                fiche_id,
                status,
                has_draft,
                created=True,
                submitted=submitted,
                missing=desired.missing,
            )

        seen = observation.remote
        if seen is None:  # decide() only asks to update or submit a fiche it has seen
            raise RefugiesInfoError(f"{key}: no fiche to update")
        fiche_id = seen.id
        if observation.adopted:
            self.listings.bind(key, fiche_id, self.clock())
            context.bound[fiche_id] = key
        status, has_draft = seen.status, seen.hasDraftVersion
        updated: tuple[str, ...] = ()
        if decision.changes:
            names = [change.field for change in decision.changes]
            body = UpdateDispositifRequest.model_validate({n: desired.body[n] for n in names})
            answer = self.client.update_dispositif(fiche_id, body)
            status, has_draft = answer.status, answer.hasDraftVersion
            if not status:
                refreshed = self.client.dispositif(fiche_id)
                status, has_draft = refreshed.status, refreshed.hasDraftVersion
            updated = tuple(names)
        listing = self.listings.get(key)
        if listing is None or listing.pushed_hash != desired.digest or decision.changes:
            # The platform now holds exactly this (just sent, or already there).
            self.listings.record_push(key, desired.hashes, desired.digest, self.clock())
        submitted = published = False
        if status == STATUS_DRAFT and not desired.missing:
            was_live_draft = has_draft
            status, has_draft = self._publish(fiche_id)
            published, submitted = was_live_draft, not was_live_draft
        self.listings.record_status(key, status, has_draft, self.clock())
        return ActionResult(
            action,
            fiche_id,
            status,
            has_draft,
            adopted=observation.adopted,
            updated=updated,
            submitted=submitted,
            published=published,
            missing=desired.missing,
            kept=decision.kept,
        )

    def _publish(self, fiche_id: str) -> tuple[str, bool]:
        """Submit or publish a fiche whose content our own check finds complete."""
        try:
            self.client.publish_dispositif(fiche_id)
        except InvalidRequestError as error:
            # The platform reads mainSponsor through the structure it names: an id that
            # matches no structure counts as empty, and the fiche as incomplete.
            raise PublishRefusedError(
                f"{error}; the fiche is complete by our own check: REFUGIES_INFO_STRUCTURE_ID "
                f"({self.structure_id}) may not exist on the platform"
            ) from error
        remote = self.client.dispositif(fiche_id)
        return remote.status, remote.hasDraftVersion

    def _create(self, action: Action, desired: Desired, context: Context) -> tuple[str, bool]:
        """POST the fiche; after a failure, look on the platform before ever posting again.

        Returns the fiche id, and whether it was found after a failed call.
        """
        attempt = 0
        while True:
            try:
                return self.client.create_dispositif(desired.request).id, False
            except ServerError as error:
                failure: RefugiesInfoError = error  # the platform answered: its state is final
                uncertain = False
            except TransportError as error:
                failure = error
                uncertain = error.request_sent
            self.client.wait_before_retry(attempt)
            mine = self.client.user_contributions().fiches
            structure = self._structure_fiches()
            listed = union(mine, structure.fiches if isinstance(structure, Listed) else ())
            found = self._look_on_platform(action, desired, listed, context)
            if len(found) == 1:
                return found[0].id, True
            if found:
                ids = ", ".join(contribution.id for contribution in found)
                raise CreateUncertainError(f"several fiches now look like this action: {ids}")
            if uncertain:
                raise CreateUncertainError(
                    f"{failure}; the platform may still be creating the fiche, so it is not "
                    "sent again now: the next run looks for it before creating one"
                ) from failure
            attempt += 1
            if attempt >= self.create_attempts:
                raise failure

"""`python -m sync`: keep the CTAI actions listed on refugies.info (contract Article 7),
and mirror the département's refugies.info fiches for the bot (`fiches`).

Exit codes: 0 done, 1 some action failed (the others were still processed) or the fiches
could not all be read (the previous mirror is kept), 2 configuration error or a contract
period that is over (nothing was sent).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.exc import SQLAlchemyError

from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging
from bot.storage.database import migrate, open_engine, prepare_database
from bot.storage.listings import ListingRepository
from bot.storage.platform_fiches import PlatformFicheRepository
from sync import mirror
from sync.client import Pace, RefugiesInfoClient, RefugiesInfoError
from sync.export import export_fiches
from sync.login import LoginFailedError, obtain_token
from sync.mirror import FicheMirror, MirrorReport, render_report
from sync.programme import Action, Programme, ProgrammeError, load_programme
from sync.publisher import Publisher, RunReport
from sync.report import render_plan, render_run, render_status, summary_line
from sync.schedule import (
    FICHES_JOB_ID,
    ScheduleError,
    add_job,
    build_scheduler,
    cron_trigger,
    fires_in_dst_gap,
    guarded,
)

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2

_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


@dataclass(frozen=True)
class Credentials:
    site_secret: SecretStr
    token: SecretStr
    structure_id: str


def _set(value: SecretStr | None) -> bool:
    return value is not None and bool(value.get_secret_value().strip())


def require_site_secret(settings: Settings) -> SecretStr:
    if settings.refugies_info_site_secret is None or not _set(settings.refugies_info_site_secret):
        raise ConfigError(
            "REFUGIES_INFO_SITE_SECRET is not set: it is the `site-secret` header value "
            "the platform's web front end sends"
        )
    return settings.refugies_info_site_secret


def _optional_structure_id(settings: Settings) -> str | None:
    structure_id = (settings.refugies_info_structure_id or "").strip() or None
    if structure_id is not None and not _OBJECT_ID.match(structure_id):
        raise ConfigError("REFUGIES_INFO_STRUCTURE_ID must be a 24-character lowercase hex id")
    return structure_id


def require_credentials(settings: Settings) -> Credentials:
    """Everything a plan or a run needs, or a ConfigError naming each thing missing."""
    missing = []
    if not _set(settings.refugies_info_site_secret):
        missing.append("REFUGIES_INFO_SITE_SECRET (the platform's `site-secret` header value)")
    if not _set(settings.refugies_info_token):
        missing.append("REFUGIES_INFO_TOKEN (get one with `python -m sync login`)")
    structure_id = (settings.refugies_info_structure_id or "").strip()
    if not structure_id:
        missing.append("REFUGIES_INFO_STRUCTURE_ID (the id of CESAM's structure on the platform)")
    if missing:
        raise ConfigError("not set: " + "; ".join(missing))
    if not _OBJECT_ID.match(structure_id):
        raise ConfigError("REFUGIES_INFO_STRUCTURE_ID must be a 24-character lowercase hex id")
    token = settings.refugies_info_token
    secret = settings.refugies_info_site_secret
    if token is None or secret is None:  # unreachable after the checks above; for the types
        raise ConfigError("REFUGIES_INFO_TOKEN or REFUGIES_INFO_SITE_SECRET is not set")
    if token.get_secret_value().strip().lower().startswith("bearer "):
        raise ConfigError("REFUGIES_INFO_TOKEN must be the raw token, without 'Bearer '")
    return Credentials(
        site_secret=SecretStr(secret.get_secret_value().strip()),
        token=SecretStr(token.get_secret_value().strip()),
        structure_id=structure_id,
    )


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _ask(prompt: str) -> str:
    # Prompts go to stderr: stdout carries only what a command produces (login: the token).
    print(prompt, end="", file=sys.stderr, flush=True)
    return input()


@dataclass(frozen=True)
class Tools:
    """What the commands take from outside, replaceable in tests."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], datetime] = _utc_now
    ask: Callable[[str], str] = _ask
    ask_secret: Callable[[str], str] = getpass.getpass
    # The clock the fiches mirror paces its requests on.
    monotonic: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class Outcome:
    lines: list[str]
    # One line per failed action (or the reason the whole run stopped); empty when done.
    problems: list[str]
    report: RunReport | None = None


def _publisher_run(
    settings: Settings,
    programme: Programme,
    credentials: Credentials,
    tools: Tools,
    *,
    recreate_deleted: bool,
    plan_only: bool,
    overwrite_platform_edits: bool = False,
    period_ended_ok: bool = False,
) -> Outcome:
    engine = open_engine(settings.database_url)
    try:
        migrate(engine)
        client = RefugiesInfoClient(
            settings.refugies_info_api_url,
            site_secret=credentials.site_secret,
            token=credentials.token,
            sleep=tools.sleep,
        )
        with client:
            publisher = Publisher(
                client,
                ListingRepository(engine),
                programme,
                credentials.structure_id,
                clock=tools.clock,
                recreate_deleted=recreate_deleted,
                overwrite_platform_edits=overwrite_platform_edits,
                period_ended_ok=period_ended_ok,
            )
            if plan_only:
                plan = publisher.plan()
                failures = [(entry.action, entry.error) for entry in plan.entries]
                return Outcome(render_plan(plan), _problems(plan.aborted, failures))
            report = publisher.run()
            failures = [(result.action, result.error) for result in report.results]
            stopped = report.refused or report.aborted
            return Outcome(
                render_run(report, settings.timezone), _problems(stopped, failures), report
            )
    finally:
        engine.dispose()


def _problems(aborted: str | None, failures: list[tuple[Action, str | None]]) -> list[str]:
    """One line per failed action, after the reason the whole run stopped, if it did."""
    problems = [aborted] if aborted else []
    problems += [
        f"fiche {action.fiche} ({action.key}): {error}"
        for action, error in failures
        if error is not None
    ]
    return problems


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sync", description=__doc__)
    parser.add_argument(
        "--programme", type=Path, default=None, help="programme file (content/programme.yaml)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("plan", "show what a run would do, per action; writes nothing"),
        ("run", "create, update and submit the fiches once"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument(
            "--recreate-deleted",
            action="store_true",
            help="create again a fiche that was deleted on the platform",
        )
        command.add_argument(
            "--overwrite-platform-edits",
            action="store_true",
            help="put back our text where someone edited a fiche on the platform",
        )
        _period_ended_ok(command)
    commands.add_parser("status", help="the actions, their fiches and statuses (no network)")
    commands.add_parser("login", help="log in (with the emailed code) and print a token")
    export = commands.add_parser("export", help="write the payloads and a summary to a folder")
    export.add_argument("directory", type=Path)
    schedule = commands.add_parser(
        "schedule",
        help="publish on SYNC_SCHEDULE and mirror the fiches on FICHES_SCHEDULE, local time "
        "(blocking)",
    )
    _period_ended_ok(schedule)
    commands.add_parser(
        "fiches",
        help="mirror FICHES_COUNTY's refugies.info fiches, in every language, for the bot",
    )
    return parser


def _period_ended_ok(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--period-ended-ok",
        action="store_true",
        help="publish even though the programme's contract period is over (the actions go on)",
    )


def main(argv: list[str] | None = None, tools: Tools | None = None) -> int:
    args = _parser().parse_args(argv)
    tools = tools or Tools()
    command: str = args.command
    try:
        settings = load_settings()
        programme = load_programme(args.programme) if command != "login" else None
        credentials = (
            require_credentials(settings) if command in ("plan", "run", "schedule") else None
        )
        site_secret = require_site_secret(settings) if command in ("login", "fiches") else None
        # Optional for these two: the export leaves it for a person to pick, the mirror
        # recognises the structure's fiches by it.
        structure_id = _optional_structure_id(settings) if command in ("export", "fiches") else None
        triggers = (
            (
                cron_trigger(settings.sync_schedule, settings.timezone),
                cron_trigger(settings.fiches_schedule, settings.timezone, "FICHES_SCHEDULE"),
            )
            if command == "schedule"
            else None
        )
        if command in ("plan", "run", "status", "schedule", "fiches"):
            # A database that cannot be used is said in one line naming DATABASE_URL,
            # before any request to the platform; the schema is brought up to date.
            prepare_database(settings.database_url).dispose()
    except (ConfigError, ProgrammeError, ScheduleError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIG

    secrets = [
        secret.get_secret_value()
        for secret in (settings.refugies_info_site_secret, settings.refugies_info_token)
        if secret is not None
    ]
    level = logging.INFO if args.verbose or command == "schedule" else logging.WARNING
    configure_logging(secrets=secrets, level=level)

    if command == "login" and site_secret is not None:
        return _login(settings, site_secret, tools)
    if command == "fiches" and site_secret is not None:
        try:
            report = _mirror_run(settings, site_secret, structure_id, tools)
        except SQLAlchemyError as error:
            return _database_error(error)
        return _mirror_outcome(report, settings)
    if programme is None:
        return EXIT_CONFIG
    if command == "status":
        try:
            return _status(settings, programme)
        except SQLAlchemyError as error:
            return _database_error(error)
    if command == "export":
        written = export_fiches(programme, args.directory, structure_id=structure_id)
        for path in written:
            print(path)
        return EXIT_OK
    if credentials is None:
        return EXIT_CONFIG
    if command == "schedule" and triggers is not None:
        return _schedule(
            settings, programme, credentials, tools, triggers, period_ended_ok=args.period_ended_ok
        )
    try:
        outcome = _publisher_run(
            settings,
            programme,
            credentials,
            tools,
            recreate_deleted=args.recreate_deleted,
            overwrite_platform_edits=args.overwrite_platform_edits,
            plan_only=command == "plan",
            period_ended_ok=args.period_ended_ok,
        )
    except SQLAlchemyError as error:
        return _database_error(error)
    if outcome.report is not None and outcome.report.refused:
        print(f"not published: {outcome.report.refused}", file=sys.stderr)
        return EXIT_CONFIG
    print("\n".join(outcome.lines))
    for problem in outcome.problems:
        print(f"error: {problem}", file=sys.stderr)
    return EXIT_FAILED if outcome.problems else EXIT_OK


def _database_error(error: SQLAlchemyError) -> int:
    # The driver's message names the failure, never the URL (it may hold a password).
    cause = getattr(error, "orig", None) or error
    print(f"database error: {type(error).__name__}: {cause}", file=sys.stderr)
    return EXIT_FAILED


def _status(settings: Settings, programme: Programme) -> int:
    engine = open_engine(settings.database_url)
    try:
        migrate(engine)
        listings = ListingRepository(engine).all()
        mirrored = PlatformFicheRepository(engine)
        last_run = mirrored.last_run(settings.fiches_county)
        kept = len(mirrored.ids())
    finally:
        engine.dispose()
    print("\n".join(render_status(programme, listings, settings.timezone)))
    print(mirror.status_line(settings.fiches_county, last_run, kept, settings.timezone))
    return EXIT_OK


def _login(settings: Settings, site_secret: SecretStr, tools: Tools) -> int:
    def tell(text: str) -> None:
        print(text, file=sys.stderr)

    with RefugiesInfoClient(
        settings.refugies_info_api_url, site_secret=site_secret, sleep=tools.sleep
    ) as client:
        try:
            token = obtain_token(client, ask=tools.ask, ask_secret=tools.ask_secret, tell=tell)
        except (LoginFailedError, RefugiesInfoError) as error:
            print(f"login failed: {error}", file=sys.stderr)
            return EXIT_FAILED
    tell(
        "logged in. Store the line below as REFUGIES_INFO_TOKEN "
        "(it does not expire: keep it secret)."
    )
    # The one place a secret is printed: the operator asked for it, to store it.
    print(token.get_secret_value())
    return EXIT_OK


def scheduled_job(
    settings: Settings,
    programme: Programme,
    credentials: Credentials,
    tools: Tools,
    report: Callable[[str], None],
    *,
    period_ended_ok: bool = False,
) -> Callable[[], None]:
    """One sync run as the scheduler calls it: a summary line each time, never a crash."""

    def one_run() -> str:
        outcome = _publisher_run(
            settings,
            programme,
            credentials,
            tools,
            recreate_deleted=False,
            plan_only=False,
            period_ended_ok=period_ended_ok,
        )
        if outcome.report is None:
            return "refugies.info sync: no report"
        return summary_line(outcome.report, settings.timezone)

    return guarded(one_run, report)


def _mirror_run(
    settings: Settings, site_secret: SecretStr, structure_id: str | None, tools: Tools
) -> MirrorReport:
    """One run of the fiches mirror: read with the site secret only, never a user token."""
    engine = open_engine(settings.database_url)
    try:
        migrate(engine)
        listings = ListingRepository(engine)
        client = RefugiesInfoClient(
            settings.refugies_info_api_url,
            site_secret=site_secret,
            token=None,
            sleep=tools.sleep,
            pace=Pace(1 / mirror.REQUESTS_PER_SECOND, clock=tools.monotonic, sleep=tools.sleep),
            user_agent=mirror.USER_AGENT,
        )
        with client:
            return FicheMirror(
                client,
                PlatformFicheRepository(engine),
                settings.fiches_county,
                our_fiche_ids=lambda: [item.fiche_id for item in listings.all() if item.fiche_id],
                our_structure_id=structure_id,
                clock=tools.clock,
            ).run()
    finally:
        engine.dispose()


def _mirror_outcome(report: MirrorReport, settings: Settings) -> int:
    lines = render_report(report, settings.timezone)
    if report.ok:
        print("\n".join(lines))
        return EXIT_OK
    if lines[:-1]:
        print("\n".join(lines[:-1]))
    print(f"error: {lines[-1]}", file=sys.stderr)
    return EXIT_FAILED


def scheduled_fiches_job(
    settings: Settings,
    site_secret: SecretStr,
    structure_id: str | None,
    tools: Tools,
    report: Callable[[str], None],
) -> Callable[[], None]:
    """One mirror run as the scheduler calls it: a summary line each time, never a crash."""

    def one_run() -> str:
        result = _mirror_run(settings, site_secret, structure_id, tools)
        return mirror.summary_line(result, settings.timezone)

    return guarded(one_run, report, "refugies.info fiches")


def _schedule(
    settings: Settings,
    programme: Programme,
    credentials: Credentials,
    tools: Tools,
    triggers: tuple[object, object],
    *,
    period_ended_ok: bool,
) -> int:
    sync_trigger, fiches_trigger = triggers
    for setting, trigger in (("SYNC_SCHEDULE", sync_trigger), ("FICHES_SCHEDULE", fiches_trigger)):
        if fires_in_dst_gap(trigger):
            logging.getLogger("sync.schedule").warning(
                "%s fires between 02:00 and 03:00: on DST days that run is skipped "
                "or happens twice (harmless, but pick another hour)",
                setting,
            )

    def report(line: str) -> None:
        print(line, flush=True)

    job = scheduled_job(
        settings, programme, credentials, tools, report, period_ended_ok=period_ended_ok
    )
    scheduler = build_scheduler(sync_trigger, settings.timezone, job)
    fiches_job = scheduled_fiches_job(
        settings, credentials.site_secret, credentials.structure_id, tools, report
    )
    add_job(scheduler, FICHES_JOB_ID, "refugies.info fiches", fiches_trigger, fiches_job)
    print(
        f"refugies.info sync scheduled: {settings.sync_schedule!r} ({settings.bot_timezone})",
        flush=True,
    )
    print(
        f"refugies.info fiches of {settings.fiches_county} scheduled: "
        f"{settings.fiches_schedule!r} ({settings.bot_timezone})",
        flush=True,
    )
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        scheduler.shutdown(wait=False)
    return EXIT_OK

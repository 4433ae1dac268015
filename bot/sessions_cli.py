"""`python -m bot sessions add|list|cancel`: workshop sessions from the command line."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.domain.workshops import Offer, SessionError, Workshops, deep_link, local_moment
from bot.knowledge.workshops import load_catalogue
from bot.storage import FactRepository, SessionRepository
from bot.storage.database import prepare_database

USERNAME = "bot_username"  # learned at each start of the bot, for deep links


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a session; prints its id and deep link")
    add.add_argument("--workshop", required=True, help="a slug of content/workshops.yaml")
    add.add_argument("--start", required=True, help="ISO 8601, e.g. 2026-12-03T14:00")
    add.add_argument("--end", help="ISO 8601 (default: the workshop's usual duration)")
    add.add_argument("--capacity", required=True, type=int, help="number of seats")
    add.add_argument("--place", help="a slug of content/places.yaml")
    listing = actions.add_parser("list", help="every session, soonest first")
    listing.add_argument("--json", action="store_true", help="as JSON")
    cancel = actions.add_parser("cancel", help="cancel a session")
    cancel.add_argument("id", type=int)


def parse_moment(text: str, zone: ZoneInfo, option: str) -> datetime:
    """An ISO 8601 date and time; one without an offset is read in BOT_TIMEZONE."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise SessionError(
            f"{option} is not an ISO 8601 date and time (for example 2026-12-03T14:00)",
            "format",
        ) from None
    try:
        return local_moment(moment, zone)
    except SessionError as error:
        raise SessionError(f"{option} {error}", error.reason) from None


def run_sessions(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    """Exit code 0 when done, 2 with one line on stderr-worthy problems (raised)."""
    engine = prepare_database(settings.database_url)
    try:
        workshops = Workshops(SessionRepository(engine), load_catalogue())
        username = FactRepository(engine).get(USERNAME)
        now = datetime.now(UTC)
        zone = settings.timezone
        if args.action == "add":
            offer = workshops.add_session(
                args.workshop,
                parse_moment(args.start, zone, "--start"),
                parse_moment(args.end, zone, "--end") if args.end else None,
                args.capacity,
                args.place,
                now,
            )
            out.write(f"session {offer.session.id}\n{deep_link(username, offer.payload)}\n")
        elif args.action == "list":
            offers = workshops.all_offers()
            if args.json:
                out.write(json.dumps([_as_json(o, username) for o in offers], indent=2) + "\n")
            else:
                for offer in offers:
                    out.write(_as_line(offer, zone) + "\n")
        else:
            target = workshops.offer(args.id)
            if target is None:
                raise SessionError(f"no session {args.id}", "session")
            if target.session.cancelled_at is not None:
                raise SessionError(f"session {args.id} was already cancelled", "session")
            people = workshops.cancel_session(args.id, now)
            if people is None:
                raise SessionError(f"session {args.id} has started: it is not cancelled", "session")
            out.write(
                f"session {args.id} cancelled; {len(people)} people were registered or waiting\n"
            )
    finally:
        engine.dispose()
    return 0


def _as_line(offer: Offer, zone: ZoneInfo) -> str:
    session = offer.session
    state = "cancelled" if session.cancelled_at else f"{session.seats_left} seats left"
    start = session.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return (
        f"{session.id:>4}  {start}  {offer.workshop.slug:<24} {session.registered}/"
        f"{session.capacity} registered, {session.waiting} waiting, {state}"
    )


def _as_json(offer: Offer, username: str | None) -> dict[str, object]:
    session = offer.session
    return {
        "id": session.id,
        "workshop": offer.workshop.slug,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
        "capacity": session.capacity,
        "registered": session.registered,
        "waiting": session.waiting,
        "place": session.place,
        "cancelled": session.cancelled_at is not None,
        "link": deep_link(username, offer.payload),
    }

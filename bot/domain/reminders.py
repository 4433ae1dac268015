"""When reminders are due: derived from the sessions each time, never stored as a plan, so a
restart neither loses nor repeats one (what went out is recorded by the sender)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.storage import Session


@dataclass(frozen=True)
class Due:
    session_id: int
    offset: timedelta  # before the start
    at: datetime  # when to send: the moment itself, or now for one missed while down

    @property
    def name(self) -> str:
        """The job's name: scheduling the same reminder twice replaces it, never doubles it."""
        return f"reminder:{self.session_id}:{int(self.offset.total_seconds())}"


def due_reminders(
    sessions: Iterable[Session], offsets: Sequence[timedelta], now: datetime
) -> list[Due]:
    """Every reminder still to send for sessions that have not started.

    A moment that passed while the bot was down is due now, if the session has not
    started; of several such moments only the latest counts (one reminder, not three)."""
    found: list[Due] = []
    for session in sessions:
        if session.cancelled_at is not None or session.starts_at <= now:
            continue
        ahead = [o for o in offsets if session.starts_at - o > now]
        missed = [o for o in offsets if session.starts_at - o <= now]
        found += [Due(session.id, o, session.starts_at - o) for o in ahead]
        if missed:
            found.append(Due(session.id, min(missed), now))
    return sorted(found, key=lambda due: (due.at, due.session_id))

"""An `.ics` file for a session, so people can put it in their phone's calendar."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

PRODUCT = "-//CESAM//Ensemble ! assistant//FR"
UID_DOMAIN = "ensemble-dijon"


def session_uid(session_id: int) -> str:
    """Stable: a calendar updates the same event when the file is sent again."""
    return f"session-{session_id}@{UID_DOMAIN}"


def ics(
    session_id: int,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str | None,
    zone: ZoneInfo,
    stamp: datetime,
) -> bytes:
    """The event in local time (with its time zone), titled and described in the reader's
    language."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", session_uid(session_id))
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at.astimezone(zone))
    event.add("dtend", ends_at.astimezone(zone))
    event.add("summary", title)
    event.add("description", description)
    if location:
        event.add("location", location)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())

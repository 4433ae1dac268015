"""When the team reads the relay (STAFF_HOURS): a weekly schedule in local time.

Written as the operator thinks of it, e.g. `mon-fri 09:00-12:30,13:30-17:00; sat 09:00-12:00`
(French day names too: `lun-ven 9:00-17:00`). Nothing (or `always`) means always open.
Times are wall-clock times in BOT_TIMEZONE, so 09:00 stays 09:00 across a change of clocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

MINUTES_A_DAY = 24 * 60
_DAYS = {
    name: number
    for names in (
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
        ("lun", "mar", "mer", "jeu", "ven", "sam", "dim"),
    )
    for number, name in enumerate(names)
}
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
EXAMPLE = "mon-fri 09:00-12:30,13:30-17:00; sat 09:00-12:00"


@dataclass(frozen=True)
class Span:
    """One opening on one day of the week: [start, end) in minutes after local midnight."""

    weekday: int  # 0 is Monday, as datetime.weekday()
    start: int
    end: int  # up to 24 × 60: open until midnight


@dataclass(frozen=True)
class OpeningHours:
    """The week's openings; none at all means always open."""

    spans: tuple[Span, ...] = ()

    @property
    def always(self) -> bool:
        return not self.spans

    def is_open(self, moment: datetime, zone: tzinfo) -> bool:
        """Whether the team reads messages at `moment` (an aware datetime)."""
        if self.always:
            return True
        local = moment.astimezone(zone)
        minute = local.hour * 60 + local.minute
        weekday = local.weekday()
        return any(s.weekday == weekday and s.start <= minute < s.end for s in self.spans)

    def next_opening(self, moment: datetime, zone: tzinfo) -> datetime | None:
        """When the team next starts reading (in UTC), or None if it reads now."""
        if self.is_open(moment, zone):
            return None
        today = moment.astimezone(zone).date()
        # Eight days: today's later openings, the six days after, and today's weekday again.
        starts = [
            _instant(today + timedelta(days=days), span.start, zone)
            for days in range(8)
            for span in self.spans
            if span.weekday == (today + timedelta(days=days)).weekday()
        ]
        return min(start for start in starts if start > moment)


def _instant(day: date, minutes: int, zone: tzinfo) -> datetime:
    """The first instant of `day` whose wall-clock time in `zone` is `minutes` or later.

    Usually that wall-clock time itself; when the clocks skip it (spring forward), the moment
    they jump, which is when the span really begins."""
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    instant = wall.astimezone(UTC)
    naive = wall.replace(tzinfo=None)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    # In the gap, fold=0 reads the time with the offset before the change: a little late.
    # Step back to the jump (transitions fall on whole minutes; a gap lasts an hour or so).
    while (instant - timedelta(minutes=1)).astimezone(zone).replace(tzinfo=None) >= naive:
        instant -= timedelta(minutes=1)
    return instant


def _minutes(text: str, *, end: bool) -> int:
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} is not a time such as 09:00")
    hours, minutes = int(match.group(1)), int(match.group(2))
    total = hours * 60 + minutes
    if minutes > 59 or total > MINUTES_A_DAY or (total == MINUTES_A_DAY and not end):
        raise ValueError(f"{text.strip()!r} is not a time of day")
    return total


def _weekdays(text: str) -> list[int]:
    found: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().lower().partition("-")
        for name in (first, last) if last else (first,):
            if name not in _DAYS:
                raise ValueError(f"{name!r} is not a day (mon, tue … sun, or lun, mar … dim)")
        start, stop = _DAYS[first], _DAYS[last or first]
        # « sat-mon » goes round the weekend.
        found += [(start + step) % 7 for step in range((stop - start) % 7 + 1)]
    return found


def parse_opening_hours(text: str) -> OpeningHours:
    """Read STAFF_HOURS; a ValueError says what is wrong, with an example."""
    if not text.strip() or text.strip().lower() in ("always", "24/7"):
        return OpeningHours()
    spans: list[Span] = []
    try:
        for clause in text.split(";"):
            days, _, hours = clause.strip().partition(" ")
            if not days or not hours.strip():
                raise ValueError(f"{clause.strip()!r} needs days, then hours")
            for weekday in _weekdays(days):
                for span in hours.split(","):
                    start, dash, end = span.partition("-")
                    if not dash:
                        raise ValueError(f"{span.strip()!r} is not hours such as 09:00-12:30")
                    opening = Span(weekday, _minutes(start, end=False), _minutes(end, end=True))
                    if opening.start >= opening.end:
                        raise ValueError(f"{span.strip()!r} ends before it starts")
                    spans.append(opening)
    except ValueError as error:
        raise ValueError(f"not opening hours: {error} (write e.g. {EXAMPLE})") from None
    return OpeningHours(tuple(sorted(set(spans), key=lambda s: (s.weekday, s.start, s.end))))

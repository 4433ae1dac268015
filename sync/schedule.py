"""Running the sync on cron schedules, in local time, one run of each job at a time: the
publisher (SYNC_SCHEDULE) and the fiches mirror (FICHES_SCHEDULE)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

logger = logging.getLogger(__name__)

JOB_ID = "refugies-info-sync"
FICHES_JOB_ID = "refugies-info-fiches"
# APScheduler's default grace is one second: a run due while the process restarts (a
# deploy at 07:30) would be skipped for a whole day. An hour late is still worth running;
# later than that, the next day's run comes soon enough.
MISFIRE_GRACE_SECONDS = 3600


class ScheduleError(ValueError):
    """A schedule setting is not a cron expression APScheduler understands."""


def cron_trigger(expression: str, timezone: ZoneInfo, setting: str = "SYNC_SCHEDULE") -> Any:
    """`minute hour day month day_of_week`, in local wall-clock time (DST-proof)."""
    try:
        return CronTrigger.from_crontab(expression, timezone=timezone)
    except ValueError as error:
        raise ScheduleError(f"{setting} {expression!r} is not a valid cron: {error}") from error


def fires_in_dst_gap(trigger: Any) -> bool:
    """Whether the schedule can fire between 02:00 and 03:00, the hour DST skips or repeats."""
    hour_field = next(f for f in trigger.fields if f.name == "hour")
    probe = datetime(2025, 1, 1, 2)  # noqa: DTZ001 - only the hour field reads it
    return bool(hour_field.get_next_value(probe) == 2)


def build_scheduler(
    trigger: Any,
    timezone: ZoneInfo,
    job: Callable[[], None],
    *,
    scheduler: BaseScheduler | None = None,
) -> BaseScheduler:
    """A scheduler with the publisher's job; `scheduler` lets tests use a non-blocking one."""
    chosen = scheduler or BlockingScheduler(timezone=timezone)
    add_job(chosen, JOB_ID, "refugies.info sync", trigger, job)
    return chosen


def add_job(
    scheduler: BaseScheduler, job_id: str, name: str, trigger: Any, job: Callable[[], None]
) -> None:
    """One named job, replacing any of the same id (scheduling twice is harmless)."""
    scheduler.add_job(
        job,
        trigger,
        id=job_id,
        name=name,
        # Two publisher runs at once could both create the same fiche; two mirror runs
        # would read everything twice.
        max_instances=1,
        # Runs missed while the process was down collapse into one, not a burst.
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
        replace_existing=True,
    )


def guarded(
    job: Callable[[], str], report: Callable[[str], None], what: str = "refugies.info sync"
) -> Callable[[], None]:
    """The job as the scheduler calls it: a summary line per run, and never a crash."""

    def run() -> None:
        try:
            line = job()
        except Exception as error:
            logger.exception("%s failed", what)
            line = f"{what} failed: {type(error).__name__}: {error}"
        report(line)

    return run

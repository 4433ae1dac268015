"""The scheduled publisher: local wall-clock times, one run at a time, a line per run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from pydantic import SecretStr

from bot.config import Settings, load_settings
from sync.cli import Credentials, Tools, scheduled_fiches_job, scheduled_job
from sync.programme import Programme
from sync.schedule import (
    FICHES_JOB_ID,
    JOB_ID,
    MISFIRE_GRACE_SECONDS,
    ScheduleError,
    add_job,
    build_scheduler,
    cron_trigger,
    fires_in_dst_gap,
    guarded,
)
from tests.sync.conftest import FakeClock, Operator, Waits
from tests.sync.refugies_emulator import SITE_SECRET, RefugiesEmulator
from tests.sync.sample_fiches import seed_sample_fiches

PARIS = ZoneInfo("Europe/Paris")


def test_the_daily_run_keeps_its_local_time_across_dst() -> None:
    trigger = cron_trigger("30 7 * * *", PARIS)
    before_spring = trigger.get_next_fire_time(None, datetime(2025, 3, 29, 12, tzinfo=PARIS))
    after_spring = trigger.get_next_fire_time(None, datetime(2025, 3, 30, 12, tzinfo=PARIS))
    after_autumn = trigger.get_next_fire_time(None, datetime(2025, 10, 26, 12, tzinfo=PARIS))
    assert [(t.hour, t.minute) for t in (before_spring, after_spring, after_autumn)] == [
        (7, 30)
    ] * 3
    assert before_spring.utcoffset() != after_autumn.utcoffset()


@pytest.mark.parametrize(
    ("expression", "in_gap"),
    [("30 7 * * *", False), ("0 2 * * *", True), ("*/30 * * * *", True), ("0 1,3 * * 1", False)],
)
def test_schedules_in_the_dst_hour_are_spotted(expression: str, in_gap: bool) -> None:
    assert fires_in_dst_gap(cron_trigger(expression, PARIS)) is in_gap


def test_an_invalid_schedule_is_refused() -> None:
    with pytest.raises(ScheduleError, match="SYNC_SCHEDULE 'daily'"):
        cron_trigger("daily", PARIS)


def test_the_job_runs_once_at_a_time_with_a_deliberate_grace() -> None:
    scheduler = BackgroundScheduler(timezone=PARIS)
    scheduler.start(paused=True)  # paused: nothing runs, but jobs are stored as in production
    trigger = cron_trigger("30 7 * * *", PARIS)
    try:
        build_scheduler(trigger, PARIS, lambda: None, scheduler=scheduler)
        build_scheduler(trigger, PARIS, lambda: None, scheduler=scheduler)  # replaces, not adds
        [job] = scheduler.get_jobs()
    finally:
        scheduler.shutdown()
    assert job.id == JOB_ID
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.misfire_grace_time == MISFIRE_GRACE_SECONDS == 3600
    assert job.trigger is trigger


def test_a_failing_run_reports_a_line_and_does_not_stop_the_scheduler() -> None:
    lines: list[str] = []

    def broken() -> str:
        raise RuntimeError("disk full")

    guarded(broken, lines.append)()
    guarded(lambda: "refugies.info sync: fine", lines.append)()
    assert lines == [
        "refugies.info sync failed: RuntimeError: disk full",
        "refugies.info sync: fine",
    ]


def test_each_scheduled_run_prints_its_summary_line(
    refugies: RefugiesEmulator,
    operator: Operator,
    programme: Programme,
    sqlite_url: str,
    waits: Waits,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(
        database_url=sqlite_url,
        refugies_info_api_url=refugies.base_url,
    )
    credentials = Credentials(
        SecretStr(SITE_SECRET), SecretStr(operator.user.token), operator.structure_id
    )
    lines: list[str] = []
    job = scheduled_job(
        settings, programme, credentials, Tools(sleep=waits), lines.append, period_ended_ok=True
    )

    job()
    job()
    first, second = lines
    assert first.startswith("refugies.info sync ")
    assert "4 actions: 4 created" in first
    assert second.endswith("4 unchanged, 0 failed; 0 write calls")
    assert len(refugies.fiches_of(operator.structure_id)) == 4


def test_the_fiches_mirror_has_its_own_daily_job_clear_of_the_dst_hour() -> None:
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    fiches_trigger = cron_trigger(defaults.fiches_schedule, PARIS, "FICHES_SCHEDULE")
    assert not fires_in_dst_gap(fiches_trigger)
    first = fiches_trigger.get_next_fire_time(None, datetime(2025, 3, 29, 0, tzinfo=PARIS))
    second = fiches_trigger.get_next_fire_time(None, first + timedelta(minutes=1))
    # Across the spring DST change: 23 hours apart, the same local time.
    assert second.astimezone(UTC) - first.astimezone(UTC) == timedelta(hours=23)
    assert (first.hour, first.minute) == (second.hour, second.minute)

    scheduler = BackgroundScheduler(timezone=PARIS)
    scheduler.start(paused=True)
    try:
        build_scheduler(cron_trigger("30 7 * * *", PARIS), PARIS, lambda: None, scheduler=scheduler)
        for _ in range(2):  # scheduling twice replaces, never adds
            add_job(scheduler, FICHES_JOB_ID, "refugies.info fiches", fiches_trigger, lambda: None)
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown()
    assert set(jobs) == {JOB_ID, FICHES_JOB_ID}
    fiches = jobs[FICHES_JOB_ID]
    assert fiches.trigger is fiches_trigger
    assert (fiches.max_instances, fiches.coalesce) == (1, True)
    assert fiches.misfire_grace_time == MISFIRE_GRACE_SECONDS


def test_an_invalid_fiches_schedule_is_named() -> None:
    with pytest.raises(ScheduleError, match="FICHES_SCHEDULE 'daily'"):
        cron_trigger("daily", PARIS, "FICHES_SCHEDULE")


def test_each_scheduled_mirror_run_prints_its_line_and_a_failure_never_stops_it(
    refugies: RefugiesEmulator,
    operator: Operator,
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    seed_sample_fiches(refugies, operator.structure_id)
    settings = load_settings(
        database_url=sqlite_url, refugies_info_api_url=refugies.base_url, fiches_county="Côte-d'Or"
    )
    clock = FakeClock()
    lines: list[str] = []
    job = scheduled_fiches_job(
        settings,
        SecretStr(SITE_SECRET),
        operator.structure_id,
        Tools(sleep=clock.sleep, monotonic=clock),
        lines.append,
    )
    job()
    refugies.fail_after(0)
    job()
    first, second = lines
    assert first.startswith("refugies.info fiches Côte-d'Or ")
    assert "5 fiches" in first
    assert "5 written, 0 removed, 0 unchanged; 1 of ours marked" in first
    assert ": failed: GET /dispositifs/getContentsForApp: 500" in second
    assert second.endswith(")")
    assert "the previous mirror is kept (5 fiches, last complete run: " in second


def test_a_scheduled_run_of_an_ended_period_publishes_nothing_and_says_why(
    refugies: RefugiesEmulator,
    operator: Operator,
    programme: Programme,
    sqlite_url: str,
    waits: Waits,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(database_url=sqlite_url, refugies_info_api_url=refugies.base_url)
    credentials = Credentials(
        SecretStr(SITE_SECRET), SecretStr(operator.user.token), operator.structure_id
    )
    lines: list[str] = []
    scheduled_job(settings, programme, credentials, Tools(sleep=waits), lines.append)()
    [line] = lines
    assert ": not run: the contract period in the programme ended on 2024-10-15" in line
    assert refugies.requests == []

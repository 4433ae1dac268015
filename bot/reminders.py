"""Sending workshop reminders through python-telegram-bot's job queue.

`plan` runs at start and every minute (sessions may be added from the command line): it
(re)schedules one job per due reminder, named after it, so planning twice changes nothing.
Each job reminds the people registered at that moment: a reminder is recorded before it is
sent, so a restart never sends it twice. Reminders go through the same rate limiter as
answers, a few at a time: an answer never waits behind more than those few, while a burst
of reminders still uses what is left of Telegram's ≈30 messages/s.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import cast

from telegram.ext import JobQueue

from bot.context import BotContext
from bot.domain.reminders import Due, due_reminders
from bot.handlers.common import tell
from bot.storage import NoticeRepository, ReminderRepository
from bot.views import workshops as views

PLAN_EVERY = timedelta(minutes=1)
_TELLING = "cancellations-lock"
_RUNNING = "reminders-running"  # names of the reminder jobs sending right now
# Reminders recorded together, and sent at once at most: an answer to someone waits behind
# no more than IN_FLIGHT reminders in the rate limiter.
BATCH = 30
IN_FLIGHT = 3


async def plan(context: BotContext) -> None:
    """Schedule every reminder still due (rebuilt from the database each time)."""
    services = context.services
    if context.job_queue is None:
        return
    job_queue = cast("JobQueue[BotContext]", context.job_queue)
    now = services.clock()
    await tell_cancellations(context)
    sessions = await asyncio.to_thread(services.workshops.upcoming_sessions, now)
    running: set[str] = context.bot_data.setdefault(_RUNNING, set())
    for due in due_reminders(sessions, services.settings.reminder_offsets, now):
        if due.name in running:
            continue  # still sending (a started job no longer shows in the job queue)
        existing = job_queue.get_jobs_by_name(due.name)
        if any(
            job.next_t is not None and abs((job.next_t - due.at).total_seconds()) < 1
            for job in existing
        ):
            continue
        for job in existing:
            job.schedule_removal()
        job_queue.run_once(
            remind,
            when=max(due.at, now),
            data=due,
            name=due.name,
            job_kwargs={"misfire_grace_time": None},
        )


async def remind(context: BotContext) -> None:
    due = context.job.data if context.job is not None else None
    if not isinstance(due, Due):
        return
    running: set[str] = context.bot_data.setdefault(_RUNNING, set())
    running.add(due.name)
    try:
        await _remind(context, due)
    finally:
        running.discard(due.name)


async def _remind(context: BotContext, due: Due) -> None:
    services = context.services
    offer = await asyncio.to_thread(services.workshops.offer, due.session_id)
    now = services.clock()
    if offer is None or not services.workshops.is_open(offer, now):
        return  # cancelled, or started since: nothing to remind
    repository = ReminderRepository(services.engine)
    offset = int(due.offset.total_seconds())
    moment = offer.session.starts_at - due.offset
    people = await asyncio.to_thread(repository.to_remind, due.session_id, offset, moment)
    known = await asyncio.to_thread(services.users.many, people)
    people = [p for p in people if not (p in known and known[p].blocked)]
    in_flight = asyncio.Semaphore(IN_FLIGHT)

    async def send(person: int) -> None:
        language = known[person].language if person in known else None
        t = services.catalogs.translator(language)
        screen = views.reminder(t, offer, services.settings.timezone)
        async with in_flight:
            delivered = await tell(context, person, screen.text, screen.keyboard)
        if delivered == "failed":
            # A passing failure: the next planning (within a minute) tries again.
            await asyncio.to_thread(repository.release, due.session_id, person, offset)

    for start in range(0, len(people), BATCH):
        batch = people[start : start + BATCH]
        # Recorded before they are sent: after a crash, a reminder is at worst lost (the
        # batch in flight), never sent twice.
        claimed = await asyncio.to_thread(repository.claim_many, due.session_id, batch, offset, now)
        await asyncio.gather(*(send(person) for person in claimed))


async def tell_cancellations(context: BotContext) -> None:
    """People who joined a session that staff cancelled (in `/staff` or with `sessions
    cancel`) are told, in their language, once each; a passing failure is tried again at
    the next planning."""
    # One at a time: staff cancelling in the chat and the minute's planning may both come
    # here at once, and each person must be told once.
    lock: asyncio.Lock = context.bot_data.setdefault(_TELLING, asyncio.Lock())
    async with lock:
        await _tell_cancellations(context)


async def _tell_cancellations(context: BotContext) -> None:
    services = context.services
    now = services.clock()
    notices = NoticeRepository(services.engine)
    to_tell = await asyncio.to_thread(notices.cancelled_to_tell, now)
    for session_id, people in to_tell.items():
        offer = await asyncio.to_thread(services.workshops.offer, session_id)
        await asyncio.to_thread(notices.claim_many, session_id, people, now)
        if offer is None:  # its workshop left the catalogue: nothing to say it with
            continue
        known = await asyncio.to_thread(services.users.many, people)
        for person in people:
            if person in known and known[person].blocked:
                continue
            t = services.catalogs.translator(known[person].language if person in known else None)
            text = views.session_cancelled(t, offer, services.settings.timezone)
            if await tell(context, person, text) == "failed":
                await asyncio.to_thread(notices.release, session_id, person)

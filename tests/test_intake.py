"""The intake: every update in the inbox before it is queued, chats in parallel, each in order."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from telegram import Update
from telegram.error import NetworkError

from bot.intake import ChatOrderedProcessor, DurableUpdateQueue
from bot.storage import InboxRepository, migrate, open_engine

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def clock() -> datetime:
    return T0


def message_update(update_id: int, chat: int, text: str = "bonjour") -> Update:
    data = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": chat, "type": "private"},
            "from": {"id": chat, "is_bot": False, "first_name": "Test"},
            "text": text,
        },
    }
    return Update.de_json(data, None)


def inbox_at(tmp_path: Path) -> InboxRepository:
    engine = open_engine(f"sqlite:///{tmp_path / 'inbox.db'}")
    migrate(engine)
    return InboxRepository(engine)


async def test_one_chats_updates_run_in_order_while_other_chats_go_ahead() -> None:
    processor = ChatOrderedProcessor(clock, max_running=8)
    events: list[str] = []
    release = asyncio.Event()

    async def handle(name: str, wait: bool = False) -> None:
        events.append(f"start {name}")
        if wait:
            await release.wait()
        events.append(f"end {name}")

    slow = asyncio.create_task(processor.process_update(message_update(1, 10), handle("a1", True)))
    second = asyncio.create_task(processor.process_update(message_update(2, 10), handle("a2")))
    other = asyncio.create_task(processor.process_update(message_update(3, 20), handle("b1")))
    await other  # another person is answered while the first one's update is still running
    assert events == ["start a1", "start b1", "end b1"]
    release.set()
    await asyncio.gather(slow, second)
    assert events[3:] == ["end a1", "start a2", "end a2"]


async def test_a_busy_chat_does_not_take_the_running_slots_of_others() -> None:
    processor = ChatOrderedProcessor(clock, max_running=2)
    release = asyncio.Event()
    done: list[int] = []

    async def handle(number: int, wait: bool) -> None:
        if wait:
            await release.wait()
        done.append(number)

    busy = [
        asyncio.create_task(processor.process_update(message_update(n, 10), handle(n, True)))
        for n in range(1, 6)
    ]
    await processor.process_update(message_update(9, 20), handle(9, False))
    assert done == [9]
    release.set()
    await asyncio.gather(*busy)
    assert done == [9, 1, 2, 3, 4, 5]


async def test_an_update_is_stored_before_it_is_queued_and_replayed_until_handled(
    tmp_path: Path,
) -> None:
    inbox = inbox_at(tmp_path)
    queue = DurableUpdateQueue(clock)
    queue.attach(inbox)
    update = message_update(77, 10, "je dors dehors")
    await queue.put(update)
    assert [update_id for update_id, _ in inbox.waiting()] == [77]
    assert json.loads(inbox.waiting()[0][1])["message"]["text"] == "je dors dehors"
    await queue.put(update)  # Telegram sends it again: queued once
    assert queue.qsize() == 1

    # The process dies before handling it; the next start replays it.
    restarted = DurableUpdateQueue(clock)
    restarted.attach(inbox)
    assert await restarted.replay(None) == 1  # type: ignore[arg-type]
    replayed = restarted.get_nowait()
    assert isinstance(replayed, Update)
    assert replayed.update_id == 77
    assert replayed.message is not None
    assert replayed.message.text == "je dors dehors"

    processor = ChatOrderedProcessor(clock)
    processor.attach(inbox)

    async def handle() -> None:
        return None

    await processor.process_update(replayed, handle())
    assert inbox.waiting() == []
    assert await DurableUpdateQueue(clock).replay(None) == 0  # type: ignore[arg-type]


class _BrokenInbox:
    def accept(self, update_id: int, payload: str, now: datetime) -> bool:
        raise OperationalError("INSERT", {}, Exception("database is locked"))


async def test_a_database_failure_on_arrival_makes_polling_retry_not_stop() -> None:
    """The updater retries network errors only: anything else would end polling for good."""
    queue = DurableUpdateQueue(clock)
    queue.attach(_BrokenInbox())  # type: ignore[arg-type]
    with pytest.raises(NetworkError):
        await queue.put(message_update(5, 10))
    assert queue.qsize() == 0  # not queued: not confirmed to Telegram, fetched again

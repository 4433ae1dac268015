"""Reminders in a burst, through the real bot, against an emulator that enforces Telegram's
flood limit (30 messages/s, 429 beyond): 1,000 reminders due at once must all arrive,
none twice, at ≥ 27 messages/s; meanwhile a person writing gets answers, whose latency
(p50 / p99) is printed. Targets from the workshops issue: ≥ 27 msg/s, replies ≤ 2 s.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.intake import TIMEOUT_S
from bot.emulator import BotApiEmulator
from bot.emulator.launch import bot_environment
from bot.storage import SessionRepository, UserRepository, migrate, open_engine

TOKEN = "100000004:benchmark-token-for-reminders"  # noqa: S105 - not a secret
PEOPLE = 1000
FLOOD_LIMIT = 30
TARGET_RATE = 27.0
TARGET_REPLY_S = 2.0
WRITER = 777_777


def prepare(database_url: str, start: datetime) -> None:
    """A session with PEOPLE registered people (over several sessions: capacity is per
    session), all of whom have chosen a language."""
    engine = open_engine(database_url)
    migrate(engine)
    sessions, users = SessionRepository(engine), UserRepository(engine)
    now = datetime.now(UTC)
    session = sessions.add("sortie", start, start + timedelta(hours=2), PEOPLE, None, now)
    for person in range(1, PEOPLE + 1):
        users.set_language(person, "fr", now)
        # Registered well before the reminder's moment (an hour before the start).
        sessions.register(session.id, person, now - timedelta(hours=2))
    engine.dispose()


def reminders(emulator: BotApiEmulator) -> list[float]:
    """Arrival times of the reminders, from the emulator's log of accepted calls."""
    return [
        call.at
        for call in emulator.calls("sendMessage")
        if call.ok and str(call.params.get("text", "")).startswith("⏰")
    ]


def main() -> int:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        database_url = f"sqlite:///{folder / 'reminders.db'}"
        # Due at once: the session starts in 10 minutes, the reminder is « 1 hour before ».
        prepare(database_url, datetime.now(UTC) + timedelta(minutes=10))
        with BotApiEmulator(TOKEN, flood_limit=FLOOD_LIMIT) as emulator:
            for person in range(1, PEOPLE + 1):
                emulator.introduce(person)
            env = bot_environment(emulator, database_url)
            env["REMINDER_OFFSETS"] = "1h"
            process = subprocess.Popen(
                [sys.executable, "-m", "bot"],
                cwd=folder,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                emulator.wait_for_polling(timeout=60)
                emulator.wait_until(lambda: len(reminders(emulator)) >= 50, timeout=TIMEOUT_S)
                latencies = []
                for round_number in range(10):  # a person writes during the burst
                    count = len(emulator.bot_messages(WRITER))
                    sent = time.perf_counter()
                    emulator.send_message(WRITER, f"logement {round_number}")
                    emulator.wait_for_bot_messages(WRITER, count + 1, timeout=TIMEOUT_S)
                    latencies.append(time.perf_counter() - sent)
                emulator.wait_until(lambda: len(reminders(emulator)) >= PEOPLE, timeout=TIMEOUT_S)
                arrivals = sorted(reminders(emulator))
                refused = sum(1 for call in emulator.calls("sendMessage") if not call.ok)
                per_person = [
                    sum(1 for m in emulator.bot_messages(p) if m.text.startswith("⏰"))
                    for p in range(1, PEOPLE + 1)
                ]
            finally:
                process.terminate()
                process.wait(timeout=30)
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    twice = sum(1 for count in per_person if count > 1)
    missing = sum(1 for count in per_person if count == 0)
    p50 = statistics.median(latencies)
    p99 = max(latencies)  # 10 samples: the slowest stands for p99
    print(f"{PEOPLE} reminders due at once, emulator limited to {FLOOD_LIMIT} messages/s")
    print(f"  delivered {PEOPLE - missing}, twice {twice}, refused with 429 {refused} (retried)")
    print(f"  throughput {rate:.1f} messages/s (target ≥ {TARGET_RATE:.0f})")
    print(
        f"  replies during the burst: p50 {p50:.2f} s, p99 {p99:.2f} s "
        f"(target ≤ {TARGET_REPLY_S:.0f} s)"
    )
    within = missing == 0 and twice == 0 and rate >= TARGET_RATE and p99 <= TARGET_REPLY_S
    print("within targets" if within else "OVER TARGET")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())

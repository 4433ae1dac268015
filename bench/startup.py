"""Time from process start to the first getUpdates, and idle memory, of `python -m bot`.

Runs the real bot against the loopback Bot API emulator a few times and prints the
figures next to the targets of the foundation issue (≤ 3 s, ≤ 150 MB).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.emulator import BotApiEmulator
from bot.emulator.launch import spawn_bot
from bot.i18n import LANGUAGES

TOKEN = "100000002:benchmark-token-for-the-loopback-emulator"  # noqa: S105 - not a secret
TARGET_SECONDS = 3.0
TARGET_MB = 150.0


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc (Linux only)")


def one_run(folder: Path) -> tuple[float, float]:
    with BotApiEmulator(TOKEN) as emulator:
        database = f"sqlite:///{folder / f'bench-{time.monotonic_ns()}.db'}"
        started = time.perf_counter()
        process = spawn_bot(emulator, folder, database, output=subprocess.DEVNULL)
        try:
            emulator.wait_for_polling(timeout=60)
            first_poll = time.perf_counter() - started
            # Idle: start-up work done (every language registered), waiting on a long poll.
            emulator.wait_until(
                lambda: all(emulator.short_description(lang.code) for lang in LANGUAGES), 60
            )
            polls = len(emulator.calls("getUpdates"))
            emulator.wait_until(lambda: len(emulator.calls("getUpdates")) > polls, 60)
            memory = resident_mb(process.pid)
        finally:
            process.terminate()
            process.wait(timeout=30)
    return first_poll, memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = [one_run(Path(folder)) for _ in range(args.runs)]
    times = [seconds for seconds, _ in results]
    memories = [mb for _, mb in results]
    print(f"python -m bot against the Bot API emulator, {args.runs} runs")
    print(
        f"start-up to first getUpdates: median {statistics.median(times):.2f} s, "
        f"max {max(times):.2f} s (target ≤ {TARGET_SECONDS:.0f} s)"
    )
    print(
        f"idle resident memory: median {statistics.median(memories):.0f} MB, "
        f"max {max(memories):.0f} MB (target ≤ {TARGET_MB:.0f} MB)"
    )
    within = max(times) <= TARGET_SECONDS and max(memories) <= TARGET_MB
    print("within targets" if within else "OVER TARGET")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())

"""Start `python -m bot` as an operator would, pointed at a running emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

from bot.emulator.server import BotApiEmulator


def bot_environment(emulator: BotApiEmulator, database_url: str, **settings: str) -> dict[str, str]:
    """This process's environment without the project's settings, then the emulator's
    (and `settings`, e.g. BOT_ADMIN_IDS="7001")."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_", "BOT_", "REFUGIES_", "REMINDER_"))
    }
    env.update(
        TELEGRAM_BOT_TOKEN=emulator.token,
        TELEGRAM_API_BASE_URL=emulator.base_url,
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


def spawn_bot(
    emulator: BotApiEmulator,
    workdir: Path,
    database_url: str,
    output: int | IO[str] | None = subprocess.PIPE,
    **settings: str,
) -> subprocess.Popen[str]:
    """The bot process; `workdir` should hold no `.env`, so only the emulator's settings apply."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot"],
        cwd=workdir,
        env=bot_environment(emulator, database_url, **settings),
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )

"""`python -m bot demo`: the real bot, talking to the embedded emulator, in a terminal.

Each input line is a message; `#N` presses button N of the latest message with buttons.
No token, no network: the Bot API is emulated on 127.0.0.1 and the database is a
temporary SQLite file.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import threading
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import TextIO

from pydantic import SecretStr
from sqlalchemy import Engine
from telegram import Update

from bot.app import ALLOWED_UPDATES, build_application, utc_now
from bot.config import Settings
from bot.context import BotApplication
from bot.domain.workshops import Workshops
from bot.emulator import BotApiEmulator, ChatMessage
from bot.i18n import FSI, PDI, RLM
from bot.intake import ChatOrderedProcessor
from bot.knowledge.sample_fiches import load_sample_fiches
from bot.knowledge.workshops import load_catalogue
from bot.logs import configure_logging
from bot.storage import SessionRepository
from bot.storage.database import prepare_database

DEMO_TOKEN = "100000001:demo-token-for-the-embedded-emulator"  # noqa: S105 - not a secret
DEMO_CHAT = 4242
# A terminal cannot apply bidi controls; they would only show up as stray characters.
_INVISIBLE = str.maketrans("", "", RLM + FSI + PDI)


class _CompletionTracker(ChatOrderedProcessor):
    """The bot's own processor, which also tells the terminal thread when each update is done."""

    def __init__(self) -> None:
        super().__init__(utc_now)
        self._done: set[int] = set()
        self._condition = threading.Condition()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def finished(self, update: object) -> None:
        await super().finished(update)
        if isinstance(update, Update):
            with self._condition:
                self._done.add(update.update_id)
                self._condition.notify_all()

    async def initialize(self) -> None:
        self.loop = asyncio.get_running_loop()

    def wait(self, update_id: int, timeout: float = 30.0) -> bool:
        with self._condition:
            return self._condition.wait_for(lambda: update_id in self._done, timeout)


def render(message: ChatMessage, edited: bool) -> str:
    """A bot message as the terminal shows it, buttons numbered across rows; a file or a
    place on the map in one line."""
    if message.document is not None:
        document = message.document
        return f"bot (file)> {document['file_name']} ({len(document['content'])} bytes)"
    if message.venue is not None:
        venue = message.venue
        return (
            f"bot (map)> {venue['title']}, {venue['address']} "
            f"({venue['latitude']}, {venue['longitude']})"
        )
    prefix = "bot (edited)> " if edited else "bot> "
    lines = [prefix + message.text.translate(_INVISIBLE).replace("\n", "\n     ")]
    number = 1
    for row in message.keyboard or []:
        labels = []
        for button in row:
            labels.append(f"[{number}] {str(button['text']).translate(_INVISIBLE)}")
            number += 1
        lines.append("     " + "  ".join(labels))
    return "\n".join(lines)


def _converse(
    stdin: TextIO,
    stdout: TextIO,
    emulator: BotApiEmulator,
    tracker: _CompletionTracker,
    application: BotApplication,
) -> None:
    interactive = stdin.isatty()
    answers_seen = 0
    try:
        emulator.wait_for_polling(timeout=60)
        if interactive:
            stdout.write("Type a message (try /start), or #N to press button N. Ctrl-D quits.\n")
        while True:
            if interactive:
                stdout.write("> ")
                stdout.flush()
            line = stdin.readline()
            if not line:
                break
            text = line.strip()
            if not text:
                continue
            if not interactive:
                stdout.write(f"> {text}\n")
            update_id = _deliver(text, emulator, stdout)
            if update_id is None:
                continue
            if not tracker.wait(update_id):
                stdout.write("(the bot did not finish answering in time)\n")
            answers = emulator.callback_answers()
            for _, notice in answers[answers_seen:]:
                if notice:
                    stdout.write(f"bot (notice)> {notice.translate(_INVISIBLE)}\n")
            answers_seen = len(answers)
            stdout.flush()
    finally:
        if tracker.loop is not None:
            tracker.loop.call_soon_threadsafe(application.stop_running)


def _deliver(text: str, emulator: BotApiEmulator, stdout: TextIO) -> int | None:
    if text.startswith("#") and text[1:].isdigit():
        number = int(text[1:])
        message = emulator.latest_with_buttons(DEMO_CHAT)
        if message is None or not 1 <= number <= len(message.buttons):
            stdout.write(f"(there is no button {number})\n")
            return None
        url = message.buttons[number - 1].get("url")
        if url is not None:  # a web link: a phone would open the browser
            stdout.write(f"(button {number} opens {url})\n")
            return None
        return emulator.press(DEMO_CHAT, message.message_id, number)
    return emulator.send_message(DEMO_CHAT, text, first_name="Demo", language_code="fr")


def run_demo(stdin: TextIO, stdout: TextIO) -> int:
    configure_logging(secrets=[DEMO_TOKEN], level=logging.WARNING)
    with tempfile.TemporaryDirectory() as folder, BotApiEmulator(DEMO_TOKEN) as emulator:
        settings = Settings(
            _env_file=None,  # the demo never reads an operator's .env
            telegram_bot_token=SecretStr(DEMO_TOKEN),
            telegram_api_base_url=emulator.base_url,
            database_url=f"sqlite:///{Path(folder) / 'demo.db'}",
            # The demo's person is staff too, so `/staff` can be tried.
            bot_admin_ids=frozenset({DEMO_CHAT}),
        )
        emulator.on_bot_message(
            lambda message, edited: (
                _print(stdout, message, edited) if message.chat_id == DEMO_CHAT else None
            )
        )
        tracker = _CompletionTracker()
        engine = prepare_database(settings.database_url)
        add_sample_sessions(engine, settings)
        # A small sample recorded from our emulator of refugies.info (not real platform
        # text), so that « Aide près de chez vous » can be tried offline.
        load_sample_fiches(engine)
        application = build_application(settings, engine, update_processor=tracker)
        terminal = threading.Thread(
            target=_converse,
            args=(stdin, stdout, emulator, tracker, application),
            name="demo-terminal",
            daemon=True,
        )
        terminal.start()
        application.run_polling(allowed_updates=ALLOWED_UPDATES, poll_interval=0.0, timeout=1)
    return 0


def add_sample_sessions(engine: Engine, settings: Settings) -> None:
    """A few sessions in the coming days, so `/workshops` → a session → Register can be tried."""
    workshops = Workshops(SessionRepository(engine), load_catalogue())
    now = utc_now()
    today = now.astimezone(settings.timezone).date()
    for days, hour, workshop, capacity in (
        (2, 14, "logement", 8),
        (3, 10, "numerique-logement", 1),
        (6, 15, "sortie", 12),
    ):
        start = datetime.combine(today + timedelta(days=days), time(hour), settings.timezone)
        workshops.add_session(workshop, start, None, capacity, "cesam", now)


def _print(stdout: TextIO, message: ChatMessage, edited: bool) -> None:
    stdout.write(render(message, edited) + "\n")
    stdout.flush()

"""`python -m bot demo`: the real bot, talking to the embedded emulator, in a terminal.

Each input line is a message; `#N` presses button N of the latest message with buttons.
The staff group of « Talk to the team » is there too: its messages are printed as
`team #0001 · …>`, `@team <text>` writes in the newest topic as staff (`@team /close`,
`@team /info`), and `@photo`, `@voice` or `@document` sends the bot an attachment.
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
# The staff group of the relay; the demo's person is staff, so they can answer themselves.
DEMO_STAFF_GROUP = -1004242000000
TEAM_PREFIX = "@team"
ATTACHMENTS = {"@photo": "photo", "@voice": "voice", "@document": "document"}
HELP = (
    "Type a message (try /start), or #N to press button N. "
    "@team <text> answers in the staff group's newest topic; "
    "@photo, @voice, @document send an attachment. Ctrl-D quits.\n"
)
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


def render(message: ChatMessage, edited: bool, prefix: str = "bot") -> str:
    """A bot message as the terminal shows it, buttons numbered across rows; a file or a
    place on the map in one line."""
    if message.service is not None:
        created = message.service.get("forum_topic_created")
        name = created["name"] if created else "?"
        return f"{prefix}> (new topic « {name.translate(_INVISIBLE)} »)"
    if message.media is not None:
        kind = next(iter(message.media))
        caption = f" {message.text.translate(_INVISIBLE)}" if message.text else ""
        return f"{prefix} ({kind})>{caption}"
    if message.document is not None:
        document = message.document
        return f"bot (file)> {document['file_name']} ({len(document['content'])} bytes)"
    if message.venue is not None:
        venue = message.venue
        return (
            f"bot (map)> {venue['title']}, {venue['address']} "
            f"({venue['latitude']}, {venue['longitude']})"
        )
    head = f"{prefix} (edited)> " if edited else f"{prefix}> "
    lines = [head + message.text.translate(_INVISIBLE).replace("\n", "\n     ")]
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
            stdout.write(HELP)
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
    if text.split(maxsplit=1)[0] == TEAM_PREFIX:
        return _staff_writes(text.removeprefix(TEAM_PREFIX).strip(), emulator, stdout)
    if text.split(maxsplit=1)[0] in ATTACHMENTS:
        kind, _, caption = text.partition(" ")
        return emulator.send_media(
            DEMO_CHAT, ATTACHMENTS[kind], first_name="Demo", language_code="fr", caption=caption
        )
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


def _staff_writes(text: str, emulator: BotApiEmulator, stdout: TextIO) -> int | None:
    """The demo's person, as staff, writes in the staff group's newest topic."""
    topics = emulator.topics(DEMO_STAFF_GROUP)
    if not text:
        stdout.write("(write @team followed by the message)\n")
        return None
    if not topics:
        stdout.write("(no topic yet: press « Parler à l'équipe », then write a message)\n")
        return None
    return emulator.send_message(
        DEMO_CHAT,
        text,
        first_name="Demo",
        group_id=DEMO_STAFF_GROUP,
        thread_id=topics[-1].thread_id,
    )


def _team_prefix(emulator: BotApiEmulator, message: ChatMessage) -> str:
    """« team #0001 · Demo · fr »: the staff group and the topic a message is in."""
    names = {topic.thread_id: topic.name for topic in emulator.topics(DEMO_STAFF_GROUP)}
    name = names.get(message.thread_id or 0)
    return f"team {name.translate(_INVISIBLE)}" if name else "team"


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
            staff_chat_id=DEMO_STAFF_GROUP,
        )
        emulator.create_supergroup(DEMO_STAFF_GROUP, "Équipe « Ensemble ! »", admins=(DEMO_CHAT,))

        def show(message: ChatMessage, edited: bool) -> None:
            if message.chat_id == DEMO_CHAT:
                _print(stdout, render(message, edited))
            elif message.chat_id == DEMO_STAFF_GROUP:
                _print(stdout, render(message, edited, _team_prefix(emulator, message)))

        emulator.on_bot_message(show)
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


def _print(stdout: TextIO, line: str) -> None:
    stdout.write(line + "\n")
    stdout.flush()

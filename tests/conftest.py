"""Shared fixtures: databases (SQLite always, PostgreSQL when asked), the emulator, the bot."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.config import normalise_database_url
from bot.emulator import BotApiEmulator
from bot.emulator.launch import spawn_bot
from bot.storage import migrate, open_engine

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:emulator-test-token"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[object]:
    """With FORBID_SKIPS set (CI), a skipped test is a failed one: CI must run everything."""
    report = yield
    if os.environ.get("FORBID_SKIPS") and isinstance(report, pytest.TestReport) and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"skipped, but FORBID_SKIPS is set: {report.longrepr}"
    return report


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a private schema on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = os.environ.get("TEST_DATABASE_URL")
    if base is None:
        pytest.skip("set TEST_DATABASE_URL to run the PostgreSQL variant")
    base = normalise_database_url(base)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """A migrated database, on SQLite and on PostgreSQL."""
    opened = open_engine(database_url)
    try:
        migrate(opened)
        yield opened
    finally:
        opened.dispose()


@pytest.fixture
def emulator() -> Iterator[BotApiEmulator]:
    with BotApiEmulator(TOKEN) as running:
        yield running


class BotProcess:
    """`python -m bot` as an operator runs it, pointed at the emulator."""

    def __init__(
        self, emulator: BotApiEmulator, workdir: Path, database_url: str, **settings: str
    ) -> None:
        self.database_url = database_url
        self.process = spawn_bot(emulator, workdir, database_url, **settings)

    def stop(self) -> str:
        """Stop the bot as a PaaS would (SIGTERM); returns everything it printed."""
        self.process.terminate()
        output, _ = self.process.communicate(timeout=30)
        return output


@pytest.fixture(scope="module")
def live_bot(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[BotApiEmulator, BotProcess]]:
    """One bot process and its emulator for a whole test module (start-up costs a second)."""
    workdir = tmp_path_factory.mktemp("bot")
    with BotApiEmulator(TOKEN) as running:
        bot = BotProcess(running, workdir, f"sqlite:///{workdir / 'bot.db'}")
        try:
            running.wait_for_polling(timeout=30)
        except TimeoutError:
            pytest.fail("the bot never polled:\n" + bot.stop())
        yield running, bot
        output = bot.stop()
        assert bot.process.returncode == 0, output
        assert TOKEN not in output
        assert TOKEN.split(":")[1] not in output

"""Fixtures for the publisher: the platform emulator, its operator account, the publisher's wiring.

Databases come from the shared `database_url` fixture (tests/conftest.py): a SQLite file,
and a private PostgreSQL schema when TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from bot.storage.database import migrate, open_engine
from bot.storage.listings import ListingRepository
from sync.client import Backoff, RefugiesInfoClient
from sync.programme import Programme, load_programme
from sync.publisher import Publisher
from tests.sync.refugies_emulator import SITE_SECRET, RefugiesEmulator, User

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def refugies() -> Iterator[RefugiesEmulator]:
    with RefugiesEmulator() as running:
        yield running


@dataclass(frozen=True)
class Operator:
    """CESAM's structure on the platform, and the account the publisher uses."""

    structure_id: str
    user: User


@pytest.fixture
def operator(refugies: RefugiesEmulator) -> Operator:
    structure = refugies.add_structure("CESAM")
    user = refugies.add_user("ensemble@cesam.example", member_of=structure, two_factor=True)
    return Operator(structure, user)


@pytest.fixture
def programme() -> Programme:
    return load_programme()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sync.db'}"


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    opened = open_engine(database_url)
    migrate(opened)
    yield opened
    opened.dispose()


@dataclass
class Waits:
    """Stands in for time.sleep: records the backoff instead of waiting."""

    seconds: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@dataclass
class FakeClock:
    """A monotonic clock that moves only when the code waits on it (pacing, backoff)."""

    now: float = 1000.0
    waits: list[float] = field(default_factory=list)

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Connector:
    """Clients to the emulator, as the publisher builds them; closed at teardown."""

    refugies: RefugiesEmulator
    operator: Operator
    waits: Waits
    clients: list[RefugiesInfoClient] = field(default_factory=list)

    def client(self, *, token: str | None = None, timeout: float = 2.0) -> RefugiesInfoClient:
        made = RefugiesInfoClient(
            self.refugies.base_url,
            site_secret=SecretStr(SITE_SECRET),
            token=SecretStr(token or self.operator.user.token),
            timeout=timeout,
            backoff=Backoff(base=1.0, cap=30.0),
            sleep=self.waits,
        )
        self.clients.append(made)
        return made


@pytest.fixture
def connector(refugies: RefugiesEmulator, operator: Operator, waits: Waits) -> Iterator[Connector]:
    made = Connector(refugies, operator, waits)
    yield made
    for client in made.clients:
        client.close()


@dataclass
class Wiring:
    """A publisher wired to the emulator and a database, as `python -m sync run` wires it."""

    connector: Connector
    engine: Engine

    @property
    def refugies(self) -> RefugiesEmulator:
        return self.connector.refugies

    @property
    def operator(self) -> Operator:
        return self.connector.operator

    @property
    def waits(self) -> Waits:
        return self.connector.waits

    def publisher(
        self,
        programme: Programme,
        *,
        recreate_deleted: bool = False,
        overwrite_platform_edits: bool = False,
        timeout: float = 2.0,
        period_ended_ok: bool = True,
    ) -> Publisher:
        # The programme's contract period (2023-2024) is over: these tests publish it all the
        # same, as an operator does with --period-ended-ok; the refusal has its own tests.
        return Publisher(
            self.connector.client(timeout=timeout),
            ListingRepository(self.engine),
            programme,
            self.operator.structure_id,
            clock=utc_now,
            recreate_deleted=recreate_deleted,
            overwrite_platform_edits=overwrite_platform_edits,
            period_ended_ok=period_ended_ok,
        )

    @property
    def listings(self) -> ListingRepository:
        return ListingRepository(self.engine)


@pytest.fixture
def wiring(connector: Connector, engine: Engine) -> Wiring:
    return Wiring(connector, engine)


def sync_env(refugies: RefugiesEmulator, operator: Operator, database_url: str) -> dict[str, str]:
    """The environment an operator sets for `python -m sync`, pointed at the emulator."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "DATABASE_", "BOT_", "REFUGIES_", "SYNC_", "FICHES_"))
    }
    env.update(
        REFUGIES_INFO_API_URL=refugies.base_url,
        REFUGIES_INFO_SITE_SECRET=SITE_SECRET,
        REFUGIES_INFO_TOKEN=operator.user.token,
        REFUGIES_INFO_STRUCTURE_ID=operator.structure_id,
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    return env


def run_cli(
    args: list[str], env: dict[str, str], workdir: Path
) -> subprocess.CompletedProcess[str]:
    """`python -m sync ARGS` as an operator runs it (no .env in `workdir`)."""
    return subprocess.run(
        [sys.executable, "-m", "sync", *args],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

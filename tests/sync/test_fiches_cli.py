"""`python -m sync fiches` as an operator (or the clock process) runs it: acceptance,
failures that keep the previous mirror, configuration errors."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.storage.database import migrate, open_engine
from bot.storage.platform_fiches import PlatformFicheRepository, platform_fiches
from sync.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, Tools, main
from tests.sync.conftest import FakeClock, Operator, run_cli, sync_env
from tests.sync.refugies_emulator import SITE_SECRET, RefugiesEmulator
from tests.sync.sample_fiches import FRENCH_CLASSES, SOCIAL_HOUSING, seed_sample_fiches


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    # main() installs its own (redacting) handler on the root logger, as a process would.
    root = logging.getLogger()
    handlers, level, excepthook = root.handlers[:], root.level, sys.excepthook
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    sys.excepthook = excepthook


@pytest.fixture
def seeded(refugies: RefugiesEmulator, operator: Operator) -> RefugiesEmulator:
    seed_sample_fiches(refugies, operator.structure_id)
    return refugies


@pytest.fixture
def opened() -> Iterator[list[Engine]]:
    engines: list[Engine] = []
    yield engines
    for engine in engines:
        engine.dispose()


def _mirror(database_url: str, opened: list[Engine]) -> PlatformFicheRepository:
    """What `python -m sync fiches` stored, read as the bot reads it."""
    engine = open_engine(database_url)
    opened.append(engine)
    migrate(engine)
    return PlatformFicheRepository(engine)


def _stored_at(opened: list[Engine]) -> dict[str, object]:
    with opened[-1].connect() as connection:
        rows = connection.execute(select(platform_fiches.c.id, platform_fiches.c.stored_at))
        return {row.id: row.stored_at for row in rows}


def test_acceptance_a_run_then_a_run_with_nothing_changed(
    seeded: RefugiesEmulator,
    operator: Operator,
    database_url: str,
    tmp_path: Path,
    opened: list[Engine],
) -> None:
    env = sync_env(seeded, operator, database_url)

    first = run_cli(["fiches"], env, tmp_path)
    assert first.returncode == EXIT_OK, first.stdout + first.stderr
    assert f"written  {SOCIAL_HOUSING}  Demander un logement social" in first.stdout
    assert "5 fiches (fr 5, en 3, ar 2, fa 2, ps 1, ti 2, ru 3, uk 3)" in first.stdout
    assert "5 written, 0 removed, 0 unchanged; 1 of ours marked" in first.stdout

    repository = _mirror(database_url, opened)
    housing = repository.get(SOCIAL_HOUSING)
    assert housing is not None
    arabic = housing.texts["ar"]
    assert arabic.translated
    assert arabic.title == "طلب سكن اجتماعي"
    assert housing.theme_id == "63286a015d31b2c0cad9960c"  # housing
    assert housing.texts["ps"].translated is False  # recorded as not translated
    classes = repository.get(FRENCH_CLASSES)
    assert classes is not None
    assert classes.is_translated("ps")
    before = _stored_at(opened)

    calls = len(seeded.requests)
    second = run_cli(["fiches"], env, tmp_path)
    assert second.returncode == EXIT_OK, second.stdout + second.stderr
    assert "written  " not in second.stdout
    assert "0 written, 0 removed, 5 unchanged" in second.stdout
    assert _stored_at(opened) == before
    assert len(seeded.requests) - calls == 23  # the list, 21 fiche pages, the themes

    # Read-only, with the site secret only where the platform needs it, never the token.
    assert {call.method for call in seeded.requests} == {"GET"}
    assert all("x-access-token" not in call.headers for call in seeded.requests)
    for output in (first.stdout + first.stderr, second.stdout + second.stderr):
        assert SITE_SECRET not in output
        assert operator.user.token not in output


@pytest.fixture
def operator_env(
    seeded: RefugiesEmulator,
    operator: Operator,
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    env = sync_env(seeded, operator, sqlite_url)
    for key in list(env):
        if key.startswith(("REFUGIES_", "DATABASE_", "SYNC_", "BOT_", "FICHES_")):
            monkeypatch.setenv(key, env[key])
    monkeypatch.chdir(tmp_path)
    return env


def test_a_platform_that_refuses_mid_run_keeps_the_mirror_and_fails_in_one_line(
    seeded: RefugiesEmulator,
    operator: Operator,
    operator_env: dict[str, str],
    tmp_path: Path,
    opened: list[Engine],
) -> None:
    clock = FakeClock()
    assert main(["fiches"], Tools(sleep=clock.sleep, monotonic=clock)) == EXIT_OK
    repository = _mirror(operator_env["DATABASE_URL"], opened)
    kept = repository.all(include_ours=True)
    # The list is public; the fiches' pages need the site secret, which has changed.
    env = {**operator_env, "REFUGIES_INFO_SITE_SECRET": "an-old-secret"}
    failed = run_cli(["fiches"], env, tmp_path)
    assert failed.returncode == EXIT_FAILED
    assert failed.stdout == ""
    [line] = failed.stderr.strip().splitlines()
    assert line.startswith("error: refugies.info fiches Côte-d'Or ")
    assert ": 401 Request blocked via API" in line
    assert "check REFUGIES_INFO_SITE_SECRET" in line
    assert "the previous mirror is kept (5 fiches, last complete run: " in line
    assert "an-old-secret" not in failed.stderr
    assert repository.all(include_ours=True) == kept
    run = repository.last_run("Côte-d'Or")
    assert run is not None
    assert run.last_error is not None
    assert "401" in run.last_error


def test_a_platform_going_down_mid_run_keeps_the_mirror_and_exits_non_zero(
    seeded: RefugiesEmulator,
    operator_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
    opened: list[Engine],
) -> None:
    clock = FakeClock()
    tools = Tools(sleep=clock.sleep, monotonic=clock)
    assert main(["fiches"], tools) == EXIT_OK
    capsys.readouterr()
    repository = _mirror(operator_env["DATABASE_URL"], opened)
    kept = repository.all(include_ours=True)
    clock.waits.clear()
    seeded.fail_after(4)
    assert main(["fiches"], tools) == EXIT_FAILED
    captured = capsys.readouterr()
    [line] = captured.err.strip().splitlines()
    assert "failed: GET /dispositifs/" in line
    assert "500 Internal Server Error (server error)" in line
    assert "the previous mirror is kept (5 fiches" in line
    assert repository.all(include_ours=True) == kept
    # Paced at four a second, and retried three times with backoff before giving up.
    assert [s for s in clock.waits if s != 0.25] == [1.0, 2.0, 4.0]
    assert clock.waits.count(0.25) == 4


def test_the_site_secret_is_required_before_any_request(
    seeded: RefugiesEmulator,
    operator_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("REFUGIES_INFO_SITE_SECRET")
    assert main(["fiches"]) == EXIT_CONFIG
    assert "REFUGIES_INFO_SITE_SECRET" in capsys.readouterr().err
    assert seeded.requests == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("FICHES_COUNTY", "Côte-d'Or (21)", "FICHES_COUNTY"),
        ("FICHES_SCHEDULE", "every day", "FICHES_SCHEDULE 'every day' is not a valid cron"),
    ],
)
def test_malformed_fiches_settings_are_configuration_errors(
    seeded: RefugiesEmulator,
    operator_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["schedule"]) == EXIT_CONFIG
    assert message in capsys.readouterr().err
    assert seeded.requests == []


def test_another_county_is_mirrored_when_asked(
    seeded: RefugiesEmulator,
    operator_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("FICHES_COUNTY", "75 - Paris")  # the platform's form is accepted
    clock = FakeClock()
    assert main(["fiches"], Tools(sleep=clock.sleep, monotonic=clock)) == EXIT_OK
    out = capsys.readouterr().out
    assert "refugies.info fiches Paris " in out
    listed = seeded.calls_to("GET /dispositifs/getContentsForApp")
    assert [call.path for call in listed] == ["/dispositifs/getContentsForApp"]
    # Paris's own fiche, and the national and online ones; not Côte-d'Or's.
    assert "3 fiches (fr 3," in out


def test_status_says_where_the_mirror_stands(
    seeded: RefugiesEmulator, operator_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status"]) == EXIT_OK
    assert "fiches of Côte-d'Or: 0 mirrored, no run yet" in capsys.readouterr().out
    clock = FakeClock()
    assert main(["fiches"], Tools(sleep=clock.sleep, monotonic=clock)) == EXIT_OK
    seeded.fail_after(0)
    assert main(["fiches"], Tools(sleep=clock.sleep, monotonic=clock)) == EXIT_FAILED
    capsys.readouterr()
    assert main(["status"]) == EXIT_OK
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.startswith("fiches of Côte-d'Or: 5 mirrored, last complete run 20")
    assert "failed: GET /dispositifs/getContentsForApp: 500" in line

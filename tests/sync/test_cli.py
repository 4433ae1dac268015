"""`python -m sync` as an operator uses it: acceptance scenarios, config errors, export, login."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from sync.cli import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, Tools, main
from sync.fiches import build_fiche
from sync.programme import Programme
from sync.themes import resolve_themes
from tests.sync.conftest import Operator, Waits, run_cli, sync_env
from tests.sync.refugies_emulator import ACTIVE, WAITING_ADMIN, RefugiesEmulator, new_id


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
def operator_env(
    refugies: RefugiesEmulator,
    operator: Operator,
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    """The operator's environment, set for in-process `main()` calls (no .env read)."""
    env = sync_env(refugies, operator, sqlite_url)
    for key in list(env):
        if key.startswith(("REFUGIES_", "DATABASE_", "SYNC_", "BOT_")):
            monkeypatch.setenv(key, env[key])
    monkeypatch.chdir(tmp_path)
    return env


def _secrets_absent(operator: Operator, *outputs: str) -> None:
    for output in outputs:
        assert operator.user.token not in output
        assert "site-secret-of-the-loopback-emulator" not in output


def test_acceptance_runs_then_moderation_then_status(
    refugies: RefugiesEmulator, operator: Operator, database_url: str, tmp_path: Path
) -> None:
    env = sync_env(refugies, operator, database_url)

    first = run_cli(["-v", "run", "--period-ended-ok"], env, tmp_path)
    assert first.returncode == EXIT_OK, first.stdout + first.stderr
    fiches = refugies.fiches_of(operator.structure_id)
    assert len(fiches) == 4
    assert {fiche.main["status"] for fiche in fiches} == {WAITING_ADMIN}
    assert all(f.main["metadatas"]["location"] == ["21 - Côte-d'Or"] for f in fiches)
    assert "4 created" in first.stdout
    assert "4 submitted" in first.stdout
    assert "POST /dispositifs -> 200" in first.stderr  # -v logs requests, never secrets
    writes = len(refugies.write_calls)

    second = run_cli(["run", "--period-ended-ok"], env, tmp_path)
    assert second.returncode == EXIT_OK, second.stdout + second.stderr
    assert len(refugies.write_calls) == writes
    assert "; 0 write calls" in second.stdout

    for fiche in fiches:
        refugies.moderate(fiche.id, ACTIVE)
    third = run_cli(["run", "--period-ended-ok"], env, tmp_path)
    assert third.returncode == EXIT_OK
    assert len(refugies.write_calls) == writes

    status = run_cli(["status"], env, tmp_path)
    assert status.returncode == EXIT_OK
    live = [line for line in status.stdout.splitlines() if "live (Actif)" in line]
    assert len(live) == 4
    for fiche in fiches:
        assert f"https://refugies.info/fr/dispositif/{fiche.id}" in status.stdout
    _secrets_absent(operator, *(p.stdout + p.stderr for p in (first, second, third, status)))


@dataclass(frozen=True)
class Finished:
    refugies: RefugiesEmulator
    operator: Operator
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def one_shot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Finished]]:
    """Three independent `python -m sync` invocations, started together to save time.

    plan: nothing configured wrongly; wrong-secret: an outdated site secret;
    no-token: REFUGIES_INFO_TOKEN unset. Each has its own emulator and database.
    """
    scenarios = {
        "plan": ["plan"],
        "wrong-secret": ["run", "--period-ended-ok"],
        "no-token": ["run", "--period-ended-ok"],
    }
    with ExitStack() as stack:
        started = {}
        for name, args in scenarios.items():
            refugies = stack.enter_context(RefugiesEmulator())
            structure = refugies.add_structure("CESAM")
            operator = Operator(
                structure, refugies.add_user("a@cesam.example", member_of=structure)
            )
            workdir = tmp_path_factory.mktemp(name)
            env = sync_env(refugies, operator, f"sqlite:///{workdir / 'sync.db'}")
            if name == "wrong-secret":
                env["REFUGIES_INFO_SITE_SECRET"] = "an-old-secret"
            if name == "no-token":
                del env["REFUGIES_INFO_TOKEN"]
            process = subprocess.Popen(
                [sys.executable, "-m", "sync", *args],
                cwd=workdir,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            started[name] = (refugies, operator, process)
        finished = {}
        for name, (refugies, operator, process) in started.items():
            out, err = process.communicate(timeout=60)
            finished[name] = Finished(refugies, operator, process.returncode, out, err)
        yield finished


def test_plan_shows_what_would_happen_and_writes_nothing(one_shot: dict[str, Finished]) -> None:
    plan = one_shot["plan"]
    assert plan.returncode == EXIT_OK, plan.stderr
    assert plan.stdout.count("create, then submit for moderation") == 4
    assert plan.stdout.startswith("a run would publish nothing: the contract period")
    assert "ended on 2024-10-15" in plan.stdout
    assert "with --period-ended-ok, a run would:" in plan.stdout
    assert plan.refugies.write_calls == []
    assert plan.refugies.calls_to("GET /dispositifs/user-contributions") != []


def test_a_wrong_site_secret_fails_with_the_servers_reason(one_shot: dict[str, Finished]) -> None:
    result = one_shot["wrong-secret"]
    assert result.returncode == EXIT_FAILED
    assert "401 Request blocked via API" in result.stdout
    assert "error: GET /dispositifs/user-contributions: 401 Request blocked" in result.stderr
    assert result.refugies.write_calls == []
    assert "an-old-secret" not in result.stdout + result.stderr
    _secrets_absent(result.operator, result.stdout + result.stderr)


def test_no_token_is_a_configuration_error_before_any_request(
    one_shot: dict[str, Finished],
) -> None:
    result = one_shot["no-token"]
    assert result.returncode == EXIT_CONFIG
    assert "REFUGIES_INFO_TOKEN" in result.stderr
    assert "REFUGIES_INFO_SITE_SECRET" not in result.stderr
    assert result.refugies.requests == []


def test_every_missing_setting_is_named(
    refugies: RefugiesEmulator,
    operator_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name in ("REFUGIES_INFO_TOKEN", "REFUGIES_INFO_SITE_SECRET", "REFUGIES_INFO_STRUCTURE_ID"):
        monkeypatch.delenv(name)
    assert main(["plan"]) == EXIT_CONFIG
    err = capsys.readouterr().err
    for name in ("REFUGIES_INFO_TOKEN", "REFUGIES_INFO_SITE_SECRET", "REFUGIES_INFO_STRUCTURE_ID"):
        assert name in err
    assert refugies.requests == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("REFUGIES_INFO_STRUCTURE_ID", "CESAM", "24-character"),
        ("REFUGIES_INFO_TOKEN", "Bearer abc", "without 'Bearer '"),
        ("SYNC_SCHEDULE", "every morning", "SYNC_SCHEDULE"),
    ],
)
def test_malformed_settings_are_configuration_errors(
    refugies: RefugiesEmulator,
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
    assert refugies.requests == []


def test_a_broken_programme_is_a_configuration_error(
    operator_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "programme.yaml"
    broken.write_text("actions: []\n", encoding="utf-8")
    assert main(["--programme", str(broken), "run"]) == EXIT_CONFIG
    assert "programme.yaml" in capsys.readouterr().err


def test_one_500_on_the_first_create_still_makes_exactly_four_fiches(
    refugies: RefugiesEmulator,
    operator: Operator,
    operator_env: dict[str, str],
    waits: Waits,
    capsys: pytest.CaptureFixture[str],
) -> None:
    refugies.fail_next("POST /dispositifs")
    assert main(["run", "--period-ended-ok"], Tools(sleep=waits)) == EXIT_OK
    assert len(refugies.fiches_of(operator.structure_id)) == 4
    assert waits.seconds == [1.0]
    assert "4 created" in capsys.readouterr().out


def test_an_ended_contract_period_is_published_only_when_told(
    refugies: RefugiesEmulator,
    operator: Operator,
    operator_env: dict[str, str],
    waits: Waits,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run"], Tools(sleep=waits)) == EXIT_CONFIG
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "not published: the contract period in the programme ended on 2024-10-15" in (
        captured.err
    )
    assert "--period-ended-ok" in captured.err
    assert refugies.requests == []

    assert main(["run", "--period-ended-ok"], Tools(sleep=waits)) == EXIT_OK
    out = capsys.readouterr().out
    assert "4 created" in out
    assert "published all the same, as asked (--period-ended-ok)" in out


def test_status_before_any_run(
    operator_env: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["status"]) == EXIT_OK
    out = capsys.readouterr().out
    assert out.count("not published yet") == 4


def test_export_writes_the_exact_payloads_and_a_summary_offline(
    refugies: RefugiesEmulator,
    operator: Operator,
    programme: Programme,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("REFUGIES_INFO_TOKEN", "REFUGIES_INFO_SITE_SECRET", "REFUGIES_INFO_API_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("REFUGIES_INFO_STRUCTURE_ID", operator.structure_id)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'unused.db'}")
    out_dir = tmp_path / "export"

    assert main(["export", str(out_dir)]) == EXIT_OK
    theme_ids = resolve_themes(programme.themes, None).ids
    for action in programme.actions:
        path = out_dir / f"fiche-{action.fiche}-{action.key}.json"
        expected = build_fiche(
            programme, action, structure_id=operator.structure_id, theme_ids=theme_ids
        ).to_json()
        assert json.loads(path.read_text(encoding="utf-8")) == expected
    summary = (out_dir / "README.md").read_text(encoding="utf-8")
    for action in programme.actions:
        assert action.listing.titre_informatif in summary
    assert "Prix : non précisé" in summary  # no price without a recorded source
    assert "21 - Côte-d'Or" in summary
    assert str(out_dir / "README.md") in capsys.readouterr().out
    assert refugies.requests == []


def test_login_with_the_emailed_code_prints_the_token_once(
    refugies: RefugiesEmulator,
    operator: Operator,
    operator_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("REFUGIES_INFO_TOKEN")
    answers = iter(["ensemble@cesam.example", "000000", "resend", "CODE"])

    def ask(prompt: str) -> str:
        answer = next(answers)
        return refugies.last_code_for(operator.user.email) if answer == "CODE" else answer

    tools = Tools(ask=ask, ask_secret=lambda prompt: operator.user.password)
    assert main(["login"], tools) == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out == operator.user.token + "\n"
    assert "sent a code to ensemble@cesam.example" in captured.err
    assert "wrong code" in captured.err
    assert operator.user.token not in captured.err
    assert len(refugies.emails) == 2  # the first code, then the one asked again


def test_login_with_a_wrong_password_fails(
    refugies: RefugiesEmulator,
    operator: Operator,
    operator_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    tools = Tools(ask=lambda prompt: operator.user.email, ask_secret=lambda prompt: "guess")
    assert main(["login"], tools) == EXIT_FAILED
    captured = capsys.readouterr()
    assert "wrong email or password" in captured.err
    assert captured.out == ""


def test_login_without_2fa_and_without_site_secret(
    refugies: RefugiesEmulator,
    operator_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    translator = refugies.add_user("trad@example.org", "mot de passe")
    tools = Tools(ask=lambda prompt: translator.email, ask_secret=lambda prompt: "mot de passe")
    assert main(["login"], tools) == EXIT_OK
    assert capsys.readouterr().out == translator.token + "\n"

    monkeypatch.delenv("REFUGIES_INFO_SITE_SECRET")
    requests_before = len(refugies.requests)
    assert main(["login"], tools) == EXIT_CONFIG
    assert "REFUGIES_INFO_SITE_SECRET" in capsys.readouterr().err
    assert len(refugies.requests) == requests_before


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("not-a-token", "500 Not enough or too many segments"),
        ("unknown-user", "403 No user found"),
    ],
)
def test_a_token_the_platform_rejects_stops_the_run_naming_it(
    refugies: RefugiesEmulator,
    operator_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    waits: Waits,
    capsys: pytest.CaptureFixture[str],
    token: str,
    reason: str,
) -> None:
    # A malformed token is a 500 on the platform; a well-formed one of no user, a 403.
    value = refugies.sign_token(new_id()) if token == "unknown-user" else token
    monkeypatch.setenv("REFUGIES_INFO_TOKEN", value)
    assert main(["run", "--period-ended-ok"], Tools(sleep=waits)) == EXIT_FAILED
    err = capsys.readouterr().err
    assert reason in err
    assert "check REFUGIES_INFO_TOKEN" in err
    assert waits.seconds == []
    assert len(refugies.calls_to("GET /dispositifs/user-contributions")) == 1
    assert refugies.calls_to("GET /dispositifs/{id}") == []
    assert refugies.write_calls == []


def test_login_with_an_unknown_email_says_so(
    refugies: RefugiesEmulator,
    operator_env: dict[str, str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    tools = Tools(ask=lambda prompt: "personne@example.org", ask_secret=lambda prompt: "x")
    assert main(["login"], tools) == EXIT_FAILED
    captured = capsys.readouterr()
    assert "refugies.info has no account for personne@example.org" in captured.err
    assert captured.out == ""

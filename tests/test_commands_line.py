"""What an operator or a new user runs: `python -m bot` and `python -m bot demo`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.i18n import RLM, Catalogs
from tests.conftest import ROOT

ARABIC_HELLO = (
    Catalogs().translator("ar").gettext("Bonjour ! Je suis l'assistant d'« Ensemble ! », à Dijon.")
)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}


def test_without_a_token_the_bot_exits_2_naming_the_variable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env={**clean_env(), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN" in lines[0]
    assert result.stdout == ""


def test_migrate_applies_the_schema(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=tmp_path,
        env={**clean_env(), "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "x.db").exists()


def test_the_demo_reads_piped_input_and_presses_numbered_buttons(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env={**clean_env(), "PYTHONPATH": str(ROOT)},
        input="/start\n#3\n#12\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[1] Français  [2] English" in out
    assert "[3] العربية" in out
    # After #3 (Arabic): the greeting in Arabic, bidi marks removed for the terminal.
    assert ARABIC_HELLO in out
    assert RLM not in out
    # #12 is past the menu's buttons: said plainly, no crash.
    assert "(there is no button 12)" in out
    assert out.index("> #3") < out.index(ARABIC_HELLO)
    assert "Traceback" not in result.stderr

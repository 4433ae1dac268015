"""refugies.info's fiches inside the assistant, as people meet them: mirrored by `python -m
sync fiches` from the platform's emulator, then browsed and found by a question in the real
bot process, in the reader's language or in French with a notice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.emulator import BotApiEmulator, ChatMessage
from tests.conftest import BotProcess
from tests.sync.refugies_emulator import SITE_SECRET, RefugiesEmulator
from tests.sync.sample_fiches import SOCIAL_HOUSING, seed_sample_fiches
from tests.test_bot_end_to_end import start_and_pick
from tests.test_workshops import has_button, newest, press_when_shown

AMINA, GUL = 8101, 8102  # reads Arabic; reads Pashto


def mirror(platform: RefugiesEmulator, database_url: str, workdir: Path) -> None:
    """`python -m sync fiches` as the clock process runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REFUGIES_", "DATABASE_"))}
    env.update(
        REFUGIES_INFO_API_URL=platform.base_url,
        REFUGIES_INFO_SITE_SECRET=SITE_SECRET,
        DATABASE_URL=database_url,
    )
    done = subprocess.run(
        [sys.executable, "-m", "sync", "fiches"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def button_data(message: ChatMessage) -> list[str]:
    return [str(b.get("callback_data", "")) for b in message.buttons]


def labels(message: ChatMessage) -> list[str]:
    return [str(b["text"]) for b in message.buttons]


def test_fiches_found_by_browsing_and_by_asking(emulator: BotApiEmulator, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    with RefugiesEmulator() as platform:
        seed_sample_fiches(platform)
        mirror(platform, url, tmp_path)
    bot = BotProcess(emulator, tmp_path, url)
    try:
        emulator.wait_for_polling(timeout=30)

        # Amina browses from the greeting's menu: help near you → housing → the Arabic fiche.
        start_and_pick(emulator, AMINA, "العربية", hint="ar")
        press_when_shown(emulator, AMINA, "pf:themes")
        emulator.wait_until(lambda: has_button(newest(emulator, AMINA), "pf:t:"))
        themes = newest(emulator, AMINA)
        assert any(label.startswith("السكن") for label in labels(themes))
        housing = next(
            i for i, label in enumerate(labels(themes), start=1) if label.startswith("السكن")
        )
        emulator.press(AMINA, themes.message_id, housing)
        press_when_shown(emulator, AMINA, f"pf:f:{SOCIAL_HOUSING}")
        emulator.wait_until(lambda: "طلب سكن اجتماعي" in newest(emulator, AMINA).text)
        page = newest(emulator, AMINA)
        assert any(b.get("url", "").startswith("https://refugies.info/ar/") for b in page.buttons)
        assert "refugies.info" in page.text

        # … and finds it by asking in Arabic, marked as coming from refugies.info.
        emulator.send_message(AMINA, "طلب سكن اجتماعي")
        emulator.wait_until(
            lambda: f"pf:f:{SOCIAL_HOUSING}" in button_data(newest(emulator, AMINA))
        )
        answer = newest(emulator, AMINA)
        fiche_button = button_data(answer).index(f"pf:f:{SOCIAL_HOUSING}")
        assert labels(answer)[fiche_button].endswith("(refugies.info)")
        # Our own entry on the same subject comes before the platform's fiche.
        assert button_data(answer)[0].startswith("entry:")

        # Gul reads Pashto: the fiche has no Pashto translation, so French with a notice.
        start_and_pick(emulator, GUL, "پښتو", hint="ps")
        press_when_shown(emulator, GUL, "pf:themes")
        emulator.wait_until(lambda: has_button(newest(emulator, GUL), "pf:t:"))
        themes = newest(emulator, GUL)
        housing_theme = next(d for d in button_data(themes) if d == "pf:t:63286a015d31b2c0cad9960c")
        emulator.press(GUL, themes.message_id, button_data(themes).index(housing_theme) + 1)
        press_when_shown(emulator, GUL, f"pf:f:{SOCIAL_HOUSING}")
        emulator.wait_until(lambda: "Demander un logement social" in newest(emulator, GUL).text)
        page = newest(emulator, GUL)
        assert "ℹ️" in page.text  # the « not yet translated » notice
        assert any(b.get("url", "").startswith("https://refugies.info/fr/") for b in page.buttons)
        assert emulator.rejected_calls() == []
        assert emulator.unanswered_callbacks() == []
    finally:
        bot.stop()

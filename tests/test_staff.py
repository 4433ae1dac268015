"""Staff in Telegram (`/staff`), through the real bot process and the Bot API emulator: a
session created in the chat, its link and QR code, seats changed (never silently below the
people registered), attendance, CSV export, cancelling — and nothing of it for anyone else,
whatever button data they forge."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.emulator import BotApiEmulator, ChatMessage
from tests.conftest import BotProcess
from tests.test_bot_end_to_end import start_and_pick
from tests.test_workshops import (
    button,
    documents,
    has_button,
    newest,
    register,
    sessions_command,
)

STAFF, AMINA, KARIM, OLENA, MALLORY = 7001, 7101, 7102, 7103, 7666


def shown(emulator: BotApiEmulator, person: int) -> str:
    """The person's newest message (files aside) as read: without the bidi isolation marks."""
    texts = [m for m in emulator.bot_messages(person) if m.document is None]
    return texts[-1].text.translate(str.maketrans("", "", "\u2068\u2069\u200f"))


def ticket(emulator: BotApiEmulator, person: int) -> str | None:
    """The registration number the person's session page shows (once registered)."""
    for message in emulator.bot_messages(person):
        if "🎫" in message.text:
            return "".join(ch for ch in message.text.split("🎫")[1].split("\n")[0] if ch.isdigit())
    return None


def callback_data(message: ChatMessage) -> list[str]:
    return [str(b.get("callback_data", "")) for b in message.buttons]


def session_of(message: ChatMessage) -> int:
    """The session a staff page is about (from its « Lien et QR code » button)."""
    data = next(d for d in callback_data(message) if d.startswith("st:qr:"))
    return int(data.removeprefix("st:qr:"))


def staff_presses(emulator: BotApiEmulator, prefix: str) -> None:
    """Press a button of the staff's newest message with buttons (files come after it)."""

    def offered() -> bool:
        latest = emulator.latest_with_buttons(STAFF)
        return latest is not None and has_button(latest, prefix)

    emulator.wait_until(offered)
    latest = emulator.latest_with_buttons(STAFF)
    assert latest is not None
    emulator.press(STAFF, latest.message_id, button(latest, prefix))


def listed(emulator: BotApiEmulator, tmp_path: Path, url: str) -> dict[str, object]:
    (session,) = json.loads(sessions_command(emulator, tmp_path, url, "list", "--json").stdout)
    assert isinstance(session, dict)
    return session


def test_staff_run_a_session_from_telegram(emulator: BotApiEmulator, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    bot = BotProcess(emulator, tmp_path, url, BOT_ADMIN_IDS=str(STAFF))
    try:
        emulator.wait_for_polling(timeout=30)
        start_and_pick(emulator, STAFF, "Français", hint="fr")

        # A new session: workshop, place, then the moment and the seats typed in one line.
        emulator.send_message(STAFF, "/staff")
        emulator.wait_until(lambda: "Espace équipe" in shown(emulator, STAFF))
        staff_presses(emulator, "st:new")
        staff_presses(emulator, "st:new:w:logement")
        staff_presses(emulator, "st:new:p:cesam")
        day = (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=3)).strftime("%d/%m/%Y")
        emulator.send_message(STAFF, "demain vers 14h")  # not understood: asked again
        emulator.wait_until(lambda: "Je n'ai pas compris" in shown(emulator, STAFF))
        emulator.send_message(STAFF, f"{day} 14:00-16:00 2")
        emulator.wait_until(lambda: has_button(newest(emulator, STAFF), "st:new:ok"))
        assert "2 places" in shown(emulator, STAFF)
        staff_presses(emulator, "st:new:ok")
        emulator.wait_until(lambda: "Séance créée" in shown(emulator, STAFF))
        session_id = session_of(newest(emulator, STAFF))
        session = listed(emulator, tmp_path, url)
        assert (session["id"], session["capacity"], session["place"]) == (session_id, 2, "cesam")
        assert str(session["starts_at"]).endswith(":00:00+00:00")

        # The link and a QR code for posters.
        staff_presses(emulator, "st:qr:")
        emulator.wait_until(lambda: len(documents(emulator, STAFF)) == 1)
        qr = documents(emulator, STAFF)[0]
        assert qr.document is not None
        assert qr.document["file_name"] == f"seance-{session_id}-qr.png"
        assert qr.document["content"].startswith(b"\x89PNG\r\n\x1a\n")
        link = f"https://t.me/{emulator.username}?start=s{session_id}"
        assert link in qr.text

        # Three people come by the link: two seats, one waiting.
        for person in (AMINA, KARIM, OLENA):
            start_and_pick(emulator, person, "English", hint="en")
            emulator.send_message(person, f"/start s{session_id}")
            register(emulator, person)
            emulator.wait_until(lambda p=person: ticket(emulator, p) is not None)
        session = listed(emulator, tmp_path, url)
        assert (session["registered"], session["waiting"]) == (2, 1)

        # The staff page lists them by number.
        emulator.send_message(STAFF, "/staff")
        emulator.wait_until(lambda: has_button(newest(emulator, STAFF), f"st:s:{session_id}"))
        staff_presses(emulator, f"st:s:{session_id}")
        emulator.wait_until(lambda: "Liste d'attente" in shown(emulator, STAFF))
        page = shown(emulator, STAFF)
        assert page.count("N° ") == 3

        # One seat only: the bot says who would go back to the waiting list, and waits.
        staff_presses(emulator, f"st:cap:{session_id}")
        emulator.wait_until(lambda: "Combien de places" in shown(emulator, STAFF))
        emulator.send_message(STAFF, "1")
        emulator.wait_until(lambda: has_button(newest(emulator, STAFF), "st:cap!:"))
        assert "1 personne passerait sur la liste d'attente" in shown(emulator, STAFF)
        assert listed(emulator, tmp_path, url)["capacity"] == 2  # nothing changed yet
        staff_presses(emulator, "st:cap!:")
        emulator.wait_until(lambda: "Nombre de places : 1." in shown(emulator, STAFF))
        emulator.wait_until(lambda: shown(emulator, KARIM).startswith("⏳"))
        assert "1" in shown(emulator, KARIM)
        session = listed(emulator, tmp_path, url)
        assert (session["capacity"], session["registered"], session["waiting"]) == (1, 1, 2)

        # Three seats: both people waiting get one, and are told.
        staff_presses(emulator, f"st:cap:{session_id}")
        emulator.wait_until(lambda: "Combien de places" in shown(emulator, STAFF))
        emulator.send_message(STAFF, "3")
        emulator.wait_until(lambda: "Nombre de places : 3." in shown(emulator, STAFF))
        for person in (KARIM, OLENA):
            emulator.wait_until(
                lambda p=person: any("🎉" in m.text for m in emulator.bot_messages(p))
            )
        session = listed(emulator, tmp_path, url)
        assert (session["registered"], session["waiting"]) == (3, 0)

        # Attendance: Amina came.
        staff_presses(emulator, f"st:att:{session_id}")
        emulator.wait_until(lambda: has_button(newest(emulator, STAFF), "st:t:"))
        toggles = newest(emulator, STAFF)
        first = next(d for d in callback_data(toggles) if d.startswith("st:t:"))
        assert first.endswith(":1")
        emulator.press(STAFF, toggles.message_id, button(toggles, first))
        emulator.wait_until(lambda: newest(emulator, STAFF).buttons[0]["text"].startswith("✅"))
        # A second press of the same (old) button changes nothing more.
        emulator.press_data(STAFF, toggles.message_id, first)
        staff_presses(emulator, f"st:s:{session_id}")
        staff_presses(emulator, f"st:csv:{session_id}")
        emulator.wait_until(lambda: len(documents(emulator, STAFF)) == 2)
        export = documents(emulator, STAFF)[1].document
        assert export is not None
        assert export["file_name"] == f"seance-{session_id}.csv"
        rows = list(csv.DictReader(io.StringIO(export["content"].decode("utf-8-sig"))))
        assert [row["présent"] for row in rows] == ["oui", "non", "non"]
        assert [row["statut"] for row in rows] == ["inscrit"] * 3
        assert rows[0]["numéro d'inscription"] == first.removeprefix("st:t:").split(":")[0]

        # Cancelling the session: everyone is told, in their language.
        staff_presses(emulator, f"st:x:{session_id}")
        staff_presses(emulator, f"st:x!:{session_id}")
        emulator.wait_until(lambda: "Séance annulée" in shown(emulator, STAFF))
        for person in (AMINA, KARIM, OLENA):
            emulator.wait_until(lambda p=person: shown(emulator, p).startswith("❌"))
        assert listed(emulator, tmp_path, url)["cancelled"] is True
        assert emulator.unanswered_callbacks() == []
        # Only the double press was refused: the page it asked for was the one shown.
        assert [c.description for c in emulator.rejected_calls()] == [
            "Bad Request: message is not modified: specified new message content and reply "
            "markup are exactly the same as a current content and reply markup of the message"
        ]
    finally:
        output = bot.stop()
    assert "7101" not in output  # nobody's id in the logs


def test_forged_staff_presses_reveal_nothing(emulator: BotApiEmulator, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    bot = BotProcess(emulator, tmp_path, url, BOT_ADMIN_IDS=str(STAFF))
    try:
        emulator.wait_for_polling(timeout=30)
        added = sessions_command(
            emulator, tmp_path, url, "add", "--workshop", "logement", "--start",
            (datetime.now(ZoneInfo("Europe/Paris")) + timedelta(days=2)).isoformat(),
            "--capacity", "4",
        )  # fmt: skip
        session_id = int(added.stdout.split()[1])
        start_and_pick(emulator, AMINA, "English", hint="en")
        emulator.send_message(AMINA, f"/start s{session_id}")
        register(emulator, AMINA)
        emulator.wait_until(lambda: ticket(emulator, AMINA) is not None)
        number = ticket(emulator, AMINA)

        greeting = start_and_pick(emulator, MALLORY, "English", hint="en")
        before = len(emulator.messages(MALLORY))
        forged = [
            "st:home", f"st:s:{session_id}", f"st:att:{session_id}", f"st:t:{number}:1",
            f"st:csv:{session_id}", "st:csv", f"st:qr:{session_id}", f"st:cap!:{session_id}:1",
            f"st:x!:{session_id}", "st:new", "st:new:w:logement",
        ]  # fmt: skip
        for data in forged:
            emulator.press_data(MALLORY, greeting.message_id, data)
        emulator.send_message(MALLORY, "/staff")
        emulator.wait_for_bot_messages(MALLORY, before)  # /staff: the help, as for any unknown
        emulator.wait_until(lambda: len(emulator.messages(MALLORY)) >= before + 2)
        answers = emulator.callback_answers()
        assert len([a for a in answers if a[1] == "This button is no longer valid."]) >= len(forged)
        after = emulator.bot_messages(MALLORY)
        assert all(m.document is None for m in after)
        assert all(f"N° {number}" not in m.text and "Espace" not in m.text for m in after)
        # The greeting was not edited into a staff page either.
        assert emulator.bot_messages(MALLORY)[1].text == greeting.text
        session = listed(emulator, tmp_path, url)
        assert (session["capacity"], session["cancelled"]) == (4, False)
        assert emulator.unanswered_callbacks() == []
    finally:
        bot.stop()

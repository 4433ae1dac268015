"""Staff records and the indicator report in Telegram (`/staff` → « Suivi et rapport »,
`/report`), through the real bot process and the Bot API emulator: support, housing, a
training, attendance and a co-hosted session recorded in the chat, each in the audit log with
who and what; wrong answers asked again with nothing written; the report as an Excel file
that counts what was recorded — and nothing of it for anyone else, whatever they forge."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.domain.indicators import ReportPeriod
from bot.emulator import BotApiEmulator
from bot.handlers.staff_records import (
    UnreadableAnswerError,
    read_dates,
    read_day,
    read_hours_and_day,
    read_number_and_day,
    read_role,
    report_periods,
)
from bot.storage import (
    SessionRepository,
    StaffRecordRepository,
    UserRepository,
    open_engine,
)
from bot.views.staff_records import period_data, read_period_data
from tests.conftest import BotProcess
from tests.test_bot_end_to_end import start_and_pick
from tests.test_staff import STAFF, callback_data, shown, staff_presses
from tests.test_workshops import documents, has_button, newest

PERSON, MALLORY = 7201, 7666
PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2026, 11, 26)


def registered(url: str) -> tuple[int, int]:
    """A session in two days and PERSON's seat in it: (session id, registration number).

    Written straight to the database (after the bot has migrated it): how people register
    is the workshops' tests' business."""
    engine = open_engine(url)
    try:
        now = datetime.now(UTC)
        UserRepository(engine).seen(PERSON, now)
        sessions = SessionRepository(engine)
        start = now + timedelta(days=2)
        session = sessions.add("logement", start, start + timedelta(hours=2), 6, "cesam", now)
        registration = sessions.register(session.id, PERSON, now)
        assert registration is not None
        return session.id, registration.number
    finally:
        engine.dispose()


def audit_actions(url: str) -> list[str]:
    engine = open_engine(url)
    try:
        return [entry.action for entry in StaffRecordRepository(engine).audit_log(50)]
    finally:
        engine.dispose()


@pytest.fixture
def staff_bot(emulator: BotApiEmulator, tmp_path: Path) -> Iterator[tuple[BotProcess, str]]:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    bot = BotProcess(emulator, tmp_path, url, BOT_ADMIN_IDS=str(STAFF))
    try:
        emulator.wait_for_polling(timeout=30)
    except TimeoutError:
        pytest.fail("the bot never polled:\n" + bot.stop())
    yield bot, url
    if bot.process.poll() is None:
        bot.stop()


def says(emulator: BotApiEmulator, words: str) -> None:
    emulator.wait_until(lambda: words in shown(emulator, STAFF))


def test_staff_record_read_the_log_and_get_the_report(
    emulator: BotApiEmulator, staff_bot: tuple[BotProcess, str]
) -> None:
    bot, url = staff_bot
    session_id, number = registered(url)
    today = datetime.now(PARIS).strftime("%d/%m/%Y")
    start_and_pick(emulator, STAFF, "Français", hint="fr")
    emulator.send_message(STAFF, "/staff")
    says(emulator, "Espace équipe")
    staff_presses(emulator, "sr:home")
    says(emulator, "Suivi et rapport")

    # Fiche 4 support, found by the registration number; wrong answers are asked again.
    staff_presses(emulator, "sr:enrol")
    staff_presses(emulator, "sr:enrol:4")
    says(emulator, "accompagnement vers le logement")
    emulator.send_message(STAFF, "demain")
    says(emulator, "Je n'ai pas compris.")
    assert "Envoyez le numéro d'inscription" in shown(emulator, STAFF)
    emulator.send_message(STAFF, "999999999")
    says(emulator, "Aucune inscription ne porte ce numéro.")
    emulator.send_message(STAFF, f"{number} 01/01/2099")
    says(emulator, "Ce jour n'est pas encore arrivé.")
    emulator.send_message(STAFF, f"N° {number}")
    says(emulator, f"✅ N° {number} : entrée dans l'accompagnement le")

    # The household reached lasting housing today; a second time is refused.
    staff_presses(emulator, "sr:housing")
    says(emulator, "Logement pérenne (fiche 4)")
    emulator.send_message(STAFF, f"{number} {today}")
    says(emulator, f"✅ N° {number} : ménage entré dans un logement pérenne")
    staff_presses(emulator, "sr:housing")
    says(emulator, "Logement pérenne (fiche 4)")
    emulator.send_message(STAFF, f"{number}")
    says(emulator, "C'est déjà enregistré pour cette personne.")
    staff_presses(emulator, "sr:home")  # « Annuler »: the question is dropped

    # A training of a partner structure: name, type, then hours (and day).
    staff_presses(emulator, "sr:training")
    says(emulator, "Envoyez le nom de la structure")
    emulator.send_message(STAFF, "MJC  des Grésilles")
    says(emulator, "Envoyez le type de structure")
    emulator.send_message(STAFF, "association")
    says(emulator, "durée de la formation")
    emulator.send_message(STAFF, "beaucoup")
    says(emulator, "Une durée de plus de 0")
    emulator.send_message(STAFF, "2,5")
    says(emulator, "Formation enregistrée")
    assert "MJC des Grésilles" in shown(emulator, STAFF)

    # Attendance and a volunteer co-hosting, from the session's page.
    emulator.send_message(STAFF, "/staff")
    emulator.wait_until(lambda: has_button(newest(emulator, STAFF), f"st:s:{session_id}"))
    staff_presses(emulator, f"st:s:{session_id}")
    staff_presses(emulator, f"st:att:{session_id}")
    staff_presses(emulator, f"st:t:{number}:1")
    emulator.wait_until(lambda: newest(emulator, STAFF).buttons[0]["text"].startswith("✅"))
    staff_presses(emulator, f"st:s:{session_id}")
    staff_presses(emulator, f"sr:cohost:{session_id}:1")
    says(emulator, "co-animée par un bénévole (fiche 3)")
    assert f"sr:cohost:{session_id}:0" in callback_data(newest(emulator, STAFF))

    # The audit log: each change, who made it and what it was.
    emulator.send_message(STAFF, "/staff")
    says(emulator, "Espace équipe")
    staff_presses(emulator, "sr:home")
    staff_presses(emulator, "sr:log")
    says(emulator, "Journal des modifications")
    log = shown(emulator, STAFF)
    changes = log.split("\n\n")[2:]
    assert len(changes) == 5
    assert all(f"👤 {STAFF}" in change for change in changes)
    assert "séance " + str(session_id) + " co-animée par un bénévole" in changes[0]
    assert f"N° {number}" in changes[1]
    assert f"présente à la séance {session_id}" in changes[1]
    assert "formation de MJC des Grésilles (association), 2,5 h" in changes[2]
    assert "ménage entré dans un logement pérenne" in changes[3]
    assert "entrée en accompagnement vers le logement (fiche 4)" in changes[4]
    assert f"N° {number}" in changes[4]

    # The report of this year, as Excel: fiche 4 counts the person, and the household.
    staff_presses(emulator, "sr:home")
    staff_presses(emulator, "sr:report")
    says(emulator, "Quelle période ?")
    this_year = next(
        d for d in callback_data(newest(emulator, STAFF)) if d.startswith("sr:period:")
    )
    assert this_year.endswith(datetime.now(PARIS).strftime("%Y%m%d"))
    staff_presses(emulator, this_year)
    says(emulator, "quel format ?")
    staff_presses(emulator, "sr:file:")  # Excel comes first
    emulator.wait_until(lambda: len(documents(emulator, STAFF)) == 1)
    report = documents(emulator, STAFF)[0]
    assert report.document is not None
    assert report.document["file_name"].endswith(".xlsx")
    assert report.document["file_name"].startswith("indicateurs-ctai-")
    book = load_workbook(io.BytesIO(report.document["content"]))
    rows = [row for row in book["Fiche 4"].iter_rows(values_only=True) if row[0]]
    beneficiaries = next(r for r in rows if str(r[0]).startswith("Nombre total d'étrangers"))
    assert beneficiaries[1:3] == (60, 1)
    housed = next(r for r in rows if str(r[0]).startswith("Nombre de ménages"))
    assert housed[2] == 1
    trained = [r for r in book["Fiche 2"].iter_rows(values_only=True) if r[0]]
    assert next(r for r in trained if str(r[0]).startswith("Nombre d'heures"))[2] == 2.5

    # `/report` opens the same choice, typed dates too.
    emulator.send_message(STAFF, "/report")
    emulator.wait_until(lambda: "Quelle période ?" in newest(emulator, STAFF).text)
    staff_presses(emulator, "sr:dates")
    emulator.send_message(STAFF, "31/12/2024 01/01/2024")
    says(emulator, "La première date ne peut pas venir après la seconde.")
    emulator.send_message(STAFF, "01/01/2024 31/12/2024")
    says(emulator, "quel format ?")
    assert "sr:file:20240101-20241231:csv" in callback_data(newest(emulator, STAFF))

    # A volunteer role (fiche 3), then its end, today.
    staff_presses(emulator, "sr:report")
    staff_presses(emulator, "sr:home")
    staff_presses(emulator, "sr:role")
    emulator.send_message(STAFF, f"{number} {today} accueil des familles")
    says(emulator, "rôle « accueil des familles »")
    staff_presses(emulator, "sr:role-end")
    emulator.send_message(STAFF, "999999999")
    says(emulator, "Aucune inscription ne porte ce numéro.")
    emulator.send_message(STAFF, f"{number}")
    says(emulator, "lequel se termine ?")
    staff_presses(emulator, "sr:role-end:")
    says(emulator, "Envoyez le dernier jour du rôle")
    staff_presses(emulator, "sr:role-end!:")
    says(emulator, "Rôle de bénévole « accueil des familles » terminé le")
    staff_presses(emulator, "sr:role-end")
    emulator.send_message(STAFF, f"{number}")
    says(emulator, f"N° {number} n'a aucun rôle de bénévole en cours.")

    # Nothing was written for the answers that were refused; the report taken out is noted.
    assert audit_actions(url) == [
        "end_volunteer_role",
        "volunteer_role",
        "report",
        "cohosted",
        "attendance",
        "training",
        "housing",
        "enrol",
    ]
    assert emulator.unanswered_callbacks() == []
    output = bot.stop()
    assert str(PERSON) not in output  # nobody's id in the logs
    assert "Grésilles" not in output


def test_forged_records_presses_and_report_reveal_nothing(
    emulator: BotApiEmulator, staff_bot: tuple[BotProcess, str]
) -> None:
    _, url = staff_bot
    session_id, number = registered(url)
    greeting = start_and_pick(emulator, MALLORY, "English", hint="en")
    before = len(emulator.messages(MALLORY))
    forged = [
        "sr:home", "sr:enrol", "sr:enrol:4", "sr:end", "sr:end:1", "sr:housing", "sr:role",
        "sr:role-end", "sr:role-end:1", "sr:role-end!:1", "sr:training",
        f"sr:cohost:{session_id}:1", "sr:log", "sr:report", "sr:dates",
        "sr:period:20260101-20261126", "sr:file:20260101-20261126:xlsx",
        "sr:file:20231015-20241015:csv", "sr:file:20231015-20241015:md", "sr:unknown",
    ]  # fmt: skip
    for data in forged:
        emulator.press_data(MALLORY, greeting.message_id, data)
    emulator.send_message(MALLORY, "/report")
    emulator.wait_until(lambda: len(emulator.messages(MALLORY)) >= before + 2)  # the help
    # As if a question had been asked (it was not): a question to the knowledge base.
    emulator.send_message(MALLORY, f"{number} 01/01/2026")
    emulator.wait_until(lambda: len(emulator.messages(MALLORY)) >= before + 4)
    answers = emulator.callback_answers()
    assert len([a for a in answers if a[1] == "This button is no longer valid."]) >= len(forged)
    after = emulator.bot_messages(MALLORY)
    assert all(m.document is None for m in after)
    for message in after:
        assert not any(data.startswith(("sr:", "st:")) for data in callback_data(message))
        assert not any(mark in message.text for mark in ("📋", "📊", "🧾", "N° ", "Suivi"))
    # The greeting was not edited into a staff page either.
    assert next(m for m in after if m.message_id == greeting.message_id).text == greeting.text
    assert audit_actions(url) == []
    assert emulator.unanswered_callbacks() == []


# ---- reading what staff type ------------------------------------------------------------
def test_days_and_numbers_are_read_as_staff_type_them() -> None:
    assert read_day("03/11/2026", TODAY) == date(2026, 11, 3)
    assert read_day("3.11.2026", TODAY) == date(2026, 11, 3)
    assert read_number_and_day("12", TODAY) == (12, TODAY)
    assert read_number_and_day("N° 12 3/11/2026", TODAY) == (12, date(2026, 11, 3))
    assert read_number_and_day("#12", TODAY) == (12, TODAY)
    assert read_role("12 co-animation", TODAY) == (12, TODAY, "co-animation")
    assert read_role("12 02/03/2026 accueil  des  familles", TODAY) == (
        12,
        date(2026, 3, 2),
        "accueil des familles",
    )
    assert read_hours_and_day("2,5 05/11/2026", TODAY) == ("2,5", date(2026, 11, 5))
    assert read_dates("01/01/2026 31/12/2026", TODAY) == ReportPeriod(
        date(2026, 1, 1), date(2026, 12, 31)
    )
    for wrong, what in [
        (lambda: read_day("31/02/2026", TODAY), "format"),
        (lambda: read_day("2026-11-03", TODAY), "format"),
        (lambda: read_day("03/11/1026", TODAY), "format"),
        (lambda: read_day("27/11/2026", TODAY), "future"),
        (lambda: read_number_and_day("douze", TODAY), "format"),
        (lambda: read_number_and_day("12 03/11/2026 de plus", TODAY), "format"),
        (lambda: read_number_and_day("1234567890", TODAY), "format"),
        (lambda: read_role("12", TODAY), "format"),
        (lambda: read_role("12 03/11/2026", TODAY), "format"),
        (lambda: read_dates("01/01/2026", TODAY), "format"),
        (lambda: read_dates("31/12/2026 01/01/2026", TODAY), "order"),
    ]:
        with pytest.raises(UnreadableAnswerError) as raised:
            wrong()
        assert raised.value.what == what


def test_the_report_periods_offered_with_one_press() -> None:
    contract = ReportPeriod(date(2023, 10, 15), date(2024, 10, 15))
    assert report_periods(TODAY, contract) == [
        ("year", ReportPeriod(date(2026, 1, 1), TODAY)),
        ("12-months", ReportPeriod(date(2025, 11, 27), TODAY)),
        ("contract", contract),
    ]
    leap = report_periods(date(2028, 2, 29), contract)[1][1]
    assert leap == ReportPeriod(date(2027, 3, 1), date(2028, 2, 29))
    assert read_period_data(period_data(contract)) == contract
    for forged in ("20241015-20231015", "20261301-20261302", "2026-01-01", "x", ""):
        assert read_period_data(forged) is None

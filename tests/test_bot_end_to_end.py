"""The real `python -m bot` process, driven over HTTP through the Bot API emulator."""

from __future__ import annotations

import itertools
import re
import sqlite3

import pytest

from bot.emulator import BotApiEmulator, ChatMessage
from bot.emulator.entities import parse_html
from bot.i18n import LANGUAGES, RLM, Catalogs, Language
from bot.views import menu as menu_views
from tests.conftest import BotProcess

# Each language's own script, to see that a reply really is in that language.
SCRIPTS = {
    "fr": re.compile(r"Bonjour"),
    "en": re.compile(r"[A-Za-z]{4,}"),
    "ar": re.compile(r"[\u0600-\u06ff]{3,}"),
    "fa": re.compile(r"[\u0600-\u06ff]{3,}"),
    "ps": re.compile(r"[\u0600-\u06ff]{3,}"),
    "ti": re.compile(r"[\u1200-\u137f]{3,}"),
    "ru": re.compile(r"[\u0400-\u04ff]{4,}"),
    "uk": re.compile(r"[\u0400-\u04ff]{4,}"),
}
_user_ids = itertools.count(1000)
CATALOGS = Catalogs()


def expected_text(screen_text: str) -> str:
    return parse_html(screen_text).text


def start_and_pick(emulator: BotApiEmulator, user: int, name: str, hint: str | None) -> ChatMessage:
    """/start, press the button that bears the language's own name; returns the greeting."""
    emulator.send_message(user, "/start", language_code=hint)
    emulator.wait_for_bot_messages(user, 1)
    picker = emulator.bot_messages(user)[0]
    labels = [button["text"] for button in picker.buttons]
    assert sorted(labels) == sorted(language.name for language in LANGUAGES)
    emulator.press(user, picker.message_id, labels.index(name) + 1)
    emulator.wait_for_bot_messages(user, 2)
    return emulator.bot_messages(user)[1]


@pytest.mark.parametrize("language", LANGUAGES, ids=[language.code for language in LANGUAGES])
def test_each_language_greets_in_its_own_script(
    live_bot: tuple[BotApiEmulator, BotProcess], language: Language
) -> None:
    emulator, _ = live_bot
    code = language.code
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, language.name, hint=None)

    t = CATALOGS.translator(code)
    assert greeting.text == expected_text(menu_views.greeting(t).text)
    assert SCRIPTS[code].search(greeting.text)
    if code != "fr":
        french = expected_text(menu_views.greeting(CATALOGS.translator("fr")).text)
        assert greeting.text != french
    assert len(greeting.buttons) == 6
    if language.rtl:
        assert greeting.text.startswith(RLM)
        assert all(message.text.startswith(RLM) for message in emulator.bot_messages(user))
    # The picker became a confirmation without buttons, in the chosen language.
    picker = emulator.bot_messages(user)[0]
    assert picker.buttons == []
    assert language.name in picker.text
    assert emulator.unanswered_callbacks() == []
    assert [call for call in emulator.rejected_calls()] == []


def test_the_guess_from_telegram_comes_first_but_the_choice_wins(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    emulator.send_message(user, "/start", language_code="uk-UA")
    emulator.wait_for_bot_messages(user, 1)
    picker = emulator.bot_messages(user)[0]
    assert picker.buttons[0]["text"] == "Українська"
    assert re.search(r"[\u0400-\u04ff]", picker.text)

    emulator.press(
        user, picker.message_id, [b["text"] for b in picker.buttons].index("English") + 1
    )
    emulator.wait_for_bot_messages(user, 2)
    # Telegram still says Ukrainian; the stored choice (English) is what counts.
    emulator.send_message(user, "what?", language_code="uk-UA")
    emulator.wait_for_bot_messages(user, 3)
    reply = emulator.bot_messages(user)[2]
    assert reply.text == expected_text(menu_views.not_understood(CATALOGS.translator("en")).text)

    emulator.send_message(user, "/language", language_code="uk-UA")
    emulator.wait_for_bot_messages(user, 4)
    assert emulator.bot_messages(user)[3].buttons[0]["text"] == "English"


def test_commands_and_descriptions_are_registered_per_language(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    codes = [language.code for language in LANGUAGES]
    emulator.wait_until(
        lambda: (
            all(emulator.short_description(code) for code in codes)
            and bool(emulator.short_description(""))
        ),
        timeout=20,
    )
    for code in codes:
        t = CATALOGS.translator(code)
        commands = emulator.commands("default", code)
        assert [c["command"] for c in commands] == ["start", "menu", "language", "help"]
        assert commands[1]["description"] == t.gettext("Menu principal")
        assert emulator.description(code)
        if t.language.rtl:
            assert emulator.description(code).startswith(RLM)
    assert emulator.commands("default", "") == emulator.commands("default", "fr")


@pytest.mark.parametrize("code", ["ps", "ti"])
def test_languages_without_a_telegram_interface_get_commands_in_their_chat(
    live_bot: tuple[BotApiEmulator, BotProcess], code: str
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    name = next(language.name for language in LANGUAGES if language.code == code)
    start_and_pick(emulator, user, name, hint="en")
    emulator.wait_until(lambda: bool(emulator.commands(f"chat:{user}")))
    menu_command = emulator.commands(f"chat:{user}")[1]
    assert menu_command["description"] == CATALOGS.translator(code).gettext("Menu principal")


def test_menu_sections_and_back(live_bot: tuple[BotApiEmulator, BotProcess]) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, "English", hint="en")
    emulator.press(user, greeting.message_id, 2)  # Housing
    emulator.wait_until(lambda: emulator.bot_messages(user)[1].buttons != greeting.buttons)
    page = emulator.bot_messages(user)[1]
    assert "Housing" in page.text or "housing" in page.text
    assert len(page.buttons) == 1
    emulator.press(user, page.message_id, 1)  # back to the menu
    emulator.wait_until(lambda: len(emulator.bot_messages(user)[1].buttons) == 6)
    assert emulator.unanswered_callbacks() == []


def test_a_person_sees_and_deletes_their_data(live_bot: tuple[BotApiEmulator, BotProcess]) -> None:
    emulator, bot = live_bot
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, "Français", hint="fr")
    emulator.press(user, greeting.message_id, 5)  # Mes données
    emulator.wait_until(lambda: str(user) in emulator.bot_messages(user)[1].text)
    emulator.press(user, greeting.message_id, 1)  # Effacer mes données
    emulator.wait_until(lambda: "vraiment" in emulator.bot_messages(user)[1].text)
    emulator.press(user, greeting.message_id, 1)  # Oui, effacer
    emulator.wait_until(lambda: "effacé" in emulator.bot_messages(user)[1].text)

    database = bot.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT 1 FROM users WHERE telegram_id = ?", (user,)).fetchall()
    assert rows == []
    emulator.wait_until(lambda: emulator.commands(f"chat:{user}") == [])


def test_a_forged_button_is_answered_and_does_nothing(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, "English", hint="en")
    before = emulator.bot_messages(user)
    emulator.press_data(user, greeting.message_id, "staff:export-everything")
    emulator.press_data(user, greeting.message_id, "lang:xx")
    emulator.wait_until(lambda: emulator.unanswered_callbacks() == [])
    assert emulator.bot_messages(user) == before
    assert emulator.callback_answers()[-1][1] == "This button is no longer valid."


def test_a_flood_limit_is_waited_out(live_bot: tuple[BotApiEmulator, BotProcess]) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    start_and_pick(emulator, user, "English", hint="en")
    emulator.fail_next("sendMessage", retry_after=1)
    emulator.send_message(user, "/help")
    emulator.wait_for_bot_messages(user, 3)
    assert "/language" in emulator.bot_messages(user)[2].text
    refused = [call for call in emulator.rejected_calls() if call.method == "sendMessage"]
    assert [call.description for call in refused] == ["Too Many Requests: retry after 1"]

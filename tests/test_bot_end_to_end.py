"""The real `python -m bot` process, driven over HTTP through the Bot API emulator."""

from __future__ import annotations

import itertools
import re
import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bot.domain.guidance import Guidance
from bot.emulator import BotApiEmulator, ChatMessage
from bot.emulator.entities import parse_html
from bot.emulator.launch import bot_environment
from bot.emulator.server import Call
from bot.i18n import LANGUAGES, RLM, Catalogs, Language
from bot.knowledge import load_knowledge_base
from bot.views import guidance as guidance_views
from bot.views import menu as menu_views
from tests.conftest import TOKEN, BotProcess
from tests.knowledge.test_search_quality import housing_entries

# Each language's own script, to see that a reply really is in that language.
SCRIPTS = {
    "fr": re.compile(r"Bonjour"),
    "en": re.compile(r"Hello"),
    "ar": re.compile(r"[\u0600-\u06ff]{3,}"),
    "fa": re.compile(r"[\u0600-\u06ff]{3,}"),
    "ps": re.compile(r"[\u0600-\u06ff]{3,}"),
    "ti": re.compile(r"[\u1200-\u137f]{3,}"),
    "ru": re.compile(r"[\u0400-\u04ff]{4,}"),
    "uk": re.compile(r"[\u0400-\u04ff]{4,}"),
}
_user_ids = itertools.count(1000)
CATALOGS = Catalogs()
BASE = load_knowledge_base(date(2026, 11, 26))
FRENCH_GREETING = parse_html(menu_views.greeting(CATALOGS.translator("fr"), BASE).text).text
GUIDANCE = Guidance(BASE, CATALOGS)
MENU_BUTTONS = 10  # emergencies; 4 topics; workshops, help near you, more; my data, language


def plain(screen_text: str) -> str:
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


def settle(emulator: BotApiEmulator, user: int) -> None:
    """Updates are handled in order: once /help is answered, all before it are done."""
    count = len(emulator.bot_messages(user))
    emulator.send_message(user, "/help")
    emulator.wait_for_bot_messages(user, count + 1)


def handled(bot: BotProcess, update_id: int) -> bool:
    """Whether the bot has handled an update (its inbox says so)."""
    database = bot.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT handled_at FROM inbox WHERE update_id = ?", (update_id,)
        ).fetchone()
    return row is not None and row[0] is not None


def about(call: Call, user: int) -> bool:
    scope = call.params.get("scope")
    return call.params.get("chat_id") == user or (
        isinstance(scope, dict) and scope.get("chat_id") == user
    )


def refused(emulator: BotApiEmulator, user: int) -> list[Call]:
    return [call for call in emulator.rejected_calls() if about(call, user)]


@pytest.mark.parametrize("language", LANGUAGES, ids=[language.code for language in LANGUAGES])
def test_each_language_greets_in_its_own_script(
    live_bot: tuple[BotApiEmulator, BotProcess], language: Language
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, language.name, hint=None)
    settle(emulator, user)

    t = CATALOGS.translator(language.code)
    assert greeting.text == plain(menu_views.greeting(t, BASE).text)
    assert SCRIPTS[language.code].search(greeting.text)
    assert (greeting.text == FRENCH_GREETING) == (language.code == "fr")
    assert len(greeting.buttons) == MENU_BUTTONS
    if language.rtl:
        assert all(message.text.startswith(RLM) for message in emulator.bot_messages(user))
    # The picker became a confirmation without buttons, in the chosen language.
    picker = emulator.bot_messages(user)[0]
    assert picker.buttons == []
    assert language.name in picker.text
    assert emulator.unanswered_callbacks() == []
    assert refused(emulator, user) == []


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
    assert reply.text == plain(guidance_views.no_answer(CATALOGS.translator("en"), BASE).text)

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
        assert [c["command"] for c in commands] == [
            "start",
            "menu",
            "language",
            "help",
            "workshops",
            "myworkshops",
            "mydata",
            "profile",
            "forget",
        ]
        assert commands[1]["description"] == t.finish(t.gettext("Menu principal"))
        assert emulator.description(code) == t.finish(
            t.gettext(
                "L'assistant d'« Ensemble ! » (CESAM, Dijon) pour les personnes arrivées en "
                "France : logement, aides de la CAF, droits, démarches et ateliers, dans votre "
                "langue."
            )
        )
    assert emulator.commands("default", "") == emulator.commands("default", "fr")
    assert emulator.description("ar").startswith(RLM)


@pytest.mark.parametrize("code", ["ps", "ti"])
def test_languages_without_a_telegram_interface_get_commands_in_their_chat(
    live_bot: tuple[BotApiEmulator, BotProcess], code: str
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    name = next(language.name for language in LANGUAGES if language.code == code)
    start_and_pick(emulator, user, name, hint="en")
    settle(emulator, user)
    commands = emulator.commands(f"chat:{user}")
    t = CATALOGS.translator(code)
    assert [c["description"] for c in commands][1] == t.finish(t.gettext("Menu principal"))


def test_menu_topic_entry_and_back(live_bot: tuple[BotApiEmulator, BotProcess]) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, "English", hint="en")
    screen = lambda: emulator.bot_messages(user)[1]  # noqa: E731 - edited in place throughout
    emulator.press(user, greeting.message_id, 2)  # Housing
    emulator.wait_until(lambda: screen().text.startswith("🏠 Housing"))
    titles = [button["text"] for button in screen().buttons]
    housing = BASE.topic("logement")
    assert housing is not None
    assert len(titles) == len(housing.entries) + 1
    emulator.press(user, greeting.message_id, 1)  # the first entry: social housing
    t = CATALOGS.translator("en")
    entry = housing.entries[0]
    emulator.wait_until(
        lambda: screen().text == plain(guidance_views.entry_page(t, BASE, entry).text)
    )
    page = screen()
    assert "Source:" in page.text
    assert "service-public.fr" in page.text
    assert any(
        b.get("url", "").startswith("https://www.demande-logement-social.gouv.fr")
        for b in page.buttons
    )
    labels = [button["text"] for button in page.buttons]
    emulator.press(user, page.message_id, labels.index("⬅️ Housing") + 1)
    emulator.wait_until(lambda: [b["text"] for b in screen().buttons] == titles)
    emulator.press(user, page.message_id, len(titles))  # Menu
    emulator.wait_until(lambda: len(screen().buttons) == MENU_BUTTONS)
    settle(emulator, user)
    assert len(emulator.bot_messages(user)) == 3  # picker, the screen edited in place, help
    assert emulator.unanswered_callbacks() == []
    assert refused(emulator, user) == []


def test_a_double_press_is_answered_twice_and_shows_no_error(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, "English", hint="en")
    emulator.press_data(user, greeting.message_id, "topic:logement")
    emulator.press_data(user, greeting.message_id, "topic:logement")
    settle(emulator, user)
    assert emulator.unanswered_callbacks() == []
    # Only Telegram's "not modified" for the second edit; the person sees no error.
    assert [call.method for call in refused(emulator, user)] == ["editMessageText"]
    assert len(emulator.bot_messages(user)) == 3  # picker, page, help


def test_a_person_sees_and_deletes_their_data(live_bot: tuple[BotApiEmulator, BotProcess]) -> None:
    emulator, bot = live_bot
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, "Français", hint="fr")
    emulator.press(user, greeting.message_id, 9)  # Mes données
    emulator.wait_until(lambda: str(user) in emulator.bot_messages(user)[1].text)
    emulator.press(user, greeting.message_id, 2)  # Effacer mes données
    emulator.wait_until(lambda: "vraiment" in emulator.bot_messages(user)[1].text)
    emulator.press(user, greeting.message_id, 1)  # Oui, effacer
    emulator.wait_until(lambda: "effacé" in emulator.bot_messages(user)[1].text)
    emulator.wait_until(lambda: emulator.commands(f"chat:{user}") == [])

    database = bot.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT 1 FROM users WHERE telegram_id = ?", (user,)).fetchall()
    assert rows == []


def test_a_forged_button_is_answered_and_does_nothing(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, "English", hint="en")
    emulator.press_data(user, greeting.message_id, "staff:export-everything")
    emulator.press_data(user, greeting.message_id, "lang:xx")
    settle(emulator, user)
    assert emulator.unanswered_callbacks() == []
    assert len(emulator.bot_messages(user)) == 3  # picker, greeting, help: nothing else
    assert emulator.callback_answers()[-1][1] == "This button is no longer valid."


def test_a_flood_limit_is_waited_out(live_bot: tuple[BotApiEmulator, BotProcess]) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    start_and_pick(emulator, user, "English", hint="en")
    emulator.fail_next("sendMessage", retry_after=1)
    emulator.send_message(user, "/help")
    emulator.wait_for_bot_messages(user, 3)
    assert "/language" in emulator.bot_messages(user)[2].text
    assert [call.description for call in refused(emulator, user)] == [
        "Too Many Requests: retry after 1"
    ]


def test_a_rejected_token_exits_2_without_printing_it(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    wrong = "987654321:revoked-test-token"
    env = bot_environment(emulator, f"sqlite:///{tmp_path / 'bot.db'}")
    env["TELEGRAM_BOT_TOKEN"] = wrong
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr
    assert wrong not in result.stdout + result.stderr
    assert wrong.split(":")[1] not in result.stdout + result.stderr
    assert wrong != TOKEN


def test_the_bot_stays_silent_in_groups_and_stores_no_one(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, bot = live_bot
    bystander, witness = next(_user_ids), next(_user_ids)
    emulator.send_message(bystander, "/start", group_id=-4242)
    last = emulator.send_message(bystander, "hello everyone", group_id=-4242)
    emulator.send_message(witness, "/start")
    settle(emulator, witness)
    # Chats are handled in parallel: wait until the bot is done with the group's updates.
    emulator.wait_until(lambda: handled(bot, last))
    assert emulator.bot_messages(-4242) == []
    assert emulator.commands("chat:-4242") == []
    database = bot.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as connection:
        known = connection.execute("SELECT 1 FROM users WHERE telegram_id = ?", (bystander,))
        assert known.fetchall() == []


def ask(emulator: BotApiEmulator, user: int, question: str) -> ChatMessage:
    count = len(emulator.bot_messages(user))
    emulator.send_message(user, question)
    emulator.wait_for_bot_messages(user, count + 1)
    return emulator.bot_messages(user)[count]


@pytest.mark.parametrize("language", LANGUAGES, ids=[language.code for language in LANGUAGES])
def test_each_language_reads_a_housing_entry_in_its_own_script(
    live_bot: tuple[BotApiEmulator, BotProcess], language: Language
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    greeting = start_and_pick(emulator, user, language.name, hint=None)
    emulator.press(user, greeting.message_id, 2)  # Housing
    emulator.wait_until(
        lambda: emulator.bot_messages(user)[1].text.startswith(RLM + "🏠" if language.rtl else "🏠")
    )
    topic = emulator.bot_messages(user)[1]
    emulator.press(user, greeting.message_id, 1)  # the social-housing entry
    emulator.wait_until(lambda: emulator.bot_messages(user)[1].text != topic.text)
    entry = emulator.bot_messages(user)[1]
    settle(emulator, user)
    t = CATALOGS.translator(language.code)
    social = BASE.entry("logement-social-demande")
    assert social is not None
    assert entry.text == plain(guidance_views.entry_page(t, BASE, social).text)
    french = plain(guidance_views.entry_page(CATALOGS.translator("fr"), BASE, social).text)
    assert (entry.text == french) == (language.code == "fr")
    for screen in (topic, entry):
        if language.code not in ("fr", "en"):  # Latin script: told apart from French above
            assert SCRIPTS[language.code].search(screen.text)
        assert screen.text.startswith(RLM) == language.rtl
    assert refused(emulator, user) == []


def test_a_french_question_finds_the_social_housing_entry(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    start_and_pick(emulator, user, "Français", hint="fr")
    answer = ask(emulator, user, "comment faire une demande de logement social")
    assert answer.text.startswith("🏠 Demander un logement social (HLM)")
    assert refused(emulator, user) == []


def test_someone_sleeping_outside_tonight_gets_115_first(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    start_and_pick(emulator, user, "Français", hint="fr")
    answer = ask(emulator, user, "je n'ai pas de logement ce soir, je dors dehors")
    first_paragraph = answer.text.split("\n\n")[0]
    assert "115" in first_paragraph


def test_an_arabic_word_returns_housing_entries_in_arabic(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    start_and_pick(emulator, user, "العربية", hint="ar")
    answer = ask(emulator, user, "سكن")
    t = CATALOGS.translator("ar")
    hits = GUIDANCE.ask("سكن", "ar")
    found = [entry for hit in hits.hits if (entry := BASE.entry(hit.entry_id))]
    expected = (
        guidance_views.entry_page(t, BASE, found[0], also=found[1:])
        if hits.clear
        else guidance_views.search_results(t, found)
    )
    assert answer.text == plain(expected.text)
    assert {hit.entry_id for hit in hits.hits} <= housing_entries()
    assert expected.keyboard is not None
    assert [b["text"] for b in answer.buttons] == [
        b.text for row in expected.keyboard.inline_keyboard for b in row
    ]
    assert answer.text.startswith(RLM)
    assert SCRIPTS["ar"].search(answer.text)


def test_a_question_nobody_can_answer_gets_a_way_forward(
    live_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = live_bot
    user = next(_user_ids)
    start_and_pick(emulator, user, "English", hint="en")
    answer = ask(emulator, user, "xylophone quantum zebra")
    assert answer.text == plain(guidance_views.no_answer(CATALOGS.translator("en"), BASE).text)
    assert "112" in answer.text
    assert any(b.get("callback_data") == "entry:ensemble-presentation" for b in answer.buttons)


def test_questions_stay_out_of_the_logs(emulator: BotApiEmulator, tmp_path: Path) -> None:
    bot = BotProcess(emulator, tmp_path, f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        emulator.wait_for_polling(timeout=30)
        user = next(_user_ids)
        secret = "ma voisine Zoubida Khaled me menace"
        emulator.send_message(user, secret)
        emulator.wait_for_bot_messages(user, 1)
    finally:
        output = bot.stop()
    assert "Zoubida" not in output

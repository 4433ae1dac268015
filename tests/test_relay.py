"""« Talk to the team », through the real bot process and the Bot API emulator: each person
gets a topic in the staff group, staff replies reach only their person (copies, in order),
and it all survives a restart; strangers in the group reach nobody; opening hours,
emergencies, deleted topics, people who blocked the bot or left; and no trace of the relay
without STAFF_CHAT_ID."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot

from bot.domain.opening_hours import parse_opening_hours
from bot.domain.relay import Relay
from bot.domain.workshops import Workshops
from bot.emulator import BotApiEmulator, ChatMessage
from bot.handlers.relay import person_left
from bot.i18n import Catalogs
from bot.knowledge.workshops import load_catalogue
from bot.storage import RelayRepository, SessionRepository, UserRepository, migrate, open_engine
from bot.views import guidance as guidance_views
from bot.views import menu as menu_views
from bot.views import relay as views
from tests.conftest import ROOT, TOKEN, BotProcess
from tests.test_bot_end_to_end import BASE, handled, plain, start_and_pick
from tests.test_commands_line import clean_env
from tests.test_workshops import button, has_button, newest, press_when_shown

GROUP = -1001500000001
STAFF, MEMBER = 7001, 7002  # both in the group; only STAFF is in BOT_ADMIN_IDS
AMINA, KARIM = 8101, 8102
PARIS = ZoneInfo("Europe/Paris")
CATALOGS = Catalogs()
TEAM = CATALOGS.translator("fr")


@pytest.fixture
def staff_group(emulator: BotApiEmulator) -> int:
    emulator.create_supergroup(GROUP, "Équipe Ensemble !", admins=(STAFF, MEMBER))
    return GROUP


def start_relay_bot(emulator: BotApiEmulator, workdir: Path, **settings: str) -> BotProcess:
    bot = BotProcess(
        emulator,
        workdir,
        f"sqlite:///{workdir / 'bot.db'}",
        BOT_ADMIN_IDS=str(STAFF),
        STAFF_CHAT_ID=str(GROUP),
        **settings,
    )
    try:
        emulator.wait_for_polling(timeout=30)
    except TimeoutError:
        pytest.fail("the bot never polled:\n" + bot.stop())
    return bot


@pytest.fixture
def relay_bot(
    emulator: BotApiEmulator, staff_group: int, tmp_path: Path
) -> Iterator[tuple[BotApiEmulator, BotProcess]]:
    bot = start_relay_bot(emulator, tmp_path)
    yield emulator, bot
    output = bot.stop()
    assert TOKEN.split(":")[1] not in output


def texts(messages: list[ChatMessage]) -> list[str]:
    return [m.text for m in messages]


def in_topic(emulator: BotApiEmulator, thread: int) -> list[ChatMessage]:
    """What the bot put in a topic (staff's own messages aside)."""
    return [m for m in emulator.topic_messages(GROUP, thread) if m.from_bot]


def topic_of(emulator: BotApiEmulator, name: str) -> int:
    """The thread of the topic whose name starts with `name`, once it exists."""
    emulator.wait_until(lambda: any(t.name.startswith(name) for t in emulator.topics(GROUP)))
    return next(t.thread_id for t in emulator.topics(GROUP) if t.name.startswith(name))


def talk(emulator: BotApiEmulator, person: int, name: str, language: str) -> None:
    """Choose a language, then « Talk to the team » in the greeting's menu."""
    greeting = start_and_pick(emulator, person, name, hint=None)
    assert has_button(greeting, "rl:talk")
    emulator.press(person, greeting.message_id, button(greeting, "rl:talk"))
    t = CATALOGS.translator(language)
    emulator.wait_until(
        lambda: newest(emulator, person).text == plain(views.talking(t, None, PARIS).text)
    )


def staff_writes(emulator: BotApiEmulator, thread: int, text: str, user: int = STAFF) -> int:
    return emulator.send_message(user, text, group_id=GROUP, thread_id=thread, first_name="Léa")


def copies(emulator: BotApiEmulator, person: int) -> list[str]:
    """What the person received from staff (copies of the staff group's messages)."""
    staff_texts = {m.text for m in emulator.messages(GROUP) if not m.from_bot}
    return [m.text for m in emulator.bot_messages(person) if m.text in staff_texts]


def test_two_people_two_topics_and_each_reply_reaches_only_its_person(
    relay_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, bot = relay_bot
    talk(emulator, AMINA, "العربية", "ar")
    talk(emulator, KARIM, "Українська", "uk")

    emulator.send_message(
        AMINA, "Bonjour, j'ai une question sur mon dossier CAF", first_name="Amina"
    )
    amina = topic_of(emulator, "#0001 · Amina · ar")
    emulator.send_message(KARIM, "Доброго дня, питання про житло", first_name="Karim")
    karim = topic_of(emulator, "#0002 · Karim · uk")

    # Each topic opens with the card, then the person's message, copied.
    emulator.wait_until(lambda: len(in_topic(emulator, amina)) == 2)
    card, question = in_topic(emulator, amina)
    assert card.text.startswith("📇 #0001")
    assert "العربية (ar)" in card.text
    assert question.text == "Bonjour, j'ai une question sur mon dossier CAF"
    assert question.forward_origin is None
    ar = CATALOGS.translator("ar")
    emulator.wait_until(
        lambda: newest(emulator, AMINA).text == plain(views.sent(ar, None, PARIS).text)
    )

    # A photo from Amina reaches her topic (the same file), with no second confirmation.
    count = len(emulator.bot_messages(AMINA))
    emulator.send_media(AMINA, "photo", first_name="Amina", caption="mon titre de séjour")
    emulator.wait_until(lambda: len(in_topic(emulator, amina)) == 3)
    sent_photo = emulator.messages(AMINA)[-1]
    photo = in_topic(emulator, amina)[-1]
    assert photo.media == sent_photo.media
    assert photo.text == "mon titre de séjour"
    emulator.send_message(AMINA, "/help")
    emulator.wait_for_bot_messages(AMINA, count + 1)
    assert len(emulator.bot_messages(AMINA)) == count + 1  # the help only

    # Staff answer in each topic: copies, in order, to their person only.
    for text in ("Bonjour Amina.", "Venez mardi à 14 h.", "Apportez votre titre de séjour."):
        staff_writes(emulator, amina, text)
    staff_writes(emulator, karim, "Добрий день, Karim.")
    emulator.wait_until(lambda: len(copies(emulator, AMINA)) == 3)
    emulator.wait_until(lambda: len(copies(emulator, KARIM)) == 1)
    assert copies(emulator, AMINA) == [
        "Bonjour Amina.",
        "Venez mardi à 14 h.",
        "Apportez votre titre de séjour.",
    ]
    assert copies(emulator, KARIM) == ["Добрий день, Karim."]
    # A note between staff (« ! ») stays in the group.
    note = staff_writes(emulator, karim, "! à rappeler demain, dossier incomplet")
    emulator.wait_until(lambda: handled(bot, note))
    assert copies(emulator, KARIM) == ["Добрий день, Karim."]
    assert emulator.calls("forwardMessage") == []
    assert all(m.forward_origin is None for m in emulator.bot_messages(AMINA))

    # A group member who is not staff reaches nobody, and the bot says nothing there.
    before_amina, before_topic = len(emulator.messages(AMINA)), len(in_topic(emulator, amina))
    stray = staff_writes(emulator, amina, "Hello from a member", user=MEMBER)
    emulator.wait_until(lambda: handled(bot, stray))
    assert len(emulator.messages(AMINA)) == before_amina
    assert len(in_topic(emulator, amina)) == before_topic
    assert "Hello from a member" not in texts(emulator.messages(KARIM))

    # /close: Amina is told in her language, the topic says so and is closed.
    staff_writes(emulator, amina, "/close")
    emulator.wait_until(lambda: newest(emulator, AMINA).text == plain(views.ended_by_team(ar).text))
    emulator.wait_until(lambda: emulator.topics(GROUP)[0].closed)
    assert in_topic(emulator, amina)[-1].text == plain(views.closed_by_staff(TEAM).text)
    assert "/close" not in copies(emulator, AMINA)

    # Her free text is a question to the assistant again.
    emulator.send_message(AMINA, "logement social", first_name="Amina")
    emulator.wait_until(lambda: "Bonjour" not in newest(emulator, AMINA).text)
    emulator.wait_until(lambda: not has_button(newest(emulator, AMINA), "rl:back"))
    assert len(in_topic(emulator, amina)) == before_topic + 1  # only the closing notice

    # Talking again reopens the same topic.
    press_when_shown(emulator, AMINA, "rl:talk")
    emulator.wait_until(lambda: has_button(newest(emulator, AMINA), "rl:back"))
    emulator.send_message(AMINA, "Merci, une dernière question", first_name="Amina")
    emulator.wait_until(
        lambda: in_topic(emulator, amina)[-1].text == "Merci, une dernière question"
    )
    assert not emulator.topics(GROUP)[0].closed
    assert len(emulator.calls("createForumTopic")) == 2
    assert emulator.rejected_calls() == []
    assert emulator.unanswered_callbacks() == []
    output = bot.stop()
    for private in ("dossier CAF", "житло", "Bonjour Amina", str(AMINA), str(KARIM)):
        assert private not in output


def test_after_a_restart_replies_still_reach_the_person_and_no_topic_is_added(
    emulator: BotApiEmulator, staff_group: int, tmp_path: Path
) -> None:
    bot = start_relay_bot(emulator, tmp_path)
    try:
        talk(emulator, AMINA, "English", "en")
        emulator.send_message(AMINA, "I need help with my rent", first_name="Amina")
        amina = topic_of(emulator, "#0001 · Amina · en")
        emulator.wait_until(lambda: len(in_topic(emulator, amina)) == 2)
    finally:
        bot.stop()

    bot = start_relay_bot(emulator, tmp_path)
    try:
        staff_writes(emulator, amina, "We can help: come on Tuesday.")
        emulator.wait_until(lambda: copies(emulator, AMINA) == ["We can help: come on Tuesday."])
        # Files both ways: a form from staff, a voice note and a document from Amina.
        emulator.send_media(
            STAFF, "document", group_id=GROUP, thread_id=amina, caption="the form", first_name="Léa"
        )
        emulator.wait_until(lambda: newest(emulator, AMINA).media is not None)
        form = newest(emulator, AMINA)
        assert form.media == emulator.topic_messages(GROUP, amina)[-1].media
        assert (form.text, form.forward_origin) == ("the form", None)
        for kind in ("voice", "document"):
            emulator.send_media(AMINA, kind, first_name="Amina")
            emulator.wait_until(
                lambda k=kind: (
                    in_topic(emulator, amina)[-1].media is not None
                    and k in (in_topic(emulator, amina)[-1].media or {})
                )
            )
            assert in_topic(emulator, amina)[-1].media == emulator.messages(AMINA)[-1].media
        emulator.send_message(AMINA, "Thank you!", first_name="Amina")
        emulator.wait_until(lambda: in_topic(emulator, amina)[-1].text == "Thank you!")
        assert len(emulator.calls("createForumTopic")) == 1
        assert len(emulator.topics(GROUP)) == 1
        staff_writes(emulator, amina, "/info")
        emulator.wait_until(lambda: in_topic(emulator, amina)[-1].text.startswith("📇 #0001"))
        assert "English (en)" in in_topic(emulator, amina)[-1].text
    finally:
        bot.stop()


def test_outside_hours_the_person_is_told_when_and_an_emergency_gets_the_numbers_at_once(
    emulator: BotApiEmulator, staff_group: int, tmp_path: Path
) -> None:
    # Open tomorrow only, an hour: the team is away whatever the time of the test.
    tomorrow = datetime.now(PARIS) + timedelta(days=1)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[tomorrow.weekday()]
    hours = f"{day} 09:00-10:00"
    bot = start_relay_bot(emulator, tmp_path, STAFF_HOURS=hours)
    try:
        opening = parse_opening_hours(hours).next_opening(datetime.now(UTC), PARIS)
        assert opening is not None
        fr = CATALOGS.translator("fr")
        greeting = start_and_pick(emulator, AMINA, "Français", hint="fr")
        emulator.press(AMINA, greeting.message_id, button(greeting, "rl:talk"))
        emulator.wait_until(
            lambda: newest(emulator, AMINA).text == plain(views.talking(fr, opening, PARIS).text)
        )
        assert fr.date(opening.astimezone(PARIS).date()) in newest(emulator, AMINA).text
        assert "09:00" in newest(emulator, AMINA).text

        emulator.send_message(AMINA, "Au secours, il me frappe", first_name="Amina")
        amina = topic_of(emulator, "#0001 · Amina · fr")
        sent = plain(views.sent(fr, opening, PARIS).text)
        emulator.wait_until(lambda: any(m.text == sent for m in emulator.bot_messages(AMINA)))
        numbers = {
            plain(guidance_views.entry_page(fr, BASE, entry).text)
            for entry in BASE.entries()
            if entry.emergency
        }
        emulator.wait_until(lambda: newest(emulator, AMINA).text in numbers)
        emulator.wait_until(
            lambda: in_topic(emulator, amina)[-1].text == plain(views.urgent(TEAM).text)
        )
        assert texts(in_topic(emulator, amina))[1] == "Au secours, il me frappe"
    finally:
        bot.stop()


def test_a_deleted_topic_is_opened_again_and_a_blocked_person_is_a_line_for_staff(
    relay_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, _ = relay_bot
    talk(emulator, KARIM, "English", "en")
    emulator.send_message(KARIM, "first question", first_name="Karim")
    first = topic_of(emulator, "#0001 · Karim")
    emulator.wait_until(lambda: len(in_topic(emulator, first)) == 2)
    emulator.delete_topic(GROUP, first)

    emulator.send_message(KARIM, "are you there?", first_name="Karim")
    emulator.wait_until(lambda: len(emulator.topics(GROUP)) == 1)
    second = topic_of(emulator, "#0001 · Karim · en")
    assert second != first
    emulator.wait_until(lambda: len(in_topic(emulator, second)) == 2)
    card, question = in_topic(emulator, second)
    assert card.text.startswith(plain(views.topic_recreated(TEAM)))
    assert question.text == "are you there?"

    emulator.block(KARIM)
    staff_writes(emulator, second, "Yes, we are.")
    blocked = plain(views.blocked(TEAM).text)
    emulator.wait_until(lambda: in_topic(emulator, second)[-1].text == blocked)
    assert [m.text for m in in_topic(emulator, second)].count(blocked) == 1


def test_the_menu_has_the_button_and_a_stranger_in_the_group_stays_unheard(
    relay_bot: tuple[BotApiEmulator, BotProcess],
) -> None:
    emulator, bot = relay_bot
    en = CATALOGS.translator("en")
    greeting = start_and_pick(emulator, AMINA, "English", hint="en")
    assert greeting.text == plain(menu_views.greeting(en, BASE, relay=True).text)
    emulator.send_message(AMINA, "zzzz qqqq")
    emulator.wait_until(
        lambda: (
            newest(emulator, AMINA).text
            == plain(guidance_views.no_answer(en, BASE, relay=True).text)
        )
    )
    assert has_button(newest(emulator, AMINA), "rl:talk")
    # /close, /info and chatter in General from someone not in BOT_ADMIN_IDS: nothing.
    last = 0
    for text in ("/info", "/close", "hello"):
        last = emulator.send_message(MEMBER, text, group_id=GROUP)
    emulator.wait_until(lambda: handled(bot, last))
    assert all(not m.from_bot for m in emulator.messages(GROUP))
    # /end with nothing open.
    emulator.send_message(AMINA, "/end")
    emulator.wait_until(
        lambda: newest(emulator, AMINA).text == plain(views.nothing_to_end(en).text)
    )


def test_without_staff_chat_id_nothing_leads_to_the_relay(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    bot = BotProcess(emulator, tmp_path, f"sqlite:///{tmp_path / 'bot.db'}")
    try:
        emulator.wait_for_polling(timeout=30)
        greeting = start_and_pick(emulator, AMINA, "English", hint="en")
        emulator.send_message(AMINA, "zzzz qqqq")
        emulator.send_message(AMINA, "how do I apply for social housing")
        emulator.send_message(AMINA, "/menu")
        emulator.send_media(AMINA, "voice")
        emulator.wait_for_bot_messages(AMINA, 6)
        for message in emulator.bot_messages(AMINA):
            assert not any(
                str(b.get("callback_data", "")).startswith("rl:") for b in message.buttons
            )
        en = CATALOGS.translator("en")
        assert emulator.bot_messages(AMINA)[2].text == plain(
            guidance_views.no_answer(en, BASE).text
        )
        # A forged press and /end do nothing but what any unknown press or command does.
        emulator.press_data(AMINA, greeting.message_id, "rl:talk")
        emulator.wait_until(lambda: emulator.unanswered_callbacks() == [])
        assert emulator.callback_answers()[-1][1] == "This button is no longer valid."
        count = len(emulator.bot_messages(AMINA))
        emulator.send_message(AMINA, "/end")
        emulator.wait_for_bot_messages(AMINA, count + 1)
        assert newest(emulator, AMINA).text == plain(menu_views.help_text(en).text)
        with sqlite3.connect(tmp_path / "bot.db") as connection:
            assert connection.execute("SELECT * FROM relay_conversations").fetchall() == []
    finally:
        bot.stop()


async def test_a_person_who_leaves_is_announced_and_their_name_leaves_the_topic(
    emulator: BotApiEmulator, staff_group: int, tmp_path: Path
) -> None:
    """`person_left`, as /forget will call it, against the emulator over HTTP."""
    engine = open_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    migrate(engine)
    now = datetime.now(UTC)
    users = UserRepository(engine)
    users.set_language(AMINA, "ar", now)
    workshops = Workshops(SessionRepository(engine), load_catalogue())
    relay = Relay(
        RelayRepository(engine), users, workshops, parse_opening_hours(""), PARIS, lambda: now
    )
    conversation = relay.start_talking(AMINA)
    thread = emulator.topics(GROUP)  # none yet
    assert thread == []
    async with Bot(TOKEN, base_url=emulator.base_url) as bot:
        created = await bot.create_forum_topic(GROUP, "#0001 · Amina · ar")
        relay.topic_created(AMINA, GROUP, created.message_thread_id)
        await bot.close_forum_topic(GROUP, created.message_thread_id)
        relay.topic_closed(AMINA, True)
        services = SimpleNamespace(
            relay=relay,
            settings=SimpleNamespace(staff_chat_id=GROUP),
            catalogs=CATALOGS,
        )
        context = SimpleNamespace(services=services, bot=bot)
        await person_left(context, AMINA)  # type: ignore[arg-type]
        await person_left(context, AMINA)  # type: ignore[arg-type]  # twice: nothing more
    (topic,) = emulator.topics(GROUP)
    assert (
        topic.name == views.left_topic_name(TEAM, conversation.number) == "#0001 · données effacées"
    )
    assert topic.closed
    assert texts(in_topic(emulator, topic.thread_id)) == [plain(views.person_left(TEAM).text)]
    assert relay.conversation(AMINA) is None
    engine.dispose()


def test_a_staff_group_the_bot_cannot_use_is_named_at_start_and_the_person_is_told(
    emulator: BotApiEmulator, tmp_path: Path
) -> None:
    emulator.create_supergroup(GROUP, "Équipe", forum=False, can_manage_topics=False)
    bot = start_relay_bot(emulator, tmp_path)
    try:
        talk(emulator, AMINA, "English", "en")
        emulator.send_message(AMINA, "hello?", first_name="Amina")
        en = CATALOGS.translator("en")
        emulator.wait_until(
            lambda: newest(emulator, AMINA).text == plain(views.not_delivered(en).text)
        )
        assert emulator.topics(GROUP) == []
    finally:
        output = bot.stop()
    assert "STAFF_CHAT_ID: the staff group has no topics" in output
    assert "STAFF_CHAT_ID: make the bot an administrator" in output
    assert "hello?" not in output


def test_the_demo_carries_a_conversation_both_ways(tmp_path: Path) -> None:
    fr = CATALOGS.translator("fr")
    greeting = menu_views.greeting(fr, BASE, relay=True)
    assert greeting.keyboard is not None
    labels = [b.callback_data for row in greeting.keyboard.inline_keyboard for b in row]
    talk_number = labels.index("rl:talk") + 1
    result = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env={**clean_env(), "PYTHONPATH": str(ROOT)},
        input=f"/start\n#1\n#{talk_number}\nBonjour l'équipe\n@photo mon courrier\n"
        "@team Bonjour, nous regardons.\n@team /close\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "team #0001 · Demo · fr> Bonjour l'équipe" in out
    assert "team #0001 · Demo · fr (photo)> mon courrier" in out
    assert "bot> Bonjour, nous regardons." in out
    assert "bot> 👋 " + fr.gettext("L'équipe a terminé la conversation.") in out
    assert "Traceback" not in result.stderr

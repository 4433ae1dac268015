"""The emulator's forum supergroups, copies and blocked people: refused as Telegram refuses."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from bot.emulator import BotApiEmulator
from tests.conftest import TOKEN

STAFF_GROUP = -1001234567890
STAFF, PERSON = 7001, 8001


def call(emulator: BotApiEmulator, method: str, **params: Any) -> dict[str, Any]:
    response = httpx.post(f"{emulator.base_url}{TOKEN}/{method}", json=params, timeout=5)
    body: dict[str, Any] = response.json()
    assert response.status_code == (200 if body["ok"] else body["error_code"])
    return body


def refusal(emulator: BotApiEmulator, method: str, **params: Any) -> str:
    body = call(emulator, method, **params)
    assert not body["ok"], body
    return str(body["description"])


def updates(emulator: BotApiEmulator) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = call(emulator, "getUpdates", timeout=0)["result"]
    return result


@pytest.fixture
def forum(emulator: BotApiEmulator) -> int:
    emulator.create_supergroup(STAFF_GROUP, "Équipe", admins=(STAFF,))
    return STAFF_GROUP


def new_topic(emulator: BotApiEmulator, name: str = "#0001 · Amina · ar") -> int:
    created = call(emulator, "createForumTopic", chat_id=STAFF_GROUP, name=name)["result"]
    thread: int = created["message_thread_id"]
    return thread


def test_a_topic_is_created_with_a_name_and_one_of_six_colours(
    emulator: BotApiEmulator, forum: int
) -> None:
    created = call(
        emulator, "createForumTopic", chat_id=forum, name="#0042 · Amina · ar", icon_color=0xFB6F5F
    )["result"]
    assert created == {
        "message_thread_id": created["message_thread_id"],
        "name": "#0042 · Amina · ar",
        "icon_color": 0xFB6F5F,
    }
    (topic,) = emulator.topics(forum)
    assert (topic.thread_id, topic.name, topic.closed) == (
        created["message_thread_id"],
        created["name"],
        False,
    )
    assert refusal(emulator, "createForumTopic", chat_id=forum, name="x", icon_color=0x123456) == (
        "Bad Request: ICON_COLOR_INVALID"
    )
    assert refusal(emulator, "createForumTopic", chat_id=forum, name="x" * 129) == (
        "Bad Request: TOPIC_TITLE_TOO_LONG"
    )
    assert refusal(emulator, "createForumTopic", chat_id=forum, name=" ") == (
        "Bad Request: TOPIC_TITLE_EMPTY"
    )
    assert call(emulator, "createForumTopic", chat_id=forum, name="é" * 128)["ok"]


def test_topics_need_a_forum_and_a_bot_allowed_to_manage_them(emulator: BotApiEmulator) -> None:
    emulator.create_supergroup(-1001, "Plain", forum=False)
    emulator.create_supergroup(-1002, "Member only", bot_is_admin=False)
    emulator.create_supergroup(-1003, "Admin, no topics", can_manage_topics=False)
    assert refusal(emulator, "createForumTopic", chat_id=-1001, name="x") == (
        "Bad Request: the chat is not a forum"
    )
    for chat in (-1002, -1003):
        assert refusal(emulator, "createForumTopic", chat_id=chat, name="x") == (
            "Bad Request: not enough rights to create a topic"
        )
    assert refusal(emulator, "createForumTopic", chat_id=-1009, name="x") == (
        "Bad Request: chat not found"
    )


def test_messages_go_to_a_topic_that_exists_and_is_open(
    emulator: BotApiEmulator, forum: int
) -> None:
    thread = new_topic(emulator)
    sent = call(emulator, "sendMessage", chat_id=forum, text="card", message_thread_id=thread)
    result = sent["result"]
    assert (result["message_thread_id"], result["is_topic_message"]) == (thread, True)
    assert result["chat"] == {
        "id": forum,
        "type": "supergroup",
        "title": "Équipe",
        "is_forum": True,
    }
    assert [m.text for m in emulator.topic_messages(forum, thread)] == ["card"]
    assert refusal(emulator, "sendMessage", chat_id=forum, text="x", message_thread_id=999) == (
        "Bad Request: message thread not found"
    )

    assert call(emulator, "closeForumTopic", chat_id=forum, message_thread_id=thread)["ok"]
    assert refusal(emulator, "closeForumTopic", chat_id=forum, message_thread_id=thread) == (
        "Bad Request: TOPIC_NOT_MODIFIED"
    )
    assert refusal(emulator, "sendMessage", chat_id=forum, text="x", message_thread_id=thread) == (
        "Bad Request: TOPIC_CLOSED"
    )
    assert call(emulator, "reopenForumTopic", chat_id=forum, message_thread_id=thread)["ok"]
    assert call(emulator, "sendMessage", chat_id=forum, text="y", message_thread_id=thread)["ok"]

    assert call(
        emulator, "editForumTopic", chat_id=forum, message_thread_id=thread, name="#0001 · left"
    )["ok"]
    assert emulator.topics(forum)[0].name == "#0001 · left"

    assert call(emulator, "deleteForumTopic", chat_id=forum, message_thread_id=thread)["ok"]
    assert emulator.topics(forum) == []
    assert emulator.topic_messages(forum, thread) == []
    assert refusal(emulator, "sendMessage", chat_id=forum, text="z", message_thread_id=thread) == (
        "Bad Request: message thread not found"
    )
    assert refusal(emulator, "reopenForumTopic", chat_id=forum, message_thread_id=thread) == (
        "Bad Request: TOPIC_ID_INVALID"
    )


def test_a_topic_deleted_by_staff_is_gone_for_the_bot(emulator: BotApiEmulator, forum: int) -> None:
    thread = new_topic(emulator)
    emulator.delete_topic(forum, thread)
    assert refusal(emulator, "sendMessage", chat_id=forum, text="z", message_thread_id=thread) == (
        "Bad Request: message thread not found"
    )
    with pytest.raises(ValueError, match="no topic"):
        emulator.send_message(STAFF, "hello?", group_id=forum, thread_id=thread)


def test_people_write_in_topics_and_only_admins_in_a_closed_one(
    emulator: BotApiEmulator, forum: int
) -> None:
    thread = new_topic(emulator)
    emulator.send_message(STAFF, "Bonjour Amina", group_id=forum, thread_id=thread)
    emulator.send_media(PERSON, "photo", group_id=forum, thread_id=thread, caption="vu")
    first, second = (update["message"] for update in updates(emulator))
    assert (first["message_thread_id"], first["is_topic_message"]) == (thread, True)
    assert first["from"]["id"] == STAFF
    assert first["chat"]["is_forum"] is True
    assert (second["caption"], second["photo"][0]["file_id"]) == (
        "vu",
        f"file-{second['message_id']}",
    )
    call(emulator, "closeForumTopic", chat_id=forum, message_thread_id=thread)
    with pytest.raises(ValueError, match="TOPIC_CLOSED"):
        emulator.send_message(PERSON, "me too", group_id=forum, thread_id=thread)
    emulator.send_message(STAFF, "admins may", group_id=forum, thread_id=thread)


def test_a_bot_that_is_not_an_administrator_sees_only_commands(emulator: BotApiEmulator) -> None:
    emulator.create_supergroup(-1002, "Member only", bot_is_admin=False)
    assert emulator.send_message(STAFF, "hello", group_id=-1002) == 0
    assert emulator.send_message(STAFF, "/info", group_id=-1002) > 0
    assert [u["message"]["text"] for u in updates(emulator)] == ["/info"]


def test_a_copy_has_no_forward_header_and_keeps_the_file(
    emulator: BotApiEmulator, forum: int
) -> None:
    thread = new_topic(emulator)
    emulator.send_media(PERSON, "photo", caption="mon titre de séjour")
    emulator.send_message(PERSON, "<b>not markup</b>")
    photo, text = (u["message"] for u in updates(emulator))
    copied = call(
        emulator,
        "copyMessage",
        chat_id=forum,
        from_chat_id=PERSON,
        message_id=photo["message_id"],
        message_thread_id=thread,
    )["result"]
    assert list(copied) == ["message_id"]
    call(
        emulator,
        "copyMessage",
        chat_id=forum,
        from_chat_id=PERSON,
        message_id=text["message_id"],
        message_thread_id=thread,
    )
    in_topic = emulator.topic_messages(forum, thread)
    assert in_topic[0].message_id == copied["message_id"]
    assert in_topic[0].media == {"photo": photo["photo"]}
    assert (in_topic[0].text, in_topic[1].text) == ("mon titre de séjour", "<b>not markup</b>")
    assert all(m.from_bot and m.forward_origin is None for m in in_topic)

    forwarded = call(
        emulator,
        "forwardMessage",
        chat_id=forum,
        from_chat_id=PERSON,
        message_id=text["message_id"],
    )["result"]
    assert forwarded["forward_origin"]["sender_user"]["id"] == PERSON  # what a copy avoids

    assert (
        refusal(emulator, "copyMessage", chat_id=forum, from_chat_id=PERSON, message_id=424242)
        == "Bad Request: message to copy not found"
    )
    assert (
        refusal(emulator, "copyMessage", chat_id=forum, from_chat_id=forum, message_id=thread)
        == "Bad Request: message can't be copied"
    )  # the topic's creation is a service message


def test_files_are_sent_again_by_id_into_a_topic(emulator: BotApiEmulator, forum: int) -> None:
    thread = new_topic(emulator)
    for kind, method in (
        ("photo", "sendPhoto"),
        ("voice", "sendVoice"),
        ("document", "sendDocument"),
    ):
        emulator.send_media(PERSON, kind)
        (update,) = (u["message"] for u in updates(emulator)[-1:])
        media = update[kind][0] if kind == "photo" else update[kind]
        sent = call(
            emulator, method, chat_id=forum, message_thread_id=thread, **{kind: media["file_id"]}
        )["result"]
        assert sent["message_thread_id"] == thread
        got = sent[kind][0] if kind == "photo" else sent[kind]
        assert got["file_id"] == media["file_id"]
    assert refusal(emulator, "sendPhoto", chat_id=forum, photo="made-up") == (
        "Bad Request: wrong file identifier/HTTP URL specified"
    )


def test_a_person_who_blocked_the_bot_refuses_everything_until_they_write(
    emulator: BotApiEmulator, forum: int
) -> None:
    emulator.send_message(PERSON, "hi")
    (update,) = updates(emulator)
    emulator.block(PERSON)
    body = call(emulator, "sendMessage", chat_id=PERSON, text="reply")
    assert (body["error_code"], body["description"]) == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    thread = new_topic(emulator)
    staff_reply = emulator.send_message(STAFF, "reply", group_id=forum, thread_id=thread)
    assert staff_reply
    message_id = emulator.topic_messages(forum, thread)[-1].message_id
    assert (
        refusal(emulator, "copyMessage", chat_id=PERSON, from_chat_id=forum, message_id=message_id)
        == "Forbidden: bot was blocked by the user"
    )
    emulator.send_message(PERSON, "/start")
    assert call(emulator, "sendMessage", chat_id=PERSON, text="welcome back")["ok"]
    assert update["message"]["text"] == "hi"

"""The emulator refuses what Telegram refuses, over real HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.emulator import BotApiEmulator
from bot.emulator.entities import EntityParseError, parse_html
from tests.conftest import TOKEN

USER = 555


def call(emulator: BotApiEmulator, method: str, **params: Any) -> httpx.Response:
    return httpx.post(f"{emulator.base_url}{TOKEN}/{method}", json=params, timeout=5)


@pytest.fixture
def chat(emulator: BotApiEmulator) -> int:
    emulator.send_message(USER, "hello")
    return USER


def test_unknown_method_and_wrong_token(emulator: BotApiEmulator) -> None:
    assert call(emulator, "sendTelepathy").json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found",
    }
    wrong = httpx.post(f"{emulator.base_url}1:nope/getMe", timeout=5)
    assert wrong.status_code == 401


def test_form_encoded_values_are_read_by_type(emulator: BotApiEmulator, chat: int) -> None:
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    response = httpx.post(
        f"{emulator.base_url}{TOKEN}/sendMessage",
        data={
            "chat_id": str(chat),
            "text": "<b>Hi</b> there",
            "parse_mode": "HTML",
            "reply_markup": markup,
        },
        timeout=5,
    )
    result = response.json()["result"]
    assert result["text"] == "Hi there"
    assert result["entities"] == [{"type": "bold", "offset": 0, "length": 2}]
    assert emulator.latest_with_buttons(chat) is not None


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("", "Bad Request: message text is empty"),
        ("<b></b>  ", "Bad Request: message text is empty"),
        ("x" * 4097, "Bad Request: message is too long"),
        (
            "<b>open",
            "Bad Request: can't parse entities: "
            'Can\'t find end tag corresponding to start tag "b"',
        ),
        (
            "<div>x</div>",
            'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 0',
        ),
        (
            "<b>x</i>",
            "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, "
            'expected "</b>", found "</i>"',
        ),
    ],
)
def test_bad_texts_are_refused(
    emulator: BotApiEmulator, chat: int, text: str, description: str
) -> None:
    response = call(emulator, "sendMessage", chat_id=chat, text=text, parse_mode="HTML")
    assert response.status_code == 400
    assert response.json()["description"] == description
    assert emulator.bot_messages(chat) == []


def test_the_length_limit_applies_after_entity_parsing(emulator: BotApiEmulator, chat: int) -> None:
    text = "<b>" + "x" * 4096 + "</b>"
    assert call(emulator, "sendMessage", chat_id=chat, text=text, parse_mode="HTML").json()["ok"]


def test_callback_data_is_1_to_64_bytes(emulator: BotApiEmulator, chat: int) -> None:
    for data, ok in (("é" * 32, True), ("é" * 32 + "x", False), ("", False)):
        markup = {"inline_keyboard": [[{"text": "A", "callback_data": data}]]}
        body = call(emulator, "sendMessage", chat_id=chat, text="x", reply_markup=markup).json()
        assert body["ok"] is ok
        if not ok:
            assert body["description"] == "Bad Request: BUTTON_DATA_INVALID"


def test_an_identical_edit_is_not_modified(emulator: BotApiEmulator, chat: int) -> None:
    sent = call(emulator, "sendMessage", chat_id=chat, text="<i>same</i>", parse_mode="HTML").json()
    message_id = sent["result"]["message_id"]
    again = call(
        emulator,
        "editMessageText",
        chat_id=chat,
        message_id=message_id,
        text="<i>same</i>",
        parse_mode="HTML",
    )
    assert again.status_code == 400
    assert again.json()["description"].startswith("Bad Request: message is not modified")
    changed = call(emulator, "editMessageText", chat_id=chat, message_id=message_id, text="other")
    assert changed.json()["result"]["edit_date"]


def test_a_flood_error_carries_retry_after(emulator: BotApiEmulator, chat: int) -> None:
    emulator.fail_next("sendMessage", retry_after=3)
    refused = call(emulator, "sendMessage", chat_id=chat, text="x")
    assert refused.status_code == 429
    assert refused.json()["parameters"] == {"retry_after": 3}
    assert call(emulator, "sendMessage", chat_id=chat, text="x").json()["ok"]


def test_unknown_chat_and_stale_callback(emulator: BotApiEmulator) -> None:
    assert (
        call(emulator, "sendMessage", chat_id=777, text="x").json()["description"]
        == "Bad Request: chat not found"
    )
    answer = call(emulator, "answerCallbackQuery", callback_query_id="nope").json()
    assert "query ID is invalid" in answer["description"]


def test_presses_are_delivered_and_answered_once(emulator: BotApiEmulator, chat: int) -> None:
    markup = {
        "inline_keyboard": [
            [{"text": "A", "callback_data": "a"}, {"text": "B", "callback_data": "b"}]
        ]
    }
    message_id = call(
        emulator, "sendMessage", chat_id=chat, text="pick", reply_markup=markup
    ).json()["result"]["message_id"]
    emulator.press(chat, message_id, 2)
    updates = call(emulator, "getUpdates", offset=0, timeout=0).json()["result"]
    query = updates[-1]["callback_query"]
    assert query["data"] == "b"
    assert emulator.unanswered_callbacks() == [query["id"]]
    assert call(emulator, "answerCallbackQuery", callback_query_id=query["id"]).json()["ok"]
    assert not call(emulator, "answerCallbackQuery", callback_query_id=query["id"]).json()["ok"]
    # Asking from the next offset confirms (drops) what was delivered.
    after = call(emulator, "getUpdates", offset=updates[-1]["update_id"] + 1, timeout=0).json()
    assert after["result"] == []


def test_commands_are_validated_and_kept_per_scope_and_language(emulator: BotApiEmulator) -> None:
    good = [{"command": "menu", "description": "Menu"}]
    assert call(emulator, "setMyCommands", commands=good, language_code="ps").json()["ok"]
    assert emulator.commands("default", "ps") == good
    bad = call(emulator, "setMyCommands", commands=[{"command": "Menu!", "description": "x"}])
    assert bad.json()["description"] == "Bad Request: BOT_COMMAND_INVALID"
    assert not call(emulator, "setMyCommands", commands=good, language_code="fra").json()["ok"]
    assert not call(emulator, "setMyShortDescription", short_description="x" * 121).json()["ok"]


def test_html_entities_and_utf16_offsets() -> None:
    parsed = parse_html("👋 <b>a &amp; b</b> &lt;3 &#1575;")
    assert parsed.text == "👋 a & b <3 ا"
    assert parsed.entities == [{"type": "bold", "offset": 3, "length": 5}]
    with pytest.raises(EntityParseError):
        parse_html('<span class="x">y</span>')


def test_only_the_update_types_asked_for_are_delivered(emulator: BotApiEmulator, chat: int) -> None:
    first = call(emulator, "getUpdates", timeout=0, allowed_updates=["callback_query"]).json()
    assert first["result"] == []  # the pending message is not a callback query
    emulator.send_message(chat, "again")
    assert call(emulator, "getUpdates", timeout=0).json()["result"] == []
    assert call(emulator, "getUpdates", timeout=0, allowed_updates=[]).json()["result"] == []
    emulator.send_message(chat, "and again")
    assert len(call(emulator, "getUpdates", timeout=0).json()["result"]) == 1


def test_the_bot_cannot_write_first_to_a_person(emulator: BotApiEmulator) -> None:
    emulator.send_message(USER, "hi all", group_id=-100)
    refused = call(emulator, "sendMessage", chat_id=USER, text="hello")
    assert refused.status_code == 403
    assert refused.json()["description"] == "Forbidden: bot can't initiate conversation with a user"
    assert call(emulator, "sendMessage", chat_id=-100, text="hello").json()["ok"]

"""The emulator: Bot API over HTTP on 127.0.0.1, and a Python API for the test side.

The bot talks to it exactly as to api.telegram.org (`base_url` = `http://127.0.0.1:PORT/bot`).
It is strict where Telegram is: it rejects what Telegram would reject, with the same
status codes and descriptions, so a test passing here means the real API accepts the call.
"""

from __future__ import annotations

import collections
import copy
import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bot.emulator.entities import EntityParseError, ParsedText, parse_html, utf16_length

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
MAX_CALLBACK_ANSWER = 200
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

# Parameter types, for values that arrive as strings in a form or a query.
_INT = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "cache_time",
        "from_chat_id",
        "message_thread_id",
        "icon_color",
    }
)
_BOOL = frozenset({"show_alert", "drop_pending_updates", "disable_notification"})
_JSON = frozenset(
    {"reply_markup", "commands", "scope", "allowed_updates", "entities", "link_preview_options"}
)


# What Telegram sends when `allowed_updates` is empty or was never given.
DEFAULT_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
    }
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")


class ApiError(Exception):
    """A refusal, as Telegram words it."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class ChatMessage:
    """A message in a private chat or a group, as the emulator keeps it."""

    message_id: int
    chat_id: int
    from_bot: bool
    text: str  # after entity parsing
    entities: list[dict[str, Any]]
    date: int
    keyboard: list[list[dict[str, Any]]] | None = None
    edit_date: int | None = None
    # A file the bot sent (name, MIME type and bytes), or a venue (a place on the map).
    document: dict[str, Any] | None = None
    venue: dict[str, Any] | None = None
    # In a forum supergroup: the topic (its thread id); None in General and other chats.
    thread_id: int | None = None
    # Who wrote it in a group (a person's id); None for the bot and in private chats.
    sender_id: int | None = None
    # A photo, voice note, document… a person sent (the field Telegram names after its kind,
    # e.g. {"photo": [...]}); a copy carries the same file ids.
    media: dict[str, Any] | None = None
    # A service message, e.g. {"forum_topic_created": {...}}: not a message one can copy.
    service: dict[str, Any] | None = None
    # Set by forwardMessage only: where the original came from. copyMessage never sets it.
    forward_origin: dict[str, Any] | None = None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Buttons numbered left to right, top to bottom (index 0 is button 1)."""
        return [button for row in self.keyboard or [] for button in row]


# The six colours Telegram allows for a topic's icon (createForumTopic's icon_color).
FORUM_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
MAX_TOPIC_NAME = 128
# Telegram's words, where a test wants to compare them.
THREAD_NOT_FOUND = "Bad Request: message thread not found"
TOPIC_CLOSED = "Bad Request: TOPIC_CLOSED"
BLOCKED = "Forbidden: bot was blocked by the user"


@dataclass
class ForumTopic:
    """A topic of a forum supergroup; its id is the `message_thread_id` of its messages."""

    thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False


@dataclass
class _Group:
    """A supergroup the bot is a member of (optionally an administrator)."""

    id: int
    title: str
    forum: bool
    bot_admin: bool
    can_manage_topics: bool
    admins: set[int] = field(default_factory=set)
    topics: dict[int, ForumTopic] = field(default_factory=dict)  # deleted ones are gone

    def as_json(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": "supergroup", "title": self.title}
        if self.forum:
            chat["is_forum"] = True
        return chat


# Methods that put a message in a chat, which Telegram's flood limits count.
_MESSAGES = ("send", "copy", "forward", "edit")
_FILE = {"file_id": "emulated-file", "file_unique_id": "emulated-unique"}
# What Telegram puts in a message for each kind of attachment (the fields it requires).
_MEDIA: dict[str, Any] = {
    "photo": [{**_FILE, "width": 90, "height": 90}],
    "voice": {**_FILE, "duration": 4},
    "audio": {**_FILE, "duration": 30},
    "video": {**_FILE, "width": 320, "height": 240, "duration": 5},
    "video_note": {**_FILE, "length": 240, "duration": 5},
    "document": {**_FILE, "file_name": "papiers.pdf"},
    "sticker": {
        **_FILE,
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    },
    "location": {"latitude": 47.322, "longitude": 5.041},
    "contact": {"phone_number": "+33100000000", "first_name": "Contact"},
}


@dataclass(frozen=True)
class _Upload:
    filename: str
    content_type: str
    content: bytes


class _Server(ThreadingHTTPServer):
    # Telegram takes many connections at once; the default backlog of 5 would refuse a
    # bot that answers many people in parallel.
    request_queue_size = 256


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool
    description: str = ""
    at: float = field(default_factory=time.monotonic)  # when the emulator answered it


@dataclass
class _User:
    id: int
    first_name: str
    language_code: str | None

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        return data


@dataclass
class _Fault:
    code: int
    description: str
    retry_after: int | None = None


@dataclass
class _State:
    updates: list[dict[str, Any]] = field(default_factory=list)
    users: dict[int, _User] = field(default_factory=dict)
    chats: dict[int, list[ChatMessage]] = field(default_factory=dict)
    callbacks: dict[str, bool] = field(default_factory=dict)  # id → answered
    callback_answers: list[tuple[str, str]] = field(default_factory=list)
    commands: dict[tuple[str, str], list[dict[str, str]]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    short_descriptions: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    pressed_at: dict[str, float] = field(default_factory=dict)  # callback query id → time
    faults: dict[str, list[_Fault]] = field(default_factory=dict)
    polls: int = 0
    # The update types the bot asked for; Telegram remembers the last list it was given.
    allowed_updates: frozenset[str] = DEFAULT_UPDATES
    groups: dict[int, _Group] = field(default_factory=dict)  # supergroups, by chat id
    blocked: set[int] = field(default_factory=set)  # people who blocked the bot


def _own_files(media: Any, message_id: int) -> Any:
    """The attachment with file ids of its own message, so that a copy can be traced."""
    if isinstance(media, list):
        return [_own_files(item, message_id) for item in media]
    if isinstance(media, dict):
        found = {key: _own_files(value, message_id) for key, value in media.items()}
        if "file_id" in found:
            found["file_id"] = f"file-{message_id}"
            found["file_unique_id"] = f"unique-{message_id}"
        return found
    return media


def _scope_key(scope: Any) -> str:
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = str(scope["type"])
    if kind in ("chat", "chat_administrators"):
        return f"{kind}:{scope.get('chat_id')}"
    if kind == "chat_member":
        return f"{kind}:{scope.get('chat_id')}:{scope.get('user_id')}"
    if kind not in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
        raise bad_request("wrong parameter scope")
    return kind


def _language_code(params: dict[str, Any]) -> str:
    code = str(params.get("language_code") or "")
    if code and (len(code) != 2 or not code.isalpha() or not code.islower()):
        raise bad_request("invalid language code specified")
    return code


class BotApiEmulator:
    """Start it, point the bot at `base_url`, then talk as people would."""

    def __init__(
        self,
        token: str,
        *,
        bot_id: int | None = None,
        username: str = "ensemble_test_bot",
        clock: Callable[[], float] = time.time,
        flood_limit: int | None = None,
    ) -> None:
        """`flood_limit`: messages a second, all chats together, beyond which Telegram
        answers 429 (≈30 for real); None for no limit."""
        self.token = token
        self._flood_limit = flood_limit
        self._sent: collections.deque[float] = collections.deque()
        self.bot_id = bot_id if bot_id is not None else int(token.split(":")[0])
        self.username = username
        self._clock = clock
        self._state = _State()
        self._lock = threading.Condition()
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._closing = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[ChatMessage, bool], None]] = []

    # ---- life cycle ----------------------------------------------------------------
    def start(self) -> str:
        """Serve on a free loopback port; returns the `base_url` for the bot."""
        emulator = self

        class Handler(_Handler):
            api = emulator

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="bot-api-emulator",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("start() the emulator first")
        return f"http://127.0.0.1:{self._server.server_address[1]}/bot"

    def stop(self) -> None:
        with self._lock:
            self._closing = True
            self._lock.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> BotApiEmulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- the test side ---------------------------------------------------------------
    def on_bot_message(self, listener: Callable[[ChatMessage, bool], None]) -> None:
        """Call `listener(message, edited)` whenever the bot sends or edits a message."""
        self._listeners.append(listener)

    def send_message(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str = "Test",
        language_code: str | None = None,
        group_id: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        """A person writes `text` to the bot (or, with a negative `group_id`, in a group the
        bot is a member of, and with `thread_id` in one of its topics); returns the update id
        (0 when the bot does not receive it: in a group where it is not an administrator,
        only commands reach it)."""
        with self._lock:  # reentrant: the message is complete before anyone sees it
            message = self._person_writes(user_id, group_id, thread_id, first_name, language_code)
            message.text = text
            if text.startswith("/"):
                command = text.split()[0]
                message.entities = [
                    {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
                ]
            return self._push_person_message(message, text.startswith("/"))

    def send_media(
        self,
        user_id: int,
        kind: str,
        *,
        language_code: str | None = None,
        first_name: str = "Test",
        group_id: int | None = None,
        thread_id: int | None = None,
        caption: str = "",
    ) -> int:
        """A person sends something that is not text: a photo, a voice note, a sticker, a
        location, a contact, a document, an audio file, a video or a video note (to the bot,
        or in a group as `send_message` does). Each file gets its own id, which a copy keeps."""
        if kind not in _MEDIA:
            raise ValueError(f"unknown kind of message: {kind}")
        with self._lock:
            message = self._person_writes(user_id, group_id, thread_id, first_name, language_code)
            message.text = caption
            message.media = {kind: _own_files(_MEDIA[kind], message.message_id)}
            return self._push_person_message(message, False)

    def _person_writes(
        self,
        user_id: int,
        group_id: int | None,
        thread_id: int | None,
        first_name: str,
        language_code: str | None,
    ) -> ChatMessage:
        """A new message from a person, in their chat with the bot or in a group (a topic)."""
        if user_id <= 0 or (group_id is not None and group_id >= 0):
            raise ValueError("user ids are positive, group ids negative")
        chat_id = user_id if group_id is None else group_id
        with self._lock:
            self._user(user_id, first_name, language_code)
            if group_id is None:
                # Writing to the bot means one has not blocked it (or no longer).
                self._state.blocked.discard(user_id)
            group = self._state.groups.get(chat_id)
            if thread_id is not None:
                topic = group.topics.get(thread_id) if group is not None else None
                if topic is None:
                    raise ValueError(f"no topic {thread_id} in chat {chat_id}: a client cannot")
                if topic.closed and user_id not in group.admins:  # type: ignore[union-attr]
                    raise ValueError("TOPIC_CLOSED: only administrators write in a closed topic")
            self._state.chats.setdefault(chat_id, [])
            message = ChatMessage(
                next(self._message_ids),
                chat_id,
                False,
                "",
                [],
                int(self._clock()),
                thread_id=thread_id,
                sender_id=user_id if group_id is not None else None,
            )
            self._state.chats[chat_id].append(message)
            return message

    def _push_person_message(self, message: ChatMessage, command: bool) -> int:
        """The update for a person's message, if the bot receives it (lock held)."""
        user = self._state.users[message.sender_id or message.chat_id]
        group = self._state.groups.get(message.chat_id)
        if group is not None and not group.bot_admin and not command:
            # Privacy mode: a bot that is not an administrator sees commands only.
            return 0
        payload = self._message_json(message, sender=user.as_json())
        return self._push({"message": payload})

    def create_supergroup(
        self,
        chat_id: int,
        title: str,
        *,
        forum: bool = True,
        bot_is_admin: bool = True,
        can_manage_topics: bool = True,
        admins: tuple[int, ...] = (),
    ) -> None:
        """A supergroup with the bot in it: with topics (`forum`), the bot an administrator
        allowed to manage topics unless told otherwise; `admins`: people administering it."""
        if chat_id >= 0:
            raise ValueError("group ids are negative")
        with self._lock:
            self._state.groups[chat_id] = _Group(
                chat_id, title, forum, bot_is_admin, can_manage_topics and bot_is_admin, set(admins)
            )
            self._state.chats.setdefault(chat_id, [])

    def topics(self, chat_id: int) -> list[ForumTopic]:
        """The group's topics as they are now (deleted ones gone), oldest first."""
        with self._lock:
            group = self._state.groups.get(chat_id)
            return copy.deepcopy(list(group.topics.values())) if group is not None else []

    def topic_messages(self, chat_id: int, thread_id: int) -> list[ChatMessage]:
        """Everything in one topic, service messages aside."""
        return [
            message
            for message in self.messages(chat_id)
            if message.thread_id == thread_id and message.service is None
        ]

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """A staff member deletes a topic in their app: it and its messages are gone, and
        the bot is not told (it finds out when it writes there)."""
        with self._lock:
            self._delete_topic(chat_id, thread_id)
            self._lock.notify_all()

    def block(self, user_id: int) -> None:
        """The person blocks the bot: everything sent to them is refused from now on."""
        with self._lock:
            self._state.blocked.add(user_id)

    def press_latencies(self) -> list[float]:
        """Seconds from each press to the bot's answer to it, for the presses answered."""
        with self._lock:
            return [
                call.at - self._state.pressed_at[str(call.params.get("callback_query_id"))]
                for call in self._state.calls
                if call.method == "answerCallbackQuery"
                and call.ok
                and str(call.params.get("callback_query_id")) in self._state.pressed_at
            ]

    def introduce(self, user_id: int, *, language_code: str | None = None) -> None:
        """A person who wrote to the bot before (in an earlier run): the bot may write to
        them, and no update is pushed."""
        with self._lock:
            self._user(user_id, "Test", language_code)
            self._state.chats.setdefault(user_id, [])

    def unconfirmed(self) -> int:
        """Updates the bot has not yet confirmed (by asking for the ones after them)."""
        with self._lock:
            return len(self._state.updates)

    def press(self, user_id: int, message_id: int, button: int) -> int:
        """The person presses button `button` (1-based) of a message; returns the update id."""
        with self._lock:
            message = self._message(user_id, message_id)
            buttons = message.buttons
            if not 1 <= button <= len(buttons):
                raise IndexError(f"message {message_id} has {len(buttons)} buttons, not {button}")
            data = buttons[button - 1].get("callback_data")
            if data is None:
                raise ValueError(f"button {button} is not a callback button")
        return self.press_data(user_id, message_id, data)

    def press_data(self, user_id: int, message_id: int, data: str) -> int:
        """A callback query with any data, as a modified client could forge it."""
        with self._lock:
            message = self._message(user_id, message_id)
            user = self._state.users[user_id]
            query_id = str(next(self._callback_ids))
            self._state.callbacks[query_id] = False
            self._state.pressed_at[query_id] = time.monotonic()
            query = {
                "id": query_id,
                "from": user.as_json(),
                "message": self._message_json(message, sender=self._bot_json()),
                "chat_instance": str(user_id),
                "data": data,
            }
            return self._push({"callback_query": query})

    def messages(self, chat_id: int) -> list[ChatMessage]:
        """Everything in the chat, both sides, as it is now (edits applied); snapshots."""
        with self._lock:
            return copy.deepcopy(self._state.chats.get(chat_id, []))

    def bot_messages(self, chat_id: int) -> list[ChatMessage]:
        return [message for message in self.messages(chat_id) if message.from_bot]

    def latest_with_buttons(self, chat_id: int) -> ChatMessage | None:
        for message in reversed(self.bot_messages(chat_id)):
            if message.buttons:
                return message
        return None

    def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until `predicate()` holds after some change, or fail after `timeout`."""
        with self._lock:
            if not self._lock.wait_for(predicate, timeout):
                raise TimeoutError(
                    f"condition not met within {timeout}s; calls: {self.calls()[-5:]}"
                )

    def wait_for_bot_messages(self, chat_id: int, count: int, timeout: float = 10.0) -> None:
        self.wait_until(lambda: len(self.bot_messages(chat_id)) >= count, timeout)

    def wait_for_polling(self, timeout: float = 10.0) -> None:
        """Until the bot has asked for updates at least once."""
        self.wait_until(lambda: self._state.polls > 0, timeout)

    def unanswered_callbacks(self) -> list[str]:
        with self._lock:
            return [qid for qid, answered in self._state.callbacks.items() if not answered]

    def callback_answers(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._state.callback_answers)

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._state.calls if method is None or c.method == method]

    def rejected_calls(self) -> list[Call]:
        return [call for call in self.calls() if not call.ok]

    def commands(self, scope: str = "default", language_code: str = "") -> list[dict[str, str]]:
        with self._lock:
            return list(self._state.commands.get((scope, language_code), []))

    def description(self, language_code: str = "") -> str:
        with self._lock:
            return self._state.descriptions.get(language_code, "")

    def short_description(self, language_code: str = "") -> str:
        with self._lock:
            return self._state.short_descriptions.get(language_code, "")

    def fail_next(
        self, method: str, *, code: int = 429, retry_after: int = 1, description: str = ""
    ) -> None:
        """Answer the next call of `method` with an error (by default 429 Too Many Requests)."""
        if code == 429:
            fault = _Fault(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        else:
            fault = _Fault(code, description or HTTPStatus(code).phrase)
        with self._lock:
            self._state.faults.setdefault(method.lower(), []).append(fault)

    # ---- internals (called with the lock held) -------------------------------------------
    def _user(self, user_id: int, first_name: str, language_code: str | None) -> _User:
        user = _User(user_id, first_name, language_code)
        self._state.users[user_id] = user
        return user

    def _push(self, body: dict[str, Any]) -> int:
        update_id = next(self._update_ids)
        self._state.updates.append({"update_id": update_id, **body})
        self._lock.notify_all()
        return update_id

    def _message(self, chat_id: int, message_id: int) -> ChatMessage:
        for message in self._state.chats.get(chat_id, []):
            if message.message_id == message_id:
                return message
        raise KeyError(f"no message {message_id} in chat {chat_id}")

    def _bot_json(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Ensemble !",
            "username": self.username,
        }

    def _message_json(self, message: ChatMessage, sender: dict[str, Any]) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": message.chat_id, "type": "private"}
        if message.chat_id in self._state.groups:
            chat = self._state.groups[message.chat_id].as_json()
        elif message.chat_id < 0:
            chat = {"id": message.chat_id, "type": "group", "title": "Group"}
        elif message.chat_id in self._state.users:
            chat["first_name"] = self._state.users[message.chat_id].first_name
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": sender,
            "chat": chat,
            "date": message.date,
            "text": message.text,
        }
        if message.entities:
            data["entities"] = message.entities
        if message.keyboard is not None:
            data["reply_markup"] = {"inline_keyboard": message.keyboard}
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.thread_id is not None:
            data["message_thread_id"] = message.thread_id
            data["is_topic_message"] = True
        if message.forward_origin is not None:
            data["forward_origin"] = message.forward_origin
        if message.service is not None:
            data.pop("text")
            data.update(message.service)
        if message.media is not None:
            data.pop("text")
            data.pop("entities", None)
            data.update(message.media)
            if message.text:
                data["caption"] = message.text
                if message.entities:
                    data["caption_entities"] = message.entities
        if message.document is not None:
            data.pop("text")
            data.pop("entities", None)
            data["document"] = {
                # A copy keeps the file of the message it copies.
                "file_id": message.document.get("file_id", f"document-{message.message_id}"),
                "file_unique_id": f"unique-{message.message_id}",
                "file_name": message.document["file_name"],
                "mime_type": message.document["mime_type"],
            }
            if message.text:
                data["caption"] = message.text
                if message.entities:
                    data["caption_entities"] = message.entities
        if message.venue is not None:
            data.pop("text")
            venue = message.venue
            data["venue"] = {
                "location": {"latitude": venue["latitude"], "longitude": venue["longitude"]},
                "title": venue["title"],
                "address": venue["address"],
            }
            data["location"] = data["venue"]["location"]
        return data

    def _notify(self, message: ChatMessage, edited: bool) -> None:
        for listener in self._listeners:
            listener(message, edited)

    # ---- the Bot API -------------------------------------------------------------------
    def handle(self, method: str, params: dict[str, Any]) -> Any:
        """Run one Bot API method; returns the `result` or raises ApiError."""
        name = method.lower()
        handler = getattr(self, f"_api_{name}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        with self._lock:
            faults = self._state.faults.get(name)
            if faults:
                fault = faults.pop(0)
                raise ApiError(fault.code, fault.description, fault.retry_after)
            if self._flood_limit and name.startswith(_MESSAGES):
                # Telegram's flood control: beyond the limit in the last second, a 429.
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= 1.0:
                    self._sent.popleft()
                if len(self._sent) >= self._flood_limit:
                    raise ApiError(429, "Too Many Requests: retry after 1", 1)
                self._sent.append(now)
        return handler(params)

    def record(self, method: str, params: dict[str, Any], ok: bool, description: str) -> None:
        with self._lock:
            self._state.calls.append(Call(method, params, ok, description))
            self._lock.notify_all()

    def _api_getme(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._bot_json(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_deletewebhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            with self._lock:
                self._state.updates.clear()
        return True

    def _api_getwebhookinfo(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            return {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": len(self._state.updates),
            }

    def _api_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = max(float(params.get("timeout") or 0), 0.0)
        allowed = params.get("allowed_updates")
        with self._lock:
            self._state.polls += 1
            if isinstance(allowed, list):
                self._state.allowed_updates = frozenset(allowed) or DEFAULT_UPDATES
            if offset:
                # Asking from `offset` confirms every update before it.
                self._state.updates = [u for u in self._state.updates if u["update_id"] >= offset]
            self._lock.notify_all()
            self._lock.wait_for(lambda: bool(self._deliverable()) or self._closing, timeout)
            return self._deliverable()[:limit]

    def _deliverable(self) -> list[dict[str, Any]]:
        # Updates of a type the bot did not ask for are never delivered: drop them.
        allowed = self._state.allowed_updates
        self._state.updates = [u for u in self._state.updates if allowed & u.keys()]
        return self._state.updates

    def _parse_text(self, params: dict[str, Any], key: str = "text") -> ParsedText:
        raw = params.get(key)
        if raw is None or str(raw) == "":
            raise bad_request("message text is empty")
        source = str(raw)
        mode = str(params.get("parse_mode") or "")
        if mode.lower() == "html":
            try:
                parsed = parse_html(source)
            except EntityParseError as error:
                raise bad_request(str(error)) from error
        elif mode:
            raise bad_request(f"unsupported parse_mode {mode!r} (this emulator speaks HTML)")
        else:
            parsed = ParsedText(source, list(params.get("entities") or []))
        if not parsed.text.strip():
            raise bad_request("message text is empty")
        if utf16_length(parsed.text) > MAX_TEXT:
            raise bad_request("message is too long")
        return parsed

    def _keyboard(self, params: dict[str, Any]) -> list[list[dict[str, Any]]] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None  # reply keyboards and keyboard removal: not shown under the message
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request(
                "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                    raise bad_request("can't parse inline keyboard button: Text must be non-empty")
                kinds = [k for k in button if k != "text"]
                if len(kinds) != 1:
                    raise bad_request(
                        "can't parse inline keyboard button: exactly one field must be used"
                    )
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= MAX_CALLBACK_DATA:
                        raise bad_request("BUTTON_DATA_INVALID")
                if "url" in button and not str(button["url"]).startswith(
                    ("http://", "https://", "tg://")
                ):
                    raise bad_request("BUTTON_URL_INVALID")
        return rows

    def _chat_id(self, params: dict[str, Any]) -> int:
        if params.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")
        try:
            chat_id = int(params["chat_id"])
        except (TypeError, ValueError) as error:
            raise bad_request("chat not found") from error
        if chat_id not in self._state.chats:
            if chat_id in self._state.users:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if chat_id in self._state.blocked:
            raise ApiError(403, BLOCKED)
        return chat_id

    def _thread_of(self, chat_id: int, params: dict[str, Any]) -> int | None:
        """The topic a message goes to (`message_thread_id`), refused as Telegram refuses it:
        a topic that does not exist (or was deleted), or one that is closed."""
        raw = params.get("message_thread_id")
        if raw in (None, "", 0):
            return None
        if not isinstance(raw, int):
            raise bad_request("message thread not found")
        group = self._state.groups.get(chat_id)
        topic = group.topics.get(raw) if group is not None and group.forum else None
        if topic is None:
            raise bad_request("message thread not found")
        if topic.closed:
            # Stricter than Telegram, which lets an administrator with can_manage_topics
            # write in a closed topic: the bot reopens a topic before writing in it.
            raise bad_request("TOPIC_CLOSED")
        return raw

    def _api_sendmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        parsed = self._parse_text(params)
        return self._deliver_bot_message(params, parsed.text, parsed.entities)

    def _api_senddocument(self, params: dict[str, Any]) -> dict[str, Any]:
        upload = params.get("document")
        if isinstance(upload, str):
            return self._send_known_file(params, "document")
        if not isinstance(upload, _Upload):
            raise bad_request("there is no document in the request")
        if not upload.content:
            raise bad_request("file must be non-empty")
        caption = self._parse_text(params, "caption") if params.get("caption") else None
        return self._deliver_bot_message(
            params,
            caption.text if caption else "",
            caption.entities if caption else [],
            document={
                "file_name": upload.filename,
                "mime_type": upload.content_type,
                "content": upload.content,
            },
        )

    def _api_sendphoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_known_file(params, "photo")

    def _api_sendvoice(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_known_file(params, "voice")

    def _send_known_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        """A photo, voice note or document sent again by its file id (as a bot forwards what
        it received), or a new upload of a photo or voice note."""
        value = params.get(kind)
        caption = self._parse_text(params, "caption") if params.get("caption") else None
        if isinstance(value, _Upload):
            if not value.content:
                raise bad_request("file must be non-empty")
            media = _own_files(_MEDIA[kind], next(self._message_ids))
        elif isinstance(value, str) and value:
            with self._lock:
                if value not in self._file_ids():
                    raise bad_request("wrong file identifier/HTTP URL specified")
            media = copy.deepcopy(_MEDIA[kind])
            for item in media if isinstance(media, list) else [media]:
                item["file_id"] = value
        else:
            raise bad_request(f"there is no {kind} in the request")
        return self._deliver_bot_message(
            params,
            caption.text if caption else "",
            caption.entities if caption else [],
            media={kind: media},
        )

    def _file_ids(self) -> set[str]:
        """Every file id a message holds (lock held)."""
        found: set[str] = set()

        def walk(value: Any) -> None:
            if isinstance(value, list):
                for item in value:
                    walk(item)
            elif isinstance(value, dict):
                if isinstance(value.get("file_id"), str):
                    found.add(value["file_id"])
                for item in value.values():
                    walk(item)

        for messages in self._state.chats.values():
            for message in messages:
                walk(message.media)
                if message.document is not None:
                    found.add(message.document.get("file_id", f"document-{message.message_id}"))
        return found

    def _api_copymessage(self, params: dict[str, Any]) -> dict[str, int]:
        """A copy: the same text or media, sent by the bot, with no "forwarded from" header."""
        caption = self._parse_text(params, "caption") if params.get("caption") else None
        keyboard = self._keyboard(params)
        with self._lock:
            original = self._original(params, "message to copy not found")
            if original.service is not None:
                raise bad_request("message can't be copied")
            chat_id = self._chat_id(params)
            thread_id = self._thread_of(chat_id, params)
            text, entities = original.text, copy.deepcopy(original.entities)
            if caption is not None and (original.media or original.document):
                text, entities = caption.text, caption.entities
            document = copy.deepcopy(original.document)
            if document is not None:
                document.setdefault("file_id", f"document-{original.message_id}")
            message = ChatMessage(
                message_id=next(self._message_ids),
                chat_id=chat_id,
                from_bot=True,
                text=text,
                entities=entities,
                date=int(self._clock()),
                keyboard=keyboard,
                document=document,
                venue=copy.deepcopy(original.venue),
                thread_id=thread_id,
                media=copy.deepcopy(original.media),
            )
            self._state.chats[chat_id].append(message)
            self._lock.notify_all()
        self._notify(message, False)
        return {"message_id": message.message_id}

    def _api_forwardmessage(self, params: dict[str, Any]) -> dict[str, Any]:
        """A forward: like a copy, but it shows where it comes from (a person's name)."""
        with self._lock:
            original = self._original(params, "message to forward not found")
            if original.service is not None:
                raise bad_request("message can't be forwarded")
            chat_id = self._chat_id(params)
            thread_id = self._thread_of(chat_id, params)
            author = original.sender_id or (None if original.from_bot else original.chat_id)
            origin: dict[str, Any] = {"type": "user", "date": original.date}
            if author is not None and author in self._state.users:
                origin["sender_user"] = self._state.users[author].as_json()
            else:
                origin["sender_user"] = self._bot_json()
            message = copy.deepcopy(original)
            message.message_id = next(self._message_ids)
            message.chat_id, message.thread_id, message.sender_id = chat_id, thread_id, None
            message.from_bot, message.forward_origin, message.keyboard = True, origin, None
            message.date, message.edit_date = int(self._clock()), None
            self._state.chats[chat_id].append(message)
            result = self._message_json(message, sender=self._bot_json())
            self._lock.notify_all()
        self._notify(message, False)
        return result

    def _original(self, params: dict[str, Any], missing: str) -> ChatMessage:
        """The message `from_chat_id`/`message_id` names (lock held)."""
        source = params.get("from_chat_id")
        if not isinstance(source, int) or source not in self._state.chats:
            raise bad_request("chat not found")
        try:
            return self._message(source, int(params.get("message_id") or 0))
        except KeyError:
            raise bad_request(missing) from None

    # ---- forum topics ------------------------------------------------------------------
    def _forum(self, params: dict[str, Any], *, manage: bool = True) -> _Group:
        """The forum supergroup a topic method names, where the bot may manage topics."""
        chat_id = self._chat_id(params)
        group = self._state.groups.get(chat_id)
        if group is None or not group.forum:
            raise bad_request("the chat is not a forum")
        if manage and not group.can_manage_topics:
            raise bad_request("not enough rights to create a topic")
        return group

    def _topic(self, group: _Group, params: dict[str, Any]) -> ForumTopic:
        thread_id = params.get("message_thread_id")
        topic = group.topics.get(thread_id) if isinstance(thread_id, int) else None
        if topic is None:
            raise bad_request("TOPIC_ID_INVALID")
        return topic

    def _topic_name(self, params: dict[str, Any]) -> str:
        name = str(params.get("name") or "")
        if not name.strip():
            raise bad_request("TOPIC_TITLE_EMPTY")
        if utf16_length(name) > MAX_TOPIC_NAME:
            raise bad_request("TOPIC_TITLE_TOO_LONG")
        return name

    def _api_createforumtopic(self, params: dict[str, Any]) -> dict[str, Any]:
        name = self._topic_name(params)
        color = params.get("icon_color", FORUM_ICON_COLORS[0])
        if color not in FORUM_ICON_COLORS:
            raise bad_request("ICON_COLOR_INVALID")
        emoji = params.get("icon_custom_emoji_id") or None
        with self._lock:
            group = self._forum(params)
            # The topic's id is that of the service message which opens it.
            thread_id = next(self._message_ids)
            topic = ForumTopic(thread_id, name, int(color), emoji)
            group.topics[thread_id] = topic
            created = {"name": name, "icon_color": topic.icon_color}
            if emoji:
                created["icon_custom_emoji_id"] = emoji
            message = ChatMessage(
                thread_id,
                group.id,
                True,
                "",
                [],
                int(self._clock()),
                thread_id=thread_id,
                service={"forum_topic_created": created},
            )
            self._state.chats[group.id].append(message)
            self._lock.notify_all()
        self._notify(message, False)
        result: dict[str, Any] = {
            "message_thread_id": thread_id,
            "name": name,
            "icon_color": topic.icon_color,
        }
        if emoji:
            result["icon_custom_emoji_id"] = emoji
        return result

    def _api_editforumtopic(self, params: dict[str, Any]) -> bool:
        name = self._topic_name(params) if "name" in params else None
        with self._lock:
            topic = self._topic(self._forum(params), params)
            emoji = params.get("icon_custom_emoji_id", topic.icon_custom_emoji_id)
            if (name or topic.name, emoji) == (topic.name, topic.icon_custom_emoji_id):
                raise bad_request("TOPIC_NOT_MODIFIED")
            topic.name, topic.icon_custom_emoji_id = name or topic.name, emoji or None
            self._lock.notify_all()
        return True

    def _close_or_reopen(self, params: dict[str, Any], closed: bool) -> bool:
        with self._lock:
            topic = self._topic(self._forum(params), params)
            if topic.closed == closed:
                raise bad_request("TOPIC_NOT_MODIFIED")
            topic.closed = closed
            self._lock.notify_all()
        return True

    def _api_closeforumtopic(self, params: dict[str, Any]) -> bool:
        return self._close_or_reopen(params, closed=True)

    def _api_reopenforumtopic(self, params: dict[str, Any]) -> bool:
        return self._close_or_reopen(params, closed=False)

    def _api_deleteforumtopic(self, params: dict[str, Any]) -> bool:
        with self._lock:
            group = self._forum(params)
            self._delete_topic(group.id, self._topic(group, params).thread_id)
            self._lock.notify_all()
        return True

    def _delete_topic(self, chat_id: int, thread_id: int) -> None:
        """The topic and its messages are gone (lock held)."""
        group = self._state.groups.get(chat_id)
        if group is None or thread_id not in group.topics:
            raise KeyError(f"no topic {thread_id} in chat {chat_id}")
        del group.topics[thread_id]
        self._state.chats[chat_id] = [
            message for message in self._state.chats[chat_id] if message.thread_id != thread_id
        ]

    def _api_getchat(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            chat_id = self._chat_id(params)
            group = self._state.groups.get(chat_id)
            if group is not None:
                return {**group.as_json(), "accent_color_id": 0, "max_reaction_count": 11}
            if chat_id < 0:
                return {"id": chat_id, "type": "group", "title": "Group", "accent_color_id": 0}
            user = self._state.users[chat_id]
            return {
                "id": chat_id,
                "type": "private",
                "first_name": user.first_name,
                "accent_color_id": 0,
                "max_reaction_count": 11,
            }

    def _api_getchatmember(self, params: dict[str, Any]) -> dict[str, Any]:
        """The bot's own membership in a supergroup (what the relay checks at start)."""
        with self._lock:
            chat_id = self._chat_id(params)
            group = self._state.groups.get(chat_id)
            user_id = params.get("user_id")
            if group is None or str(user_id) != str(self.bot_id):
                raise bad_request("member not found")
            if not group.bot_admin:
                return {"status": "member", "user": self._bot_json()}
            return {
                "status": "administrator",
                "user": self._bot_json(),
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": False,
                "can_restrict_members": False,
                "can_promote_members": False,
                "can_change_info": False,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
                "can_pin_messages": True,
                "can_manage_topics": group.can_manage_topics,
            }

    def _api_sendvenue(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            latitude, longitude = float(params["latitude"]), float(params["longitude"])
        except (KeyError, TypeError, ValueError):
            raise bad_request("latitude and longitude are required") from None
        title, address = str(params.get("title") or ""), str(params.get("address") or "")
        if not title or not address:
            raise bad_request("title and address are required")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise bad_request("wrong coordinates")
        venue = {"latitude": latitude, "longitude": longitude, "title": title, "address": address}
        return self._deliver_bot_message(params, "", [], venue=venue)

    def _deliver_bot_message(
        self,
        params: dict[str, Any],
        text: str,
        entities: list[dict[str, Any]],
        **attachment: Any,
    ) -> dict[str, Any]:
        keyboard = self._keyboard(params)
        with self._lock:
            chat_id = self._chat_id(params)
            thread_id = self._thread_of(chat_id, params)
            message = ChatMessage(
                message_id=next(self._message_ids),
                chat_id=chat_id,
                from_bot=True,
                text=text,
                entities=entities,
                date=int(self._clock()),
                keyboard=keyboard,
                thread_id=thread_id,
                **attachment,
            )
            self._state.chats[chat_id].append(message)
            result = self._message_json(message, sender=self._bot_json())
            self._lock.notify_all()
        self._notify(message, False)
        return result

    def _editable(self, params: dict[str, Any]) -> ChatMessage:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat_id = self._chat_id(params)
        try:
            message = self._message(chat_id, int(params.get("message_id") or 0))
        except KeyError as error:
            raise bad_request("message to edit not found") from error
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _api_editmessagetext(self, params: dict[str, Any]) -> dict[str, Any]:
        parsed = self._parse_text(params)
        keyboard = self._keyboard(params)
        with self._lock:
            message = self._editable(params)
            if (parsed.text, parsed.entities, keyboard) == (
                message.text,
                message.entities,
                message.keyboard,
            ):
                raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
            message.text, message.entities, message.keyboard = (
                parsed.text,
                parsed.entities,
                keyboard,
            )
            message.edit_date = int(self._clock())
            result = self._message_json(message, sender=self._bot_json())
            self._lock.notify_all()
        self._notify(message, True)
        return result

    def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        keyboard = self._keyboard(params)
        with self._lock:
            message = self._editable(params)
            if keyboard == message.keyboard:
                raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
            message.keyboard = keyboard
            message.edit_date = int(self._clock())
            result = self._message_json(message, sender=self._bot_json())
            self._lock.notify_all()
        self._notify(message, True)
        return result

    def _api_deletemessage(self, params: dict[str, Any]) -> bool:
        with self._lock:
            message = self._editable(params)
            self._state.chats[message.chat_id].remove(message)
            self._lock.notify_all()
        return True

    def _api_answercallbackquery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        text = str(params.get("text") or "")
        if len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        with self._lock:
            if self._state.callbacks.get(query_id, True):
                raise bad_request(
                    "query is too old and response timeout expired or query ID is invalid"
                )
            self._state.callbacks[query_id] = True
            self._state.callback_answers.append((query_id, text))
            self._lock.notify_all()
        return True

    def _api_sendchataction(self, params: dict[str, Any]) -> bool:
        with self._lock:
            self._chat_id(params)
        return True

    def _api_setmycommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an array of at most 100 BotCommand")
        for command in commands:
            name = str(command.get("command", "")) if isinstance(command, dict) else ""
            if not _COMMAND.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description must be non-empty")
        key = (_scope_key(params.get("scope")), _language_code(params))
        with self._lock:
            self._state.commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
            self._lock.notify_all()
        return True

    def _api_getmycommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        key = (_scope_key(params.get("scope")), _language_code(params))
        with self._lock:
            return list(self._state.commands.get(key, []))

    def _api_deletemycommands(self, params: dict[str, Any]) -> bool:
        key = (_scope_key(params.get("scope")), _language_code(params))
        with self._lock:
            self._state.commands.pop(key, None)
            self._lock.notify_all()
        return True

    def _describe(
        self, params: dict[str, Any], field_name: str, limit: int, store: dict[str, str]
    ) -> bool:
        text = str(params.get(field_name) or "")
        if len(text) > limit:
            raise bad_request(f"{field_name.upper()}_INVALID")
        code = _language_code(params)
        with self._lock:
            store[code] = text
            self._lock.notify_all()
        return True

    def _api_setmydescription(self, params: dict[str, Any]) -> bool:
        return self._describe(params, "description", MAX_DESCRIPTION, self._state.descriptions)

    def _api_setmyshortdescription(self, params: dict[str, Any]) -> bool:
        return self._describe(
            params, "short_description", MAX_SHORT_DESCRIPTION, self._state.short_descriptions
        )

    def _api_getmydescription(self, params: dict[str, Any]) -> dict[str, str]:
        return {"description": self.description(_language_code(params))}

    def _api_getmyshortdescription(self, params: dict[str, Any]) -> dict[str, str]:
        return {"short_description": self.short_description(_language_code(params))}

    def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    def _api_logout(self, params: dict[str, Any]) -> bool:
        return True


def _coerce(name: str, value: Any) -> Any:
    """Form and query values are strings; Telegram reads them by the parameter's type."""
    if not isinstance(value, str):
        return value
    if name in _INT:
        try:
            return int(value)
        except ValueError:
            return value
    if name in _BOOL:
        return value.lower() in ("true", "1")
    if name in _JSON:
        try:
            return json.loads(value)
        except json.JSONDecodeError as error:
            raise bad_request(f"can't parse {name} JSON object") from error
    return value


class _Handler(BaseHTTPRequestHandler):
    api: BotApiEmulator
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        # Silent: request lines contain the token.
        return

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _params(self) -> dict[str, Any]:
        url = urlsplit(self.path)
        params: dict[str, Any] = {
            k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()
        }
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        kind = self.headers.get_content_type()
        if body and kind == "application/json":
            decoded = json.loads(body)
            if not isinstance(decoded, dict):
                raise bad_request("request body must be a JSON object")
            params.update(decoded)
        elif body and kind == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            params.update({k: v[-1] for k, v in form.items()})
        elif body and kind == "multipart/form-data":
            header = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = BytesParser(policy=HTTP).parsebytes(header + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not isinstance(name, str):
                    continue
                payload = part.get_payload(decode=True)
                filename = part.get_filename()
                if filename is not None:  # an uploaded file: kept as bytes
                    content = payload if isinstance(payload, bytes) else b""
                    params[name] = _Upload(filename, part.get_content_type(), content)
                else:
                    params[name] = payload.decode("utf-8") if isinstance(payload, bytes) else ""
        return {name: _coerce(name, value) for name, value in params.items()}

    def _serve(self) -> None:
        path = urlsplit(self.path).path
        prefix, _, method = path.rpartition("/")
        status, payload = HTTPStatus.OK, {}
        params: dict[str, Any] = {}
        if not prefix.startswith("/bot") or not method:
            status, payload = (
                HTTPStatus.NOT_FOUND,
                {"ok": False, "error_code": 404, "description": "Not Found"},
            )
        elif prefix != f"/bot{self.api.token}":
            status, payload = (
                HTTPStatus.UNAUTHORIZED,
                {"ok": False, "error_code": 401, "description": "Unauthorized"},
            )
        else:
            try:
                params = self._params()
                result = self.api.handle(method, params)
                payload = {"ok": True, "result": result}
            except ApiError as error:
                status = HTTPStatus(error.code)
                payload = {"ok": False, "error_code": error.code, "description": error.description}
                if error.retry_after is not None:
                    payload["parameters"] = {"retry_after": error.retry_after}
            except (ValueError, json.JSONDecodeError) as error:
                status = HTTPStatus.BAD_REQUEST
                payload = {"ok": False, "error_code": 400, "description": f"Bad Request: {error}"}
            self.api.record(
                method, params, payload.get("ok") is True, str(payload.get("description", ""))
            )
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The bot gave up on a long poll while shutting down: nobody is listening.
            self.close_connection = True

"""What a renderer returns, and the callback data its buttons carry."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

# Callback data: short, stable strings (Telegram allows 64 bytes).
LANGUAGE_PREFIX = "lang:"
CHOOSE_LANGUAGE = "language"
MENU = "menu"
MY_DATA = "data:show"
FORGET = "data:forget"
FORGET_CONFIRMED = "data:forget:yes"
TOPIC_PREFIX = "topic:"
ENTRY_PREFIX = "entry:"
MORE_TOPICS = "topics:more"
WORKSHOPS = "ws:list"
MY_WORKSHOPS = "ws:mine"
SESSION_PREFIX = "ws:s:"
REGISTER_PREFIX = "ws:reg:"
CANCEL_PREFIX = "ws:cancel:"
CANCEL_CONFIRMED_PREFIX = "ws:cancel!:"
CONSENT_YES_PREFIX = "cs:yes:"
CONSENT_MORE_PREFIX = "cs:more:"
CONSENT_NO_PREFIX = "cs:no:"
PROFILE = "pr:show"
PROFILE_START = "pr:start"
PROFILE_NO = "pr:no"
PROFILE_ASK_PREFIX = "pr:ask:"
PROFILE_ANSWER_PREFIX = "pr:a:"
PLATFORM = "pf:themes"
PLATFORM_THEME_PREFIX = "pf:t:"
PLATFORM_FICHE_PREFIX = "pf:f:"
# The relay: « Talk to the team » and « Back to the assistant » (only when STAFF_CHAT_ID is set).
RELAY_TALK = "rl:talk"
RELAY_BACK = "rl:back"
# Staff only: every press starting with STAFF is checked against BOT_ADMIN_IDS first.
STAFF = "st:"
STAFF_HOME = "st:home"
STAFF_SESSION_PREFIX = "st:s:"
STAFF_ATTENDANCE_PREFIX = "st:att:"
STAFF_TOGGLE_PREFIX = "st:t:"
STAFF_CAPACITY_PREFIX = "st:cap:"
STAFF_CAPACITY_CONFIRMED_PREFIX = "st:cap!:"
STAFF_CANCEL_PREFIX = "st:x:"
STAFF_CANCEL_CONFIRMED_PREFIX = "st:x!:"
STAFF_LINK_PREFIX = "st:qr:"
STAFF_EXPORT_PREFIX = "st:csv:"
STAFF_EXPORT_ALL = "st:csv"
STAFF_NEW = "st:new"
STAFF_NEW_WORKSHOP_PREFIX = "st:new:w:"
STAFF_NEW_PLACE_PREFIX = "st:new:p:"
STAFF_NO_PLACE = "st:new:p:-"
STAFF_CREATE = "st:new:ok"
# Staff records and the indicator report: every press starting with RECORDS is checked
# against BOT_ADMIN_IDS first, like STAFF.
RECORDS = "sr:"
RECORDS_HOME = "sr:home"
RECORDS_ENROL = "sr:enrol"
RECORDS_ENROL_PREFIX = "sr:enrol:"  # + the fiche action (1 or 4)
RECORDS_END = "sr:end"
RECORDS_END_PREFIX = "sr:end:"  # + the fiche action
RECORDS_HOUSING = "sr:housing"
RECORDS_ROLE = "sr:role"
RECORDS_ROLE_END = "sr:role-end"
RECORDS_ROLE_END_PREFIX = "sr:role-end:"  # + the role's id: ask the day it ended
RECORDS_ROLE_END_TODAY_PREFIX = "sr:role-end!:"  # + the role's id: it ends today
RECORDS_TRAINING = "sr:training"
RECORDS_COHOSTED_PREFIX = "sr:cohost:"  # + session id + « :1 » co-hosted, « :0 » not
RECORDS_LOG = "sr:log"
RECORDS_REPORT = "sr:report"
RECORDS_DATES = "sr:dates"  # the report of typed dates
RECORDS_PERIOD_PREFIX = "sr:period:"  # + « 20260101-20261126 »: choose the format
RECORDS_FILE_PREFIX = "sr:file:"  # + « 20260101-20261126:xlsx »


@dataclass(frozen=True)
class Screen:
    text: str  # Telegram HTML
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class Url:
    """A button that opens a web page."""

    label: str
    url: str


Button = tuple[str, str] | Url


def escape(text: str) -> str:
    """Text for Telegram's HTML: its markup characters made harmless."""
    return html.escape(text, quote=False)


def bold(text: str) -> str:
    """Text in bold, its markup characters made harmless."""
    return f"<b>{escape(text)}</b>"


def keyboard(rows: Sequence[Sequence[Button]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data) and web links."""
    return InlineKeyboardMarkup([[_button(button) for button in row] for row in rows if row])


def _button(button: Button) -> InlineKeyboardButton:
    if isinstance(button, Url):
        return InlineKeyboardButton(button.label, url=button.url)
    label, data = button
    return InlineKeyboardButton(label, callback_data=data)


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Messages of at most `limit` UTF-16 units, cut between paragraphs.

    Renderers keep markup inside a paragraph, so a cut there never splits a tag. The limit
    counts the markup too: a little stricter than Telegram, never looser."""
    if _utf16(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n\n"):
        while _utf16(paragraph) > limit:  # one paragraph longer than a message: cut by lines
            cut = paragraph.rfind("\n", 0, limit // 2) if "\n" in paragraph else -1
            cut = cut if cut > 0 else limit // 2
            if current:
                parts.append(current)
                current = ""
            parts.append(paragraph[:cut])
            paragraph = paragraph[cut:].lstrip("\n")
        candidate = f"{current}\n\n{paragraph}" if current else paragraph
        if _utf16(candidate) > limit:
            parts.append(current)
            current = paragraph
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts


def in_rows(buttons: Sequence[Button], width: int) -> list[list[Button]]:
    return [list(buttons[start : start + width]) for start in range(0, len(buttons), width)]

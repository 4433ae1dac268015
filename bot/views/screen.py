"""What a renderer returns, and the callback data its buttons carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

# Callback data: short, stable strings (Telegram allows 64 bytes).
LANGUAGE_PREFIX = "lang:"
CHOOSE_LANGUAGE = "language"
MENU = "menu"
SECTION_PREFIX = "section:"
MY_DATA = "data:show"
FORGET = "data:forget"
FORGET_CONFIRMED = "data:forget:yes"


@dataclass(frozen=True)
class Screen:
    text: str  # Telegram HTML
    keyboard: InlineKeyboardMarkup | None = None


def keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """An inline keyboard from rows of (label, callback data)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def in_rows(buttons: Sequence[tuple[str, str]], width: int) -> list[list[tuple[str, str]]]:
    return [list(buttons[start : start + width]) for start in range(0, len(buttons), width)]

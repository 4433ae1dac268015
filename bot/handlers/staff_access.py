"""Who is staff, what a staff member is asked to type next, and one guarded handler per
family of staff buttons: the server decides on every press, and a press from anyone else is
answered like any outdated button, so it reveals nothing, not even that staff tools exist."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import acknowledge, expired_button, is_staff, pressed

log = logging.getLogger(__name__)

Exact = Callable[[Update, BotContext], Awaitable[None]]
Prefixed = Callable[[Update, BotContext, str], Awaitable[None]]
Handler = Callable[[Update, BotContext], Coroutine[Any, Any, None]]

# Kept in the chat's memory (a restart forgets it: the staff member presses again).
_PROMPT = "staff_prompt"


def memory(context: BotContext) -> dict[Any, Any]:
    if context.chat_data is None:
        raise TypeError("staff talk in a private chat")
    return context.chat_data


def prompt(context: BotContext) -> object | None:
    """What the staff member was asked to type (None: nothing)."""
    return memory(context).get(_PROMPT)


def set_prompt(context: BotContext, asked: object | None) -> None:
    """What the staff member is asked to type next (None: nothing)."""
    if asked is None:
        memory(context).pop(_PROMPT, None)
    else:
        memory(context)[_PROMPT] = asked


def staff_buttons(exact: Mapping[str, Exact], prefixed: Sequence[tuple[str, Prefixed]]) -> Handler:
    """The handler of a family of staff buttons: the exact data, or the longest prefix that
    matches (« st:cap!: » before « st:cap: »), called with the rest of the data."""
    longest_first = sorted(prefixed, key=lambda entry: -len(entry[0]))

    async def button(update: Update, context: BotContext) -> None:
        if not is_staff(update, context):
            log.warning("a staff button was pressed by someone who is not staff")
            await expired_button(update, context)
            return
        _, data = pressed(update)
        set_prompt(context, None)  # any press leaves a question unanswered
        if data in exact:
            await acknowledge(update, context)
            await exact[data](update, context)
            return
        for prefix, action in longest_first:
            if data.startswith(prefix):
                await acknowledge(update, context)
                await action(update, context, data.removeprefix(prefix))
                return
        await expired_button(update, context)

    return button

"""A person's data and rights: consent before a first registration, the optional profile,
« Mes données » (/mydata), forgetting (/forget)."""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.domain.consent import CONSENT_NOTICE_VERSION
from bot.domain.people import ConsentRequiredError
from bot.domain.profile import QUESTIONS, Profile, Question
from bot.handlers import relay, workshops
from bot.handlers.common import acknowledge, expired_button, pressed, replace, send, show
from bot.views import privacy as views
from bot.views import screen
from bot.views.menu import back_to_menu
from bot.views.screen import Screen, keyboard

log = logging.getLogger(__name__)

PROFILE_PAYLOAD = "p"  # consent asked from /profile: show the profile once accepted


def consent_screen(context: BotContext, then: str) -> Screen:
    return views.consent_notice(context.t, then, context.services.settings.data_retention)


# ---- consent ----------------------------------------------------------------------------
def _valid_then(then: str) -> bool:
    """What the consent was asked for: a session's id, or the profile."""
    return then == PROFILE_PAYLOAD or (then.isdigit() and len(then) <= 9)


def _then(update: Update, prefix: str) -> str | None:
    _, data = pressed(update)
    then = data.removeprefix(prefix)
    return then if _valid_then(then) else None


async def consent_given(update: Update, context: BotContext) -> None:
    """`cs:yes:<notice version>:<then>`: consent to the notice that was shown."""
    _, data = pressed(update)
    version, _, then = data.removeprefix(screen.CONSENT_YES_PREFIX).partition(":")
    user = update.effective_user
    if not _valid_then(then) or user is None or context.person is None:
        await expired_button(update, context)
        return
    if version != CONSENT_NOTICE_VERSION:
        # The notice changed since this one was shown: the current one, to read first.
        await show(update, context, consent_screen(context, then))
        return
    services = context.services
    await asyncio.to_thread(services.people.give_consent, user.id)
    log.info("a person accepted the privacy notice")
    if then == PROFILE_PAYLOAD:
        await show_profile(update, context)
        return
    await workshops.register(update, context, int(then), user.id)


async def consent_more(update: Update, context: BotContext) -> None:
    then = _then(update, screen.CONSENT_MORE_PREFIX)
    if then is None:
        await expired_button(update, context)
        return
    retention = context.services.settings.data_retention
    await show(update, context, views.consent_full(context.t, then, retention))


async def consent_refused(update: Update, context: BotContext) -> None:
    then = _then(update, screen.CONSENT_NO_PREFIX)
    if then is None:
        await expired_button(update, context)
        return
    t = context.t
    rows = [back_to_menu(t)]
    if then != PROFILE_PAYLOAD:
        rows.insert(0, [("📅 " + t.gettext("Voir l'atelier"), screen.SESSION_PREFIX + then)])
    await show(update, context, Screen(views.consent_declined(t), keyboard(rows)))


# ---- the optional profile ------------------------------------------------------------------
async def show_profile(update: Update, context: BotContext, notice: str | None = None) -> None:
    """/profile: the answers (to change them); the consent notice first if not given."""
    user = update.effective_user
    if user is None:
        return
    if context.person is None:
        await send(update, context, views.nothing_kept(context.t))
        return
    people = context.services.people
    if not await asyncio.to_thread(people.may_register, user.id):
        await show(update, context, consent_screen(context, PROFILE_PAYLOAD))
        return
    profile = await asyncio.to_thread(people.profile, user.id) or Profile()
    await show(update, context, views.profile_summary(context.t, profile, notice=notice))


async def profile_start(update: Update, context: BotContext) -> None:
    await show(update, context, views.profile_question(context.t, QUESTIONS[0], views.NEXT))


async def profile_declined(update: Update, context: BotContext) -> None:
    await show(update, context, views.profile_declined(context.t))


def _question(text: str) -> Question | None:
    return next((q for q in QUESTIONS if q == text), None)


async def profile_ask(update: Update, context: BotContext) -> None:
    _, data = pressed(update)
    name, _, after = data.removeprefix(screen.PROFILE_ASK_PREFIX).partition(":")
    question = _question(name)
    if question is None or after not in (views.NEXT, views.SUMMARY):
        await expired_button(update, context)
        return
    await show(update, context, views.profile_question(context.t, question, after))


async def profile_answered(update: Update, context: BotContext) -> None:
    """`pr:a:<question>:<value>:<after>`: store the answer, then the next question (the
    first time through) or the summary."""
    _, data = pressed(update)
    name, _, rest = data.removeprefix(screen.PROFILE_ANSWER_PREFIX).partition(":")
    value, _, after = rest.rpartition(":")
    question, user = _question(name), update.effective_user
    if question is None or user is None or after not in (views.NEXT, views.SUMMARY):
        await expired_button(update, context)
        return
    people = context.services.people
    try:
        await asyncio.to_thread(people.answer, user.id, question, value)
    except ConsentRequiredError:
        await show(update, context, consent_screen(context, PROFILE_PAYLOAD))
        return
    except ValueError:  # not one of the answers offered: a forged or outdated button
        await expired_button(update, context)
        return
    following = QUESTIONS.index(question) + 1
    if after == views.NEXT and following < len(QUESTIONS):
        next_question = views.profile_question(context.t, QUESTIONS[following], views.NEXT)
        await show(update, context, next_question)
        return
    await show_profile(update, context, notice=views.profile_thanks(context.t))


# ---- my data, forgetting ------------------------------------------------------------------
async def my_data(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None:
        return
    services, t = context.services, context.t
    data = await asyncio.to_thread(services.people.everything, user.id)
    if data is None:
        await show(update, context, views.nothing_kept(t))
        return
    titles = {w.slug: t.gettext(w.title) for w in services.workshops.catalogue.workshops}
    conversation = await asyncio.to_thread(services.relay.conversation, user.id)
    shown = views.my_data(t, data, services.settings.timezone, titles, conversation)
    await show(update, context, shown)


async def forget_asked(update: Update, context: BotContext) -> None:
    if context.person is None:
        await show(update, context, views.nothing_kept(context.t))
        return
    relay = context.services.relay
    talked = await asyncio.to_thread(relay.conversation, context.person.telegram_id)
    screen_ = views.confirm_forget(context.t, talked_to_team=talked is not None)
    await show(update, context, screen_)


async def forget_confirmed(update: Update, context: BotContext) -> None:
    await acknowledge(update, context)
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    await leave(context, user.id)
    log.info("a person deleted their data")
    await replace(update, context, views.forgotten(context.t))
    # Nothing of theirs stays in memory either (their language, the last press).
    context.application.drop_chat_data(chat.id)
    # Their language choice also lives in the chat's command menu.
    try:
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(chat.id))
    except TelegramError as error:
        log.warning("could not remove the chat's commands: %s", type(error).__name__)


async def leave(context: BotContext, person: int, *, purged: bool = False) -> None:
    """Forget a person, at their request or (`purged`) after DATA_RETENTION: their seats go
    to the people waiting (who are told), staff are told in their topic while it is still
    known, then what the indicators count is kept anonymously and the rest deleted."""
    services = context.services
    promotions = await asyncio.to_thread(services.people.give_up_places, person)
    await workshops.tell_promotions(context, promotions)
    await relay.person_left(context, person, purged=purged)
    await asyncio.to_thread(services.people.forget, person)

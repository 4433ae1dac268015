"""Workshops: the list, a session, registering, the waiting list, cancelling."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from telegram import InputFile, Update
from telegram.error import TelegramError

from bot.context import BotContext
from bot.domain.calendar import ics
from bot.domain.people import Promotion
from bot.domain.workshops import DEEP_LINK_PREFIX, Offer
from bot.handlers.common import acknowledge, expired_button, pressed, replace, send, show, tell
from bot.i18n import Translator
from bot.views import language as language_views
from bot.views import privacy as privacy_views
from bot.views import screen
from bot.views import workshops as views

log = logging.getLogger(__name__)


async def show_upcoming(update: Update, context: BotContext) -> None:
    services = context.services
    offers = await asyncio.to_thread(services.workshops.upcoming, services.clock())
    await show(update, context, views.upcoming(context.t, offers, services.settings.timezone))


async def show_mine(update: Update, context: BotContext) -> None:
    services = context.services
    user = update.effective_user
    if user is None:
        return
    places = await asyncio.to_thread(services.workshops.of_person, user.id, services.clock())
    await show(update, context, views.mine(context.t, places, services.settings.timezone))


async def show_session(
    update: Update, context: BotContext, session_id: int, *, fresh: bool = False
) -> None:
    """A session's page (also what a deep link opens); `fresh`: as a new message."""
    services = context.services
    user = update.effective_user
    offer = await asyncio.to_thread(services.workshops.offer, session_id)
    if offer is None or user is None:
        # A session that no longer exists: the list of those that do.
        await show_upcoming(update, context)
        return
    registration = await asyncio.to_thread(services.workshops.registration, session_id, user.id)
    screen = views.session_page(
        context.t,
        offer,
        registration,
        services.settings.timezone,
        open_for_registration=services.workshops.is_open(offer, services.clock()),
    )
    if fresh:
        await send(update, context, screen)
    else:
        await show(update, context, screen)


async def _pressed_session(
    update: Update, context: BotContext, prefix: str
) -> tuple[int, int] | None:
    """(the session a pressed button names, who pressed); None, and the press answered as
    expired, when the data is not one of ours, as a forged or outdated press may be."""
    _, data = pressed(update)
    digits = data.removeprefix(prefix)
    if update.effective_user is None or not digits.isdigit() or len(digits) > 9:
        await expired_button(update, context)
        return None
    return int(digits), update.effective_user.id


async def session_chosen(update: Update, context: BotContext) -> None:
    found = await _pressed_session(update, context, screen.SESSION_PREFIX)
    if found is None:
        return
    session_id, _ = found
    await show_session(update, context, session_id)


async def register_pressed(update: Update, context: BotContext) -> None:
    found = await _pressed_session(update, context, screen.REGISTER_PREFIX)
    if found is None:
        return
    session_id, person = found
    services = context.services
    if context.person is None:
        # Not stored (an old button after « forget »): their language first, then the session.
        await acknowledge(update, context)
        picker = language_views.language_picker(context.t, then=f"{DEEP_LINK_PREFIX}{session_id}")
        await send(update, context, picker)
        return
    if not await asyncio.to_thread(services.people.may_register, person):
        # Registering stores more: the notice first (browsing never needs it).
        await acknowledge(update, context)
        notice = privacy_views.consent_notice(
            context.t, str(session_id), services.settings.data_retention
        )
        await replace(update, context, notice)
        return
    await register(update, context, session_id, person)


async def register(update: Update, context: BotContext, session_id: int, person: int) -> None:
    """A seat or a waiting place, its confirmation and calendar file; the optional profile
    offered once, after a first registration."""
    services, t = context.services, context.t
    # Pressed twice, or replayed after a crash: the second time finds the place already
    # there ("already") and only shows the page again, never a second seat or message.
    outcome = await asyncio.to_thread(
        services.workshops.register, session_id, person, services.clock()
    )
    if outcome.kind == "closed" or outcome.offer is None:
        await acknowledge(update, context, views.closed(t))
        await show_session(update, context, session_id)
        return
    await show_session(update, context, session_id)
    if outcome.kind == "already":
        return
    zone = services.settings.timezone
    chat = update.effective_chat
    if chat is None:
        return
    if outcome.kind == "waiting":
        await context.bot.send_message(
            chat.id, views.waiting(t, outcome.offer, outcome.position or 1)
        )
    else:
        await context.bot.send_message(chat.id, views.registered(t, outcome.offer, zone))
        await send_calendar(context, chat.id, t, outcome.offer)
    if await asyncio.to_thread(services.people.offer_profile, person):
        await send(update, context, privacy_views.profile_offer(t))


async def send_calendar(context: BotContext, chat_id: int, t: Translator, offer: Offer) -> None:
    """The `.ics` file, and the place on the map when its coordinates are known."""
    services = context.services
    location = None
    if offer.place is not None:
        location = t.gettext(offer.place.name)
        if offer.place.address:
            location = f"{location}, {offer.place.address}"
    content = ics(
        offer.session.id,
        t.gettext(offer.workshop.title),
        t.gettext(offer.workshop.description),
        offer.session.starts_at,
        offer.session.ends_at,
        location,
        services.settings.timezone,
        services.clock(),
    )
    await context.bot.send_document(
        chat_id,
        InputFile(content, filename=views.ics_name(offer), attach=False),
        caption=views.ics_caption(t),
    )
    place = offer.place
    if place is not None and place.latitude is not None and place.longitude is not None:
        await context.bot.send_venue(
            chat_id,
            latitude=place.latitude,
            longitude=place.longitude,
            title=t.gettext(place.name),
            address=place.address or t.gettext(place.name),
        )


async def cancel_asked(update: Update, context: BotContext) -> None:
    found = await _pressed_session(update, context, screen.CANCEL_PREFIX)
    if found is None:
        return
    session_id, _ = found
    services = context.services
    offer = await asyncio.to_thread(services.workshops.offer, session_id)
    if offer is None or not services.workshops.is_open(offer, services.clock()):
        # An old reminder's button, after the session started or was cancelled.
        await show_session(update, context, session_id)
        return
    await show(update, context, views.confirm_cancel(context.t, offer, services.settings.timezone))


async def cancel_confirmed(update: Update, context: BotContext) -> None:
    found = await _pressed_session(update, context, screen.CANCEL_CONFIRMED_PREFIX)
    if found is None:
        return
    session_id, person = found
    services = context.services
    before = await asyncio.to_thread(services.workshops.registration, session_id, person)
    outcome = await asyncio.to_thread(
        services.workshops.cancel, session_id, person, services.clock()
    )
    was_waiting = before is not None and before.status == "waiting"
    await show(update, context, views.cancelled(context.t, was_waiting=was_waiting))
    if outcome.promoted is not None and outcome.offer is not None:
        await tell_promoted(context, outcome.promoted, outcome.offer)


async def tell_promotions(context: BotContext, promotions: Sequence[Promotion]) -> None:
    """Seats freed by someone who left (forgot their data, or was purged): each new holder
    told, in their language."""
    for promotion in promotions:
        offer = await asyncio.to_thread(context.services.workshops.offer, promotion.session_id)
        if offer is not None:
            await tell_promoted(context, promotion.telegram_id, offer)


async def tell_promoted(context: BotContext, person: int, offer: Offer) -> None:
    """The first person on the waiting list got the freed seat: tell them, in their language."""
    services = context.services
    known = await asyncio.to_thread(services.users.get, person)
    t = services.catalogs.translator(known.language if known else None)
    if await tell(context, person, views.promoted(t, offer, services.settings.timezone)) == "sent":
        try:
            await send_calendar(context, person, t, offer)
        except TelegramError as error:
            log.warning("could not send the calendar file: %s", type(error).__name__)

"""The staff's space (`/staff`): sessions, seats, attendance, cancelling, links, exports.

Who is staff is decided here, on the server, for every command, press and typed answer:
a press with staff data from anyone else is answered like any outdated button and does
nothing, so it reveals nothing, not even that staff functions exist."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from telegram import InputFile, Update
from telegram.ext import ApplicationHandlerStop

from bot import reminders
from bot.context import BotContext
from bot.domain.workshops import (
    Offer,
    SessionError,
    SessionLine,
    deep_link,
    read_session_line,
)
from bot.handlers import conversation, staff_records
from bot.handlers.common import is_staff, replace, send, staff_id, tell
from bot.handlers.staff_access import memory, prompt, set_prompt, staff_buttons
from bot.handlers.workshops import tell_promoted
from bot.views import screen
from bot.views import staff as views
from bot.views import workshops as workshop_views
from bot.views.screen import Screen

log = logging.getLogger(__name__)

_DRAFT = "staff_draft"  # a session being created, in the chat's memory


@dataclass
class Draft:
    """A session being created: the workshop, then the place, then the typed moment."""

    workshop: str
    place: str | None = None
    line: SessionLine | None = None


def _session_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 9 else None


async def _offer(context: BotContext, argument: str) -> Offer | None:
    """The session a pressed button names, if it exists."""
    session_id = _session_id(argument)
    if session_id is None:
        return None
    return await asyncio.to_thread(context.services.workshops.offer, session_id)


async def open_space(update: Update, context: BotContext) -> None:
    """/staff: for anyone else, the same answer as any command the bot does not know."""
    if not is_staff(update, context):
        await conversation.show_help(update, context)
        return
    set_prompt(context, None)
    await send(update, context, await _home(context))


async def _home(context: BotContext) -> Screen:
    services = context.services
    now = services.clock()
    offers = await asyncio.to_thread(services.workshops.staff_offers, now)
    return views.home(context.t, offers, services.settings.timezone, now)


async def session_screen(
    context: BotContext, session_id: int, notice: str | None = None
) -> Screen | None:
    """A session's staff page (None: no such session)."""
    services = context.services
    offer = await asyncio.to_thread(services.workshops.offer, session_id)
    if offer is None:
        return None
    registrants = await asyncio.to_thread(services.workshops.registrants, session_id)
    cohosted = await asyncio.to_thread(services.records.is_cohosted, session_id)
    return views.session(
        context.t,
        offer,
        registrants,
        services.settings.timezone,
        is_open=services.workshops.is_open(offer, services.clock()),
        notice=notice,
        cohosted=cohosted,
    )


async def _show_home(update: Update, context: BotContext) -> None:
    await replace(update, context, await _home(context))


async def _show_session(update: Update, context: BotContext, argument: str) -> None:
    session_id = _session_id(argument)
    found = None if session_id is None else await session_screen(context, session_id)
    await replace(update, context, found or await _home(context))


async def _show_attendance(update: Update, context: BotContext, argument: str) -> None:
    services = context.services
    offer = await _offer(context, argument)
    if offer is None:
        await _show_home(update, context)
        return
    registrants = await asyncio.to_thread(services.workshops.registrants, offer.session.id)
    await replace(
        update, context, views.attendance(context.t, offer, registrants, services.settings.timezone)
    )


async def _show_closed(update: Update, context: BotContext, offer: Offer | None) -> None:
    """A session that started or was cancelled meanwhile: its page, saying so."""
    found = None
    if offer is not None:
        found = await session_screen(context, offer.session.id, notice=views.closed(context.t))
    await replace(update, context, found or await _home(context))


async def _toggle(update: Update, context: BotContext, argument: str) -> None:
    """`<number>:1` present, `<number>:0` not: the wanted state, so a double press is harmless."""
    number, _, state = argument.partition(":")
    if not number.isdigit() or len(number) > 9 or state not in ("0", "1"):
        await _show_home(update, context)
        return
    user = update.effective_user
    # Through the staff records, so that the change goes to the audit log.
    session_id = await asyncio.to_thread(
        context.services.records.mark_attended,
        int(number),
        state == "1",
        None if user is None else user.id,
    )
    if session_id is None:
        await _show_home(update, context)
        return
    await _show_attendance(update, context, str(session_id))


async def _open_offer(update: Update, context: BotContext, argument: str) -> Offer | None:
    """The pressed session if it can still change; else its page says it cannot."""
    services = context.services
    offer = await _offer(context, argument)
    if offer is None or not services.workshops.is_open(offer, services.clock()):
        await _show_closed(update, context, offer)
        return None
    return offer


async def _ask_capacity(update: Update, context: BotContext, argument: str) -> None:
    offer = await _open_offer(update, context, argument)
    if offer is None:
        return
    set_prompt(context, ("capacity", offer.session.id))
    await replace(update, context, views.ask_capacity(context.t, offer))


async def _capacity_confirmed(update: Update, context: BotContext, argument: str) -> None:
    session_id, _, capacity = argument.partition(":")
    if _session_id(session_id) is None or not capacity.isdigit() or len(capacity) > 4:
        await _show_home(update, context)
        return
    screen_ = await _change_capacity(update, context, int(session_id), int(capacity))
    await replace(update, context, screen_)


async def _audit(update: Update, context: BotContext, action: str, detail: str) -> None:
    """Session changes go to the audit log like the records (who, what, when)."""
    await asyncio.to_thread(context.services.records.note, staff_id(update), action, detail)


async def _change_capacity(
    update: Update, context: BotContext, session_id: int, capacity: int
) -> Screen:
    """Apply a new number of seats; the people it moved are told, in their language."""
    services, t = context.services, context.t
    try:
        changed = await asyncio.to_thread(
            services.workshops.change_capacity, session_id, capacity, services.clock()
        )
    except SessionError:
        changed = None
    if changed is None:
        found = await session_screen(context, session_id, notice=views.closed(t))
        return found or await _home(context)
    offer, change = changed
    await _audit(update, context, "seats", f"séance {session_id} : {capacity} places")
    for person in change.moved_to_waiting:
        await _tell_back_to_waiting(context, person, offer)
    for person in change.promoted:
        await tell_promoted(context, person, offer)
    notice = views.capacity_changed(t, capacity, len(change.moved_to_waiting), len(change.promoted))
    found = await session_screen(context, session_id, notice=notice)
    return found or await _home(context)


async def _tell_back_to_waiting(context: BotContext, person: int, offer: Offer) -> None:
    services = context.services
    known = await asyncio.to_thread(services.users.get, person)
    registration = await asyncio.to_thread(
        services.workshops.registration, offer.session.id, person
    )
    t = services.catalogs.translator(known.language if known else None)
    position = registration.position if registration and registration.position else 1
    await tell(
        context,
        person,
        workshop_views.back_to_waiting(t, offer, services.settings.timezone, position),
    )


async def _ask_cancel(update: Update, context: BotContext, argument: str) -> None:
    offer = await _open_offer(update, context, argument)
    if offer is None:
        return
    zone = context.services.settings.timezone
    await replace(update, context, views.confirm_cancel(context.t, offer, zone))


async def _cancel_confirmed(update: Update, context: BotContext, argument: str) -> None:
    # An old confirmation pressed after the session started (or was cancelled) does nothing.
    offer = await _open_offer(update, context, argument)
    if offer is None:
        return
    services = context.services
    session_id = offer.session.id
    people = await asyncio.to_thread(
        services.workshops.cancel_session, session_id, services.clock()
    )
    if people is not None:
        await _audit(update, context, "cancel", f"séance {session_id} annulée")
    # The same notices as a cancellation from the command line, sent now rather than at
    # the next planning; each person is told once.
    await reminders.tell_cancellations(context)
    found = await session_screen(context, session_id, notice=views.session_cancelled(context.t))
    await replace(update, context, found or await _home(context))


async def _send_link(update: Update, context: BotContext, argument: str) -> None:
    offer = await _offer(context, argument)
    chat = update.effective_chat
    if offer is None or chat is None:
        await _show_home(update, context)
        return
    link = deep_link(context.bot.username, offer.payload)
    await context.bot.send_document(
        chat.id,
        InputFile(views.qr_png(link), filename=views.qr_name(offer), attach=False),
        caption=views.link_caption(context.t, offer, link),
    )


async def _export_one(update: Update, context: BotContext, argument: str) -> None:
    offer = await _offer(context, argument)
    if offer is None:
        await _show_home(update, context)
        return
    await _send_csv(update, context, [offer], views.csv_name(offer))


async def _export_all(update: Update, context: BotContext) -> None:
    services = context.services
    offers = await asyncio.to_thread(services.workshops.all_offers)
    await _send_csv(update, context, offers, views.csv_name(None))


async def _send_csv(
    update: Update, context: BotContext, offers: list[Offer], filename: str
) -> None:
    services = context.services
    chat = update.effective_chat
    if chat is None:
        return
    rows = [
        (offer, await asyncio.to_thread(services.workshops.registrants, offer.session.id))
        for offer in offers
    ]
    content = views.registrants_csv(context.t, rows, services.settings.timezone)
    await context.bot.send_document(chat.id, InputFile(content, filename=filename, attach=False))


# ---- a new session -------------------------------------------------------------------
async def _new(update: Update, context: BotContext) -> None:
    memory(context).pop(_DRAFT, None)
    workshops = context.services.workshops.catalogue.workshops
    await replace(update, context, views.choose_workshop(context.t, workshops))


async def _new_workshop(update: Update, context: BotContext, argument: str) -> None:
    catalogue = context.services.workshops.catalogue
    workshop = catalogue.workshop(argument)
    if workshop is None:
        await _new(update, context)
        return
    memory(context)[_DRAFT] = Draft(workshop.slug)
    if not catalogue.places:
        await _new_place(update, context, "-")
        return
    await replace(update, context, views.choose_place(context.t, workshop, catalogue.places))


async def _new_place(update: Update, context: BotContext, argument: str) -> None:
    catalogue = context.services.workshops.catalogue
    draft = memory(context).get(_DRAFT)
    place = None if argument == "-" else catalogue.place(argument)
    workshop = catalogue.workshop(draft.workshop) if isinstance(draft, Draft) else None
    if not isinstance(draft, Draft) or workshop is None or (argument != "-" and place is None):
        await _new(update, context)
        return
    draft.place = None if place is None else place.slug
    set_prompt(context, ("moment",))
    await replace(update, context, views.ask_moment(context.t, workshop))


async def _create(update: Update, context: BotContext) -> None:
    services, t = context.services, context.t
    draft = memory(context).pop(_DRAFT, None)
    if not isinstance(draft, Draft) or draft.line is None:
        await _new(update, context)
        return
    try:
        offer = await asyncio.to_thread(
            services.workshops.add_session,
            draft.workshop,
            draft.line.starts_at,
            draft.line.ends_at,
            draft.line.capacity,
            draft.place,
            services.clock(),
        )
    except SessionError as error:
        # The moment passed while they read the confirmation, or the catalogue changed.
        await send(update, context, Screen(views.not_a_session(t, error.reason)))
        await _new(update, context)
        return
    log.info("staff created session %s", offer.session.id)
    await _audit(
        update, context, "session", f"séance {offer.session.id} créée ({offer.workshop.slug})"
    )
    found = await session_screen(context, offer.session.id, notice=views.session_created(t))
    await replace(update, context, found or await _home(context))


# ---- what staff type ------------------------------------------------------------------
async def typed(update: Update, context: BotContext) -> None:
    """Group -1: a staff member answering the bot's question (seats, a session's moment, a
    record or a report's dates). Anything else goes on to the other handlers (a question to
    the knowledge base)."""
    message = update.effective_message
    if message is None or message.text is None or not is_staff(update, context):
        return
    asked = prompt(context)
    if asked is None:
        return
    if isinstance(asked, staff_records.Asked):  # the records' and the report's questions
        await staff_records.typed(update, context, asked, message.text)
    elif isinstance(asked, tuple) and asked[0] == "capacity":
        await _typed_capacity(update, context, asked[1], message.text.strip())
    else:
        await _typed_moment(update, context, message.text)
    raise ApplicationHandlerStop


async def _typed_capacity(update: Update, context: BotContext, session_id: int, text: str) -> None:
    services, t = context.services, context.t
    if not text.isdigit() or len(text) > 4 or int(text) < 1:
        await send(update, context, Screen(views.not_a_capacity(t)))
        return
    capacity = int(text)
    set_prompt(context, None)
    offer = await asyncio.to_thread(services.workshops.offer, session_id)
    if offer is None:
        await send(update, context, await _home(context))
        return
    registrants = await asyncio.to_thread(services.workshops.registrants, session_id)
    moved = services.workshops.would_wait(registrants, capacity)
    if moved:
        await send(update, context, views.confirm_capacity(t, offer, capacity, moved))
        return
    await send(update, context, await _change_capacity(update, context, session_id, capacity))


async def _typed_moment(update: Update, context: BotContext, text: str) -> None:
    services, t = context.services, context.t
    draft = memory(context).get(_DRAFT)
    workshop = (
        services.workshops.catalogue.workshop(draft.workshop) if isinstance(draft, Draft) else None
    )
    if not isinstance(draft, Draft) or workshop is None:
        set_prompt(context, None)
        await send(update, context, await _home(context))
        return
    zone = services.settings.timezone
    now = services.clock()
    try:
        line = read_session_line(text, zone, now.astimezone(zone).date())
        ends_at = services.workshops.check_session(
            draft.workshop, line.starts_at, line.ends_at, line.capacity, draft.place, now
        )
    except SessionError as error:
        await send(update, context, Screen(views.not_a_session(t, error.reason)))
        return
    set_prompt(context, None)
    draft.line = line
    place = services.workshops.catalogue.place(draft.place)
    await send(update, context, views.confirm_new(t, workshop, place, line, ends_at, zone))


button = staff_buttons(
    {
        screen.STAFF_HOME: _show_home,
        screen.STAFF_NEW: _new,
        screen.STAFF_CREATE: _create,
        screen.STAFF_EXPORT_ALL: _export_all,
    },
    [
        (screen.STAFF_SESSION_PREFIX, _show_session),
        (screen.STAFF_ATTENDANCE_PREFIX, _show_attendance),
        (screen.STAFF_TOGGLE_PREFIX, _toggle),
        (screen.STAFF_CAPACITY_PREFIX, _ask_capacity),
        (screen.STAFF_CAPACITY_CONFIRMED_PREFIX, _capacity_confirmed),
        (screen.STAFF_CANCEL_PREFIX, _ask_cancel),
        (screen.STAFF_CANCEL_CONFIRMED_PREFIX, _cancel_confirmed),
        (screen.STAFF_LINK_PREFIX, _send_link),
        (screen.STAFF_EXPORT_PREFIX, _export_one),
        (screen.STAFF_NEW_WORKSHOP_PREFIX, _new_workshop),
        (screen.STAFF_NEW_PLACE_PREFIX, _new_place),
    ],
)

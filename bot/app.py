"""The one place where the bot is wired: settings in, a ready Application out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import fiches, reminders, retention
from bot.api_client import BotApiClient
from bot.commands import register_everywhere
from bot.config import Settings
from bot.context import BotApplication, BotContext, Services
from bot.domain.guidance import Guidance
from bot.domain.people import People
from bot.domain.platform import load_library
from bot.domain.relay import Relay
from bot.domain.staff_records import StaffRecords
from bot.domain.workshops import Workshops
from bot.handlers import (
    conversation,
    guidance,
    platform,
    privacy,
    relay,
    staff,
    staff_records,
    workshops,
)
from bot.handlers.common import acknowledge, expired_button, identify, send
from bot.i18n import Catalogs
from bot.intake import MAX_RUNNING_UPDATES, ChatOrderedProcessor, DurableUpdateQueue
from bot.knowledge import load_knowledge_base
from bot.knowledge.workshops import load_catalogue
from bot.sessions_cli import USERNAME
from bot.storage import (
    FactRepository,
    InboxRepository,
    RelayRepository,
    SessionRepository,
    StaffRecordRepository,
    UserRepository,
)
from bot.storage.platform_fiches import PlatformFicheRepository
from bot.views import menu as menu_views
from bot.views import screen

log = logging.getLogger(__name__)

# Handled updates are remembered this long (by id only), to recognise one sent again.
INBOX_KEEPS_HANDLED = timedelta(days=1)
INBOX_PRUNE_EVERY = timedelta(hours=1)
MESSAGES_PER_SECOND = 29  # Telegram allows about 30, all chats together
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_application(
    settings: Settings,
    engine: Engine,
    *,
    clock: Callable[[], datetime] = utc_now,
    update_processor: ChatOrderedProcessor | None = None,
) -> BotApplication:
    """The bot, its handlers and its resources (set up in post_init, closed in post_shutdown).

    The caller opens the database (`prepare_database`) and the knowledge base is read here,
    so that either problem stops the start at once, in one line, before any connection to
    Telegram. Updates go through the inbox (nothing lost on a crash) and are handled chats
    in parallel, each chat in order."""
    base = load_knowledge_base(clock().astimezone(settings.timezone).date())
    catalogue = load_catalogue()
    queue = DurableUpdateQueue(clock)
    processor = update_processor or ChatOrderedProcessor(clock)
    inbox = InboxRepository(engine)

    async def post_init(application: BotApplication) -> None:
        queue.attach(inbox)
        processor.attach(inbox)
        # Before polling starts: what was received but not handled before the last stop
        # goes first, in its order.
        await queue.replay(application.bot)
        # Deep links printed by `sessions add` name the bot: remember what it is called.
        if application.bot.username:
            await asyncio.to_thread(FactRepository(engine).set, USERNAME, application.bot.username)
        catalogs = Catalogs()
        library = await asyncio.to_thread(load_library, PlatformFicheRepository(engine))
        workshops_service = Workshops(SessionRepository(engine), catalogue)
        application.bot_data["services"] = Services(
            settings=settings,
            engine=engine,
            catalogs=catalogs,
            users=UserRepository(engine),
            guidance=Guidance(base, catalogs, library),
            workshops=workshops_service,
            people=People(engine, workshops_service, clock),
            records=StaffRecords(StaffRecordRepository(engine), workshops_service, clock),
            clock=clock,
            relay=Relay(
                RelayRepository(engine),
                UserRepository(engine),
                workshops_service,
                settings.staff_hours,
                settings.timezone,
                clock,
            ),
        )
        # After polling has started, so that registering 27 commands and descriptions
        # does not delay the first answer.
        if application.job_queue is None:
            raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
        application.job_queue.run_once(register_commands, when=0, name="register-commands")
        if settings.staff_chat_id is not None:
            application.job_queue.run_once(
                relay.check_staff_group, when=0, name="check-staff-group"
            )
        application.job_queue.run_repeating(
            prune_inbox, interval=INBOX_PRUNE_EVERY, first=INBOX_PRUNE_EVERY, name="prune-inbox"
        )
        # Reminders are derived from the database now, then every minute: sessions can be
        # added from the command line, and a restart must neither lose nor repeat one.
        application.job_queue.run_repeating(
            reminders.plan, interval=reminders.PLAN_EVERY, first=0.1, name="plan-reminders"
        )
        application.job_queue.run_repeating(
            fiches.refresh, interval=fiches.LOOK_EVERY, first=fiches.LOOK_EVERY, name="fiches"
        )
        application.job_queue.run_repeating(
            retention.purge, interval=retention.PURGE_EVERY, first=60, name="retention"
        )

    async def post_shutdown(application: BotApplication) -> None:
        services = application.bot_data.get("services")
        if isinstance(services, Services):
            services.engine.dispose()

    bot = BotApiClient(
        settings.require_bot_token(),
        base_url=settings.telegram_api_base_url,
        defaults=Defaults(
            parse_mode=ParseMode.HTML,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        ),
        # Keeps within Telegram's flood limits and waits `retry_after` on a 429. One message
        # every 1/29 s rather than bursts of 30: a burst of reminders then stays under the
        # limit in every second, instead of meeting 429s and their pauses.
        rate_limiter=AIORateLimiter(
            overall_max_rate=1, overall_time_period=1 / MESSAGES_PER_SECOND, max_retries=3
        ),
        # As many connections as updates may be answered at once.
        request=HTTPXRequest(connection_pool_size=MAX_RUNNING_UPDATES),
        get_updates_request=HTTPXRequest(),
    )
    builder = (
        ApplicationBuilder()
        .bot(bot)
        .update_queue(queue)
        .concurrent_updates(processor)
        .context_types(ContextTypes(context=BotContext))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    application: BotApplication = builder.build()  # type: ignore[assignment]
    add_handlers(application)
    return application


async def register_commands(context: BotContext) -> None:
    await register_everywhere(context.bot, context.services.catalogs)


async def prune_inbox(context: BotContext) -> None:
    services = context.services
    inbox = InboxRepository(services.engine)
    await asyncio.to_thread(inbox.prune, services.clock() - INBOX_KEEPS_HANDLED)


def add_handlers(application: BotApplication) -> None:
    application.add_handler(TypeHandler(Update, identify), group=-2)
    # Staff answering the bot's question (seats, a new session's moment) before the text
    # is taken for a question to the knowledge base.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, staff.typed),
        group=-1,
    )
    # The relay's staff group (identify lets only its staff through): every message there
    # is the relay's, and each of these handlers stops there, so nothing else answers in it.
    in_groups = filters.ChatType.GROUPS
    application.add_handler(CommandHandler("close", relay.close_asked, in_groups), group=-1)
    application.add_handler(CommandHandler("info", relay.info_asked, in_groups), group=-1)
    application.add_handler(MessageHandler(in_groups, relay.from_staff), group=-1)
    application.add_handler(CommandHandler(["start", "language"], conversation.start))
    application.add_handler(CommandHandler("menu", conversation.show_menu))
    application.add_handler(CommandHandler("help", conversation.show_help))
    application.add_handler(
        CallbackQueryHandler(conversation.language_chosen, pattern=f"^{screen.LANGUAGE_PREFIX}")
    )
    application.add_handler(CommandHandler("workshops", workshops.show_upcoming))
    application.add_handler(CommandHandler("myworkshops", workshops.show_mine))
    application.add_handler(CommandHandler("mydata", privacy.my_data))
    application.add_handler(CommandHandler("profile", privacy.show_profile))
    application.add_handler(CommandHandler("forget", privacy.forget_asked))
    application.add_handler(CommandHandler("staff", staff.open_space))
    application.add_handler(CommandHandler("report", staff_records.open_report))
    application.add_handler(CommandHandler("end", relay.end_asked))
    # Staff presses: who pressed is checked in `staff.button`, on every press.
    application.add_handler(CallbackQueryHandler(staff.button, pattern=f"^{screen.STAFF}"))
    application.add_handler(
        CallbackQueryHandler(staff_records.button, pattern=f"^{screen.RECORDS}")
    )
    buttons = {
        screen.WORKSHOPS: workshops.show_upcoming,
        screen.MY_WORKSHOPS: workshops.show_mine,
        screen.CHOOSE_LANGUAGE: conversation.choose_language,
        screen.MENU: conversation.menu_button,
        screen.MY_DATA: privacy.my_data,
        screen.FORGET: privacy.forget_asked,
        screen.FORGET_CONFIRMED: privacy.forget_confirmed,
        screen.PROFILE: privacy.show_profile,
        screen.PROFILE_START: privacy.profile_start,
        screen.PROFILE_NO: privacy.profile_declined,
        screen.PLATFORM: platform.show_themes,
        screen.RELAY_TALK: relay.talk_pressed,
        screen.RELAY_BACK: relay.back_pressed,
    }
    for data, callback in buttons.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^{data}$"))
    prefixes = {
        screen.TOPIC_PREFIX: guidance.topic_chosen,
        screen.ENTRY_PREFIX: guidance.entry_chosen,
        screen.SESSION_PREFIX: workshops.session_chosen,
        screen.REGISTER_PREFIX: workshops.register_pressed,
        screen.CANCEL_PREFIX: workshops.cancel_asked,
        screen.CANCEL_CONFIRMED_PREFIX: workshops.cancel_confirmed,
        screen.CONSENT_YES_PREFIX: privacy.consent_given,
        screen.CONSENT_MORE_PREFIX: privacy.consent_more,
        screen.CONSENT_NO_PREFIX: privacy.consent_refused,
        screen.PROFILE_ASK_PREFIX: privacy.profile_ask,
        screen.PROFILE_ANSWER_PREFIX: privacy.profile_answered,
        screen.PLATFORM_THEME_PREFIX: platform.theme_chosen,
        screen.PLATFORM_FICHE_PREFIX: platform.fiche_chosen,
    }
    for prefix, callback in prefixes.items():
        application.add_handler(CallbackQueryHandler(callback, pattern=f"^{prefix}"))
    application.add_handler(
        CallbackQueryHandler(guidance.more_topics, pattern=f"^{screen.MORE_TOPICS}$")
    )
    # Every press is answered, even a forged or outdated one.
    application.add_handler(CallbackQueryHandler(expired_button))
    application.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, guidance.question
        )
    )
    # A command we do not know (a typo, an old one): the list of those we do.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.COMMAND, conversation.show_help)
    )
    # Photos, voice notes, stickers, locations…: never silence.
    application.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & ~filters.TEXT, conversation.not_text)
    )
    application.add_error_handler(on_error)


async def on_error(update: object, context: BotContext) -> None:
    """Log the failure, tell the person once, and stop the update's other handlers."""
    error = context.error
    if update is None and isinstance(error, NetworkError):
        # A failed getUpdates: the Bot API client says so once per outage.
        return
    if isinstance(error, TimedOut):
        # Telegram may well have done it (the answer was only slow to come back): an
        # apology would come before or after the real answer and confuse the person.
        log.warning("the Bot API was slow to answer (%s)", type(error).__name__)
        raise ApplicationHandlerStop
    # The exception, not the message: people's words stay out of the logs.
    log.error("error while handling an update", exc_info=error)
    if isinstance(update, Update) and update.effective_chat is not None:
        try:
            await acknowledge(update, context)
            await send(update, context, menu_views.something_went_wrong(context.t))
        except TelegramError:
            log.warning("could not tell the person about the error")
    # Without this, a failure in group -2 (identify) would let the next group answer
    # in the wrong language, and fail again.
    raise ApplicationHandlerStop

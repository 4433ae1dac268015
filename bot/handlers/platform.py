"""refugies.info's fiches for the département: themes, a theme, a fiche."""

from __future__ import annotations

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import acknowledge, expired_button, pressed, replace
from bot.views import platform as views
from bot.views.screen import PLATFORM_FICHE_PREFIX, PLATFORM_THEME_PREFIX


async def show_themes(update: Update, context: BotContext) -> None:
    services = context.services
    await acknowledge(update, context)
    screen = views.themes(context.t, services.guidance.library, services.settings.fiches_county)
    await replace(update, context, screen)


async def theme_chosen(update: Update, context: BotContext) -> None:
    _, data = pressed(update)
    theme_id = data.removeprefix(PLATFORM_THEME_PREFIX)
    library = context.services.guidance.library
    if not library.in_theme(theme_id):
        # An old button: the mirror no longer has fiches on that theme.
        await show_themes(update, context)
        return
    await acknowledge(update, context)
    await replace(update, context, views.theme(context.t, library, theme_id))


async def fiche_chosen(update: Update, context: BotContext) -> None:
    _, data = pressed(update)
    library = context.services.guidance.library
    fiche = library.fiche(data.removeprefix(PLATFORM_FICHE_PREFIX))
    reading = library.reading(fiche, context.t.code) if fiche is not None else None
    if reading is None:
        await expired_button(update, context)
        return
    await acknowledge(update, context)
    await replace(update, context, views.fiche(context.t, reading))

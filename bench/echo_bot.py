"""The baseline: a bare python-telegram-bot echo bot with the same rate limiter as ours."""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.app import MESSAGES_PER_SECOND


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text:
        await update.message.reply_text(update.message.text)


def main() -> None:
    application = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        # The same settings as the assistant's (bot.app): one message every 1/29 s.
        .rate_limiter(
            AIORateLimiter(
                overall_max_rate=1, overall_time_period=1 / MESSAGES_PER_SECOND, max_retries=3
            )
        )
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=[Update.MESSAGE])


if __name__ == "__main__":
    main()

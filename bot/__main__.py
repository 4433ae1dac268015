"""`python -m bot` runs the bot; `demo` chats in the terminal; `migrate` updates the schema."""

from __future__ import annotations

import argparse
import sys

from bot.config import ConfigError, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot with long polling (the default)")
    commands.add_parser("demo", help="chat with the bot in this terminal, offline")
    commands.add_parser("migrate", help="apply database migrations and exit")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from bot.demo import run_demo

        return run_demo(sys.stdin, sys.stdout)
    try:
        settings = load_settings()
        if args.command == "migrate":
            from bot.storage import migrate, open_engine

            migrate(open_engine(settings.database_url))
            print("database schema is up to date")
            return 0
        token = settings.require_bot_token()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    from telegram.error import InvalidToken

    from bot.app import ALLOWED_UPDATES, build_application
    from bot.logs import configure_logging

    configure_logging(secrets=[token])
    try:
        build_application(settings).run_polling(allowed_updates=ALLOWED_UPDATES)
    except InvalidToken:
        # Its message quotes the token: say what is wrong without it.
        print("error: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

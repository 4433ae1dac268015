"""`python -m bot` runs the bot; `demo` chats in the terminal; `migrate` updates the schema."""

from __future__ import annotations

import argparse
import sys

from bot.config import ConfigError, Settings, load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot with long polling (the default)")
    commands.add_parser("demo", help="chat with the bot in this terminal, offline")
    commands.add_parser("migrate", help="apply database migrations and exit")
    content = commands.add_parser("content", help="the knowledge base in content/")
    content.add_argument("action", choices=["check"], help="check: validate every entry")
    from bot.sessions_cli import add_arguments

    add_arguments(commands.add_parser("sessions", help="workshop sessions: add, list, cancel"))
    from bot.report_cli import add_arguments as add_report_arguments

    add_report_arguments(
        commands.add_parser("report", help="the contract's indicator tables for a period")
    )
    translations = commands.add_parser("translations", help="the gettext catalogs in locales/")
    translations.add_argument("action", choices=["status"], help="status: progress per language")
    args = parser.parse_args(argv)

    if args.command == "translations":
        from bot.translation_status import print_status

        return print_status(sys.stdout)
    if args.command == "content":
        from datetime import datetime
        from zoneinfo import ZoneInfo

        from bot.config import Settings
        from bot.knowledge.check import run_check

        # Today where the bot runs: an entry checked "today" in Dijon is not in the future.
        # (Checking content needs no other setting: the zone alone, else its default.)
        try:
            zone = load_settings().timezone
        except ConfigError:
            zone = ZoneInfo(Settings.model_fields["bot_timezone"].default)
        return run_check(sys.stdout, datetime.now(zone).date())

    if args.command == "demo":
        from bot.demo import run_demo

        return run_demo(sys.stdin, sys.stdout)
    try:
        settings = load_settings()
        if args.command == "migrate":
            from bot.storage.database import prepare_database

            prepare_database(settings.database_url).dispose()
            print("database schema is up to date")
            return 0
        if args.command == "sessions":
            from bot.domain.workshops import SessionError
            from bot.knowledge import ContentError
            from bot.sessions_cli import run_sessions

            try:
                return run_sessions(args, settings, sys.stdout)
            except SessionError as error:
                print(f"error: {error}", file=sys.stderr)
                return 2
            except ContentError as error:
                print(
                    f"error: the content has errors (python -m bot content check):\n{error}",
                    file=sys.stderr,
                )
                return 2
        if args.command == "report":
            return _report(args, settings)
        token = settings.require_bot_token()
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    from telegram.error import InvalidToken

    from bot.app import ALLOWED_UPDATES, build_application
    from bot.knowledge import ContentError
    from bot.logs import configure_logging
    from bot.storage.database import UnusableDatabaseError, prepare_database

    configure_logging(secrets=[token])
    try:
        engine = prepare_database(settings.database_url)
    except UnusableDatabaseError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        application = build_application(settings, engine)
    except ContentError as error:
        engine.dispose()
        print(f"error: the knowledge base in content/ has errors:\n{error}", file=sys.stderr)
        return 2
    try:
        # bootstrap_retries=-1: an unreachable Bot API at start is waited for, with
        # growing pauses and one warning line per attempt (see api_client).
        application.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)
    except InvalidToken:
        # Its message quotes the token: say what is wrong without it.
        print("error: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped)", file=sys.stderr)
        return 2
    return 0


def _report(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge import ContentError
    from bot.report_cli import ReportError, run_report
    from sync.programme import ProgrammeError

    try:
        return run_report(args, settings, sys.stdout.buffer, sys.stdout.isatty())
    except (ReportError, ProgrammeError) as error:
        print(f"error: {error}", file=sys.stderr)
    except ContentError as error:
        print(
            f"error: the content has errors (python -m bot content check):\n{error}",
            file=sys.stderr,
        )
    return 2


if __name__ == "__main__":
    sys.exit(main())

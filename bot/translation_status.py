"""`make translations-status`: per language, how many messages, translated, awaiting review."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, SOURCE_LANGUAGE

# The translator comment that marks a machine translation no person has checked yet.
AWAITING_REVIEW = "awaiting human review"


@dataclass(frozen=True)
class Status:
    code: str
    messages: int
    translated: int
    awaiting_review: int


def status(code: str, locales_dir: Path = LOCALES_DIR) -> Status:
    with (locales_dir / "messages.pot").open("rb") as handle:
        expected = {message.id for message in read_po(handle) if message.id}
    with (locales_dir / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    translated = awaiting = 0
    for message in catalog:
        if not message.id or message.id not in expected:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            translated += 1
        if any(AWAITING_REVIEW in comment for comment in message.user_comments):
            awaiting += 1
    return Status(code, len(expected), translated, awaiting)


def print_status(out: TextIO, locales_dir: Path = LOCALES_DIR) -> int:
    """One line per language; exit code 1 while a language has untranslated messages."""
    out.write(f"{'language':<10}{'messages':>10}{'translated':>12}{'awaiting review':>17}\n")
    complete = True
    for language in LANGUAGES:
        if language.code == SOURCE_LANGUAGE:
            continue
        found = status(language.code, locales_dir)
        complete = complete and found.translated == found.messages
        out.write(
            f"{found.code:<10}{found.messages:>10}{found.translated:>12}"
            f"{found.awaiting_review:>17}\n"
        )
    return 0 if complete else 1

"""Babel extractor for `content/guidance/*.yaml`: content strings reach the same catalogs as
the code's, so one `make update-catalogs` covers both.

Registered in `babel.cfg`. It yields exactly the strings the bot later looks up (after the
model's normalisation), each with a comment telling translators what it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import yaml

from bot.knowledge.load import _Loader
from bot.knowledge.model import Entry, Topic
from bot.knowledge.workshops import _PlacesFile, _WorkshopsFile

Extracted = tuple[int, str | None, str, list[str]]


def entry_messages(entry: Entry) -> Iterator[tuple[str, str]]:
    """(message, comment) for every translatable string of an entry."""
    yield entry.title, f"guidance {entry.id}: title (at most 80 characters)"
    yield entry.answer, f"guidance {entry.id}: answer (plain words; keep the blank lines)"
    for number, step in enumerate(entry.steps, start=1):
        yield step, f"guidance {entry.id}: step {number}"
    for link in entry.links:
        if link.label is not None:
            yield link.label, f"guidance {entry.id}: button (at most 40 characters)"
    yield (
        entry.keywords_message,
        f"guidance {entry.id}: search words, separated by commas. Translate them and add the "
        "words people would type in your language (everyday words, spellings, acronyms). "
        "They are never shown.",
    )


def extract_guidance(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: dict[str, Any]
) -> Iterator[Extracted]:
    """The Babel extractor interface: (line, function, message, comments)."""
    topic = Topic.model_validate(yaml.load(fileobj, Loader=_Loader))  # noqa: S506 - safe loader
    yield 1, None, topic.title, [f"guidance topic {topic.id}: menu button (short)"]
    for entry in topic.entries:
        for message, comment in entry_messages(entry):
            yield 1, None, message, [comment]


def extract_catalogue(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: dict[str, Any]
) -> Iterator[Extracted]:
    """Workshop titles and descriptions (workshops.yaml), place names (places.yaml)."""
    raw = yaml.load(fileobj, Loader=_Loader)  # noqa: S506 - a safe loader
    if isinstance(raw, dict) and "workshops" in raw:
        for workshop in _WorkshopsFile.model_validate(raw).workshops:
            yield 1, None, workshop.title, [f"workshop {workshop.slug}: title (at most 60)"]
            yield 1, None, workshop.description, [f"workshop {workshop.slug}: description"]
    elif isinstance(raw, dict) and "places" in raw:
        for place in _PlacesFile.model_validate(raw).places:
            yield 1, None, place.name, [f"place {place.slug}: name (keep proper names)"]

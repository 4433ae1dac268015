"""refugies.info's fiches for the département, as the assistant offers them: by theme, one
by one in the reader's language (French when the platform has no translation), and as
search documents beside the knowledge base's own entries.

The mirror is filled by `python -m sync fiches` (another process); the bot reads it into a
`PlatformLibrary` at start and again when a newer mirror run is seen."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.search import Document
from bot.storage.platform_fiches import FicheText, PlatformFiche, PlatformFicheRepository

SOURCE_LANGUAGE = "fr"
# Search tells a fiche from an entry of the knowledge base by this prefix.
DOCUMENT_PREFIX = "ri:"
# On equal relevance our own entries come first: they are checked against official
# sources for Dijon; the platform's fiches are written by many organisations.
FICHE_PRIORITY = 0.9
# refugies.info's home page per language, for when a fiche or the mirror is missing.
PLATFORM_SITE = "https://refugies.info"

_TAG = re.compile(r"<[^>]+>")


def platform_home(language: str) -> str:
    return f"{PLATFORM_SITE}/{language}"


def plain(telegram_html: str) -> str:
    """The words of a section, for search (its markup and entities undone)."""
    return html.unescape(_TAG.sub(" ", telegram_html))


@dataclass(frozen=True)
class Reading:
    """A fiche as one reader sees it: in their language, or in French when the platform
    has no translation (`translated` False: say so)."""

    fiche: PlatformFiche
    text: FicheText
    translated: bool


class PlatformLibrary:
    """The mirrored fiches (ours excluded: the bot tells of our actions itself) and the
    platform's theme names per language. Read-only: a refresh builds a new one."""

    def __init__(
        self,
        fiches: Sequence[PlatformFiche] = (),
        theme_names: Mapping[str, Mapping[str, str]] | None = None,
        mirrored_at: datetime | None = None,
    ) -> None:
        self.fiches = tuple(fiches)
        # theme id → language → name, as the platform writes it
        self.theme_names = theme_names or {}
        self.mirrored_at = mirrored_at
        self._by_id = {fiche.id: fiche for fiche in self.fiches}

    @property
    def empty(self) -> bool:
        return not self.fiches

    def fiche(self, fiche_id: str) -> PlatformFiche | None:
        return self._by_id.get(fiche_id)

    def themes(self) -> list[tuple[str, int]]:
        """Themes that have fiches (by main theme), the fullest first."""
        counts = Counter(f.theme_id for f in self.fiches if f.theme_id)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def in_theme(self, theme_id: str) -> list[PlatformFiche]:
        return [f for f in self.fiches if f.theme_id == theme_id]

    def theme_name(self, theme_id: str, language: str) -> str | None:
        names = self.theme_names.get(theme_id, {})
        return names.get(language) or names.get(SOURCE_LANGUAGE)

    def reading(self, fiche: PlatformFiche, language: str) -> Reading | None:
        """The fiche in the reader's language, else in French; None if it has neither (or
        no title to show)."""
        text = fiche.text(language)
        if text is None or not text.title:
            return None
        return Reading(fiche, text, translated=text.language == language)

    def documents(self) -> list[Document]:
        """Every translation of every fiche, as search indexes it."""
        found = []
        for fiche in self.fiches:
            for text in fiche.texts.values():
                if not text.translated or not text.title:
                    continue
                body = " ".join([text.summary or "", *(plain(s.html) for s in text.sections)])
                headings = " ".join(s.title for s in text.sections if s.title)
                found.append(
                    Document(
                        entry_id=DOCUMENT_PREFIX + fiche.id,
                        language=text.language,
                        title=" ".join(filter(None, [text.title, text.brand])),
                        keywords=headings,
                        body=body,
                        priority=FICHE_PRIORITY,
                    )
                )
        return found


def fiche_id_of(document_id: str) -> str | None:
    """The fiche a search hit names, or None for an entry of the knowledge base."""
    if document_id.startswith(DOCUMENT_PREFIX):
        return document_id.removeprefix(DOCUMENT_PREFIX)
    return None


def load_library(fiches: PlatformFicheRepository) -> PlatformLibrary:
    """What the mirror holds now (ours left out)."""
    return PlatformLibrary(fiches.all(), fiches.theme_names(), fiches.last_success())

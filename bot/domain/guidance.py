"""What the assistant can tell: the knowledge base's entries and the fiches mirrored from
refugies.info, their translations, and one search over both."""

from __future__ import annotations

from bot.domain.platform import PlatformLibrary
from bot.domain.search import Answer, Document, SearchIndex
from bot.i18n import Catalogs, Translator
from bot.knowledge import Entry, KnowledgeBase


def documents(base: KnowledgeBase, translators: list[Translator]) -> list[Document]:
    """Every entry in every language, as search indexes it."""
    found = []
    for t in translators:
        for entry in base.entries():
            body = " ".join([t.gettext(entry.answer), *(t.gettext(step) for step in entry.steps)])
            found.append(
                Document(
                    entry_id=entry.id,
                    language=t.code,
                    title=t.gettext(entry.title),
                    keywords=t.gettext(entry.keywords_message),
                    body=body,
                    emergency=entry.emergency,
                )
            )
    return found


class Guidance:
    """Built at start-up. The entries never change while the bot runs; the fiches change
    when the mirror does (`refresh`), and the library and its index are swapped together in
    one assignment, so a search never sees one without the other."""

    def __init__(
        self, base: KnowledgeBase, catalogs: Catalogs, library: PlatformLibrary | None = None
    ) -> None:
        self.base = base
        self._entries = documents(base, catalogs.all())
        self._state = self._indexed(library or PlatformLibrary())

    def _indexed(self, library: PlatformLibrary) -> tuple[PlatformLibrary, SearchIndex]:
        return library, SearchIndex([*self._entries, *library.documents()])

    def refresh(self, library: PlatformLibrary) -> None:
        """Take a newer mirror of the fiches (built before it replaces the old one)."""
        self._state = self._indexed(library)

    @property
    def library(self) -> PlatformLibrary:
        return self._state[0]

    @property
    def index(self) -> SearchIndex:
        return self._state[1]

    def entry(self, entry_id: str) -> Entry | None:
        return self.base.entry(entry_id)

    def ask(self, question: str, language: str) -> Answer:
        """Entries and fiches (`fiche_id_of` tells them apart), best first. A fiche found
        just before a refresh may be gone from `library` by the time it is read: skip it."""
        return self.index.search(question, language)

    def emergency(self, message: str, language: str) -> Entry | None:
        """The emergency entry a message calls for, as search decides it (an emergency
        first among its answers), or None: someone writing to the team in danger gets the
        numbers at once rather than after the team has read them."""
        hits = self.ask(message, language).hits
        if not hits or not hits[0].emergency:
            return None
        return self.entry(hits[0].entry_id)

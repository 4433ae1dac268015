"""The knowledge base as the bot uses it: entries, their translations, and search over them."""

from __future__ import annotations

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
    """Built once at start-up; read-only afterwards, so handlers share it freely."""

    def __init__(self, base: KnowledgeBase, catalogs: Catalogs) -> None:
        self.base = base
        self.index = SearchIndex(documents(base, catalogs.all()))

    def entry(self, entry_id: str) -> Entry | None:
        return self.base.entry(entry_id)

    def ask(self, question: str, language: str) -> Answer:
        return self.index.search(question, language)

"""The knowledge base: topics and entries read from `content/guidance/`, validated, translated."""

from bot.knowledge.load import ContentError, load_knowledge_base
from bot.knowledge.model import Audience, Entry, KnowledgeBase, Link, Topic

__all__ = [
    "Audience",
    "ContentError",
    "Entry",
    "KnowledgeBase",
    "Link",
    "Topic",
    "load_knowledge_base",
]

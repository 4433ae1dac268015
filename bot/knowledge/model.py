"""What a guidance topic and entry are. French is the source; translations come from gettext."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# A phone screen shows about this much without scrolling; longer answers become steps.
ANSWER_LIMIT = 600
TITLE_LIMIT = 80
STEP_LIMIT = 300
# Facts about the funded actions come from the contract, which has no web page of its own.
CONTRACT_SOURCE = "contract:"
# Telegram allows 64 characters on a button before it cuts them on small phones.
LABEL_LIMIT = 40


class Audience(StrEnum):
    """Who an entry is for, when it is not for everyone."""

    BPI = "bpi"  # refugees, subsidiary protection, stateless
    BPT = "bpt"  # temporary protection (displaced from Ukraine)
    FIRST_PERMIT = "first-permit"  # a first residence permit, integration contract signed
    UNDER_26 = "under-26"
    PARENTS = "parents"
    WORKERS = "workers"


class _Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Link(_Content):
    """A button under an entry: an official web page, or another entry."""

    label: Text | None = Field(default=None, max_length=LABEL_LIMIT)
    url: str | None = None
    entry: Slug | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Link:
        if (self.url is None) == (self.entry is None):
            raise ValueError("a link has either `url` or `entry`, not both")
        if self.url is not None and self.label is None:
            raise ValueError("a web link needs a `label`")
        if self.url is not None and urlsplit(self.url).scheme != "https":
            raise ValueError(f"links use https: {self.url}")
        return self


class Entry(_Content):
    id: Slug
    title: Text = Field(max_length=TITLE_LIMIT)
    answer: Text
    steps: tuple[Annotated[Text, Field(max_length=STEP_LIMIT)], ...] = ()
    links: tuple[Link, ...] = ()
    keywords: tuple[Text, ...] = Field(min_length=1)
    audience: tuple[Audience, ...] = ()
    # A number to call at once: search puts such an entry first when it matches.
    emergency: bool = False
    source: str
    checked: date

    @field_validator("answer")
    @classmethod
    def _folded(cls, value: str) -> str:
        # YAML's folded blocks keep a final newline; paragraphs stay separated by one blank line.
        return "\n\n".join(part.strip() for part in value.split("\n\n") if part.strip())

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if not value.startswith(CONTRACT_SOURCE) and urlsplit(value).scheme != "https":
            raise ValueError(
                f"the source is an https address of an official page, or {CONTRACT_SOURCE}<id> "
                f"for the contract in programme.yaml: {value}"
            )
        return value

    @property
    def keywords_message(self) -> str:
        """The search words as one message, so translators can add their own synonyms."""
        return ", ".join(self.keywords)

    @property
    def contract_source(self) -> str | None:
        """The contract's id when the facts come from the contract, not a web page."""
        return self.source.removeprefix(CONTRACT_SOURCE) if self.is_from_contract else None

    @property
    def is_from_contract(self) -> bool:
        return self.source.startswith(CONTRACT_SOURCE)


class Topic(_Content):
    id: Slug
    title: Text = Field(max_length=40)
    emoji: str = Field(min_length=1, max_length=4)
    order: int
    # Where the topic's button is: alone on the first row (emergencies), on the main menu,
    # or behind « Autres thèmes » so the menu stays short on a phone.
    menu: Literal["emergency", "main", "more"] = "more"
    entries: tuple[Entry, ...] = Field(min_length=1)


class KnowledgeBase(_Content):
    topics: tuple[Topic, ...]
    official_sites: tuple[str, ...]

    def entry(self, entry_id: str) -> Entry | None:
        return self._entries().get(entry_id)

    def topic(self, topic_id: str) -> Topic | None:
        return next((topic for topic in self.topics if topic.id == topic_id), None)

    def topic_of(self, entry_id: str) -> Topic | None:
        return next((t for t in self.topics if any(e.id == entry_id for e in t.entries)), None)

    def on_menu(self, place: str) -> list[Topic]:
        return [topic for topic in self.topics if topic.menu == place]

    def entries(self) -> list[Entry]:
        return [entry for topic in self.topics for entry in topic.entries]

    def _entries(self) -> dict[str, Entry]:
        return {entry.id: entry for entry in self.entries()}

    def is_official(self, url: str) -> bool:
        """Whether a link or source points at a site of official-sites.yaml."""
        host = (urlsplit(url).hostname or "").lower()
        return any(host == site or host.endswith("." + site) for site in self.official_sites)

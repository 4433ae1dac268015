"""The funded programme, read from `content/programme.yaml`.

One file holds the contract (parties, period, funding), the operator, and each action:
its targets and indicators (for the Article 8 report) and the text of its refugies.info
fiche (Article 7). A new contract period is an edit of that file, never of the code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from sync.payloads import Metadatas, ObjectId

DEFAULT_PROGRAMME_PATH = Path(__file__).resolve().parent.parent / "content" / "programme.yaml"

# The platform refuses a fiche unless each of these is filled or explicitly null.
REQUIRED_METADATA_KEYS = tuple(Metadatas.model_fields)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Breakdown = Literal["men", "women", "under_25", "bpi", "bpi_men", "bpi_women", "bpi_under_25"]
IndicatorKind = Literal["people", "structures", "households", "hours", "amount", "description"]


class ProgrammeError(Exception):
    """The programme file is missing or invalid; the message says where."""


class _Content(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Party(_Content):
    name: Text
    represented_by: Text


class Period(_Content):
    start: date
    end: date

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end <= self.start:
            raise ValueError("the period must end after it starts")
        return self


class Contract(_Content):
    id: Slug
    title: Text
    territory: Text
    parties: tuple[Party, ...] = Field(min_length=2)
    period: Period
    state_contribution_eur: int = Field(gt=0)
    source: Text
    # Appended to every fiche's "C'est quoi ?": who funds the action, under which contract.
    listing_note: Text


class Operator(_Content):
    name: Text
    programme: Text
    premises: str | None = None


class ThemeRef(_Content):
    """A platform theme: found by name in `GET /themes`, else this configured id."""

    id: ObjectId
    names: tuple[Text, ...] = Field(min_length=1)


class Section(_Content):
    key: Slug
    title: Text
    text: Text


class ContactInfo(_Content):
    """Who the platform's team may contact about the fiche; only sourced details."""

    name: Text
    email: str | None = None
    phone: str | None = None
    is_member: bool
    is_me: bool


class PriceSource(_Content):
    """Who said what the actions cost, and when: the contract says nothing about a price."""

    confirmed_by: Text
    confirmed_on: date
    how: Text  # e.g. "email to the programme's manager", "CESAM's public page <url>"


class MapPoint(_Content):
    """A place on the fiche's map: written only with the public page that gives it."""

    title: Text
    address: Text
    city: str | None = None
    lat: float
    lng: float
    source: Text


class Listing(_Content):
    """The fiche's text and filters, in French; other languages come from the platform."""

    titre_informatif: Text
    titre_marque: Text
    abstract: Text
    what: Text
    why: tuple[Section, ...]
    how: tuple[Section, ...]
    theme: Slug
    secondary_themes: tuple[Slug, ...] = ()
    metadatas: Metadatas
    contact: ContactInfo
    map: tuple[MapPoint, ...] = ()
    # Required when metadatas.price is set: a price is published only with its source.
    price_source: PriceSource | None = None

    @model_validator(mode="after")
    def _sections_unique(self) -> Listing:
        for part in ("why", "how"):
            keys = [section.key for section in getattr(self, part)]
            if len(keys) != len(set(keys)):
                raise ValueError(f"{part}: two sections share a key")
        if self.theme in self.secondary_themes:
            raise ValueError("the main theme is also listed as a secondary theme")
        return self


class Targets(_Content):
    beneficiaries: int = Field(gt=0)
    primo_arrivants: int = Field(ge=0)
    bpi: int = Field(ge=0)
    bpt: int = Field(ge=0)
    structures: int | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _adds_up(self) -> Targets:
        parts = self.primo_arrivants + self.bpi + self.bpt
        if parts != self.beneficiaries:
            raise ValueError(
                f"primo_arrivants + bpi + bpt = {parts}, but beneficiaries = {self.beneficiaries}"
            )
        return self


class Indicator(_Content):
    key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")]
    label: Text
    kind: IndicatorKind
    group: str | None = None
    target: int | None = Field(default=None, ge=0)
    breakdown: tuple[Breakdown, ...] = ()


class Action(_Content):
    key: Slug
    fiche: int = Field(gt=0)
    axis: int = Field(gt=0)
    title: Text
    target_public: tuple[Text, ...] = Field(min_length=1)
    partners: tuple[Text, ...] = ()
    cost_eur: int = Field(ge=0)
    staff_fte: float = Field(ge=0)
    targets: Targets
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    complementary_indicators: tuple[Text, ...] = ()
    listing: Listing

    @field_validator("indicators")
    @classmethod
    def _indicator_keys_unique(cls, value: tuple[Indicator, ...]) -> tuple[Indicator, ...]:
        keys = [indicator.key for indicator in value]
        if len(keys) != len(set(keys)):
            raise ValueError("two indicators share a key")
        return value


class Programme(_Content):
    contract: Contract
    operator: Operator
    themes: dict[Slug, ThemeRef]
    breakdowns: dict[Breakdown, Text]
    actions: tuple[Action, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _apply_listing_defaults(cls, data: Any) -> Any:
        # Shared filters, contact, price source and closing sections are written once; an
        # action only states its differences.
        if not isinstance(data, dict) or "listing_defaults" not in data:
            return data
        data = dict(data)
        defaults = data.pop("listing_defaults") or {}
        if not isinstance(defaults, dict):
            raise ValueError("listing_defaults must be a mapping")
        unknown = set(defaults) - {"metadatas", "contact", "price_source", "how_end"}
        if unknown:
            raise ValueError(f"listing_defaults: unknown keys {sorted(unknown)}")
        how_end = defaults.get("how_end") or []
        if not isinstance(how_end, list):
            raise ValueError("listing_defaults.how_end must be a list of sections")
        actions = []
        for action in data.get("actions") or []:
            if isinstance(action, dict) and isinstance(action.get("listing"), dict):
                listing = dict(action["listing"])
                listing["metadatas"] = {
                    **(defaults.get("metadatas") or {}),
                    **(listing.get("metadatas") or {}),
                }
                listing.setdefault("contact", defaults.get("contact"))
                if defaults.get("price_source") is not None:
                    listing.setdefault("price_source", defaults["price_source"])
                if how_end:
                    listing["how"] = [*(listing.get("how") or []), *how_end]
                action = {**action, "listing": listing}
            actions.append(action)
        data["actions"] = actions
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Programme:
        keys = [action.key for action in self.actions]
        if len(keys) != len(set(keys)):
            raise ValueError("two actions share a key")
        numbers = [action.fiche for action in self.actions]
        if len(numbers) != len(set(numbers)):
            raise ValueError("two actions share a fiche number")
        for action in self.actions:
            listing = action.listing
            for theme in (listing.theme, *listing.secondary_themes):
                if theme not in self.themes:
                    raise ValueError(f"action {action.key}: unknown theme {theme!r}")
            given = listing.metadatas.model_fields_set
            missing = [key for key in REQUIRED_METADATA_KEYS if key not in given]
            if missing:
                raise ValueError(
                    f"action {action.key}: metadatas {', '.join(missing)} missing "
                    "(write a value, or null for no restriction)"
                )
            if listing.metadatas.price is not None and listing.price_source is None:
                raise ValueError(
                    f"action {action.key}: metadatas.price is set but not its source: the "
                    "contract says nothing about a price. Write price_source (confirmed_by, "
                    "confirmed_on, how), or price: null"
                )
            for indicator in action.indicators:
                unlabelled = [b for b in indicator.breakdown if b not in self.breakdowns]
                if unlabelled:
                    raise ValueError(f"action {action.key}: no label for {unlabelled}")
        return self

    def action(self, key: str) -> Action:
        for action in self.actions:
            if action.key == key:
                return action
        raise KeyError(key)


def load_programme(path: Path | None = None) -> Programme:
    """Read and check the programme file (default: `content/programme.yaml`)."""
    path = path or DEFAULT_PROGRAMME_PATH
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ProgrammeError(f"cannot read {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise ProgrammeError(f"{path} is not valid YAML: {error}") from error
    try:
        return Programme.model_validate(raw)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or '(top)'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise ProgrammeError(f"{path}: {problems}") from error

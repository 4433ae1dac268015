"""The workshop catalogue (`content/workshops.yaml`) and the places (`content/places.yaml`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import yaml
from pydantic import Field, ValidationError, model_validator

from bot.knowledge.load import CONTENT_DIR, ContentError, Problem, read_yaml
from bot.knowledge.model import Slug, Text, _Content

WORKSHOPS = "workshops.yaml"
PLACES = "places.yaml"


class Workshop(_Content):
    """A kind of workshop; its sessions (date, seats) live in the database."""

    slug: Slug
    title: Text = Field(max_length=60)
    description: Text = Field(max_length=400)
    action: Annotated[int, Field(ge=1, le=4)]  # the contract's fiche action
    duration: Annotated[int, Field(ge=15, le=600)]  # minutes, by default
    partner: Text | None = None


class Place(_Content):
    """Where sessions happen. Address and coordinates only when a source states them."""

    slug: Slug
    name: Text = Field(max_length=80)
    address: Text | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    source: Text | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Place:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        if (self.address or self.latitude is not None) and not self.source:
            raise ValueError("an address or coordinates need a `source`")
        return self


class _WorkshopsFile(_Content):
    workshops: tuple[Workshop, ...] = Field(min_length=1)


class _PlacesFile(_Content):
    places: tuple[Place, ...] = ()


class Catalogue(_Content):
    workshops: tuple[Workshop, ...]
    places: tuple[Place, ...]

    def workshop(self, slug: str) -> Workshop | None:
        return next((w for w in self.workshops if w.slug == slug), None)

    def place(self, slug: str | None) -> Place | None:
        return next((p for p in self.places if p.slug == slug), None)


def inspect_catalogue(content_dir: Path) -> tuple[Catalogue | None, list[Problem]]:
    """The catalogue (None when it has errors) and its problems, by file."""
    problems: list[Problem] = []
    files: dict[str, _WorkshopsFile | _PlacesFile] = {}
    for name, model in ((WORKSHOPS, _WorkshopsFile), (PLACES, _PlacesFile)):
        try:
            files[name] = model.model_validate(read_yaml(content_dir / name))
        except (OSError, yaml.YAMLError, ValidationError) as error:
            detail = (
                error.errors()
                if isinstance(error, ValidationError)
                else [{"msg": f"cannot be read: {error}", "loc": ()}]
            )
            for item in detail:
                where = ".".join(str(part) for part in item["loc"])
                problems.append(Problem("error", name, where or None, str(item["msg"])))
    workshops = files.get(WORKSHOPS)
    places = files.get(PLACES)
    if not isinstance(workshops, _WorkshopsFile) or not isinstance(places, _PlacesFile):
        return None, problems
    for name, slugs in (
        (WORKSHOPS, [w.slug for w in workshops.workshops]),
        (PLACES, [p.slug for p in places.places]),
    ):
        for slug in {s for s in slugs if slugs.count(s) > 1}:
            problems.append(Problem("error", name, slug, "slug used twice"))
    if problems:
        return None, problems
    return Catalogue(workshops=workshops.workshops, places=places.places), problems


def load_catalogue(content_dir: Path = CONTENT_DIR) -> Catalogue:
    catalogue, problems = inspect_catalogue(content_dir)
    if catalogue is None:
        raise ContentError(problems)
    return catalogue

"""An action's fiche as the platform wants it, and how to compare it with what it shows."""

from __future__ import annotations

import hashlib
import html
import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sync.payloads import (
    Contact,
    CreateDispositifRequest,
    InfoSection,
    Poi,
)
from sync.programme import REQUIRED_METADATA_KEYS, Action, Programme, Section

# Changing this would give every section a new key, and the platform would drop every
# translation at the next update: never change it.
SECTION_KEY_NAMESPACE = "ensemble-assistant:refugies-info:section"

# Fields `GET /dispositifs/{id}` shows back. The platform only logs `contact`, and
# `typeContenu` cannot change, so those two are followed through our own hashes.
FIELDS_SHOWN_BACK = frozenset(
    {
        "titreInformatif",
        "titreMarque",
        "abstract",
        "what",
        "why",
        "how",
        "mainSponsor",
        "theme",
        "secondaryThemes",
        "metadatas",
        "map",
    }
)
NOT_UPDATABLE = frozenset({"typeContenu"})


def section_key(action_key: str, part: str, key: str) -> str:
    """A UUID (version-4 form, as the platform's editor makes) that never changes for a section.

    The platform diffs sections by key: a section keeping its key keeps its translations
    when another section changes.
    """
    digest = hashlib.sha256(f"{SECTION_KEY_NAMESPACE}/{action_key}/{part}/{key}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def to_html(text: str) -> str:
    """Plain text with blank-line paragraphs and "- " list lines, as the platform's rich text."""
    return "".join(_block_to_html(block) for block in text.strip().split("\n\n") if block.strip())


def _block_to_html(block: str) -> str:
    parts: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            parts.append(f"<p>{html.escape(' '.join(paragraph), quote=False)}</p>")
            paragraph.clear()
        if items:
            parts.append(
                "<ul>" + "".join(f"<li>{html.escape(i, quote=False)}</li>" for i in items) + "</ul>"
            )
            items.clear()

    for raw_line in block.splitlines():
        line = raw_line.strip()
        if line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        elif line:
            if items:
                flush()
            paragraph.append(line)
    flush()
    return "".join(parts)


def _sections(action_key: str, part: str, sections: Iterable[Section]) -> dict[str, InfoSection]:
    return {
        section_key(action_key, part, section.key): InfoSection(
            title=section.title, text=to_html(section.text)
        )
        for section in sections
    }


def build_fiche(
    programme: Programme,
    action: Action,
    *,
    structure_id: str | None,
    theme_ids: Mapping[str, str],
) -> CreateDispositifRequest:
    """The complete body of the action's fiche (`structure_id` None: left for a person to pick)."""
    listing = action.listing
    contact = listing.contact
    contact_fields: dict[str, Any] = {
        "name": contact.name,
        "isMember": contact.is_member,
        "isMe": contact.is_me,
    }
    if contact.email:
        contact_fields["email"] = contact.email
    if contact.phone:
        contact_fields["phone"] = contact.phone
    fields: dict[str, Any] = {
        "typeContenu": "dispositif",
        "titreInformatif": listing.titre_informatif,
        "titreMarque": listing.titre_marque,
        "abstract": listing.abstract,
        "what": to_html(listing.what) + to_html(programme.contract.listing_note),
        "why": _sections(action.key, "why", listing.why),
        "how": _sections(action.key, "how", listing.how),
        "contact": Contact(**contact_fields),
        "theme": theme_ids[listing.theme],
        "secondaryThemes": [theme_ids[theme] for theme in listing.secondary_themes],
        "metadatas": listing.metadatas,
        # No point without a sourced address: the contract gives none for the actions.
        "map": [
            Poi(title=p.title, address=p.address, city=p.city, lat=p.lat, lng=p.lng)
            for p in listing.map
        ]
        or None,
    }
    if structure_id is not None:
        fields["mainSponsor"] = structure_id
    return CreateDispositifRequest(**fields)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(value: Any) -> str:
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()


def field_hashes(body: Mapping[str, Any]) -> dict[str, str]:
    """One hash per field of a body: which fields changed since the last push."""
    return {name: digest(value) for name, value in body.items()}


def missing_for_publication(body: Mapping[str, Any]) -> list[str]:
    """Why the platform would refuse to publish this body (empty: complete)."""
    problems = [
        f"{name} is empty"
        for name in ("titreInformatif", "titreMarque", "what", "abstract", "theme", "mainSponsor")
        if not body.get(name)
    ]
    for part, minimum in (("why", 3), ("how", 1)):
        sections = body.get(part) or {}
        if len(sections) < minimum:
            problems.append(f"{part} has {len(sections)} sections, {minimum} needed")
        if any(not s.get("title") or not s.get("text") for s in sections.values()):
            problems.append(f"a {part} section has no title or no text")
    metadatas = body.get("metadatas") or {}
    problems.extend(
        f"metadatas.{key} is absent (give a value, or null)"
        for key in REQUIRED_METADATA_KEYS
        if key not in metadatas
    )
    return problems


def _id_of(value: Any) -> Any:
    # The platform shows references either as an id or as the populated document.
    if isinstance(value, dict):
        return value.get("_id")
    return value


def _is_empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def _contains(desired: Any, shown: Any) -> bool:
    """`shown` holds everything `desired` says; keys the platform adds are ignored."""
    if _is_empty(desired):
        # The platform drops empty lists from metadatas when it shows a fiche.
        return _is_empty(shown)
    if isinstance(desired, dict):
        return isinstance(shown, dict) and all(
            _contains(value, shown.get(key)) for key, value in desired.items()
        )
    if isinstance(desired, list):
        return (
            isinstance(shown, list)
            and len(desired) == len(shown)
            and all(_contains(d, s) for d, s in zip(desired, shown, strict=True))
        )
    if isinstance(desired, bool) or isinstance(shown, bool):
        return desired is shown
    if isinstance(desired, int | float) and isinstance(shown, int | float):
        return float(desired) == float(shown)
    return bool(desired == shown)


def platform_holds(field: str, desired: Any, shown: Any) -> bool:
    """Whether the value the platform shows for `field` is the one we would send."""
    if field in ("mainSponsor", "theme"):
        return _id_of(shown) == desired if desired is not None else _is_empty(shown)
    if field == "secondaryThemes":
        shown_ids = sorted(str(_id_of(item)) for item in shown or [])
        return shown_ids == sorted(desired or [])
    if field in ("why", "how"):
        # Sections are a map: one added on the platform is a difference too.
        if not isinstance(shown, dict) or set(shown) != set(desired or {}):
            return False
        return _contains(desired, shown)
    return _contains(desired, shown)

"""The platform's theme ids, read from `GET /themes` by name, with configured fallbacks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sync.payloads import Theme
from sync.programme import ThemeRef

# What a fiche accepts as a theme id: anything else would make every fiche unbuildable.
_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


@dataclass(frozen=True)
class ThemeIds:
    ids: dict[str, str]
    # What was not found on the platform and fell back to the configured id.
    notes: tuple[str, ...] = ()


def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


def resolve_themes(refs: Mapping[str, ThemeRef], remote: Sequence[Theme] | None) -> ThemeIds:
    """Each theme key's id: the platform's theme with one of its French names, else the fallback."""
    if remote is None:
        return ThemeIds(
            ids={key: ref.id for key, ref in refs.items()},
            notes=("themes could not be read from the platform: configured ids used",),
        )
    usable = [theme for theme in remote if _OBJECT_ID.match(theme.id)]
    notes = [
        f"theme id {theme.id!r} from the platform is not an ObjectId: ignored"
        for theme in remote
        if not _OBJECT_ID.match(theme.id)
    ]
    by_name: dict[str, str] = {}
    for theme in usable:
        for names in (theme.name, theme.short):
            french = names.get("fr")
            if french:
                by_name.setdefault(_plain(french), theme.id)
    remote_ids = {theme.id for theme in usable}
    ids: dict[str, str] = {}
    for key, ref in refs.items():
        found = next((by_name[_plain(n)] for n in ref.names if _plain(n) in by_name), None)
        if found is None:
            found = ref.id
            if ref.id not in remote_ids:
                notes.append(
                    f"theme {key!r} not found on the platform: configured id {ref.id} used"
                )
        ids[key] = found
    return ThemeIds(ids=ids, notes=tuple(notes))

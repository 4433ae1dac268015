"""A fiche as the platform shows it (`GET /dispositifs/{id}` in each language) turned into
what the mirror stores: plain titles and summary, sections in Telegram's HTML, the facts the
bot filters on, and the fiche's page on refugies.info in each language. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.domain.platform_html import to_plain_text, to_telegram_html
from bot.storage.platform_fiches import PLATFORM_LANGUAGES, FicheSection, FicheText, PlatformFiche

SITE = "https://refugies.info"
# The site's paths: French ones in French, English ones in every other language.
_PATHS = {
    ("dispositif", True): "dispositif",
    ("demarche", True): "demarche",
    ("dispositif", False): "program",
    ("demarche", False): "procedure",
}
# Room for a title and a header around a section in one Telegram message (4096).
SECTION_LIMIT = 3000
TITLE_LIMIT = 200
SUMMARY_LIMIT = 400
# The metadatas that say whom a fiche is for.
AUDIENCE_KEYS = ("publicStatus", "public", "age", "frenchLevel")
_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_MARKDOWN_BOLD = re.compile(r"\*\*(.+?)\*\*")


def is_object_id(value: object) -> bool:
    return isinstance(value, str) and bool(_OBJECT_ID.match(value))


def fiche_url(kind: str, fiche_id: str, locale: str) -> str:
    """The fiche's page on refugies.info in `locale`, as the site builds its links."""
    path = _PATHS.get((kind, locale == "fr"), _PATHS[("dispositif", locale == "fr")])
    return f"{SITE}/{locale}/{path}/{fiche_id}"


def _id_of(value: Any) -> str | None:
    # The platform shows a reference as an id, or as the document it points to.
    if isinstance(value, dict):
        value = value.get("_id")
    return value if is_object_id(value) else None


def _modified(data: Mapping[str, Any]) -> datetime | None:
    raw = data.get("lastModificationDate")
    if not isinstance(raw, str):
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _location(metadatas: Mapping[str, Any]) -> str | tuple[str, ...] | None:
    value = metadatas.get("location")
    if isinstance(value, list):
        return tuple(str(item) for item in value)
    return value if value in ("france", "online") else None


def _markdown_as_html(markdown: str) -> str:
    """Enough of the Markdown some imported fiches carry for the HTML reader: paragraphs,
    "- " lists, headings, bold and links (anything else stays text, escaped later)."""
    blocks = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines and all(line.startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines and lines[0].startswith("#"):
            blocks.append(f"<h3>{_inline(' '.join(lines).lstrip('#').strip())}</h3>")
        elif lines:
            blocks.append(f"<p>{_inline(' '.join(lines))}</p>")
    return "".join(blocks)


def _inline(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MARKDOWN_BOLD.sub(r"<b>\1</b>", escaped)
    return _MARKDOWN_LINK.sub(r'<a href="\2">\1</a>', escaped)


def _plain(value: Any, limit: int) -> str | None:
    if not isinstance(value, str):
        return None
    return to_plain_text(value, limit=limit, one_line=True) or None


def _sections(data: Mapping[str, Any]) -> tuple[FicheSection, ...]:
    sections: list[FicheSection] = []
    what = data.get("what")
    if not isinstance(what, str) or not what.strip():
        markdown = data.get("markdown")
        what = _markdown_as_html(markdown) if isinstance(markdown, str) else None
    if what:
        shown = to_telegram_html(what, limit=SECTION_LIMIT, base_url=SITE)
        if shown:
            sections.append(FicheSection("what", None, shown))
    for part in ("why", "how", "next"):
        items = data.get(part)
        if not isinstance(items, dict):
            continue
        for item in items.values():
            if not isinstance(item, dict):
                continue
            title = _plain(item.get("title"), TITLE_LIMIT)
            text = item.get("text")
            shown = (
                to_telegram_html(text, limit=SECTION_LIMIT, base_url=SITE)
                if isinstance(text, str)
                else ""
            )
            if title or shown:
                sections.append(FicheSection(part, title, shown))
    return tuple(sections)


def read_text(data: Mapping[str, Any], kind: str, fiche_id: str, locale: str) -> FicheText:
    """The fiche in one language, from `GET /dispositifs/{id}?locale=<locale>`."""
    return FicheText(
        language=locale,
        translated=True,
        title=_plain(data.get("titreInformatif"), TITLE_LIMIT),
        brand=_plain(data.get("titreMarque"), TITLE_LIMIT),
        summary=_plain(data.get("abstract"), SUMMARY_LIMIT),
        sections=_sections(data),
        url=fiche_url(kind, fiche_id, locale),
    )


def translated_locales(french: Mapping[str, Any]) -> tuple[str, ...]:
    """The other languages the platform has this fiche in (its published translations)."""
    available = french.get("availableLanguages")
    if not isinstance(available, list):
        return ()
    return tuple(lang for lang in PLATFORM_LANGUAGES[1:] if lang in available)


def read_fiche(
    fiche_id: str, answers: Mapping[str, Mapping[str, Any]], *, ours: bool
) -> PlatformFiche:
    """The stored form of a fiche, from its answers per language (`fr` required; another
    language counts as translated only if it is among the French answer's
    `availableLanguages` and was fetched)."""
    french = answers["fr"]
    kind = "demarche" if french.get("typeContenu") == "demarche" else "dispositif"
    metadatas = french.get("metadatas")
    metadatas = metadatas if isinstance(metadatas, dict) else {}
    theme = _id_of(french.get("theme"))
    secondary = french.get("secondaryThemes")
    secondary_ids = {
        found
        for item in (secondary if isinstance(secondary, list) else [])
        if (found := _id_of(item))
    }
    sponsor = french.get("mainSponsor")
    sponsor_name = sponsor.get("nom") if isinstance(sponsor, dict) else None
    translated = set(translated_locales(french))
    texts = {"fr": read_text(french, kind, fiche_id, "fr")}
    for locale in PLATFORM_LANGUAGES[1:]:
        answer = answers.get(locale)
        if locale in translated and answer is not None:
            texts[locale] = read_text(answer, kind, fiche_id, locale)
        else:
            texts[locale] = FicheText(language=locale, translated=False)
    return PlatformFiche(
        id=fiche_id,
        kind=kind,
        theme_id=theme,
        secondary_theme_ids=tuple(sorted(secondary_ids - {theme} if theme else secondary_ids)),
        location=_location(metadatas),
        audience={key: metadatas[key] for key in AUDIENCE_KEYS if metadatas.get(key) is not None},
        sponsor_id=_id_of(sponsor),
        sponsor_name=sponsor_name if isinstance(sponsor_name, str) else None,
        last_modified=_modified(french),
        ours=ours,
        texts=texts,
    )

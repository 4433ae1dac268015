"""refugies.info's fiches for the département: themes, a theme's fiches, one fiche."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.platform import PlatformLibrary, Reading, platform_home
from bot.i18n import Translator
from bot.views.menu import back_to_menu
from bot.views.screen import (
    PLATFORM,
    PLATFORM_FICHE_PREFIX,
    PLATFORM_THEME_PREFIX,
    Button,
    Screen,
    Url,
    bold,
    escape,
    keyboard,
)

# A theme's list stays within a phone's screen; the rest is on refugies.info.
MAX_LISTED = 20


def _site_button(t: Translator) -> Url:
    return Url("🌐 " + t.gettext("Ouvrir refugies.info"), platform_home(t.code))


def _theme_label(t: Translator, library: PlatformLibrary, theme_id: str) -> str:
    return library.theme_name(theme_id, t.code) or t.gettext("Autres fiches")


def themes(t: Translator, library: PlatformLibrary, county: str) -> Screen:
    """The themes that have fiches, each with how many."""
    title = "🧭 " + bold(t.gettext("Aide près de chez vous"))
    if library.empty:
        text = "\n\n".join(
            [
                title,
                escape(
                    t.gettext(
                        "Les fiches de refugies.info ne sont pas encore disponibles ici. "
                        "Vous pouvez les lire sur le site."
                    )
                ),
            ]
        )
        return Screen(t.finish(text), keyboard([[_site_button(t)], back_to_menu(t)]))
    text = "\n\n".join(
        [
            title,
            t.fill(
                t.gettext(
                    "Des fiches de refugies.info, écrites par des associations et des services "
                    "publics, pour le département {county} ou pour toute la France. Choisissez "
                    "un thème :"
                ),
                county=county,
            ),
        ]
    )
    rows: list[list[Button]] = [
        [(f"{_theme_label(t, library, theme_id)} ({count})", PLATFORM_THEME_PREFIX + theme_id)]
        for theme_id, count in library.themes()
    ]
    rows.append([_site_button(t)])
    rows.append(back_to_menu(t))
    return Screen(t.finish(text), keyboard(rows))


def reading_button(reading: Reading, *, marked: bool = False) -> Button:
    """A fiche to open; `marked`: among our own answers, it says where it comes from."""
    label = "📰 " + (reading.text.title or "")
    if marked:
        label += " (refugies.info)"
    return (label, PLATFORM_FICHE_PREFIX + reading.fiche.id)


def theme(t: Translator, library: PlatformLibrary, theme_id: str) -> Screen:
    fiches = library.in_theme(theme_id)
    text = "\n\n".join(
        [
            "🧭 " + bold(_theme_label(t, library, theme_id)),
            escape(t.gettext("Choisissez une fiche :")),
        ]
    )
    readings = [r for fiche in fiches if (r := library.reading(fiche, t.code)) is not None]
    rows: list[list[Button]] = [[reading_button(r)] for r in readings[:MAX_LISTED]]
    rows.append([("⬅️ " + t.gettext("Thèmes"), PLATFORM), *back_to_menu(t)])
    return Screen(t.finish(text), keyboard(rows))


def fiche(t: Translator, reading: Reading, *, also: Sequence[Button] = ()) -> Screen:
    """A fiche's title, summary and what it is, then the full fiche on refugies.info;
    `also`: the other answers search found."""
    text = reading.text
    heading = "📰 " + bold(text.title or "")
    if text.brand:
        heading += "\n" + escape(text.brand)
    parts = [heading]
    if not reading.translated:
        parts.append(
            "ℹ️ "
            + escape(
                t.gettext(
                    "Cette fiche n'est pas encore traduite dans votre langue : la voici en "
                    "français."
                )
            )
        )
    if text.summary:
        parts.append(escape(text.summary))
    what = next((s for s in text.sections if s.part == "what"), None)
    if what is not None and what.html:
        parts.append(what.html)  # converted to Telegram's HTML by the mirror, safe as is
    sponsor = reading.fiche.sponsor_name
    source = (
        t.fill(t.gettext("Source : refugies.info, fiche écrite par {author}"), author=sponsor)
        if sponsor
        else escape(t.gettext("Source : refugies.info"))
    )
    parts.append("📎 " + source)
    rows: list[list[Button]] = []
    if text.url:
        rows.append([Url("🌐 " + t.gettext("Lire toute la fiche sur refugies.info"), text.url)])
    rows += [[button] for button in also]
    back = PLATFORM_THEME_PREFIX + reading.fiche.theme_id if reading.fiche.theme_id else PLATFORM
    rows.append([("⬅️ " + t.gettext("Retour"), back), *back_to_menu(t)])
    return Screen(t.finish("\n\n".join(parts)), keyboard(rows))

"""Topics, entries and search results of the knowledge base, rendered for Telegram."""

from __future__ import annotations

import html
from collections.abc import Sequence
from urllib.parse import urlsplit

from bot.domain.platform import Reading
from bot.i18n import Translator
from bot.knowledge import Audience, Entry, KnowledgeBase, Topic
from bot.views.menu import back_to_menu, talk_button, topic_button, topic_label
from bot.views.platform import reading_button
from bot.views.screen import (
    ENTRY_PREFIX,
    MENU,
    TOPIC_PREFIX,
    Button,
    Screen,
    Url,
    escape,
    in_rows,
    keyboard,
)

# The entry that tells people how to reach the Ensemble ! team.
TEAM_ENTRY = "ensemble-presentation"


def audience_label(t: Translator, audience: Audience) -> str:
    labels = {
        Audience.BPI: t.gettext("personnes réfugiées, protection subsidiaire, apatrides"),
        Audience.BPT: t.gettext("protection temporaire (Ukraine)"),
        Audience.FIRST_PERMIT: t.gettext("premier titre de séjour"),
        Audience.UNDER_26: t.gettext("moins de 26 ans"),
        Audience.PARENTS: t.gettext("parents et futurs parents"),
        Audience.WORKERS: t.gettext("personnes qui travaillent"),
    }
    return labels[audience]


def entry_button(t: Translator, entry: Entry) -> Button:
    return ("➡️ " + t.gettext(entry.title), ENTRY_PREFIX + entry.id)


Found = Entry | Reading  # what search found: our entry, or a fiche of refugies.info


def found_button(t: Translator, found: Found) -> Button:
    if isinstance(found, Reading):
        return reading_button(found, marked=True)
    return entry_button(t, found)


def topic_page(t: Translator, topic: Topic) -> Screen:
    """A topic's entries, one a row, then the way back."""
    text = "\n\n".join(
        [f"<b>{escape(topic_label(t, topic))}</b>", t.gettext("Choisissez une question :")]
    )
    rows: list[list[Button]] = [[entry_button(t, entry)] for entry in topic.entries]
    rows.append(back_to_menu(t))
    return Screen(t.finish(text), keyboard(rows))


def more_topics(t: Translator, base: KnowledgeBase) -> Screen:
    buttons = [topic_button(t, topic) for topic in base.on_menu("more")]
    rows: list[list[Button]] = [*in_rows(buttons, 2), back_to_menu(t)]
    return Screen(t.finish(t.gettext("Autres thèmes :")), keyboard(rows))


def _source_line(t: Translator, entry: Entry) -> str:
    checked = t.day(entry.checked)
    if entry.is_from_contract:
        line = t.fill(
            # TRANSLATORS: {date} is when the facts were last checked against their source.
            t.gettext(
                "Source : le contrat entre l'État et Dijon Métropole (CTAI), vérifié le {date}"
            ),
            date=checked,
        )
        return "📎 " + line
    site = (urlsplit(entry.source).hostname or entry.source).removeprefix("www.")
    line = t.fill(t.gettext("Source : {site}, vérifiée le {date}"), site=site, date=checked)
    return f'📎 <a href="{html.escape(entry.source, quote=True)}">{line}</a>'


def entry_text(t: Translator, entry: Entry, topic: Topic) -> str:
    parts = [
        f"<b>{escape(topic.emoji + ' ' + t.gettext(entry.title))}</b>",
        escape(t.gettext(entry.answer)),
    ]
    if entry.steps:
        parts.append(
            "\n".join(
                f"{number}. {escape(t.gettext(step))}"
                for number, step in enumerate(entry.steps, start=1)
            )
        )
    if entry.audience:
        who = ", ".join(audience_label(t, audience) for audience in entry.audience)
        parts.append("👥 " + t.fill(t.gettext("Pour : {audience}"), audience=who))
    parts.append(_source_line(t, entry))
    return t.finish("\n\n".join(parts))


def entry_page(
    t: Translator,
    base: KnowledgeBase,
    entry: Entry,
    *,
    also: Sequence[Found] = (),
    relay: bool = False,
) -> Screen:
    """An entry with its links, the other answers search found, a person of the team (with
    the relay), and the way back."""
    topic = base.topic_of(entry.id)
    if topic is None:
        raise ValueError(f"entry {entry.id} belongs to no topic")
    rows: list[list[Button]] = []
    shown = {entry.id}
    for link in entry.links:
        if link.url is not None and link.label is not None:
            rows.append([Url("🔗 " + t.gettext(link.label), link.url)])
        elif link.entry is not None and (target := base.entry(link.entry)) is not None:
            rows.append([entry_button(t, target)])
            shown.add(target.id)
    rows += [
        [found_button(t, other)]
        for other in also
        if isinstance(other, Reading) or other.id not in shown
    ]
    if relay:
        rows.append([talk_button(t)])
    rows.append(
        [
            ("⬅️ " + t.gettext(topic.title), TOPIC_PREFIX + topic.id),
            ("☰ " + t.gettext("Menu"), MENU),
        ]
    )
    return Screen(entry_text(t, entry, topic), keyboard(rows))


def search_results(t: Translator, found: Sequence[Found]) -> Screen:
    """Several possible answers: the person picks one."""
    rows: list[list[Button]] = [[found_button(t, item)] for item in found]
    rows.append(back_to_menu(t))
    return Screen(t.finish(t.gettext("Voici ce que j'ai trouvé :")), keyboard(rows))


def no_answer(t: Translator, base: KnowledgeBase, *, relay: bool = False) -> Screen:
    """Search found nothing: never silence, always a way forward (a person of the team,
    by the relay if it is set up, else how to meet them)."""
    human = (
        t.gettext(
            "Pour parler à une personne, écrivez à l'équipe « Ensemble ! » : appuyez sur "
            "« Parler à l'équipe »."
        )
        if relay
        else t.gettext(
            "Pour parler à une personne, l'équipe « Ensemble ! » peut vous aider. "
            "Le bouton ci-dessous explique comment rencontrer l'équipe."
        )
    )
    text = "\n\n".join(
        [
            t.gettext("Je n'ai pas trouvé de réponse à votre question."),
            t.gettext(
                "Essayez avec d'autres mots, par exemple « logement » ou « CAF ». "
                "Vous pouvez aussi choisir un thème dans le menu."
            ),
            human,
            "🆘 " + t.gettext("En cas de danger, appelez le 112."),
        ]
    )
    rows: list[list[Button]] = [[talk_button(t)]] if relay else []
    team = base.entry(TEAM_ENTRY)
    if team is not None:
        rows.append([entry_button(t, team)])
    rows.append(back_to_menu(t))
    return Screen(t.finish(text), keyboard(rows))

"""The greeting, the main menu and the sections that later issues fill."""

from __future__ import annotations

from bot.i18n import Translator
from bot.knowledge import KnowledgeBase, Topic
from bot.views.screen import (
    CHOOSE_LANGUAGE,
    MENU,
    MORE_TOPICS,
    MY_DATA,
    PLATFORM,
    RELAY_TALK,
    TOPIC_PREFIX,
    WORKSHOPS,
    Button,
    Screen,
    in_rows,
    keyboard,
)


def topic_label(t: Translator, topic: Topic) -> str:
    return f"{topic.emoji} {t.gettext(topic.title)}"


def topic_button(t: Translator, topic: Topic) -> Button:
    return (topic_label(t, topic), TOPIC_PREFIX + topic.id)


def talk_button(t: Translator) -> Button:
    """« Talk to the team »: only shown when the relay is set up (STAFF_CHAT_ID)."""
    return ("💬 " + t.gettext("Parler à l'équipe"), RELAY_TALK)


def _menu_keyboard(
    t: Translator, base: KnowledgeBase, *, relay: bool = False
) -> list[list[Button]]:
    """Emergencies alone on top (one tap), then two buttons a row: readable on a phone;
    with the relay, « Talk to the team » on a row of its own above « my data »."""
    buttons = [topic_button(t, topic) for topic in base.on_menu("main")]
    buttons.append(("📅 " + t.gettext("Ateliers"), WORKSHOPS))
    buttons.append(("🧭 " + t.gettext("Aide près de chez vous"), PLATFORM))
    if base.on_menu("more"):
        buttons.append(("➕ " + t.gettext("Autres thèmes"), MORE_TOPICS))
    return [
        *([topic_button(t, topic)] for topic in base.on_menu("emergency")),
        *in_rows(buttons, 2),
        [talk_button(t)] if relay else [],
        [
            ("🔒 " + t.gettext("Mes données"), MY_DATA),
            ("🌍 " + t.gettext("Langue"), CHOOSE_LANGUAGE),
        ],
    ]


def back_to_menu(t: Translator) -> list[Button]:
    """The row that leads back to the main menu."""
    return [("☰ " + t.gettext("Menu"), MENU)]


def main_menu(t: Translator, base: KnowledgeBase, *, relay: bool = False) -> Screen:
    text = "\n\n".join(
        [
            t.gettext("Que voulez-vous faire ?"),
            t.gettext("Vous pouvez aussi écrire votre question."),
        ]
    )
    return Screen(t.finish(text), keyboard(_menu_keyboard(t, base, relay=relay)))


def greeting(t: Translator, base: KnowledgeBase, *, relay: bool = False) -> Screen:
    """Shown once a language is chosen: who I am, what I keep, then the menu."""
    text = "\n\n".join(
        [
            "👋 " + t.gettext("Bonjour ! Je suis l'assistant d'« Ensemble ! », à Dijon."),
            t.gettext(
                "Je vous explique le logement, les aides de la CAF (Caisse d'allocations "
                "familiales), vos droits et vos "
                "démarches. Je vous inscris aussi aux ateliers."
            ),
            # TRANSLATORS: « Mes données » is the label of a menu button: use the same words.
            t.gettext(
                "Je garde seulement votre identifiant Telegram, votre langue, et la date de "
                "votre premier et de votre dernier message. Avant une inscription à un atelier, "
                "je vous dis ce que je garde en plus. Vous pouvez tout voir ou effacer dans "
                "« Mes données »."
            ),
            t.gettext(
                "Choisissez un thème, ou écrivez votre question avec vos mots, par exemple : "
                "« Comment demander un logement social ? »"
            ),
        ]
    )
    return Screen(t.finish(text), keyboard(_menu_keyboard(t, base, relay=relay)))


def not_text(t: Translator, base: KnowledgeBase, *, spoken: bool, relay: bool = False) -> Screen:
    """A photo, a voice note, a sticker…: say kindly what the assistant understands."""
    first = (
        "🎙 " + t.gettext("Je ne peux pas écouter les messages vocaux.")
        if spoken
        else t.gettext("Je lis seulement les messages écrits.")
    )
    text = "\n\n".join(
        [
            first,
            t.gettext(
                "Écrivez votre question avec des mots, même courts, ou choisissez dans le menu."
            ),
        ]
    )
    if relay:
        # A photo of a letter or a voice note is what a person of the team can read.
        text += "\n\n" + t.gettext(
            "Pour l'envoyer à une personne de l'équipe, appuyez d'abord sur « Parler à l'équipe »."
        )
    return Screen(t.finish(text), keyboard(_menu_keyboard(t, base, relay=relay)))


def help_text(t: Translator) -> Screen:
    lines = [
        t.gettext("Je suis l'assistant d'« Ensemble ! ». Voici les commandes :"),
        "/menu – " + t.gettext("le menu principal"),
        "/language – " + t.gettext("changer de langue"),
        "/help – " + t.gettext("cette aide"),
        "/workshops – " + t.gettext("Ateliers à venir"),
        "/myworkshops – " + t.gettext("Mes ateliers"),
        "",
        t.gettext("Vous pouvez aussi appuyer sur les boutons sous mes messages."),
        t.gettext("Vous pouvez aussi écrire votre question."),
    ]
    return Screen(t.finish("\n".join(lines)), keyboard([back_to_menu(t)]))


def something_went_wrong(t: Translator) -> Screen:
    return Screen(t.finish(t.gettext("Désolé, un problème est survenu. Réessayez dans un moment.")))

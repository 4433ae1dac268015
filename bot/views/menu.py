"""The greeting, the main menu and the sections that later issues fill."""

from __future__ import annotations

from bot.i18n import Translator
from bot.views.screen import CHOOSE_LANGUAGE, MENU, MY_DATA, SECTION_PREFIX, Screen, keyboard

# The sections of the main menu, in display order: (key, emoji).
SECTIONS = ("workshops", "housing", "caf", "rights")
_EMOJI = {"workshops": "📅", "housing": "🏠", "caf": "💶", "rights": "📄"}


def section_title(t: Translator, key: str) -> str:
    titles = {
        "workshops": t.gettext("Ateliers"),
        "housing": t.gettext("Logement"),
        "caf": t.gettext("Aides de la CAF"),
        "rights": t.gettext("Droits et démarches"),
    }
    return titles[key]


def _menu_keyboard(t: Translator) -> list[list[tuple[str, str]]]:
    sections = [
        (f"{_EMOJI[key]} {section_title(t, key)}", SECTION_PREFIX + key) for key in SECTIONS
    ]
    return [
        sections[0:2],
        sections[2:4],
        [
            ("🔒 " + t.gettext("Mes données"), MY_DATA),
            ("🌍 " + t.gettext("Langue"), CHOOSE_LANGUAGE),
        ],
    ]


def back_to_menu(t: Translator) -> list[tuple[str, str]]:
    """The row that leads back to the main menu."""
    return [("⬅️ " + t.gettext("Menu"), MENU)]


def main_menu(t: Translator) -> Screen:
    return Screen(t.finish(t.gettext("Que voulez-vous faire ?")), keyboard(_menu_keyboard(t)))


def greeting(t: Translator) -> Screen:
    """Shown once a language is chosen: who I am, what I keep, then the menu."""
    text = "\n\n".join(
        [
            "👋 " + t.gettext("Bonjour ! Je suis l'assistant d'« Ensemble ! », à Dijon."),
            t.gettext(
                "Je vous explique le logement, les aides de la CAF, vos droits et vos "
                "démarches. Je vous inscris aussi aux ateliers."
            ),
            # TRANSLATORS: « Mes données » is the label of a menu button: use the same words.
            t.gettext(
                "Je garde seulement votre identifiant Telegram, votre langue et la date de "
                "vos messages. Vous pouvez les voir ou les effacer dans « Mes données »."
            ),
            t.gettext("Que voulez-vous faire ?"),
        ]
    )
    return Screen(t.finish(text), keyboard(_menu_keyboard(t)))


def coming_soon(t: Translator, key: str) -> Screen:
    text = "\n\n".join(
        [
            f"<b>{section_title(t, key)}</b>",
            t.gettext("Cette partie n'est pas encore prête. Elle arrive bientôt."),
        ]
    )
    return Screen(t.finish(text), keyboard([back_to_menu(t)]))


def not_understood(t: Translator) -> Screen:
    return Screen(
        t.finish(t.gettext("Je n'ai pas compris. Choisissez dans le menu :")),
        keyboard(_menu_keyboard(t)),
    )


def help_text(t: Translator) -> Screen:
    lines = [
        t.gettext("Je suis l'assistant d'« Ensemble ! ». Voici les commandes :"),
        "/menu – " + t.gettext("le menu principal"),
        "/language – " + t.gettext("changer de langue"),
        "/help – " + t.gettext("cette aide"),
        "",
        t.gettext("Vous pouvez aussi appuyer sur les boutons sous mes messages."),
    ]
    return Screen(t.finish("\n".join(lines)), keyboard([back_to_menu(t)]))


def something_went_wrong(t: Translator) -> Screen:
    return Screen(t.finish(t.gettext("Désolé, un problème est survenu. Réessayez dans un moment.")))

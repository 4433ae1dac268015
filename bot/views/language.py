"""The language picker."""

from __future__ import annotations

from bot.i18n import Translator, picker_order
from bot.views.screen import LANGUAGE_PREFIX, Screen, in_rows, keyboard


def language_picker(t: Translator, *, then: str | None = None) -> Screen:
    """Every language in its own name, the reader's (chosen or guessed) first. `then`: what
    to open once a language is chosen (a deep link's payload), carried by the buttons."""
    after = f":{then}" if then else ""
    buttons = [(lang.name, f"{LANGUAGE_PREFIX}{lang.code}{after}") for lang in picker_order(t.code)]
    text = "🌍 " + t.gettext("Choisissez votre langue.")
    return Screen(t.finish(text), keyboard(in_rows(buttons, 2)))


def language_chosen(t: Translator) -> Screen:
    """What the picker becomes once a language is chosen (its buttons go away)."""
    text = t.fill(t.gettext("Langue : {language}"), language=t.language.name) + " ✓"
    return Screen(t.finish(text))

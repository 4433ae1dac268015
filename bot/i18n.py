"""Languages, gettext catalogs, per-person translators and locale-aware formatting.

French is the source language: msgids are French and need no catalog. The other
languages are compiled from `locales/<lang>/LC_MESSAGES/messages.po`.
"""

from __future__ import annotations

import gettext
import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import (
    format_date,
    format_skeleton,
    format_time,
    format_timedelta,
    get_datetime_format,
)
from babel.lists import format_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

# The `date` method of Translator hides the type inside the class.
CalendarDate = date

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"

# Strong right-to-left mark, and First Strong Isolate ... Pop Directional Isolate.
RLM = "\u200f"
FSI = "\u2068"
PDI = "\u2069"

# A run of Latin text inside a right-to-left message: a name such as « Ensemble ! », an
# acronym, a site address or a command. Its neutral punctuation (the space and "!",
# the dots of caf.fr) would otherwise take the direction of the Arabic around it and
# jump to the other end: « !Ensemble ».
_LATIN_RUN = re.compile(
    r"[/@]?[A-Za-z\u00c0-\u024f]"
    r"(?:[A-Za-z\u00c0-\u024f0-9'’\-_]"
    # Inner punctuation and spaces only when Latin text follows (caf.fr, Mon Compte): a
    # sentence's final full stop belongs to the Arabic sentence, not to the name.
    r"|[./@](?=[A-Za-z\u00c0-\u024f0-9])"
    r"|[ \u00a0](?=[/@]?[A-Za-z\u00c0-\u024f0-9]))*"
    r"(?:[ \u00a0]?[!?](?![A-Za-z]))?"
)
# Markup, HTML entities (&amp;) and text already isolated are left alone.
_SKIP = re.compile(f"(<[^>]*>|&#?\\w+;|{FSI}[^{PDI}]*{PDI})")


def isolate_latin_runs(text: str) -> str:
    """Wrap each Latin run of an RTL text in FSI…PDI, outside tags and existing isolates."""
    parts = _SKIP.split(text)
    for index in range(0, len(parts), 2):  # even indexes: plain text between the skipped parts
        parts[index] = _LATIN_RUN.sub(lambda run: f"{FSI}{run.group(0)}{PDI}", parts[index])
    return "".join(parts)


@dataclass(frozen=True)
class Language:
    code: str  # catalog and refugies.info code
    name: str  # the language's own name, as shown on the picker
    babel_locale: str  # the CLDR locale used for dates, numbers and plurals
    rtl: bool = False


LANGUAGES: tuple[Language, ...] = (
    Language("fr", "Français", "fr_FR"),
    Language("en", "English", "en_GB"),
    Language("ar", "العربية", "ar", rtl=True),
    # One catalog serves Persian and Dari readers; most of them here are Afghan,
    # so dates and numbers follow Dari (fa_AF) conventions.
    Language("fa", "دری / فارسی", "fa_AF", rtl=True),
    Language("ps", "پښتو", "ps", rtl=True),
    Language("ti", "ትግርኛ", "ti"),
    Language("ru", "Русский", "ru"),
    Language("uk", "Українська", "uk"),
)
SOURCE_LANGUAGE = "fr"
BY_CODE: Mapping[str, Language] = {language.code: language for language in LANGUAGES}
# Codes Babel does not map onto ours by itself.
_ALIASES = {"prs": "fa", "pbu": "ps", "pbt": "ps", "pst": "ps"}


def guess_language(telegram_code: str | None) -> str | None:
    """Our language for Telegram's IETF `language_code` (a hint), or None."""
    if not telegram_code:
        return None
    base = telegram_code.replace("_", "-").split("-")[0].lower()
    if base in _ALIASES:
        return _ALIASES[base]
    try:
        language = Locale.parse(telegram_code, sep="-").language
    except (UnknownLocaleError, ValueError):
        language = base
    return language if language in BY_CODE else None


def picker_order(first: str | None) -> list[Language]:
    """All languages, the given one (the current choice or the guess) first."""
    head = [BY_CODE[first]] if first is not None and first in BY_CODE else []
    return head + [language for language in LANGUAGES if language not in head]


class MissingCatalogError(RuntimeError):
    """A supported language has no catalog: refuse to start rather than fall back."""


def _load_catalog(language: str, locales_dir: Path) -> gettext.NullTranslations:
    folder = locales_dir / language / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if not po_path.exists():
        raise MissingCatalogError(f"no catalog for {language!r}: {po_path} is missing")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as mo_file:
            return Translations(mo_file, domain=DOMAIN)
    # No compiled catalog (a fresh deployment): compile in memory.
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


class _FrenchSource(gettext.NullTranslations):
    """The msgids themselves, with French plurals (0 and 1 are singular)."""

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return msgid1 if n in (0, 1) else msgid2

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return self.ngettext(msgid1, msgid2, n)


class Translator:
    """Everything a renderer needs to speak one language."""

    def __init__(self, language: Language, translations: gettext.NullTranslations) -> None:
        self.language = language
        self.locale = Locale.parse(language.babel_locale)
        self._translations = translations

    @property
    def code(self) -> str:
        return self.language.code

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        return self._translations.pgettext(context, message)

    def isolate(self, value: object) -> str:
        """HTML-escaped value, isolated from the direction of the surrounding text (an Arabic
        name in a French sentence misorders as much as a number in an Arabic one)."""
        return f"{FSI}{html.escape(str(value), quote=False)}{PDI}"

    def fill(self, template: str, **values: object) -> str:
        """Interpolate values into an already translated template, safely."""
        return template.format(**{name: self.isolate(value) for name, value in values.items()})

    def finish(self, text: str) -> str:
        """The text as sent. RTL messages start with a strong RTL mark, so clients align them
        right even when they begin with a digit, an emoji or a Latin word, and their Latin
        runs are isolated so their punctuation stays with them."""
        if not self.language.rtl or text.startswith(RLM):
            return text
        return RLM + isolate_latin_runs(text)

    # Digits: Babel writes Latin digits (its default numbering system) in every locale.
    # That is deliberate: phone numbers, addresses and the dates on French letters are
    # written that way, and readers must match what the bot says with what they see.
    def number(self, value: float) -> str:
        return str(format_decimal(value, locale=self.locale))

    def labelled(self, label: str, value: str) -> str:
        """« label : value » with the language's own punctuation (both already HTML)."""
        # TRANSLATORS: a label and its value, e.g. « Genre : Femme »; only the punctuation
        # between them is yours to change.
        return self.gettext("{label} : {value}").format(label=label, value=value)

    def join(self, items: list[str]) -> str:
        """« A, B et C » with the locale's own commas and « and » (« ، » in Arabic)."""
        return str(format_list(items, locale=self.locale)) if items else ""

    def duration(self, value: timedelta) -> str:
        """« 2 ans », « 18 mois »: a long duration in the reader's words."""
        return str(format_timedelta(value, threshold=1.5, locale=self.locale))

    def date(self, value: date) -> str:
        return str(format_date(value, format="full", locale=self.locale))

    def day(self, value: CalendarDate) -> str:
        """A date without the weekday, e.g. « 26 novembre 2026 »."""
        return str(format_date(value, format="long", locale=self.locale))

    def short_date(self, value: datetime, zone: tzinfo) -> str:
        """A short day for a button, e.g. « jeu. 3 déc. », in `zone`."""
        return str(format_skeleton("MMMEd", value, tzinfo=zone, locale=self.locale))

    def time(self, value: datetime, zone: tzinfo) -> str:
        """Hours and minutes in `zone` (people live in local time, storage is UTC)."""
        return str(format_time(value, format="short", tzinfo=zone, locale=self.locale))

    def time_span(self, start: datetime, end: datetime, zone: tzinfo) -> str:
        """« jeudi 3 décembre 2026, 14:00 – 16:00 », joined the way the locale joins a date
        and a time (an Arabic comma in Arabic)."""
        pattern = str(get_datetime_format("full", locale=self.locale))
        day = str(format_date(start.astimezone(zone), format="full", locale=self.locale))
        hours = f"{self.time(start, zone)} – {self.time(end, zone)}"
        return pattern.replace("{1}", day).replace("{0}", hours)

    def datetime(self, value: datetime, zone: tzinfo) -> str:
        """Date and time without seconds, in the locale's order."""
        pattern = str(get_datetime_format("medium", locale=self.locale))
        day = str(format_date(value.astimezone(zone), format="medium", locale=self.locale))
        return pattern.replace("{1}", day).replace("{0}", self.time(value, zone))


class Catalogs:
    """All translators, loaded once at start-up."""

    def __init__(self, locales_dir: Path = LOCALES_DIR) -> None:
        self._translators: dict[str, Translator] = {}
        for language in LANGUAGES:
            translations = (
                _FrenchSource()
                if language.code == SOURCE_LANGUAGE
                else _load_catalog(language.code, locales_dir)
            )
            self._translators[language.code] = Translator(language, translations)

    def translator(self, code: str | None) -> Translator:
        """The translator for a language code; French for None or an unknown code."""
        return self._translators.get(code or SOURCE_LANGUAGE, self._translators[SOURCE_LANGUAGE])

    def all(self) -> list[Translator]:
        return list(self._translators.values())


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark a module-level string for extraction; translate it later with a Translator."""
    return message

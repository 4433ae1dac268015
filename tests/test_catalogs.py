"""Every language is complete: a catalog per language, every string translated and well-formed."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from bot.i18n import LANGUAGES, LOCALES_DIR, SOURCE_LANGUAGE

TARGETS = [language.code for language in LANGUAGES if language.code != SOURCE_LANGUAGE]
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
LIMITS = {"at most 512 characters": 512, "at most 120 characters": 120}


def load(path: object) -> Catalog:
    with open(str(path), "rb") as handle:
        return read_po(handle)


TEMPLATE = load(LOCALES_DIR / "messages.pot")


def keys(catalog: Catalog) -> set[object]:
    return {message.id for message in catalog if message.id}


@pytest.mark.parametrize("code", TARGETS)
def test_catalog_exists_and_matches_the_template(code: str) -> None:
    path = LOCALES_DIR / code / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalog for {code}"
    assert keys(load(path)) == keys(TEMPLATE), "run make update-catalogs"


@pytest.mark.parametrize("code", TARGETS)
def test_every_string_is_translated_and_keeps_its_placeholders(code: str) -> None:
    catalog = load(LOCALES_DIR / code / "LC_MESSAGES" / "messages.po")
    assert catalog.plural_forms == get_plural(code).plural_forms
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert "fuzzy" not in message.flags, f"{code}: fuzzy {ids[0]!r}"
        assert all(strings), f"{code}: untranslated {ids[0]!r}"
        expected = set(PLACEHOLDER.findall(ids[0]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, f"{code}: {string!r}"
            # Messages are Telegram HTML: markup characters would break them.
            assert not set("<>&") & set(string) - set(ids[0]), f"{code}: {string!r}"
            for hint, limit in LIMITS.items():
                if any(hint in comment for comment in message.auto_comments):
                    assert len(string) <= limit, f"{code}: too long {string!r}"


def test_no_message_looks_like_a_percent_format() -> None:
    """We format with str.format; a « 10 % du loyer » read as `% d` breaks `pybabel compile`."""
    flagged = [message.id for message in TEMPLATE if "python-format" in message.flags]
    assert flagged == []

"""Every topic and entry page, in every language: valid Telegram HTML, within limits, translated."""

from __future__ import annotations

from datetime import date

import pytest

from bot.emulator.entities import parse_html, utf16_length
from bot.i18n import FSI, LANGUAGES, PDI, RLM, Catalogs, Language
from bot.knowledge import load_knowledge_base
from bot.views import guidance, menu
from bot.views.screen import Screen, split_text

CATALOGS = Catalogs()
BASE = load_knowledge_base(date(2026, 11, 26))
IDS = [language.code for language in LANGUAGES]


def pages(code: str) -> list[Screen]:
    t = CATALOGS.translator(code)
    screens = [menu.main_menu(t, BASE), guidance.more_topics(t, BASE), guidance.no_answer(t, BASE)]
    screens += [guidance.topic_page(t, topic) for topic in BASE.topics]
    screens += [guidance.entry_page(t, BASE, entry) for entry in BASE.entries()]
    screens.append(guidance.search_results(t, BASE.entries()[:3]))
    return screens


def assert_valid(screen: Screen, rtl: bool) -> None:
    text = parse_html(screen.text).text
    assert 1 <= utf16_length(text) <= 4096
    assert text.startswith(RLM) == rtl
    for row in screen.keyboard.inline_keyboard if screen.keyboard else ():
        for button in row:
            assert button.text.strip()
            if button.url is None:
                assert 1 <= len(str(button.callback_data).encode()) <= 64
            else:
                assert BASE.is_official(button.url)


@pytest.mark.parametrize("language", LANGUAGES, ids=IDS)
def test_every_page_is_valid_telegram_html_within_limits(language: Language) -> None:
    for screen in pages(language.code):
        assert_valid(screen, language.rtl)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang.code != "fr"], ids=IDS[1:])
def test_no_entry_reaches_a_reader_of_another_language_in_french(language: Language) -> None:
    fr, t = CATALOGS.translator("fr"), CATALOGS.translator(language.code)
    for entry in BASE.entries():
        assert t.gettext(entry.answer) != fr.gettext(entry.answer), entry.id
        for step in entry.steps:
            assert t.gettext(step) != step, entry.id


def test_the_main_menu_has_two_buttons_a_row_and_emergencies_alone_on_top() -> None:
    t = CATALOGS.translator("fr")
    rows = menu.main_menu(t, BASE).keyboard.inline_keyboard  # type: ignore[union-attr]
    assert len(rows[0]) == 1
    assert rows[0][0].callback_data == "topic:urgences"
    assert all(len(row) <= 2 for row in rows)
    assert len(rows) <= 6


def test_every_entry_page_names_its_source_and_date() -> None:
    t = CATALOGS.translator("fr")
    for entry in BASE.entries():
        text = guidance.entry_page(t, BASE, entry).text
        assert "Source :" in text, entry.id
        assert t.day(entry.checked) in text, entry.id


@pytest.mark.parametrize("code", ["ar", "fa", "ps"])
def test_latin_names_are_isolated_in_right_to_left_text(code: str) -> None:
    t = CATALOGS.translator(code)
    entry = BASE.entry("ensemble-presentation")
    assert entry is not None
    text = guidance.entry_page(t, BASE, entry).text
    assert f"{FSI}Ensemble !{PDI}" in text
    assert "Ensemble !" not in text.replace(f"{FSI}Ensemble !{PDI}", "")


def test_a_long_text_is_split_between_paragraphs_within_the_limit() -> None:
    paragraphs = [f"<b>{n}</b> " + "mot " * 300 for n in range(8)]
    parts = split_text("\n\n".join(paragraphs))
    assert len(parts) > 1
    assert all(utf16_length(part) <= 4096 for part in parts)
    assert "\n\n".join(parts) == "\n\n".join(paragraphs)
    for part in parts:
        parse_html(part)  # no tag cut in half


def test_an_entry_linked_and_found_by_search_is_offered_once() -> None:
    t = CATALOGS.translator("en")
    entry, linked = BASE.entry("urgence-115"), BASE.entry("logement-115-siao")
    assert entry is not None
    assert linked is not None
    screen = guidance.entry_page(t, BASE, entry, also=[linked, entry])
    data = [b.callback_data for row in screen.keyboard.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert data.count("entry:logement-115-siao") == 1
    assert "entry:urgence-115" not in data

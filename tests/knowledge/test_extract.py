"""The Babel extractor sends every content string to the catalogs, exactly as the bot asks."""

from __future__ import annotations

from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR
from bot.knowledge.extract import extract_guidance
from bot.knowledge.load import CONTENT_DIR, GUIDANCE
from tests.test_guidance_views import BASE


def test_every_string_of_every_entry_is_in_the_template() -> None:
    with (LOCALES_DIR / "messages.pot").open("rb") as handle:
        template = {message.id for message in read_po(handle)}
    for topic in BASE.topics:
        assert topic.title in template
        for entry in topic.entries:
            strings = [entry.title, entry.answer, *entry.steps, entry.keywords_message]
            strings += [link.label for link in entry.links if link.label]
            missing = [string for string in strings if string not in template]
            assert missing == [], entry.id


def test_each_string_comes_with_a_comment_for_translators() -> None:
    path = CONTENT_DIR / GUIDANCE / "01-logement.yaml"
    with path.open("rb") as handle:
        extracted = list(extract_guidance(handle, (), (), {}))
    assert extracted[0][2] == "Logement"
    comments = {message: comments[0] for _, _, message, comments in extracted}
    assert comments["Demander un logement social (HLM)"].startswith(
        "guidance logement-social-demande: title"
    )
    keywords = next(message for message in comments if message.startswith("HLM, "))
    assert "search words" in comments[keywords]

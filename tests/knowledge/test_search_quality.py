"""The real knowledge base answers realistic questions: the evaluation set's top-3 score."""

from __future__ import annotations

from datetime import date

import pytest

from bench.search import TARGET_SCORE, answered, load_questions, scores
from bot.domain.guidance import Guidance
from bot.i18n import LANGUAGES, Catalogs
from bot.knowledge import load_knowledge_base

BASE = load_knowledge_base(date(2026, 11, 26))
GUIDANCE = Guidance(BASE, Catalogs())
QUESTIONS = load_questions()


def test_the_evaluation_set_is_realistic_and_refers_to_real_entries() -> None:
    for language in LANGUAGES:
        assert sum(q.language == language.code for q in QUESTIONS) >= 15, language.code
    for question in QUESTIONS:
        for entry_id in question.expected:
            assert BASE.entry(entry_id) is not None, (question.text, entry_id)


def test_nine_questions_in_ten_find_their_entry_in_the_top_three() -> None:
    found = scores(GUIDANCE, QUESTIONS)
    missed = [f"{q.language}: {q.text}" for q in QUESTIONS if not answered(GUIDANCE, q)]
    assert found["all"] >= TARGET_SCORE, "\n".join(missed)


@pytest.mark.parametrize(
    ("language", "question", "expected"),
    [
        ("fr", "comment faire une demande de logement social", "logement-social-demande"),
        ("en", "how do I apply for social housing", "logement-social-demande"),
        ("fr", "je n'ai pas de logement ce soir, je dors dehors", "urgence-115"),
        ("fr", "mon enfant ne respire plus", "urgence-15"),
    ],
)
def test_the_issues_questions_get_the_right_entry_first(
    language: str, question: str, expected: str
) -> None:
    answer = GUIDANCE.ask(question, language)
    assert answer.hits[0].entry_id == expected
    assert answer.clear


def test_violence_at_home_gets_the_police_and_the_listening_line_first() -> None:
    hits = GUIDANCE.ask("il me frappe", "fr").hits
    assert hits[0].entry_id in {"urgence-17", "urgence-3919"}
    assert {"urgence-17", "urgence-3919"} <= {hit.entry_id for hit in hits}


def test_an_emergency_question_puts_a_number_first_in_every_language() -> None:
    for question in QUESTIONS:
        if question.expected[0].startswith("urgence-"):
            hits = GUIDANCE.ask(question.text, question.language).hits
            assert hits, question.text
            assert hits[0].emergency, question.text


def housing_entries() -> set[str]:
    """The Logement topic, and the Ensemble ! workshops that prepare people for a home."""
    housing = BASE.topic("logement")
    assert housing is not None
    return {entry.id for entry in housing.entries} | {"ensemble-logement"}


def test_arabic_housing_returns_housing_entries() -> None:
    hits = GUIDANCE.ask("سكن", "ar").hits
    assert hits
    assert all(hit.entry_id in housing_entries() for hit in hits)

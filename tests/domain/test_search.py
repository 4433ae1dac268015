"""Search: normalised words, typos, inflections, scripts, emergencies first, never a guess."""

from __future__ import annotations

import pytest

from bot.domain.platform import FICHE_PRIORITY
from bot.domain.search import Document, SearchIndex
from bot.domain.text import normalise, words

DOCUMENTS = [
    Document(
        "logement-social",
        "fr",
        "Demander un logement social (HLM)",
        "HLM, logement social, appartement",
        "Un logement social a un loyer plus bas. Vous faites une seule demande.",
    ),
    Document(
        "logement-social",
        "ar",
        "طلب سكن اجتماعي",
        "سكن اجتماعي، شقة",
        "السكن الاجتماعي إيجاره أقل.",
    ),
    Document(
        "logement-social",
        "ru",
        "Подать заявку на социальное жильё",
        "жильё, квартира, социальное жильё",
        "Социальное жильё стоит дешевле.",
    ),
    Document(
        "caf-compte",
        "fr",
        "Ouvrir un compte à la CAF",
        "CAF, allocataire, numéro allocataire",
        "La CAF verse des aides. Vous créez votre compte en ligne.",
    ),
    Document(
        "urgence-115",
        "fr",
        "115 : un hébergement d'urgence ce soir",
        "je dors dehors, pas de logement ce soir, sans abri",
        "Appelez le 115 si vous n'avez pas de logement ce soir.",
        emergency=True,
    ),
]
# Other entries, so that word weights are those of a real base, not of five documents.
FILLER = [
    Document(
        f"autre-{n}",
        "fr",
        f"Autre sujet {n}",
        "autre, sujet",
        "Un autre sujet de la vie, pour vous.",
    )
    for n in range(30)
]
INDEX = SearchIndex(DOCUMENTS + FILLER)


def first(question: str, language: str = "fr") -> str | None:
    answer = INDEX.search(question, language)
    return answer.hits[0].entry_id if answer.found else None


def test_normalise_folds_case_accents_letter_forms_and_digits() -> None:
    assert normalise("LOGÉMENT Été") == "logement ete"
    assert normalise("كيف") == normalise("کیف")  # Arabic and Persian kaf and yeh
    assert normalise("مدرسة") == normalise("مدرسه")  # teh marbuta
    assert normalise("سـكـن") == "سکن"  # tatweel
    assert normalise("١٢٣ ۴۵۶") == "123 456"
    assert normalise("жильё") == normalise("жилье")


def test_tigrinya_words_meet_on_their_consonants() -> None:
    assert words("ምዝገባ") == words("መዝገበ")  # vowels change as words inflect
    assert words("ፀሓይ") == words("ጸሓይ")  # Amharic and Tigrinya letters for one sound


def test_words_drop_the_arabic_article() -> None:
    assert words("السكن") == words("سكن")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("comment faire une demande de logement social", "logement-social"),
        ("demande de logemnt socail", "logement-social"),  # typos
        ("LOGEMENTS SOCIAUX ?", "logement-social"),  # capitals and inflection
        ("hlm", "logement-social"),
        ("compte caf", "caf-compte"),
        ("سكن", "logement-social"),
        ("السکن", "logement-social"),  # Persian letter form, article
        ("где найти жилье", "logement-social"),  # ё written as е
    ],
)
def test_questions_find_their_entry(question: str, expected: str) -> None:
    assert first(question) == expected


def test_an_emergency_comes_first_and_is_shown_at_once() -> None:
    answer = INDEX.search("je n'ai pas de logement ce soir, je dors dehors", "fr")
    assert answer.hits[0].entry_id == "urgence-115"
    assert answer.clear


def test_nothing_relevant_finds_nothing() -> None:
    assert not INDEX.search("xylophone quantique", "fr").found
    assert not INDEX.search("", "fr").found
    assert not INDEX.search("?!", "fr").found


def test_a_clear_winner_is_marked_clear_and_a_tie_is_not() -> None:
    assert INDEX.search("ouvrir un compte caf allocataire", "fr").clear
    mixed = INDEX.search("logement caf", "fr")
    assert {hit.entry_id for hit in mixed.hits} >= {"logement-social", "caf-compte"}


def test_the_readers_language_wins_a_tie() -> None:
    twins = SearchIndex(
        [
            Document("a", "fr", "CAF", "CAF", "CAF"),
            Document("b", "en", "CAF", "CAF", "CAF"),
            *FILLER,
        ]
    )
    assert twins.search("caf", "en").hits[0].entry_id == "b"
    assert twins.search("caf", "fr").hits[0].entry_id == "a"


def test_our_entries_come_before_the_platforms_fiches_on_equal_relevance() -> None:
    text = ("Demander un logement social", "logement social, HLM", "Faire une demande en ligne.")
    index = SearchIndex(
        [
            Document("ri:5a01", "fr", *text, priority=FICHE_PRIORITY),
            Document("hlm", "fr", *text),
            Document("autre", "fr", "Apprendre le français", "cours", "Des cours de français."),
        ]
    )
    hits = index.search("logement social", "fr").hits
    assert [hit.entry_id for hit in hits[:2]] == ["hlm", "ri:5a01"]
    # A fiche that answers better still comes first: priority only settles near-ties.
    index = SearchIndex(
        [
            Document("ri:5a01", "fr", *text, priority=FICHE_PRIORITY),
            Document("hlm", "fr", "Aides au logement", "APL", "La CAF aide à payer le loyer."),
        ]
    )
    assert index.search("demander un logement social", "fr").hits[0].entry_id == "ri:5a01"

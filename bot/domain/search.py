"""Answering a free-text question from the knowledge base, in any of the eight languages.

Each entry is indexed once per language (its translated title, search words, answer and
steps). The words that only frame a question (« comment », « how », « كيف ») are dropped;
the others are matched against the whole vocabulary: exactly, by a shared stem
(inflections: « logements », « жилья »), or within a small edit distance (typos) with
rapidfuzz. Each word scores with BM25 by its best match among an entry's translations;
two words in a row that the entry also says in a row, and an entry whose title or search
words hold the whole question, score more. The reader's own language wins ties, and an
emergency entry that matches well comes first.
"""

from __future__ import annotations

import gc
import heapq
import itertools
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from bot.domain.question_words import QUESTION_WORDS
from bot.domain.text import words

# Normalised once, like the questions they are taken out of.
_QUESTION_WORDS = frozenset(word for text in QUESTION_WORDS.values() for word in words(text))

# Field weights: people type the words of a title or a synonym more than those of a body.
TITLE_WEIGHT = 3.0
KEYWORDS_WEIGHT = 3.0
BODY_WEIGHT = 1.0
# BM25's usual constants.
_K1 = 1.2
_B = 0.75
# Words this short are matched exactly only: one typo in three letters is another word.
_FUZZY_FROM = 4
_FUZZY_CUTOFF = 80.0
_STEM_FROM = 5
_STEM_SIMILARITY = 0.9
# A word in more than this share of a language's entries links nothing to anything.
_COMMON_SHARE = 0.5
_COMMON_FROM = 20  # documents in the language: fewer say nothing about a word
# A result must score at least this much, and the others this share of the best one.
MIN_SCORE = 2.0
_KEEP_SHARE = 0.45
# The best result is shown at once when it leads the next one by this factor.
_CLEAR_LEAD = 1.6
# ... or by this factor when its title or search words hold the whole question.
_COMPLETE_LEAD = 1.2
_OWN_LANGUAGE_BONUS = 1.05
_HEAD_BONUS = 8.0
# An emergency entry that scores this close to the best goes first: a wrong number first
# costs a second, a missing one in danger costs much more.
_URGENT_SHARE = 0.8
_URGENT_TELLING_SHARE = 0.5


@dataclass(frozen=True)
class Document:
    """One entry in one language, as the index sees it."""

    entry_id: str
    language: str
    title: str
    keywords: str
    body: str
    emergency: bool = False
    # Scales the entry's score: below 1, others' texts give way to ours on equal relevance.
    priority: float = 1.0


@dataclass(frozen=True)
class Hit:
    entry_id: str
    score: float
    emergency: bool


@dataclass(frozen=True)
class Answer:
    """What search found: the entries to offer, best first, and whether the first is clear."""

    hits: tuple[Hit, ...]
    clear: bool

    @property
    def found(self) -> bool:
        return bool(self.hits)


class SearchIndex:
    """An immutable index over every entry in every language."""

    def __init__(self, documents: Iterable[Document]) -> None:
        # Building allocates a few hundred thousand small objects and no reference cycles:
        # the cyclic collector would only walk them again and again (a third of the time).
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._build(documents)
        finally:
            if collecting:
                gc.enable()

    def _build(self, documents: Iterable[Document]) -> None:
        self._documents: list[Document] = list(documents)
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        # Two content words in a row (« logement social »): the entry that says the same
        # thing as the question, not only the same words, comes first.
        self._pairs: dict[str, dict[int, float]] = defaultdict(dict)
        # The entries whose title or search words (in any language) hold a word.
        self._headed: dict[str, set[str]] = defaultdict(set)
        fields = [
            [
                (words(document.title), TITLE_WEIGHT),
                (words(document.keywords), KEYWORDS_WEIGHT),
                (words(document.body), BODY_WEIGHT),
            ]
            for document in self._documents
        ]
        self._common = _common_words(self._documents, fields)
        self._emergencies = frozenset(d.entry_id for d in self._documents if d.emergency)
        self._priority = {d.entry_id: d.priority for d in self._documents if d.priority != 1.0}
        lengths: list[float] = []
        for number, document_fields in enumerate(fields):
            length = 0.0
            for found, weight in document_fields:
                for word in found:
                    postings = self._postings[word]
                    postings[number] = postings.get(number, 0.0) + weight
                    length += weight
                    if weight > BODY_WEIGHT:
                        self._headed[word].add(self._documents[number].entry_id)
                for pair in self._pairs_of(found):
                    postings = self._pairs[pair]
                    postings[number] = postings.get(number, 0.0) + weight
            lengths.append(length)
        self._lengths = lengths
        self._average_length = sum(lengths) / len(lengths) if lengths else 1.0
        # BM25's length normalisation per document, computed once rather than per match.
        self._k1_norms = [_K1 * (1 - _B + _B * length / self._average_length) for length in lengths]
        count = len(self._documents)
        self._idf = {
            word: math.log(1 + (count - len(postings) + 0.5) / (len(postings) + 0.5))
            for word, postings in (*self._postings.items(), *self._pairs.items())
        }
        # Words by first (and second) letter and length, for fuzzy matching: an 80 % match
        # is within a length band, and a typo rarely hits the first two letters at once.
        by_start: dict[tuple[str, int], list[str]] = defaultdict(list)
        for word in self._postings:
            by_start[(word[0], len(word))].append(word)
            if len(word) > 1:
                by_start[("?" + word[1], len(word))].append(word)
        self._by_start = {key: tuple(sorted(group)) for key, group in by_start.items()}
        self._band = lru_cache(maxsize=4096)(self._band_uncached)
        self._sorted = sorted(self._postings)

    @property
    def size(self) -> int:
        return len(self._documents)

    @property
    def vocabulary(self) -> int:
        return len(self._postings)

    def _band_uncached(self, start: str, length: int) -> tuple[str, ...]:
        """Words beginning with `start` (`?x`: whose second letter is x) whose length allows
        an 80 % match."""
        low, high = math.ceil(length * 2 / 3), math.floor(length * 3 / 2)
        return tuple(
            w for size in range(low, high + 1) for w in self._by_start.get((start, size), ())
        )

    def _nearest(self, word: str, start: str) -> list[tuple[str, float]]:
        return [
            (candidate, score / 100)
            for candidate, score, _ in process.extract(
                word,
                self._band(start, len(word)),
                scorer=fuzz.ratio,
                score_cutoff=_FUZZY_CUTOFF,
                limit=8,
            )
        ]

    def _expand(self, word: str) -> list[tuple[str, float, float]]:
        """Vocabulary words that stand for a question's word: (word, similarity, weight).

        A known word brings its inflections (a shared stem) but no look-alikes: « faire »
        must not also mean « maire ». An unknown word is taken for a typo of its nearest
        words. A variant never weighs more than the word itself, however rare it is."""
        if word in self._postings:
            idf = self._idf[word]
            found = [(word, 1.0, idf)]
            found += [(v, _STEM_SIMILARITY, min(idf, self._idf[v])) for v in self._stems(word)]
            return found
        matches: dict[str, float] = {}
        if len(word) >= _FUZZY_FROM:
            # Else the first letter is the typo: replaced (« lpgement »), missing (« ogement »)
            # or one too many (« klogement »).
            matches.update(
                self._nearest(word, word[0])
                or self._nearest(word, "?" + word[1])
                or self._nearest(word, "?" + word[0])
                or self._nearest(word, word[1])
            )
        for variant in self._stems(word):
            matches.setdefault(variant, _STEM_SIMILARITY)
        return [(term, similarity, self._idf[term]) for term, similarity in matches.items()]

    def _stems(self, word: str) -> list[str]:
        """Words sharing the first 70 % of this one (at least 5 letters), and the known words
        this one starts with: its inflections."""
        if len(word) < _STEM_FROM:
            return []
        stem = word[: max(_STEM_FROM, math.ceil(len(word) * 0.7))]
        longest = math.floor(len(word) * 3 / 2)
        found = []
        # The sorted vocabulary holds the words starting with `stem` in one run.
        for candidate in itertools.islice(self._sorted, bisect_left(self._sorted, stem), None):
            if not candidate.startswith(stem):
                break
            if candidate != word and len(candidate) <= longest:
                found.append(candidate)
        found += [
            word[:end] for end in range(_STEM_FROM, len(stem)) if word[:end] in self._postings
        ]
        return found

    def search(self, question: str, language: str, limit: int = 3) -> Answer:
        """The best entries for a question, in the reader's language first.

        An entry is all its translations at once: a word of the question counts by its
        best match in any of them, so « RSA для українців » meets the RSA entry through
        « RSA » and through « українців » even if no single translation has both."""
        scores: dict[str, float] = defaultdict(float)
        asked = [word for word in words(question) if word not in _QUESTION_WORDS]
        phrased: set[str] = set()  # entries that say two words of the question in a row
        for pair in dict.fromkeys(self._pairs_of(asked)):
            matches = [
                (number, weight, 1.0, self._idf[pair])
                for number, weight in self._pairs.get(pair, {}).items()
            ]
            phrased |= self._add_best(scores, matches, language)
        # Words such as « de » or « the » weigh nothing and cost a pass over most documents.
        subject = list(dict.fromkeys(w for w in asked if w not in self._common))
        covered: dict[str, int] = defaultdict(int)
        for word in subject:
            expansions = self._expand(word)
            matches = [
                (number, weight, similarity, idf)
                for term, similarity, idf in expansions
                for number, weight in self._postings[term].items()
            ]
            self._add_best(scores, matches, language)
            for entry_id in {e for term, _, _ in expansions for e in self._headed.get(term, ())}:
                covered[entry_id] += 1
        # An entry whose title or search words hold every word of the question is what the
        # question is about, not only an entry that mentions its words along the way.
        for entry_id, count in covered.items():
            if entry_id in scores:
                scores[entry_id] += _HEAD_BONUS * (count / len(subject)) ** 2
        complete = {entry_id for entry_id, count in covered.items() if count == len(subject)}
        if self._priority:
            for entry_id in scores:
                scores[entry_id] *= self._priority.get(entry_id, 1.0)
        return self._rank(scores, phrased | complete, complete, limit)

    def _add_best(
        self,
        scores: dict[str, float],
        matches: list[tuple[int, float, float, float]],
        language: str,
    ) -> set[str]:
        """Add to each entry the best gain of one term among its documents; returns them."""
        best: dict[str, float] = {}
        for number, weight, similarity, idf in matches:
            gain = self._gain(number, weight, similarity, idf)
            document = self._documents[number]
            if document.language == language:
                gain *= _OWN_LANGUAGE_BONUS
            if gain > best.get(document.entry_id, 0.0):
                best[document.entry_id] = gain
        for entry_id, gain in best.items():
            scores[entry_id] += gain
        return set(best)

    def _pairs_of(self, found: list[str]) -> list[str]:
        """Consecutive uncommon words as one term, each cut to its first five letters so
        that « demande de logement » and « demander un logement » meet."""
        content = [word[:_STEM_FROM] for word in found if word not in self._common]
        return [f"{first} {second}" for first, second in itertools.pairwise(content)]

    def _gain(self, number: int, weight: float, similarity: float, idf: float) -> float:
        """BM25's share of one term in one document, scaled by how well the term matched."""
        saturation = weight * (_K1 + 1) / (weight + self._k1_norms[number])
        return similarity * similarity * idf * saturation

    def _rank(
        self, scores: dict[str, float], telling: set[str], complete: set[str], limit: int
    ) -> Answer:
        """The kept hits, best first; `telling`: entries that match more than loose words,
        `complete`: entries whose title or search words hold the whole question."""
        # Only the best few matter (the kept ones, and the next for the lead): no need to
        # sort every entry that matched a word.
        best = heapq.nsmallest(limit + 1, scores.items(), key=lambda item: (-item[1], item[0]))
        ranked = [Hit(entry_id, score, entry_id in self._emergencies) for entry_id, score in best]
        if not ranked or ranked[0].score < MIN_SCORE:
            return Answer((), clear=False)
        top = ranked[0].score
        kept = [hit for hit in ranked if hit.score >= top * _KEEP_SHARE][:limit]
        # Someone in danger must see the number first, even if another entry scored higher:
        # when the emergency scores close to the best, or matches the question's phrasing.
        urgent = [
            hit
            for hit in kept
            if hit.emergency
            and (
                hit.score >= top * _URGENT_SHARE
                or (hit.entry_id in telling and hit.score >= top * _URGENT_TELLING_SHARE)
            )
        ]
        if urgent:
            kept = [urgent[0]] + [hit for hit in kept if hit is not urgent[0]]
            return Answer(tuple(kept), clear=True)
        lead = top / ranked[1].score if len(ranked) > 1 else math.inf
        clear = lead >= _CLEAR_LEAD or (ranked[0].entry_id in complete and lead >= _COMPLETE_LEAD)
        return Answer(tuple(kept), clear=clear)


def _common_words(
    documents: list[Document], fields: list[list[tuple[list[str], float]]]
) -> frozenset[str]:
    """Words found in a large share of one language's documents: « de », « the », « و »."""
    per_language: dict[str, int] = defaultdict(int)
    frequency: dict[tuple[str, str], int] = defaultdict(int)
    for document, document_fields in zip(documents, fields, strict=True):
        per_language[document.language] += 1
        for word in {word for found, _ in document_fields for word in found}:
            frequency[(document.language, word)] += 1
    return frozenset(
        word
        for (language, word), count in frequency.items()
        if per_language[language] >= _COMMON_FROM and count > _COMMON_SHARE * per_language[language]
    )

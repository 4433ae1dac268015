"""Search: latency per language over the evaluation set, index build time, and the score.

The evaluation set (tests/knowledge/questions.yaml) holds realistic questions in the eight
languages, each with the entries that answer it; a question counts as answered when one
of them is in the top 3. Prints the figures next to the guidance issue's targets.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bot.domain.guidance import Guidance
from bot.domain.platform import PlatformLibrary
from bot.i18n import LANGUAGES, Catalogs
from bot.knowledge import load_knowledge_base
from bot.knowledge.sample_fiches import SAMPLE_FICHES_PATH
from bot.storage.platform_fiches import PlatformFiche, fiche_from_json

QUESTIONS = Path(__file__).resolve().parent.parent / "tests" / "knowledge" / "questions.yaml"
TARGET_P99_MS = 2.0
TARGET_BUILD_S = 0.5
TARGET_SCORE = 0.90


@dataclass(frozen=True)
class Question:
    language: str
    text: str
    expected: tuple[str, ...]


def load_questions(path: Path = QUESTIONS) -> list[Question]:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return [Question(item["lang"], str(item["q"]), tuple(item["expect"])) for item in raw]


def answered(guidance: Guidance, question: Question) -> bool:
    """Whether one of the expected entries is among the (at most 3) results."""
    hits = guidance.ask(question.text, question.language).hits
    return any(hit.entry_id in question.expected for hit in hits[:3])


def scores(guidance: Guidance, questions: list[Question]) -> dict[str, float]:
    """Share of questions answered, per language and overall ("all")."""
    right: dict[str, list[bool]] = defaultdict(list)
    for question in questions:
        result = answered(guidance, question)
        right[question.language].append(result)
        right["all"].append(result)
    return {language: sum(found) / len(found) for language, found in right.items()}


def build() -> tuple[Guidance, float, float]:
    """The guidance service, the time to load the content and the time to build the index."""
    catalogs = Catalogs()
    started = time.perf_counter()
    base = load_knowledge_base(datetime.now(UTC).date())
    loaded = time.perf_counter()
    guidance = Guidance(base, catalogs)
    return guidance, loaded - started, time.perf_counter() - loaded


# The platform lists a few hundred fiches for a département (national ones included).
BENCH_FICHES = 300


def many_fiches(count: int = BENCH_FICHES) -> PlatformLibrary:
    """`count` fiches made from the demo's sample (each copy a distinct fiche, its words
    shuffled a little), to measure search with the mirror as large as in production."""
    sample = json.loads(SAMPLE_FICHES_PATH.read_text(encoding="utf-8"))
    originals = [fiche_from_json(item) for item in sample["fiches"]]
    made: list[PlatformFiche] = []
    for number in range(count):
        original = originals[number % len(originals)]
        texts = {
            language: replace(text, title=f"{text.title} {number}" if text.title else None)
            for language, text in original.texts.items()
        }
        made.append(replace(original, id=f"{number:024x}", ours=False, texts=texts))
    return PlatformLibrary(made, sample["themes"])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30, help="runs of each question")
    args = parser.parse_args()
    builds = [build() for _ in range(5)]
    guidance = builds[-1][0]
    questions = load_questions()
    latencies: dict[str, list[float]] = defaultdict(list)
    for _ in range(args.repeat):
        for question in questions:
            started = time.perf_counter()
            guidance.ask(question.text, question.language)
            elapsed = (time.perf_counter() - started) * 1000
            latencies[question.language].append(elapsed)
            latencies["all"].append(elapsed)
    score = scores(guidance, questions)

    index = guidance.index
    load_s = statistics.median(b[1] for b in builds)
    build_s = max(b[2] for b in builds)
    print(
        f"knowledge base: {len(guidance.base.entries())} entries × {len(LANGUAGES)} languages = "
        f"{index.size} documents, {index.vocabulary} words"
    )
    print(f"content load: median {load_s:.3f} s")
    print(f"index build: max {build_s:.3f} s of 5 (target ≤ {TARGET_BUILD_S} s)")
    print(f"{'language':<10}{'questions':>10}{'p50 ms':>9}{'p99 ms':>9}{'top-3':>8}")
    codes = [language.code for language in LANGUAGES if language.code in latencies] + ["all"]
    for code in codes:
        count = sum(1 for q in questions if code in (q.language, "all"))
        print(
            f"{code:<10}{count:>10}{percentile(latencies[code], 0.5):>9.3f}"
            f"{percentile(latencies[code], 0.99):>9.3f}{score[code]:>8.0%}"
        )
    p99 = percentile(latencies["all"], 0.99)
    # The same questions with the refugies.info mirror in the index.
    library = many_fiches()
    started = time.perf_counter()
    guidance.refresh(library)
    with_fiches_build_s = time.perf_counter() - started
    with_fiches: list[float] = []
    for _ in range(args.repeat):
        for question in questions:
            started = time.perf_counter()
            guidance.ask(question.text, question.language)
            with_fiches.append((time.perf_counter() - started) * 1000)
    fiches_p99 = percentile(with_fiches, 0.99)
    fiches_score = scores(guidance, questions)["all"]
    print(
        f"with {len(library.fiches)} refugies.info fiches ({guidance.index.size} documents): "
        f"p50 {percentile(with_fiches, 0.5):.3f} ms, p99 {fiches_p99:.3f} ms, "
        f"rebuild {with_fiches_build_s:.2f} s (in a thread), top-3 {fiches_score:.0%}"
    )
    print(
        f"targets: p99 ≤ {TARGET_P99_MS} ms (with and without fiches), build ≤ {TARGET_BUILD_S} s,"
        f" top-3 ≥ {TARGET_SCORE:.0%}"
    )
    within = (
        max(p99, fiches_p99) <= TARGET_P99_MS
        and build_s <= TARGET_BUILD_S
        and score["all"] >= TARGET_SCORE
    )
    print("within targets" if within else "OVER TARGET")
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())

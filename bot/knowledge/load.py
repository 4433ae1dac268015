"""Reading `content/guidance/*.yaml` and checking it, problem by problem, file by file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from bot.knowledge.model import ANSWER_LIMIT, KnowledgeBase, Topic

CONTENT_DIR = Path(__file__).resolve().parent.parent.parent / "content"
GUIDANCE = "guidance"
OFFICIAL_SITES = "official-sites.yaml"
PROGRAMME = "programme.yaml"
# Facts change; an entry nobody has re-read for a year deserves a look.
STALE_AFTER = timedelta(days=365)

try:  # the C loader reads the whole base several times faster: it counts at start-up
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


@dataclass(frozen=True)
class Problem:
    severity: Literal["error", "warning"]
    file: str
    entry: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.entry}" if self.entry else self.file
        return f"{self.severity}: {where}: {self.message}"


class ContentError(Exception):
    """The knowledge base has errors; the message lists them."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # noqa: S506 - a safe loader


def _entry_at(raw: Any, location: tuple[int | str, ...]) -> str | None:
    """The id of the entry a validation error points into, for the report."""
    if len(location) >= 2 and location[0] == "entries" and isinstance(location[1], int):
        try:
            return str(raw["entries"][location[1]].get("id") or f"entry #{location[1] + 1}")
        except (KeyError, IndexError, TypeError, AttributeError):
            return None
    return None


def _read_topic(path: Path, problems: list[Problem]) -> Topic | None:
    name = f"{GUIDANCE}/{path.name}"
    try:
        raw = read_yaml(path)
    except yaml.YAMLError as error:
        problems.append(Problem("error", name, None, f"not valid YAML: {error}"))
        return None
    try:
        return Topic.model_validate(raw)
    except ValidationError as error:
        details = error.errors()
        inside_entries = any(len(d["loc"]) > 2 and d["loc"][0] == "entries" for d in details)
        for detail in details:
            location = tuple(detail["loc"])
            if inside_entries and location == ("entries",):
                continue  # "no valid entry" only repeats the errors of the entries themselves
            entry = _entry_at(raw, location)
            field = ".".join(str(part) for part in (location[2:] if entry else location))
            problems.append(Problem("error", name, entry, f"{field}: {detail['msg']}"))
        return None


def inspect(content_dir: Path, today: date) -> tuple[KnowledgeBase | None, list[Problem]]:
    """The knowledge base (None when it has errors) and every problem found."""
    problems: list[Problem] = []
    sites_path = content_dir / OFFICIAL_SITES
    sites = tuple(str(site).lower() for site in read_yaml(sites_path) or ())
    if not sites:
        problems.append(Problem("error", OFFICIAL_SITES, None, "no official site listed"))
    files = sorted((content_dir / GUIDANCE).glob("*.yaml"))
    if not files:
        problems.append(Problem("error", GUIDANCE, None, "no topic file"))
    topics: list[Topic] = []
    file_of: dict[str, str] = {}
    for path in files:
        topic = _read_topic(path, problems)
        if topic is not None:
            topics.append(topic)
            file_of[topic.id] = f"{GUIDANCE}/{path.name}"
    base = KnowledgeBase(topics=tuple(sorted(topics, key=lambda t: t.order)), official_sites=sites)
    problems += _cross_checks(base, file_of, today, _contract_id(content_dir))
    if any(problem.severity == "error" for problem in problems):
        return None, problems
    return base, problems


def _contract_id(content_dir: Path) -> str | None:
    try:
        return str(read_yaml(content_dir / PROGRAMME)["contract"]["id"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None


def _cross_checks(
    base: KnowledgeBase, file_of: dict[str, str], today: date, contract_id: str | None
) -> list[Problem]:
    problems: list[Problem] = []
    seen_topics: set[str] = set()
    seen_entries: dict[str, str] = {}
    for topic in base.topics:
        name = file_of[topic.id]
        if topic.id in seen_topics:
            problems.append(Problem("error", name, None, f"topic id {topic.id!r} used twice"))
        seen_topics.add(topic.id)
        for entry in topic.entries:

            def report(message: str, severity: Literal["error", "warning"] = "error") -> None:
                problems.append(Problem(severity, name, entry.id, message))  # noqa: B023

            if entry.id in seen_entries:
                report(f"id also used in {seen_entries[entry.id]}")
            seen_entries[entry.id] = name
            if len(entry.answer) > ANSWER_LIMIT:
                report(
                    f"answer too long: {len(entry.answer)} characters (at most {ANSWER_LIMIT}; "
                    "move details into steps)"
                )
            if entry.is_from_contract:
                if entry.contract_source != contract_id:
                    report(f"source names a contract that is not in {PROGRAMME}: {entry.source}")
            elif not base.is_official(entry.source):
                report(f"source is not an official site ({OFFICIAL_SITES}): {entry.source}")
            if entry.checked > today:
                report(f"checked on {entry.checked}, a date in the future")
            elif today - entry.checked > STALE_AFTER:
                report(f"checked on {entry.checked}, more than 12 months ago", "warning")
            for link in entry.links:
                if link.url is not None and not base.is_official(link.url):
                    report(f"link to a site that is not official ({OFFICIAL_SITES}): {link.url}")
    for topic in base.topics:
        for entry in topic.entries:
            for link in entry.links:
                if link.entry is not None and link.entry not in seen_entries:
                    problems.append(
                        Problem(
                            "error",
                            file_of[topic.id],
                            entry.id,
                            f"unknown link target {link.entry!r}",
                        )
                    )
                if link.entry == entry.id:
                    problems.append(
                        Problem("error", file_of[topic.id], entry.id, "links to itself")
                    )
    return problems


def load_knowledge_base(today: date, content_dir: Path = CONTENT_DIR) -> KnowledgeBase:
    """The validated knowledge base, or a ContentError listing every error."""
    base, problems = inspect(content_dir, today)
    if base is None:
        raise ContentError([problem for problem in problems if problem.severity == "error"])
    return base

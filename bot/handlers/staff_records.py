"""Staff records for the contract's indicators, their audit log and the indicator report
(`/staff` → « Suivi et rapport », and `/report`).

As in the rest of the staff's space, who is staff is decided on the server for every
command, press and typed answer (`common.is_staff`): a press with `sr:` data from anyone else
is answered like any outdated button and does nothing, and `/report` gets the help. A typed
answer is read and checked before anything is written: a mistake gets one line and the same
question again, and the records refuse (with a reason) before they write.

The staff's space (`bot.handlers.staff`) and this module import each other: it hands typed
answers here, this module asks it who is staff and to keep the question. Each uses the other
only inside functions, so either can be imported first.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from telegram import InputFile, Update

from bot.context import BotContext
from bot.domain.indicators import ReportPeriod
from bot.domain.staff_records import (
    MAX_STRUCTURE,
    MAX_STRUCTURE_TYPE,
    SUPPORT_ACTIONS,
    RecordError,
    parse_hours,
)
from bot.handlers import conversation, staff
from bot.handlers.common import is_staff, replace, send, staff_id
from bot.handlers.staff_access import set_prompt, staff_buttons
from bot.report_files import FORMATS, Format, indicator_report, report_file
from bot.storage.records import VolunteerRole
from bot.views import screen
from bot.views import staff_records as views
from bot.views.screen import Screen
from sync.programme import load_programme

log = logging.getLogger(__name__)

# Days as staff type them: 03/11/2026 (also 3/11/2026, 03.11.2026, 03-11-2026).
_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
# « N° 12 », « n°12 », « #12 » and « 12 » are the same registration.
_NUMBER_MARK = re.compile(r"^\s*(?:n\s*°|no\.?|#)\s*", re.IGNORECASE)
_FIRST_YEAR = 2000  # an earlier day is a typing mistake

Kind = Literal[
    "enrol",
    "end",
    "housing",
    "role",
    "role-person",
    "role-end",
    "training-name",
    "training-type",
    "training-hours",
    "dates",
]


@dataclass(frozen=True)
class Asked:
    """What a staff member was asked to type, with what they answered before it. The staff's
    space keeps it in the chat's memory and hands the answer back here (`staff.typed`)."""

    kind: Kind
    action: int = 0  # « enrol », « end »: the fiche action
    role: VolunteerRole | None = None  # « role-end »
    name: str = ""  # « training-type », « training-hours »: the structure's name
    structure_type: str = ""  # « training-hours »


class UnreadableAnswerError(ValueError):
    """A typed answer that cannot be read; `what` says why, for a translated line."""

    def __init__(self, what: views.Mistake) -> None:
        super().__init__(what)
        self.what = what


class _AskAgainError(Exception):
    """Ask the same question again, after this line."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


# ---- reading what staff type (pure) --------------------------------------------------
def read_day(text: str, today: date, *, past: bool = True) -> date:
    """A day as « 03/11/2026 »; with `past`, not after today."""
    found = _DAY.fullmatch(text.strip())
    if found is None:
        raise UnreadableAnswerError("format")
    try:
        day = date(int(found.group(3)), int(found.group(2)), int(found.group(1)))
    except ValueError:
        raise UnreadableAnswerError("format") from None
    if day.year < _FIRST_YEAR:
        raise UnreadableAnswerError("format")
    if past and day > today:
        raise UnreadableAnswerError("future")
    return day


def _registration(word: str) -> int:
    if not word.isdigit() or len(word) > 9:
        raise UnreadableAnswerError("format")
    return int(word)


def read_number_and_day(text: str, today: date) -> tuple[int, date]:
    """« 12 » (today) or « 12 03/11/2026 »: a registration number and a day."""
    words = _NUMBER_MARK.sub("", text).split()
    if len(words) not in (1, 2):
        raise UnreadableAnswerError("format")
    registration = _registration(words[0])
    return registration, read_day(words[1], today) if len(words) == 2 else today


def read_role(text: str, today: date) -> tuple[int, date, str]:
    """« 12 co-animation » or « 12 03/11/2026 co-animation »: number, first day, role."""
    words = _NUMBER_MARK.sub("", text).split()
    if len(words) < 2:
        raise UnreadableAnswerError("format")
    registration = _registration(words[0])
    if _DAY.fullmatch(words[1]):
        day, role = read_day(words[1], today), words[2:]
    else:
        day, role = today, words[1:]
    if not role:
        raise UnreadableAnswerError("format")
    return registration, day, " ".join(role)


def read_hours_and_day(text: str, today: date) -> tuple[str, date]:
    """« 2,5 » (today) or « 2,5 05/11/2026 »: the hours as typed (checked) and a day."""
    words = text.split()
    if len(words) not in (1, 2):
        raise UnreadableAnswerError("format")
    parse_hours(words[0])  # the records' own rule: a RecordError says why
    return words[0], read_day(words[1], today) if len(words) == 2 else today


def read_dates(text: str, today: date) -> ReportPeriod:
    """« 01/01/2026 30/06/2026 »: a report's first and last day (the future is allowed:
    the report counts what has happened)."""
    words = text.replace("–", " ").replace(" - ", " ").split()
    if len(words) != 2:
        raise UnreadableAnswerError("format")
    start, end = (read_day(word, today, past=False) for word in words)
    if start > end:
        raise UnreadableAnswerError("order")
    return ReportPeriod(start, end)


def report_periods(
    today: date, contract: ReportPeriod
) -> list[tuple[views.PeriodKind, ReportPeriod]]:
    """The periods offered with one press: this year and the last 12 months up to today, and
    the contract's."""
    try:
        a_year_before = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        a_year_before = today.replace(year=today.year - 1, day=28)
    return [
        ("year", ReportPeriod(today.replace(month=1, day=1), today)),
        ("12-months", ReportPeriod(a_year_before + timedelta(days=1), today)),
        ("contract", contract),
    ]


# ---- commands and presses --------------------------------------------------------------
def _today(context: BotContext) -> date:
    services = context.services
    return services.clock().astimezone(services.settings.timezone).date()


async def open_report(update: Update, context: BotContext) -> None:
    """/report: for anyone else, the same answer as any command the bot does not know."""
    if not is_staff(update, context):
        await conversation.show_help(update, context)
        return
    set_prompt(context, None)
    await send(update, context, await _periods(context))


async def _show_home(update: Update, context: BotContext, notice: str | None = None) -> None:
    await replace(update, context, views.home(context.t, notice))


async def _ask(update: Update, context: BotContext, asked: Asked) -> None:
    set_prompt(context, asked)
    await replace(update, context, _question(context, asked))


def _question(context: BotContext, asked: Asked, problem: str | None = None) -> Screen:
    """The screen of a question, with what was wrong in the last answer first."""
    t, today = context.t, _today(context)
    if asked.kind == "enrol":
        return views.ask_enrol(t, asked.action, today, problem)
    if asked.kind == "end":
        return views.ask_end_support(t, asked.action, today, problem)
    if asked.kind == "housing":
        return views.ask_housing(t, today, problem)
    if asked.kind == "role":
        return views.ask_role(t, today, problem)
    if asked.kind == "role-person":
        return views.ask_role_person(t, problem)
    if asked.kind == "role-end" and asked.role is not None:
        return views.ask_role_end(t, asked.role, today, problem)
    if asked.kind == "training-name":
        return views.ask_training_name(t, problem)
    if asked.kind == "training-type":
        return views.ask_training_type(t, asked.name, problem)
    if asked.kind == "training-hours":
        return views.ask_training_hours(t, asked.name, asked.structure_type, today, problem)
    return views.ask_dates(t, today, problem)


async def _choose_enrol(update: Update, context: BotContext) -> None:
    await replace(update, context, views.choose_support(context.t, ending=False))


async def _choose_end(update: Update, context: BotContext) -> None:
    await replace(update, context, views.choose_support(context.t, ending=True))


def _action(argument: str) -> int | None:
    return int(argument) if argument.isdigit() and int(argument) in SUPPORT_ACTIONS else None


async def _enrol_in(update: Update, context: BotContext, argument: str) -> None:
    action = _action(argument)
    if action is None:
        await _choose_enrol(update, context)
        return
    await _ask(update, context, Asked("enrol", action=action))


async def _end_of(update: Update, context: BotContext, argument: str) -> None:
    action = _action(argument)
    if action is None:
        await _choose_end(update, context)
        return
    await _ask(update, context, Asked("end", action=action))


async def _housing(update: Update, context: BotContext) -> None:
    await _ask(update, context, Asked("housing"))


async def _role(update: Update, context: BotContext) -> None:
    await _ask(update, context, Asked("role"))


async def _role_end(update: Update, context: BotContext) -> None:
    await _ask(update, context, Asked("role-person"))


async def _current_role(context: BotContext, argument: str) -> VolunteerRole | None:
    if not argument.isdigit() or len(argument) > 9:
        return None
    return await asyncio.to_thread(context.services.records.current_role, int(argument))


async def _role_end_day(update: Update, context: BotContext, argument: str) -> None:
    role = await _current_role(context, argument)
    if role is None:
        await _show_home(update, context, "⚠️ " + views.refused(context.t, "role"))
        return
    await _ask(update, context, Asked("role-end", role=role))


async def _role_end_today(update: Update, context: BotContext, argument: str) -> None:
    t = context.t
    role = await _current_role(context, argument)
    if role is None:
        await _show_home(update, context, "⚠️ " + views.refused(t, "role"))
        return
    try:
        notice = await _end_role(context, role, _today(context), staff_id(update))
    except RecordError as error:
        await _show_home(update, context, "⚠️ " + views.refused(t, error.reason))
        return
    await _show_home(update, context, notice)


async def _end_role(
    context: BotContext, role: VolunteerRole, end: date, staff_id: int | None
) -> str:
    await asyncio.to_thread(context.services.records.end_volunteer_role, role.id, end, staff_id)
    log.info("staff recorded the end of a volunteer role")
    return views.role_ended(context.t, role.role, end)


async def _training(update: Update, context: BotContext) -> None:
    await _ask(update, context, Asked("training-name"))


async def _cohosted(update: Update, context: BotContext, argument: str) -> None:
    """`<session>:1` co-hosted by a volunteer, `<session>:0` not: the wanted state."""
    session, _, state = argument.partition(":")
    if not session.isdigit() or len(session) > 9 or state not in ("0", "1"):
        await _show_home(update, context)
        return
    wanted = state == "1"
    records = context.services.records
    try:
        await asyncio.to_thread(records.mark_cohosted, int(session), wanted, staff_id(update))
    except RecordError:
        await _show_home(update, context, "⚠️ " + views.refused(context.t, "session"))
        return
    notice = views.cohosted(context.t, cohosted=wanted)
    found = await staff.session_screen(context, int(session), notice=notice)
    await replace(update, context, found or views.home(context.t))


async def _log(update: Update, context: BotContext) -> None:
    services = context.services
    entries = await asyncio.to_thread(services.records.audit_log, views.MAX_LOG)
    await replace(update, context, views.audit_log(context.t, entries, services.settings.timezone))


# ---- the report --------------------------------------------------------------------------
async def _periods(context: BotContext) -> Screen:
    programme = await asyncio.to_thread(load_programme)
    contract = ReportPeriod(programme.contract.period.start, programme.contract.period.end)
    return views.choose_period(context.t, report_periods(_today(context), contract))


async def _report(update: Update, context: BotContext) -> None:
    await replace(update, context, await _periods(context))


async def _dates(update: Update, context: BotContext) -> None:
    await _ask(update, context, Asked("dates"))


async def _period(update: Update, context: BotContext, argument: str) -> None:
    period = views.read_period_data(argument)
    if period is None:
        await _report(update, context)
        return
    await replace(update, context, views.choose_format(context.t, period))


def _format(text: str) -> Format | None:
    return next((fmt for fmt in FORMATS if fmt == text), None)


async def _send_report(update: Update, context: BotContext, argument: str) -> None:
    """`<period>:<format>`: the report as a file, the same bytes as `python -m bot report`."""
    data, _, text = argument.rpartition(":")
    period, fmt = views.read_period_data(data), _format(text)
    chat = update.effective_chat
    if period is None or fmt is None or chat is None:
        await _report(update, context)
        return
    services = context.services

    def make() -> tuple[str, bytes]:
        doc = indicator_report(
            services.engine,
            period,
            services.settings.timezone,
            services.clock(),
            catalogue=services.workshops.catalogue,
        )
        file = report_file(doc, fmt)
        return file.name, file.content

    name, content = await asyncio.to_thread(make)
    await context.bot.send_document(
        chat.id,
        InputFile(content, filename=name, attach=False),
        caption=views.report_caption(context.t, period),
    )
    # Not a change, but who took the counts out, and when, is worth keeping.
    detail = f"rapport des indicateurs du {period.start:%d/%m/%Y} au {period.end:%d/%m/%Y} ({fmt})"
    await asyncio.to_thread(services.records.note, staff_id(update), "report", detail)
    log.info("staff downloaded the indicator report (%s)", fmt)


# ---- what staff type -----------------------------------------------------------------------
Outcome = Screen | Asked  # what comes next: a screen, or the next question
Answer = Callable[[BotContext, Asked, str, int | None], Awaitable[Outcome]]


async def typed(update: Update, context: BotContext, asked: Asked, text: str) -> None:
    """The answer to one of this module's questions: the next screen or question, or one
    line saying what was wrong and the same question again (nothing is written then)."""
    t = context.t
    try:
        outcome = await _ANSWERS[asked.kind](context, asked, text.strip(), staff_id(update))
    except UnreadableAnswerError as error:
        problem = views.mistake(t, error.what)
    except RecordError as error:
        problem = views.refused(t, error.reason)
    except _AskAgainError as again:
        problem = again.problem
    else:
        if isinstance(outcome, Asked):
            set_prompt(context, outcome)
            await send(update, context, _question(context, outcome))
        else:
            set_prompt(context, None)
            await send(update, context, outcome)
        return
    await send(update, context, _question(context, asked, problem))


async def _answer_enrol(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    registration, day = read_number_and_day(text, _today(context))
    records = context.services.records
    await asyncio.to_thread(records.enrol, registration, asked.action, day, staff_id)
    log.info("staff recorded an entry into support (fiche %s)", asked.action)
    return views.home(context.t, views.enrolled(context.t, registration, asked.action, day))


async def _answer_end(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    registration, day = read_number_and_day(text, _today(context))
    records = context.services.records
    await asyncio.to_thread(records.end_support, registration, asked.action, day, staff_id)
    log.info("staff recorded the end of a support (fiche %s)", asked.action)
    return views.home(context.t, views.support_ended(context.t, registration, asked.action, day))


async def _answer_housing(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    registration, day = read_number_and_day(text, _today(context))
    await asyncio.to_thread(context.services.records.record_housing, registration, day, staff_id)
    log.info("staff recorded a household's lasting housing")
    return views.home(context.t, views.housed(context.t, registration, day))


async def _answer_role(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    registration, day, role = read_role(text, _today(context))
    records = context.services.records
    await asyncio.to_thread(records.add_volunteer_role, registration, role, day, staff_id)
    log.info("staff recorded a volunteer role")
    return views.home(context.t, views.role_added(context.t, registration, role, day))


async def _answer_role_person(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    words = _NUMBER_MARK.sub("", text).split()
    if len(words) != 1:
        raise UnreadableAnswerError("format")
    registration = _registration(words[0])
    roles = await asyncio.to_thread(context.services.records.current_roles, registration)
    if not roles:
        raise _AskAgainError(views.no_current_role(context.t, registration))
    return views.choose_role(context.t, registration, roles)


async def _answer_role_end(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    if asked.role is None:
        return views.home(context.t)
    day = read_day(text, _today(context))
    return views.home(context.t, await _end_role(context, asked.role, day, staff_id))


def _words(text: str, longest: int) -> str:
    """A name or type as the records keep it: spaces tidied, within their length."""
    tidy = " ".join(text.split())
    if not tidy or len(tidy) > longest:
        raise RecordError(f"a text of 1 to {longest} characters", "text")
    return tidy


async def _answer_training_name(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    return Asked("training-type", name=_words(text, MAX_STRUCTURE))


async def _answer_training_type(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    kind = _words(text, MAX_STRUCTURE_TYPE)
    return Asked("training-hours", name=asked.name, structure_type=kind)


async def _answer_training_hours(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    hours, day = read_hours_and_day(text, _today(context))
    records = context.services.records
    await asyncio.to_thread(
        records.add_training, asked.name, asked.structure_type, hours, day, staff_id
    )
    log.info("staff recorded a training of a partner structure")
    notice = views.training_added(
        context.t, asked.name, asked.structure_type, parse_hours(hours), day
    )
    return views.home(context.t, notice)


async def _answer_dates(
    context: BotContext, asked: Asked, text: str, staff_id: int | None
) -> Outcome:
    return views.choose_format(context.t, read_dates(text, _today(context)))


_ANSWERS: dict[Kind, Answer] = {
    "enrol": _answer_enrol,
    "end": _answer_end,
    "housing": _answer_housing,
    "role": _answer_role,
    "role-person": _answer_role_person,
    "role-end": _answer_role_end,
    "training-name": _answer_training_name,
    "training-type": _answer_training_type,
    "training-hours": _answer_training_hours,
    "dates": _answer_dates,
}
button = staff_buttons(
    {
        screen.RECORDS_HOME: _show_home,
        screen.RECORDS_ENROL: _choose_enrol,
        screen.RECORDS_END: _choose_end,
        screen.RECORDS_HOUSING: _housing,
        screen.RECORDS_ROLE: _role,
        screen.RECORDS_ROLE_END: _role_end,
        screen.RECORDS_TRAINING: _training,
        screen.RECORDS_LOG: _log,
        screen.RECORDS_REPORT: _report,
        screen.RECORDS_DATES: _dates,
    },
    [
        (screen.RECORDS_ENROL_PREFIX, _enrol_in),
        (screen.RECORDS_END_PREFIX, _end_of),
        (screen.RECORDS_ROLE_END_PREFIX, _role_end_day),
        (screen.RECORDS_ROLE_END_TODAY_PREFIX, _role_end_today),
        (screen.RECORDS_COHOSTED_PREFIX, _cohosted),
        (screen.RECORDS_PERIOD_PREFIX, _period),
        (screen.RECORDS_FILE_PREFIX, _send_report),
    ],
)

"""A refugies.info server on loopback that enforces the platform's rules.

Written from `reference/refugies-info-api.md` and the platform's server code, independently
of `sync.payloads`: both headers on writes, the raw token (signed like the platform's: one it
cannot decode is a 500 with its JWT library's message, an unknown user a 403), the unusual
401/403 pair, 422 on an undeclared or mistyped field, completeness on publish, the draft copy
of a live fiche, 2FA login, a structure's fiches (`GET /structures/{id}`, not in the
reference), and the reading side the bot's mirror uses: `GET /dispositifs/getContentsForApp`
(public; a département's live fiches, each titled in the language asked for when translated)
and `GET /dispositifs/{id}?locale=` in every language (the site secret required, the locale
validated, French shown where no translation exists, `availableLanguages` saying which).
Tests drive it through a small API: users and structures, moderation, edits, translations
and deletions made "on the platform", live fiches seeded, and faults (an error or a hold on
the next call of a route, or the platform going down after a number of calls).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SITE_SECRET = "site-secret-of-the-loopback-emulator"

DRAFT = "Brouillon"
WAITING_STRUCTURE = "En attente"
WAITING_ADMIN = "En attente admin"
ACCEPTED = "Accepté structure"
REJECTED = "Rejeté structure"
ACTIVE = "Actif"
ARCHIVED = "Archivé"
DELETED = "Supprimé"
# What a structure's members see of its fiches in `GET /structures/{id}`; others: ACTIVE.
LISTED_TO_MEMBERS = (DRAFT, ACCEPTED, WAITING_STRUCTURE, WAITING_ADMIN, ACTIVE, ARCHIVED)

OBJECT_ID = re.compile(r"^[0-9a-fA-F]{24}$")
# The platform's `Languages` type: what a `locale` query parameter may be.
LOCALES = ("fr", "en", "uk", "ti", "ar", "ps", "ru", "fa")
AGES = ("0 à 17 ans", "18 à 25 ans", "26 ans et plus")
MOBILE_FRENCH_LEVELS = (
    "Je ne lis et n'écris pas le français",
    "Je parle un peu",
    "Je parle bien",
    "Je parle couramment",
    "Tous les niveaux",
)
# The fields a translation carries (the rest of a fiche is the same in every language).
TRANSLATED_FIELDS = ("titreInformatif", "titreMarque", "abstract", "what", "why", "how", "next")

THEMES = [
    ("63286a015d31b2c0cad9960c", "Trouver un logement", "Logement"),
    ("63286a015d31b2c0cad9960b", "Faire mes papiers", "Administratif"),
    ("63286a015d31b2c0cad9960a", "Apprendre le français", "Français"),
    ("63286a015d31b2c0cad9960e", "Trouver un travail", "Travail"),
    ("63286a015d31b2c0cad9960f", "Santé", "Santé"),
    ("63286a015d31b2c0cad9960d", "Transports", "Mobilité"),
    ("63286a015d31b2c0cad99610", "Apprendre un métier", "Formation"),
    ("63286a015d31b2c0cad99611", "Faire des études", "Études"),
    ("63286a015d31b2c0cad99615", "Activités et culture", "Loisirs"),
    ("63450dd43e23cd7181ba0b26", "Famille", "Famille"),
]
# Short theme names in the other languages, as the platform translates its themes (sample
# data for the emulator, not the platform's own words). Tigrinya is missing on purpose: the
# bot then shows the French name.
THEME_SHORT_NAMES: dict[str, dict[str, str]] = {
    "Logement": {"en": "Housing", "ar": "السكن", "fa": "مسکن", "ps": "استوګنځی",
                 "ru": "Жильё", "uk": "Житло"},
    "Administratif": {"en": "Paperwork", "ar": "الإجراءات", "fa": "کارهای اداری",
                      "ps": "اداري چارې", "ru": "Документы", "uk": "Документи"},
    "Français": {"en": "French", "ar": "الفرنسية", "fa": "فرانسوی", "ps": "فرانسوي",
                 "ru": "Французский", "uk": "Французька"},
    "Travail": {"en": "Work", "ar": "العمل", "fa": "کار", "ps": "کار", "ru": "Работа",
                "uk": "Робота"},
    "Santé": {"en": "Health", "ar": "الصحة", "fa": "صحت", "ps": "روغتیا", "ru": "Здоровье",
              "uk": "Здоров'я"},
    "Mobilité": {"en": "Transport", "ar": "التنقل", "fa": "ترانسپورت", "ps": "ټرانسپورټ",
                 "ru": "Транспорт", "uk": "Транспорт"},
    "Formation": {"en": "Training", "ar": "التكوين", "fa": "آموزش حرفه‌ای", "ps": "روزنه",
                  "ru": "Обучение", "uk": "Навчання"},
    "Études": {"en": "Studies", "ar": "الدراسة", "fa": "تحصیل", "ps": "زده کړې",
               "ru": "Учёба", "uk": "Освіта"},
    "Loisirs": {"en": "Leisure", "ar": "الترفيه", "fa": "تفریح", "ps": "تفریح",
                "ru": "Досуг", "uk": "Дозвілля"},
    "Famille": {"en": "Family", "ar": "العائلة", "fa": "خانواده", "ps": "کورنۍ",
                "ru": "Семья", "uk": "Сім'я"},
}  # fmt: skip


def new_id() -> str:
    return secrets.token_hex(12)


def _b64encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# The platform's declared body types (tsoa validates them, and rejects extra properties).

Errors = dict[str, dict[str, Any]]


class Spec(ABC):
    """A declared type: records what is wrong with a value under its path."""

    @abstractmethod
    def check(self, value: Any, path: str, errors: Errors) -> None: ...


class Str(Spec):
    def check(self, value: Any, path: str, errors: Errors) -> None:
        if not isinstance(value, str):
            errors[path] = {"message": "invalid string value", "value": value}


class Bool(Spec):
    def check(self, value: Any, path: str, errors: Errors) -> None:
        if not isinstance(value, bool):
            errors[path] = {"message": "invalid boolean value", "value": value}


class Num(Spec):
    def check(self, value: Any, path: str, errors: Errors) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            errors[path] = {"message": "invalid float number", "value": value}


class Enum(Spec):
    def __init__(self, *values: str) -> None:
        self.values = values

    def check(self, value: Any, path: str, errors: Errors) -> None:
        if value not in self.values:
            errors[path] = {
                "message": f"should be one of the following; {list(self.values)}",
                "value": value,
            }


class ListOf(Spec):
    def __init__(self, item: Spec) -> None:
        self.item = item

    def check(self, value: Any, path: str, errors: Errors) -> None:
        if not isinstance(value, list):
            errors[path] = {"message": "invalid array", "value": value}
            return
        for index, item in enumerate(value):
            self.item.check(item, f"{path}.${index}", errors)


class MapOf(Spec):
    def __init__(self, item: Spec) -> None:
        self.item = item

    def check(self, value: Any, path: str, errors: Errors) -> None:
        if not isinstance(value, dict):
            errors[path] = {"message": "invalid object", "value": value}
            return
        for key, item in value.items():
            self.item.check(item, f"{path}.{key}", errors)


class Obj(Spec):
    def __init__(self, required: dict[str, Spec], optional: dict[str, Spec] | None = None) -> None:
        self.required = required
        self.optional = optional or {}

    def check(self, value: Any, path: str, errors: Errors) -> None:
        if not isinstance(value, dict):
            errors[path] = {"message": "invalid object", "value": value}
            return
        for key in value:
            if key not in self.required and key not in self.optional:
                errors[path] = {
                    "message": f'"{key}" is an excess property and therefore is not allowed',
                    "value": {key: value[key]},
                }
        for key, spec in self.required.items():
            if key not in value:
                errors[f"{path}.{key}"] = {"message": f"'{key}' is required"}
            else:
                spec.check(value[key], f"{path}.{key}", errors)
        for key, spec in self.optional.items():
            if key in value:
                spec.check(value[key], f"{path}.{key}", errors)


class Nullable(Spec):
    def __init__(self, inner: Spec) -> None:
        self.inner = inner

    def check(self, value: Any, path: str, errors: Errors) -> None:
        if value is not None:
            self.inner.check(value, path, errors)


class Either(Spec):
    def __init__(self, *options: Spec) -> None:
        self.options = options

    def check(self, value: Any, path: str, errors: Errors) -> None:
        for option in self.options:
            attempt: Errors = {}
            option.check(value, path, attempt)
            if not attempt:
                return
        errors[path] = {
            "message": "Could not match the union against any of the items.",
            "value": value,
        }


TIME_UNITS = Enum(
    "sessions", "hours", "half-days", "days", "weeks", "months", "trimesters", "semesters", "years"
)
PICTURE = Obj({"imgId": Nullable(Str()), "public_id": Nullable(Str()), "secure_url": Str()})
SECTION = Obj({"title": Str(), "text": Str()})
METADATAS = Obj(
    {},
    {
        "location": Nullable(Either(Enum("france", "online"), ListOf(Str()))),
        "frenchLevel": Nullable(ListOf(Enum("alpha", "A1", "A2", "B1", "B2", "C1", "C2"))),
        "publicStatus": Nullable(
            ListOf(Enum("asile", "refugie", "subsidiaire", "temporaire", "apatride", "french"))
        ),
        "public": Nullable(ListOf(Enum("family", "women", "youths", "senior", "gender"))),
        "conditions": Nullable(
            ListOf(
                Enum(
                    "acte naissance",
                    "titre sejour",
                    "cir",
                    "bank account",
                    "pole emploi",
                    "driver license",
                    "school",
                )
            )
        ),
        "timeSlots": Nullable(
            ListOf(
                Enum("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
            )
        ),
        "age": Nullable(
            Obj({"type": Enum("lessThan", "moreThan", "between"), "ages": ListOf(Num())})
        ),
        "price": Nullable(
            Obj(
                {"values": ListOf(Num())},
                {
                    "details": Nullable(
                        Enum(
                            "once",
                            "eachTime",
                            "hour",
                            "day",
                            "week",
                            "month",
                            "trimester",
                            "semester",
                            "year",
                        )
                    )
                },
            )
        ),
        "commitment": Nullable(
            Obj(
                {
                    "amountDetails": Enum(
                        "minimum", "maximum", "approximately", "exactly", "between"
                    ),
                    "hours": ListOf(Num()),
                    "timeUnit": TIME_UNITS,
                }
            )
        ),
        "frequency": Nullable(
            Obj(
                {
                    "amountDetails": Enum("minimum", "maximum", "approximately", "exactly"),
                    "hours": Num(),
                    "timeUnit": TIME_UNITS,
                    "frequencyUnit": Enum(
                        "session", "day", "week", "month", "trimester", "semester", "year"
                    ),
                }
            )
        ),
    },
)
DISPOSITIF_FIELDS: dict[str, Spec] = {
    "titreInformatif": Str(),
    "titreMarque": Str(),
    "abstract": Str(),
    "what": Str(),
    "markdown": Str(),
    "why": MapOf(SECTION),
    "how": MapOf(SECTION),
    "next": MapOf(SECTION),
    "mainSponsor": Nullable(Either(Str(), Obj({"name": Str(), "logo": PICTURE, "link": Str()}))),
    "contact": Obj(
        {"name": Str(), "isMember": Bool(), "isMe": Bool()},
        {"email": Str(), "phone": Str(), "comments": Str()},
    ),
    "theme": Str(),
    "secondaryThemes": ListOf(Str()),
    "sponsors": ListOf(Obj({"name": Str()}, {"logo": PICTURE, "link": Str()})),
    "administration": Obj({"name": Str(), "logo": PICTURE}),
    "metadatas": METADATAS,
    "map": Nullable(
        ListOf(
            Obj(
                {"title": Str(), "address": Str(), "lat": Num(), "lng": Num()},
                {"city": Nullable(Str()), "description": Str(), "email": Str(), "phone": Str()},
            )
        )
    ),
}
PUBLISH = Obj({}, {"keepTranslations": Bool()})
LOGIN = Obj({"authPassword": Obj({"email": Str(), "password": Str()})})
CHECK_CODE = Obj({"email": Str(), "code": Str(), "mfaCode": Str()})
SEND_CODE = Obj({"email": Str()})

REQUIRED_METADATAS = (
    "publicStatus",
    "age",
    "frenchLevel",
    "public",
    "price",
    "commitment",
    "frequency",
    "timeSlots",
    "conditions",
    "location",
)
CONTENT_FIELDS = ("titreInformatif", "titreMarque", "abstract", "what", "why", "how")


class Reply(Exception):  # noqa: N818 - control flow inside a handler, not an error
    def __init__(self, status: int, payload: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.payload = payload


def fail(status: int, message: str, code: str | None = None, data: Any = None) -> Reply:
    payload: dict[str, Any] = {"message": message}
    if code is not None:
        payload["code"] = code
    if data is not None:
        payload["data"] = data
    return Reply(status, payload)


@dataclass
class User:
    id: str
    email: str
    password: str
    token: str
    two_factor: bool
    admin: bool = False


@dataclass
class Structure:
    id: str
    nom: str
    members: set[str] = field(default_factory=set)


@dataclass
class Fiche:
    id: str
    type_contenu: str
    creator_id: str
    main: dict[str, Any]
    draft: dict[str, Any] | None = None
    published_once: bool = False
    contacts: list[dict[str, Any]] = field(default_factory=list)
    # The sections sent back to translation each time a live fiche's draft was published.
    reviews: list[list[str]] = field(default_factory=list)
    # The published version's translations: language -> translated fields.
    translations: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_modified: str | None = None
    # Shown on the website only: never listed for the app.
    web_only: bool = False


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    route: str
    headers: dict[str, str]
    body: Any
    status: int


@dataclass
class Fault:
    route: str
    status: int = 500
    message: str = "Internal Server Error"
    # Do the work first, then answer the error: the answer is lost, the effect is not.
    after: bool = False
    hold: threading.Event | None = None


@dataclass
class Outage:
    """The platform answers `status` to every call (of `route`, or of any route) once
    `calls_left` more calls have gone through."""

    calls_left: int
    route: str | None = None
    status: int = 500


def timestamp() -> str:
    """A date as the platform's JSON writes it (`2024-05-14T09:21:36.123Z`)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def is_complete(fiche: Fiche, version: dict[str, Any]) -> bool:
    def sections_ok(sections: Any, minimum: int) -> bool:
        return (
            isinstance(sections, dict)
            and len(sections) >= minimum
            and all(s.get("title") and s.get("text") for s in sections.values())
        )

    metadatas = version.get("metadatas") or {}
    return (
        bool(version.get("titreInformatif"))
        and (fiche.type_contenu == "demarche" or bool(version.get("titreMarque")))
        and bool(version.get("what"))
        and bool(version.get("abstract"))
        and bool(version.get("theme"))
        and bool(version.get("mainSponsor"))
        and sections_ok(version.get("why"), 3)
        and sections_ok(version.get("how"), 1)
        and all(key in metadatas for key in REQUIRED_METADATAS)
    )


class RefugiesEmulator:
    """The platform on 127.0.0.1 (random port); use as a context manager."""

    def __init__(self, site_secret: str = SITE_SECRET) -> None:
        self.site_secret = site_secret
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.structures: dict[str, Structure] = {}
        self.fiches: dict[str, Fiche] = {}
        self.themes = [
            {
                "_id": i,
                "name": {"fr": name},
                "short": {"fr": short, **THEME_SHORT_NAMES[short]},
                "position": n,
            }
            for n, (i, name, short) in enumerate(THEMES)
        ]
        self.requests: list[Recorded] = []
        self.emails: list[tuple[str, str]] = []
        self.undeclared: set[str] = set()
        # Items `GET /dispositifs/user-contributions` adds as they are (odd shapes).
        self.odd_contributions: list[Any] = []
        self._jwt_secret = secrets.token_bytes(32)
        self._pending_codes: dict[str, tuple[str, str]] = {}
        self._faults: list[Fault] = []
        self._outage: Outage | None = None
        self._in_flight = 0
        self._idle = threading.Condition()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # Life cycle

    def __enter__(self) -> RefugiesEmulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        server.daemon_threads = True
        server.emulator = self  # type: ignore[attr-defined]
        server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._server = server
        # A short poll keeps shutdown (every test's teardown) quick.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        for fault in self._faults:
            if fault.hold is not None:
                fault.hold.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until no request is being handled (after releasing a held one)."""
        with self._idle:
            if not self._idle.wait_for(lambda: self._in_flight == 0, timeout=timeout):
                raise TimeoutError("the emulator is still handling a request")

    # Test-side API: people and structures

    def add_structure(self, nom: str, structure_id: str | None = None) -> str:
        with self.lock:
            structure = Structure(structure_id or new_id(), nom)
            self.structures[structure.id] = structure
            return structure.id

    def add_user(
        self,
        email: str,
        password: str = "correct horse battery staple",  # noqa: S107 - a test account
        *,
        member_of: str | None = None,
        two_factor: bool = False,
        admin: bool = False,
    ) -> User:
        with self.lock:
            user_id = new_id()
            user = User(user_id, email, password, self.sign_token(user_id), two_factor, admin)
            self.users[user.id] = user
            if member_of is not None:
                self.structures[member_of].members.add(user.id)
            return user

    def sign_token(self, user_id: str) -> str:
        """A token as the platform makes them (an HS256 JWT of the user id), for any id."""
        header = _b64encode(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
        payload = _b64encode(json.dumps({"_id": user_id}).encode())
        signed = f"{header}.{payload}".encode()
        signature = hmac.new(self._jwt_secret, signed, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64encode(signature)}"

    def leave_structure(self, structure_id: str, user: User) -> None:
        with self.lock:
            self.structures[structure_id].members.discard(user.id)

    # Test-side API: what the platform's people do

    def moderate(self, fiche_id: str, status: str = ACTIVE) -> None:
        """A moderator sets the status (e.g. publishes a fiche waiting for review)."""
        with self.lock:
            fiche = self.fiches[fiche_id]
            fiche.main["status"] = status
            if status == ACTIVE:
                fiche.published_once = True
                fiche.last_modified = timestamp()

    def add_live_fiche(
        self,
        fiche_id: str,
        type_contenu: str,
        french: dict[str, Any],
        *,
        translations: dict[str, dict[str, Any]] | None = None,
        metadatas: dict[str, Any] | None = None,
        theme: str | None = None,
        secondary_themes: list[str] | None = None,
        sponsor: str | None = None,
        last_modified: str | None = None,
        web_only: bool = False,
    ) -> Fiche:
        """A fiche already published on the platform (someone else's, or ours), with its
        published translations: `french` and each translation hold TRANSLATED_FIELDS."""
        with self.lock:
            main: dict[str, Any] = {
                "status": ACTIVE,
                **{name: "" for name in ("titreInformatif", "titreMarque", "abstract", "what")},
                "why": {},
                "how": {},
                **copy.deepcopy(french),
                "metadatas": copy.deepcopy(metadatas or {}),
                "theme": theme,
                "secondaryThemes": list(secondary_themes or []),
                "mainSponsor": sponsor,
            }
            fiche = Fiche(
                fiche_id,
                type_contenu,
                creator_id="platform-contributor",
                main=main,
                published_once=True,
                translations=copy.deepcopy(translations or {}),
                last_modified=last_modified or timestamp(),
                web_only=web_only,
            )
            self.fiches[fiche_id] = fiche
            return fiche

    def translate_on_platform(self, fiche_id: str, locale: str, **fields: Any) -> None:
        """A translator's work is validated: the published fiche gains (or changes) a
        language."""
        with self.lock:
            fiche = self.fiches[fiche_id]
            fiche.translations.setdefault(locale, {}).update(copy.deepcopy(fields))

    def edit_on_platform(self, fiche_id: str, **fields: Any) -> None:
        """Someone changed the fiche on the website (the version everyone sees)."""
        with self.lock:
            self.fiches[fiche_id].main.update(copy.deepcopy(fields))

    def edit_draft_on_platform(self, fiche_id: str, **fields: Any) -> None:
        """A structure member edits a live fiche on the website and does not publish yet."""
        with self.lock:
            fiche = self.fiches[fiche_id]
            if fiche.draft is None:
                fiche.draft = {**copy.deepcopy(fiche.main), "status": DRAFT}
            fiche.draft.update(copy.deepcopy(fields))

    def delete_on_platform(self, fiche_id: str) -> None:
        with self.lock:
            fiche = self.fiches[fiche_id]
            fiche.main["status"] = DELETED
            fiche.draft = None

    def stop_declaring(self, field_name: str) -> None:
        """The platform's API no longer declares this field: sending it is a 422."""
        self.undeclared.add(field_name)

    # Test-side API: faults

    def fail_next(
        self, route: str, status: int = 500, *, after: bool = False, message: str | None = None
    ) -> None:
        """The next call of `route` (e.g. "POST /dispositifs") answers `status`."""
        with self.lock:
            self._faults.append(
                Fault(route, status, message or "Internal Server Error", after=after)
            )

    def fail_after(self, calls: int, *, route: str | None = None, status: int = 500) -> None:
        """The platform goes down: after `calls` more calls (of `route`, or of any route),
        every call answers `status` until `recover()`."""
        with self.lock:
            self._outage = Outage(calls, route, status)

    def recover(self) -> None:
        with self.lock:
            self._outage = None

    def hold_next(self, route: str) -> threading.Event:
        """The next call of `route` waits until the returned event is set, then proceeds."""
        gate = threading.Event()
        with self.lock:
            self._faults.append(Fault(route, hold=gate))
        return gate

    # Test-side API: looking

    @property
    def write_calls(self) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if r.method in ("POST", "PATCH", "PUT", "DELETE") and r.path.startswith("/dispositifs")
        ]

    def calls_to(self, route: str) -> list[Recorded]:
        return [r for r in self.requests if r.route == route]

    def fiches_of(self, structure_id: str) -> list[Fiche]:
        with self.lock:
            return [
                fiche
                for fiche in self.fiches.values()
                if fiche.main.get("mainSponsor") == structure_id and fiche.main["status"] != DELETED
            ]

    def last_code_for(self, email: str) -> str:
        return next(code for to, code in reversed(self.emails) if to == email)

    # Request handling

    def _maybe_down(self, route: str) -> None:
        with self.lock:
            outage = self._outage
            if outage is None or outage.route not in (None, route):
                return
            if outage.calls_left > 0:
                outage.calls_left -= 1
                return
        raise fail(outage.status, "Internal Server Error")

    def _take_fault(self, route: str) -> Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.route == route:
                    self._faults.remove(fault)
                    return fault
        return None

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> tuple[int, dict[str, Any]]:
        with self._idle:
            self._in_flight += 1
        try:
            return self._handle(method, raw_path, headers, raw_body)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def _handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes
    ) -> tuple[int, dict[str, Any]]:
        url = urlsplit(raw_path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        body: Any = None
        status = 500
        route = f"{method} {url.path}"
        try:
            if raw_body:
                try:
                    body = json.loads(raw_body)
                except ValueError as error:
                    raise fail(400, f"Unexpected token in JSON: {error}") from error
            found = self._route(method, url.path)
            if found is None:
                raise fail(404, "Not found")
            route, handler, security, params = found
            self._maybe_down(route)
            fault = self._take_fault(route)
            if fault is not None and fault.hold is not None:
                fault.hold.wait(timeout=10)
                fault = None
            if fault is not None and not fault.after:
                raise fail(fault.status, fault.message)
            user = self._authenticate(security, headers)
            with self.lock:
                status, payload = handler(user=user, body=body, query=query, **params)
            if fault is not None:
                raise fail(fault.status, fault.message)
            return status, payload
        except Reply as reply:
            status = reply.status
            return reply.status, reply.payload
        finally:
            recorded = Recorded(method, url.path, route, dict(headers), body, status)
            with self.lock:
                self.requests.append(recorded)

    def _routes(
        self,
    ) -> list[tuple[str, str, Callable[..., tuple[int, dict[str, Any]]], tuple[str, ...]]]:
        return [
            ("GET", r"/themes", self._themes, ()),
            ("POST", r"/user/login", self._login, ("site",)),
            ("POST", r"/user/check-code", self._check_code, ("site",)),
            ("POST", r"/user/send-code", self._send_code, ("site",)),
            ("GET", r"/dispositifs/user-contributions", self._contributions, ("site", "jwt")),
            ("POST", r"/dispositifs", self._create, ("site", "jwt")),
            ("PATCH", r"/dispositifs/(?P<id>[^/]+)/publish", self._publish, ("site", "jwt")),
            ("PATCH", r"/dispositifs/(?P<id>[^/]+)", self._update, ("site", "jwt")),
            ("DELETE", r"/dispositifs/(?P<id>[^/]+)", self._delete, ("site", "jwt")),
            # Before `/dispositifs/{id}`, as on the platform (the first matching route wins).
            ("GET", r"/dispositifs/getContentsForApp", self._contents_for_app, ()),
            ("GET", r"/dispositifs/(?P<id>[^/]+)", self._get, ("site", "jwt-optional")),
            ("GET", r"/structures/(?P<id>[^/]+)", self._structure, ("jwt-optional",)),
        ]

    def _route(
        self, method: str, path: str
    ) -> (
        tuple[str, Callable[..., tuple[int, dict[str, Any]]], tuple[str, ...], dict[str, str]]
        | None
    ):
        for verb, pattern, handler, security in self._routes():
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                name = re.sub(r"\(\?P<id>\[\^/\]\+\)", "{id}", pattern)
                return f"{verb} {name}", handler, security, match.groupdict()
        return None

    def _authenticate(self, security: tuple[str, ...], headers: dict[str, str]) -> User | None:
        if "site" in security and headers.get("site-secret") != self.site_secret:
            raise fail(401, "Request blocked via API")
        if "jwt" not in security and "jwt-optional" not in security:
            return None
        token = headers.get("authorization") or headers.get("x-access-token")
        if not token:
            if "jwt" in security:
                raise fail(403, "No token found")
            return None
        # Even where the token is optional, one that is sent is decoded, and its user must exist.
        user = self.users.get(str(self._decode_token(token).get("_id")))
        if user is None:
            raise fail(403, "No user found")
        return user

    def _decode_token(self, token: str) -> dict[str, Any]:
        """The platform's JWT library: it throws, and the platform answers its message in a 500."""
        segments = token.split(".")
        if len(segments) != 3:
            raise fail(500, "Not enough or too many segments")
        header_part, payload_part, signature = segments
        try:
            header = json.loads(_b64decode(header_part))
            payload = json.loads(_b64decode(payload_part))
        except ValueError as error:
            raise fail(500, "Unexpected token in JSON at position 0") from error
        if not isinstance(header, dict) or header.get("alg") != "HS256":
            raise fail(500, "Algorithm not supported")
        signed = f"{header_part}.{payload_part}".encode()
        expected = _b64encode(hmac.new(self._jwt_secret, signed, hashlib.sha256).digest())
        if not hmac.compare_digest(expected, signature):
            raise fail(500, "Signature verification failed")
        return payload if isinstance(payload, dict) else {}

    @staticmethod
    def _validate(spec: Spec, body: Any) -> None:
        errors: Errors = {}
        spec.check({} if body is None else body, "body", errors)
        if errors:
            raise Reply(422, {"message": "Validation Failed", "data": errors})

    def _declared(self) -> dict[str, Spec]:
        return {k: v for k, v in DISPOSITIF_FIELDS.items() if k not in self.undeclared}

    # Handlers (run under the lock)

    def _themes(self, **_: Any) -> tuple[int, dict[str, Any]]:
        return 200, {"text": "success", "data": copy.deepcopy(self.themes)}

    def _login(self, body: Any, **_: Any) -> tuple[int, dict[str, Any]]:
        self._validate(LOGIN, body)
        email, password = body["authPassword"]["email"], body["authPassword"]["password"]
        user = next((u for u in self.users.values() if u.email == email), None)
        if user is None:
            raise fail(404, "Pas de compte associé à cet email.", "NO_ACCOUNT", {"email": email})
        if user.password != password:
            raise fail(401, "Mot de passe incorrect", "INVALID_PASSWORD")
        if user.two_factor:
            mfa = secrets.token_hex(8)
            code = f"{secrets.randbelow(10**6):06d}"
            self._pending_codes[email] = (mfa, code)
            self.emails.append((email, code))
            raise fail(400, "No code supplied", "NO_CODE_SUPPLIED", {"email": email, "code": mfa})
        return 200, {"text": "success", "data": {"token": user.token}}

    def _check_code(self, body: Any, **_: Any) -> tuple[int, dict[str, Any]]:
        self._validate(CHECK_CODE, body)
        pending = self._pending_codes.get(body["email"])
        if pending is None or pending != (body["mfaCode"], body["code"]):
            raise fail(403, "Erreur à la vérification du code", "WRONG_CODE")
        del self._pending_codes[body["email"]]
        user = next(u for u in self.users.values() if u.email == body["email"])
        return 200, {"text": "success", "data": {"token": user.token}}

    def _send_code(self, body: Any, **_: Any) -> tuple[int, dict[str, Any]]:
        self._validate(SEND_CODE, body)
        pending = self._pending_codes.get(body["email"])
        if pending is not None:
            code = f"{secrets.randbelow(10**6):06d}"
            self._pending_codes[body["email"]] = (pending[0], code)
            self.emails.append((body["email"], code))
        return 200, {"text": "success"}

    def _is_member(self, user: User | None, structure_id: Any) -> bool:
        structure = self.structures.get(structure_id) if isinstance(structure_id, str) else None
        return user is not None and structure is not None and user.id in structure.members

    def _can_edit(self, fiche: Fiche, user: User) -> bool:
        if user.admin or self._is_member(user, fiche.main.get("mainSponsor")):
            return True
        return (
            fiche.creator_id == user.id
            and not fiche.published_once
            and fiche.main["status"] in (DRAFT, WAITING_STRUCTURE)
        )

    def _complete(self, fiche: Fiche, version: dict[str, Any]) -> bool:
        # The platform reads mainSponsor through the structure: an unknown id counts as empty.
        return is_complete(fiche, version) and version.get("mainSponsor") in self.structures

    def _fiche(self, fiche_id: str) -> Fiche:
        fiche = self.fiches.get(fiche_id)
        if fiche is None:
            raise fail(404, "Dispositif not found")
        return fiche

    def _apply(self, version: dict[str, Any], body: dict[str, Any], fiche: Fiche) -> None:
        for name in ("titreInformatif", "titreMarque", "abstract", "what"):
            if isinstance(body.get(name), str):
                version[name] = body[name]
        for name in ("why", "how"):
            if body.get(name):
                version[name] = copy.deepcopy(body[name])
        for name in ("theme", "mainSponsor"):
            value = body.get(name)
            if isinstance(value, str) and not OBJECT_ID.match(value):
                raise fail(500, "input must be a 24 character hex string")
        for value in body.get("secondaryThemes") or []:
            if not OBJECT_ID.match(value):
                raise fail(500, "input must be a 24 character hex string")
        if "mainSponsor" in body:
            sponsor = body["mainSponsor"]
            if isinstance(sponsor, dict):
                structure = Structure(new_id(), sponsor["name"])
                self.structures[structure.id] = structure
                sponsor = structure.id
            version["mainSponsor"] = sponsor
        if body.get("theme"):
            version["theme"] = body["theme"]
        if body.get("secondaryThemes") is not None:
            version["secondaryThemes"] = list(body["secondaryThemes"])
        if body.get("metadatas"):
            version["metadatas"] = copy.deepcopy(body["metadatas"])
        if "map" in body:
            version["map"] = copy.deepcopy(body["map"])
        if body.get("sponsors") is not None:
            # Stored as sub-documents: the platform gives each one an _id.
            version["sponsors"] = [
                {"_id": new_id(), "name": s["name"], "link": s.get("link")}
                for s in body["sponsors"]
            ]
        if body.get("contact"):
            fiche.contacts.append(copy.deepcopy(body["contact"]))

    def _answer(self, fiche: Fiche) -> dict[str, Any]:
        version = fiche.draft or fiche.main
        return {
            "text": "success",
            "data": {
                "id": fiche.id,
                "mainSponsor": version.get("mainSponsor"),
                "typeContenu": fiche.type_contenu,
                "status": version["status"],
                "hasDraftVersion": fiche.draft is not None,
            },
        }

    def _contributions(self, user: User, **_: Any) -> tuple[int, dict[str, Any]]:
        data = []
        for fiche in self.fiches.values():
            if fiche.creator_id != user.id or fiche.main["status"] == DELETED:
                continue
            sponsor = self.structures.get(fiche.main.get("mainSponsor") or "")
            data.append(
                {
                    "_id": fiche.id,
                    "titreInformatif": fiche.main.get("titreInformatif", ""),
                    "titreMarque": fiche.main.get("titreMarque", ""),
                    "typeContenu": fiche.type_contenu,
                    "mainSponsor": {"_id": sponsor.id, "nom": sponsor.nom} if sponsor else None,
                    "nbVues": 0,
                    "nbMercis": 0,
                    "status": fiche.main["status"],
                    "hasDraftVersion": fiche.draft is not None,
                }
            )
        return 200, {"text": "success", "data": data + copy.deepcopy(self.odd_contributions)}

    def _structure(
        self, user: User | None, id: str, query: dict[str, str], **_: Any
    ) -> tuple[int, dict[str, Any]]:
        if "locale" not in query:
            raise Reply(422, {"message": "Validation Failed", "data": {"locale": {}}})
        structure = self.structures.get(id)
        if structure is None:
            raise fail(404, "No structure")
        insider = user is not None and (user.admin or user.id in structure.members)
        statuses = LISTED_TO_MEMBERS if insider else (ACTIVE,)
        listed = [
            {
                "_id": fiche.id,
                "titreInformatif": fiche.main.get("titreInformatif", ""),
                "titreMarque": fiche.main.get("titreMarque", ""),
                "abstract": fiche.main.get("abstract", ""),
                "typeContenu": fiche.type_contenu,
                "status": fiche.main["status"],
                "hasDraftVersion": fiche.draft is not None,
                "metadatas": copy.deepcopy(fiche.main.get("metadatas") or {}),
                "availableLanguages": ["fr"],
                # This route names the structure `sponsor`, without the `mainSponsor` key.
                "sponsor": {"_id": structure.id, "nom": structure.nom, "picture": None},
            }
            for fiche in self.fiches.values()
            if fiche.main.get("mainSponsor") == id and fiche.main["status"] in statuses
        ]
        members = [{"userId": member} for member in structure.members] if insider else []
        data = {"_id": id, "nom": structure.nom, "membres": members, "dispositifsAssocies": listed}
        return 200, {"text": "success", "data": data}

    def _create(self, user: User, body: Any, **_: Any) -> tuple[int, dict[str, Any]]:
        self._validate(Obj({"typeContenu": Enum("dispositif", "demarche")}, self._declared()), body)
        fiche = Fiche(
            new_id(),
            body["typeContenu"],
            user.id,
            main={
                "status": DRAFT,
                "titreInformatif": "",
                "titreMarque": "",
                "abstract": "",
                "what": "",
                "why": {},
                "how": {},
            },
        )
        self._apply(fiche.main, body, fiche)
        fiche.last_modified = timestamp()
        self.fiches[fiche.id] = fiche
        return 200, self._answer(fiche)

    def _update(self, user: User, body: Any, id: str, **_: Any) -> tuple[int, dict[str, Any]]:
        self._validate(Obj({}, self._declared()), body)
        fiche = self._fiche(id)
        if not self._can_edit(fiche, user):
            raise fail(401, "The user is not authorized to edit content")
        if fiche.draft is None and fiche.main["status"] == ACTIVE:
            fiche.draft = copy.deepcopy(fiche.main)
            fiche.draft["status"] = DRAFT
            self._apply(fiche.draft, body, fiche)
        elif fiche.draft is not None:
            self._apply(fiche.draft, body, fiche)
        else:
            self._apply(fiche.main, body, fiche)
            waiting = fiche.main["status"] in (WAITING_ADMIN, WAITING_STRUCTURE)
            if waiting and not self._complete(fiche, fiche.main):
                fiche.main["status"] = DRAFT
        return 200, self._answer(fiche)

    def _publish(self, user: User, body: Any, id: str, **_: Any) -> tuple[int, dict[str, Any]]:
        self._validate(PUBLISH, body)
        fiche = self._fiche(id)
        version = fiche.draft or fiche.main
        if not self._complete(fiche, version):
            raise fail(400, "The content is incomplete, it cannot be published")
        if not self._can_edit(fiche, user):
            raise fail(401, "The user is not authorized to edit content")
        if version["status"] in (DELETED, REJECTED):
            raise fail(400, "The content cannot be published")
        if fiche.main["status"] == ACTIVE and fiche.draft is not None:
            fiche.reviews.append(self._changed_sections(fiche.main, fiche.draft))
            fiche.main = {**fiche.draft, "status": ACTIVE}
            fiche.draft = None
            return 200, {"text": "success"}
        # Anything else goes (back) to review: in the late-2024 server, even a live or
        # archived fiche with no draft to publish.
        sponsor = self.structures.get(fiche.main.get("mainSponsor") or "")
        member = self._is_member(user, fiche.main.get("mainSponsor"))
        new_structure = sponsor is not None and not sponsor.members
        if member or new_structure:
            fiche.main["status"] = WAITING_ADMIN
        elif user.admin:
            if fiche.main["status"] == DRAFT:
                fiche.main["status"] = WAITING_ADMIN
        else:
            fiche.main["status"] = WAITING_STRUCTURE
        return 200, {"text": "success"}

    @staticmethod
    def _changed_sections(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
        changed = [
            name
            for name in ("titreInformatif", "titreMarque", "abstract", "what")
            if before.get(name) != after.get(name)
        ]
        for part in ("why", "how"):
            old, new = before.get(part) or {}, after.get(part) or {}
            changed += [f"{part}.{key}" for key in new if old.get(key) != new[key]]
        return sorted(changed)

    def _delete(self, user: User, id: str, **_: Any) -> tuple[int, dict[str, Any]]:
        fiche = self._fiche(id)
        if not (fiche.creator_id == user.id or self._can_edit(fiche, user)):
            raise fail(401, "The user is not authorized to delete content")
        fiche.main["status"] = DELETED
        fiche.draft = None
        return 200, {"text": "success"}

    def _can_view(self, fiche: Fiche, user: User | None) -> bool:
        status = fiche.main["status"]
        if status == ACTIVE:
            return True
        if user is None:
            return False
        if user.admin or self._is_member(user, fiche.main.get("mainSponsor")):
            return True
        author = fiche.creator_id == user.id
        return author and status in (DRAFT, DELETED, WAITING_STRUCTURE)

    @staticmethod
    def _locale(query: dict[str, str]) -> str:
        """tsoa's check of a `locale: Languages` query parameter."""
        if "locale" not in query:
            raise Reply(
                422,
                {
                    "message": "Validation Failed",
                    "data": {"locale": {"message": "'locale' is required"}},
                },
            )
        locale = query["locale"]
        if locale not in LOCALES:
            raise Reply(
                422,
                {
                    "message": "Validation Failed",
                    "data": {
                        "locale": {
                            "message": f"should be one of the following; {list(LOCALES)}",
                            "value": locale,
                        }
                    },
                },
            )
        return locale

    def _get(
        self, user: User | None, id: str, query: dict[str, str], **_: Any
    ) -> tuple[int, dict[str, Any]]:
        locale = self._locale(query)
        if not OBJECT_ID.match(id):
            raise fail(404, "Invalid dispostif ID")
        fiche = self._fiche(id)
        if not self._can_view(fiche, user):
            raise fail(404, "Dispositif not found")
        show_draft = fiche.draft is not None and user is not None and self._can_edit(fiche, user)
        version = fiche.draft if show_draft and fiche.draft is not None else fiche.main
        metadatas = {
            key: value for key, value in (version.get("metadatas") or {}).items() if value != []
        }
        sponsor = self.structures.get(version.get("mainSponsor") or "")
        # Another language comes from the published version's translation, if there is one;
        # otherwise the platform shows the French text.
        content = {name: version.get(name) for name in (*CONTENT_FIELDS, "next") if name in version}
        if locale != "fr" and locale in fiche.translations:
            content = dict(fiche.translations[locale])
        data: dict[str, Any] = {
            "_id": fiche.id,
            **{name: copy.deepcopy(version.get(name)) for name in CONTENT_FIELDS},
            **copy.deepcopy(content),
            "typeContenu": fiche.type_contenu,
            "status": version["status"],
            "hasDraftVersion": show_draft,
            "metadatas": copy.deepcopy(metadatas),
            "mainSponsor": {"_id": sponsor.id, "nom": sponsor.nom, "picture": None}
            if sponsor
            else None,
            "theme": version.get("theme"),
            "secondaryThemes": list(version.get("secondaryThemes") or []),
            "sponsors": copy.deepcopy(version.get("sponsors") or []),
            "needs": [],
            "participants": [],
            "merci": [],
            "avis": [],
            "availableLanguages": ["fr", *fiche.translations],
            "creatorId": {"_id": fiche.creator_id, "username": "emulated"},
        }
        if fiche.last_modified is not None:
            data["lastModificationDate"] = fiche.last_modified
        if "map" in version:
            data["map"] = copy.deepcopy(version["map"])
        return 200, {"text": "success", "data": data}

    def _contents_for_app(self, query: dict[str, str], **_: Any) -> tuple[int, dict[str, Any]]:
        """The live fiches for the app: for a `county`, those located there, plus (unless
        `strictLocation`) those for all of France, online, or with no location. (`age` and
        `frenchLevel` are checked but do not filter here.)"""
        locale = self._locale(query)
        errors: Errors = {}
        if "age" in query:
            Enum(*AGES).check(query["age"], "age", errors)
        if "frenchLevel" in query:
            Enum(*MOBILE_FRENCH_LEVELS).check(query["frenchLevel"], "frenchLevel", errors)
        strict = query.get("strictLocation")
        if strict is not None and strict not in ("true", "false"):
            errors["strictLocation"] = {"message": "invalid boolean value", "value": strict}
        if errors:
            raise Reply(422, {"message": "Validation Failed", "data": errors})
        county = query.get("county")
        try:
            # The platform matches départements with a regular expression built from `county`.
            pattern = re.compile(f" - {county}$") if county else None
        except re.error as error:
            raise fail(500, f"Invalid regular expression: {error}") from error

        def applies(fiche: Fiche) -> bool:
            if pattern is None:
                return True
            location = (fiche.main.get("metadatas") or {}).get("location")
            if isinstance(location, list) and any(pattern.search(str(d)) for d in location):
                return True
            return strict != "true" and location in (None, "france", "online")

        live = [
            fiche
            for fiche in self.fiches.values()
            if fiche.main["status"] == ACTIVE and not fiche.web_only and applies(fiche)
        ]

        def present(fiche: Fiche, wanted: str) -> dict[str, Any]:
            shown, text = wanted, fiche.translations.get(wanted)
            if wanted == "fr" or text is None:
                shown, text = "fr", fiche.main
            sponsor = self.structures.get(fiche.main.get("mainSponsor") or "")
            return {
                "_id": fiche.id,
                "titreInformatif": text.get("titreInformatif", ""),
                "titreMarque": text.get("titreMarque", ""),
                "abstract": text.get("abstract", ""),
                "theme": fiche.main.get("theme"),
                "secondaryThemes": list(fiche.main.get("secondaryThemes") or []),
                "needs": [],
                "nbVues": 0,
                "nbVuesMobile": 0,
                "typeContenu": fiche.type_contenu,
                "sponsorUrl": f"https://images.example/{sponsor.id}.png" if sponsor else None,
                "locale": shown,
            }

        data: dict[str, Any] = {"dataFr": [present(fiche, "fr") for fiche in live]}
        if locale != "fr":
            data["data"] = [present(fiche, locale) for fiche in live]
        return 200, {"text": "success", "data": data}


class _Handler(BaseHTTPRequestHandler):
    server_version = "RefugiesEmulator/1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        emulator: RefugiesEmulator = self.server.emulator  # type: ignore[attr-defined]
        status, payload = emulator.handle(self.command, self.path, headers, raw)
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        return  # silent: tests read the emulator's own record of calls

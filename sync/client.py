"""A typed client for the refugies.info API, as its server implements it.

Two headers authenticate a write: `site-secret` (what the platform's web front end sends)
and the user's raw token in `x-access-token` (no "Bearer "). The platform's 401 means
"blocked or not allowed", its 403 "no token, or a token it does not know".
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from pydantic import BaseModel, SecretStr, ValidationError
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError

from sync.payloads import (
    CheckCodeRequest,
    Contribution,
    CreateDispositifRequest,
    LoginRequest,
    PasswordCredentials,
    PublishRequest,
    RemoteFiche,
    RequestBody,
    SendCodeRequest,
    Theme,
    UpdateDispositifRequest,
    WriteResult,
)

logger = logging.getLogger(__name__)

# (connect, read) seconds: the platform answers in well under a second when healthy.
DEFAULT_TIMEOUT = (5.0, 30.0)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
USER_AGENT = "ensemble-assistant-sync/0.1 (+https://refugies.info, CTAI Dijon Métropole)"
# What the platform's JWT library (jwt-simple) throws on a token it cannot decode; the
# platform answers that with a 500, not a 403, so only the message tells it apart.
TOKEN_UNREADABLE = re.compile(
    r"not enough or too many segments|signature verification failed|algorithm not supported",
    re.IGNORECASE,
)

Model = TypeVar("Model", bound=BaseModel)


class RefugiesInfoError(Exception):
    """Anything that kept a call to the platform from succeeding."""


class TransportError(RefugiesInfoError):
    """No answer: the connection failed or timed out, after the retries allowed."""

    def __init__(self, method: str, path: str, reason: str, *, request_sent: bool) -> None:
        super().__init__(f"{method} {path}: {reason}")
        self.method = method
        self.path = path
        # False when the request surely never reached the server (connection refused...):
        # only then is repeating a non-idempotent call safe.
        self.request_sent = request_sent


class UnexpectedResponseError(RefugiesInfoError):
    """The platform answered success with a body we cannot read."""


class ApiError(RefugiesInfoError):
    """The platform answered with an error; carries its message, code and field errors."""

    meaning = ""

    def __init__(
        self, method: str, path: str, status: int, message: str, code: str | None, data: Any
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.server_message = message
        self.code = code
        self.data = data
        super().__init__(self._describe())

    @property
    def field_errors(self) -> dict[str, str]:
        """`{field path: problem}` from a 422 (empty for other errors)."""
        if not isinstance(self.data, dict):
            return {}
        errors: dict[str, str] = {}
        for name, detail in self.data.items():
            if isinstance(detail, dict) and "message" in detail:
                errors[str(name)] = str(detail["message"])
            elif self.status == 422:
                errors[str(name)] = str(detail)
        return errors

    def _describe(self) -> str:
        text = f"{self.method} {self.path}: {self.status} {self.server_message}"
        if self.code:
            text += f" [{self.code}]"
        fields = "; ".join(f"{name}: {problem}" for name, problem in self.field_errors.items())
        if fields:
            text += f" ({fields})"
        return f"{text} ({self.meaning})" if self.meaning else text


class InvalidRequestError(ApiError):
    meaning = "refused as invalid"


class NotAllowedError(ApiError):
    meaning = "blocked or not allowed: check REFUGIES_INFO_SITE_SECRET and the user's rights"


class NotAuthenticatedError(ApiError):
    meaning = "no token or a bad one: check REFUGIES_INFO_TOKEN"


class TokenUnreadableError(NotAuthenticatedError):
    """A 5xx whose message is the platform's JWT library refusing the token: never retried."""

    meaning = (
        "the platform cannot read this token (malformed, or signed by another platform): "
        "check REFUGIES_INFO_TOKEN, or get a new one with `python -m sync login`"
    )


class NotFoundError(ApiError):
    meaning = "not found"


class ValidationFailedError(ApiError):
    meaning = "the body does not match the platform's declared types"


class ServerError(ApiError):
    meaning = "server error"


_ERRORS: dict[int, type[ApiError]] = {
    400: InvalidRequestError,
    401: NotAllowedError,
    403: NotAuthenticatedError,
    404: NotFoundError,
    422: ValidationFailedError,
}


@dataclass(frozen=True)
class TokenIssued:
    token: SecretStr


@dataclass(frozen=True)
class CodeRequired:
    """2FA: the platform emailed a code; send it back with `mfa_code` to `check_code`."""

    email: str
    mfa_code: str


@dataclass(frozen=True)
class Listed:
    """Fiches as the platform lists them; an item that cannot be read is skipped and noted."""

    fiches: list[Contribution]
    skipped: list[str]


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int | None


@dataclass(frozen=True)
class Backoff:
    """Exponential waits between attempts: base, 2×base, 4×base... capped."""

    base: float = 1.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        return float(min(self.cap, self.base * (2**attempt)))


class Pace:
    """At most one request every `interval` seconds (retries included), on an injectable
    clock: a reader walking through hundreds of fiches stays a polite client."""

    def __init__(
        self,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        now = self.clock()
        if self._last is not None:
            due = self._last + self.interval
            if due > now:
                self.sleep(due - now)
                now = max(due, self.clock())
        self._last = now


def _never_sent(error: requests.RequestException) -> bool:
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason: object = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError | ConnectTimeoutError | NameResolutionError)


class RefugiesInfoClient:
    """One `requests` session to the platform, with timeouts and bounded retries.

    Retries happen on connection errors and 5xx answers only, with backoff; never on 4xx,
    and never for calls that must not run twice (creating a fiche, logging in).
    """

    def __init__(
        self,
        base_url: str,
        *,
        site_secret: SecretStr | None,
        token: SecretStr | None = None,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
        pace: Pace | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.pace = pace
        self.user_agent = user_agent
        self._site_secret = site_secret
        self._token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff or Backoff()
        self.sleep = sleep
        self._session = session or requests.Session()
        self.calls: list[Call] = []

    def __enter__(self) -> RefugiesInfoClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._session.close()

    @property
    def writes(self) -> int:
        """How many calls asked the platform to change something."""
        return sum(
            1
            for call in self.calls
            if call.method in WRITE_METHODS and call.path.startswith("/dispositifs")
        )

    def wait_before_retry(self, attempt: int) -> None:
        self.sleep(self.backoff.delay(attempt))

    # Reading

    def themes(self) -> list[Theme]:
        return self._list(Theme, self._call("GET", "/themes", site_secret=False, token=False))

    def user_contributions(self) -> Listed:
        """The fiches the token's user created (deleted ones excluded by the platform)."""
        path = "/dispositifs/user-contributions"
        return self._listed(self._call("GET", path), f"GET {path}")

    def structure_fiches(self, structure_id: str) -> Listed:
        """A structure's fiches: all but deleted (and rejected) ones for its members, else
        only live ones. Not in the reference: callers must cope with any error from it."""
        path = f"/structures/{structure_id}"
        data = self._call("GET", path, params={"locale": "fr"}, site_secret=False)
        if not isinstance(data, dict):
            raise UnexpectedResponseError(f"GET {path}: no structure in the answer")
        return self._listed(data.get("dispositifsAssocies"), f"GET {path}")

    def dispositif(self, fiche_id: str) -> RemoteFiche:
        """One fiche in French; with the token, a structure member sees non-public ones too."""
        return RemoteFiche.from_data(self.fiche_in(fiche_id, "fr"), fiche_id)

    def fiche_in(self, fiche_id: str, locale: str) -> dict[str, Any]:
        """`GET /dispositifs/{id}?locale=`: the fiche as the platform shows it in `locale`
        (in French where it has no translation: `availableLanguages` says which)."""
        path = f"/dispositifs/{fiche_id}"
        data = self._call("GET", path, params={"locale": locale})
        if not isinstance(data, dict):
            raise UnexpectedResponseError(f"GET {path}: no fiche in the answer")
        return data

    def contents_for_app(self, locale: str, county: str) -> list[dict[str, Any]]:
        """`GET /dispositifs/getContentsForApp`: the live fiches that apply in `county` (its
        own and those for all of France or online), as the platform's app lists them; each
        item's `locale` says which language its titles are really in. Public: no secret."""
        path = "/dispositifs/getContentsForApp"
        data = self._call(
            "GET",
            path,
            params={"locale": locale, "county": county},
            site_secret=False,
            token=False,
        )
        if not isinstance(data, dict):
            raise UnexpectedResponseError(f"GET {path}: no lists in the answer")
        items = data.get("data") if locale != "fr" else data.get("dataFr")
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise UnexpectedResponseError(f"GET {path}: expected a list of fiches")
        return items

    # Writing

    def create_dispositif(self, body: CreateDispositifRequest) -> WriteResult:
        """Create a fiche (a draft). Never retried here: a lost answer may hide a new fiche."""
        data = self._call("POST", "/dispositifs", body=body, retry=False)
        return self._one(WriteResult, data, "POST /dispositifs")

    def update_dispositif(self, fiche_id: str, body: UpdateDispositifRequest) -> WriteResult:
        path = f"/dispositifs/{fiche_id}"
        return self._one(WriteResult, self._call("PATCH", path, body=body), f"PATCH {path}")

    def publish_dispositif(self, fiche_id: str, body: PublishRequest | None = None) -> None:
        """Submit a draft for review, or publish the draft copy of a live fiche."""
        self._call("PATCH", f"/dispositifs/{fiche_id}/publish", body=body or PublishRequest())

    def delete_dispositif(self, fiche_id: str) -> None:
        self._call("DELETE", f"/dispositifs/{fiche_id}")

    # Logging in (2FA for structure members)

    def login(self, email: str, password: str) -> TokenIssued | CodeRequired:
        body = LoginRequest(authPassword=PasswordCredentials(email=email, password=password))
        try:
            data = self._call("POST", "/user/login", body=body, token=False, retry=False)
        except InvalidRequestError as error:
            if error.code == "NO_CODE_SUPPLIED" and isinstance(error.data, dict):
                return CodeRequired(
                    email=str(error.data.get("email") or email),
                    mfa_code=str(error.data.get("code") or ""),
                )
            raise
        return TokenIssued(self._token_in(data, "POST /user/login"))

    def check_code(self, email: str, code: str, mfa_code: str) -> SecretStr:
        body = CheckCodeRequest(email=email, code=code, mfaCode=mfa_code)
        data = self._call("POST", "/user/check-code", body=body, token=False, retry=False)
        return self._token_in(data, "POST /user/check-code")

    def send_code(self, email: str) -> None:
        body = SendCodeRequest(email=email)
        self._call("POST", "/user/send-code", body=body, token=False, retry=False)

    # Transport

    def _headers(self, *, site_secret: bool, token: bool) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        if site_secret and self._site_secret is not None:
            headers["site-secret"] = self._site_secret.get_secret_value()
        if token and self._token is not None:
            headers["x-access-token"] = self._token.get_secret_value()
        return headers

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: RequestBody | None = None,
        params: dict[str, str] | None = None,
        site_secret: bool = True,
        token: bool = True,
        retry: bool = True,
    ) -> Any:
        url = self.base_url + path
        attempt = 0
        while True:
            if self.pace is not None:
                self.pace.wait()
            try:
                response = self._session.request(
                    method,
                    url,
                    params=params,
                    json=None if body is None else body.to_json(),
                    headers=self._headers(site_secret=site_secret, token=token),
                    timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                self.calls.append(Call(method, path, None))
                never_sent = _never_sent(error)
                kind = "timed out" if isinstance(error, requests.Timeout) else "connection failed"
                if (retry or never_sent) and attempt < self.retries:
                    logger.warning("%s %s %s, retrying", method, path, kind)
                    self.wait_before_retry(attempt)
                    attempt += 1
                    continue
                raise TransportError(
                    method,
                    path,
                    f"{kind} after {attempt + 1} attempt(s)",
                    request_sent=not never_sent,
                ) from error
            self.calls.append(Call(method, path, response.status_code))
            logger.info("%s %s -> %s", method, path, response.status_code)
            try:
                return self._read(method, path, response, token_sent=token)
            except ServerError:
                if not retry or attempt >= self.retries:
                    raise
            self.wait_before_retry(attempt)
            attempt += 1

    def _scrub(self, value: Any) -> Any:
        """`value` with every secret we send replaced by [secret], strings nested included."""
        if isinstance(value, str):
            for secret in (self._token, self._site_secret):
                if secret is not None and secret.get_secret_value():
                    value = value.replace(secret.get_secret_value(), "[secret]")
            return value
        if isinstance(value, dict):
            return {self._scrub(key): self._scrub(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._scrub(item) for item in value]
        return value

    def _read(
        self, method: str, path: str, response: requests.Response, *, token_sent: bool
    ) -> Any:
        try:
            payload = response.json() if response.content else {}
        except ValueError:
            payload = None
        if response.ok:
            if not isinstance(payload, dict):
                raise UnexpectedResponseError(f"{method} {path}: the answer is not a JSON object")
            return payload.get("data")
        message = response.reason or "error"
        code: str | None = None
        data: Any = None
        if isinstance(payload, dict):
            message = str(payload.get("message") or message)
            code = payload.get("code") if isinstance(payload.get("code"), str) else None
            data = payload.get("data")
        # A platform that echoes the request (the token in a "jwt malformed: …" message, say)
        # must not put a secret into what we print, log or store in listings.last_error.
        message = self._scrub(message)
        data = self._scrub(data)
        status = response.status_code
        error_class = _ERRORS.get(status, ApiError)
        if status >= 500:
            unreadable = token_sent and self._token is not None and TOKEN_UNREADABLE.search(message)
            error_class = TokenUnreadableError if unreadable else ServerError
        raise error_class(method, path, status, message, code, data)

    @staticmethod
    def _one(model: type[Model], data: Any, where: str) -> Model:
        try:
            return model.model_validate(data)
        except ValidationError as error:
            raise UnexpectedResponseError(
                f"{where}: unexpected answer ({error.error_count()} problems)"
            ) from error

    @staticmethod
    def _list(model: type[Model], data: Any) -> list[Model]:
        if not isinstance(data, list):
            raise UnexpectedResponseError(f"expected a list of {model.__name__}")
        try:
            return [model.model_validate(item) for item in data]
        except ValidationError as error:
            raise UnexpectedResponseError(
                f"unexpected {model.__name__}: {error.error_count()} problems"
            ) from error

    @staticmethod
    def _listed(data: Any, where: str) -> Listed:
        if not isinstance(data, list):
            raise UnexpectedResponseError(f"{where}: expected a list of fiches")
        fiches: list[Contribution] = []
        skipped: list[str] = []
        for index, item in enumerate(data):
            try:
                fiches.append(Contribution.model_validate(item))
            except ValidationError as error:
                # One odd item must not hide the others (nor stop the run).
                fiche_id = item.get("_id") if isinstance(item, dict) else None
                fields = ", ".join(".".join(map(str, e["loc"])) or "item" for e in error.errors())
                note = f"{where}: item {index} ({fiche_id or 'no id'}) skipped, unreadable {fields}"
                logger.warning("%s", note)
                skipped.append(note)
        return Listed(fiches, skipped)

    @staticmethod
    def _token_in(data: Any, where: str) -> SecretStr:
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            raise UnexpectedResponseError(f"{where}: no token in the answer")
        return SecretStr(data["token"])

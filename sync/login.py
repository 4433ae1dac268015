"""Obtaining a user token once, interactively: email, password, then the emailed code (2FA)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import SecretStr

from sync.client import (
    CodeRequired,
    NotAllowedError,
    NotAuthenticatedError,
    NotFoundError,
    RefugiesInfoClient,
    TokenIssued,
)

MAX_WRONG_CODES = 3
MAX_RESENDS = 3


class LoginFailedError(Exception):
    """The platform did not give a token; the message says why, in plain words."""


def obtain_token(
    client: RefugiesInfoClient,
    *,
    ask: Callable[[str], str],
    ask_secret: Callable[[str], str],
    tell: Callable[[str], None],
) -> SecretStr:
    """Walk the platform's login, asking the person for what it needs."""
    email = ask("refugies.info email: ").strip()
    password = ask_secret("password: ")
    try:
        outcome = client.login(email, password)
    except (NotAllowedError, NotFoundError) as error:
        if error.code == "INVALID_PASSWORD":
            raise LoginFailedError("wrong email or password") from error
        if error.code == "NO_ACCOUNT":
            raise LoginFailedError(f"refugies.info has no account for {email}") from error
        raise LoginFailedError(f"refused: {error}") from error
    if isinstance(outcome, TokenIssued):
        return outcome.token
    return _check_emailed_code(client, outcome, ask=ask, tell=tell)


def _check_emailed_code(
    client: RefugiesInfoClient,
    challenge: CodeRequired,
    *,
    ask: Callable[[str], str],
    tell: Callable[[str], None],
) -> SecretStr:
    tell(f"refugies.info sent a code to {challenge.email}.")
    wrong = resends = 0
    while wrong < MAX_WRONG_CODES:
        code = ask("code from the email (or 'resend'): ").strip()
        if code.lower() == "resend":
            if resends >= MAX_RESENDS:
                raise LoginFailedError("too many codes asked for; start again later")
            client.send_code(challenge.email)
            resends += 1
            tell("a new code was sent.")
            continue
        try:
            return client.check_code(challenge.email, code, challenge.mfa_code)
        except NotAuthenticatedError as error:
            if error.code != "WRONG_CODE":
                raise LoginFailedError(f"refused: {error}") from error
            wrong += 1
            tell("wrong code.")
    raise LoginFailedError(f"{MAX_WRONG_CODES} wrong codes; start again")

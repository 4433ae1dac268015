from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging

SECRET = "123:the-bot-token"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, logging.getLogger("httpx").level, sys.excepthook)
    yield
    root.handlers[:], root.level = saved[0], saved[1]
    logging.getLogger("httpx").setLevel(saved[2])
    sys.excepthook = saved[3]


def test_secrets_are_redacted_from_lines_and_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(secrets=[SECRET])
    log = logging.getLogger("test")
    log.info("calling https://api.telegram.org/bot%s/getMe", SECRET)
    try:
        raise RuntimeError(f"failed: /bot{SECRET}/sendMessage")
    except RuntimeError:
        log.exception("request failed")
    err = capsys.readouterr().err
    assert SECRET not in err
    assert err.count("[secret]") == 2  # the message, and the exception in the traceback


def test_request_urls_are_not_logged_at_info() -> None:
    configure_logging(secrets=[SECRET])
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert logging.getLogger("telegram").isEnabledFor(logging.INFO)

"""Consent to what registering stores: the notice shown, and when it was accepted.

The Telegram side shows the notice of `CONSENT_NOTICE_VERSION`; change the version whenever
the notice's text changes what is stored or why: people who accepted an older notice are
asked again before their next registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CONSENT_NOTICE_VERSION = "2026-11"


@dataclass(frozen=True)
class Consent:
    """The latest answer to the notice."""

    notice_version: str
    given_at: datetime
    withdrawn_at: datetime | None = None

    @property
    def valid(self) -> bool:
        """Accepted, not withdrawn, and for the notice shown today."""
        return self.withdrawn_at is None and self.notice_version == CONSENT_NOTICE_VERSION

"""A guard that fails a test when a secret shows up in wvorm's log output.

Every test runs with the ``wvorm`` loggers at DEBUG and a :class:`SecretGuard` on
them (the autouse ``no_secret_in_logs`` fixture in ``tests/conftest.py``): a record
whose message, arguments or traceback holds an API key, password, client secret,
extra API-key header value or access token of the suite fails the test that
logged it.
"""

from __future__ import annotations

import logging
import re
import traceback

from tests.conftest import API_KEYS
from tests.support.oidc import OIDCProvider

#: every secret the suite hands to wvorm (API keys, OIDC credentials, X-*-Api-Key values)
SECRETS: tuple[str, ...] = (
    *API_KEYS,
    OIDCProvider.client_secret,
    OIDCProvider.password,
    "wrong-secret",
    "not-the-password",
    "sk-also-secret",
    "sk-first",
    "sk-from-header",
    "sk-from-wvorm-header",
    "sk-right",
    "sk-wrong",
)
# Tokens the provider issues are JWTs: a base64url JSON header, a dot, a payload.
_JWT = re.compile(r"eyJ[\w-]{10,}\.[\w-]{10,}")


class SecretGuard(logging.Handler):
    """Collects every record that leaks a secret (see the module docs)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            text += "".join(traceback.format_exception(record.exc_info[1]))
        found = [s for s in SECRETS if s in text] + _JWT.findall(text)
        if found:
            self.leaks.append(f"{record.name} {record.levelname}: {found} in {text[:300]!r}")

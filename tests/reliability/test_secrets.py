"""Secrets: they stay out of logs, tokens are refreshed once, TLS is verified.

The suite-wide half is the ``no_secret_in_logs`` fixture (``tests/conftest.py``):
every test runs with wvorm logging at DEBUG, and a log line holding a secret fails
it. These tests check that guard, the one-refresh promise under concurrency and
certificate verification.
"""

from __future__ import annotations

import json
import logging
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import pytest
import requests

import wvorm
from tests.conftest import OIDC_TOKEN_LIFETIME
from tests.support.oidc import OIDCProvider
from tests.support.secrets import SECRETS, SecretGuard
from tests.support.static_site import answering
from wvorm.auth import Authenticator
from wvorm.embedded import EmbeddedServer
from wvorm.errors import AuthenticationFailedException, WvormError


def test_the_guard_reports_a_secret_in_a_message_its_arguments_or_a_traceback() -> None:
    guard = SecretGuard()
    logger = logging.getLogger("secret-guard-check")  # (not under "wvorm": no suite guard)
    logger.addHandler(guard)
    logger.setLevel(logging.DEBUG)
    try:
        logger.debug("sending with %s", {"authorization": f"Bearer {SECRETS[0]}"})
        logger.info("a token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.sig")
        try:
            raise ValueError(f"refused {OIDCProvider.client_secret}")
        except ValueError:
            logger.exception("failed")
        logger.debug("nothing to see: Bearer ***")
    finally:
        logger.removeHandler(guard)
    assert len(guard.leaks) == 3, guard.leaks


def token_posts(provider: OIDCProvider) -> int:
    """POSTs to the provider's token endpoint so far, from its request log."""
    path = urlparse(provider.token_endpoint).path
    return provider.log_path.read_text(errors="replace").count(f'"POST {path} ')


def test_eight_threads_on_an_expired_token_cause_exactly_one_refresh(
    oidc_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    credentials = wvorm.AuthClientPassword(oidc_provider.username, oidc_provider.password)
    with wvorm.Client(oidc_server.url, auth_client_secret=credentials) as client:
        assert client.schema.get() == {"classes": []}
        time.sleep(OIDC_TOKEN_LIFETIME + 1)  # the token has expired
        before = token_posts(oidc_provider)
        start = threading.Barrier(8)

        def read_schema(_: int) -> object:
            start.wait()  # all eight find the expired token at once
            return client.schema.get()

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(read_schema, range(8)))
        assert answers == [{"classes": []}] * 8
        deadline = time.monotonic() + 5  # (the provider logs a request after answering it)
        while token_posts(oidc_provider) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        assert token_posts(oidc_provider) - before == 1


# -- TLS -------------------------------------------------------------------------------


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTPS server with a self-signed certificate (no CA trusts it): its
    URL and the certificate file."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    # a server that would answer /v1/meta, were it trusted
    with answering(b'{"version": "1.39.3"}', "application/json", tls=context) as url:
        yield url, cert


def test_an_untrusted_certificate_is_refused_by_default(https_server: tuple[str, Path]) -> None:
    client = wvorm.Client(https_server[0], startup_period=None)
    with pytest.raises(WvormError) as caught:
        client.get_meta()
    client.close()
    message = str(caught.value)
    assert "certificate could not be verified (certificate verify failed: self-signed" in message
    assert "REQUESTS_CA_BUNDLE" in message
    assert "attempt" not in message  # not retried: it would fail the same way


def test_the_certificate_trusted_as_the_error_says_is_accepted(
    https_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = https_server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    with wvorm.Client(url, startup_period=None, trust_env=True) as client:
        assert client.get_meta() == {"version": "1.39.3"}


def test_an_untrusted_token_endpoint_is_refused_at_once(https_server: tuple[str, Path]) -> None:
    """Found in review: token requests were retried on a certificate that failed
    verification (4 attempts), which fails the same way every time."""
    untrusted, _ = https_server
    provider = json.dumps({"token_endpoint": f"{untrusted}/token"}).encode()
    with answering(provider, "application/json") as provider_url:  # (its discovery document)
        oidc = json.dumps({"clientId": "c", "href": f"{provider_url}/discovery"}).encode()
        with answering(oidc, "application/json") as weaviate, requests.Session() as http:
            credentials = wvorm.AuthClientPassword("user", "pass")
            with pytest.raises(AuthenticationFailedException, match=r"after 1 attempt\(s\)"):
                Authenticator(credentials, weaviate, http, (2, 2), attempts=4)  # (signs in)

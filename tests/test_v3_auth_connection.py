"""What a v3 script sees of authentication and the connection, as weaviate-client 3.26
shows it: the coded warnings (Auth001-Auth005, Con001), the names and classes of
``weaviate.auth`` and ``weaviate.exceptions``, the errors of timeouts and of answers that
are not JSON, the checks of ``timeout_config`` and the scope of the token requests.

Against a real Weaviate and a real OIDC provider (nanoidp). A loopback HTTP server
stands in only where neither can produce the answer: an OIDC configuration that is a
proxy's login page, a provider document that is not JSON.
"""

from __future__ import annotations

import base64
import http.server
import json
import logging
import os
import signal
import socket
import time
import typing
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
import requests

import wvorm
import wvorm.auth
import wvorm.exceptions
from tests.conftest import OIDC_TOKEN_LIFETIME, ServerFactory
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.oidc import OIDCProvider
from tests.support.static_site import serve
from wvorm.connection import ConnectionConfig
from wvorm.embedded import EmbeddedServer
from wvorm.errors import (
    AuthenticationFailedException,
    BatchConnectionError,
    ResponseCannotBeDecodedException,
    UnexpectedStatusCodeException,
    WeaviateConnectTimeoutError,
)

LOGIN_PAGE = b"<html><body><h1>Please sign in</h1></body></html>"
DISCOVERY = "/v1/.well-known/openid-configuration"


def token_claims(client: wvorm.Client) -> dict[str, Any]:
    """The claims of the access token the client sends (a JWT from nanoidp)."""
    header = client.connection.request_headers()["authorization"]
    payload = header.removeprefix("Bearer ").split(".")[1]
    padded = payload + "=" * (-len(payload) % 4)
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(padded))
    return claims


def coded(caught: list[warnings.WarningMessage], code: str) -> list[str]:
    return [str(w.message) for w in caught if str(w.message).startswith(code)]


# -- warnings ------------------------------------------------------------------------------


def test_auth001_credentials_for_a_server_without_oidc(
    weaviate_server: EmbeddedServer, caplog: pytest.LogCaptureFixture
) -> None:
    credentials = wvorm.AuthClientPassword("alice", "wonderland")
    caplog.set_level(logging.INFO, logger="wvorm")
    with pytest.warns(UserWarning, match=r"^Auth001: The client was configured to use auth") as w:
        client = wvorm.Client(weaviate_server.url, auth_client_secret=credentials)
    assert [r.filename for r in w] == [__file__], "attributed to the caller's line"
    assert "Auth001" in caplog.text, "logged as well"
    with client:
        assert "authorization" not in client.connection.request_headers()
        assert isinstance(client.schema.get(), dict), "goes on without the credentials"
    # As v3, an API key is not checked against the server's OIDC configuration.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wvorm.Client(weaviate_server.url, auth_client_secret=wvorm.AuthApiKey("k")).close()
    assert not coded(caught, "Auth001")


def test_auth004_the_credentials_win_over_an_authorization_header(
    api_key_server: EmbeddedServer,
) -> None:
    headers = {"Authorization": "Bearer not-a-key", "X-Custom": "kept"}
    with pytest.warns(UserWarning, match=r"^Auth004: Received an authentication header"):
        client = wvorm.Client(
            api_key_server.url,
            auth_client_secret=wvorm.AuthApiKey("admin-key"),
            additional_headers=headers,
        )
    with client:
        sent = client.connection.request_headers()
        assert sent["authorization"] == "Bearer admin-key" and sent["x-custom"] == "kept"
        assert client.schema.get() == {"classes": []}, "the server took the API key"
    # Without credentials the header is the caller's way in: used, and no warning.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        alone = wvorm.Client(
            api_key_server.url, additional_headers={"Authorization": "Bearer admin-key"}
        )
    with alone:
        assert alone.schema.get() == {"classes": []}
    assert not coded(caught, "Auth004")


@contextmanager
def login_page_proxy(upstream: str) -> Iterator[tuple[str, list[str]]]:
    """A reverse proxy in front of ``upstream`` that answers the OIDC configuration with
    a login page (as a proxy asking for its own sign-in does) and forwards the rest;
    yields its URL and the ``authorization`` header of each request it forwarded."""
    forwarded: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0)) or None
            if self.path.startswith(DISCOVERY):
                status, content, kind = 200, LOGIN_PAGE, "text/html"
            else:
                forwarded.append(self.headers.get("authorization", ""))
                answer = requests.request(
                    self.command, upstream + self.path, data=body, timeout=30,
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )  # fmt: skip
                status, content = answer.status_code, answer.content
                kind = answer.headers.get("content-type", "application/json")
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serve(Handler) as url:
        yield url, forwarded


def test_auth005_an_oidc_configuration_that_is_not_json(
    weaviate_server: EmbeddedServer,
) -> None:
    credentials = wvorm.AuthClientPassword("alice", "wonderland")
    with login_page_proxy(weaviate_server.url) as (url, forwarded):
        # Regression: requests' JSONDecodeError escaped from the client's constructor.
        with pytest.warns(UserWarning, match=r"^Auth005: Could not parse Weaviate's OIDC"):
            client = wvorm.Client(url, auth_client_secret=credentials)
        with client:
            # goes on, unauthenticated (other tests' classes may be there: any list will do)
            assert isinstance(client.schema.get()["classes"], list)
    assert forwarded and not any(forwarded), "no authorization header was sent"


def test_con001_a_token_renewal_that_times_out(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    provider = OIDCProvider.start(tmp_path, access_token_lifetime=OIDC_TOKEN_LIFETIME)
    try:
        server = server_factory(additional_env_vars=provider.weaviate_env())
        credentials = wvorm.AuthClientPassword(provider.username, provider.password)
        config = wvorm.Config(connection_config=ConnectionConfig(session_pool_max_retries=0))
        with wvorm.Client(
            server.url,
            auth_client_secret=credentials,
            timeout_config=(2, 1),
            additional_config=config,
        ) as client:
            assert client.schema.get() == {"classes": []}
            assert provider.pid is not None
            os.kill(provider.pid, signal.SIGSTOP)  # it accepts connections, answers none
            try:
                time.sleep(OIDC_TOKEN_LIFETIME + 0.5)  # the token is due for renewal
                with (
                    pytest.warns(UserWarning, match=r"^Con001: Could not reach the token issuer"),
                    pytest.raises(AuthenticationFailedException, match="token endpoint"),
                ):
                    client.schema.get()
            finally:
                os.kill(provider.pid, signal.SIGCONT)
            assert client.schema.get() == {"classes": []}, "renewed once the provider answers"
    finally:
        provider.stop()


def test_auth002_and_auth003_for_a_bearer_token(
    oidc_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    tokens = oidc_provider.password_token()
    bearer = wvorm.AuthBearerToken(tokens["access_token"], expires_in=tokens["expires_in"])
    with pytest.warns(UserWarning, match=r"^Auth002: The access token given has no refresh"):
        client = wvorm.Client(oidc_server.url, auth_client_secret=bearer)
    with client:
        assert client.schema.get() == {"classes": []}
    # v3 takes a negative lifetime with a warning (wvorm refused it with a UsageError):
    # the token is then renewed before its first use.
    with pytest.warns(UserWarning, match=r"^Auth003: Access token expiration time is negative"):
        renewable = wvorm.AuthBearerToken(
            tokens["access_token"], expires_in=-1, refresh_token=tokens["refresh_token"]
        )
    with wvorm.Client(oidc_server.url, auth_client_secret=renewable) as client:
        assert client.schema.get() == {"classes": []}
        sent = client.connection.request_headers()["authorization"]
        assert sent != f"Bearer {tokens['access_token']}", "renewed before the first call"


# -- the scope of token requests -----------------------------------------------------------


def test_password_grant_asks_for_the_advertised_scopes_and_the_callers(
    oidc_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    """Regression: the password grant added offline_access when no scope was given; v3
    asks for the scopes the server advertises (here "openid"), then the caller's."""
    user, password = oidc_provider.username, oidc_provider.password
    with wvorm.Client(
        oidc_server.url, auth_client_secret=wvorm.AuthClientPassword(user, password)
    ) as client:
        assert token_claims(client)["scope"] == "openid"
    with wvorm.Client(
        oidc_server.url,
        auth_client_secret=wvorm.AuthClientPassword(user, password, scope="offline_access"),
    ) as client:
        assert token_claims(client)["scope"] == "openid offline_access"
        assert client.schema.get() == {"classes": []}


def test_password_grant_without_any_scope_sends_none(
    server_factory: ServerFactory, oidc_provider: OIDCProvider
) -> None:
    server = server_factory(additional_env_vars=oidc_provider.weaviate_env(scopes=()))
    credentials = wvorm.AuthClientPassword(oidc_provider.username, oidc_provider.password)
    with wvorm.Client(server.url, auth_client_secret=credentials) as client:
        assert "scope" not in token_claims(client), "no scope was asked for"
        assert client.schema.get() == {"classes": []}


def test_client_credentials_ask_for_the_advertised_scopes_and_the_callers(
    server_factory: ServerFactory, oidc_provider: OIDCProvider
) -> None:
    """Regression: a scope given replaced the advertised ones. (nanoidp drops "openid"
    from a client-credentials token, so the server advertises "email" here.)"""
    env = oidc_provider.weaviate_env(client_id=oidc_provider.service_client_id, scopes=("email",))
    server = server_factory(additional_env_vars=env)
    credentials = wvorm.AuthClientCredentials(oidc_provider.client_secret, scope="profile")
    with wvorm.Client(server.url, auth_client_secret=credentials) as client:
        assert token_claims(client)["scope"] == "email profile"
        assert client.schema.get() == {"classes": []}


# -- names ---------------------------------------------------------------------------------


def test_v3_auth_names() -> None:
    auth = wvorm.auth
    credentials = {auth.AuthApiKey, auth.AuthBearerToken, auth.AuthClientPassword}
    credentials.add(auth.AuthClientCredentials)
    assert set(typing.get_args(auth.AuthCredentials)) == credentials
    assert set(typing.get_args(auth.OidcAuth)) == credentials - {auth.AuthApiKey}
    assert set(typing.get_args(auth.SCOPES)) == {str, list[str]}
    assert auth.AuthClientPassword("u", "p", scope="a b").scope_list == ["a", "b"]
    assert auth.AuthClientCredentials("s", scope=["a"]).scope_list == ["a"]
    assert auth.AuthClientCredentials("s").scope_list == []


V3_EXCEPTIONS = [
    "AdditionalPropertiesException", "AuthenticationFailedException", "BackupFailedException",
    "EmptyResponseException", "MissingScopeException", "ObjectAlreadyExistsException",
    "ResponseCannotBeDecodedException", "SchemaValidationException",
    "UnexpectedStatusCodeException", "WeaviateBaseError", "WeaviateEmbeddedInvalidVersion",
    "WeaviateStartUpError",
]  # fmt: skip


def test_v3_exception_names_and_their_base() -> None:
    """Each of v3's exceptions subclasses WeaviateBaseError, so ``except`` clauses written
    for v3 catch what they did."""
    module = wvorm.exceptions
    for name in V3_EXCEPTIONS:
        error = getattr(module, name)
        assert issubclass(error, module.WeaviateBaseError), name
        assert name in module.__all__, name
    assert module.WeaviateBaseError is wvorm.WvormError
    assert "Payload Too Large" in module.ERROR_CODE_EXPLANATION[413]
    assert issubclass(module.AdditionalPropertiesException, ValueError)


def test_a_status_error_has_v3s_message_and_explanation(
    weaviate_server: EmbeddedServer,
) -> None:
    with (
        FaultProxy(weaviate_server.url, Fault("413", "POST", "/v1/schema")) as proxy,
        wvorm.Client(proxy.url, startup_period=None) as client,
        pytest.raises(UnexpectedStatusCodeException) as caught,
    ):
        client.schema.create_class({"class": "TooLarge"})
    assert caught.value.status_code == 413
    assert caught.value.message == str(caught.value)  # v3's WeaviateBaseError.message
    assert str(caught.value).endswith(wvorm.exceptions.ERROR_CODE_EXPLANATION[413])


# -- answers that are not JSON -------------------------------------------------------------


@contextmanager
def oidc_configuration_server(configuration: dict[str, Any]) -> Iterator[str]:
    """A loopback server whose OIDC configuration is ``configuration`` (``{base}`` in its
    href is its own URL), whose provider document at ``/provider`` is a login page."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            base = f"http://{self.headers['host']}"
            if self.path.startswith(DISCOVERY):
                content = json.dumps(configuration).replace("{base}", base).encode()
                kind = "application/json"
            else:
                content, kind = LOGIN_PAGE, "text/html"
            self.send_response(200)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, format: str, *args: object) -> None:
            pass

    with serve(Handler) as url:
        yield url


@pytest.mark.parametrize(
    ("configuration", "expected"),
    [
        ({"href": "{base}/provider", "clientId": "wvorm"}, "text/html.* is not JSON"),
        ({"clientId": "wvorm"}, "is not an OIDC configuration"),
    ],
    ids=["provider-document-not-json", "configuration-without-href"],
)
def test_an_oidc_document_that_is_not_one_cannot_be_decoded(
    configuration: dict[str, Any], expected: str
) -> None:
    """Regression: requests' JSONDecodeError (or a KeyError) escaped from the client's
    constructor; now it is v3's ResponseCannotBeDecodedException."""
    credentials = wvorm.AuthClientPassword("alice", "wonderland")
    with (
        oidc_configuration_server(configuration) as url,
        pytest.raises(ResponseCannotBeDecodedException, match=expected) as caught,
    ):
        wvorm.Client(url, auth_client_secret=credentials)
    assert caught.value.status_code == 200


# -- timeouts ------------------------------------------------------------------------------


@contextmanager
def unaccepting_port() -> Iterator[int]:
    """A loopback port whose accept queue is full: a connection to it is never opened,
    so the connect timeout expires (a real kernel, no simulation)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        with suppress(BlockingIOError):  # (connecting, in the background)
            filler.connect(("127.0.0.1", port))
        fillers.append(filler)
    try:
        yield port
    finally:
        for sock in [*fillers, listener]:
            sock.close()


def test_a_connect_timeout_is_requests_connect_timeout_after_the_retries() -> None:
    with (
        unaccepting_port() as port,
        wvorm.Client(f"http://127.0.0.1:{port}", timeout_config=(0.3, 5), startup_period=None)
        as client,
    ):  # fmt: skip
        client.connection.config.session_pool_max_retries = 1
        client.connection.config.backoff_base = 0.01
        with pytest.raises(requests.exceptions.ConnectTimeout) as caught:
            client.get_meta()
    assert isinstance(caught.value, WeaviateConnectTimeoutError)
    assert isinstance(caught.value, requests.exceptions.ConnectionError)  # as requests' is
    assert "after 2 attempt(s)" in str(caught.value) and "connect timeout" in str(caught.value)


@pytest.mark.parametrize(
    ("timeout_config", "error", "message"),
    [
        ((5,), ValueError, r"^'timeout_config' must be of length 2!"),
        ((1, 2, 3), ValueError, r"^'timeout_config' must be of length 2!"),
        (-1, ValueError, r"^'timeout_config' cannot be non-positive number/s!"),
        ((5, 0), ValueError, r"^'timeout_config' cannot be non-positive number/s!"),
        ("10", TypeError, r"^'timeout_config' should be a \(or tuple of\) positive number/s!"),
        (None, TypeError, r"^'timeout_config' should be a \(or tuple of\) positive number/s!"),
        (True, TypeError, r"^'timeout_config' should be a \(or tuple of\) positive number/s!"),
        ((1, "2"), TypeError, r"^'timeout_config' must be tuple of numbers"),
    ],
)
def test_timeout_config_is_checked_as_v3_checks_it(
    timeout_config: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        wvorm.Client("http://127.0.0.1:9", timeout_config=timeout_config, startup_period=None)
    client = wvorm.Client("http://127.0.0.1:9", startup_period=None)
    with pytest.raises(error, match=message):
        client.timeout_config = timeout_config
    assert client.timeout_config == (10.0, 60.0), "a refused value changes nothing"
    client.timeout_config = 7
    assert client.timeout_config == (7.0, 7.0)
    client.close()


def test_a_batch_counts_a_connect_timeout_as_a_connection_error_as_v3() -> None:
    # Regression: connect timeouts used up timeout_retries (v3: read timeouts only).
    with (
        unaccepting_port() as port,
        wvorm.Client(f"http://127.0.0.1:{port}", timeout_config=(0.3, 5), startup_period=None)
        as client,
    ):  # fmt: skip
        client.connection.config.session_pool_max_retries = 0
        client.batch.configure(batch_size=None, timeout_retries=0, connection_error_retries=1)
        client.batch._sender.backoff_base = 0.01
        client.batch.add_data_object({"a": 1}, "Thing")
        with pytest.raises(BatchConnectionError, match=r"after 2 attempt\(s\)") as caught:
            client.batch.flush()
    assert isinstance(caught.value, requests.exceptions.ConnectionError)
    assert not isinstance(caught.value, requests.exceptions.ReadTimeout)

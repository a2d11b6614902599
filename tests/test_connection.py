"""The transport against real servers: API keys, retries, timeouts, errors, secrets."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator

import pytest
import requests

import wvorm
from tests.conftest import API_KEYS, ServerFactory
from tests.support.embedder import EmbeddingService, text2vec_openai_env
from tests.support.fault_proxy import Fault, FaultProxy
from wvorm.embedded import EmbeddedServer
from wvorm.errors import (
    AuthenticationFailedException,
    UnexpectedStatusCodeException,
    WeaviateConnectionError,
    WeaviateStartUpError,
    WeaviateTimeoutError,
)


def test_api_key_is_accepted(api_key_server: EmbeddedServer) -> None:
    with wvorm.Client(api_key_server.url, auth_client_secret=wvorm.AuthApiKey("admin-key")) as c:
        assert c.get_meta()["version"]
        assert c._connection.get_json("/schema", "Get schema") == {"classes": []}


def test_wrong_api_key_raises_with_server_reason(api_key_server: EmbeddedServer) -> None:
    credentials = wvorm.AuthApiKey("wrong")
    with (
        wvorm.Client(api_key_server.url, auth_client_secret=credentials) as c,
        pytest.raises(AuthenticationFailedException) as caught,
    ):
        c.get_meta()
    message = str(caught.value)
    assert "401" in message and "wrong" not in message  # the server's reason, not the key
    assert "invalid api key" in message.lower(), message


def test_missing_credentials_raise(api_key_server: EmbeddedServer) -> None:
    with wvorm.Client(api_key_server.url) as c, pytest.raises(AuthenticationFailedException):
        c.get_meta()


def test_secrets_never_in_reprs_logs_or_errors(
    api_key_server: EmbeddedServer, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "reader-key"
    assert secret in API_KEYS
    credentials: list[wvorm.auth.AuthCredentials] = [
        wvorm.AuthApiKey(secret),
        wvorm.AuthBearerToken(secret, refresh_token=secret),
        wvorm.AuthClientPassword("user", secret),
        wvorm.AuthClientCredentials(secret),
    ]
    for credential in credentials:
        assert secret not in repr(credential) and secret not in str(credential)
    caplog.set_level(logging.DEBUG)
    headers = {"X-OpenAI-Api-Key": "sk-also-secret"}
    with wvorm.Client(
        api_key_server.url, auth_client_secret=credentials[0], additional_headers=headers
    ) as c:
        c.get_meta()
        assert secret not in repr(c) and "sk-also-secret" not in repr(c)
        with pytest.raises(UnexpectedStatusCodeException) as caught:
            c._connection.get_json("/schema/NoSuchClass", "Get class")
    assert secret not in str(caught.value)
    assert secret not in caplog.text and "sk-also-secret" not in caplog.text


@pytest.fixture
def flaky_proxy(weaviate_server: EmbeddedServer) -> Iterator[FaultProxy]:
    """A proxy that answers 503 to the first two requests, then forwards."""
    with FaultProxy(weaviate_server.url, Fault("503", times=2)) as proxy:
        yield proxy


def test_idempotent_requests_retry_through_503(flaky_proxy: FaultProxy) -> None:
    with wvorm.Client(flaky_proxy.url, startup_period=None) as c:
        assert c.get_meta()["version"]
    assert flaky_proxy.seen == ["GET /v1/meta"] * 3


def test_post_is_not_retried(flaky_proxy: FaultProxy) -> None:
    with (
        wvorm.Client(flaky_proxy.url, startup_period=None) as c,
        pytest.raises(UnexpectedStatusCodeException) as caught,
    ):
        c.schema.create_class({"class": "Once"})
    assert caught.value.status_code == 503
    assert flaky_proxy.seen == ["POST /v1/schema"]


def test_paused_server_times_out_as_wvorm_and_requests_error(
    server_factory: ServerFactory,
) -> None:
    server = server_factory()
    assert server.pid is not None
    with wvorm.Client(server.url, timeout_config=(1, 1)) as c:
        c._connection.config.session_pool_max_retries = 1
        os.kill(server.pid, signal.SIGSTOP)  # a real fault: the server stops answering
        try:
            # Regression: only a requests Timeout; v3 let requests' ReadTimeout through,
            # which is what v3 code catches.
            with pytest.raises(requests.exceptions.ReadTimeout) as caught:
                c.get_meta()
        finally:
            os.kill(server.pid, signal.SIGCONT)
        assert isinstance(caught.value, WeaviateTimeoutError)
        assert "timed out after 2 attempt(s)" in str(caught.value)
        assert "read timeout of 1.0s" in str(caught.value)
        assert c.get_meta()["version"], "the client recovers when the server does"


def test_stopped_server_is_a_connection_error(server_factory: ServerFactory) -> None:
    server = server_factory()
    with wvorm.Client(server.url) as c:
        server.stop()
        with pytest.raises(requests.exceptions.ConnectionError) as caught:
            c.get_meta()
        assert isinstance(caught.value, WeaviateConnectionError)
        assert server.url in str(caught.value)
        assert not c.is_ready() and not c.is_live()


def test_unreachable_url_fails_startup_clearly() -> None:
    with pytest.raises(WeaviateStartUpError, match="startup_period=1"):
        wvorm.Client("http://127.0.0.1:9", startup_period=1)


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"url": "localhost:8080"}, ValueError, "http://"),
        ({"url": "http://x", "timeout_config": (0, 5)}, ValueError, "positive"),
        ({"url": "http://x", "timeout_config": "10"}, TypeError, "timeout_config"),
        ({"url": "http://x", "additional_headers": ["a"]}, TypeError, "^'additional_headers' must"),
        ({"url": "http://x", "proxies": ["http://p"]}, TypeError, "^If 'proxies' is not None"),
        ({}, TypeError, "url"),
    ],
)
def test_bad_arguments_are_named(kwargs: dict[str, object], error: type, fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        wvorm.Client(startup_period=None, **kwargs)  # type: ignore[arg-type]


def test_open_id_configuration_is_none_without_oidc(client: wvorm.Client) -> None:
    assert client.get_open_id_configuration() is None


def test_additional_headers_reach_the_vectorizer(server_factory: ServerFactory) -> None:
    """X-OpenAI-Api-Key travels client -> Weaviate -> text2vec-openai -> the embedding service."""
    with EmbeddingService.start() as service:
        server = server_factory(additional_env_vars=text2vec_openai_env())
        headers = {"X-OpenAI-Api-Key": "sk-from-wvorm-header"}
        with wvorm.Client(server.url, additional_headers=headers) as client:
            client.schema.create_class({
                "class": "Note", "vectorizer": "text2vec-openai",
                "moduleConfig": {
                    "text2vec-openai": {"baseURL": service.url, "vectorizeClassName": False}
                },
                "properties": [{"name": "body", "dataType": ["text"]}],
            })  # fmt: skip
            client.data_object.create({"body": "one note"}, "Note")
            with client.batch(batch_size=10) as batch:
                batch.add_data_object({"body": "another note"}, "Note")
            assert not client.batch.failed_objects
    assert {r.api_key for r in service.openai_requests} == {"sk-from-wvorm-header"}
    assert sorted(t for r in service.openai_requests for t in r.inputs) == [
        "another note", "one note",
    ]  # fmt: skip

"""Every authentication flow against a real OIDC provider (nanoidp) and real Weaviate."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import wvorm
from tests.conftest import OIDC_TOKEN_LIFETIME, ServerFactory
from tests.support.oidc import OIDCProvider
from wvorm.embedded import EmbeddedServer
from wvorm.errors import AuthenticationFailedException

LIFETIME = OIDC_TOKEN_LIFETIME  # seconds: short enough to expire during a test


def current_token(client: wvorm.Client) -> str:
    header = client._connection._auth.authorization()
    assert header is not None
    return header


def test_server_advertises_its_oidc_configuration(
    oidc_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    password = wvorm.AuthClientPassword(oidc_provider.username, oidc_provider.password)
    with wvorm.Client(oidc_server.url, auth_client_secret=password) as client:
        config = client.get_open_id_configuration()
    assert config is not None
    assert config["clientId"] == oidc_provider.client_id
    assert config["href"].startswith(oidc_provider.issuer)


def test_password_flow_and_refresh_during_use(
    oidc_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    credentials = wvorm.AuthClientPassword(oidc_provider.username, oidc_provider.password)
    with wvorm.Client(oidc_server.url, auth_client_secret=credentials) as client:
        assert client._connection.get_json("/schema", "Get schema") == {"classes": []}
        first = current_token(client)
        time.sleep(LIFETIME + 1)  # the token expires while the client is in use
        assert client._connection.get_json("/schema", "Get schema") == {"classes": []}
        assert current_token(client) != first, "a new token was fetched before the call"


def test_wrong_password_raises_with_provider_reason(
    oidc_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    credentials = wvorm.AuthClientPassword(oidc_provider.username, "not-the-password")
    with pytest.raises(AuthenticationFailedException) as caught:
        wvorm.Client(oidc_server.url, auth_client_secret=credentials)
    message = str(caught.value)
    assert "refused the password grant" in message
    assert "Invalid resource owner credentials" in message, "the provider's own reason"
    assert "not-the-password" not in message


def test_client_credentials_flow(
    oidc_service_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    credentials = wvorm.AuthClientCredentials(oidc_provider.client_secret, scope="openid")
    with wvorm.Client(oidc_service_server.url, auth_client_secret=credentials) as client:
        assert client._connection.get_json("/schema", "Get schema") == {"classes": []}
        first = current_token(client)
        time.sleep(LIFETIME + 1)
        assert client._connection.get_json("/schema", "Get schema") == {"classes": []}
        assert current_token(client) != first


def test_wrong_client_secret_raises(
    oidc_service_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    credentials = wvorm.AuthClientCredentials("wrong-secret", scope="openid")
    with pytest.raises(AuthenticationFailedException, match="client_credentials grant"):
        wvorm.Client(oidc_service_server.url, auth_client_secret=credentials)


def test_bearer_token_refreshes_with_refresh_token(
    oidc_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    tokens = oidc_provider.password_token()
    bearer = wvorm.AuthBearerToken(
        tokens["access_token"],
        expires_in=tokens["expires_in"],
        refresh_token=tokens["refresh_token"],
    )
    with wvorm.Client(oidc_server.url, auth_client_secret=bearer) as client:
        assert client._connection.get_json("/schema", "Get schema") == {"classes": []}
        time.sleep(LIFETIME + 1)
        assert client._connection.get_json("/schema", "Get schema") == {"classes": []}
        assert current_token(client) != f"Bearer {tokens['access_token']}"


def test_expired_bearer_token_without_refresh_is_a_clear_error(
    oidc_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    tokens = oidc_provider.password_token()
    bearer = wvorm.AuthBearerToken(tokens["access_token"], expires_in=tokens["expires_in"])
    with pytest.warns(UserWarning, match="^Auth002"):  # (v3 warns of it too)
        client = wvorm.Client(oidc_server.url, auth_client_secret=bearer)
    with client:
        assert client._connection.get_json("/schema", "Get schema") == {"classes": []}
        time.sleep(LIFETIME + 1)
        with pytest.raises(AuthenticationFailedException, match="401"):
            client._connection.get_json("/schema", "Get schema")


def test_failed_refresh_surfaces_on_next_call(
    server_factory: ServerFactory, tmp_path: Path
) -> None:
    provider = OIDCProvider.start(tmp_path, access_token_lifetime=LIFETIME)
    try:
        server = server_factory(additional_env_vars=provider.weaviate_env())
        credentials = wvorm.AuthClientPassword(provider.username, provider.password)
        with wvorm.Client(server.url, auth_client_secret=credentials, timeout_config=(2, 5)) as c:
            assert c._connection.get_json("/schema", "Get schema") == {"classes": []}
            provider.stop()  # the provider goes away: the next refresh cannot succeed
            time.sleep(LIFETIME + 1)
            started = time.monotonic()
            with pytest.raises(AuthenticationFailedException, match="token endpoint"):
                c._connection.get_json("/schema", "Get schema")
            assert time.monotonic() - started < 15, "the refresh never hangs"
    finally:
        provider.stop()

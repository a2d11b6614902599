"""Credentials, and the one place that turns them into an ``Authorization`` header.

Called by :class:`wvorm.connection.Connection` before every request. OIDC tokens
are refreshed lazily, under a lock, when a request finds the token close to
expiry: there is no background thread that could die quietly, and a failed
refresh raises :class:`AuthenticationFailedException` on the call that needed it.

The names are v3's ``weaviate.auth``. v3's warnings are given too, with their codes
(``warnings.warn``, and logged): Auth001 (credentials for a server without OIDC),
Auth002 (a bearer token that cannot be renewed), Auth003 (a negative token lifetime),
Auth005 (an OIDC configuration that is not JSON: the client goes on unauthenticated)
and Con001 (a token renewal that timed out or met a server error). Auth004 (a header
and credentials) is the connection's, which sees the headers.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Union

import requests

from wvorm.errors import (
    AuthenticationFailedException,
    MissingScopeException,
    ResponseCannotBeDecodedException,
    json_body,
    may_have_reached_server,
    server_message,
    warn_v3,
)

logger = logging.getLogger("wvorm.auth")

# Token requests are retried: the provider may be briefly unreachable or overloaded.
# A password or client-credentials grant asked twice only issues a second token. A
# refresh grant is sent again only when the provider surely did not use the refresh
# token: with rotation, a used token sent again can revoke every token of the session
# (then the client signs in again with its credentials, if it has them).
_RETRIED_TOKEN_STATUSES = frozenset({429, 500, 502, 503, 504})
_UNPROCESSED_STATUSES = frozenset({429, 503})  # (refused before the grant was handled)
_AZURE_TOKEN_ENDPOINT = "https://login.microsoftonline.com"

SCOPES = Union[str, list[str]]  # "scope1 scope2" or ["scope1", "scope2"] (v3's alias)


def _mask(secret: Optional[str]) -> str:
    return "None" if secret is None else "'***'"


@dataclass(repr=False)
class AuthApiKey:
    """A Weaviate API key, sent as ``Authorization: Bearer <key>``."""

    api_key: str

    def __repr__(self) -> str:
        return f"AuthApiKey(api_key={_mask(self.api_key)})"


@dataclass(repr=False)
class AuthBearerToken:
    """An OIDC access token, refreshed with ``refresh_token`` when one is given."""

    access_token: str
    expires_in: int = 60
    refresh_token: Optional[str] = None

    def __post_init__(self) -> None:
        if self.expires_in < 0:
            # v3 takes it with a warning: the token is then renewed before its first use
            # (with the refresh token), or sent as it is.
            warn_v3(
                f"Auth003: Access token expiration time is negative: {self.expires_in}.", logger
            )

    def __repr__(self) -> str:
        return (
            f"AuthBearerToken(access_token={_mask(self.access_token)}, "
            f"expires_in={self.expires_in}, refresh_token={_mask(self.refresh_token)})"
        )


class _Scoped:
    """The ``scope`` of an OIDC grant, and v3's ``scope_list`` of it."""

    scope: Optional[SCOPES]

    @property
    def scope_list(self) -> list[str]:
        """``scope`` as a list (v3's attribute): asked for in addition to the scopes the
        server advertises."""
        if self.scope is None:
            return []
        return self.scope.split() if isinstance(self.scope, str) else list(self.scope)


@dataclass(repr=False)
class AuthClientPassword(_Scoped):
    """The OIDC resource-owner password flow.

    The token request asks for the scopes the server advertises and then ``scope``
    (none at all when both are empty), as v3 does. Some providers issue a refresh token
    only for ``scope="offline_access"``; without one, wvorm signs in again with the
    password when the token expires."""

    username: str
    password: str
    scope: Optional[SCOPES] = None

    def __repr__(self) -> str:
        return (
            f"AuthClientPassword(username={self.username!r}, password={_mask(self.password)}, "
            f"scope={self.scope!r})"
        )


@dataclass(repr=False)
class AuthClientCredentials(_Scoped):
    """The OIDC client-credentials flow (a confidential client with a secret).

    The token request asks for the scopes the server advertises and then ``scope``; with
    neither, Azure AD gets ``<client id>/.default`` (as in v3) and any other provider is
    a :class:`~wvorm.errors.MissingScopeException`."""

    client_secret: str
    scope: Optional[SCOPES] = None

    def __repr__(self) -> str:
        secret = _mask(self.client_secret)
        return f"AuthClientCredentials(client_secret={secret}, scope={self.scope!r})"


OidcAuth = Union[AuthBearerToken, AuthClientPassword, AuthClientCredentials]
AuthCredentials = Union[OidcAuth, AuthApiKey]


@dataclass
class _Token:
    access_token: str = field(repr=False)
    expires_at: float
    lifetime: float
    refresh_token: Optional[str] = field(default=None, repr=False)

    def needs_refresh(self, now: float) -> bool:
        # Refresh when a fifth of the lifetime is left (at most 30 s early), so a request
        # never leaves with a token that expires on its way.
        margin = min(30.0, self.lifetime / 5)
        return now >= self.expires_at - margin


class Authenticator:
    """Produces the ``Authorization`` header for one connection; thread-safe."""

    def __init__(
        self,
        credentials: Optional[AuthCredentials],
        server_url: str,
        http: requests.Session,
        timeout: tuple[float, float],
        attempts: int = 1,
        delay: Callable[[int], float] = lambda attempt: 0.0,
    ) -> None:
        self._credentials = credentials
        self._server_url = server_url
        self._http = http
        self._timeout = timeout
        self._attempts = max(1, attempts)  # per token request, as the connection's retries
        self._delay = delay
        self._lock = threading.Lock()
        self._token: Optional[_Token] = None
        self._token_endpoint: Optional[str] = None
        self._auth_methods: list[str] = []
        self._client_id: Optional[str] = None
        self._scopes: list[str] = []
        self._oidc_disabled = False
        if isinstance(credentials, (AuthClientPassword, AuthClientCredentials, AuthBearerToken)):
            with self._lock:
                self._discover()
                if not self._oidc_disabled:
                    self._token = self._first_token(credentials)

    def authorization(self) -> Optional[str]:
        """The header value to send now, refreshing the token first if it is due."""
        credentials = self._credentials
        if credentials is None or self._oidc_disabled:
            return None
        if isinstance(credentials, AuthApiKey):
            return f"Bearer {credentials.api_key}"
        with self._lock:
            token = self._token
            assert token is not None
            if token.needs_refresh(time.monotonic()) and self._can_refresh(token):
                self._token = token = self._refresh(token)
            return f"Bearer {token.access_token}"

    def invalidate(self) -> bool:
        """Force a refresh before the next request (after a 401); False if none is possible."""
        with self._lock:
            if self._token is None or not self._can_refresh(self._token):
                return False
            self._token.expires_at = 0.0
            return True

    # -- OIDC ---------------------------------------------------------------------------

    def _discover(self) -> None:
        url = f"{self._server_url}/v1/.well-known/openid-configuration"
        response = self._get(url, "the Weaviate server")
        if response.status_code == 404:
            # As v3: go on without the credentials (an API key is never checked this way).
            warn_v3(
                "Auth001: The client was configured to use authentication, but weaviate is "
                "configured without authentication. Are you sure this is correct? (Weaviate at "
                f"{self._server_url} has no OIDC configured; the "
                f"{type(self._credentials).__name__} credentials are not used.)",
                logger,
            )
            self._oidc_disabled = True
            return
        if response.status_code != 200:
            raise AuthenticationFailedException(
                f"Could not read the OIDC configuration from {url}: status "
                f"{response.status_code}, {server_message(response)!r}"
            )
        action = "Get the OIDC configuration"
        try:
            config = json_body(response, action)
        except ResponseCannotBeDecodedException:
            # As v3: a proxy's login page, say, answers for every path; go on without
            # authentication rather than fail.
            warn_v3(
                "Auth005: Could not parse Weaviate's OIDC configuration, using unauthenticated "
                "access. This can happen if weaviate is misconfigured or you have a proxy in "
                f"between the client and weaviate. You can test this by visiting {url}.",
                logger,
            )
            self._oidc_disabled = True
            return
        href, client_id = config.get("href"), config.get("clientId")
        if not isinstance(href, str) or not isinstance(client_id, str):
            raise ResponseCannotBeDecodedException(
                action, response, "an OIDC configuration (with href and clientId)"
            )
        self._client_id = client_id
        advertised = config.get("scopes")
        if isinstance(advertised, list):
            self._scopes = [s for s in advertised if isinstance(s, str) and s]
        provider = self._get(href, "the OIDC provider")
        if provider.status_code != 200:
            raise AuthenticationFailedException(
                f"Could not read the OIDC provider's discovery document at {href}: "
                f"status {provider.status_code}, {server_message(provider)!r}"
            )
        action = f"Get the OIDC provider's discovery document at {href}"
        document = json_body(provider, action)
        endpoint = document.get("token_endpoint")
        if not isinstance(endpoint, str):
            raise ResponseCannotBeDecodedException(
                action, provider, "an OIDC discovery document (with a token_endpoint)"
            )
        self._token_endpoint = endpoint
        self._auth_methods = list(document.get("token_endpoint_auth_methods_supported") or [])

    def _first_token(self, credentials: OidcAuth) -> _Token:
        if not isinstance(credentials, AuthBearerToken):
            return self._grant_from_credentials(renewal=False)
        if credentials.refresh_token is None:
            warn_v3(
                "Auth002: The access token given has no refresh token. It is only valid for "
                f"{credentials.expires_in}s; after that, requests fail with an "
                "AuthenticationFailedException. Pass refresh_token=... to AuthBearerToken, or "
                "sign in with AuthClientPassword or AuthClientCredentials, which wvorm renews "
                "by itself.",
                logger,
            )
        return _Token(
            credentials.access_token,
            time.monotonic() + credentials.expires_in,
            float(credentials.expires_in),
            credentials.refresh_token,
        )

    def _get(self, url: str, what: str) -> requests.Response:
        try:
            return self._http.get(url, timeout=self._timeout)
        except requests.RequestException as exc:
            raise AuthenticationFailedException(f"Could not reach {what} at {url}: {exc}") from exc

    def _can_refresh(self, token: _Token) -> bool:
        return token.refresh_token is not None or isinstance(
            self._credentials, (AuthClientPassword, AuthClientCredentials)
        )

    def _refresh(self, token: _Token) -> _Token:
        if token.refresh_token is not None:
            try:
                fresh = self._request_token(
                    {"grant_type": "refresh_token", "refresh_token": token.refresh_token},
                    renewal=True,
                )
                # Providers may keep the refresh token and not send it again.
                fresh.refresh_token = fresh.refresh_token or token.refresh_token
                return fresh
            except AuthenticationFailedException:
                if not isinstance(self._credentials, (AuthClientPassword, AuthClientCredentials)):
                    raise
                logger.info("Refresh token rejected; signing in again with the credentials.")
        return self._grant_from_credentials(renewal=True)

    def _grant_from_credentials(self, renewal: bool) -> _Token:
        # The scope asked for is v3's: the scopes the server advertises, then the
        # caller's (nothing more: a provider may refuse a scope it does not know).
        credentials = self._credentials
        if isinstance(credentials, AuthClientPassword):
            scopes = [*self._scopes, *credentials.scope_list]
            return self._request_token(
                {
                    "grant_type": "password",
                    "username": credentials.username,
                    "password": credentials.password,
                    "scope": " ".join(dict.fromkeys(scopes)) or None,  # (none: not sent)
                },
                renewal=renewal,
            )
        if isinstance(credentials, AuthClientCredentials):
            scopes = [*self._scopes, *credentials.scope_list]
            if not scopes and (self._token_endpoint or "").startswith(_AZURE_TOKEN_ENDPOINT):
                scopes = [f"{self._client_id}/.default"]  # what Azure AD expects, as in v3
            if not scopes:
                raise MissingScopeException(
                    "AuthClientCredentials needs a scope: the server advertises none, so "
                    "pass scope=... as your identity provider expects."
                )
            return self._request_token(
                {"grant_type": "client_credentials", "scope": " ".join(dict.fromkeys(scopes))},
                client_secret=credentials.client_secret,
                renewal=renewal,
            )
        raise AuthenticationFailedException(
            "The access token expired and there is no refresh token or credentials to get a new "
            "one; pass refresh_token=... to AuthBearerToken or use a credentials flow."
        )

    def _request_token(
        self, form: dict[str, Any], client_secret: Optional[str] = None, renewal: bool = False
    ) -> _Token:
        """One grant at the token endpoint, retried as the module docstring says.
        ``renewal`` marks a token renewed during use (not the first sign-in): its timeouts
        and server errors are v3's Con001 warning as well."""
        assert self._token_endpoint is not None
        data = {k: v for k, v in form.items() if v is not None}
        basic: Optional[tuple[str, str]] = None
        if client_secret is not None and (
            not self._auth_methods or "client_secret_basic" in self._auth_methods
        ):
            basic = (self._client_id or "", client_secret)
        else:
            data["client_id"] = self._client_id
            if client_secret is not None:
                data["client_secret"] = client_secret
        endpoint, grant = self._token_endpoint, form["grant_type"]
        attempt = 0
        while True:
            cause: Optional[Exception] = None
            try:
                response = self._http.post(endpoint, data=data, auth=basic, timeout=self._timeout)
            except requests.RequestException as exc:  # (an answer cut off mid-body too)
                failure, cause = f"Could not reach the OIDC token endpoint {endpoint}", exc
                replay = grant != "refresh_token" or not may_have_reached_server(exc)
                # (a certificate that failed verification fails again, as in the connection)
                replay = replay and not isinstance(exc, requests.exceptions.SSLError)
                if renewal and isinstance(exc, requests.Timeout):
                    _warn_renewal_failed(f"{failure} for the {grant} grant: {exc}")
            else:
                if response.status_code not in _RETRIED_TOKEN_STATUSES:
                    break
                failure = f"The OIDC token endpoint {endpoint} answered {response.status_code}"
                replay = grant != "refresh_token" or response.status_code in _UNPROCESSED_STATUSES
                if renewal and response.status_code >= 500:
                    _warn_renewal_failed(f"{failure} to the {grant} grant")
            attempt += 1
            if attempt >= self._attempts or not replay:
                raise AuthenticationFailedException(
                    f"{failure} for the {grant} grant, after {attempt} attempt(s)"
                    + (f": {cause}" if cause is not None else "")
                ) from cause
            logger.info("%s; retrying the %s grant", failure, grant)
            time.sleep(self._delay(attempt - 1))
        if response.status_code != 200:
            raise AuthenticationFailedException(
                f"The OIDC provider refused the {grant} grant: status "
                f"{response.status_code}, {server_message(response)!r}"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            # (never quoted: a token answer holds secrets, even when malformed)
            raise AuthenticationFailedException(
                f"The OIDC token endpoint {endpoint} answered the {grant} grant with "
                f"{len(response.content)} bytes of {response.headers.get('content-type')!r} "
                "that are not a token (a JSON object with an access_token); is it the token "
                "endpoint of an OIDC provider?"
            )
        try:
            lifetime = float(body.get("expires_in", 60))
        except (TypeError, ValueError):
            lifetime = 60.0  # (an unreadable lifetime: renewed within a minute)
        return _Token(
            body["access_token"],
            time.monotonic() + lifetime,
            lifetime,
            body.get("refresh_token"),
        )


def _warn_renewal_failed(reason: str) -> None:
    """v3's Con001: renewing the access token timed out or met a server error."""
    warn_v3(
        "Con001: Could not reach the token issuer to renew the access token. The client "
        "tries again (on this request, then on the next); if it does not succeed, requests "
        "fail with an AuthenticationFailedException. Causes might be an unstable internet "
        f"connection or a problem with your authentication provider. Reason: {reason}",
        logger,
    )

"""The HTTP transport every client component talks through.

One pooled ``requests.Session`` per client, timeouts on every request, the
``Authorization`` header from :mod:`wvorm.auth`, retries with backoff for
idempotent requests, and the single place where ``requests`` exceptions become
wvorm errors (each also the ``requests`` exception v3 let through: a read timeout is
a ``requests.exceptions.ReadTimeout``). Non-2xx responses are returned, not raised:
each caller knows which statuses its operation accepts and raises
:class:`~wvorm.errors.UnexpectedStatusCodeException` for the rest; a body is decoded
by :func:`~wvorm.errors.json_body`.

As v3, header names are lower-cased, and an ``authorization`` header given together
with ``auth_client_secret`` is dropped with v3's Auth004 warning.
"""

from __future__ import annotations

import logging
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import requests
from requests.adapters import HTTPAdapter

from wvorm.auth import AuthCredentials, Authenticator
from wvorm.errors import (
    AuthenticationFailedException,
    UnexpectedStatusCodeException,
    UsageError,
    WeaviateConnectionError,
    WeaviateConnectTimeoutError,
    WeaviateReadTimeoutError,
    WeaviateStartUpError,
    WeaviateTimeoutError,
    WvormError,
    json_body,
    server_message,
    warn_v3,
)

logger = logging.getLogger("wvorm.connection")

TimeoutConfig = Union[float, tuple[float, float]]

RETRY_STATUSES = frozenset({502, 503, 504})
# Methods retried by default: all but POST. PATCH is a merge of the same values, so
# sending it again is safe.
RETRIED_METHODS = frozenset({"GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})


@dataclass
class ConnectionConfig:
    """Pool and retry settings of the HTTP transport (v3 names kept)."""

    session_pool_connections: int = 20
    session_pool_maxsize: int = 100
    session_pool_max_retries: int = 3
    backoff_base: float = 0.2
    backoff_max: float = 5.0


@dataclass
class Config:
    """Additional client configuration (``Client(additional_config=...)``).

    ``grpc_port`` (v3: ``grpc_port_experimental``) is the server's gRPC port and
    ``grpc_secure`` (v3: ``grpc_secure_experimental``) turns on TLS for it; an
    embedded server knows its own port. ``transport`` chooses how typed queries
    travel: ``"auto"`` (gRPC when the ``wvorm[grpc]`` extra is installed and the port
    answers, else GraphQL), ``"grpc"`` (fail when gRPC is unavailable) or
    ``"graphql"``. See :mod:`wvorm.transport`.
    """

    grpc_port_experimental: Optional[int] = None
    grpc_secure_experimental: bool = False
    connection_config: ConnectionConfig = field(default_factory=ConnectionConfig)
    grpc_port: Optional[int] = None
    grpc_secure: bool = False
    transport: str = "auto"


def normalize_timeout(timeout_config: TimeoutConfig) -> tuple[float, float]:
    """``(connect, read)`` seconds from a number or a pair, checked as v3 checks it: a
    TypeError for what is not a number or a pair of numbers, a ValueError for a pair of
    another length or a value that is not positive (messages start with v3's)."""

    def number(value: Any) -> bool:
        return isinstance(value, (int, float)) and not isinstance(value, bool)

    if number(timeout_config):
        pair: tuple[Any, ...] = (timeout_config, timeout_config)
    elif isinstance(timeout_config, (tuple, list)):  # (a list too: v3 refused one)
        pair = tuple(timeout_config)
        if len(pair) != 2:
            raise UsageError(
                f"'timeout_config' must be of length 2! Got {timeout_config!r}: pass a "
                "number, or a (connect, read) pair of numbers, in seconds."
            )
        if not all(number(v) for v in pair):
            raise UsageError(f"'timeout_config' must be tuple of numbers, got {timeout_config!r}.")
    else:
        raise UsageError(
            "'timeout_config' should be a (or tuple of) positive number/s! Got "
            f"{timeout_config!r}: pass a number, or a (connect, read) pair, in seconds."
        )
    if not all(v > 0 for v in pair):
        raise UsageError(
            f"'timeout_config' cannot be non-positive number/s! Got {timeout_config!r}: "
            "timeouts are positive numbers of seconds."
        )
    return (float(pair[0]), float(pair[1]))


def after_attempts(made: int, retried: bool) -> str:
    """The ``after N attempt(s)`` of an error message, or nothing when the caller turned
    retries off (it retries itself, and its own message counts the attempts)."""
    return f" after {made} attempt(s)" if retried else ""


def backoff_delay(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter for retry number ``attempt`` (0-based)."""
    return random.uniform(0, min(cap, base * (2**attempt)))


class Connection:
    """A pooled, authenticated, retrying HTTP connection to one Weaviate server."""

    def __init__(
        self,
        url: str,
        auth_client_secret: Optional[AuthCredentials] = None,
        timeout_config: TimeoutConfig = (10, 60),
        proxies: Union[dict[str, str], str, None] = None,
        trust_env: bool = False,
        additional_headers: Optional[dict[str, str]] = None,
        startup_period: Optional[int] = 5,
        connection_config: Optional[ConnectionConfig] = None,
    ) -> None:
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise UsageError(
                f"url must start with http:// or https://, got {url!r}; "
                "for example 'http://localhost:8080'"
            )
        # (the messages of these two start with v3's)
        if additional_headers is not None and not isinstance(additional_headers, dict):
            raise UsageError(
                "'additional_headers' must be of type dict or None. Given type: "
                f"{type(additional_headers)}: a dict of header names to values."
            )
        if proxies is not None and not isinstance(proxies, (dict, str)):
            raise UsageError(
                "If 'proxies' is not None, it must be of type dict or str. Given type: "
                f"{type(proxies)}: a proxy URL, or a dict as requests takes it "
                "({'http': url, 'https': url})."
            )
        self.url = url.rstrip("/")
        self.config = connection_config or ConnectionConfig()
        self._timeout = normalize_timeout(timeout_config)
        self._headers: dict[str, str] = {"content-type": "application/json"}
        # Lower-cased, as v3 does: header names are case-insensitive, so "Authorization"
        # given here and the "authorization" set from the credentials are one key.
        self._headers.update({k.lower(): v for k, v in (additional_headers or {}).items()})
        if auth_client_secret is not None and "authorization" in self._headers:
            _warn_header_and_credentials()
            del self._headers["authorization"]
        self._closed = False
        self._server_version: Optional[str] = None
        self._version_read = False
        self._session = self._new_session(proxies, trust_env)
        if startup_period is not None:
            self.wait_for_weaviate(startup_period)
        self._auth = Authenticator(
            auth_client_secret,
            self.url,
            self._session,
            self._timeout,
            attempts=1 + self.config.session_pool_max_retries,
            delay=self._delay,
        )

    def _new_session(
        self, proxies: Union[dict[str, str], str, None], trust_env: bool
    ) -> requests.Session:
        session = requests.Session()
        session.trust_env = trust_env
        if isinstance(proxies, str):
            proxies = {"http": proxies, "https": proxies}
        if proxies:
            session.proxies.update(proxies)
        adapter = HTTPAdapter(
            pool_connections=self.config.session_pool_connections,
            pool_maxsize=self.config.session_pool_maxsize,
            max_retries=0,  # retries are ours, so they see status codes and back off
        )
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session

    # -- properties -------------------------------------------------------------------

    @property
    def timeout_config(self) -> tuple[float, float]:
        """``(connect, read)`` timeout in seconds for every request."""
        return self._timeout

    @timeout_config.setter
    def timeout_config(self, value: TimeoutConfig) -> None:
        self._timeout = normalize_timeout(value)

    def request_headers(self) -> dict[str, str]:
        """The headers of the next request: the additional headers and the current
        ``authorization`` (renewed when it expires). The gRPC transport sends these too."""
        headers = dict(self._headers)
        authorization = self._auth.authorization()
        if authorization is not None:
            headers["authorization"] = authorization
        return headers

    def invalidate_token(self) -> bool:
        """Drop the current token after the server refused it; True if a new one can be
        had (so the request is worth repeating once)."""
        return self._auth.invalidate()

    @property
    def additional_headers(self) -> dict[str, str]:
        """A copy of the headers sent with every request."""
        return dict(self._headers)

    # -- requests ---------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Optional[bytes] = None,
        params: Optional[dict[str, Any]] = None,
        timeout: Optional[TimeoutConfig] = None,
        retry: Optional[bool] = None,
        headers: Optional[dict[str, str]] = None,
    ) -> requests.Response:
        """Send one request to ``/v1{path}`` and return the response, whatever its status.

        ``retry`` defaults to True for every method but POST: connection errors, timeouts
        and 502/503/504 are then retried with backoff. A 401 (after one token renewal,
        for OIDC) raises :class:`AuthenticationFailedException`. Raises
        :class:`WeaviateConnectionError` / :class:`WeaviateTimeoutError` when the
        server cannot be reached after the retries.
        """
        if self._closed:
            raise WeaviateConnectionError(
                "This client is closed; create a new wvorm.Client to talk to the server."
            )
        method = method.upper()
        if retry is None:
            retry = method in RETRIED_METHODS
        attempts = 1 + (self.config.session_pool_max_retries if retry else 0)
        url = f"{self.url}/v1{path}"
        request_timeout = normalize_timeout(timeout) if timeout is not None else self._timeout
        params = {k: v for k, v in (params or {}).items() if v is not None}
        reauthenticated = False
        attempt = 0
        extra_headers = {k.lower(): v for k, v in (headers or {}).items()}
        while True:
            headers = {**self._headers, **extra_headers}
            authorization = self._auth.authorization()
            if authorization is not None:
                headers["authorization"] = authorization
            try:
                response = self._session.request(
                    method,
                    url,
                    json=json,
                    data=data,
                    params=params,
                    headers=headers,
                    timeout=request_timeout,
                )
            except requests.exceptions.SSLError as exc:
                # Not retried: a certificate that failed verification fails again.
                raise WeaviateConnectionError(
                    f"Could not connect to Weaviate at {self.url} ({method} {path}): its TLS "
                    f"certificate could not be verified ({_ssl_reason(exc)}). wvorm verifies "
                    "certificates; make this one trusted (install its CA in the system's "
                    "store, or set REQUESTS_CA_BUNDLE to the CA file and pass trust_env=True)."
                ) from exc
            except requests.Timeout as exc:
                what = f"{method} {url} timed out{after_attempts(attempt + 1, retry)}"
                failure: Exception = _timeout_error(exc, what, request_timeout)
                cause: Exception = exc
            except requests.ConnectionError as exc:
                failure = WeaviateConnectionError(
                    f"Could not connect to Weaviate at {self.url} ({method} {path})"
                    f"{after_attempts(attempt + 1, retry)}: {exc}"
                )
                cause = exc
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                # The request reached the server (and may have been applied); its
                # answer was cut off on the way back.
                failure = WeaviateConnectionError(
                    f"The answer of Weaviate at {self.url} to {method} {path} was cut off"
                    f"{after_attempts(attempt + 1, retry)}: {exc}"
                )
                cause = exc
            else:
                if response.status_code == 401 and not reauthenticated and self._auth.invalidate():
                    reauthenticated = True  # the token may have been revoked early: renew once
                    continue
                if response.status_code == 401:
                    raise AuthenticationFailedException(
                        f"Weaviate at {self.url} rejected the credentials for {method} {path} "
                        f"(status 401): {server_message(response)!r}. Check auth_client_secret."
                    )
                if response.status_code in RETRY_STATUSES and attempt + 1 < attempts:
                    logger.info("%s %s answered %s; retrying", method, path, response.status_code)
                    time.sleep(self._delay(attempt))
                    attempt += 1
                    continue
                return response
            if attempt + 1 >= attempts:
                raise failure from cause
            logger.info("%s %s failed (%s); retrying", method, path, cause)
            time.sleep(self._delay(attempt))
            attempt += 1

    def _delay(self, attempt: int) -> float:
        return backoff_delay(attempt, self.config.backoff_base, self.config.backoff_max)

    def get(self, path: str, params: Optional[dict[str, Any]] = None) -> requests.Response:
        """GET ``/v1{path}`` (retried)."""
        return self.request("GET", path, params=params)

    def head(self, path: str, params: Optional[dict[str, Any]] = None) -> requests.Response:
        """HEAD ``/v1{path}`` (retried)."""
        return self.request("HEAD", path, params=params)

    def post(
        self, path: str, json: Any = None, params: Optional[dict[str, Any]] = None
    ) -> requests.Response:
        """POST ``/v1{path}`` (not retried: POST is not idempotent)."""
        return self.request("POST", path, json=json, params=params)

    def put(
        self, path: str, json: Any = None, params: Optional[dict[str, Any]] = None
    ) -> requests.Response:
        """PUT ``/v1{path}`` (retried)."""
        return self.request("PUT", path, json=json, params=params)

    def patch(
        self, path: str, json: Any = None, params: Optional[dict[str, Any]] = None
    ) -> requests.Response:
        """PATCH ``/v1{path}`` (retried: a merge of the same values is idempotent)."""
        return self.request("PATCH", path, json=json, params=params)

    def delete(
        self, path: str, json: Any = None, params: Optional[dict[str, Any]] = None
    ) -> requests.Response:
        """DELETE ``/v1{path}`` (retried)."""
        return self.request("DELETE", path, json=json, params=params)

    def call(
        self,
        method: str,
        path: str,
        *,
        action: str,
        ok: Union[int, tuple[int, ...]] = 200,
        json: Any = None,
        params: Optional[dict[str, Any]] = None,
        headers: Optional[dict[str, str]] = None,
    ) -> requests.Response:
        """Send a request as :meth:`request` does and return the response if its status
        is ``ok`` (one status or a tuple of them); otherwise raise
        :class:`UnexpectedStatusCodeException` with ``action`` (what we were doing)."""
        response = self.request(method, path, json=json, params=params, headers=headers)
        if response.status_code not in ((ok,) if isinstance(ok, int) else ok):
            raise UnexpectedStatusCodeException(action, response)
        return response

    def get_json(
        self,
        path: str,
        action: str,
        params: Optional[dict[str, Any]] = None,
        expected: type = dict,
        headers: Optional[dict[str, str]] = None,
    ) -> Any:
        """GET ``/v1{path}`` and return its JSON body (an ``expected``: a JSON object
        unless told otherwise); raise unless the status is 200 and the body is one."""
        response = self.call("GET", path, action=action, params=params, headers=headers)
        return json_body(response, action, expected)

    # -- server state -----------------------------------------------------------------

    def server_version(self) -> Optional[str]:
        """The server's version from ``/v1/meta``, read once per connection; None when
        it cannot be read (the request that needs it reports why)."""
        if not self._version_read:
            try:
                version = self.get_json("/meta", "Get meta").get("version")
            except (OSError, WvormError):
                return None  # (not remembered: the next call asks again)
            self._server_version = version if isinstance(version, str) else None
            self._version_read = True
        return self._server_version

    def wait_for_weaviate(self, startup_period: float) -> None:
        """Poll ``/.well-known/ready`` until 200 or ``startup_period`` seconds pass."""
        deadline = time.monotonic() + startup_period
        url = f"{self.url}/v1/.well-known/ready"
        last = "no answer"
        while True:
            try:
                response = self._session.get(url, headers=self._headers, timeout=self._timeout)
                if response.status_code == 200:
                    return
                last = f"status {response.status_code}"
            except requests.RequestException as exc:
                last = str(exc)
            if time.monotonic() >= deadline:
                raise WeaviateStartUpError(
                    f"Weaviate at {self.url} was not ready within startup_period="
                    f"{startup_period}s ({last}). Check the URL and that the server is "
                    "running, or raise startup_period."
                )
            time.sleep(0.1)

    def close(self) -> None:
        """Close the pooled connections; further requests raise."""
        self._closed = True
        self._session.close()

    def __repr__(self) -> str:
        return f"Connection(url={self.url!r})"


def _timeout_error(
    exc: requests.Timeout, prefix: str, timeout: tuple[float, float]
) -> WeaviateTimeoutError:
    """The wvorm error for a timeout: also requests' ConnectTimeout or ReadTimeout, as
    the one v3 let through, so ``except requests.exceptions.ReadTimeout`` still works."""
    if isinstance(exc, requests.ConnectTimeout):
        return WeaviateConnectTimeoutError(
            f"{prefix}: no connection within the connect timeout of {timeout[0]}s "
            f"(timeout_config={timeout}): {exc}"
        )
    if isinstance(exc, requests.ReadTimeout):
        return WeaviateReadTimeoutError(
            f"{prefix}: no answer within the read timeout of {timeout[1]}s "
            f"(timeout_config={timeout}): {exc}"
        )
    return WeaviateTimeoutError(f"{prefix} (timeout_config={timeout}): {exc}")


def _warn_header_and_credentials() -> None:
    """v3's Auth004: an ``authorization`` header and ``auth_client_secret`` both given;
    the credentials win (they can renew a token; a fixed header cannot)."""
    message = (
        "Auth004: Received an authentication header and an auth_client_secret parameter. "
        "The auth_client_secret takes precedence over the header and the authentication "
        "header will be ignored. Use wvorm.auth.AuthBearerToken(..) to supply an access "
        "token via the auth_client_secret parameter and (if available) also supply refresh "
        "tokens and token lifetimes."
    )
    warn_v3(message, logger)


def _ssl_reason(exc: requests.exceptions.SSLError) -> str:
    """The innermost reason of a TLS failure, e.g. "certificate verify failed: self-signed
    certificate" (requests nests it in a MaxRetryError text)."""
    text = str(exc)
    found = re.search(r"\[SSL: [A-Z_]+\] ([^(')]+)", text)
    return found.group(1).strip() if found else text

"""Every error wvorm raises, in one hierarchy.

Foreign exceptions (from ``requests``) are translated once, at the transport
boundary in :mod:`wvorm.connection`, with ``raise ... from exc``. Transport errors
also inherit from the matching ``requests`` class, so v3 code that catches
``requests.exceptions.ConnectionError`` or ``ReadTimeout`` (v3 let requests' own
exceptions through) keeps working. Every v3 name of ``weaviate.exceptions`` is here
(that module is :mod:`wvorm.exceptions`), and every v3 ``except`` clause catches
what it did: each v3 class subclasses ``WeaviateBaseError``, as here.

::

    WvormError (alias: WeaviateBaseError)
    ├── WeaviateConnectionError        also requests.exceptions.ConnectionError
    │   └── WeaviateTimeoutError       also requests.exceptions.Timeout
    │       ├── WeaviateConnectTimeoutError  also requests.exceptions.ConnectTimeout
    │       └── WeaviateReadTimeoutError     also requests.exceptions.ReadTimeout
    ├── UnexpectedStatusCodeException  carries .status_code and the server's message
    │   └── ObjectAlreadyExistsException
    ├── AuthenticationFailedException
    ├── MissingScopeException
    ├── SchemaValidationException
    ├── QueryError                     GraphQL errors returned by the server
    ├── NoResultError                  Query.one() found nothing (also LookupError)
    ├── MultipleResultsError           Query.one() found more than one object (also LookupError)
    ├── BatchError                     a batch could not be written after its retries
    │   ├── BatchConnectionError       ... the server could not be reached (also requests'
    │   │                              ConnectionError, which v3 raised)
    │   ├── BatchTimeoutError          ... it timed out (also requests' ReadTimeout, as v3)
    │   └── BatchStatusError           ... the server refused it (also an
    │                                  UnexpectedStatusCodeException, as v3)
    ├── BackupFailedException
    ├── EmptyResponseException
    ├── ResponseCannotBeDecodedException  an answer that is not the JSON expected (also ValueError)
    ├── ModelDefinitionError           a WeaviateModel that cannot be mapped (also TypeError)
    ├── UsageError                     an argument wvorm cannot take (also ValueError, TypeError)
    │   ├── FilterError                a query filter that cannot apply
    │   │   └── UnknownFieldError      Model.<name> names no field (also AttributeError)
    │   └── AdditionalPropertiesException  (v3's name; wvorm never raises it)
    ├── UnloadedFieldError             a field read that was not loaded from the server
    ├── SessionError                   a Session used in a way it cannot be
    ├── SchemaMismatchError            a model written whose class is missing or differs
    ├── MigrationError                 models and live schema differ in a way migrate refuses
    ├── CommitError                    the server rejected objects during Session.commit()
    └── WeaviateStartUpError           the embedded server could not be installed or started
        ├── WeaviateEmbeddedInvalidVersion
        └── ServerBinaryNotFound
"""

from __future__ import annotations

import difflib
import logging
import sys
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import requests
import urllib3

if TYPE_CHECKING:
    from collections.abc import Sequence


class WvormError(Exception):
    """Base class of every error raised by wvorm."""

    @property
    def message(self) -> str:
        """The error's message (v3's ``WeaviateBaseError.message``)."""
        return str(self.args[0]) if self.args else ""


WeaviateBaseError = WvormError  # the v3 name


class WeaviateConnectionError(WvormError, requests.exceptions.ConnectionError):
    """The server could not be reached (refused, reset, DNS), after any retries."""


RequestsConnectionError = WeaviateConnectionError  # the v3 name


class WeaviateTimeoutError(WeaviateConnectionError, requests.exceptions.Timeout):
    """The server did not answer within the configured timeout, after any retries."""


class WeaviateConnectTimeoutError(WeaviateTimeoutError, requests.exceptions.ConnectTimeout):
    """No connection to the server could be opened within the connect timeout."""


class WeaviateReadTimeoutError(WeaviateTimeoutError, requests.exceptions.ReadTimeout):
    """The server took longer than the read timeout to answer."""


def server_message(response: requests.Response) -> str:
    """The error text the server put in a response body, or the raw body."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text.strip()[:2000]
    if isinstance(body, dict):
        errors = body.get("error")
        if isinstance(errors, list):
            messages = [e.get("message", str(e)) if isinstance(e, dict) else str(e) for e in errors]
            return "; ".join(messages)
        if "message" in body:
            return str(body["message"])
        if "error_description" in body:  # OAuth providers
            return f"{body.get('error', '')}: {body['error_description']}"
    return str(body)[:2000]


# What a status usually means, added to the message of an UnexpectedStatusCodeException
# (v3's table, at v3's path).
ERROR_CODE_EXPLANATION: dict[int, str] = {
    413: "Payload Too Large. Try to decrease the batch size or increase the maximum request "
    "size on your weaviate server."
}


class UnexpectedStatusCodeException(WvormError):
    """The server answered with a status code the operation does not accept.

    ``status_code`` is the HTTP status, ``error`` the server's own message and
    ``response`` the raw ``requests.Response``.
    """

    def __init__(self, message: str, response: requests.Response) -> None:
        self.response = response
        self.status_code: int = response.status_code
        self.error: str = server_message(response)
        explanation = ERROR_CODE_EXPLANATION.get(self.status_code)
        super().__init__(
            f"{message}! Unexpected status code: {self.status_code}, "
            f"with response body: {self.error!r}." + (f" {explanation}" if explanation else "")
        )


class ResponseCannotBeDecodedException(WvormError, ValueError):
    """An answer whose body is not the JSON the operation expects: an HTML error page
    from a proxy or load balancer in front of Weaviate, say. ``response`` is the raw
    ``requests.Response``. (Also a ValueError, which ``response.json()`` raised before.)"""

    def __init__(self, action: str, response: requests.Response, expected: str = "JSON") -> None:
        self.response = response
        self.status_code: int = response.status_code
        kind = response.headers.get("content-type") or "no content type"
        super().__init__(
            f"{action}: the answer (HTTP {response.status_code}, {kind}) is not {expected}: "
            f"{response.text.strip()[:200]!r}. Is something else (a proxy, a load balancer) "
            "answering at this URL?"
        )


_JSON_KINDS: dict[type, str] = {dict: "a JSON object", list: "a JSON array"}


def json_body(response: requests.Response, action: str, expected: type = dict) -> Any:
    """The JSON body of ``response``, an instance of ``expected`` (a JSON object unless
    told otherwise); otherwise :class:`ResponseCannotBeDecodedException` naming
    ``action``. Every answer of Weaviate wvorm reads is decoded here (lives next to the
    error it raises so that :mod:`wvorm.auth`, below the connection, can use it too)."""
    try:
        body = response.json()
    except ValueError:  # (requests' JSONDecodeError is one)
        raise ResponseCannotBeDecodedException(action, response) from None
    if not isinstance(body, expected):
        raise ResponseCannotBeDecodedException(
            action, response, _JSON_KINDS.get(expected, expected.__name__)
        )
    return body


class ObjectAlreadyExistsException(UnexpectedStatusCodeException):
    """An object with this uuid already exists (status 422 on create)."""


class AuthenticationFailedException(WvormError):
    """Credentials were rejected, or a token could not be obtained or refreshed."""


class MissingScopeException(WvormError):
    """An OIDC flow needs a scope the configuration does not provide."""


class SchemaValidationException(WvormError):
    """A schema (class or property definition) given by the caller is invalid."""


class QueryError(WvormError):
    """The server answered a query with errors.

    ``errors`` holds the server's error list, ``query`` the query sent (GraphQL
    text, or a description of the gRPC request), ``transport`` "GraphQL" or "gRPC".
    """

    def __init__(self, errors: Sequence[Any], query: str, transport: str = "GraphQL") -> None:
        self.errors = list(errors)
        self.query = query
        self.transport = transport
        messages = "; ".join(
            str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in self.errors
        )
        super().__init__(f"{transport} query failed: {messages}\nQuery: {query}")


class GraphQLDisabledError(WvormError):
    """The server has its GraphQL API disabled (``DISABLE_GRAPHQL=true``) and gRPC is not
    available to this client; the message says how to enable it."""


class GrpcUnavailableError(WeaviateConnectionError):
    """``Config(transport="grpc")`` was asked for, and gRPC cannot be used."""


class BatchError(WvormError):
    """A batch request failed after every retry; the unsent items stay readable."""


class BatchConnectionError(BatchError, requests.exceptions.ConnectionError):
    """A batch request could not reach the server after its connection_error_retries."""


class BatchTimeoutError(BatchError, requests.exceptions.ReadTimeout):
    """A batch request timed out after its timeout_retries."""


class BatchStatusError(BatchError, UnexpectedStatusCodeException):
    """A batch request the server answered with a status it does not retry, or still
    answered with a 429/5xx after the retries (v3 raised UnexpectedStatusCodeException)."""

    def __init__(self, message: str, response: requests.Response) -> None:
        WvormError.__init__(self, message)  # (the message already quotes the answer)
        self.response = response
        self.status_code = response.status_code
        self.error = server_message(response)


class BackupFailedException(WvormError):
    """A backup or restore ended in a failed state."""


class EmptyResponseException(WvormError):
    """The server answered with an empty body where data was expected."""


class ModelDefinitionError(WvormError, TypeError):
    """A WeaviateModel subclass cannot be mapped to a Weaviate class."""


class UsageError(WvormError, ValueError, TypeError):
    """An argument wvorm cannot take: ``limit(0)``, a second search, ``batch_size=0``,
    a value of the wrong type.

    Also a ValueError and a TypeError, Python's conventions for a bad argument value
    and type, so ``except ValueError`` / ``except TypeError`` keep working.
    """


class AdditionalPropertiesException(UsageError):
    """v3's error for mixing ``AdditionalProperties`` and strings in ``with_additional``.

    Kept so that v3 code naming it still imports; wvorm merges the two forms instead,
    so it never raises this."""

    def __init__(self, additional_dict: str, additional_dataclass: str) -> None:
        super().__init__(
            "Cannot add AdditionalProperties class together with string-additional "
            f"properties: strings {additional_dict}, AdditionalProperties {additional_dataclass}"
        )


class FilterError(UsageError):
    """A query filter names an unknown property or compares it with the wrong type
    (a UsageError, so also a TypeError and a ValueError)."""


class UnknownFieldError(FilterError, AttributeError):
    """``Model.<name>`` in a query expression names no field of the model.

    Also an AttributeError, so ``hasattr(Model, name)`` keeps working.
    """


class UnloadedFieldError(WvormError):
    """A field was read that the object did not load (``.select(...)`` left it out, or
    the server holds null for a field that is not Optional).

    Deliberately not an AttributeError: pydantic and ``getattr`` fallbacks treat an
    AttributeError as "no such attribute" and answer with the class default, which is
    exactly the invented value this error exists to prevent.
    """


class SessionError(WvormError):
    """A Session was used in a way it cannot be: an object in two sessions, a delete of
    an object never saved, a reference to an object that was deleted."""


class SchemaMismatchError(WvormError):
    """A model was written whose Weaviate class does not exist or differs from the model;
    call ``wvorm.create_all`` or ``wvorm.migrate`` first."""


class NoResultError(WvormError, LookupError):
    """``Query.one()`` expected exactly one object and the query found none."""


class MultipleResultsError(WvormError, LookupError):
    """``Query.one()`` expected exactly one object and the query found several."""


class MigrationError(WvormError):
    """The live schema differs from the models in a way ``migrate`` will not change."""

    def __init__(self, differences: Sequence[str]) -> None:
        self.differences = list(differences)
        listing = "\n".join(f"  - {d}" for d in self.differences)
        super().__init__(
            "migrate refuses these schema changes (Weaviate cannot change a property's type or "
            f"remove one in place; migrate the data by hand):\n{listing}"
        )


class CommitError(WvormError):
    """Some objects or references were not written during ``Session.commit()``: refused
    before sending (a value no server takes) or rejected by the server.

    ``failures`` lists ``(item, reason)`` pairs; an item is a model instance or a
    reference change, named by class and uuid, never by its values. Everything else
    was committed; the failed items stay pending in the session so they can be fixed
    and committed again.
    """

    def __init__(self, failures: Sequence[tuple[Any, str]]) -> None:
        self.failures = list(failures)
        lines = "\n".join(f"  - {_short(item)}: {reason}" for item, reason in self.failures[:50])
        more = len(self.failures) - 50
        suffix = f"\n  ... and {more} more" if more > 0 else ""
        super().__init__(
            f"{len(self.failures)} item(s) were not written; everything else was. Each stays "
            f"pending in the session: fix it and commit again, or expunge it:\n{lines}{suffix}"
        )


def _short(item: Any) -> str:
    """How a failed item is named: a model as ``Author(<uuid>)``, never its field values."""
    object_id = getattr(item, "id", None)
    if object_id is not None and hasattr(type(item), "__weaviate_config__"):
        return f"{type(item).__name__}({object_id})"
    return brief(item)


def brief(value: Any, limit: int = 200) -> str:
    """``repr(value)``, cut to ``limit`` characters: for messages that quote an input
    (a filter of a thousand ids must not make a message of a thousand ids)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def may_have_reached_server(exc: BaseException) -> bool:
    """False when a request surely never reached the server (refused, connect timeout):
    only then is sending a request that is not idempotent again safe. ``exc`` is a
    ``requests`` error, or a wvorm error raised from one."""
    cause = exc.__cause__ if isinstance(exc, WvormError) else exc
    if isinstance(cause, requests.exceptions.ConnectTimeout):
        return False
    if isinstance(cause, requests.exceptions.ConnectionError) and cause.args:
        reason = getattr(cause.args[0], "reason", cause.args[0])
        if isinstance(reason, urllib3.exceptions.NewConnectionError):
            return False
    return True


def warn_v3(message: str, logger: logging.Logger, category: type[Warning] = UserWarning) -> None:
    """Give one of v3's coded warnings (``message`` starts with the code: ``Auth001:``
    ...), attributed to the first caller outside wvorm: Python's default filter then
    shows it once per line of the application that caused it. It is logged to
    ``logger`` as well, for applications that watch the logs rather than warnings: at
    INFO, since a WARNING record with no logging configured is printed next to the
    warning itself."""
    logger.info("%s", message)
    if issubclass(category, DeprecationWarning):
        # As v3: attributed to wvorm, so Python's default filters hide it outside tests
        # (v3's Dep002 and Dep003 are only seen where deprecation warnings are shown).
        warnings.warn(message, category, stacklevel=2)
        return
    frame = sys._getframe(1)
    level = 2  # (the caller of warn_v3)
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith("wvorm."):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'title'?)`` for a misspelt ``name``, or an empty string."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class WeaviateStartUpError(WvormError):
    """The embedded Weaviate server could not be installed or started."""


class WeaviateEmbeddedInvalidVersion(WeaviateStartUpError):
    """The requested embedded server version is neither a version nor an archive URL."""


class ServerBinaryNotFound(WeaviateStartUpError):
    """No weaviate-server binary was found and none could be built or downloaded."""


__all__ = [
    "ERROR_CODE_EXPLANATION",
    "AdditionalPropertiesException",
    "AuthenticationFailedException",
    "BackupFailedException",
    "BatchConnectionError",
    "BatchError",
    "BatchStatusError",
    "BatchTimeoutError",
    "CommitError",
    "EmptyResponseException",
    "FilterError",
    "MigrationError",
    "MissingScopeException",
    "ModelDefinitionError",
    "MultipleResultsError",
    "NoResultError",
    "ObjectAlreadyExistsException",
    "QueryError",
    "RequestsConnectionError",
    "ResponseCannotBeDecodedException",
    "SchemaMismatchError",
    "SchemaValidationException",
    "ServerBinaryNotFound",
    "SessionError",
    "UnexpectedStatusCodeException",
    "UnknownFieldError",
    "UnloadedFieldError",
    "UsageError",
    "WeaviateBaseError",
    "WeaviateConnectTimeoutError",
    "WeaviateConnectionError",
    "WeaviateEmbeddedInvalidVersion",
    "WeaviateReadTimeoutError",
    "WeaviateStartUpError",
    "WeaviateTimeoutError",
    "WvormError",
    "did_you_mean",
    "server_message",
    "warn_v3",
]

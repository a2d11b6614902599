"""Sending GraphQL text to ``/v1/graphql``: the execution half of every builder.

:func:`execute` is used by :class:`GraphQL` (the builders' base class) and by
``Query.raw``; it is the only place that talks HTTP in :mod:`wvorm.gql`.
"""

from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from typing import Any

from wvorm.connection import Connection
from wvorm.errors import (
    QueryError,
    UnexpectedStatusCodeException,
    UsageError,
    json_body,
    warn_v3,
)

logger = logging.getLogger("wvorm.gql")


def execute(connection: Connection, query: str, raise_on_error: bool = False) -> dict[str, Any]:
    """POST ``{"query": query}`` to ``/graphql`` and return the server's JSON answer.

    As in v3, GraphQL errors come back inside the answer (``result["errors"]``);
    with ``raise_on_error=True`` they raise :class:`~wvorm.errors.QueryError`
    instead. A status other than 200 raises
    :class:`~wvorm.errors.UnexpectedStatusCodeException`, and a body that is not a JSON
    object :class:`~wvorm.errors.ResponseCannotBeDecodedException`.
    """
    if not isinstance(query, str):
        raise UsageError(f"a GraphQL query must be a str, got {type(query).__name__}")
    logger.debug("GraphQL query: %s", query)
    # A GraphQL query only reads, so it is safe to retry on a connection error or
    # a 502/503/504, although it travels as a POST.
    response = connection.request("POST", "/graphql", json={"query": query}, retry=True)
    if response.status_code != 200:
        raise UnexpectedStatusCodeException("Query was not successful", response)
    result: dict[str, Any] = json_body(response, "GraphQL query")
    if raise_on_error and result.get("errors"):
        raise QueryError(result["errors"], query)
    return result


class GraphQL(ABC):
    """Base of the query builders: :meth:`build` gives the text, :meth:`do` runs it."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    @abstractmethod
    def build(self) -> str:
        """The GraphQL query text."""

    @property
    def uses_generate(self) -> bool:
        """True when the query runs a generative search (``with_generate``)."""
        return False

    def do(self, raise_on_error: bool = False) -> dict[str, Any]:
        """Run the query and return the server's answer (``{"data": ..., "errors": ...}``).

        GraphQL errors are returned in the answer, as in v3; pass
        ``raise_on_error=True`` to raise :class:`~wvorm.errors.QueryError` instead. A
        generative search on a server older than 1.17.3 warns first (v3's Dep003).
        """
        if self.uses_generate:
            check_generative_search(self._connection)
        return execute(self._connection, self.build(), raise_on_error)


# -- Dep003: generative search needs Weaviate 1.17.3 -----------------------------------------

GENERATIVE_SEARCH_SINCE = (1, 17, 3)
_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def generative_search_unsupported(server_version: str) -> bool:
    """True when a server of this version (``"1.17.2"``) predates generative search.

    v3 compared the version strings as text (so ``"1.9.0"`` passed); this compares
    numbers. An unparsable version is not reported.
    """
    match = _VERSION.match(server_version)
    if match is None:
        return False
    major, minor, patch = (int(part or 0) for part in match.groups())
    return (major, minor, patch) < GENERATIVE_SEARCH_SINCE


def warn_if_generative_search_unsupported(server_version: str) -> None:
    """v3's Dep003 DeprecationWarning when ``server_version`` predates generative search."""
    if generative_search_unsupported(server_version):
        warn_v3(
            f"Dep003: You are trying to use the generative search, but you are connected to "
            f"Weaviate {server_version}.\n            Support for generative search was added "
            "in weaviate version 1.17.3.",
            logger,
            DeprecationWarning,
        )


def check_generative_search(connection: Connection) -> None:
    """Warn (Dep003) when the server behind ``connection`` predates generative search
    (one ``/v1/meta`` request per connection, only for queries that generate)."""
    version = connection.server_version()
    if version is not None:
        warn_if_generative_search_unsupported(version)

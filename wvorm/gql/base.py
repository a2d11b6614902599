"""Sending GraphQL text to ``/v1/graphql``: the execution half of every builder.

:func:`execute` is used by :class:`GraphQL` (the builders' base class) and by
``Query.raw``; it is the only place that talks HTTP in :mod:`wvorm.gql`.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from wvorm.connection import Connection, json_body
from wvorm.errors import (
    QueryError,
    UnexpectedStatusCodeException,
    UsageError,
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

    def do(self, raise_on_error: bool = False) -> dict[str, Any]:
        """Run the query and return the server's answer (``{"data": ..., "errors": ...}``).

        GraphQL errors are returned in the answer, as in v3; pass
        ``raise_on_error=True`` to raise :class:`~wvorm.errors.QueryError` instead.
        """
        return execute(self._connection, self.build(), raise_on_error)

"""``client.query``: entry point of the GraphQL builders (v3's ``Query``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wvorm.connection import Connection
from wvorm.errors import UsageError
from wvorm.gql.aggregate import AggregateBuilder
from wvorm.gql.base import execute
from wvorm.gql.get import PROPERTIES, GetBuilder, Properties
from wvorm.gql.multi_get import MultiGetBuilder

__all__ = ["PROPERTIES", "Query"]


class Query:
    """Creates query builders bound to one connection, and runs raw GraphQL."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get(self, class_name: str, properties: Properties = None) -> GetBuilder:
        """A ``Get`` query of ``class_name`` returning ``properties``.

        ``properties`` is a name, a list of names, raw v3 fragments such as
        ``"ofAuthor { ... on Author { name } }"``, :class:`~wvorm.gql.get.LinkTo`
        objects or ``{field: sub-selection}`` dicts.
        """
        return GetBuilder(class_name, properties, self._connection)

    def aggregate(self, class_name: str) -> AggregateBuilder:
        """An ``Aggregate`` query of ``class_name``."""
        return AggregateBuilder(class_name, self._connection)

    def multi_get(self, get_builder: Sequence[GetBuilder]) -> MultiGetBuilder:
        """Several ``Get`` queries (with distinct aliases) in one request."""
        return MultiGetBuilder(get_builder, self._connection)

    def raw(self, gql_query: str, raise_on_error: bool = False) -> dict[str, Any]:
        """Send a GraphQL query as written; errors are returned in the answer unless
        ``raise_on_error=True`` (then :class:`~wvorm.errors.QueryError`)."""
        if not isinstance(gql_query, str):
            raise UsageError(f"gql_query must be a str, got {type(gql_query).__name__}")
        return execute(self._connection, gql_query, raise_on_error)

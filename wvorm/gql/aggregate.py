"""``client.query.aggregate(...)``: the GraphQL ``Aggregate`` builder (v3's ``AggregateBuilder``).

Created by :class:`wvorm.gql.query.Query`. Arguments are checked and rendered as
they are set, like :class:`wvorm.gql.get.GetBuilder`, and ``build()`` gives v3's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional, Union

from typing_extensions import Self

from wvorm.connection import Connection
from wvorm.gql.base import GraphQL
from wvorm.gql.filter import (
    Filter,
    MediaType,
    NearAudio,
    NearDepth,
    NearImage,
    NearIMU,
    NearObject,
    NearSearches,
    NearText,
    NearThermal,
    NearVector,
    NearVideo,
    Where,
)
from wvorm.gql.get import capitalize_class_name
from wvorm.gql.selection import Selection, render_selection
from wvorm.plan.escape import (
    graphql_concat,
    graphql_int,
    graphql_list,
    graphql_string,
    string_list,
)
from wvorm.util import file_encoder_b64

# (with the names v3's module imported: v3 code may import them from here too)
__all__ = [
    "AggregateBuilder",
    "Filter",
    "GraphQL",
    "MediaType",
    "NearAudio",
    "NearDepth",
    "NearIMU",
    "NearImage",
    "NearObject",
    "NearText",
    "NearThermal",
    "NearVector",
    "NearVideo",
    "Where",
    "file_encoder_b64",
]


class AggregateBuilder(GraphQL, NearSearches):
    """Builds a ``{Aggregate{Class(arguments){meta{count} ...}}}`` query."""

    def __init__(self, class_name: str, connection: Connection) -> None:
        super().__init__(connection)
        self._class_name = capitalize_class_name(class_name)
        self._with_meta_count = False
        self._fields: list[str] = []
        self._where: Optional[Where] = None
        self._group_by: Optional[str] = None
        self._near: Optional[Filter] = None
        self._object_limit: Optional[str] = None
        self._tenant: Optional[str] = None
        self._limit: Optional[str] = None

    def with_meta_count(self) -> AggregateBuilder:
        """Select ``meta { count }``: the number of objects (per group)."""
        self._with_meta_count = True
        return self

    def with_fields(self, field: Selection) -> AggregateBuilder:
        """Select an aggregation, e.g. ``"wordCount { mean maximum }"`` or
        ``"groupedBy { value path }"`` (or the dict form ``{"wordCount": ["mean"]}``)."""
        self._fields.append(render_selection(field, "field"))
        return self

    def with_where(self, content: Union[Mapping[str, Any], Where]) -> AggregateBuilder:
        """Aggregate only the objects matching a v3 ``where`` dict."""
        self._where = content if isinstance(content, Where) else Where(content)
        return self

    def with_group_by_filter(self, properties: list[str]) -> AggregateBuilder:
        """Group by these properties (select ``groupedBy { value path }`` with ``with_fields``)."""
        names = string_list(properties, "group_by properties")
        self._group_by = f"groupBy: {graphql_list(names, graphql_string, 'group_by properties')}"
        return self

    def _set_near(self, near: Filter) -> Self:
        if self._near is not None:
            raise AttributeError(
                f"Cannot use multiple 'near' filters: {str(self._near).strip()} is already set "
                "on this query."
            )
        self._near = near
        return self

    def with_object_limit(self, limit: int) -> AggregateBuilder:
        """Aggregate over at most ``limit`` objects of a near search."""
        self._object_limit = f"objectLimit: {graphql_int(limit, 'object limit', 1)}"
        return self

    def with_limit(self, limit: int) -> AggregateBuilder:
        """Return at most ``limit`` groups."""
        self._limit = f"limit: {graphql_int(limit, 'limit', 1)}"
        return self

    def with_tenant(self, tenant: str) -> AggregateBuilder:
        """Aggregate this tenant of a multi-tenant class."""
        self._tenant = f"tenant: {graphql_string(tenant, 'tenant')}"
        return self

    def build(self) -> str:
        """The query text, as v3 wrote it (pieces joined without blanks, except between
        two fields that would otherwise run into one name)."""
        selection = (["meta{count}"] if self._with_meta_count else []) + self._fields
        if not selection:
            raise AttributeError(
                f"Nothing to aggregate for {self._class_name}: call with_meta_count() "
                "and/or with_fields(...)."
            )
        parts = [None if self._where is None else str(self._where), self._group_by,
                 None if self._near is None else str(self._near), self._object_limit,
                 self._tenant, self._limit]  # fmt: skip
        arguments = [part for part in parts if part is not None]
        query = self._class_name
        if arguments:
            # (joined as v3 joined them: `objectLimit: 5tenant: "t"` is what v3 sent, and
            # Weaviate's parser reads it as two tokens)
            query += "(" + "".join(arguments) + ")"
        return "{Aggregate{" + query + "{" + graphql_concat(selection) + "}}}"

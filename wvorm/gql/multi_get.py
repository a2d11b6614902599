"""``client.query.multi_get([...])``: several ``Get`` queries in one request."""

from __future__ import annotations

from collections.abc import Sequence

from wvorm.connection import Connection
from wvorm.errors import UsageError
from wvorm.gql.base import GraphQL
from wvorm.gql.get import GetBuilder
from wvorm.plan.escape import graphql_concat

__all__ = ["MultiGetBuilder"]


class MultiGetBuilder(GraphQL):
    """Runs several :class:`GetBuilder` queries as one ``{Get{...}}`` request.

    Each builder's result appears under its alias (``with_alias``) or class name,
    so two queries of one class need different aliases.
    """

    def __init__(self, get_builder: Sequence[GetBuilder], connection: Connection) -> None:
        super().__init__(connection)
        if isinstance(get_builder, GetBuilder) or not isinstance(get_builder, Sequence):
            raise UsageError("multi_get takes a list of GetBuilder (from client.query.get)")
        if not get_builder:
            raise UsageError("multi_get needs at least one GetBuilder")
        seen: dict[str, int] = {}
        for i, builder in enumerate(get_builder):
            if not isinstance(builder, GetBuilder):
                raise UsageError(
                    f"multi_get item {i} must be a GetBuilder, got {type(builder).__name__}"
                )
            if builder.name in seen:
                raise UsageError(
                    f"multi_get items {seen[builder.name]} and {i} both answer as "
                    f"{builder.name!r}; give them different aliases with .with_alias(...)"
                )
            seen[builder.name] = i
        self.get_builder = list(get_builder)

    def build(self) -> str:
        """The query text, as v3 wrote it: ``{Get{a: ClassA(...){...}b: ClassB{...}}}``."""
        return "{Get{" + graphql_concat(b.build(wrap_get=False) for b in self.get_builder) + "}}"

    @property
    def uses_generate(self) -> bool:
        """True when one of the queries uses ``with_generate``."""
        return any(builder.uses_generate for builder in self.get_builder)

"""``client.query.get(...)``: the GraphQL ``Get`` builder (v3's ``GetBuilder``).

Created by :class:`wvorm.gql.query.Query`; also used by the ORM's query DSL. Each
``with_*`` method checks its input, renders it once through
:mod:`wvorm.plan.escape` / :mod:`wvorm.gql.filter`, and returns the builder.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any, Optional, Union

from wvorm import plan
from wvorm._inputs import capitalize_first_letter, get_valid_uuid
from wvorm.connection import Connection
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import UsageError
from wvorm.gql.base import GraphQL
from wvorm.gql.filter import NearObject, NearText, NearVector, Sort, Where, checked_vector
from wvorm.gql.selection import AdditionalProperties, LinkTo, Selection, render_selection
from wvorm.plan.escape import (
    graphql_float,
    graphql_int,
    graphql_list,
    graphql_name,
    graphql_string,
    string_list,
)
from wvorm.plan.graphql import render_searching

__all__ = ["AdditionalProperties", "GetBuilder", "HybridFusion", "LinkTo"]

# What ``get(class_name, properties)`` accepts (v3's PROPERTIES, plus nested dicts).
Properties = Union[str, Sequence[Union[str, LinkTo, Mapping[str, Any]]], None]
AdditionalSpec = Union[
    Selection,
    tuple[Mapping[str, Any], Mapping[str, Any]],
    AdditionalProperties,
]


class HybridFusion(str, Enum):
    """How ``hybrid`` merges its keyword and vector results."""

    RANKED = "rankedFusion"
    RELATIVE_SCORE = "relativeScoreFusion"


def fusion_name(fusion_type: Any, what: str) -> str:
    """The GraphQL name of a :class:`HybridFusion` (or its value), checked."""
    try:
        return HybridFusion(fusion_type).value
    except ValueError:
        raise UsageError(
            f"{what} must be a HybridFusion (RANKED or RELATIVE_SCORE), got {fusion_type!r}"
        ) from None


def capitalize_class_name(class_name: str) -> str:
    """A class name checked to be a GraphQL name, first letter upper-cased (as the server does)."""
    return graphql_name(capitalize_first_letter(class_name), "class_name")


def _argument_value(value: Any, what: str) -> str:
    """An argument value of the v3 ``(clause, settings)`` additional form."""
    if isinstance(value, str):
        return graphql_string(value, what)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return graphql_int(value, what)
    if isinstance(value, float):
        return graphql_float(value, what)
    if isinstance(value, (list, tuple)):
        return graphql_list(value, _argument_value, what)
    raise UsageError(f"{what} must be a str, number, bool or list, got {type(value).__name__}")


class GetBuilder(GraphQL):
    """Builds a ``{Get{Class(arguments){selection}}}`` query; :meth:`do` runs it."""

    def __init__(self, class_name: str, properties: Properties, connection: Connection) -> None:
        super().__init__(connection)
        self._class_name = capitalize_class_name(class_name)
        self._properties: list[str] = []
        if properties is not None:
            items = [properties] if isinstance(properties, str) else properties
            if isinstance(items, Mapping) or not isinstance(items, Sequence):
                raise UsageError(
                    "properties must be a str, a list of str / LinkTo / dict, or None, "
                    f"got {type(properties).__name__}"
                )
            self._properties = [
                render_selection(item, f"properties[{i}]") for i, item in enumerate(items)
            ]
        # field name -> rendered field; a later field of the same name replaces it (as v3)
        self._additional: dict[str, str] = {}
        self._alias: Optional[str] = None
        self._where: Optional[Where] = None
        self._limit: Optional[str] = None
        self._offset: Optional[str] = None
        self._near: Optional[Union[NearText, NearVector, NearObject]] = None
        self._sort: Optional[Sort] = None
        self._bm25: Optional[plan.BM25] = None
        self._hybrid: Optional[plan.Hybrid] = None
        self._group_by: Optional[str] = None
        self._after: Optional[str] = None
        self._consistency_level: Optional[str] = None
        self._tenant: Optional[str] = None
        self._autocut: Optional[str] = None

    @property
    def name(self) -> str:
        """The field name of this query in the result: the alias, else the class name."""
        return self._alias or self._class_name

    # -- filters and searches -----------------------------------------------------------

    def with_where(self, content: Union[Mapping[str, Any], Where]) -> GetBuilder:
        """Filter with a v3 ``where`` dict (see :class:`wvorm.gql.filter.Where`)::

            .with_where({"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 1000})

        Calling it again replaces the filter.
        """
        self._where = content if isinstance(content, Where) else Where(content)
        return self

    def _set_near(self, near: Union[NearText, NearVector, NearObject]) -> GetBuilder:
        if self._near is not None:
            raise AttributeError(
                f"Cannot use multiple 'near' filters: {self._near} is already set on this query."
            )
        self._near = near
        return self

    def with_near_text(self, content: Mapping[str, Any]) -> GetBuilder:
        """Vector search by text, through the class's ``text2vec-*`` vectorizer::

            .with_near_text({"concepts": ["fashion"], "certainty": 0.7,
                             "moveAwayFrom": {"concepts": ["finance"], "force": 0.45}})

        A query takes one near operator (text, vector or object).
        """
        return self._set_near(NearText(content))

    def with_near_vector(self, content: Mapping[str, Any]) -> GetBuilder:
        """Vector search: ``{"vector": [...], "certainty" | "distance": float}``."""
        return self._set_near(NearVector(content))

    def with_near_object(self, content: Mapping[str, Any]) -> GetBuilder:
        """Search near an object: ``{"id": uuid} | {"beacon": str}``, plus certainty/distance."""
        return self._set_near(NearObject(content))

    def with_bm25(self, query: str, properties: Optional[list[str]] = None) -> GetBuilder:
        """Keyword (BM25) search; ``properties`` may carry boosts such as ``"title^2"``."""
        graphql_string(query, "bm25 query")
        names = None if properties is None else tuple(string_list(properties, "bm25 properties"))
        self._bm25 = plan.BM25(query, names)
        return self

    def with_hybrid(
        self,
        query: str,
        alpha: Optional[float] = None,
        vector: Optional[Sequence[float]] = None,
        properties: Optional[list[str]] = None,
        fusion_type: Optional[HybridFusion] = None,
    ) -> GetBuilder:
        """Hybrid search: BM25 on ``query`` fused with a vector search.

        ``alpha`` weighs vector (1) against keyword (0) results; ``vector`` replaces
        the query's own vector; ``fusion_type`` is a :class:`HybridFusion`.
        """
        graphql_string(query, "hybrid query")
        if alpha is not None:
            graphql_float(alpha, "hybrid alpha")
        fusion = None if fusion_type is None else fusion_name(fusion_type, "fusion_type")
        self._hybrid = plan.Hybrid(
            query,
            alpha=None if alpha is None else float(alpha),
            vector=None if vector is None else checked_vector(vector, "hybrid vector"),
            properties=(
                None if properties is None else tuple(string_list(properties, "hybrid properties"))
            ),
            fusion=fusion,
        )
        return self

    def with_group_by(
        self, properties: list[str], groups: int, objects_per_group: int
    ) -> GetBuilder:
        """Group results by ``properties``: at most ``groups`` groups of
        ``objects_per_group`` objects (select them with ``with_additional``)."""
        path = graphql_list(string_list(properties, "group_by properties"), graphql_string, "path")
        self._group_by = (
            f"groupBy: {{path: {path} groups: {graphql_int(groups, 'groups', 1)} "
            f"objectsPerGroup: {graphql_int(objects_per_group, 'objects_per_group', 1)}}}"
        )
        return self

    def with_sort(
        self, content: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]
    ) -> GetBuilder:
        """Sort by ``{"path": [...], "order": "asc" | "desc"}`` (or a list); calls add up."""
        if self._sort is None:
            self._sort = Sort(content)
        else:
            self._sort.add(content)
        return self

    # -- paging and options ---------------------------------------------------------------

    def with_limit(self, limit: int) -> GetBuilder:
        """Return at most ``limit`` (>= 1) objects."""
        self._limit = f"limit: {graphql_int(limit, 'limit', 1)}"
        return self

    def with_offset(self, offset: int) -> GetBuilder:
        """Skip the first ``offset`` (>= 0) objects."""
        self._offset = f"offset: {graphql_int(offset, 'offset', 0)}"
        return self

    def with_after(self, after_uuid: Union[str, uuid.UUID]) -> GetBuilder:
        """Cursor paging: objects after this uuid (needs ``with_limit``, no other search)."""
        self._after = f"after: {graphql_string(get_valid_uuid(after_uuid))}"
        return self

    def with_autocut(self, autocut: int) -> GetBuilder:
        """Cut the results after ``autocut`` jumps in score or distance."""
        self._autocut = f"autocut: {graphql_int(autocut, 'autocut')}"
        return self

    def with_tenant(self, tenant: str) -> GetBuilder:
        """Query this tenant of a multi-tenant class."""
        self._tenant = f"tenant: {graphql_string(tenant, 'tenant')}"
        return self

    def with_consistency_level(self, consistency_level: ConsistencyLevel) -> GetBuilder:
        """Read with this consistency level (classes with replication factor > 1)."""
        try:
            level = ConsistencyLevel(consistency_level)
        except ValueError:
            raise UsageError(
                f"consistency_level must be a ConsistencyLevel (ONE, QUORUM, ALL), "
                f"got {consistency_level!r}"
            ) from None
        self._consistency_level = f"consistencyLevel: {level.value}"
        return self

    def with_alias(self, alias: str) -> GetBuilder:
        """Name this query's result field ``alias`` (needed to ``multi_get`` one class twice)."""
        self._alias = graphql_name(alias, "alias")
        return self

    # -- selection ----------------------------------------------------------------------

    def with_additional(self, properties: AdditionalSpec) -> GetBuilder:
        """Select ``_additional`` fields; calls add up::

            .with_additional("id")
            .with_additional(["id", "distance"])
            .with_additional({"classification": ["basedOn", "completed"]})
            .with_additional({"group": ["id", "count", {"hits": ["title", {"_additional": "id"}]}]})
            .with_additional(({"featureProjection": "vector"}, {"dimensions": 3}))
            .with_additional(AdditionalProperties(uuid=True, distance=True))

        A dict ``{"_additional": ...}`` is unwrapped, so a whole ``_additional``
        selection may be passed as well.
        """
        spec: Any = properties  # the forms are told apart at run time
        if isinstance(spec, AdditionalProperties):
            for name in spec.names():
                self._additional[name] = name
            return self
        if (
            isinstance(spec, tuple)
            and len(spec) == 2
            and all(isinstance(part, Mapping) for part in spec)
        ):
            self._add_with_settings(spec[0], spec[1])
            return self
        if isinstance(spec, Mapping) and set(spec) == {"_additional"}:
            return self.with_additional(spec["_additional"])
        items = [spec] if isinstance(spec, (str, Mapping)) else spec
        if not isinstance(items, Sequence):
            raise UsageError(
                "with_additional takes a str, a list, a dict, a (clause, settings) tuple or "
                f"AdditionalProperties, got {type(properties).__name__}"
            )
        for i, item in enumerate(items):
            what = f"additional[{i}]"
            if isinstance(item, Mapping):
                for key, sub in item.items():
                    rendered = render_selection({key: sub}, what)
                    self._additional[str(key)] = rendered
            else:
                rendered = render_selection(item, what)
                self._additional[rendered] = rendered
        return self

    def _add_with_settings(self, clause: Mapping[str, Any], settings: Mapping[str, Any]) -> None:
        """v3's ``({"featureProjection": "vector"}, {"dimensions": 3})`` form."""
        if len(clause) != 1:
            raise UsageError(
                f"the clause of a (clause, settings) tuple needs exactly one key, got {clause!r}"
            )
        ((field, sub),) = clause.items()
        name = graphql_name(field, "additional clause")
        arguments = " ".join(
            f"{graphql_name(key, 'additional setting')}: {_argument_value(value, key)}"
            for key, value in settings.items()
        )
        inner = render_selection(sub, f"additional[{field!r}]")
        self._additional[name] = f"{name}({arguments}){{{inner}}}"

    def with_generate(
        self,
        single_prompt: Optional[str] = None,
        grouped_task: Optional[str] = None,
        grouped_properties: Optional[list[str]] = None,
    ) -> GetBuilder:
        """Generative search (a ``generative-*`` module): a prompt per object and/or one
        task over all results. Prompts refer to properties as ``{propertyName}``."""
        if single_prompt is None and grouped_task is None:
            raise UsageError("with_generate needs single_prompt and/or grouped_task")
        arguments = []
        results = []
        if single_prompt is not None:
            prompt = graphql_string(single_prompt, "single_prompt")
            arguments.append(f"singleResult: {{prompt: {prompt}}}")
            results.append("singleResult")
        if grouped_task is not None:
            grouped = [f"task: {graphql_string(grouped_task, 'grouped_task')}"]
            if grouped_properties is not None:
                names = string_list(grouped_properties, "grouped_properties")
                rendered = graphql_list(names, graphql_string, "grouped_properties")
                grouped.append(f"properties: {rendered}")
            arguments.append("groupedResult: {" + " ".join(grouped) + "}")
            results.append("groupedResult")
        self._additional["generate"] = (
            f"generate({' '.join(arguments)}){{{' '.join(results)} error}}"
        )
        return self

    # -- output -------------------------------------------------------------------------

    def _arguments(self) -> list[str]:
        keyword = [render_searching(s) for s in (self._bm25, self._hybrid) if s is not None]
        parts = [self._where, self._limit, self._offset, self._near, self._sort, *keyword,
                 self._group_by, self._after, self._consistency_level, self._tenant,
                 self._autocut]  # fmt: skip
        return [str(part) for part in parts if part is not None]

    def build(self, wrap_get: bool = True) -> str:
        """The query text; ``wrap_get=False`` leaves out the ``{Get{...}}`` around it."""
        selection = list(self._properties)
        if self._additional:
            selection.append("_additional{" + " ".join(self._additional.values()) + "}")
        if not selection:
            raise AttributeError(
                f"No properties or additional properties to return for {self._class_name}: "
                "pass properties to get(...) or call with_additional(...)."
            )
        query = self._class_name
        if self._alias is not None:
            query = f"{self._alias}: {query}"
        arguments = self._arguments()
        if arguments:
            query += "(" + " ".join(arguments) + ")"
        query += "{" + " ".join(selection) + "}"
        return "{Get{" + query + "}}" if wrap_get else query

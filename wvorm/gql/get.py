"""``client.query.get(...)``: the GraphQL ``Get`` builder (v3's ``GetBuilder``).

Created by :class:`wvorm.gql.query.Query`; also used by the ORM's query DSL. Each
``with_*`` method checks its input (parsing it into :mod:`wvorm.plan` nodes through
:mod:`wvorm.gql.filter`) and returns the builder; ``build()`` writes weaviate-client
3.26's text, blank for blank (the ``v3_*`` layout of :mod:`wvorm.plan.graphql`), with
every user string escaped by :mod:`wvorm.plan.escape`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from typing_extensions import Self

from wvorm import plan
from wvorm._inputs import capitalize_first_letter, get_valid_uuid
from wvorm.connection import Connection
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import AdditionalPropertiesException, UsageError
from wvorm.gql.base import GraphQL
from wvorm.gql.filter import (
    Ask,
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
    Sort,
    Where,
    checked_vector,
)
from wvorm.gql.selection import AdditionalProperties, LinkTo, Selection, render_selection
from wvorm.plan.escape import (
    graphql_concat,
    graphql_float,
    graphql_int,
    graphql_list,
    graphql_name,
    graphql_string,
    string_list,
)
from wvorm.plan.graphql import packed_names, v3_group_by, v3_searching
from wvorm.util import BaseEnum, UUIDLike, file_encoder_b64, image_encoder_b64

# (with the names v3's module imported: v3 code may import them from here too)
__all__ = [
    "BM25",
    "PROPERTIES",
    "UUID",
    "AdditionalProperties",
    "AdditionalPropertiesException",
    "Ask",
    "BaseEnum",
    "ConsistencyLevel",
    "Filter",
    "GetBuilder",
    "GraphQL",
    "GroupBy",
    "Hybrid",
    "HybridFusion",
    "LinkTo",
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
    "Sort",
    "Where",
    "file_encoder_b64",
    "get_valid_uuid",
    "image_encoder_b64",
]

# What ``get(class_name, properties)`` accepts (v3's PROPERTIES, plus nested dicts).
Properties = Union[str, Sequence[Union[str, LinkTo, Mapping[str, Any]]], None]
PROPERTIES = Properties
AdditionalSpec = Union[
    Selection,
    tuple[Mapping[str, Any], Mapping[str, Any]],
    AdditionalProperties,
]
# v3's names of the search-plan nodes (same fields, in the same order).
BM25 = plan.BM25
Hybrid = plan.Hybrid
GroupBy = plan.GroupBy
UUID = UUIDLike  # (v3's weaviate.types.UUID)


class HybridFusion(str, BaseEnum):
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


class GetBuilder(GraphQL, NearSearches):
    """Builds a ``{Get{Class(arguments){selection}}}`` query; :meth:`do` runs it.

    :meth:`build` gives the text weaviate-client 3.26 gave for the same calls, spacing
    included, except that every user string is escaped correctly.
    """

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
        # The _additional selection, kept as v3 kept it (it prints them sorted): plain
        # fields; fields with a sub-selection, by name -> (field with its arguments,
        # sub-fields), a later one replacing an earlier one; AdditionalProperties flags.
        self._one_level: set[str] = set()
        self._clauses: dict[str, tuple[str, set[str]]] = {}
        self._flags: list[AdditionalProperties] = []
        self._generate: Optional[str] = None
        self._alias: Optional[str] = None
        self._where: Optional[Where] = None
        self._limit: Optional[str] = None
        self._offset: Optional[str] = None
        self._near: Optional[Filter] = None
        self._sort: Optional[Sort] = None
        self._bm25: Optional[plan.BM25] = None
        self._hybrid: Optional[plan.Hybrid] = None
        self._group_by: Optional[plan.GroupBy] = None
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

    def _set_near(self, near: Filter) -> Self:
        if self._near is not None:
            raise AttributeError(
                f"Cannot use multiple 'near' filters, or a 'near' filter along with an 'ask' "
                f"filter: {str(self._near).strip()} is already set on this query."
            )
        self._near = near
        return self

    def with_ask(self, content: Mapping[str, Any]) -> GetBuilder:
        """Ask a question (``qna-*`` modules): ``{"question": str, "certainty" |
        "distance": float, "properties": [str], "autocorrect": bool, "rerank": bool}``.
        Select the answer with ``with_additional({"answer": ["result", ...]})``."""
        return self._set_near(Ask(content))

    def with_bm25(self, query: str, properties: Optional[list[str]] = None) -> GetBuilder:
        """Keyword (BM25) search; ``properties`` may carry boosts such as ``"title^2"``
        (None or empty: all text properties)."""
        graphql_string(query, "bm25 query")
        self._bm25 = plan.BM25(query, _searched_properties(properties, "bm25 properties"))
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
        the query's own vector; ``properties`` (None or empty: all) limits the keyword
        part; ``fusion_type`` is a :class:`HybridFusion`.
        """
        graphql_string(query, "hybrid query")
        if alpha is not None:
            graphql_float(alpha, "hybrid alpha")
        fusion = None if fusion_type is None else fusion_name(fusion_type, "fusion_type")
        self._hybrid = plan.Hybrid(
            query,
            alpha=None if alpha is None else float(alpha),
            vector=None if vector is None else checked_vector(vector, "hybrid vector"),
            properties=_searched_properties(properties, "hybrid properties"),
            fusion=fusion,
        )
        return self

    def with_group_by(
        self, properties: list[str], groups: int, objects_per_group: int
    ) -> GetBuilder:
        """Group results by ``properties``: at most ``groups`` groups of
        ``objects_per_group`` objects (select them with ``with_additional``)."""
        self._group_by = plan.GroupBy(
            tuple(string_list(properties, "group_by properties")),
            int(graphql_int(groups, "groups", 1)),
            int(graphql_int(objects_per_group, "objects_per_group", 1)),
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
        self._limit = f"limit: {graphql_int(limit, 'limit', 1)} "
        return self

    def with_offset(self, offset: int) -> GetBuilder:
        """Skip the first ``offset`` (>= 0) objects."""
        self._offset = f"offset: {graphql_int(offset, 'offset', 0)} "
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
        self._consistency_level = f"consistencyLevel: {level.value} "
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
        selection may be passed as well. A field given again as a dict replaces the
        earlier one (as in v3).
        """
        spec: Any = properties  # the forms are told apart at run time
        if isinstance(spec, AdditionalProperties):
            self._flags.append(spec)
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
                if not item:
                    raise UsageError(f"{what} is an empty mapping; it must select a field")
                for key, sub in item.items():
                    field = graphql_name(key, f"{what} key")
                    self._clauses[field] = (field, _sub_fields(sub, f"{what}[{key!r}]"))
            else:
                self._one_level.add(render_selection(item, what))
        return self

    def _add_with_settings(self, clause: Mapping[str, Any], settings: Mapping[str, Any]) -> None:
        """v3's ``({"featureProjection": "vector"}, {"dimensions": 3})`` form."""
        if len(clause) != 1:
            raise UsageError(
                f"the clause of a (clause, settings) tuple needs exactly one key, got {clause!r}"
            )
        if not settings:
            raise UsageError("the settings of a (clause, settings) tuple need at least one key")
        ((field, sub),) = clause.items()
        name = graphql_name(field, "additional clause")
        arguments = "".join(
            f"{graphql_name(key, 'additional setting')}: {_argument_value(value, key)} "
            for key, value in sorted(settings.items())
        )
        self._clauses[name] = (f"{name}({arguments})", _sub_fields(sub, f"additional[{field!r}]"))

    def with_generate(
        self,
        single_prompt: Optional[str] = None,
        grouped_task: Optional[str] = None,
        grouped_properties: Optional[list[str]] = None,
    ) -> GetBuilder:
        """Generative search (a ``generative-*`` module): a prompt per object and/or one
        task over all results. Prompts refer to properties as ``{propertyName}``;
        ``grouped_properties`` (None or empty: all) are what the grouped task sees.
        Calling it again replaces the earlier prompts."""
        if single_prompt is None and grouped_task is None:
            raise UsageError("with_generate needs single_prompt and/or grouped_task")
        arguments = ""
        results = ["error"]
        if single_prompt is not None:
            arguments += f"singleResult:{{prompt:{graphql_string(single_prompt, 'single_prompt')}}}"
            results.append("singleResult")
        names = (
            string_list(grouped_properties, "grouped_properties", allow_empty=True)
            if grouped_properties is not None
            else []
        )
        if grouped_task is not None or names:
            grouped = []
            if grouped_task is not None:
                grouped.append(f"task:{graphql_string(grouped_task, 'grouped_task')}")
            if names:
                grouped.append(f"properties:{packed_names(names)}")
            arguments += "groupedResult:{" + ",".join(grouped) + "}"
            results.append("groupedResult")
        self._generate = f"generate({arguments}){{{' '.join(results)}}}"
        return self

    # -- output -------------------------------------------------------------------------

    def _additional_text(self) -> str:
        """The ``_additional`` selection in v3's layout (empty when there is none)."""
        flags = [name for spec in self._flags for name in spec.names()]
        if flags and not (self._one_level or self._clauses or self._generate):
            return str(AdditionalProperties(**{n: True for n in _flag_fields(flags)}))
        one_level = self._one_level | set(flags)
        if self._generate is not None:
            one_level.add(self._generate)
        if not (one_level or self._clauses):
            return ""
        text = " _additional {" + "".join(f"{field} " for field in sorted(one_level))
        for header, sub_fields in sorted(self._clauses.values()):
            text += header + " {" + "".join(f"{sub} " for sub in sorted(sub_fields)) + "} "
        return text + "}"

    def _arguments(self) -> list[str]:
        parts = [
            None if self._where is None else str(self._where),
            self._limit,
            self._offset,
            None if self._near is None else str(self._near),
            None if self._sort is None else str(self._sort),
            None if self._bm25 is None else v3_searching(self._bm25),
            None if self._hybrid is None else v3_searching(self._hybrid),
            None if self._group_by is None else v3_group_by(self._group_by),
            self._after,
            self._consistency_level,
            self._tenant,
            self._autocut,
        ]
        return [part for part in parts if part is not None]

    def build(self, wrap_get: bool = True) -> str:
        """The query text; ``wrap_get=False`` leaves out the ``{Get{...}}`` around it."""
        additional = self._additional_text()
        if not (self._properties or additional):
            raise AttributeError(
                f"No properties or additional properties to return for {self._class_name}: "
                "pass properties to get(...) or call with_additional(...)."
            )
        query = self._class_name
        if self._alias is not None:
            query = f"{self._alias}: {query}"
        arguments = self._arguments()
        if arguments:
            query += "(" + graphql_concat(arguments) + ")"
        query += "{" + " ".join(self._properties) + additional + "}"
        return "{Get{" + query + "}}" if wrap_get else query

    @property
    def uses_generate(self) -> bool:
        """True when ``with_generate`` was called (the query needs a generative module)."""
        return self._generate is not None


def _searched_properties(
    properties: Optional[Sequence[str]], what: str
) -> Optional[tuple[str, ...]]:
    """The properties a keyword search looks in; None or empty means all (as v3)."""
    if properties is None:
        return None
    names = string_list(properties, what, allow_empty=True)
    return tuple(names) if names else None


def _sub_fields(sub: Any, what: str) -> set[str]:
    """The sub-fields of an ``_additional`` clause: a str or a list of selection items."""
    items = [sub] if isinstance(sub, (str, Mapping, LinkTo)) else sub
    if not isinstance(items, Sequence) or not items:
        raise UsageError(f"{what} must be a str or a non-empty list of fields, got {sub!r}")
    return {render_selection(item, f"{what}[{i}]") for i, item in enumerate(items)}


def _flag_fields(names: list[str]) -> list[str]:
    """AdditionalProperties field names of ``_additional`` names (``id`` is ``uuid``)."""
    return ["uuid" if name == "id" else name for name in names]

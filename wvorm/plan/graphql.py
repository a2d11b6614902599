"""Plans as GraphQL text, and GraphQL answers as rows (no I/O).

The text is what the v3 builders write for the same query (argument order, spacing),
so ``Model.query....build()`` reads like ``client.query.get(...).build()``. Values
in a plan are already checked; they are only escaped here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Callable

from wvorm.plan import (
    BM25,
    AggregatePlan,
    Condition,
    FilterNode,
    Hybrid,
    Metadata,
    Move,
    NearObject,
    NearText,
    NearVector,
    PropertySelect,
    ReferenceSelect,
    Search,
    SearchPlan,
    SortBy,
)
from wvorm.plan.escape import graphql_bool, graphql_float, graphql_int, graphql_list, graphql_string

__all__ = [
    "render_aggregate",
    "render_filter",
    "render_search",
    "render_searching",
    "render_sort",
    "rows_of",
]

_PHONE_FIELDS = (
    "input defaultCountry internationalFormatted countryCode national nationalFormatted valid"
)


def _strings(values: Sequence[str]) -> str:
    return graphql_list(values, graphql_string, "names")


def _vector(values: Sequence[float]) -> str:
    return "[" + ", ".join(map(repr, map(float, values))) + "]"


# -- filters ------------------------------------------------------------------------------

_SCALAR: dict[str, Callable[[Any, str], str]] = {
    "valueText": graphql_string,
    "valueString": graphql_string,
    "valueInt": graphql_int,
    "valueNumber": graphql_float,
    "valueBoolean": graphql_bool,
    "valueDate": graphql_string,
}


def render_filter(node: FilterNode) -> str:
    """The ``where`` input object of a filter node."""
    if not isinstance(node, Condition):
        operands = ", ".join(render_filter(op) for op in node.operands)
        return f"{{operator: {node.operator} operands: [{operands}]}}"
    if node.value_key == "valueGeoRange":
        geo = node.value
        value = (
            f"{{geoCoordinates: {{latitude: {graphql_float(geo.latitude)} "
            f"longitude: {graphql_float(geo.longitude)}}} "
            f"distance: {{max: {graphql_float(geo.max_distance)}}}}}"
        )
    elif isinstance(node.value, tuple):
        value = graphql_list(node.value, _SCALAR[node.value_key], node.value_key)
    else:
        value = _SCALAR[node.value_key](node.value, node.value_key)
    return f"{{path: {_strings(node.path)} operator: {node.operator} {node.value_key}: {value}}}"


# -- searches -----------------------------------------------------------------------------


def _near_options(certainty: Any, distance: Any, target_vectors: tuple[str, ...]) -> list[str]:
    parts = []
    if certainty is not None:
        parts.append(f"certainty: {graphql_float(certainty)}")
    if distance is not None:
        parts.append(f"distance: {graphql_float(distance)}")
    if target_vectors:
        parts.append(f"targetVectors: {_strings(target_vectors)}")
    return parts


def _move(move: Move) -> str:
    parts = [f"force: {graphql_float(move.force)}"]
    if move.concepts:
        parts.append(f"concepts: {_strings(move.concepts)}")
    if move.objects:
        objects = ", ".join(
            f"{{{'beacon' if o.startswith('weaviate://') else 'id'}: {graphql_string(o)}}}"
            for o in move.objects
        )
        parts.append(f"objects: [{objects}]")
    return "{" + " ".join(parts) + "}"


def render_searching(search: Search) -> str:
    """The search argument: ``nearVector: {...}``, ``bm25: {...}`` ..."""
    if isinstance(search, NearVector):
        parts = [f"vector: {_vector(search.vector)}"]
        parts += _near_options(search.certainty, search.distance, search.target_vectors)
        return "nearVector: {" + " ".join(parts) + "}"
    if isinstance(search, NearText):
        parts = [f"concepts: {_strings(search.concepts)}"]
        parts += _near_options(search.certainty, search.distance, ())
        if search.move_to is not None:
            parts.append(f"moveTo: {_move(search.move_to)}")
        if search.move_away is not None:
            parts.append(f"moveAwayFrom: {_move(search.move_away)}")
        if search.autocorrect is not None:
            parts.append(f"autocorrect: {graphql_bool(search.autocorrect)}")
        if search.target_vectors:
            parts.append(f"targetVectors: {_strings(search.target_vectors)}")
        return "nearText: {" + " ".join(parts) + "}"
    if isinstance(search, NearObject):
        if search.id is not None:
            parts = [f"id: {graphql_string(search.id)}"]
        else:
            parts = [f"beacon: {graphql_string(search.beacon or '')}"]
        parts += _near_options(search.certainty, search.distance, search.target_vectors)
        return "nearObject: {" + " ".join(parts) + "}"
    if isinstance(search, BM25):
        parts = [f"query: {graphql_string(search.query)}"]
        if search.properties is not None:
            parts.append(f"properties: {_strings(search.properties)}")
        return "bm25: {" + " ".join(parts) + "}"
    assert isinstance(search, Hybrid)
    parts = [f"query: {graphql_string(search.query)}"]
    if search.alpha is not None:
        parts.append(f"alpha: {graphql_float(search.alpha)}")
    if search.vector is not None:
        parts.append(f"vector: {_vector(search.vector)}")
    if search.properties is not None:
        parts.append(f"properties: {_strings(search.properties)}")
    if search.fusion is not None:
        parts.append(f"fusionType: {search.fusion}")
    return "hybrid: {" + " ".join(parts) + "}"


def render_sort(keys: Sequence[SortBy]) -> str:
    """The sort argument: ``sort: [{path: [...] order: asc}, ...]``."""
    clauses = []
    for key in keys:
        order = "" if key.ascending is None else f" order: {'asc' if key.ascending else 'desc'}"
        clauses.append(f"{{path: {_strings(key.path)}{order}}}")
    return f"sort: [{', '.join(clauses)}]"


# -- selection ----------------------------------------------------------------------------


def _property(prop: PropertySelect) -> str:
    if prop.kind == "geo":
        return f"{prop.name}{{latitude longitude}}"
    if prop.kind == "phone":
        return f"{prop.name}{{{_PHONE_FIELDS}}}"
    if prop.kind == "object":
        return f"{prop.name}{{{' '.join(_property(n) for n in prop.nested)}}}"
    return prop.name


def _reference(ref: ReferenceSelect) -> str:
    fragments = []
    for target in ref.targets:
        inner = [_property(p) for p in target.properties]
        inner += [_reference(r) for r in target.references]
        inner.append("_additional{id}")
        if ref.tell_class:
            inner.append("__typename")
        fragments.append(f"... on {target.collection}{{{' '.join(inner)}}}")
    return f"{ref.name}{{{' '.join(fragments)}}}"


def _additional(metadata: Metadata) -> list[str]:
    fields = ["id"] if metadata.uuid else []
    if metadata.vector:
        fields.append("vector")
    if metadata.vectors:
        fields.append("vectors{" + " ".join(metadata.vectors) + "}")
    for wanted, name in (
        (metadata.creation_time, "creationTimeUnix"),
        (metadata.update_time, "lastUpdateTimeUnix"),
        (metadata.distance, "distance"),
        (metadata.certainty, "certainty"),
        (metadata.score, "score"),
        (metadata.explain_score, "explainScore"),
    ):
        if wanted:
            fields.append(name)
    return fields


def render_search(plan: SearchPlan) -> str:
    """``{Get{Class(arguments){selection}}}``."""
    selection = [_property(p) for p in plan.properties]
    selection += [_reference(r) for r in plan.references]
    additional = _additional(plan.metadata)
    if plan.group_by is not None:
        hits = " ".join(
            [*selection, "_additional{" + " ".join(_additional(plan.hit_metadata)) + "}"]
        )
        group = f"group{{id groupedBy{{value path}} count maxDistance minDistance hits{{{hits}}}}}"
        selection, additional = [], [group]
    if additional:
        selection.append("_additional{" + " ".join(additional) + "}")
    arguments = []
    if plan.filter is not None:
        arguments.append(f"where: {render_filter(plan.filter)}")
    if plan.limit is not None:
        arguments.append(f"limit: {graphql_int(plan.limit)}")
    if plan.offset is not None:
        arguments.append(f"offset: {graphql_int(plan.offset)}")
    if plan.search is not None and not isinstance(plan.search, (BM25, Hybrid)):
        arguments.append(render_searching(plan.search))
    if plan.sort:
        arguments.append(render_sort(plan.sort))
    if isinstance(plan.search, (BM25, Hybrid)):
        arguments.append(render_searching(plan.search))
    if plan.group_by is not None:
        group_by = plan.group_by
        arguments.append(
            f"groupBy: {{path: {_strings(group_by.path)} groups: {graphql_int(group_by.groups)} "
            f"objectsPerGroup: {graphql_int(group_by.objects_per_group)}}}"
        )
    if plan.after is not None:
        arguments.append(f"after: {graphql_string(plan.after)}")
    if plan.consistency_level is not None:
        arguments.append(f"consistencyLevel: {plan.consistency_level}")
    if plan.tenant is not None:
        arguments.append(f"tenant: {graphql_string(plan.tenant)}")
    if plan.autocut is not None:
        arguments.append(f"autocut: {graphql_int(plan.autocut)}")
    query = plan.collection
    if arguments:
        query += "(" + " ".join(arguments) + ")"
    return "{Get{" + query + "{" + " ".join(selection) + "}}}"


def render_aggregate(plan: AggregatePlan) -> str:
    """``{Aggregate{Class(arguments){meta{count} ...}}}``."""
    selection = ["meta{count}"]
    selection += [f"{m.name}{{{m.fields}}}" for m in plan.metrics]
    if plan.group_by is not None:
        selection.append("groupedBy{value path}")
    arguments = []
    if plan.filter is not None:
        arguments.append(f"where: {render_filter(plan.filter)}")
    if plan.group_by is not None:
        arguments.append(f"groupBy: {_strings([plan.group_by])}")
    if plan.search is not None:
        arguments.append(render_searching(plan.search))
    if plan.object_limit is not None:
        arguments.append(f"objectLimit: {graphql_int(plan.object_limit)}")
    if plan.tenant is not None:
        arguments.append(f"tenant: {graphql_string(plan.tenant)}")
    query = plan.collection
    if arguments:
        query += "(" + " ".join(arguments) + ")"
    return "{Aggregate{" + query + "{" + " ".join(selection) + "}}}"


def rows_of(answer: Mapping[str, Any], kind: str, class_name: str) -> list[dict[str, Any]]:
    """The result list of ``{"data": {kind: {class_name: [...]}}}`` (empty for null)."""
    data = answer.get("data") or {}
    rows = (data.get(kind) or {}).get(class_name)
    return rows or []

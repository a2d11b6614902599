"""Plans as GraphQL text, and GraphQL answers as rows (no I/O).

Two layouts of the same nodes: ``render_*`` (the ORM's queries: argument order as
v3's builders, blanks tidied) and ``v3_*`` (``client.query``'s builders: exactly the
text weaviate-client 3.26 wrote, blanks included, but with correct escaping). Values
in a plan are already checked; they are only escaped here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Callable, Optional, cast

from wvorm._inputs import is_multi_vector
from wvorm.plan import (
    BM25,
    AggregatePlan,
    AnyVector,
    FilterNode,
    Generate,
    GenerativeOpenAI,
    GroupBy,
    Hybrid,
    Logical,
    Metadata,
    Move,
    NearObject,
    NearText,
    NearVector,
    PropertySelect,
    ReferenceSelect,
    Rerank,
    Search,
    SearchPlan,
    SortBy,
)
from wvorm.plan.escape import graphql_bool, graphql_float, graphql_int, graphql_list, graphql_string

__all__ = [
    "names_text",
    "packed_names",
    "render_aggregate",
    "render_filter",
    "render_search",
    "render_searching",
    "render_sort",
    "rows_of",
    "target_vectors_text",
    "threshold_text",
    "v3_group_by",
    "v3_searching",
    "v3_sort",
    "vector_text",
]

_PHONE_FIELDS = (
    "input defaultCountry internationalFormatted countryCode national nationalFormatted valid"
)


# -- filters ------------------------------------------------------------------------------

_SCALAR: dict[str, Callable[[Any, str], str]] = {
    "valueText": graphql_string,
    "valueString": graphql_string,
    "valueInt": graphql_int,
    "valueNumber": graphql_float,
    "valueBoolean": graphql_bool,
    "valueDate": graphql_string,
}


_PACKED_LISTS = ("valueText", "valueString", "valueDate")  # v3: '[' + ','.join(...) + ']'


def render_filter(node: FilterNode) -> str:
    """The ``where`` input object of a filter node, in v3's layout (the ORM's queries
    and ``client.query``'s builders write filters alike)."""
    if isinstance(node, Logical):
        operands = ", ".join(render_filter(op) for op in node.operands)
        return f"{{operator: {node.operator} operands: [{operands}]}}"
    if node.value_key == "valueGeoRange":
        geo = node.value
        value = (
            f"{{ geoCoordinates: {{ latitude: {graphql_float(geo.latitude)} "
            f"longitude: {graphql_float(geo.longitude)} }} "
            f"distance: {{ max: {graphql_float(geo.max_distance)} }}}}"
        )
    elif isinstance(node.value, tuple):
        render = _SCALAR[node.value_key]
        separator = "," if node.value_key in _PACKED_LISTS else ", "
        value = "[" + separator.join(render(v, node.value_key) for v in node.value) + "]"
    else:
        value = _SCALAR[node.value_key](node.value, node.value_key)
    return f"{{path: {names_text(node.path)} operator: {node.operator} {node.value_key}: {value}}}"


# -- searches -----------------------------------------------------------------------------


def _near_options(certainty: Any, distance: Any, target_vectors: tuple[str, ...]) -> list[str]:
    parts = []
    if certainty is not None:
        parts.append(f"certainty: {graphql_float(certainty)}")
    if distance is not None:
        parts.append(f"distance: {graphql_float(distance)}")
    if target_vectors:
        parts.append(f"targetVectors: {names_text(target_vectors)}")
    return parts


def _move(move: Move) -> str:
    parts = [f"force: {graphql_float(move.force)}"]
    if move.concepts:
        parts.append(f"concepts: {names_text(move.concepts)}")
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
        if search.vector_per_target:
            per_target = " ".join(
                f"{name}: {vector_text(v)}" for name, v in search.vector_per_target
            )
            parts = [f"vectorPerTarget: {{{per_target}}}"]
        else:
            parts = [f"vector: {vector_text(search.vector)}"]
        if search.combination is None:
            parts += _near_options(search.certainty, search.distance, search.target_vectors)
        else:
            parts += _near_options(search.certainty, search.distance, ())
            parts.append(_targets(search))
        return "nearVector: {" + " ".join(parts) + "}"
    if isinstance(search, NearText):
        parts = [f"concepts: {names_text(search.concepts)}"]
        parts += _near_options(search.certainty, search.distance, ())
        if search.move_to is not None:
            parts.append(f"moveTo: {_move(search.move_to)}")
        if search.move_away is not None:
            parts.append(f"moveAwayFrom: {_move(search.move_away)}")
        if search.autocorrect is not None:
            parts.append(f"autocorrect: {graphql_bool(search.autocorrect)}")
        if search.target_vectors:
            parts.append(f"targetVectors: {names_text(search.target_vectors)}")
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
            parts.append(f"properties: {names_text(search.properties)}")
        return "bm25: {" + " ".join(parts) + "}"
    assert isinstance(search, Hybrid)
    parts = [f"query: {graphql_string(search.query)}"]
    if search.alpha is not None:
        parts.append(f"alpha: {graphql_float(search.alpha)}")
    if search.vector is not None:
        parts.append(f"vector: {vector_text(search.vector)}")
    if search.properties is not None:
        parts.append(f"properties: {names_text(search.properties)}")
    if search.fusion is not None:
        parts.append(f"fusionType: {search.fusion}")
    if search.target_vectors:
        parts.append(f"targetVectors: {names_text(search.target_vectors)}")
    if search.max_vector_distance is not None:
        parts.append(f"maxVectorDistance: {graphql_float(search.max_vector_distance)}")
    return "hybrid: {" + " ".join(parts) + "}"


def _targets(search: NearVector) -> str:
    """``targets: {targetVectors: [...] combinationMethod: sum weights: {...}}``."""
    parts = [f"targetVectors: {names_text(search.target_vectors)}"]
    parts.append(f"combinationMethod: {search.combination}")
    if search.weights:
        weights = " ".join(f"{name}: {graphql_float(w)}" for name, w in search.weights)
        parts.append(f"weights: {{{weights}}}")
    return "targets: {" + " ".join(parts) + "}"


def render_sort(keys: Sequence[SortBy]) -> str:
    """The sort argument: ``sort: [{path: [...] order: asc}, ...]``."""
    clauses = []
    for key in keys:
        order = "" if key.ascending is None else f" order: {'asc' if key.ascending else 'desc'}"
        clauses.append(f"{{path: {names_text(key.path)}{order}}}")
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


def _rerank(rerank: Rerank) -> str:
    """The ``_additional`` field of a reranked search."""
    arguments = [f"property: {graphql_string(rerank.property)}"]
    if rerank.query is not None:
        arguments.append(f"query: {graphql_string(rerank.query)}")
    return f"rerank({' '.join(arguments)}){{score}}"


_OPENAI_NAMES = {
    "base_url": "baseURL", "max_tokens": "maxTokens", "top_p": "topP",
    "frequency_penalty": "frequencyPenalty", "presence_penalty": "presencePenalty",
}  # fmt: skip


def _provider(options: GenerativeOpenAI) -> str:
    """`` openai: {model: "..." temperature: 0.2}``: a search's own module options."""
    parts = []
    for name, value in options.given():
        if isinstance(value, str):
            text = graphql_string(value)
        elif isinstance(value, tuple):
            text = names_text(value)
        elif isinstance(value, int):
            text = graphql_int(value)
        else:
            text = graphql_float(value)
        parts.append(f"{_OPENAI_NAMES.get(name, name)}: {text}")
    return " openai: {" + " ".join(parts) + "}" if parts else ""


def _generate(generate: Generate) -> str:
    """The ``_additional`` field of a generative search."""
    arguments, results = [], ["error"]
    provider = "" if generate.provider is None else _provider(generate.provider)
    if generate.single_prompt is not None:
        prompt = graphql_string(generate.single_prompt)
        arguments.append(f"singleResult: {{prompt: {prompt}{provider}}}")
        results.append("singleResult")
    if generate.grouped_task is not None:
        grouped = [f"task: {graphql_string(generate.grouped_task)}"]
        if generate.grouped_properties is not None:
            grouped.append(f"properties: {names_text(generate.grouped_properties)}")
        arguments.append("groupedResult: {" + " ".join(grouped) + provider + "}")
        results.append("groupedResult")
    return f"generate({' '.join(arguments)}){{{' '.join(results)}}}"


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
    if plan.generate is not None:
        additional.append(_generate(plan.generate))
    if plan.rerank is not None:
        additional.append(_rerank(plan.rerank))
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
            f"groupBy: {{path: {names_text(group_by.path)} groups: {graphql_int(group_by.groups)} "
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
        arguments.append(f"groupBy: {names_text([plan.group_by])}")
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


# == v3's layout ============================================================================
# What weaviate-client 3.26's builders wrote, blank for blank, so that ``client.query``'s
# ``build()`` prints v3's text: lists of names as json.dumps wrote them (", " between
# items) but text lists in where filters and bm25 / hybrid / groupBy joined with ","
# only; most arguments followed by one blank, some by none. Strings are escaped here,
# where v3 did not escape them (or did it wrongly).


def names_text(values: Sequence[str]) -> str:
    """A list of names as v3 wrote most of them: ``["a", "b"]``."""
    return graphql_list(values, graphql_string, "names")


def packed_names(values: Sequence[str]) -> str:
    """A list of strings as v3 wrote it in bm25, hybrid, groupBy and generate: ``["a","b"]``."""
    return "[" + ",".join(graphql_string(v, "names") for v in values) + "]"


def vector_text(values: AnyVector) -> str:
    """A vector as v3 wrote it: ``[0.1, 0.2]``; a multi-vector as a list of those."""
    if is_multi_vector(values):
        return "[" + ", ".join(vector_text(cast(Sequence[float], v)) for v in values) + "]"
    return "[" + ", ".join(map(repr, map(float, cast(Sequence[float], values)))) + "]"


def threshold_text(certainty: Optional[float], distance: Optional[float]) -> str:
    """`` certainty: x`` / `` distance: x`` of a near search (each when given)."""
    text = ""
    if certainty is not None:
        text += f" certainty: {graphql_float(certainty)}"
    if distance is not None:
        text += f" distance: {graphql_float(distance)}"
    return text


def target_vectors_text(target_vectors: Sequence[str]) -> str:
    """`` targetVectors: [...]`` when given (not in v3: named vectors came later)."""
    return f" targetVectors: {names_text(target_vectors)}" if target_vectors else ""


def _move_text(move: Move) -> str:
    text = f"{{force: {graphql_float(move.force)}"
    if move.concepts:
        text += f" concepts: {names_text(move.concepts)}"
    if move.objects:
        text += " objects: ["
        for ref in move.objects:
            key = "beacon" if ref.startswith("weaviate://") else "id"
            text += f"{{{key}: {graphql_string(ref)}}} "
        text += "]"
    return text + "}"


def v3_searching(search: Search) -> str:
    """A search argument in v3's layout: ``nearText: {...} ``, ``bm25:{...}`` ..."""
    if isinstance(search, NearText):
        text = f"nearText: {{concepts: {names_text(search.concepts)}"
        text += threshold_text(search.certainty, search.distance)
        if search.move_to is not None:
            text += f" moveTo: {_move_text(search.move_to)}"
        if search.move_away is not None:
            text += f" moveAwayFrom: {_move_text(search.move_away)}"
        if search.autocorrect is not None:
            text += f" autocorrect: {graphql_bool(search.autocorrect)}"
        return text + target_vectors_text(search.target_vectors) + "} "
    if isinstance(search, NearVector):
        text = f"nearVector: {{vector: {vector_text(search.vector)}"
        text += threshold_text(search.certainty, search.distance)
        return text + target_vectors_text(search.target_vectors) + "} "
    if isinstance(search, NearObject):
        key, value = ("id", search.id) if search.id is not None else ("beacon", search.beacon)
        text = f"nearObject: {{{key}: {graphql_string(value or '')}"
        text += threshold_text(search.certainty, search.distance)
        return text + target_vectors_text(search.target_vectors) + "} "
    if isinstance(search, BM25):
        text = f"query: {graphql_string(search.query)}"
        if search.properties:
            text += f", properties: {packed_names(search.properties)}"
        return "bm25:{" + text + "}"
    text = f"query: {graphql_string(search.query)}"  # hybrid: vector before alpha, as v3
    if search.vector is not None:
        text += f", vector: {vector_text(search.vector)}"
    if search.alpha is not None:
        text += f", alpha: {graphql_float(search.alpha)}"
    if search.properties:
        text += f", properties: {packed_names(search.properties)}"
    if search.fusion is not None:
        text += f", fusionType: {search.fusion}"
    return "hybrid:{" + text + "}"


def v3_sort(keys: Sequence[SortBy]) -> str:
    """The sort argument in v3's layout: ``sort: [{ path: [...] order: asc } ]``."""
    clauses = ""
    for key in keys:
        order = "" if key.ascending is None else f" order: {'asc' if key.ascending else 'desc'}"
        clauses += f"{{ path: {names_text(key.path)}{order} }} "
    return f"sort: [{clauses}]"


def v3_group_by(group_by: GroupBy) -> str:
    """The ``groupBy`` argument of a Get in v3's layout."""
    return (
        f"groupBy:{{path:{packed_names(group_by.path)}, groups:{graphql_int(group_by.groups)}, "
        f"objectsPerGroup:{graphql_int(group_by.objects_per_group)}}}"
    )


def rows_of(answer: Mapping[str, Any], kind: str, class_name: str) -> list[dict[str, Any]]:
    """The result list of ``{"data": {kind: {class_name: [...]}}}`` (empty for null)."""
    data = answer.get("data") or {}
    rows = (data.get(kind) or {}).get(class_name)
    return rows or []

"""Plans as gRPC messages, and gRPC replies as rows (no I/O).

Requests are built from a :mod:`wvorm.plan` plan whose values are already checked.
Replies become rows of the same shape as GraphQL's (see :mod:`wvorm.plan`), so the
ORM loads both alike. Where the two wire formats carry a value differently, the row
takes GraphQL's form: creation times as text, geo coordinates and search distances
(float32 on the server) at their shortest decimal form, as GraphQL prints them.
Vectors come as float32 bytes; they become the exact float values of those float32s
(the GraphQL transport reads them the same way), which is what the server stores.
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional, Union
from uuid import UUID

from wvorm._inputs import is_multi_vector
from wvorm.batch.items import DeletedObject, DeleteResult
from wvorm.errors import UsageError
from wvorm.grpc._proto.v1 import (
    aggregate_pb2,
    base_pb2,
    base_search_pb2,
    batch_delete_pb2,
    batch_pb2,
    generative_pb2,
    properties_pb2,
    search_get_pb2,
)
from wvorm.plan import (
    BM25,
    AggregatePlan,
    AnyVector,
    Condition,
    FilterNode,
    Generate,
    GenerativeOpenAI,
    Hybrid,
    Metadata,
    Move,
    NearObject,
    NearText,
    NearVector,
    PropertySelect,
    ReferenceSelect,
    SearchPlan,
)

__all__ = [
    "aggregate_request",
    "aggregate_rows",
    "float32_text",
    "search_request",
    "search_rows",
]

_OPERATORS = {
    name: getattr(base_pb2.Filters, "OPERATOR_" + constant)
    for name, constant in (
        ("Equal", "EQUAL"), ("NotEqual", "NOT_EQUAL"), ("GreaterThan", "GREATER_THAN"),
        ("GreaterThanEqual", "GREATER_THAN_EQUAL"), ("LessThan", "LESS_THAN"),
        ("LessThanEqual", "LESS_THAN_EQUAL"), ("And", "AND"), ("Or", "OR"), ("Not", "NOT"),
        ("WithinGeoRange", "WITHIN_GEO_RANGE"), ("Like", "LIKE"), ("IsNull", "IS_NULL"),
        ("ContainsAny", "CONTAINS_ANY"), ("ContainsAll", "CONTAINS_ALL"),
        ("ContainsNone", "CONTAINS_NONE"),
    )
}  # fmt: skip
_CONSISTENCY = {
    "ONE": base_pb2.CONSISTENCY_LEVEL_ONE,
    "QUORUM": base_pb2.CONSISTENCY_LEVEL_QUORUM,
    "ALL": base_pb2.CONSISTENCY_LEVEL_ALL,
}
_FUSION = {
    "rankedFusion": base_search_pb2.Hybrid.FUSION_TYPE_RANKED,
    "relativeScoreFusion": base_search_pb2.Hybrid.FUSION_TYPE_RELATIVE_SCORE,
}


def _vector_bytes(vector: Sequence[float]) -> bytes:
    return struct.pack(f"<{len(vector)}f", *vector)


def _multi_vector_bytes(vectors: Sequence[Sequence[float]]) -> bytes:
    """A multi-vector as Weaviate reads it: the vectors' length (uint16, little
    endian), then every vector's float32s."""
    dimensions = len(vectors[0])
    if any(len(v) != dimensions for v in vectors):
        raise UsageError("the vectors of a multi-vector must all have the same length")
    return struct.pack("<H", dimensions) + b"".join(_vector_bytes(v) for v in vectors)


def _vector_message(data: bytes, name: str = "", multi: bool = False) -> base_pb2.Vectors:
    kind = base_pb2.Vectors.VECTOR_TYPE_MULTI_FP32 if multi else None
    return base_pb2.Vectors(
        name=name,
        vector_bytes=data,
        type=kind or base_pb2.Vectors.VECTOR_TYPE_SINGLE_FP32,
    )


def _vectors(vector: Sequence[float]) -> list[base_pb2.Vectors]:
    return [_vector_message(_vector_bytes(vector))]


def _read_vectors(message: base_pb2.Vectors) -> list[Any]:
    """A ``Vectors`` message's vector, or multi-vector (a list of vectors)."""
    if message.type != base_pb2.Vectors.VECTOR_TYPE_MULTI_FP32:
        return _floats32(message.vector_bytes)
    data = message.vector_bytes
    if not data:
        return []
    (dimensions,) = struct.unpack_from("<H", data)
    flat = _floats32(data[2:])
    return [flat[i : i + dimensions] for i in range(0, len(flat), dimensions)]


# -- filters ------------------------------------------------------------------------------


def _target(path: tuple[str, ...]) -> base_pb2.FilterTarget:
    """A property, or ``(reference, Class, ..., property)`` hops."""
    if len(path) == 1:
        return base_pb2.FilterTarget(property="_id" if path[0] == "id" else path[0])
    reference, collection, *rest = path
    return base_pb2.FilterTarget(
        multi_target=base_pb2.FilterReferenceMultiTarget(
            on=reference, target_collection=collection, target=_target(tuple(rest))
        )
    )


def filter_message(node: FilterNode) -> base_pb2.Filters:
    """The ``Filters`` message of a filter node."""
    if not isinstance(node, Condition):
        return base_pb2.Filters(
            operator=_OPERATORS[node.operator], filters=[filter_message(op) for op in node.operands]
        )
    out = base_pb2.Filters(operator=_OPERATORS[node.operator], target=_target(node.path))
    value, key = node.value, node.value_key
    if key == "valueGeoRange":
        out.value_geo.CopyFrom(
            base_pb2.GeoCoordinatesFilter(
                latitude=value.latitude, longitude=value.longitude, distance=value.max_distance
            )
        )
    elif isinstance(value, tuple):
        if key in ("valueText", "valueString", "valueDate"):
            out.value_text_array.values.extend(value)
        elif key == "valueInt":
            out.value_int_array.values.extend(value)
        elif key == "valueNumber":
            out.value_number_array.values.extend(value)
        else:
            out.value_boolean_array.values.extend(value)
    elif key in ("valueText", "valueString", "valueDate"):
        out.value_text = value
    elif key == "valueInt":
        out.value_int = value
    elif key == "valueNumber":
        out.value_number = value
    else:
        out.value_boolean = value
    return out


# -- searches -----------------------------------------------------------------------------


_COMBINATION = {
    "sum": base_search_pb2.COMBINATION_METHOD_TYPE_SUM,
    "minimum": base_search_pb2.COMBINATION_METHOD_TYPE_MIN,
    "average": base_search_pb2.COMBINATION_METHOD_TYPE_AVERAGE,
    "relativeScore": base_search_pb2.COMBINATION_METHOD_TYPE_RELATIVE_SCORE,
    "manualWeights": base_search_pb2.COMBINATION_METHOD_TYPE_MANUAL,
}


def _targets(
    names: tuple[str, ...],
    combination: Optional[str] = None,
    weights: tuple[tuple[str, float], ...] = (),
) -> Optional[base_search_pb2.Targets]:
    if not names:
        return None
    out = base_search_pb2.Targets(target_vectors=names)
    if combination is not None:
        out.combination = _COMBINATION[combination]
    out.weights_for_targets.extend(
        base_search_pb2.WeightsForTarget(target=name, weight=weight) for name, weight in weights
    )
    return out


def _query_vectors(vector: AnyVector) -> list[base_pb2.Vectors]:
    """A query's vector (or multi-vector) as ``Vectors`` messages."""
    if is_multi_vector(vector):
        return [_vector_message(_multi_vector_bytes(vector), multi=True)]  # type: ignore[arg-type]
    return _vectors(vector)  # type: ignore[arg-type]


def _near_vector(search: NearVector) -> base_search_pb2.NearVector:
    out = base_search_pb2.NearVector(
        certainty=search.certainty,
        distance=search.distance,
        targets=_targets(search.target_vectors, search.combination, search.weights),
    )
    if search.vector_per_target:
        out.vector_for_targets.extend(
            base_search_pb2.VectorForTarget(name=name, vectors=_query_vectors(vector))
            for name, vector in search.vector_per_target
        )
    elif len(search.target_vectors) > 1:  # the same vector for each target
        out.vector_for_targets.extend(
            base_search_pb2.VectorForTarget(name=name, vectors=_query_vectors(search.vector))
            for name in search.target_vectors
        )
    else:
        out.vectors.extend(_query_vectors(search.vector))
    return out


def _move(move: Optional[Move]) -> Optional[base_search_pb2.NearTextSearch.Move]:
    if move is None:
        return None
    uuids = [o.rsplit("/", 1)[-1] for o in move.objects]  # (a beacon ends with the uuid)
    return base_search_pb2.NearTextSearch.Move(
        force=move.force, concepts=move.concepts, uuids=uuids
    )


def _near_text(search: NearText) -> base_search_pb2.NearTextSearch:
    if search.autocorrect is not None:
        raise UsageError(
            "near_text(autocorrect=...) exists only over GraphQL (the text-spellcheck module); "
            "leave it out on the gRPC transport"
        )
    return base_search_pb2.NearTextSearch(
        query=search.concepts, certainty=search.certainty, distance=search.distance,
        move_to=_move(search.move_to), move_away=_move(search.move_away),
        targets=_targets(search.target_vectors),
    )  # fmt: skip


def _near_object(search: NearObject) -> base_search_pb2.NearObject:
    if search.id is None:
        raise UsageError(
            f"near_object of another class ({search.beacon}) works only over GraphQL: gRPC "
            "searches near an object of the queried class; pass that object's vector to "
            "near_vector(...) instead"
        )
    return base_search_pb2.NearObject(
        id=search.id, certainty=search.certainty, distance=search.distance,
        targets=_targets(search.target_vectors),
    )  # fmt: skip


def _set_near(out: Any, search: Union[NearVector, NearText, NearObject]) -> None:
    """Set the near search of a SearchRequest or an AggregateRequest (same field names)."""
    if isinstance(search, NearVector):
        out.near_vector.CopyFrom(_near_vector(search))
    elif isinstance(search, NearText):
        out.near_text.CopyFrom(_near_text(search))
    else:
        out.near_object.CopyFrom(_near_object(search))


def _hybrid(search: Hybrid) -> base_search_pb2.Hybrid:
    out = base_search_pb2.Hybrid(query=search.query, properties=search.properties or ())
    if search.alpha is not None:
        out.alpha_param = search.alpha
        out.use_alpha_param = True
    if search.vector is not None:
        out.vectors.extend(_query_vectors(search.vector))
    if search.fusion is not None:
        out.fusion_type = _FUSION[search.fusion]
    targets = _targets(search.target_vectors)
    if targets is not None:
        out.targets.CopyFrom(targets)
    if search.max_vector_distance is not None:
        out.vector_distance = search.max_vector_distance
    return out


# -- selection ----------------------------------------------------------------------------


def _object_properties(prop: PropertySelect) -> search_get_pb2.ObjectPropertiesRequest:
    return search_get_pb2.ObjectPropertiesRequest(
        prop_name=prop.name,
        primitive_properties=[p.name for p in prop.nested if p.kind != "object"],
        object_properties=[_object_properties(p) for p in prop.nested if p.kind == "object"],
    )


def _properties(
    properties: Iterable[PropertySelect], references: Iterable[ReferenceSelect]
) -> search_get_pb2.PropertiesRequest:
    properties = tuple(properties)
    out = search_get_pb2.PropertiesRequest(
        non_ref_properties=[p.name for p in properties if p.kind != "object"],
        object_properties=[_object_properties(p) for p in properties if p.kind == "object"],
    )
    for ref in references:
        for target in ref.targets:
            out.ref_properties.append(
                search_get_pb2.RefPropertiesRequest(
                    reference_property=ref.name,
                    properties=_properties(target.properties, target.references),
                    metadata=search_get_pb2.MetadataRequest(uuid=True),
                    target_collection=target.collection,
                )
            )
    return out


def _metadata(metadata: Metadata) -> search_get_pb2.MetadataRequest:
    return search_get_pb2.MetadataRequest(
        uuid=metadata.uuid, vector=metadata.vector, vectors=metadata.vectors,
        creation_time_unix=metadata.creation_time, last_update_time_unix=metadata.update_time,
        distance=metadata.distance, certainty=metadata.certainty, score=metadata.score,
        explain_score=metadata.explain_score,
    )  # fmt: skip


def search_request(plan: SearchPlan) -> search_get_pb2.SearchRequest:
    """The ``SearchRequest`` of a search plan."""
    out = search_get_pb2.SearchRequest(
        collection=plan.collection,
        tenant=plan.tenant or "",
        properties=_properties(plan.properties, plan.references),
        metadata=_metadata(plan.hit_metadata),
        limit=plan.limit or 0,
        offset=plan.offset or 0,
        autocut=plan.autocut or 0,
        after=plan.after or "",
        sort_by=[
            search_get_pb2.SortBy(ascending=k.ascending is not False, path=k.path)
            for k in plan.sort
        ],
        uses_127_api=True,
    )
    if plan.consistency_level is not None:
        out.consistency_level = _CONSISTENCY[plan.consistency_level]
    if plan.filter is not None:
        out.filters.CopyFrom(filter_message(plan.filter))
    if plan.group_by is not None:
        out.group_by.CopyFrom(
            search_get_pb2.GroupBy(
                path=plan.group_by.path,
                number_of_groups=plan.group_by.groups,
                objects_per_group=plan.group_by.objects_per_group,
            )
        )
    if plan.generate is not None:
        out.generative.CopyFrom(_generative(plan.generate))
    if plan.rerank is not None:
        out.rerank.property = plan.rerank.property
        if plan.rerank.query is not None:
            out.rerank.query = plan.rerank.query
    search = plan.search
    if isinstance(search, (NearVector, NearText, NearObject)):
        _set_near(out, search)
    elif isinstance(search, BM25):
        out.bm25_search.CopyFrom(
            base_search_pb2.BM25(query=search.query, properties=search.properties or ())
        )
    elif isinstance(search, Hybrid):
        out.hybrid_search.CopyFrom(_hybrid(search))
    return out


# -- replies ------------------------------------------------------------------------------


_FLOAT32 = struct.Struct("<f")


def float32_text(value: float) -> float:
    """A float32's value as its shortest decimal form (how GraphQL prints it)."""
    for spec in (".6g", ".7g", ".8g", ".9g"):
        short = float(format(value, spec))
        if _FLOAT32.unpack(_FLOAT32.pack(short))[0] == value:
            return short
    return value


def _floats32(data: bytes) -> list[float]:
    values = array("f")
    values.frombytes(data)
    return values.tolist()


def _list_value(value: properties_pb2.ListValue) -> list[Any]:
    kind = value.WhichOneof("kind")
    if kind is None:
        return []
    inner = getattr(value, kind)
    if kind == "number_values":
        return list(struct.unpack(f"<{len(inner.values) // 8}d", inner.values))
    if kind == "int_values":
        return list(struct.unpack(f"<{len(inner.values) // 8}q", inner.values))
    if kind == "object_values":
        return [_fields(p.fields) for p in inner.values]
    return list(inner.values)


# Value kinds whose field is already the Python value the row holds
_SCALARS = frozenset({
    "text_value", "int_value", "bool_value", "number_value", "date_value", "uuid_value",
    "blob_value",
})  # fmt: skip


def _structured(value: properties_pb2.Value, kind: Optional[str]) -> Any:
    """A value that is not a scalar: a list, an object, geo, phone or null."""
    if kind == "list_value":
        return _list_value(value.list_value)
    if kind == "object_value":
        return _fields(value.object_value.fields)
    if kind == "geo_value":
        geo = value.geo_value
        return {"latitude": float32_text(geo.latitude), "longitude": float32_text(geo.longitude)}
    if kind == "phone_value":
        phone = value.phone_value
        return {
            "input": phone.input, "defaultCountry": phone.default_country,
            "internationalFormatted": phone.international_formatted,
            "countryCode": phone.country_code, "national": phone.national,
            "nationalFormatted": phone.national_formatted, "valid": phone.valid,
        }  # fmt: skip
    return None  # null_value, or unset


def _fields(fields: Any) -> dict[str, Any]:
    # The hot loop of every search reply: scalars are read inline. (Indexing
    # the map is faster than .items(), which upb serves through an ABC view.)
    out = {}
    for name in fields:
        value = fields[name]
        kind = value.WhichOneof("kind")
        out[name] = getattr(value, kind) if kind in _SCALARS else _structured(value, kind)
    return out


def _additional(
    metadata: search_get_pb2.MetadataResult, wanted: Optional[Metadata]
) -> dict[str, Any]:
    """The row's ``_additional``: the id and what ``wanted`` names (None: nothing more),
    as GraphQL gives it."""
    out: dict[str, Any] = {"id": metadata.id}
    if wanted is None:
        return out
    if wanted.vector:
        out["vector"] = _floats32(metadata.vector_bytes)
    if wanted.vectors:
        held = {v.name: _read_vectors(v) for v in metadata.vectors}
        # a vector asked for that the object lacks: [], as GraphQL answers
        out["vectors"] = {name: held.get(name, []) for name in wanted.vectors} | held
    if wanted.creation_time and metadata.creation_time_unix_present:
        out["creationTimeUnix"] = str(metadata.creation_time_unix)
    if wanted.update_time and metadata.last_update_time_unix_present:
        out["lastUpdateTimeUnix"] = str(metadata.last_update_time_unix)
    if wanted.distance and metadata.distance_present:
        out["distance"] = float32_text(metadata.distance)
    if wanted.certainty and metadata.certainty_present:
        out["certainty"] = float32_text(metadata.certainty)
    if wanted.score and metadata.score_present:
        out["score"] = float32_text(metadata.score)
    if wanted.explain_score and metadata.explain_score_present:
        out["explainScore"] = metadata.explain_score
    return out


def _row(
    props: search_get_pb2.PropertiesResult,
    additional: dict[str, Any],
    references: tuple[ReferenceSelect, ...],
) -> dict[str, Any]:
    row = _fields(props.non_ref_props.fields)
    row["_additional"] = additional
    if not references:
        return row
    for ref in references:
        row[ref.name] = []
    by_name = {ref.name: ref for ref in references}
    for ref_result in props.ref_props:
        ref = by_name[ref_result.prop_name]
        items = row[ref.name]
        for target_props in ref_result.properties:
            collection = target_props.target_collection
            target = next(t for t in ref.targets if t.collection == collection)
            item = _row(target_props, _additional(target_props.metadata, None), target.references)
            if ref.tell_class:
                item["__typename"] = collection
            items.append(item)
    return row


_ID_ONLY = Metadata()


def _generative(generate: Generate) -> generative_pb2.GenerativeSearch:
    out = generative_pb2.GenerativeSearch()
    providers = [] if generate.provider is None else [_provider(generate.provider)]
    if generate.single_prompt is not None:
        out.single.prompt = generate.single_prompt
        out.single.queries.extend(providers)
    if generate.grouped_task is not None:
        out.grouped.task = generate.grouped_task
        if generate.grouped_properties is not None:
            out.grouped.properties.values.extend(generate.grouped_properties)
        out.grouped.queries.extend(providers)
    return out


def _provider(options: GenerativeOpenAI) -> generative_pb2.GenerativeProvider:
    """A search's own ``generative-openai`` options."""
    openai = generative_pb2.GenerativeOpenAI()
    for name, value in options.given():
        if name == "stop":
            openai.stop.values.extend(value)
        else:
            setattr(openai, name, value)
    return generative_pb2.GenerativeProvider(openai=openai)


def _generated(
    rows: list[dict[str, Any]], reply: search_get_pb2.SearchReply, generate: Generate
) -> None:
    """Put each result's generated text in its row as GraphQL's ``_additional.generate``
    does (the grouped answer on the first row), so both transports are read alike."""
    single = generate.single_prompt is not None  # (else the reply holds an empty text)
    for row, result in zip(rows, reply.results):
        values = result.generative.values
        row["_additional"]["generate"] = {
            "singleResult": values[0].result if single and values else None,
            "error": None,
        }
    grouped = reply.generative_grouped_results.values
    if rows and grouped:
        rows[0]["_additional"]["generate"]["groupedResult"] = grouped[0].result


def search_rows(reply: search_get_pb2.SearchReply, plan: SearchPlan) -> list[dict[str, Any]]:
    """The rows of a search reply (with ``_additional.group`` rows for a group_by)."""
    wanted: Optional[Metadata] = plan.hit_metadata
    if wanted == _ID_ONLY:
        wanted = None
    if plan.group_by is not None:
        return [
            {
                "_additional": {
                    "group": {
                        "id": i,
                        "groupedBy": {"value": group.name, "path": list(plan.group_by.path)},
                        "count": group.number_of_objects,
                        "minDistance": float32_text(group.min_distance),
                        "maxDistance": float32_text(group.max_distance),
                        "hits": [
                            _row(hit.properties, _additional(hit.metadata, wanted), plan.references)
                            for hit in group.objects
                        ],
                    }
                }
            }
            for i, group in enumerate(reply.group_by_results)
        ]
    references = plan.references
    rows = [
        _row(result.properties, _additional(result.metadata, wanted), references)
        for result in reply.results
    ]
    if plan.generate is not None:
        _generated(rows, reply, plan.generate)
    if plan.rerank is not None:  # (as GraphQL gives it)
        for row, result in zip(rows, reply.results):
            if result.metadata.rerank_score_present:
                row["_additional"]["rerank"] = [{"score": result.metadata.rerank_score}]
    return rows


# -- aggregate ----------------------------------------------------------------------------

# data type (also the field of the Aggregation oneof) -> (its message, its metric flags)
_AGGREGATIONS = {
    "int": ("Integer", ("count", "sum", "mean", "mode", "median", "maximum", "minimum")),
    "number": ("Number", ("count", "sum", "mean", "mode", "median", "maximum", "minimum")),
    "text": ("Text", ("count", "top_occurences")),
    "boolean": (
        "Boolean",
        ("count", "total_true", "total_false", "percentage_true", "percentage_false"),
    ),
    "date": ("Date", ("count", "median", "mode", "maximum", "minimum")),
}
_CAMEL = {
    "total_true": "totalTrue", "total_false": "totalFalse", "percentage_true": "percentageTrue",
    "percentage_false": "percentageFalse", "top_occurences": "topOccurrences",
}  # fmt: skip


def aggregate_request(plan: AggregatePlan) -> aggregate_pb2.AggregateRequest:
    """The ``AggregateRequest`` of an aggregate plan."""
    out = aggregate_pb2.AggregateRequest(
        collection=plan.collection, tenant=plan.tenant or "", objects_count=True
    )
    for metric in plan.metrics:
        message, fields = _AGGREGATIONS[metric.data_type]
        aggregation = aggregate_pb2.AggregateRequest.Aggregation(property=metric.name)
        getattr(aggregation, metric.data_type).CopyFrom(
            getattr(aggregate_pb2.AggregateRequest.Aggregation, message)(
                **dict.fromkeys(fields, True)
            )
        )
        out.aggregations.append(aggregation)
    if plan.object_limit is not None:
        out.object_limit = plan.object_limit
    if plan.group_by is not None:
        out.group_by.CopyFrom(
            aggregate_pb2.AggregateRequest.GroupBy(
                collection=plan.collection, property=plan.group_by
            )
        )
    if plan.filter is not None:
        out.filters.CopyFrom(filter_message(plan.filter))
    if plan.search is not None:
        _set_near(out, plan.search)
    return out


def _metrics(aggregations: Any) -> dict[str, Any]:
    """The metrics of each property, as GraphQL answers them: a metric the server
    leaves out (every one but the count of an empty set) is None, a NaN percentage
    (of no objects) too, and no top occurrences is an empty list."""
    out: dict[str, Any] = {}
    for aggregation in aggregations.aggregations:
        kind = aggregation.WhichOneof("aggregation")
        if kind is None:
            continue
        message = getattr(aggregation, kind)
        values: dict[str, Any] = {}
        for descriptor in message.DESCRIPTOR.fields:
            name = descriptor.name
            if name == "type":
                continue
            value: Any = getattr(message, name) if message.HasField(name) else None
            if name == "top_occurences":
                items = value.items if value is not None else ()
                value = [{"value": o.value, "occurs": o.occurs} for o in items]
            elif isinstance(value, float) and math.isnan(value):
                value = None
            values[_CAMEL.get(name, name)] = value
        out[aggregation.property] = values
    return out


def aggregate_rows(
    reply: aggregate_pb2.AggregateReply, plan: AggregatePlan
) -> list[dict[str, Any]]:
    """The rows of an aggregate reply, as GraphQL's ``Aggregate`` answers them."""
    if plan.group_by is None:
        single = reply.single_result
        row = _metrics(single.aggregations)
        row["meta"] = {"count": single.objects_count}
        return [row]
    rows = []
    for group in reply.grouped_results.groups:
        row = _metrics(group.aggregations)
        row["meta"] = {"count": group.objects_count}
        grouped = group.grouped_by
        kind = grouped.WhichOneof("value")
        value: Any = getattr(grouped, kind) if kind is not None else None
        if kind is not None and hasattr(value, "values"):
            value = list(value.values)
        row["groupedBy"] = {"value": value, "path": list(grouped.path)}
        rows.append(row)
    return rows


# -- batch objects ------------------------------------------------------------------------
#
# A queued object is kept as the bytes of its ``objects`` entry of a BatchObjectsRequest
# (field 1: tag, length, BatchObject), so a request is a join of ready entries, as a
# REST body is a join of ready JSON. Properties travel in ``non_ref_properties``: the
# server turns that Struct into the same map a REST body's JSON gives, so every value
# is read alike on both wires (numbers as float64, as JSON).

_OBJECTS_TAG = b"\x0a"  # field 1, length-delimited
_CONSISTENCY_TAG = b"\x10"  # field 2, varint


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _fp32(vector: Any, what: str) -> bytes:
    """A stored vector's bytes, refusing what REST refuses (non-numbers, NaN, infinity)."""
    try:
        data = _multi_vector_bytes(vector) if is_multi_vector(vector) else _vector_bytes(vector)
    except (struct.error, TypeError) as exc:
        raise UsageError(f"{what} must hold only numbers: {exc}") from None
    total = sum(map(sum, vector)) if is_multi_vector(vector) else sum(vector)
    if total != total or total in (float("inf"), float("-inf")):
        raise UsageError(f"{what} must not contain NaN or infinity")
    return data


def batch_object(
    uuid: str,
    collection: str,
    properties: dict[str, Any],
    vector: Optional[Sequence[float]],
    vectors: Optional[Mapping[str, Sequence[float]]],
    tenant: Optional[str],
) -> bytes:
    """One object as a framed ``objects`` entry of a BatchObjectsRequest."""
    try:
        message = batch_pb2.BatchObject(uuid=uuid, collection=collection, tenant=tenant or "")
        message.properties.non_ref_properties.update(properties)
    except UnicodeEncodeError as exc:  # (a ValueError whose constructor takes five arguments)
        raise UsageError(
            f"a text value holds a lone surrogate {exc.object[exc.start : exc.end]!r}, which is "
            "not a Unicode character and cannot be sent; decode the text properly first"
        ) from None
    if vector is not None:
        message.vector_bytes = _fp32(vector, "vector")
    for name, value in (vectors or {}).items():
        data = _fp32(value, f"vector {name!r}")
        message.vectors.append(_vector_message(data, name, is_multi_vector(value)))
    body = message.SerializeToString()
    return _OBJECTS_TAG + _varint(len(body)) + body


def decode_batch_object(payload: bytes) -> dict[str, Any]:
    """A framed entry as the dict of a REST batch object (for failure records)."""
    from google.protobuf.json_format import MessageToDict

    request = batch_pb2.BatchObjectsRequest.FromString(payload)
    (message,) = request.objects
    item: dict[str, Any] = {
        "class": message.collection,
        "id": message.uuid,
        "properties": MessageToDict(message.properties.non_ref_properties),
    }
    if message.tenant:
        item["tenant"] = message.tenant
    if message.vector_bytes:
        item["vector"] = _floats32(message.vector_bytes)
    if message.vectors:
        item["vectors"] = {v.name: _read_vectors(v) for v in message.vectors}
    return item


def batch_request(payloads: Sequence[bytes], consistency_level: Optional[str]) -> bytes:
    """The serialized BatchObjectsRequest of framed entries."""
    body = b"".join(payloads)
    if consistency_level is not None:
        body += _CONSISTENCY_TAG + _varint(_CONSISTENCY[consistency_level])
    return body


# -- batch delete -------------------------------------------------------------------------


def batch_delete_request(
    collection: str,
    node: FilterNode,
    dry_run: bool,
    tenant: Optional[str],
    consistency_level: Optional[str],
) -> batch_delete_pb2.BatchDeleteRequest:
    """The ``BatchDeleteRequest`` of a delete by filter (verbose: every object reported)."""
    out = batch_delete_pb2.BatchDeleteRequest(
        collection=collection, filters=filter_message(node), verbose=True, dry_run=dry_run
    )
    if tenant is not None:
        out.tenant = tenant
    if consistency_level is not None:
        out.consistency_level = _CONSISTENCY[consistency_level]
    return out


def delete_result(reply: batch_delete_pb2.BatchDeleteReply, dry_run: bool) -> DeleteResult:
    """The :class:`~wvorm.batch.items.DeleteResult` of a ``BatchDeleteReply``."""
    objects = []
    for item in reply.objects:
        status = "DRYRUN" if dry_run else "SUCCESS" if item.successful else "FAILED"
        objects.append(DeletedObject(str(UUID(bytes=item.uuid)), status, item.error or None))
    # (a gRPC dry run counts its matches as successful; REST, like wvorm, counts none)
    successful = 0 if dry_run else reply.successful
    return DeleteResult(reply.matches, successful, reply.failed, objects)

"""The typed query plan: what a query asks for, checked once, before any transport.

The ORM's query DSL builds a :class:`SearchPlan` or :class:`AggregatePlan` from
values it has already validated; renderers turn one plan into a request of a
transport without checking or parsing it again:

- :mod:`wvorm.plan.graphql`: GraphQL text, and GraphQL answers into rows;
- :mod:`wvorm.grpc.messages`: gRPC messages, and gRPC replies into the same rows.

Both are free of I/O (the transports in :mod:`wvorm.transport` send them), so an
async transport can reuse them. Rows have one shape whichever transport answered:
a dict of property values by Weaviate property name (as Weaviate's JSON writes
them: dates as RFC 3339 text, blobs as base64, geo coordinates and phone numbers
as dicts), references as lists of such rows, and ``"_additional"`` with the
metadata (``id``, ``vector``, ``vectors``, ``distance``, ``certainty``, ``score``,
``explainScore``, ``creationTimeUnix``, ``lastUpdateTimeUnix``, ``group``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any, Optional, Union

from wvorm.errors import UsageError

__all__ = [
    "BM25",
    "AggregatePlan",
    "Condition",
    "GeoRange",
    "GroupBy",
    "Hybrid",
    "Logical",
    "Metadata",
    "Metric",
    "Move",
    "NearObject",
    "NearText",
    "NearVector",
    "PropertySelect",
    "ReferenceSelect",
    "Search",
    "SearchPlan",
    "SortBy",
    "TargetSelect",
]


# -- filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeoRange:
    """The value of a ``WithinGeoRange`` condition: a centre and a radius in metres."""

    latitude: float
    longitude: float
    max_distance: float


@dataclass(frozen=True)
class Condition:
    """One comparison: ``path`` (a property, or reference hops ``(ref, Class, ...,
    property)``; ``("_id",)`` for the object id), a Weaviate operator (``Equal``,
    ``ContainsAny`` ...), and a value already in Weaviate's form under its kind
    (``value_key``: valueText, valueInt, valueNumber, valueBoolean, valueDate or
    valueGeoRange). Contains operators take a tuple of values."""

    path: tuple[str, ...]
    operator: str
    value_key: str
    value: Any  # (valueString is GraphQL's older name of valueText)


@dataclass(frozen=True)
class Logical:
    """``And`` / ``Or`` / ``Not`` of operands."""

    operator: str
    operands: tuple[FilterNode, ...]


FilterNode = Union[Condition, Logical]


# -- searches -----------------------------------------------------------------------------


AnyVector = Union[Sequence[float], Sequence[Sequence[float]]]
"""A vector (floats), or a multi-vector (a sequence of vectors)."""


@dataclass(frozen=True)
class NearVector:
    """Near a vector or multi-vector, optionally on named target vectors.

    ``vector_per_target`` gives each target its own vector (``vector`` is then
    empty). ``combination`` (GraphQL's names: ``sum``, ``average``, ``minimum``,
    ``manualWeights``, ``relativeScore``) says how the targets' distances combine,
    with ``weights`` per target for the last two.
    """

    vector: AnyVector
    certainty: Optional[float] = None
    distance: Optional[float] = None
    target_vectors: tuple[str, ...] = ()
    vector_per_target: tuple[tuple[str, AnyVector], ...] = ()
    combination: Optional[str] = None
    weights: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Move:
    """``moveTo`` / ``moveAwayFrom`` of a near-text search; objects are uuids, or
    beacons (``weaviate://localhost/Class/uuid``) as v3 queries may give them."""

    force: float
    concepts: tuple[str, ...] = ()
    objects: tuple[str, ...] = ()


@dataclass(frozen=True)
class NearText:
    """Near the vector of texts, through the class's vectorizer."""

    concepts: tuple[str, ...]
    certainty: Optional[float] = None
    distance: Optional[float] = None
    move_to: Optional[Move] = None
    move_away: Optional[Move] = None
    autocorrect: Optional[bool] = None
    target_vectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class NearObject:
    """Near a stored object: ``id`` of the queried class, or a ``beacon``
    (``weaviate://localhost/Class/uuid``, GraphQL only) of any class."""

    id: Optional[str] = None
    beacon: Optional[str] = None
    certainty: Optional[float] = None
    distance: Optional[float] = None
    target_vectors: tuple[str, ...] = ()


@dataclass(frozen=True)
class BM25:
    """Keyword search; properties may carry a boost (``"title^2"``)."""

    query: str
    properties: Optional[tuple[str, ...]] = None


@dataclass(frozen=True)
class Hybrid:
    """Keyword search fused with a vector search; fusion is ``rankedFusion`` or
    ``relativeScoreFusion``."""

    query: str
    alpha: Optional[float] = None
    vector: Optional[AnyVector] = None
    properties: Optional[tuple[str, ...]] = None
    fusion: Optional[str] = None
    target_vectors: tuple[str, ...] = ()
    max_vector_distance: Optional[float] = None


Search = Union[NearVector, NearText, NearObject, BM25, Hybrid]


# -- what is returned ---------------------------------------------------------------------


@dataclass(frozen=True)
class PropertySelect:
    """A property to read; ``kind`` is its shape: ``plain``, ``geo``, ``phone``, or
    ``object`` (then ``nested`` lists its sub-properties)."""

    name: str
    kind: str = "plain"
    nested: tuple[PropertySelect, ...] = ()


@dataclass(frozen=True)
class TargetSelect:
    """What to read of the objects a reference points to in one class."""

    collection: str
    properties: tuple[PropertySelect, ...]
    references: tuple[ReferenceSelect, ...] = ()


@dataclass(frozen=True)
class ReferenceSelect:
    """A reference property to read, with each target class's selection.
    ``tell_class``: rows carry ``__typename`` (the target's class name)."""

    name: str
    targets: tuple[TargetSelect, ...]
    tell_class: bool = False


@dataclass(frozen=True)
class Metadata:
    """The ``_additional`` fields wanted; ``vectors`` names named vectors."""

    uuid: bool = True
    vector: bool = False
    vectors: tuple[str, ...] = ()
    creation_time: bool = False
    update_time: bool = False
    distance: bool = False
    certainty: bool = False
    score: bool = False
    explain_score: bool = False


@dataclass(frozen=True)
class SortBy:
    """One sort key: a property path (``("_id",)`` for the uuid); ``ascending`` None
    leaves the order to the server (ascending), as a v3 sort without ``order`` does."""

    path: tuple[str, ...]
    ascending: Optional[bool] = True


@dataclass(frozen=True)
class GroupBy:
    """Group search results by a property."""

    path: tuple[str, ...]
    groups: int
    objects_per_group: int


@dataclass(frozen=True)
class GenerativeOpenAI:
    """Options of one generative search for the ``generative-openai`` module, given at
    query time (Weaviate's "dynamic RAG"); None leaves the class's setting. They
    override the class's ``moduleConfig`` for this search only."""

    model: Optional[str] = None
    base_url: Optional[str] = None
    temperature: Optional[float] = None
    max_tokens: Optional[int] = None
    top_p: Optional[float] = None
    frequency_penalty: Optional[float] = None
    presence_penalty: Optional[float] = None
    stop: Optional[tuple[str, ...]] = None
    n: Optional[int] = None

    def __post_init__(self) -> None:
        # Checked here, so that both transports send the same thing or neither does.
        kinds = {
            "model": str, "base_url": str, "temperature": float, "max_tokens": int,
            "top_p": float, "frequency_penalty": float, "presence_penalty": float, "n": int,
        }  # fmt: skip
        for name, kind in kinds.items():
            value = getattr(self, name)
            if value is None:
                continue
            ok = isinstance(value, kind) or (kind is float and isinstance(value, int))
            if not ok or isinstance(value, bool):
                article = "an" if kind is int else "a"
                raise UsageError(
                    f"GenerativeOpenAI({name}=...) takes {article} {kind.__name__}, not {value!r}"
                )
            if kind is float:
                object.__setattr__(self, name, float(value))
        given: Any = self.stop  # (a str is accepted too: one stop text)
        if given is not None:
            stop = (given,) if isinstance(given, str) else tuple(given)
            if not all(isinstance(s, str) for s in stop):
                raise UsageError(f"GenerativeOpenAI(stop=...) takes texts, not {given!r}")
            object.__setattr__(self, "stop", stop)

    def given(self) -> list[tuple[str, Any]]:
        """The options set, as ``(field name, value)`` pairs."""
        values = [(f.name, getattr(self, f.name)) for f in fields(self)]
        return [(name, value) for name, value in values if value is not None]


@dataclass(frozen=True)
class Generate:
    """Generative search: ``single_prompt`` run per object (``{property}`` replaced by
    the object's value), and/or ``grouped_task`` run once over all the results (over
    ``grouped_properties``, or every property when None)."""

    single_prompt: Optional[str] = None
    grouped_task: Optional[str] = None
    grouped_properties: Optional[tuple[str, ...]] = None
    provider: Optional[GenerativeOpenAI] = None


@dataclass(frozen=True)
class Rerank:
    """Rerank the results with the class's ``reranker-*`` module: by ``property``'s
    text against ``query`` (None: the search's own query). Each hit gets its score
    (``_additional.rerank[0].score``), best first."""

    property: str
    query: Optional[str] = None


@dataclass(frozen=True)
class SearchPlan:
    """A ``Get`` / ``Search`` of one collection."""

    collection: str
    properties: tuple[PropertySelect, ...] = ()
    references: tuple[ReferenceSelect, ...] = ()
    metadata: Metadata = field(default_factory=Metadata)
    filter: Optional[FilterNode] = None
    search: Optional[Search] = None
    sort: tuple[SortBy, ...] = ()
    limit: Optional[int] = None
    offset: Optional[int] = None
    after: Optional[str] = None
    autocut: Optional[int] = None
    tenant: Optional[str] = None
    consistency_level: Optional[str] = None
    group_by: Optional[GroupBy] = None
    generate: Optional[Generate] = None
    rerank: Optional[Rerank] = None

    @property
    def hit_metadata(self) -> Metadata:
        """The metadata read per hit: grouped hits always carry their distance."""
        if self.group_by is None or self.metadata.distance:
            return self.metadata
        return replace(self.metadata, distance=True)


@dataclass(frozen=True)
class Metric:
    """A property to aggregate: its Weaviate data type, and the metrics wanted in
    GraphQL's words (``"count mean maximum ..."``; over gRPC, every metric of the type)."""

    name: str
    data_type: str
    fields: str


@dataclass(frozen=True)
class AggregatePlan:
    """An ``Aggregate`` of one collection: the count, metrics per property, optionally
    per group of a property's values."""

    collection: str
    metrics: tuple[Metric, ...] = ()
    filter: Optional[FilterNode] = None
    search: Optional[Union[NearVector, NearText, NearObject]] = None
    object_limit: Optional[int] = None
    group_by: Optional[str] = None
    tenant: Optional[str] = None

"""The GraphQL text of every builder method (pure: no server is contacted)."""

from __future__ import annotations

import copy
import re
import uuid
import warnings
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from wvorm.connection import Connection
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import FilterError
from wvorm.gql import (
    AdditionalProperties,
    AggregateBuilder,
    GetBuilder,
    HybridFusion,
    LinkTo,
    Query,
    Where,
)
from wvorm.gql.filter import parse_where
from wvorm.plan.rest import filter_json

UUID = "fc7eb129-f138-457f-b727-1b29db191a67"


@pytest.fixture
def query() -> Query:
    # Nothing listens on port 9, and building a query sends nothing.
    return Query(Connection("http://127.0.0.1:9", startup_period=None))


def get(query: Query) -> GetBuilder:
    return query.get("Article", ["title"])


def arguments(builder: GetBuilder) -> str:
    """The argument list of a one-class Get query: what is between ``Article(`` and ``){``."""
    text = builder.build()
    match = re.fullmatch(r"\{Get\{Article\((.*)\)\{title\}\}\}", text)
    assert match, text
    return match.group(1)


def normalized(graphql: str) -> str:
    """GraphQL text without the insignificant blanks around punctuation."""
    return re.sub(r"\s*([{}()\[\]:,])\s*", r"\1", graphql).replace(",", " ")


# -- the spec's example ---------------------------------------------------------------------


def test_spec_example_builds_an_equivalent_query(query: Query) -> None:
    where_filter = {"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 1000}
    near_text_filter = {
        "concepts": ["fashion"],
        "certainty": 0.7,
        "moveAwayFrom": {"concepts": ["finance"], "force": 0.45},
        "moveTo": {"concepts": ["haute couture"], "force": 0.85},
    }
    built = (
        query.get("Article", ["title"])
        .with_where(where_filter)
        .with_near_text(near_text_filter)
        .with_limit(50)
        .build()
    )
    spec = (
        '{Get{Article(where: {path: ["wordCount"] operator: GreaterThan valueInt: 1000} '
        'limit: 50 nearText: {concepts: ["fashion"] certainty: 0.7 moveTo: {force: 0.85 '
        'concepts: ["haute couture"]} moveAwayFrom: {force: 0.45 concepts: ["finance"]}} '
        "){title}}}"
    )
    assert normalized(built) == normalized(spec)


# -- Get: class and properties --------------------------------------------------------------


def test_get_plain_properties(query: Query) -> None:
    assert query.get("Article", ["title", "wordCount"]).build() == "{Get{Article{title wordCount}}}"
    assert query.get("Article", "title").build() == "{Get{Article{title}}}"


def test_class_name_is_capitalized_and_checked(query: Query) -> None:
    assert query.get("article", "title").build() == "{Get{Article{title}}}"
    for bad in ("My Class", "Class{", "", "1Class", "Ärticle"):
        with pytest.raises(ValueError, match=r"class name|class_name"):
            query.get(bad, "title")
    with pytest.raises(TypeError):
        query.get(42, "title")  # type: ignore[arg-type]


def test_reference_properties_raw_and_structured(query: Query) -> None:
    raw = query.get("Article", ["title", "ofAuthor { ... on Author { name } }"]).build()
    assert raw == "{Get{Article{title ofAuthor { ... on Author { name } }}}}"
    link = LinkTo("ofAuthor", "Author", ["name", LinkTo("wroteFor", "Publication", ["name"])])
    structured = query.get("Article", ["title", link]).build()
    assert structured == (
        "{Get{Article{title ofAuthor{... on Author{name wroteFor{... on Publication{name}}}}}}}"
    )
    as_dict = query.get("Article", ["title", {"ofAuthor": {"... on Author": ["name"]}}]).build()
    assert as_dict == "{Get{Article{title ofAuthor{... on Author{name}}}}}"


@pytest.mark.parametrize(
    "bad",
    ["word-count", "title}", "title { name", "title # comment", "a)", '"title"', "{name}", ""],
)
def test_invalid_property_is_rejected(query: Query, bad: str) -> None:
    with pytest.raises(ValueError, match="properties\\[0\\]"):
        query.get("Article", [bad])


def test_invalid_link_to_is_rejected() -> None:
    with pytest.raises(ValueError, match="link_on"):
        LinkTo("of Author", "Author", ["name"])
    with pytest.raises(ValueError, match="linked_class"):
        LinkTo("ofAuthor", "Author}", ["name"])
    with pytest.raises(ValueError, match="empty"):
        LinkTo("ofAuthor", "Author", [])


def test_properties_of_wrong_type(query: Query) -> None:
    with pytest.raises(TypeError, match="properties"):
        query.get("Article", 42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="properties\\[1\\]"):
        query.get("Article", ["title", 3])  # type: ignore[list-item]


def test_build_needs_a_selection(query: Query) -> None:
    with pytest.raises(AttributeError, match="with_additional"):
        query.get("Article").build()
    assert (
        query.get("Article").with_additional("id").build() == "{Get{Article{ _additional {id }}}}"
    )


# -- where ----------------------------------------------------------------------------------

WHEN = datetime(2024, 5, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            {"path": ["title"], "operator": "Equal", "valueText": 'say "hi"\n'},
            r'{path: ["title"] operator: Equal valueText: "say \"hi\"\n"}',
        ),
        (
            {"path": "title", "operator": "Like", "valueString": "fash*"},
            '{path: ["title"] operator: Like valueString: "fash*"}',
        ),
        (
            {"path": ["wordCount"], "operator": "GreaterThanEqual", "valueInt": 1000},
            '{path: ["wordCount"] operator: GreaterThanEqual valueInt: 1000}',
        ),
        (
            {"path": ["score"], "operator": "LessThan", "valueNumber": 2},
            '{path: ["score"] operator: LessThan valueNumber: 2.0}',
        ),
        (
            {"path": ["score"], "operator": "LessThanEqual", "valueNumber": 0.25},
            '{path: ["score"] operator: LessThanEqual valueNumber: 0.25}',
        ),
        (
            {"path": ["published"], "operator": "NotEqual", "valueBoolean": False},
            '{path: ["published"] operator: NotEqual valueBoolean: false}',
        ),
        (
            {"path": ["when"], "operator": "GreaterThan", "valueDate": "2024-05-01T00:00:00Z"},
            '{path: ["when"] operator: GreaterThan valueDate: "2024-05-01T00:00:00Z"}',
        ),
        (
            {"path": ["when"], "operator": "Equal", "valueDate": WHEN},
            '{path: ["when"] operator: Equal valueDate: "2024-05-01T12:30:00+02:00"}',
        ),
        (
            {"path": ["when"], "operator": "Equal", "valueDate": datetime(2024, 5, 1, 8)},
            '{path: ["when"] operator: Equal valueDate: "2024-05-01T08:00:00+00:00"}',
        ),
        (
            {"path": ["when"], "operator": "Equal", "valueDate": date(2024, 5, 1)},
            '{path: ["when"] operator: Equal valueDate: "2024-05-01T00:00:00+00:00"}',
        ),
        (
            {"path": ["title"], "operator": "IsNull", "valueBoolean": True},
            '{path: ["title"] operator: IsNull valueBoolean: true}',
        ),
        (
            {
                "path": ["location"],
                "operator": "WithinGeoRange",
                "valueGeoRange": {
                    "geoCoordinates": {"latitude": 52.37, "longitude": 4},
                    "distance": {"max": 2000},
                },
            },
            '{path: ["location"] operator: WithinGeoRange valueGeoRange: { geoCoordinates: '
            "{ latitude: 52.37 longitude: 4.0 } distance: { max: 2000.0 }}}",
        ),
        (
            {"path": ["tags"], "operator": "ContainsAny", "valueTextArray": ["a", "b"]},
            '{path: ["tags"] operator: ContainsAny valueText: ["a","b"]}',
        ),
        (
            {"path": ["tags"], "operator": "ContainsAll", "valueStringArray": ["a"]},
            '{path: ["tags"] operator: ContainsAll valueString: ["a"]}',
        ),
        (
            {"path": ["counts"], "operator": "ContainsAny", "valueIntArray": [1, 2]},
            '{path: ["counts"] operator: ContainsAny valueInt: [1, 2]}',
        ),
        (
            {"path": ["scores"], "operator": "ContainsAll", "valueNumberArray": [1, 2.5]},
            '{path: ["scores"] operator: ContainsAll valueNumber: [1.0, 2.5]}',
        ),
        (
            {"path": ["flags"], "operator": "ContainsAny", "valueBooleanArray": [True]},
            '{path: ["flags"] operator: ContainsAny valueBoolean: [true]}',
        ),
        (
            {"path": ["days"], "operator": "ContainsAny", "valueDateArray": [WHEN, "2020-01-01"]},
            '{path: ["days"] operator: ContainsAny valueDate: '
            '["2024-05-01T12:30:00+02:00","2020-01-01"]}',
        ),
        (
            {"path": ["tags"], "operator": "ContainsNone", "valueText": ["x"]},
            '{path: ["tags"] operator: ContainsNone valueText: ["x"]}',
        ),
        (
            {"path": ["ofAuthor", "Author", "name"], "operator": "Equal", "valueText": "Jane"},
            '{path: ["ofAuthor", "Author", "name"] operator: Equal valueText: "Jane"}',
        ),
        (
            {"path": ["len(title)"], "operator": "GreaterThan", "valueInt": 3},
            '{path: ["len(title)"] operator: GreaterThan valueInt: 3}',
        ),
    ],
)
def test_where_comparisons(query: Query, content: dict[str, Any], expected: str) -> None:
    assert arguments(get(query).with_where(content)) == f"where: {expected} "


def test_where_logical_operators(query: Query) -> None:
    content = {
        "operator": "And",
        "operands": [
            {"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 1000},
            {
                "operator": "Or",
                "operands": [
                    {"path": ["title"], "operator": "Equal", "valueText": "a"},
                    {
                        "operator": "Not",
                        "operands": [{"path": ["title"], "operator": "Like", "valueText": "b*"}],
                    },
                ],
            },
        ],
    }
    assert arguments(get(query).with_where(content)) == (
        'where: {operator: And operands: [{path: ["wordCount"] operator: GreaterThan '
        'valueInt: 1000}, {operator: Or operands: [{path: ["title"] operator: Equal '
        'valueText: "a"}, {operator: Not operands: [{path: ["title"] operator: Like '
        'valueText: "b*"}]}]}]} '
    )


def test_where_replaces_and_accepts_where_objects(query: Query) -> None:
    first = {"path": ["a"], "operator": "Equal", "valueInt": 1}
    second = Where({"path": ["b"], "operator": "Equal", "valueInt": 2})
    built = arguments(get(query).with_where(first).with_where(second))
    assert built == 'where: {path: ["b"] operator: Equal valueInt: 2} '


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ({"path": ["a"], "valueInt": 1}, ValueError, "no 'operator'"),
        ({"path": ["a"], "operator": "Equals", "valueInt": 1}, ValueError, "'Equals'"),
        ({"path": ["a"], "operator": 3, "valueInt": 1}, TypeError, "operator"),
        ({"operator": "Equal", "valueInt": 1}, ValueError, "'path'"),
        ({"path": ["a"], "operator": "Equal", "valueInteger": 1}, ValueError, "'valueInteger'"),
        ({"path": ["a"], "operator": "Equal"}, ValueError, "found none"),
        (
            {"path": ["a"], "operator": "Equal", "valueInt": 1, "valueText": "1"},
            ValueError,
            "valueInt, valueText",
        ),
        ({"path": ["a"], "operator": "Equal", "valueInt": "1"}, FilterError, "valueInt"),
        ({"path": ["a"], "operator": "Equal", "valueInt": True}, FilterError, "valueInt"),
        ({"path": ["a"], "operator": "Equal", "valueInt": 1.5}, FilterError, "valueInt"),
        ({"path": ["a"], "operator": "Equal", "valueText": 5}, FilterError, "valueText"),
        ({"path": ["a"], "operator": "Equal", "valueBoolean": 1}, FilterError, "valueBoolean"),
        ({"path": ["a"], "operator": "Equal", "valueNumber": "1"}, FilterError, "valueNumber"),
        ({"path": ["a"], "operator": "Equal", "valueDate": 2024}, FilterError, "valueDate"),
        (
            {"path": ["a"], "operator": "Equal", "valueNumber": float("nan")},
            ValueError,
            "finite",
        ),
        ({"path": ["a"], "operator": "Equal", "valueText": ["x"]}, FilterError, "is a list"),
        (
            {"path": ["a"], "operator": "ContainsAny", "valueTextArray": "x"},
            FilterError,
            "must be a list",
        ),
        ({"path": ["a"], "operator": "ContainsAny", "valueTextArray": []}, ValueError, "empty"),
        (
            {"path": ["a"], "operator": "ContainsAny", "valueIntArray": [1, "2"]},
            FilterError,
            r"valueIntArray\[1\]",
        ),
        ({"path": ["a"], "operator": "IsNull", "valueText": "x"}, ValueError, "IsNull"),
        ({"path": ["a"], "operator": "WithinGeoRange", "valueText": "x"}, ValueError, "GeoRange"),
        (
            {"path": ["a"], "operator": "Equal", "valueGeoRange": {}},
            ValueError,
            "WithinGeoRange",
        ),
        (
            {
                "path": ["a"],
                "operator": "WithinGeoRange",
                "valueGeoRange": {"geoCoordinates": {"latitude": 1.0}, "distance": {"max": 1}},
            },
            ValueError,
            "'longitude'",
        ),
        ({"operator": "And", "operands": []}, ValueError, "non-empty list of 'operands'"),
        (
            {"operator": "Or", "path": ["a"], "operands": [{"path": ["a"]}]},
            ValueError,
            "'path'",
        ),
        (
            {"operator": "And", "operands": [{"path": ["a"], "operator": "Equal"}]},
            ValueError,
            r"operands\[0\]",
        ),
        ({"path": [], "operator": "Equal", "valueInt": 1}, ValueError, "path must not be empty"),
        ({"path": [1], "operator": "Equal", "valueInt": 1}, TypeError, r"path\[0\]"),
        ({"path": ["a"], "operator": "Equal", "valueText": "\ud800"}, ValueError, "surrogate"),
        ("not a dict", TypeError, "must be a dict"),
    ],
)
def test_invalid_where_is_rejected(
    query: Query, content: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        get(query).with_where(content)


# -- near operators -------------------------------------------------------------------------


def test_near_text_forms(query: Query) -> None:
    assert arguments(get(query).with_near_text({"concepts": "fashion"})) == (
        'nearText: {concepts: ["fashion"]} '
    )
    full = {
        "concepts": ["a", "b"],
        "distance": 0.3,
        "moveTo": {"force": 1, "objects": {"id": uuid.UUID(UUID)}},
        "moveAwayFrom": {
            "force": 0.5,
            "concepts": "c",
            "objects": [{"beacon": f"weaviate://localhost/Article/{UUID}"}, {"id": UUID}],
        },
        "autocorrect": False,
        "targetVectors": ["title"],
    }
    assert arguments(get(query).with_near_text(full)) == (
        'nearText: {concepts: ["a", "b"] distance: 0.3 '
        f'moveTo: {{force: 1.0 objects: [{{id: "{UUID}"}} ]}} '
        f'moveAwayFrom: {{force: 0.5 concepts: ["c"] objects: '
        f'[{{beacon: "weaviate://localhost/Article/{UUID}"}} {{id: "{UUID}"}} ]}} '
        'autocorrect: false targetVectors: ["title"]} '
    )


@pytest.mark.parametrize(
    ("content", "error", "message"),
    [
        ({}, ValueError, "concepts"),
        ({"concepts": []}, ValueError, "empty"),
        ({"concepts": [1]}, TypeError, r"concepts\[0\]"),
        ({"concepts": "a", "certainty": 0.5, "distance": 0.5}, ValueError, "not both"),
        ({"concepts": "a", "certainty": "high"}, TypeError, "certainty"),
        ({"concepts": "a", "moveTo": {"concepts": "b"}}, ValueError, "force"),
        ({"concepts": "a", "moveTo": {"force": 0.5}}, ValueError, "concepts' and/or 'objects"),
        (
            {"concepts": "a", "moveTo": {"force": 0.5, "objects": [{"id": "nope"}]}},
            ValueError,
            "uuid",
        ),
        (
            {"concepts": "a", "moveTo": {"force": 0.5, "objects": [{"id": UUID, "beacon": "b"}]}},
            ValueError,
            "exactly one",
        ),
        ({"concepts": "a", "certainity": 0.5}, ValueError, "'certainity'"),
    ],
)
def test_invalid_near_text_is_rejected(
    query: Query, content: dict[str, Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        get(query).with_near_text(content)


def test_near_vector(query: Query) -> None:
    built = arguments(get(query).with_near_vector({"vector": [1, 0.5, -2e-7], "certainty": 0.9}))
    assert built == "nearVector: {vector: [1.0, 0.5, -2e-07] certainty: 0.9} "
    assert arguments(get(query).with_near_vector({"vector": (0.5,), "distance": 1})) == (
        "nearVector: {vector: [0.5] distance: 1.0} "
    )
    with pytest.raises(ValueError, match="finite"):
        get(query).with_near_vector({"vector": [float("inf")]})
    with pytest.raises(ValueError, match="empty"):
        get(query).with_near_vector({"vector": []})
    with pytest.raises(TypeError, match=r"vector\[1\]"):
        get(query).with_near_vector({"vector": [1.0, "2"]})
    with pytest.raises(ValueError, match="'vector'"):
        get(query).with_near_vector({"certainty": 0.5})
    # the fast check of plain floats refuses what the item-by-item one does, and names it
    with pytest.raises(TypeError, match=r"vector\[1\] must be a number, got bool"):
        get(query).with_near_vector({"vector": [1.0, True]})
    with pytest.raises(ValueError, match=r"vector\[2\]"):
        get(query).with_near_vector({"vector": [1.0, 2.0, float("nan")]})
    with pytest.raises(ValueError, match=r"vector\[0\] is an int beyond the float range"):
        get(query).with_near_vector({"vector": [10**400]})
    assert arguments(get(query).with_near_vector({"vector": [1e308, 1e308]})) == (
        "nearVector: {vector: [1e+308, 1e+308]} "
    )  # (finite items whose sum is not)


def test_near_object(query: Query) -> None:
    assert arguments(get(query).with_near_object({"id": UUID, "distance": 0.2})) == (
        f'nearObject: {{id: "{UUID}" distance: 0.2}} '
    )
    assert arguments(get(query).with_near_object({"id": uuid.UUID(UUID)})) == (
        f'nearObject: {{id: "{UUID}"}} '
    )
    beacon = f"weaviate://localhost/Article/{UUID}"
    assert arguments(get(query).with_near_object({"beacon": beacon, "certainty": 0.7})) == (
        f'nearObject: {{beacon: "{beacon}" certainty: 0.7}} '
    )
    with pytest.raises(ValueError, match="exactly one"):
        get(query).with_near_object({"id": UUID, "beacon": beacon})
    with pytest.raises(ValueError, match="uuid"):
        get(query).with_near_object({"id": "not-a-uuid"})


def test_only_one_near_operator(query: Query) -> None:
    builder = get(query).with_near_vector({"vector": [1.0]})
    with pytest.raises(AttributeError, match="multiple 'near'"):
        builder.with_near_text({"concepts": "x"})
    with pytest.raises(AttributeError, match="multiple 'near'"):
        builder.with_near_object({"id": UUID})


# -- keyword and hybrid search, grouping, sorting --------------------------------------------


def test_bm25(query: Query) -> None:
    assert arguments(get(query).with_bm25("fashion")) == 'bm25:{query: "fashion"}'
    assert arguments(get(query).with_bm25('a "b" \\', ["title^2", "body"])) == (
        r'bm25:{query: "a \"b\" \\", properties: ["title^2","body"]}'
    )
    # None or an empty list: all properties (as v3)
    assert arguments(get(query).with_bm25("x", [])) == 'bm25:{query: "x"}'
    with pytest.raises(TypeError, match="bm25 query"):
        get(query).with_bm25(None)  # type: ignore[arg-type]


def test_hybrid(query: Query) -> None:
    assert arguments(get(query).with_hybrid("fashion")) == 'hybrid:{query: "fashion"}'
    assert arguments(get(query).with_hybrid("x", properties=[])) == 'hybrid:{query: "x"}'
    built = get(query).with_hybrid(
        "fashion",
        alpha=0.25,
        vector=[1, 2.5],
        properties=["title"],
        fusion_type=HybridFusion.RELATIVE_SCORE,
    )
    assert arguments(built) == (
        'hybrid:{query: "fashion", vector: [1.0, 2.5], alpha: 0.25, properties: ["title"], '
        "fusionType: relativeScoreFusion}"
    )
    ranked = get(query).with_hybrid("x", fusion_type="rankedFusion")  # type: ignore[arg-type]
    assert arguments(ranked) == 'hybrid:{query: "x", fusionType: rankedFusion}'
    with pytest.raises(ValueError, match="HybridFusion"):
        get(query).with_hybrid("x", fusion_type="ranked")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="alpha"):
        get(query).with_hybrid("x", alpha="0.5")  # type: ignore[arg-type]


def test_group_by(query: Query) -> None:
    assert arguments(get(query).with_group_by(["author"], 2, 3)) == (
        'groupBy:{path:["author"], groups:2, objectsPerGroup:3}'
    )
    with pytest.raises(ValueError, match="groups"):
        get(query).with_group_by(["author"], 0, 3)
    with pytest.raises(TypeError, match="objects_per_group"):
        get(query).with_group_by(["author"], 1, 2.0)  # type: ignore[arg-type]


def test_sort(query: Query) -> None:
    assert arguments(get(query).with_sort({"path": ["title"], "order": "asc"})) == (
        'sort: [{ path: ["title"] order: asc } ]'
    )
    builder = get(query).with_sort([{"path": "a", "order": "desc"}, {"path": ["b"]}])
    builder.with_sort({"path": ["c"], "order": "asc"})
    assert arguments(builder) == (
        'sort: [{ path: ["a"] order: desc } { path: ["b"] } { path: ["c"] order: asc } ]'
    )
    with pytest.raises(ValueError, match="'asc' or 'desc'"):
        get(query).with_sort({"path": ["a"], "order": "ascending"})
    with pytest.raises(ValueError, match="'path'"):
        get(query).with_sort({"order": "asc"})


# -- paging and options ---------------------------------------------------------------------


def test_paging_and_options(query: Query) -> None:
    assert arguments(get(query).with_limit(5).with_offset(0)) == "limit: 5 offset: 0 "
    assert arguments(get(query).with_after(uuid.UUID(UUID))) == f'after: "{UUID}"'
    assert arguments(get(query).with_autocut(1)) == "autocut: 1"
    assert arguments(get(query).with_tenant('ten"ant')) == r'tenant: "ten\"ant"'
    assert arguments(get(query).with_consistency_level(ConsistencyLevel.QUORUM)) == (
        "consistencyLevel: QUORUM "
    )
    level = get(query).with_consistency_level("ALL")  # type: ignore[arg-type]
    assert arguments(level) == "consistencyLevel: ALL "


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda b: b.with_limit(0), ValueError, "limit must be >= 1"),
        (lambda b: b.with_limit("5"), TypeError, "limit"),
        (lambda b: b.with_offset(-1), ValueError, "offset must be >= 0"),
        (lambda b: b.with_after("123"), ValueError, "uuid"),
        (lambda b: b.with_autocut(True), TypeError, "autocut"),
        (lambda b: b.with_tenant(3), TypeError, "tenant"),
        (lambda b: b.with_consistency_level("MOST"), ValueError, "ConsistencyLevel"),
        (lambda b: b.with_alias("my alias"), ValueError, "alias"),
        (lambda b: b.with_alias("a:b"), ValueError, "alias"),
    ],
)
def test_invalid_options_are_rejected(
    query: Query, call: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call(get(query))


def test_alias(query: Query) -> None:
    assert get(query).with_alias("first").build() == "{Get{first: Article{title}}}"


def test_every_argument_in_a_stable_order(query: Query) -> None:
    builder = (
        query.get("Article", ["title"])
        .with_autocut(2)
        .with_tenant("t")
        .with_consistency_level(ConsistencyLevel.ONE)
        .with_after(UUID)
        .with_group_by(["a"], 1, 1)
        .with_hybrid("h")
        .with_bm25("b")
        .with_sort({"path": ["a"]})
        .with_near_vector({"vector": [1.0]})
        .with_offset(3)
        .with_limit(2)
        .with_where({"path": ["a"], "operator": "Equal", "valueInt": 1})
        .with_alias("q")
    )
    assert builder.build() == (
        '{Get{q: Article(where: {path: ["a"] operator: Equal valueInt: 1} limit: 2 offset: 3 '
        'nearVector: {vector: [1.0]} sort: [{ path: ["a"] } ]bm25:{query: "b"}'
        'hybrid:{query: "h"}groupBy:{path:["a"], groups:1, objectsPerGroup:1}'
        f'after: "{UUID}"consistencyLevel: ONE tenant: "t"autocut: 2){{title}}}}}}'
    )


# -- _additional ----------------------------------------------------------------------------


def additional(builder: GetBuilder) -> str:
    """The ``_additional`` selection, in v3's layout: ``_additional {a b {c } }``."""
    match = re.fullmatch(r"\{Get\{Article\{title (_additional.*)\}\}\}", builder.build())
    assert match, builder.build()
    return match.group(1)


def test_additional_forms(query: Query) -> None:
    assert additional(get(query).with_additional("id")) == "_additional {id }"
    assert (
        additional(get(query).with_additional(["id", "distance"])) == "_additional {distance id }"
    )
    assert additional(get(query).with_additional(["id"]).with_additional("id")) == (
        "_additional {id }"
    )
    assert additional(get(query).with_additional({"classification": "completed"})) == (
        "_additional {classification {completed } }"
    )
    assert additional(get(query).with_additional({"classification": ["scope", "basedOn"]})) == (
        "_additional {classification {basedOn scope } }"
    )
    nested = {
        "group": [
            "id",
            {"groupedBy": ["value", "path"]},
            "count",
            {"hits": ["title", {"_additional": ["id", "distance"]}]},
        ]
    }
    assert additional(get(query).with_additional(nested)) == (
        "_additional {group {count groupedBy{value path} "
        "hits{title _additional{id distance}} id } }"
    )
    assert additional(get(query).with_additional({"_additional": ["id", "vector"]})) == (
        "_additional {id vector }"
    )
    assert additional(get(query).with_additional(["id", {"classification": ["scope"]}])) == (
        "_additional {id classification {scope } }"
    )
    settings = ({"featureProjection": "vector"}, {"dimensions": 3})
    assert additional(get(query).with_additional(settings)) == (
        "_additional {featureProjection(dimensions: 3 ) {vector } }"
    )
    flags = AdditionalProperties(uuid=True, distance=True, creationTimeUnix=True)
    assert additional(get(query).with_additional(flags)) == (
        "_additional{id creationTimeUnix distance} "
    )
    mixed = get(query).with_additional(flags).with_additional("vector")
    assert additional(mixed) == "_additional {creationTimeUnix distance id vector }"
    raw = get(query).with_additional("group { id hits { title } }")
    assert additional(raw) == "_additional {group { id hits { title } } }"


def test_same_additional_field_is_replaced(query: Query) -> None:
    builder = get(query).with_additional({"classification": ["scope"]})
    builder.with_additional({"classification": ["basedOn"]})
    assert additional(builder) == "_additional {classification {basedOn } }"


@pytest.mark.parametrize(
    "bad",
    ["id}", ["id", "dist ance{"], {"group": []}, {"group": {}}, {"gro up}": "id"}, 42],
)
def test_invalid_additional_is_rejected(query: Query, bad: Any) -> None:
    with pytest.raises((TypeError, ValueError), match="additional"):
        get(query).with_additional(bad)


def test_generate(query: Query) -> None:
    single = get(query).with_generate(single_prompt='Explain {title} "simply"')
    assert additional(single) == (
        r'_additional {generate(singleResult:{prompt:"Explain {title} \"simply\""})'
        "{error singleResult} }"
    )
    grouped = get(query).with_generate(grouped_task="Summarize", grouped_properties=["title"])
    assert additional(grouped) == (
        '_additional {generate(groupedResult:{task:"Summarize",properties:["title"]})'
        "{error groupedResult} }"
    )
    again = get(query).with_generate(single_prompt="a").with_generate(grouped_task="b")
    assert additional(again) == (  # (a second call replaces the first)
        '_additional {generate(groupedResult:{task:"b"}){error groupedResult} }'
    )
    with pytest.raises(TypeError, match="single_prompt"):
        get(query).with_generate()


# -- the caller's input is never changed ----------------------------------------------------


def test_caller_dicts_are_not_mutated(query: Query) -> None:
    where = {
        "operator": "And",
        "operands": [
            {"path": "a", "operator": "Equal", "valueDate": WHEN},
            {"path": ["b"], "operator": "ContainsAny", "valueTextArray": ["x", "y"]},
        ],
    }
    near_text = {
        "concepts": "x",
        "moveTo": {"force": 0.5, "objects": {"id": uuid.UUID(UUID)}},
        "moveAwayFrom": {"force": 0.5, "concepts": ["y"]},
    }
    near_vector = {"vector": [1, 2]}
    near_object = {"id": uuid.UUID(UUID)}
    sort = [{"path": "a"}]
    additional_spec = {"group": ["id", {"hits": ["title"]}]}
    properties: list[str | LinkTo] = ["title", LinkTo("ofAuthor", "Author", ["name"])]
    vector = [1, 2]
    fields = ["title"]
    inputs = [where, near_text, near_vector, near_object, sort, additional_spec, properties]
    before = copy.deepcopy([*inputs, vector, fields])
    query.get("Article", properties).with_where(where).with_near_text(near_text).with_sort(
        sort
    ).with_additional(additional_spec).with_hybrid("q", vector=vector, properties=fields).build()
    query.get("Article", "title").with_near_vector(near_vector).build()
    query.get("Article", "title").with_near_object(near_object).build()
    query.aggregate("Article").with_where(where).with_group_by_filter(fields).with_meta_count()
    assert [*inputs, vector, fields] == before


# -- Aggregate ------------------------------------------------------------------------------


def test_aggregate(query: Query) -> None:
    assert query.aggregate("article").with_meta_count().build() == (
        "{Aggregate{Article{meta{count}}}}"
    )
    builder = (
        query.aggregate("Article")
        .with_meta_count()
        .with_fields("wordCount { mean maximum }")
        .with_fields({"groupedBy": ["value", "path"]})
        .with_group_by_filter(["author"])
        .with_where({"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 1})
        .with_near_vector({"vector": [0.5], "distance": 0.5})
        .with_object_limit(10)
        .with_tenant("t")
        .with_limit(3)
    )
    assert isinstance(builder, AggregateBuilder)
    assert builder.build() == (
        '{Aggregate{Article(where: {path: ["wordCount"] operator: GreaterThan valueInt: 1} '
        'groupBy: ["author"]nearVector: {vector: [0.5] distance: 0.5} objectLimit: 10'
        'tenant: "t"limit: 3){meta{count}wordCount { mean maximum }groupedBy{value path}}}}'
    )
    text = query.aggregate("Article").with_near_text({"concepts": "x"}).with_meta_count()
    assert text.build() == '{Aggregate{Article(nearText: {concepts: ["x"]} ){meta{count}}}}'
    near_object = query.aggregate("Article").with_near_object({"id": UUID}).with_meta_count()
    assert (
        near_object.build()
        == f'{{Aggregate{{Article(nearObject: {{id: "{UUID}"}} ){{meta{{count}}}}}}}}'
    )


def test_invalid_aggregate_is_rejected(query: Query) -> None:
    with pytest.raises(AttributeError, match="with_meta_count"):
        query.aggregate("Article").build()
    with pytest.raises(ValueError, match="field"):
        query.aggregate("Article").with_fields("wordCount { mean")
    with pytest.raises(ValueError, match="limit"):
        query.aggregate("Article").with_object_limit(0)
    with pytest.raises(AttributeError, match="multiple 'near'"):
        query.aggregate("A").with_near_vector({"vector": [1.0]}).with_near_text({"concepts": "x"})
    with pytest.raises(ValueError, match="class_name"):
        query.aggregate("A-B")


# -- multi_get and raw ----------------------------------------------------------------------


def test_multi_get(query: Query) -> None:
    first = query.get("Article", "title").with_alias("short").with_limit(1)
    second = query.get("Author", ["name"]).with_where(
        {"path": ["name"], "operator": "Equal", "valueText": "x"}
    )
    built = query.multi_get([first, second]).build()
    assert built == (
        '{Get{short: Article(limit: 1 ){title}Author(where: {path: ["name"] operator: Equal '
        'valueText: "x"} ){name}}}'
    )


def test_multi_get_checks_its_builders(query: Query) -> None:
    with pytest.raises(ValueError, match="different aliases"):
        query.multi_get([query.get("Article", "title"), query.get("Article", "body")])
    with pytest.raises(TypeError, match="item 1"):
        query.multi_get([query.get("Article", "title"), "Author"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="list of GetBuilder"):
        query.multi_get(query.get("Article", "title"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one"):
        query.multi_get([])


def test_raw_needs_a_string(query: Query) -> None:
    with pytest.raises(TypeError, match="gql_query"):
        query.raw({"query": "{Get{A{b}}}"})  # type: ignore[arg-type]


# -- v3's *List value keys --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "values", "expected"),
    [
        ("valueTextList", ["a", "b"], 'valueText: ["a","b"]'),
        ("valueStringList", ["a"], 'valueString: ["a"]'),
        ("valueIntList", [1, 2], "valueInt: [1, 2]"),
        ("valueNumberList", [0.5, 2], "valueNumber: [0.5, 2.0]"),
        ("valueBooleanList", [True, False], "valueBoolean: [true, false]"),
        ("valueDateList", ["2020-01-01T00:00:00Z"], 'valueDate: ["2020-01-01T00:00:00Z"]'),
    ],
)
def test_list_value_keys_mean_the_array_keys(
    query: Query, key: str, values: list[Any], expected: str
) -> None:
    content = {"path": ["x"], "operator": "ContainsAny", key: values}
    built = arguments(get(query).with_where(content))
    assert built == f'where: {{path: ["x"] operator: ContainsAny {expected}}} '
    array = {"path": ["x"], "operator": "ContainsAny", key.replace("List", "Array"): values}
    assert built == arguments(get(query).with_where(array))
    with pytest.raises(FilterError, match="must be a list"):
        get(query).with_where({"path": ["x"], "operator": "ContainsAny", key: values[0]})
    # the REST form (batch delete) has v3's *Array keys, as v3 wrote it
    rest = filter_json(parse_where(content))
    assert set(rest) == {"path", "operator", key.replace("List", "Array")}
    assert rest == filter_json(parse_where(array))


# -- near<Media> and ask ----------------------------------------------------------------------

PIXEL = b"\x89PNG\r\n\x1a\n"
PIXEL_B64 = "iVBORw0KGgo="


@pytest.mark.parametrize(
    ("method", "key", "argument"),
    [
        ("with_near_image", "image", "nearImage"),
        ("with_near_audio", "audio", "nearAudio"),
        ("with_near_video", "video", "nearVideo"),
        ("with_near_depth", "depth", "nearDepth"),
        ("with_near_thermal", "thermal", "nearThermal"),
        ("with_near_imu", "imu", "nearIMU"),
    ],
)
def test_near_media(query: Query, tmp_path: Any, method: str, key: str, argument: str) -> None:
    path = tmp_path / "media.bin"
    path.write_bytes(PIXEL)
    expected = f'{argument}: {{{key}: "{PIXEL_B64}" certainty: 0.5}} '
    content = {key: str(path), "certainty": 0.5}
    assert arguments(getattr(get(query), method)(content)) == expected
    assert content == {key: str(path), "certainty": 0.5}  # (v3 replaced the path in it)
    with path.open("rb") as file:
        assert arguments(getattr(get(query), method)({key: file, "certainty": 0.5})) == expected
    plain = getattr(get(query), method)({key: PIXEL_B64, "distance": 0.1}, encode=False)
    assert arguments(plain) == f'{argument}: {{{key}: "{PIXEL_B64}" distance: 0.1}} '
    aggregate = getattr(query.aggregate("Article").with_meta_count(), method)(
        {key: str(path)}
    ).build()
    assert (
        aggregate
        == f'{{Aggregate{{Article({argument}: {{{key}: "{PIXEL_B64}"}} ){{meta{{count}}}}}}}}'
    )
    with pytest.raises(ValueError, match="No file found at location"):
        getattr(get(query), method)({key: str(tmp_path / "missing.png")})
    with pytest.raises(ValueError, match=f"needs '{key}'"):
        getattr(get(query), method)({"certainty": 0.5})
    with pytest.raises(ValueError, match="not both"):
        getattr(get(query), method)({key: "x", "certainty": 0.5, "distance": 1}, encode=False)
    with pytest.raises(ValueError, match="'vector'"):
        getattr(get(query), method)({key: "x", "vector": [1]}, encode=False)
    with pytest.raises(AttributeError, match="multiple 'near'"):
        getattr(get(query).with_near_vector({"vector": [1.0]}), method)({key: "x"}, encode=False)


def test_ask(query: Query) -> None:
    assert arguments(get(query).with_ask({"question": 'Who "wrote" it?'})) == (
        r'ask: {question: "Who \"wrote\" it?"} '
    )
    full = {
        "question": "q",
        "rerank": True,
        "autocorrect": False,
        "properties": "summary",
        "distance": 0.5,
    }
    assert arguments(get(query).with_ask(full)) == (
        'ask: {question: "q" distance: 0.5 properties: ["summary"] autocorrect: false '
        "rerank: true} "
    )
    with pytest.raises(ValueError, match="question"):
        get(query).with_ask({"certainty": 0.5})
    with pytest.raises(TypeError, match="rerank"):
        get(query).with_ask({"question": "q", "rerank": "yes"})
    with pytest.raises(ValueError, match="'answer'"):
        get(query).with_ask({"question": "q", "answer": 1})
    with pytest.raises(AttributeError, match="'ask'"):
        get(query).with_ask({"question": "q"}).with_near_text({"concepts": "x"})


# -- Dep003: generative search on a server before 1.17.3 ----------------------------------------


@pytest.mark.parametrize(
    ("version", "too_old"),
    [
        ("1.17.2", True),
        ("1.9.0", True),  # (v3 compared text, so it missed this one)
        ("1.16", True),
        ("0.22.20", True),
        ("1.17.3", False),
        ("1.17.3-rc.0", False),
        ("1.39.3", False),
        ("2.0.0", False),
        ("unknown", False),
    ],
)
def test_generative_search_version_check(version: str, too_old: bool) -> None:
    from wvorm.gql.base import generative_search_unsupported, warn_if_generative_search_unsupported

    assert generative_search_unsupported(version) is too_old
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warn_if_generative_search_unsupported(version)
    if not too_old:
        assert caught == []
        return
    (warning,) = caught
    assert warning.category is DeprecationWarning
    assert str(warning.message) == (  # v3's text, word for word
        "Dep003: You are trying to use the generative search, but you are connected to "
        f"Weaviate {version}.\n            Support for generative search was added in weaviate "
        "version 1.17.3."
    )


def test_building_a_generative_query_asks_the_server_nothing(query: Query) -> None:
    # port 9 has no server: build() and with_generate() must not try to read the version
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "generate(" in get(query).with_generate(single_prompt="x").build()

"""Query-builder calls whose GraphQL text wvorm must write exactly as weaviate-client
3.26.7 wrote it.

Each case takes a ``query`` object (v3's ``client.query`` or wvorm's: the same API)
and returns a builder; ``build()`` of it is compared. ``generate_v3_graphql.py``
records v3's texts in ``graphql_v3.json``; ``test_graphql_text.py`` checks wvorm's.
This module imports neither library: the classes a case needs (``LinkTo``,
``HybridFusion`` ...) are taken from the library ``query`` belongs to, by their v3
module paths.

``CASES`` must give equal text. ``DIFFERENCES`` are calls where v3's text is wrong
(bad escaping, a broken query or an exception): ``test_graphql_text.py`` writes out
wvorm's text for each and says what v3 gets wrong.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

Case = Callable[[Any], Any]

UUID = "fc7eb129-f138-457f-b727-1b29db191a67"
UUID2 = "a1b2c3d4-0000-4000-8000-000000000001"
BEACON = f"weaviate://localhost/Article/{UUID}"
PIXEL = Path(__file__).with_name("pixel.png")  # a 1x1 PNG, for encode=True
PIXEL_B64 = "iVBORw0KGgo="  # any base64 text, for encode=False

CASES: dict[str, Case] = {}
DIFFERENCES: dict[str, Case] = {}


def api(query: Any, module: str) -> ModuleType:
    """``weaviate.<module>`` or ``wvorm.<module>``: the library ``query`` comes from."""
    root = type(query).__module__.split(".")[0]
    return importlib.import_module(f"{root}.{module}")


def case(name: str, table: dict[str, Case] = CASES) -> Callable[[Case], Case]:
    def register(function: Case) -> Case:
        assert name not in table, name
        table[name] = function
        return function

    return register


def article(query: Any) -> Any:
    return query.get("Article", ["title"])


def where(content: dict[str, Any]) -> Case:
    return lambda query: article(query).with_where(content)


# -- the spec's examples --------------------------------------------------------------------

SPEC_WHERE = {"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 1000}
SPEC_NEAR_TEXT = {
    "concepts": ["fashion"],
    "certainty": 0.7,
    "moveAwayFrom": {"concepts": ["finance"], "force": 0.45},
    "moveTo": {"concepts": ["haute couture"], "force": 0.85},
}


@case("spec_builder_pattern")
def _spec(query: Any) -> Any:
    return (
        query.get("Article", ["title"])
        .with_where(SPEC_WHERE)
        .with_near_text(SPEC_NEAR_TEXT)
        .with_limit(50)
    )


# -- properties -----------------------------------------------------------------------------

CASES["properties_str"] = lambda query: query.get("Article", "title")
CASES["properties_list"] = lambda query: query.get("Article", ["title", "wordCount", "url"])
CASES["class_name_lowercase"] = lambda query: query.get("article", ["title"])
CASES["properties_raw_reference"] = lambda query: query.get(
    "Article", ["title", "ofAuthor { ... on Author { name _additional { id } } }"]
)


@case("properties_linkto")
def _linkto(query: Any) -> Any:
    link_to = api(query, "gql.get").LinkTo
    return query.get("Author", ["name", link_to("wroteArticles", "Article", ["title", "url"])])


@case("properties_linkto_nested")
def _linkto_nested(query: Any) -> Any:
    link_to = api(query, "gql.get").LinkTo
    inner = link_to("inPublication", "Publication", ["name"])
    return query.get("Author", [link_to("wroteArticles", "Article", ["title", inner])])


CASES["only_additional"] = lambda query: query.get("Article").with_additional("id")

# -- where ----------------------------------------------------------------------------------

for _operator in ("Equal", "NotEqual", "GreaterThan", "GreaterThanEqual", "LessThan",
                  "LessThanEqual"):  # fmt: skip
    CASES[f"where_{_operator}_int"] = where(
        {"path": ["wordCount"], "operator": _operator, "valueInt": 1000}
    )
CASES["where_Like_text"] = where({"path": ["title"], "operator": "Like", "valueText": "New *"})
CASES["where_Equal_string"] = where(
    {"path": ["title"], "operator": "Equal", "valueString": "New York"}
)
CASES["where_Equal_text_unicode"] = where(
    {"path": ["title"], "operator": "Equal", "valueText": "Café déjà vu"}
)
CASES["where_number"] = where({"path": ["score"], "operator": "LessThan", "valueNumber": 0.25})
CASES["where_boolean"] = where({"path": ["published"], "operator": "Equal", "valueBoolean": True})
CASES["where_IsNull"] = where({"path": ["title"], "operator": "IsNull", "valueBoolean": False})
CASES["where_date"] = where(
    {"path": ["when"], "operator": "GreaterThan", "valueDate": "2023-01-01T00:00:00Z"}
)
CASES["where_id"] = where({"path": ["id"], "operator": "Equal", "valueString": UUID})
CASES["where_reference_path"] = where(
    {"path": ["ofAuthor", "Author", "name"], "operator": "Equal", "valueText": "Jane"}
)
CASES["where_geo_range"] = where(
    {
        "path": ["location"],
        "operator": "WithinGeoRange",
        "valueGeoRange": {
            "geoCoordinates": {"latitude": 52.37, "longitude": 4.89},
            "distance": {"max": 2000.0},
        },
    }
)
for _operator in ("ContainsAny", "ContainsAll"):
    CASES[f"where_{_operator}_text_array"] = where(
        {"path": ["tags"], "operator": _operator, "valueTextArray": ["a", "b c"]}
    )
    CASES[f"where_{_operator}_text_list"] = where(
        {"path": ["tags"], "operator": _operator, "valueTextList": ["a", "b c"]}
    )
CASES["where_string_array"] = where(
    {"path": ["tags"], "operator": "ContainsAny", "valueStringArray": ["x", "y"]}
)
CASES["where_string_list"] = where(
    {"path": ["tags"], "operator": "ContainsAny", "valueStringList": ["x", "y"]}
)
CASES["where_text_list_under_plain_key"] = where(
    {"path": ["tags"], "operator": "ContainsAny", "valueText": ["x", "y"]}
)
CASES["where_int_array"] = where(
    {"path": ["counts"], "operator": "ContainsAny", "valueIntArray": [1, 2, 3]}
)
CASES["where_int_list"] = where(
    {"path": ["counts"], "operator": "ContainsAll", "valueIntList": [1, 2]}
)
CASES["where_number_array"] = where(
    {"path": ["scores"], "operator": "ContainsAny", "valueNumberArray": [0.5, 1.5]}
)
CASES["where_number_list"] = where(
    {"path": ["scores"], "operator": "ContainsAny", "valueNumberList": [0.5, 1.5]}
)
CASES["where_and"] = where(
    {
        "operator": "And",
        "operands": [
            {"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 1000},
            {"path": ["wordCount"], "operator": "LessThan", "valueInt": 1500},
        ],
    }
)
CASES["where_or_nested_and"] = where(
    {
        "operator": "Or",
        "operands": [
            {"path": ["title"], "operator": "Equal", "valueText": "A"},
            {
                "operator": "And",
                "operands": [
                    {"path": ["score"], "operator": "GreaterThanEqual", "valueNumber": 0.5},
                    {"path": ["tags"], "operator": "ContainsAny", "valueTextArray": ["x"]},
                ],
            },
        ],
    }
)

# -- near searches --------------------------------------------------------------------------


def near_text(content: dict[str, Any]) -> Case:
    return lambda query: article(query).with_near_text(content)


CASES["near_text_str"] = near_text({"concepts": "fashion"})
CASES["near_text_certainty"] = near_text({"concepts": ["fashion", "style"], "certainty": 0.7})
CASES["near_text_distance"] = near_text({"concepts": ["fashion"], "distance": 0.3})
CASES["near_text_move_objects"] = near_text(
    {
        "concepts": ["fashion"],
        "moveTo": {"objects": [{"id": UUID}, {"beacon": BEACON}], "force": 0.5},
        "moveAwayFrom": {"concepts": "finance", "objects": {"id": UUID2}, "force": 0.25},
    }
)
CASES["near_text_autocorrect"] = near_text(
    {"concepts": ["fashon"], "distance": 0.5, "autocorrect": True}
)
CASES["near_text_autocorrect_false"] = near_text({"concepts": ["x"], "autocorrect": False})
CASES["near_vector"] = lambda query: article(query).with_near_vector({"vector": [0.1, 0.2, 0.3]})
CASES["near_vector_certainty"] = lambda query: article(query).with_near_vector(
    {"vector": [0.1, -0.2, 3.5e-05], "certainty": 0.75}
)
CASES["near_vector_distance_limit"] = lambda query: (
    article(query).with_near_vector({"vector": [0.5, 0.25], "distance": 0.5}).with_limit(2)
)
CASES["near_object_id"] = lambda query: article(query).with_near_object({"id": UUID})
CASES["near_object_beacon_certainty"] = lambda query: article(query).with_near_object(
    {"beacon": BEACON, "certainty": 0.8}
)
CASES["near_object_distance"] = lambda query: article(query).with_near_object(
    {"id": UUID, "distance": 0.2}
)

for _media in ("image", "audio", "video", "depth", "thermal", "imu"):
    CASES[f"near_{_media}_base64"] = (
        lambda m: (
            lambda query: getattr(article(query), f"with_near_{m}")(
                {m: PIXEL_B64, "certainty": 0.5}, encode=False
            )
        )
    )(_media)
    CASES[f"near_{_media}_file_path"] = (
        lambda m: (
            lambda query: getattr(article(query), f"with_near_{m}")(
                {m: str(PIXEL), "distance": 0.25}
            )
        )
    )(_media)
    CASES[f"aggregate_near_{_media}"] = (
        lambda m: lambda query: getattr(query.aggregate("Article").with_meta_count(),
                                        f"with_near_{m}")({m: PIXEL_B64}, encode=False)
    )(_media)  # fmt: skip


@case("near_image_file_object")
def _near_image_file(query: Any) -> Any:
    with PIXEL.open("rb") as file:
        return article(query).with_near_image({"image": file})


CASES["ask_minimal"] = lambda query: article(query).with_ask({"question": "Who is the author?"})
CASES["ask_full"] = lambda query: article(query).with_ask(
    {
        "question": "Who is the author?",
        "certainty": 0.5,
        "properties": ["title", "summary"],
        "autocorrect": True,
        "rerank": False,
    }
)
CASES["ask_properties_str"] = lambda query: (
    article(query)
    .with_ask({"question": "What?", "distance": 0.1, "properties": "title"})
    .with_additional({"answer": ["hasAnswer", "result", "certainty"]})
)

# -- keyword and hybrid search --------------------------------------------------------------

CASES["bm25"] = lambda query: article(query).with_bm25("fashion")
CASES["bm25_properties"] = lambda query: article(query).with_bm25("fashion", ["title^2", "body"])
CASES["bm25_empty_properties"] = lambda query: article(query).with_bm25("fashion", [])
CASES["bm25_limit_additional"] = lambda query: (
    article(query).with_bm25("fashion").with_limit(3).with_additional(["score", "explainScore"])
)
CASES["hybrid"] = lambda query: article(query).with_hybrid("fashion")
CASES["hybrid_alpha"] = lambda query: article(query).with_hybrid("fashion", alpha=0.25)
CASES["hybrid_vector"] = lambda query: article(query).with_hybrid(
    "fashion", alpha=0.5, vector=[0.1, 0.2]
)
CASES["hybrid_properties"] = lambda query: article(query).with_hybrid(
    "fashion", properties=["title", "body"]
)
CASES["hybrid_empty_properties"] = lambda query: article(query).with_hybrid(
    "fashion", properties=[]
)


@case("hybrid_fusion_ranked")
def _hybrid_ranked(query: Any) -> Any:
    fusion = api(query, "gql.get").HybridFusion
    return article(query).with_hybrid("fashion", alpha=0.75, fusion_type=fusion.RANKED)


@case("hybrid_all")
def _hybrid_all(query: Any) -> Any:
    fusion = api(query, "gql.get").HybridFusion
    return (
        article(query)
        .with_hybrid("fashion", 0.5, [0.5, 0.25], ["title"], fusion.RELATIVE_SCORE)
        .with_limit(5)
        .with_additional("score")
    )


# -- paging, sorting, options ---------------------------------------------------------------

CASES["limit"] = lambda query: article(query).with_limit(20)
CASES["limit_offset"] = lambda query: article(query).with_limit(20).with_offset(40)
CASES["offset_zero"] = lambda query: article(query).with_offset(0)
CASES["after"] = lambda query: article(query).with_limit(10).with_after(UUID)
CASES["sort_single"] = lambda query: article(query).with_sort({"path": ["title"], "order": "asc"})
CASES["sort_list"] = lambda query: article(query).with_sort(
    [{"path": ["wordCount"], "order": "desc"}, {"path": ["title"], "order": "asc"}]
)
CASES["sort_twice"] = lambda query: (
    article(query)
    .with_sort({"path": ["title"], "order": "asc"})
    .with_sort([{"path": ["_creationTimeUnix"], "order": "desc"}])
    .with_limit(3)
)
CASES["group_by"] = lambda query: (
    article(query)
    .with_near_vector({"vector": [0.1, 0.2]})
    .with_group_by(["tag"], groups=2, objects_per_group=3)
    .with_additional(["distance"])
)
CASES["group_by_additional_group"] = lambda query: (
    query.get("Article")
    .with_near_object({"id": UUID})
    .with_group_by(["tag", "title"], 3, 1)
    .with_additional({"group": ["id", "count", "maxDistance", "minDistance"]})
)
CASES["tenant"] = lambda query: article(query).with_tenant("tenantA")
CASES["tenant_limit"] = lambda query: article(query).with_limit(2).with_tenant("tenantA")
CASES["autocut"] = lambda query: article(query).with_near_text({"concepts": ["x"]}).with_autocut(1)
CASES["alias"] = lambda query: article(query).with_alias("first").with_limit(1)


@case("consistency_level")
def _consistency(query: Any) -> Any:
    level = api(query, "data.replication").ConsistencyLevel
    return article(query).with_consistency_level(level.QUORUM)


@case("every_argument")
def _every_argument(query: Any) -> Any:
    level = api(query, "data.replication").ConsistencyLevel
    return (
        article(query)
        .with_where({"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 10})
        .with_limit(5)
        .with_offset(1)
        .with_near_vector({"vector": [0.5, 0.5], "certainty": 0.5})
        .with_sort({"path": ["title"], "order": "desc"})
        .with_group_by(["tag"], 2, 2)
        .with_consistency_level(level.ONE)
        .with_tenant("t1")
        .with_autocut(2)
        .with_additional(["id", "distance"])
    )


CASES["bm25_then_after_arguments"] = lambda query: (
    article(query).with_bm25("x", ["title"]).with_tenant("t").with_autocut(1)
)
CASES["bm25_where_limit"] = lambda query: (
    article(query)
    .with_bm25("x")
    .with_where({"path": ["title"], "operator": "Like", "valueText": "*a*"})
    .with_limit(3)
)

# -- _additional ----------------------------------------------------------------------------

CASES["additional_str"] = lambda query: article(query).with_additional("id")
CASES["additional_list_sorted"] = lambda query: article(query).with_additional(
    ["vector", "id", "distance", "creationTimeUnix"]
)
CASES["additional_twice"] = lambda query: (
    article(query).with_additional("id").with_additional(["id", "certainty"])
)
CASES["additional_dict_classification"] = lambda query: article(query).with_additional(
    {"classification": ["basedOn", "classifiedFields", "completed", "id", "scope"]}
)
CASES["additional_dict_str"] = lambda query: article(query).with_additional(
    {"featureProjection": "vector"}
)
CASES["additional_dict_and_str"] = lambda query: (
    article(query).with_additional({"classification": "completed"}).with_additional("id")
)
CASES["additional_dict_replaced"] = lambda query: (
    article(query)
    .with_additional({"classification": "completed"})
    .with_additional({"classification": ["basedOn", "scope"]})
)
CASES["additional_tuple_settings"] = lambda query: article(query).with_additional(
    ({"featureProjection": ["vector"]}, {"dimensions": 3, "algorithm": "tsne"})
)
CASES["additional_tuple_list_setting"] = lambda query: article(query).with_additional(
    ({"featureProjection": "vector"}, {"learningRate": 0.5, "perplexity": [1, 2]})
)


@case("additional_dataclass")
def _additional_dataclass(query: Any) -> Any:
    flags = api(query, "gql.get").AdditionalProperties
    return article(query).with_additional(flags(uuid=True, distance=True, vector=True))


@case("additional_dataclass_empty")
def _additional_dataclass_empty(query: Any) -> Any:
    flags = api(query, "gql.get").AdditionalProperties
    return article(query).with_additional(flags())


# -- generative search ----------------------------------------------------------------------

CASES["generate_single"] = lambda query: article(query).with_generate(
    single_prompt="Summarize {title}"
)
CASES["generate_grouped"] = lambda query: article(query).with_generate(
    grouped_task="Write a tweet about these"
)
CASES["generate_grouped_properties"] = lambda query: article(query).with_generate(
    grouped_task="Summarize", grouped_properties=["title", "body"]
)
CASES["generate_grouped_empty_properties"] = lambda query: article(query).with_generate(
    grouped_task="Summarize", grouped_properties=[]
)
CASES["generate_both"] = lambda query: (
    article(query)
    .with_near_text({"concepts": ["x"]})
    .with_limit(2)
    .with_generate(single_prompt="Explain {title}", grouped_task="Compare")
    .with_additional("id")
)
CASES["generate_single_with_grouped_properties"] = lambda query: article(query).with_generate(
    single_prompt="Explain {title}", grouped_properties=["title"]
)

# -- aggregate ------------------------------------------------------------------------------


def aggregate(query: Any) -> Any:
    return query.aggregate("Article")


CASES["aggregate_meta_count"] = lambda query: aggregate(query).with_meta_count()
CASES["aggregate_lowercase_class"] = lambda query: query.aggregate("article").with_meta_count()
CASES["aggregate_fields"] = lambda query: aggregate(query).with_fields(
    "wordCount { count mean maximum minimum }"
)
CASES["aggregate_meta_and_fields"] = lambda query: (
    aggregate(query).with_meta_count().with_fields("title { topOccurrences { value occurs } }")
)
CASES["aggregate_two_fields"] = lambda query: (
    aggregate(query).with_fields("wordCount {mean}").with_fields("score {maximum}")
)
CASES["aggregate_where"] = lambda query: (
    aggregate(query)
    .with_meta_count()
    .with_where({"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 10})
)
CASES["aggregate_group_by"] = lambda query: (
    aggregate(query)
    .with_group_by_filter(["tag"])
    .with_fields("groupedBy { value path }")
    .with_meta_count()
)
CASES["aggregate_group_by_where_near"] = lambda query: (
    aggregate(query)
    .with_where({"path": ["published"], "operator": "Equal", "valueBoolean": True})
    .with_group_by_filter(["tag", "title"])
    .with_near_vector({"vector": [0.1, 0.2], "distance": 0.5})
    .with_meta_count()
)
CASES["aggregate_near_text_object_limit"] = lambda query: (
    aggregate(query)
    .with_near_text({"concepts": ["fashion"], "certainty": 0.7})
    .with_object_limit(10)
    .with_meta_count()
)
CASES["aggregate_near_object"] = lambda query: (
    aggregate(query).with_near_object({"id": UUID, "distance": 0.3}).with_meta_count()
)
CASES["aggregate_tenant"] = lambda query: aggregate(query).with_tenant("t1").with_meta_count()
CASES["aggregate_group_by_limit"] = lambda query: (
    aggregate(query).with_group_by_filter(["tag"]).with_limit(2).with_meta_count()
)
CASES["aggregate_where_tenant"] = lambda query: (
    aggregate(query)
    .with_where({"path": ["title"], "operator": "Like", "valueText": "a*"})
    .with_tenant("t1")
    .with_fields("title {count}")
)

# (v3 writes `objectLimit: 5tenant:`, which Weaviate's parser reads as two tokens)
CASES["aggregate_object_limit_then_tenant"] = lambda query: (
    aggregate(query)
    .with_near_text({"concepts": ["x"]})
    .with_object_limit(5)
    .with_tenant("t")
    .with_meta_count()
)

# -- multi_get ------------------------------------------------------------------------------

CASES["multi_get"] = lambda query: query.multi_get(
    [
        query.get("Article", ["title"]).with_alias("articles").with_limit(2),
        query.get("Author", ["name"]).with_where(
            {"path": ["name"], "operator": "Equal", "valueText": "Jane"}
        ),
    ]
)
CASES["multi_get_same_class"] = lambda query: query.multi_get(
    [
        query.get("Article", ["title"]).with_alias("a").with_bm25("x"),
        query.get("Article", ["title"]).with_alias("b").with_additional("id"),
    ]
)


# == where v3 is wrong ======================================================================
# (test_graphql_text.py holds wvorm's text for each and says what v3 gets wrong)


def differs(name: str) -> Callable[[Case], Case]:
    return case(name, DIFFERENCES)


DIFFERENCES["where_text_quote_backslash"] = where(
    {"path": ["title"], "operator": "Equal", "valueText": 'say \\"hi\\" \\'}
)
DIFFERENCES["where_text_newline"] = where(
    {"path": ["title"], "operator": "Equal", "valueText": "line1\nline2"}
)
DIFFERENCES["where_text_array_quote"] = where(
    {"path": ["tags"], "operator": "ContainsAny", "valueTextArray": ['a"b', "c\\"]}
)
DIFFERENCES["where_boolean_array"] = where(
    {"path": ["flags"], "operator": "ContainsAny", "valueBooleanArray": [True, False]}
)
DIFFERENCES["where_boolean_list"] = where(
    {"path": ["flags"], "operator": "ContainsAll", "valueBooleanList": [True]}
)
DIFFERENCES["where_date_quote"] = where(
    {"path": ["when"], "operator": "Equal", "valueDate": '2023" injected'}
)
DIFFERENCES["bm25_query_backslash"] = lambda query: article(query).with_bm25("C:\\dir\\")
DIFFERENCES["bm25_query_newline"] = lambda query: article(query).with_bm25("two\nlines")
DIFFERENCES["bm25_property_quote"] = lambda query: article(query).with_bm25("x", ['ti"tle'])
DIFFERENCES["hybrid_query_backslash"] = lambda query: article(query).with_hybrid('end\\"')
DIFFERENCES["generate_prompt_backslash_newline"] = lambda query: article(query).with_generate(
    single_prompt="Use \\n for\nnewlines: {title}"
)
DIFFERENCES["near_object_beacon_quote"] = lambda query: article(query).with_near_object(
    {"beacon": 'weaviate://localhost/x"y'}
)
DIFFERENCES["tenant_quote"] = lambda query: article(query).with_tenant('t"1')
DIFFERENCES["near_text_astral"] = near_text({"concepts": ["party 🎉"]})
DIFFERENCES["aggregate_limit_without_filter"] = lambda query: (
    aggregate(query).with_limit(3).with_meta_count()
)
DIFFERENCES["aggregate_fields_run_together"] = lambda query: (
    aggregate(query).with_fields("title").with_fields("body")
)

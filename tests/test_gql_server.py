"""Queries built by ``client.query`` run against the real server."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest

import wvorm
from tests.support.fault_proxy import FaultProxy
from wvorm.connection import Connection
from wvorm.data.replication import ConsistencyLevel
from wvorm.embedded import EmbeddedServer
from wvorm.errors import QueryError, UnexpectedStatusCodeException
from wvorm.gql import HybridFusion, LinkTo

JANE = str(uuid.uuid5(uuid.NAMESPACE_URL, "author/jane"))
JOHN = str(uuid.uuid5(uuid.NAMESPACE_URL, "author/john"))


def article_id(title: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"article/{title}"))


ARTICLES: list[dict[str, Any]] = [
    {
        "title": "Fashion in Paris",
        "tag": "style",
        "wordCount": 1500,
        "score": 4.5,
        "published": True,
        "when": "2024-01-10T00:00:00Z",
        "location": {"latitude": 52.37, "longitude": 4.89},  # Amsterdam
        "tags": ["style", "paris"],
        "counts": [1, 2],
        "scores": [0.5],
        "flags": [True],
        "days": ["2024-01-10T00:00:00Z"],
        "author": JANE,
        "vector": [1.0, 0.0, 0.0],
    },
    {
        "title": "Finance weekly",
        "tag": "money",
        "wordCount": 800,
        "score": 3.0,
        "published": False,
        "when": "2023-06-01T00:00:00Z",
        "location": {"latitude": 52.52, "longitude": 13.40},  # Berlin
        "tags": ["money"],
        "counts": [2, 3],
        "scores": [1.5],
        "flags": [False],
        "days": ["2023-06-01T00:00:00Z"],
        "author": JOHN,
        "vector": [0.0, 1.0, 0.0],
    },
    {
        "title": "Haute couture news",
        "tag": "style",
        "wordCount": 2500,
        "score": 5.0,
        "published": True,
        "when": "2022-03-15T00:00:00Z",
        "location": {"latitude": 48.85, "longitude": 2.35},  # Paris
        "tags": ["style", "couture"],
        "counts": [3],
        "scores": [2.5, 0.5],
        "flags": [True, False],
        "days": ["2022-03-15T00:00:00Z", "2024-01-10T00:00:00Z"],
        "author": JANE,
        "vector": [0.9, 0.1, 0.0],
    },
    {
        "title": "Untitled draft",
        "wordCount": 10,
        "score": 1.0,
        "published": False,
        "when": "2021-01-01T00:00:00Z",
        "tags": ["draft"],
        "counts": [9],
        "scores": [9.5],
        "flags": [False],
        "days": ["2021-01-01T00:00:00Z"],
        "author": JOHN,
        "vector": [0.0, 0.0, 1.0],
    },
]
ALL = {a["title"] for a in ARTICLES}


def create_class(client: wvorm.Client, definition: dict[str, Any]) -> None:
    response = client._connection.post("/schema", json=definition)
    assert response.status_code == 200, response.text


def add_objects(client: wvorm.Client, objects: list[dict[str, Any]]) -> None:
    response = client._connection.post("/batch/objects", json={"objects": objects})
    assert response.status_code == 200, response.text
    errors = [o["result"]["errors"] for o in response.json() if o.get("result", {}).get("errors")]
    assert not errors, errors


def text(name: str, tokenization: str = "word") -> dict[str, Any]:
    return {"name": name, "dataType": ["text"], "tokenization": tokenization}


@pytest.fixture
def articles(client: wvorm.Client) -> wvorm.Client:
    """Author and Article classes with four articles (explicit 3-d vectors)."""
    create_class(client, {"class": "Author", "vectorizer": "none", "properties": [text("name")]})
    create_class(
        client,
        {
            "class": "Article",
            "vectorizer": "none",
            "invertedIndexConfig": {"indexNullState": True},
            "properties": [
                text("title"),
                text("tag", "field"),
                {"name": "wordCount", "dataType": ["int"]},
                {"name": "score", "dataType": ["number"]},
                {"name": "published", "dataType": ["boolean"]},
                {"name": "when", "dataType": ["date"]},
                {"name": "location", "dataType": ["geoCoordinates"]},
                {"name": "tags", "dataType": ["text[]"], "tokenization": "field"},
                {"name": "counts", "dataType": ["int[]"]},
                {"name": "scores", "dataType": ["number[]"]},
                {"name": "flags", "dataType": ["boolean[]"]},
                {"name": "days", "dataType": ["date[]"]},
                {"name": "ofAuthor", "dataType": ["Author"]},
            ],
        },
    )
    add_objects(
        client,
        [
            {"class": "Author", "id": JANE, "properties": {"name": "Jane"}},
            {"class": "Author", "id": JOHN, "properties": {"name": "John"}},
        ],
    )
    objects = []
    for article in ARTICLES:
        properties = {k: v for k, v in article.items() if k not in ("author", "vector")}
        properties["ofAuthor"] = [{"beacon": f"weaviate://localhost/Author/{article['author']}"}]
        objects.append(
            {
                "class": "Article",
                "id": article_id(article["title"]),
                "properties": properties,
                "vector": article["vector"],
            }
        )
    add_objects(client, objects)
    return client


def hits(result: dict[str, Any], class_name: str = "Article") -> list[dict[str, Any]]:
    assert "errors" not in result, result
    found: list[dict[str, Any]] = result["data"]["Get"][class_name]
    return found


def titles(result: dict[str, Any]) -> list[str]:
    return [hit["title"] for hit in hits(result)]


def where(path: Any, operator: str, **value: Any) -> dict[str, Any]:
    return {"path": path, "operator": operator, **value}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (where("tag", "Equal", valueText="style"), {"Fashion in Paris", "Haute couture news"}),
        (where(["tag"], "Equal", valueString="money"), {"Finance weekly"}),
        (where(["title"], "Like", valueText="fash*"), {"Fashion in Paris"}),
        (where(["title"], "NotEqual", valueText="weekly"), ALL - {"Finance weekly"}),
        (
            where(["wordCount"], "GreaterThan", valueInt=1000),
            {"Fashion in Paris", "Haute couture news"},
        ),
        (where(["wordCount"], "LessThanEqual", valueInt=800), {"Finance weekly", "Untitled draft"}),
        (
            where(["score"], "GreaterThanEqual", valueNumber=4.5),
            {"Fashion in Paris", "Haute couture news"},
        ),
        (where(["score"], "LessThan", valueNumber=3), {"Untitled draft"}),
        (
            where(["published"], "Equal", valueBoolean=True),
            {"Fashion in Paris", "Haute couture news"},
        ),
        (
            where(["when"], "GreaterThan", valueDate="2023-01-01T00:00:00Z"),
            {"Fashion in Paris", "Finance weekly"},
        ),
        (
            where(["when"], "LessThan", valueDate=datetime(2022, 6, 1, tzinfo=timezone.utc)),
            {"Haute couture news", "Untitled draft"},
        ),
        (
            where(
                ["location"],
                "WithinGeoRange",
                valueGeoRange={
                    "geoCoordinates": {"latitude": 48.86, "longitude": 2.34},
                    "distance": {"max": 10_000},
                },
            ),
            {"Haute couture news"},
        ),
        (where(["tag"], "IsNull", valueBoolean=True), {"Untitled draft"}),
        (
            where(["tags"], "ContainsAny", valueTextArray=["couture", "money"]),
            {"Haute couture news", "Finance weekly"},
        ),
        (where(["tags"], "ContainsAll", valueText=["style", "paris"]), {"Fashion in Paris"}),
        (
            where(["tags"], "ContainsNone", valueStringArray=["style"]),
            {"Finance weekly", "Untitled draft"},
        ),
        (where(["counts"], "ContainsAll", valueIntArray=[2, 3]), {"Finance weekly"}),
        (
            where(["scores"], "ContainsAny", valueNumberArray=[0.5]),
            {"Fashion in Paris", "Haute couture news"},
        ),
        (where(["flags"], "ContainsAll", valueBooleanArray=[True, False]), {"Haute couture news"}),
        (
            where(
                ["days"], "ContainsAny", valueDateArray=[datetime(2024, 1, 10, tzinfo=timezone.utc)]
            ),
            {"Fashion in Paris", "Haute couture news"},
        ),
        (
            where(["ofAuthor", "Author", "name"], "Equal", valueText="Jane"),
            {"Fashion in Paris", "Haute couture news"},
        ),
        # v3's *List keys mean the same as *Array
        (
            where(["tags"], "ContainsAny", valueTextList=["couture", "money"]),
            {"Haute couture news", "Finance weekly"},
        ),
        (
            where(["tags"], "ContainsNone", valueStringList=["style"]),
            {"Finance weekly", "Untitled draft"},
        ),
        (where(["counts"], "ContainsAll", valueIntList=[2, 3]), {"Finance weekly"}),
        (
            where(["scores"], "ContainsAny", valueNumberList=[0.5]),
            {"Fashion in Paris", "Haute couture news"},
        ),
        (where(["flags"], "ContainsAll", valueBooleanList=[True, False]), {"Haute couture news"}),
        (
            where(["days"], "ContainsAny", valueDateList=["2023-06-01T00:00:00Z"]),
            {"Finance weekly"},
        ),
        (where(["id"], "Equal", valueText=article_id("Finance weekly")), {"Finance weekly"}),
        (
            {
                "operator": "And",
                "operands": [
                    where(["published"], "Equal", valueBoolean=False),
                    {
                        "operator": "Or",
                        "operands": [
                            where(["wordCount"], "GreaterThan", valueInt=100),
                            where(["tags"], "ContainsAny", valueText=["draft"]),
                        ],
                    },
                ],
            },
            {"Finance weekly", "Untitled draft"},
        ),
        (
            {"operator": "Not", "operands": [where(["tag"], "Equal", valueText="style")]},
            {"Finance weekly", "Untitled draft"},
        ),
    ],
)
def test_where_filters(articles: wvorm.Client, content: dict[str, Any], expected: set[str]) -> None:
    result = articles.query.get("Article", ["title"]).with_where(content).do(raise_on_error=True)
    found = titles(result)
    assert sorted(found) == sorted(expected)


def test_near_vector_and_additional(articles: wvorm.Client) -> None:
    result = (
        articles.query.get("Article", ["title"])
        .with_near_vector({"vector": [1, 0, 0], "distance": 0.5})
        .with_additional(["id", "distance", "vector"])
        .do(raise_on_error=True)
    )
    found = hits(result)
    assert [hit["title"] for hit in found] == ["Fashion in Paris", "Haute couture news"]
    assert found[0]["_additional"]["id"] == article_id("Fashion in Paris")
    assert found[0]["_additional"]["distance"] == pytest.approx(0.0, abs=1e-6)
    assert found[0]["_additional"]["vector"] == pytest.approx([1.0, 0.0, 0.0])
    certain = (
        articles.query.get("Article", ["title"])
        .with_near_vector({"vector": [0, 1, 0], "certainty": 0.9})
        .do(raise_on_error=True)
    )
    assert titles(certain) == ["Finance weekly"]


def test_near_object(articles: wvorm.Client) -> None:
    by_id = (
        articles.query.get("Article", ["title"])
        .with_near_object({"id": article_id("Haute couture news")})
        .with_limit(2)
        .do(raise_on_error=True)
    )
    assert titles(by_id) == ["Haute couture news", "Fashion in Paris"]
    beacon = f"weaviate://localhost/Article/{article_id('Untitled draft')}"
    by_beacon = (
        articles.query.get("Article", ["title"])
        .with_near_object({"beacon": beacon, "distance": 0.1})
        .do(raise_on_error=True)
    )
    assert titles(by_beacon) == ["Untitled draft"]


def test_bm25(articles: wvorm.Client) -> None:
    result = (
        articles.query.get("Article", ["title"])
        .with_bm25("couture paris", properties=["title"])
        .with_additional("score")
        .do(raise_on_error=True)
    )
    assert sorted(titles(result)) == ["Fashion in Paris", "Haute couture news"]
    assert all(float(hit["_additional"]["score"]) > 0 for hit in hits(result))
    none = articles.query.get("Article", ["title"]).with_bm25("couture", ["tag"]).do()
    assert titles(none) == []


@pytest.mark.parametrize("fusion", [HybridFusion.RANKED, HybridFusion.RELATIVE_SCORE])
def test_hybrid(articles: wvorm.Client, fusion: HybridFusion) -> None:
    keyword_only = (
        articles.query.get("Article", ["title"])
        .with_hybrid("weekly", alpha=0, properties=["title"], vector=[0, 0, 1], fusion_type=fusion)
        .do(raise_on_error=True)
    )
    assert titles(keyword_only) == ["Finance weekly"]
    vector_only = (
        articles.query.get("Article", ["title"])
        .with_hybrid("weekly", alpha=1, vector=[0, 0, 1], fusion_type=fusion)
        .with_limit(1)
        .do(raise_on_error=True)
    )
    assert titles(vector_only) == ["Untitled draft"]


def test_group_by(articles: wvorm.Client) -> None:
    result = (
        articles.query.get("Article", ["title"])
        .with_near_vector({"vector": [1, 0, 0]})
        .with_group_by(["tag"], groups=2, objects_per_group=5)
        .with_additional(
            {
                "group": [
                    "count",
                    {"groupedBy": ["value"]},
                    {"hits": ["title", {"_additional": ["id", "distance"]}]},
                ]
            }
        )
        .do(raise_on_error=True)
    )
    groups = {
        hit["_additional"]["group"]["groupedBy"]["value"]: hit["_additional"]["group"]
        for hit in hits(result)
    }
    assert "style" in groups
    assert groups["style"]["count"] == 2
    assert {h["title"] for h in groups["style"]["hits"]} == {
        "Fashion in Paris",
        "Haute couture news",
    }


def test_sort_limit_offset(articles: wvorm.Client) -> None:
    ascending = (
        articles.query.get("Article", ["title"])
        .with_sort({"path": ["wordCount"], "order": "asc"})
        .do(raise_on_error=True)
    )
    assert titles(ascending) == [
        "Untitled draft",
        "Finance weekly",
        "Fashion in Paris",
        "Haute couture news",
    ]
    page = (
        articles.query.get("Article", ["title"])
        .with_sort([{"path": ["published"], "order": "desc"}, {"path": ["score"], "order": "asc"}])
        .with_limit(2)
        .with_offset(1)
        .do(raise_on_error=True)
    )
    assert titles(page) == ["Haute couture news", "Untitled draft"]


def test_after_pages_through_everything(articles: wvorm.Client) -> None:
    seen: list[str] = []
    after = None
    for _ in range(10):
        builder = articles.query.get("Article", ["title"]).with_additional("id").with_limit(3)
        if after is not None:
            builder.with_after(after)
        page = hits(builder.do(raise_on_error=True))
        if not page:
            break
        seen += [hit["_additional"]["id"] for hit in page]
        after = page[-1]["_additional"]["id"]
    assert sorted(seen) == sorted(article_id(title) for title in ALL)


def test_autocut(articles: wvorm.Client) -> None:
    everything = (
        articles.query.get("Article", ["title"])
        .with_near_vector({"vector": [1, 0, 0]})
        .do(raise_on_error=True)
    )
    assert len(titles(everything)) == 4
    cut = (
        articles.query.get("Article", ["title"])
        .with_near_vector({"vector": [1, 0, 0]})
        .with_autocut(1)
        .do(raise_on_error=True)
    )
    assert titles(cut) == ["Fashion in Paris", "Haute couture news"]


def test_references_raw_and_structured(articles: wvorm.Client) -> None:
    condition = where(["title"], "Equal", valueText="Finance weekly")
    for reference in (
        "ofAuthor { ... on Author { name } }",
        LinkTo("ofAuthor", "Author", ["name"]),
    ):
        result = (
            articles.query.get("Article", ["title", reference])
            .with_where(condition)
            .do(raise_on_error=True)
        )
        assert hits(result) == [{"title": "Finance weekly", "ofAuthor": [{"name": "John"}]}]


def test_aggregate(articles: wvorm.Client) -> None:
    counted = articles.query.aggregate("Article").with_meta_count().do(raise_on_error=True)
    assert counted["data"]["Aggregate"]["Article"] == [{"meta": {"count": 4}}]
    filtered = (
        articles.query.aggregate("Article")
        .with_where(where(["published"], "Equal", valueBoolean=True))
        .with_fields("wordCount { mean maximum }")
        .with_meta_count()
        .do(raise_on_error=True)
    )
    assert filtered["data"]["Aggregate"]["Article"] == [
        {"meta": {"count": 2}, "wordCount": {"mean": 2000, "maximum": 2500}}
    ]
    grouped = (
        articles.query.aggregate("Article")
        .with_group_by_filter(["tag"])
        .with_fields("groupedBy { value path }")
        .with_meta_count()
        .do(raise_on_error=True)
    )
    counts = {
        group["groupedBy"]["value"]: group["meta"]["count"]
        for group in grouped["data"]["Aggregate"]["Article"]
    }
    assert counts == {"style": 2, "money": 1}
    near = (
        articles.query.aggregate("Article")
        .with_near_vector({"vector": [1, 0, 0]})
        .with_object_limit(2)
        .with_meta_count()
        .do(raise_on_error=True)
    )
    assert near["data"]["Aggregate"]["Article"] == [{"meta": {"count": 2}}]


def test_multi_get(articles: wvorm.Client) -> None:
    heavy = (
        articles.query.get("Article", ["title"])
        .with_alias("heavy")
        .with_where(where(["wordCount"], "GreaterThan", valueInt=2000))
    )
    light = (
        articles.query.get("Article", ["title"])
        .with_alias("light")
        .with_where(where(["wordCount"], "LessThan", valueInt=100))
    )
    authors = articles.query.get("Author", ["name"]).with_sort({"path": ["name"]})
    result = articles.query.multi_get([heavy, light, authors]).do(raise_on_error=True)
    assert result["data"]["Get"] == {
        "heavy": [{"title": "Haute couture news"}],
        "light": [{"title": "Untitled draft"}],
        "Author": [{"name": "Jane"}, {"name": "John"}],
    }


def test_tenants(client: wvorm.Client) -> None:
    create_class(
        client,
        {
            "class": "Note",
            "vectorizer": "none",
            "multiTenancyConfig": {"enabled": True},
            "properties": [text("body")],
        },
    )
    tenants = [{"name": "tenant-a"}, {"name": "TenantB"}]
    response = client._connection.post("/schema/Note/tenants", json=tenants)
    assert response.status_code == 200, response.text
    add_objects(
        client,
        [
            {"class": "Note", "tenant": "tenant-a", "properties": {"body": "alpha"}},
            {"class": "Note", "tenant": "tenant-a", "properties": {"body": "beta"}},
            {"class": "Note", "tenant": "TenantB", "properties": {"body": "gamma"}},
        ],
    )
    result = client.query.get("Note", ["body"]).with_tenant("TenantB").do(raise_on_error=True)
    assert hits(result, "Note") == [{"body": "gamma"}]
    counted = (
        client.query.aggregate("Note")
        .with_tenant("tenant-a")
        .with_meta_count()
        .do(raise_on_error=True)
    )
    assert counted["data"]["Aggregate"]["Note"] == [{"meta": {"count": 2}}]
    with pytest.raises(QueryError, match="tenant"):
        client.query.get("Note", ["body"]).do(raise_on_error=True)


@pytest.fixture
def posts(client: wvorm.Client) -> wvorm.Client:
    """A class vectorized by text2vec-transformers (the test embedding service)."""
    create_class(
        client,
        {
            "class": "Post",
            "vectorizer": "text2vec-transformers",
            "moduleConfig": {"text2vec-transformers": {"vectorizeClassName": False}},
            "properties": [text("title"), {"name": "wordCount", "dataType": ["int"]}],
        },
    )
    add_objects(
        client,
        [
            {"class": "Post", "properties": {"title": t, "wordCount": n}}
            for t, n in [
                ("fashion trends in paris", 1500),
                ("finance and stock markets", 2000),
                ("haute couture designers", 1200),
                ("gardening for beginners", 900),
            ]
        ],
    )
    return client


def test_near_text(posts: wvorm.Client) -> None:
    def distances(content: dict[str, Any]) -> dict[str, float]:
        result = (
            posts.query.get("Post", ["title"])
            .with_near_text(content)
            .with_additional("distance")
            .do(raise_on_error=True)
        )
        return {hit["title"]: hit["_additional"]["distance"] for hit in hits(result, "Post")}

    plain = distances({"concepts": ["couture"]})
    assert min(plain, key=plain.__getitem__) == "haute couture designers"
    moved = distances(
        {"concepts": ["fashion"], "moveAwayFrom": {"concepts": ["paris"], "force": 0.9}}
    )
    unmoved = distances({"concepts": ["fashion"]})
    assert moved["fashion trends in paris"] > unmoved["fashion trends in paris"]
    garden = (
        posts.query.get("Post", ["title"])
        .with_where(where(["title"], "Equal", valueText="gardening"))
        .with_additional("id")
        .do(raise_on_error=True)
    )
    garden_id = hits(garden, "Post")[0]["_additional"]["id"]
    toward = distances(
        {"concepts": ["finance"], "moveTo": {"force": 0.9, "objects": [{"id": garden_id}]}}
    )
    alone = distances({"concepts": ["finance"]})
    assert toward["gardening for beginners"] < alone["gardening for beginners"]
    close = distances({"concepts": ["couture designers"], "certainty": 0.7})
    assert "haute couture designers" in close
    assert "gardening for beginners" not in close


def test_spec_example_runs(posts: wvorm.Client) -> None:
    where_filter = {"path": ["wordCount"], "operator": "GreaterThan", "valueInt": 1000}
    near_text_filter = {
        "concepts": ["fashion"],
        "certainty": 0.7,
        "moveAwayFrom": {"concepts": ["finance"], "force": 0.45},
        "moveTo": {"concepts": ["haute couture"], "force": 0.85},
    }
    result = (
        posts.query.get("Post", ["title"])
        .with_where(where_filter)
        .with_near_text(near_text_filter)
        .with_limit(50)
        .do()
    )
    found = {hit["title"] for hit in hits(result, "Post")}
    assert found <= {"fashion trends in paris", "haute couture designers"}
    aggregated = (
        posts.query.aggregate("Post")
        .with_near_text({"concepts": ["couture"]})
        .with_object_limit(1)
        .with_meta_count()
        .do(raise_on_error=True)
    )
    assert aggregated["data"]["Aggregate"]["Post"] == [{"meta": {"count": 1}}]


def test_bm25_and_hybrid_with_no_properties_search_all(articles: wvorm.Client) -> None:
    """``properties=[]`` means all properties, as in v3 (the argument is left out)."""
    for builder in (
        articles.query.get("Article", ["title"]).with_bm25("couture", properties=[]),
        articles.query.get("Article", ["title"]).with_hybrid("couture", alpha=0, properties=[]),
    ):
        assert "properties" not in builder.build()
        assert titles(builder.do(raise_on_error=True)) == ["Haute couture news"]


@pytest.mark.parametrize(
    ("search", "argument"),
    [
        (lambda b: b.with_near_image({"image": "iVBORw0KGgo="}, encode=False), "nearImage"),
        (lambda b: b.with_near_audio({"audio": "AAAA"}, encode=False), "nearAudio"),
        (lambda b: b.with_near_video({"video": "AAAA"}, encode=False), "nearVideo"),
        (lambda b: b.with_near_depth({"depth": "AAAA"}, encode=False), "nearDepth"),
        (lambda b: b.with_near_thermal({"thermal": "AAAA"}, encode=False), "nearThermal"),
        (lambda b: b.with_near_imu({"imu": "AAAA"}, encode=False), "nearIMU"),
        (lambda b: b.with_ask({"question": "Who wrote it?"}), "ask"),
    ],
)
def test_a_search_of_a_module_the_server_lacks_returns_its_error(
    articles: wvorm.Client, search: Any, argument: str
) -> None:
    """img2vec / multi2vec / qna are not enabled here: the server's refusal comes back in
    the answer, as in v3, and raises with ``raise_on_error=True``."""
    answer = search(articles.query.get("Article", ["title"])).do()
    messages = " ".join(error["message"] for error in answer["errors"])
    assert f'Unknown argument "{argument}"' in messages, answer
    with pytest.raises(QueryError, match=argument):
        search(articles.query.get("Article", ["title"])).do(raise_on_error=True)
    aggregate = articles.query.aggregate("Article").with_meta_count()
    if argument != "ask":  # (Aggregate has no ask)
        answer = search(aggregate).do()
        assert argument in " ".join(error["message"] for error in answer["errors"]), answer


def test_generate_on_a_recent_server_does_not_warn(
    articles: wvorm.Client, recwarn: pytest.WarningsRecorder
) -> None:
    """Dep003 is for servers before 1.17.3; this one is 1.39 (and has no generative
    module, so the server's refusal comes back)."""
    query = articles.query.get("Article", ["title"]).with_generate(single_prompt="Say {title}")
    answer = query.do()
    assert answer.get("errors"), answer
    assert not [w for w in recwarn if "Dep003" in str(w.message)]
    both = articles.query.multi_get([query, articles.query.get("Author", ["name"])])
    assert both.do().get("errors")
    assert not [w for w in recwarn if "Dep003" in str(w.message)]


def test_the_server_version_is_read_once_per_connection_and_only_to_generate(
    articles: wvorm.Client, weaviate_server: EmbeddedServer
) -> None:
    with FaultProxy(weaviate_server.url) as proxy, wvorm.Client(proxy.url) as client:
        client.query.get("Article", ["title"]).do()
        assert "GET /v1/meta" not in proxy.seen
        generating = client.query.get("Article", ["title"]).with_generate(grouped_task="Sum")
        generating.do()
        generating.do()
        assert proxy.seen.count("GET /v1/meta") == 1
        assert client._connection.server_version() == client.get_meta()["version"]


def test_generate_warns_dep003_when_the_server_is_too_old(
    articles: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server before 1.17.3 cannot run here: the version /v1/meta reports is replaced."""
    monkeypatch.setattr(Connection, "server_version", lambda connection: "1.17.2")
    query = articles.query.get("Article", ["title"]).with_generate(grouped_task="Sum up")
    with pytest.warns(DeprecationWarning, match="^Dep003: .* connected to Weaviate 1.17.2"):
        assert query.do().get("errors")  # (the server still answers)
    multi = articles.query.multi_get([query])
    with pytest.warns(DeprecationWarning, match="^Dep003"):
        multi.do()


def test_errors(client: wvorm.Client) -> None:
    # Without any class the server has no GraphQL schema and answers 422.
    with pytest.raises(UnexpectedStatusCodeException, match="no graphql provider") as status:
        client.query.get("Missing", ["name"]).do()
    assert status.value.status_code == 422
    create_class(client, {"class": "Present", "vectorizer": "none", "properties": [text("name")]})

    returned = client.query.get("Missing", ["name"]).do()
    assert "Missing" in returned["errors"][0]["message"]
    with pytest.raises(QueryError) as caught:
        client.query.get("Missing", ["name"]).do(raise_on_error=True)
    assert caught.value.query == "{Get{Missing{name}}}"
    assert "Missing" in caught.value.errors[0]["message"]
    assert client.query.raw("{Get{Missing{name}}}")["errors"]
    assert client.query.raw("{Get{Present{name}}}") == {"data": {"Get": {"Present": []}}}
    with pytest.raises(QueryError, match="Syntax Error"):
        client.query.raw("{Get{", raise_on_error=True)
    with pytest.raises(UnexpectedStatusCodeException) as empty:
        client.query.raw("")
    assert empty.value.status_code == 422


def test_consistency_level(cluster: list[EmbeddedServer]) -> None:
    """``consistencyLevel`` exists only for replicated classes, so this needs the cluster."""
    with wvorm.Client(cluster[0].url) as client:
        create_class(
            client,
            {
                "class": "Replicated",
                "vectorizer": "none",
                "replicationConfig": {"factor": 3},
                "properties": [text("body")],
            },
        )
        add_objects(client, [{"class": "Replicated", "properties": {"body": "copied"}}])
        for level in ConsistencyLevel:
            result = (
                client.query.get("Replicated", ["body"])
                .with_consistency_level(level)
                .with_additional("isConsistent")
                .do(raise_on_error=True)
            )
            assert hits(result, "Replicated") == [
                {"body": "copied", "_additional": {"isConsistent": True}}
            ]

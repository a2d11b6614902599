"""client.cluster, backup, classification and contextionary against the real server."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import wvorm
from tests.support.fault_proxy import FaultProxy
from wvorm.embedded import EmbeddedServer
from wvorm.errors import BackupFailedException, UnexpectedStatusCodeException


def unique_backup_id() -> str:
    """Backups outlive the test's classes in the session's backup directory."""
    return f"Test-{uuid.uuid4().hex[:12]}"  # upper case on purpose: the client lowers it


def create_things(client: wvorm.Client, class_name: str, count: int) -> list[str]:
    client.schema.create_class(
        {
            "class": class_name,
            "vectorizer": "none",
            "properties": [{"name": "name", "dataType": ["text"]}],
        }
    )
    return [
        client.data_object.create({"name": f"{class_name}-{i}"}, class_name, vector=[i, 1.0])
        for i in range(count)
    ]


def count_objects(client: wvorm.Client, class_name: str) -> int:
    page = client.data_object.get(class_name=class_name, limit=100)
    assert page is not None
    return len(page["objects"])


# -- cluster --------------------------------------------------------------------------------


def test_nodes_status(client: wvorm.Client) -> None:
    create_things(client, "Thing", 1)
    create_things(client, "Other", 1)
    nodes = client.cluster.get_nodes_status()
    assert len(nodes) == 1
    assert nodes[0]["status"] == "HEALTHY"
    assert nodes[0]["version"] == client.get_meta()["version"]
    assert not nodes[0].get("shards")  # "minimal" output, the server's default

    verbose = client.cluster.get_nodes_status(output="verbose")
    assert {s["class"] for s in verbose[0]["shards"]} == {"Thing", "Other"}
    assert verbose[0]["stats"]["shardCount"] == 2
    one_class = client.cluster.get_nodes_status("thing", output="verbose")
    assert {s["class"] for s in one_class[0]["shards"]} == {"Thing"}
    with pytest.raises(ValueError, match="output must be one of"):
        client.cluster.get_nodes_status(output="everything")
    with pytest.raises(UnexpectedStatusCodeException) as raised:
        client.cluster.get_nodes_status("NoSuchClass")
    assert raised.value.status_code == 404


# -- backup ---------------------------------------------------------------------------------


def test_backup_and_restore_waiting(client: wvorm.Client) -> None:
    create_things(client, "Kept", 3)
    create_things(client, "Skipped", 1)
    backup_id = unique_backup_id()
    created = client.backup.create(
        backup_id, "filesystem", include_classes="kept", wait_for_completion=True
    )
    assert created["status"] == "SUCCESS"
    assert created["id"] == backup_id.lower()
    assert created["classes"] == ["Kept"]
    assert client.backup.get_create_status(backup_id, "filesystem")["status"] == "SUCCESS"

    client.schema.delete_class("Kept")
    restored = client.backup.restore(backup_id, "filesystem", wait_for_completion=True)
    assert restored["status"] == "SUCCESS"
    assert count_objects(client, "Kept") == 3
    assert client.backup.get_restore_status(backup_id, "filesystem")["status"] == "SUCCESS"


def test_backup_and_restore_polling(client: wvorm.Client) -> None:
    create_things(client, "Polled", 2)
    create_things(client, "Excluded", 1)
    backup_id = unique_backup_id()
    started = client.backup.create(backup_id, "FileSystem", exclude_classes=["excluded"])
    assert started["status"] in ("STARTED", "TRANSFERRING", "TRANSFERRED", "SUCCESS")
    wait_for(lambda: client.backup.get_create_status(backup_id, "filesystem"))

    client.schema.delete_class("Polled")
    client.backup.restore(backup_id, "filesystem", include_classes=["Polled"])
    wait_for(lambda: client.backup.get_restore_status(backup_id, "filesystem"))
    assert count_objects(client, "Polled") == 2


def wait_for(get_status: Any, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (status := get_status()["status"]) != "SUCCESS":
        assert status not in ("FAILED", "CANCELED")
        assert time.monotonic() < deadline, f"still {status} after {timeout}s"
        time.sleep(0.3)


def test_a_failed_restore_raises(client: wvorm.Client) -> None:
    create_things(client, "Damaged", 2)
    created = client.backup.create(unique_backup_id(), "filesystem", wait_for_completion=True)
    # corrupt the stored data, so the server's restore fails while it runs
    chunks = list(Path(created["path"]).glob("*/Damaged/chunk-*"))
    assert chunks, f"no chunk files under {created['path']}"
    for chunk in chunks:
        chunk.write_bytes(b"not a gzip archive")
    client.schema.delete_class("Damaged")
    with pytest.raises(BackupFailedException, match=r"ended FAILED: .*chunk"):
        client.backup.restore(created["id"], "filesystem", wait_for_completion=True)
    assert not client.schema.exists("Damaged")


def test_backup_argument_errors(client: wvorm.Client) -> None:
    with pytest.raises(TypeError, match="not both"):
        client.backup.create("x", "filesystem", include_classes=["A"], exclude_classes=["B"])
    with pytest.raises(TypeError, match="backup_id must be"):
        client.backup.create(None, "filesystem")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="include_classes must be"):
        client.backup.create("x", "filesystem", include_classes=[1])  # type: ignore[list-item]
    # refused before sending, with v3's ValueError, for every call that names a backend
    calls: list[Callable[[], object]] = [
        lambda: client.backup.create("x", "no-such-backend"),
        lambda: client.backup.restore("x", "no-such-backend"),
        lambda: client.backup.get_create_status("x", "s4"),
        lambda: client.backup.get_restore_status("x", ""),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="'backend' must have one of these values"):
            call()
    with pytest.raises(UnexpectedStatusCodeException) as raised:
        client.backup.get_create_status("never-made", "filesystem")
    assert raised.value.status_code == 404


# -- classification -------------------------------------------------------------------------


@pytest.fixture
def labelled_articles(client: wvorm.Client) -> dict[str, Any]:
    """Articles near [1, 0] are about sport, near [0, 1] about food; two are unlabelled."""
    client.schema.create(
        {
            "classes": [
                {
                    "class": "Category",
                    "vectorizer": "none",
                    "properties": [{"name": "name", "dataType": ["text"]}],
                },
                {
                    "class": "Article",
                    "vectorizer": "none",
                    "properties": [
                        {"name": "title", "dataType": ["text"]},
                        {"name": "ofCategory", "dataType": ["Category"]},
                    ],
                },
            ]
        }
    )
    data = client.data_object
    sport = data.create({"name": "sport"}, "Category", vector=[1.0, 0.0])
    food = data.create({"name": "food"}, "Category", vector=[0.0, 1.0])
    training = [([1.0, 0.1], sport), ([0.9, 0.2], sport), ([0.1, 1.0], food), ([0.2, 0.9], food)]
    for i, (vector, category) in enumerate(training):
        article = data.create({"title": f"labelled {i}"}, "Article", vector=vector)
        data.reference.add(article, "ofCategory", category, "Article", "Category")
    return {
        "sport": sport,
        "food": food,
        "sporty": data.create({"title": "sporty"}, "Article", vector=[0.95, 0.05]),
        "tasty": data.create({"title": "tasty"}, "Article", vector=[0.05, 0.95]),
    }


def category_of(client: wvorm.Client, article: str) -> list[str]:
    obj = client.data_object.get_by_id(article, class_name="Article")
    assert obj is not None
    return [ref["beacon"].rsplit("/", 1)[-1] for ref in obj["properties"].get("ofCategory") or []]


def knn(client: wvorm.Client) -> Any:
    return (
        client.classification.schedule()
        .with_type("knn")
        .with_class_name("article")
        .with_based_on_properties(["title"])
        .with_classify_properties(["ofCategory"])
    )


def test_knn_classification_waiting(
    client: wvorm.Client, labelled_articles: dict[str, Any]
) -> None:
    record = knn(client).with_settings({"k": 3}).with_wait_for_completion().do()
    assert record["status"] == "completed", record
    assert record["class"] == "Article"
    assert record["meta"]["countSucceeded"] == 2
    assert category_of(client, labelled_articles["sporty"]) == [labelled_articles["sport"]]
    assert category_of(client, labelled_articles["tasty"]) == [labelled_articles["food"]]
    assert client.classification.is_complete(record["id"])
    assert not client.classification.is_running(record["id"])
    assert not client.classification.is_failed(record["id"])
    assert client.classification.get(record["id"])["settings"] == {"k": 3}

    # nothing is left to classify: the server fails the second run, and says why
    again = knn(client).with_k(3).with_wait_for_completion().do()
    assert again["status"] == "failed"
    assert "no classes to be classified" in again["error"]
    assert client.classification.is_failed(again["id"])


def test_knn_classification_polling(
    client: wvorm.Client, labelled_articles: dict[str, Any]
) -> None:
    record = (
        knn(client)
        .with_k(1)
        .with_source_where_filter({"path": ["title"], "operator": "Equal", "valueText": "sporty"})
        .do()
    )
    assert record["filters"]["sourceWhere"]["valueText"] == "sporty"
    deadline = time.monotonic() + 30
    while client.classification.is_running(record["id"]):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert client.classification.is_complete(record["id"])
    assert category_of(client, labelled_articles["sporty"]) == [labelled_articles["sport"]]
    assert category_of(client, labelled_articles["tasty"]) == []  # filtered out


def test_zeroshot_classification_with_explicit_vectors(
    client: wvorm.Client, labelled_articles: dict[str, Any]
) -> None:
    record = (
        client.classification.schedule()
        .with_type("zeroshot")
        .with_class_name("Article")
        .with_based_on_properties(["title"])
        .with_classify_properties(["ofCategory"])
        .with_wait_for_completion()
        .do()
    )
    assert record["status"] == "completed", record
    # each unlabelled article gets the category whose vector is nearest to its own
    assert category_of(client, labelled_articles["sporty"]) == [labelled_articles["sport"]]
    assert category_of(client, labelled_articles["tasty"]) == [labelled_articles["food"]]


def test_classification_errors(client: wvorm.Client, labelled_articles: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="needs k"):
        knn(client).do()
    with pytest.raises(ValueError, match=r"missing \['basedOnProperties'"):
        client.classification.schedule().with_type("knn").with_class_name("Article").do()
    with pytest.raises(TypeError, match="list of property names"):
        knn(client).with_classify_properties("ofCategory")
    with pytest.raises(UnexpectedStatusCodeException, match="must be of reference type"):
        knn(client).with_classify_properties(["title"]).with_k(3).do()
    with pytest.raises(UnexpectedStatusCodeException) as missing:
        client.classification.get(str(uuid.uuid4()))
    assert missing.value.status_code == 404
    with pytest.raises(ValueError, match="not a valid uuid"):
        client.classification.get("classification-1")


# -- contextionary --------------------------------------------------------------------------


def test_contextionary_sends_v3_requests_and_the_servers_refusal_is_clear(
    weaviate_server: EmbeddedServer,
) -> None:
    # The module cannot run here (it needs its own service): this server has none, so
    # check the exact requests, and that the server's 404 comes back as a clear error.
    with FaultProxy(weaviate_server.url) as proxy, wvorm.Client(proxy.url) as client:
        with pytest.raises(UnexpectedStatusCodeException, match="Extend text2vec") as raised:
            client.contextionary.extend("palantir", "a stone used to see far away", 0.5)
        assert raised.value.status_code == 404
        with pytest.raises(UnexpectedStatusCodeException, match="'semi/colon'") as raised:
            client.contextionary.get_concept_vector("semi/colon")
        assert raised.value.status_code == 404
        for bad in ({"weight": 1.5}, {"weight": "1"}, {"concept": ""}):
            arguments: dict[str, Any] = {"concept": "x", "definition": "y", **bad}
            with pytest.raises(ValueError, match=r"weight|concept"):
                client.contextionary.extend(**arguments)
    sent = [(seen, body) for seen, body in zip(proxy.seen, proxy.bodies) if "modules" in seen]
    assert sent == [
        (
            "POST /v1/modules/text2vec-contextionary/extensions",
            b'{"concept": "palantir", "definition": "a stone used to see far away", "weight": 0.5}',
        ),
        ("GET /v1/modules/text2vec-contextionary/concepts/semi%2Fcolon", b""),
    ]

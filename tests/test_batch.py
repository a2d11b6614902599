"""client.batch: the three modes, workers, failures, threads, outages and restarts.

Everything about server behaviour runs against the real server: the shared one
(``client`` fixture) or, for outages and restarts, a private one this module stops
and starts (``fault_server``). Pure encoding and configuration checks run without one.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import socket
import subprocess
import sys
import threading
import time
import uuid as uuid_lib
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import wvorm
import wvorm.batch.items as items
from tests.conftest import ServerFactory
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.static_site import answering
from wvorm.batch import Batch, FailedObject, FailedReference, Shard, WeaviateErrorRetryConf
from wvorm.batch.batch import IN_FLIGHT_PER_WORKER, MAX_RECOMMENDED_SIZE
from wvorm.batch.items import encode_object, encode_reference
from wvorm.batch.sender import Sender, SendSettings
from wvorm.batch.where import rest_where_filter
from wvorm.embedded import EmbeddedOptions, EmbeddedServer
from wvorm.errors import BatchError, FilterError, UnexpectedStatusCodeException
from wvorm.util import generate_uuid5

UUID_A = "36ddd591-2dee-4e7e-a3cc-eb86d30a4303"
UUID_B = "cb7d0da4-ceaa-42d0-a483-282f545deed7"

AUTHOR_BOOK_SCHEMA = [
    {
        "class": "Author",
        "vectorizer": "none",
        "properties": [{"name": "name", "dataType": ["text"]}],
    },
    {
        "class": "Book",
        "vectorizer": "none",
        "properties": [
            {"name": "title", "dataType": ["text"]},
            {"name": "ofAuthor", "dataType": ["Author"]},
        ],
    },
]


# -- helpers ------------------------------------------------------------------------------


def create_class(client: wvorm.Client, class_dict: dict[str, Any]) -> None:
    response = client._connection.post("/schema", json=class_dict)
    assert response.status_code == 200, response.text


def create_author_book(client: wvorm.Client) -> None:
    for class_dict in AUTHOR_BOOK_SCHEMA:
        create_class(client, class_dict)
    response = client._connection.post(
        "/schema/Author/properties", json={"name": "wroteBooks", "dataType": ["Book"]}
    )
    assert response.status_code == 200, response.text


def count(client: wvorm.Client, class_name: str, tenant: str | None = None) -> int:
    arguments = f'(tenant: "{tenant}")' if tenant else ""
    query = f"{{Aggregate{{{class_name}{arguments}{{meta{{count}}}}}}}}"
    body = client._connection.post("/graphql", json={"query": query}).json()
    assert "errors" not in body, body
    result: int = body["data"]["Aggregate"][class_name][0]["meta"]["count"]
    return result


def references_of(client: wvorm.Client, class_name: str, prop: str) -> dict[str, list[str]]:
    """uuid -> uuids its ``prop`` points to, for every object of ``class_name``."""
    found: dict[str, list[str]] = {}
    after = None
    while True:
        params: dict[str, Any] = {"class": class_name, "limit": 500, "after": after}
        objects = client._connection.get_json("/objects", "list objects", params)["objects"]
        if not objects:
            return found
        for obj in objects:
            refs = (obj.get("properties") or {}).get(prop) or []
            found[obj["id"]] = [ref["beacon"].rsplit("/", 1)[-1] for ref in refs]
        after = objects[-1]["id"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short retry pauses, for tests that exhaust retries on purpose."""
    monkeypatch.setattr(Sender, "backoff_base", 0.01)
    monkeypatch.setattr(Sender, "backoff_max", 0.05)


@pytest.fixture
def dead_client() -> Iterator[wvorm.Client]:
    """A client whose server address refuses every connection."""
    with wvorm.Client(f"http://127.0.0.1:{free_port()}", startup_period=None) as client:
        yield client


# -- encoding (no server) -----------------------------------------------------------------


def test_encode_object_assigns_a_uuid_and_snapshots_the_callers_dict() -> None:
    properties: dict[str, Any] = {"title": "T", "tags": ["a", "b"], "nested": {"x": 1}}
    vector = [0.5, 1.0, 2]
    original = copy.deepcopy(properties)
    object_id, _, payload = encode_object(properties, "book", None, vector, "tenantA")
    assert uuid_lib.UUID(object_id).version == 4
    properties["tags"].append("changed later")  # must not leak into what is sent
    vector.append(9.0)
    item = json.loads(payload)
    assert item == {
        "class": "Book",
        "id": object_id,
        "properties": original,
        "tenant": "tenantA",
        "vector": [0.5, 1.0, 2],
    }


def test_encode_object_keeps_given_uuid_in_any_form() -> None:
    for given in (UUID_A, uuid_lib.UUID(UUID_A), f"weaviate://localhost/Book/{UUID_A}"):
        object_id, _, payload = encode_object({}, "Book", given, None, None)
        assert object_id == UUID_A
        assert json.loads(payload) == {"class": "Book", "id": UUID_A, "properties": {}}


@pytest.mark.parametrize(
    ("kwargs", "error", "fragment"),
    [
        ({"data_object": ["not", "a", "dict"]}, TypeError, "data_object must be a dict"),
        ({"class_name": ""}, TypeError, "class_name"),
        ({"uuid": "nope"}, ValueError, "nope"),
        ({"vector": [1.0, math.nan]}, ValueError, "NaN"),
        ({"vector": [1.0, math.inf]}, ValueError, "infinity"),
        ({"vector": ["1.0", 2.0]}, TypeError, "numbers"),
        ({"vector": "1,2"}, TypeError, "vector"),
        ({"data_object": {"when": object()}}, TypeError, r"\['when'\] is a object"),
        ({"data_object": {"x": math.nan}}, ValueError, r"\['x'\] = nan: JSON holds finite"),
        ({"tenant": 3}, TypeError, "tenant"),
    ],
)
def test_encode_object_rejects_bad_input_clearly(
    kwargs: dict[str, Any], error: type[Exception], fragment: str
) -> None:
    arguments: dict[str, Any] = {
        "data_object": {"title": "T"},
        "class_name": "Book",
        "uuid": None,
        "vector": None,
        "tenant": None,
    }
    arguments.update(kwargs)
    with pytest.raises(error, match=fragment):
        encode_object(**arguments)


@pytest.mark.skipif(items._orjson is None, reason="orjson is not installed")
def test_orjson_and_stdlib_encode_vectors_identically(monkeypatch: pytest.MonkeyPatch) -> None:
    vector = [0.1, 1 / 3, 1e-7, -2.5e300, 5, 0.0, 123456789.123]
    fast = encode_object({"t": "x"}, "C", UUID_A, vector, None)
    monkeypatch.setattr(items, "_orjson", None)
    slow = encode_object({"t": "x"}, "C", UUID_A, vector, None)
    assert json.loads(fast[-1]) == json.loads(slow[-1])
    assert json.loads(fast[-1])["vector"] == vector  # round-trips exactly
    with pytest.raises(ValueError, match="NaN"):
        encode_object({}, "C", None, [math.nan], None)


def test_encode_reference_builds_beacons_and_round_trips_to_a_record() -> None:
    payload = encode_reference(UUID_A, "author", "wroteBooks", UUID_B, "book", "t1")
    assert json.loads(payload) == {
        "from": f"weaviate://localhost/Author/{UUID_A}/wroteBooks",
        "to": f"weaviate://localhost/Book/{UUID_B}",
        "tenant": "t1",
    }
    record = FailedReference.from_payload(payload, "why", maybe_written=True)
    assert record == FailedReference(
        UUID_A, "Author", "wroteBooks", UUID_B, "Book", "t1", "why", maybe_written=True
    )
    assert record.payload() == payload  # (what add_failed queues again)
    with pytest.warns(DeprecationWarning, match="to_object_class_name"):
        legacy = encode_reference(UUID_A, "Author", "wroteBooks", UUID_B, None, None)
    assert json.loads(legacy)["to"] == f"weaviate://localhost/{UUID_B}"
    with pytest.raises(TypeError, match="from_property_name"):
        encode_reference(UUID_A, "Author", "", UUID_B, "Book", None)


def test_configure_validates_and_resets_to_defaults(dead_client: wvorm.Client) -> None:
    batch = dead_client.batch

    def mode() -> tuple[Any, ...]:
        return batch.batch_size, batch.dynamic, batch.num_workers

    assert mode() == (None, False, 1)  # the spec's defaults: manual batching
    assert batch.creation_time == 10
    assert batch.configure(batch_size=20, dynamic=True, num_workers=2) is batch
    assert mode() == (20, True, 2)
    assert batch.recommended_num_objects == 20
    batch(batch_size=7)  # __call__: everything not given returns to its default
    assert mode() == (7, False, 1)
    batch.consistency_level = wvorm.ConsistencyLevel.QUORUM
    assert batch.consistency_level == "QUORUM"
    invalid: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"batch_size": 0}, ValueError),
        ({"batch_size": True}, TypeError),
        ({"num_workers": 0}, ValueError),
        ({"creation_time": -1}, ValueError),
        ({"timeout_retries": -1}, ValueError),
        ({"dynamic": "yes"}, TypeError),
        ({"callback": 3}, TypeError),
        ({"consistency_level": "MOST"}, ValueError),
        ({"weaviate_error_retries": 3}, TypeError),
    ]
    for bad, error in invalid:
        with pytest.raises(error):
            batch.configure(**bad)


def test_weaviate_error_retry_conf() -> None:
    assert WeaviateErrorRetryConf().should_retry(["anything"])
    include = WeaviateErrorRetryConf(errors_to_include=["timeout"])
    assert include.should_retry(["vectorizer timeout"]) and not include.should_retry(["bad"])
    exclude = WeaviateErrorRetryConf(errors_to_exclude=["dimension"])
    assert exclude.should_retry(["timeout"]) and not exclude.should_retry(["dimension x"])
    with pytest.raises(ValueError):
        WeaviateErrorRetryConf(errors_to_exclude=["a"], errors_to_include=["b"])
    with pytest.raises(ValueError):
        WeaviateErrorRetryConf(number_retries=0)
    with pytest.raises(ValueError):
        WeaviateErrorRetryConf(errors_to_include=[])


def test_rest_where_filter_converts_without_touching_the_input() -> None:
    where = {
        "operator": "And",
        "operands": [
            {"path": "n", "operator": "GreaterThan", "valueInt": 3},
            {"path": ["tags"], "operator": "ContainsAny", "valueText": ["a", "b"]},
            {"path": ["tags"], "operator": "ContainsAll", "valueTextList": ["c"]},
        ],
    }
    original = copy.deepcopy(where)
    assert rest_where_filter(where) == {
        "operator": "And",
        "operands": [
            {"path": ["n"], "operator": "GreaterThan", "valueInt": 3},
            {"path": ["tags"], "operator": "ContainsAny", "valueTextArray": ["a", "b"]},
            {"path": ["tags"], "operator": "ContainsAll", "valueTextArray": ["c"]},
        ],
    }
    assert where == original
    with pytest.raises(ValueError, match="Bogus"):
        rest_where_filter({"path": ["n"], "operator": "Bogus", "valueInt": 1})
    with pytest.raises((ValueError, FilterError), match="value"):
        rest_where_filter({"path": ["n"], "operator": "Equal"})


def test_items_left_waiting_at_exit_are_reported(tmp_path: Any) -> None:
    script = (
        "import wvorm\n"
        "client = wvorm.Client('http://127.0.0.1:9', startup_period=None)\n"
        "client.batch.add_data_object({}, 'Item')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "1 object(s) and 0 reference(s) were added to a batch but never sent" in done.stderr


# -- the three modes (shared server) --------------------------------------------------------


def add_spec_example(batch: Batch) -> tuple[str, str, str]:
    """The spec's Author/Book example: one author, two books, references both ways."""
    author, book_1, book_2 = {"name": "Jane Doe"}, {"title": "Jane's Book 1"}, {"title": "B2"}
    uuid_author = generate_uuid5(author, "Author")
    batch.add_data_object(data_object=author, class_name="Author", uuid=uuid_author)
    uuid_book_1 = generate_uuid5(book_1, "Book")
    batch.add_data_object(data_object=book_1, class_name="Book", uuid=uuid_book_1)
    batch.add_reference(uuid_author, "Author", "wroteBooks", uuid_book_1, "Book")
    batch.add_reference(uuid_book_1, "Book", "ofAuthor", uuid_author, "Author")
    uuid_book_2 = generate_uuid5(book_2, "Book")
    batch.add_data_object(data_object=book_2, class_name="Book", uuid=uuid_book_2)
    batch.add_reference(uuid_author, "Author", "wroteBooks", uuid_book_2, "Book")
    batch.add_reference(uuid_book_2, "Book", "ofAuthor", uuid_author, "Author")
    return uuid_author, uuid_book_1, uuid_book_2


def assert_spec_example_written(client: wvorm.Client, uuids: tuple[str, str, str]) -> None:
    author, book_1, book_2 = uuids
    assert references_of(client, "Author", "wroteBooks") == {author: [book_1, book_2]}
    of_author = references_of(client, "Book", "ofAuthor")
    assert (of_author[book_1], of_author[book_2]) == ([author], [author])


@pytest.mark.parametrize("dynamic", [False, True], ids=["auto", "dynamic"])
def test_auto_and_dynamic_batching_write_objects_and_references(
    client: wvorm.Client, dynamic: bool
) -> None:
    create_author_book(client)
    client.batch.configure(batch_size=5, dynamic=dynamic)
    with client.batch as batch:
        uuids = add_spec_example(batch)
        waiting = sum(batch.shape)
    # auto: 5 items (3 objects, 2 references) went before the exit flushed the other 2;
    # dynamic: neither 3 objects nor 4 references reach 5, so all waited for the exit
    assert waiting == (7 if dynamic else 2)
    assert batch.shape == (0, 0)
    assert_spec_example_written(client, uuids)
    assert batch.failed_objects == [] and batch.failed_references == []


def test_manual_batching_sends_only_when_asked(client: wvorm.Client) -> None:
    create_author_book(client)
    client.batch.configure(batch_size=None)
    with client.batch as batch:
        uuids = add_spec_example(batch)
        assert batch.shape == (3, 4)
        assert count(client, "Author") + count(client, "Book") == 0
        results = batch.create_objects()
        assert sorted(r["id"] for r in results) == sorted(uuids)
        assert all("errors" not in r["result"] for r in results)
        assert batch.shape == (0, 4)
        references = batch.create_references()
        assert len(references) == 4 and batch.shape == (0, 0)
        batch.add_data_object({"title": "Flushed on exit"}, "Book")
    assert count(client, "Book") == 3
    assert_spec_example_written(client, uuids)


def test_dynamic_batching_follows_measured_creation_time(client: wvorm.Client) -> None:
    create_class(client, {"class": "Item", "vectorizer": "none"})
    client.batch.configure(batch_size=5, dynamic=True)  # 10 s per request: grows
    with client.batch as batch:
        for i in range(400):
            batch.add_data_object({"n": i}, "Item")
    grown = batch.recommended_num_objects
    assert grown is not None and 5 < grown <= MAX_RECOMMENDED_SIZE
    client.batch.configure(batch_size=50, dynamic=True, creation_time=0.0001)  # shrinks
    with client.batch as batch:
        for i in range(400, 600):
            batch.add_data_object({"n": i}, "Item")
    shrunk = batch.recommended_num_objects
    assert shrunk is not None and shrunk < 50
    assert count(client, "Item") == 600


def test_four_workers_keep_references_behind_their_objects(client: wvorm.Client) -> None:
    create_author_book(client)
    client.batch.configure(batch_size=7, num_workers=4)
    expected_books: dict[str, list[str]] = {}
    with client.batch as batch:
        for a in range(60):
            author = batch.add_data_object({"name": f"author {a}"}, "Author")
            expected_books[author] = []
            for b in range(3):
                book = batch.add_data_object({"title": f"book {a}.{b}"}, "Book")
                batch.add_reference(author, "Author", "wroteBooks", book, "Book")
                batch.add_reference(book, "Book", "ofAuthor", author, "Author")
                expected_books[author].append(book)
    assert batch.failed_objects == [] and batch.failed_references == []
    written = references_of(client, "Author", "wroteBooks")
    assert {a: sorted(b) for a, b in written.items()} == {
        a: sorted(b) for a, b in expected_books.items()
    }
    of_author = references_of(client, "Book", "ofAuthor")
    assert len(of_author) == 180 and all(len(refs) == 1 for refs in of_author.values())


def test_named_vectors_are_written(client: wvorm.Client) -> None:
    create_class(
        client,
        {
            "class": "Named",
            "vectorConfig": {
                "text": {"vectorizer": {"none": {}}, "vectorIndexType": "hnsw"},
                "image": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"},
            },
        },
    )
    vectors = {"text": [1.0, 2.0], "image": [0.5, 0.25, 0.125]}
    object_id = client.batch.add_data_object({}, "Named", vectors=vectors)
    client.batch.flush()
    stored = client._connection.get_json(
        f"/objects/Named/{object_id}", "get object", {"include": "vector"}
    )
    assert stored["vectors"] == vectors
    with pytest.raises(TypeError, match="vectors must be a dict"):
        client.batch.add_data_object({}, "Named", vectors=[1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="NaN"):
        client.batch.add_data_object({}, "Named", vectors={"text": [math.nan]})


# -- per-item errors -------------------------------------------------------------------------


def test_rejected_objects_and_references_reach_callback_and_failed_lists(
    client: wvorm.Client, caplog: pytest.LogCaptureFixture
) -> None:
    create_author_book(client)
    client.batch.configure(batch_size=None)
    client.batch.add_data_object({"name": "three"}, "Author", UUID_A, vector=[1, 2, 3])
    client.batch.create_objects()  # the class's vectors now have 3 dimensions

    seen: list[dict[str, Any]] = []
    client.batch.configure(batch_size=3, callback=seen.extend)
    wrong = {"name": "two"}
    with client.batch as batch:
        batch.add_data_object(wrong, "Author", UUID_B, vector=[1.0, 2.0])
        for i in range(4):
            batch.add_data_object({"name": f"ok {i}"}, "Author", vector=[1, 2, i])
        batch.add_reference(UUID_A, "Author", "noSuchProperty", UUID_B, "Author")
    errors = [r for r in seen if r.get("result", {}).get("errors")]
    assert {e.get("id", e.get("from")) for e in errors} == {
        UUID_B,
        f"weaviate://localhost/Author/{UUID_A}/noSuchProperty",
    }
    [failed] = batch.failed_objects
    assert (failed.uuid, failed.class_name, failed.data_object) == (UUID_B, "Author", wrong)
    assert failed.vector == [1.0, 2.0] and "vector" in failed.message
    [failed_ref] = batch.failed_references
    assert failed_ref.from_property_name == "noSuchProperty"
    assert "noSuchProperty" in failed_ref.message
    assert count(client, "Author") == 5

    # the default callback logs them instead
    client.batch.configure(batch_size=2)
    with caplog.at_level(logging.ERROR, logger="wvorm.batch"), client.batch as batch:
        batch.add_data_object({"name": "two again"}, "Author", vector=[1.0, 2.0])
    assert any("vector" in r.getMessage() for r in caplog.records)
    assert len(batch.failed_objects) == 1  # entering the block cleared the earlier ones


def test_weaviate_error_retries_resend_rejected_items(client: wvorm.Client) -> None:
    create_class(client, {"class": "Item", "vectorizer": "none"})
    client.batch.configure(batch_size=None)
    client.batch.add_data_object({}, "Item", vector=[1, 2, 3])
    client.batch.create_objects()
    retry = WeaviateErrorRetryConf(number_retries=2, errors_to_include=["vector"])
    client.batch.configure(batch_size=None, weaviate_error_retries=retry, callback=None)
    client.batch.add_data_object({}, "Item", UUID_A, vector=[1, 2])
    started = time.monotonic()
    results = client.batch.create_objects()
    assert [r["id"] for r in results] == [UUID_A]  # reported once, after the last retry
    assert time.monotonic() - started >= 2 * Sender.backoff_base / 2  # it waited to retry
    assert [f.uuid for f in client.batch.failed_objects] == [UUID_A]


def test_callback_exception_is_raised_but_objects_are_written(client: wvorm.Client) -> None:
    create_class(client, {"class": "Item", "vectorizer": "none"})

    def broken(results: list[dict[str, Any]]) -> None:
        raise RuntimeError("callback broke")

    client.batch.configure(batch_size=2, callback=broken)
    with pytest.raises(RuntimeError, match="callback broke"), client.batch as batch:
        for i in range(4):
            batch.add_data_object({"n": i}, "Item")
    assert count(client, "Item") == 4


# -- threads, caller data, deleting ------------------------------------------------------


def test_eight_threads_share_one_batch_without_loss_or_duplicates(client: wvorm.Client) -> None:
    create_class(client, {"class": "Stress", "vectorizer": "none"})
    client.batch.configure(batch_size=200, num_workers=2, callback=None)
    ids: list[list[str]] = [[] for _ in range(8)]

    def add(thread: int) -> None:
        for i in range(5000):
            ids[thread].append(client.batch.add_data_object({"t": thread, "i": i}, "Stress"))

    with client.batch:
        threads = [threading.Thread(target=add, args=(t,)) for t in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len({u for chunk in ids for u in chunk}) == 40_000
    assert client.batch.failed_objects == []
    assert count(client, "Stress") == 40_000


def test_callers_objects_vectors_and_filters_are_never_changed(client: wvorm.Client) -> None:
    create_class(
        client,
        {
            "class": "Doc",
            "vectorizer": "none",
            "properties": [
                {"name": "title", "dataType": ["text"]},
                {"name": "tags", "dataType": ["text[]"]},
                {"name": "n", "dataType": ["int"]},
            ],
        },
    )
    docs = [{"title": f"doc {i}", "tags": ["x", str(i)], "n": i} for i in range(10)]
    vectors = [[float(i), 1.0] for i in range(10)]
    snapshot = copy.deepcopy((docs, vectors))
    client.batch.configure(batch_size=3)
    with client.batch as batch:
        for doc, vector in zip(docs, vectors):
            batch.add_data_object(doc, "doc", vector=vector)
    assert (docs, vectors) == snapshot
    where = {
        "operator": "And",
        "operands": [
            {"path": "n", "operator": "GreaterThanEqual", "valueInt": 5},
            {"path": ["tags"], "operator": "ContainsAny", "valueText": ["x"]},
        ],
    }
    where_snapshot = copy.deepcopy(where)
    dry = batch.delete_objects("doc", where, dry_run=True, output="verbose")
    assert dry["results"]["matches"] == 5 and count(client, "Doc") == 10
    assert len(dry["results"]["objects"]) == 5
    done = batch.delete_objects("Doc", where)
    assert done["results"]["successful"] == 5 and count(client, "Doc") == 5
    assert where == where_snapshot
    with pytest.raises(ValueError, match="output"):
        batch.delete_objects("Doc", where, output="loud")


def test_pop_empty_and_shard_wait(client: wvorm.Client) -> None:
    create_class(client, {"class": "Item", "vectorizer": "none"})
    batch = client.batch
    batch.add_data_object({"n": 1}, "Item", UUID_A)
    batch.add_data_object({"n": 2}, "Item", UUID_B)
    batch.add_reference(UUID_A, "Item", "rel", UUID_B, "Item")
    assert batch.pop_object()["id"] == UUID_B
    assert batch.pop_reference()["to"].endswith(UUID_B)
    assert batch.is_empty_references() and not batch.is_empty_objects()
    batch.flush()
    batch.empty_objects()
    assert batch.shape == (0, 0) and count(client, "Item") == 1
    batch.wait_for_vector_indexing()
    batch.wait_for_vector_indexing(shards=[Shard("Item")])


def test_already_written_references_are_not_sent_again(client: wvorm.Client) -> None:
    """The lookup used after a failure that may have reached the server."""
    create_author_book(client)
    client.batch.add_data_object({"name": "a"}, "Author", UUID_A)
    client.batch.add_data_object({"title": "b"}, "Book", UUID_B)
    client.batch.add_reference(UUID_A, "Author", "wroteBooks", UUID_B, "Book")
    client.batch.flush()
    written = encode_reference(UUID_A, "Author", "wroteBooks", UUID_B, "Book", None)
    missing = encode_reference(UUID_B, "Book", "ofAuthor", UUID_A, "Author", None)
    sender = Sender(client._connection, items.FailureLog())
    assert sender.unwritten_references([written, missing], SendSettings()) == [missing]


# -- request failures (no server at the address) ----------------------------------------------


@pytest.mark.usefixtures("fast_retries")
def test_unreachable_server_raises_and_keeps_every_item(dead_client: wvorm.Client) -> None:
    batch = dead_client.batch.configure(batch_size=2, connection_error_retries=1)
    batch.add_data_object({"n": 0}, "Item", UUID_A, vector=[0.5])
    batch.add_data_object({"n": 1}, "Item", UUID_B)  # full: sent by a worker
    with pytest.raises(BatchError, match="2 objects failed after 2 attempt") as raised:
        batch.flush()
    assert isinstance(raised.value.__cause__, wvorm.WeaviateConnectionError)
    assert isinstance(raised.value, requests.ConnectionError)  # what v3 raised
    assert sorted(f.uuid for f in batch.failed_objects) == [UUID_A, UUID_B]
    failed = {f.uuid: f for f in batch.failed_objects}
    assert failed[UUID_A] == FailedObject(
        {"n": 0}, "Item", UUID_A, [0.5], None, failed[UUID_A].message
    )
    batch.flush()  # the error was raised once; nothing else is pending

    # A later add_* raises the error of a chunk that failed in the background,
    # and the object it was given is not added.
    batch.add_data_object({"n": 2}, "Item")
    batch.add_data_object({"n": 3}, "Item")
    deadline = time.monotonic() + 10
    while not batch._errors and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(BatchError):
        batch.add_data_object({"n": 4}, "Item")
    assert batch.shape == (0, 0) and len(batch.failed_objects) == 4


@pytest.mark.usefixtures("fast_retries")
def test_references_of_failed_objects_are_kept_not_sent(dead_client: wvorm.Client) -> None:
    batch = dead_client.batch.configure(batch_size=3, connection_error_retries=0)
    batch.add_data_object({}, "Author", UUID_A)
    batch.add_data_object({}, "Book", UUID_B)
    batch.add_reference(UUID_A, "Author", "wroteBooks", UUID_B, "Book")
    with pytest.raises(BatchError):
        batch.flush()
    [reference] = batch.failed_references
    assert (reference.from_object_uuid, reference.to_object_uuid) == (UUID_A, UUID_B)
    assert "not sent" in reference.message


@pytest.mark.usefixtures("fast_retries")
def test_context_exit_keeps_the_original_exception_primary(dead_client: wvorm.Client) -> None:
    dead_client.batch.configure(batch_size=None, connection_error_retries=0)
    with pytest.raises(KeyError, match="user error") as raised, dead_client.batch as batch:
        batch.add_data_object({}, "Item", UUID_A)
        raise KeyError("user error")
    assert any("flushing also failed" in note for note in getattr(raised.value, "__notes__", []))
    assert [f.uuid for f in batch.failed_objects] == [UUID_A]

    with pytest.raises(BatchError), dead_client.batch as batch:  # no other exception: raised
        batch.add_data_object({}, "Item", UUID_B)

    with pytest.raises(KeyboardInterrupt), dead_client.batch as batch:
        batch.add_data_object({}, "Item", UUID_A)
        raise KeyboardInterrupt
    assert batch.shape == (1, 0)  # not flushed on Ctrl-C: still waiting, nothing lost


@pytest.mark.usefixtures("fast_retries")
def test_timeouts_are_retried_and_sending_again_is_idempotent(
    client: wvorm.Client, weaviate_server: EmbeddedServer
) -> None:
    create_class(client, {"class": "Item", "vectorizer": "none"})
    # the server answers no request within the client's read timeout
    hang = Fault("hang", "POST", "/v1/batch/objects", seconds=1, times=3)
    with FaultProxy(weaviate_server.url, hang) as proxy:
        slow = wvorm.Client(proxy.url, timeout_config=(5, 0.3))
        try:
            slow.batch.configure(batch_size=200, num_workers=1, timeout_retries=2)
            # v3 code catches the timeout that ends a batch block as requests' ReadTimeout
            timed_out = pytest.raises(requests.ReadTimeout, match="after 3 attempt")
            with timed_out as raised, slow.batch as batch:
                for i in range(200):
                    batch.add_data_object({"n": i}, "Item", generate_uuid5(i), [i / 200, 1, 0.5])
            failed = list(slow.batch.failed_objects)
        finally:
            slow.close()
    assert isinstance(raised.value, BatchError)
    assert isinstance(raised.value.__cause__, wvorm.WeaviateTimeoutError)
    assert "may not have been written" in str(raised.value)
    assert "Try a smaller batch size (this request had 200)" in str(raised.value)
    assert len(failed) == 200
    for record in failed:  # some may have been written: adding them again replaces them
        client.batch.add_data_object(
            record.data_object, record.class_name, record.uuid, record.vector
        )
    client.batch.flush()
    assert count(client, "Item") == 200


def test_non_retryable_status_fails_the_chunk_at_once(client: wvorm.Client) -> None:
    create_class(client, {"class": "Item", "vectorizer": "none"})
    client.batch.configure(batch_size=None)
    client.batch._update_settings(consistency_level="BOGUS")  # the server answers 400
    client.batch.add_data_object({}, "Item", UUID_A)
    with pytest.raises(BatchError, match="1 attempt") as raised:
        client.batch.create_objects()
    assert "unrecognized consistency level" in str(raised.value.__cause__)
    # v3 code catches it as the UnexpectedStatusCodeException v3 raised here
    assert isinstance(raised.value, UnexpectedStatusCodeException)
    assert raised.value.status_code == 400
    assert [f.uuid for f in client.batch.failed_objects] == [UUID_A]
    client.batch.configure(batch_size=None)  # one failed request does not poison later ones
    client.batch.add_data_object({}, "Item", UUID_A)
    client.batch.flush()
    assert count(client, "Item") == 1


# -- outages and restarts of a real server ------------------------------------------------


@pytest.fixture(scope="module")
def fault_server() -> Iterator[EmbeddedServer]:
    """A private server that tests stop and start (same ports and data across restarts)."""
    server = EmbeddedServer(EmbeddedOptions())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fault_client(fault_server: EmbeddedServer) -> Iterator[wvorm.Client]:
    if not fault_server.is_running():
        fault_server.start()
    with wvorm.Client(fault_server.url) as client:
        for cls in client._connection.get_json("/schema", "schema").get("classes") or []:
            client._connection.delete(f"/schema/{cls['class']}")
        yield client


def test_outage_applies_back_pressure_then_recovers_without_loss(
    fault_server: EmbeddedServer, fault_client: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = fault_client
    create_class(client, {"class": "Item", "vectorizer": "none"})
    monkeypatch.setattr(Sender, "backoff_max", 2.0)
    client.batch.configure(batch_size=10, connection_error_retries=100, callback=None)
    fault_server.stop(cleanup=False)
    added: list[str] = []

    def add() -> None:
        with client.batch as batch:
            for i in range(300):
                added.append(batch.add_data_object({"n": i}, "Item"))

    adder = threading.Thread(target=add)
    adder.start()
    time.sleep(3)
    # blocked: no more than the chunks in flight plus one buffer's worth were accepted
    assert adder.is_alive()
    assert len(added) <= 10 * (IN_FLIGHT_PER_WORKER + 1)
    assert client.batch.num_objects() <= 10
    fault_server.start()
    adder.join(timeout=120)
    assert not adder.is_alive()
    assert client.batch.failed_objects == []
    assert count(client, "Item") == 300

    # retries exhausted during an outage: the error is raised, the items are kept,
    # and once the server is back they can be added again and everything is written
    monkeypatch.setattr(Sender, "backoff_base", 0.01)
    monkeypatch.setattr(Sender, "backoff_max", 0.02)
    client.batch.configure(batch_size=10, connection_error_retries=1, num_workers=2)
    fault_server.stop(cleanup=False)
    with pytest.raises(BatchError), client.batch as batch:
        for i in range(300, 350):
            batch.add_data_object({"n": i}, "Item")
    failed = list(batch.failed_objects)
    not_added = 50 - len(failed) - batch.num_objects()
    fault_server.start()
    with client.batch as batch:
        for record in failed:
            batch.add_data_object(record.data_object, record.class_name, record.uuid)
    assert batch.failed_objects == []
    assert count(client, "Item") == 350 - not_added


def test_add_failed_with_the_server_still_away_keeps_every_failed_reference(
    server_factory: ServerFactory,
) -> None:
    """Regression (found in review): ``add_failed()`` took the failed records, then the
    look-up of a maybe-written reference raised the connection error: the records
    were gone. Now the look-up failing is a BatchError and the references stay failed."""
    server = server_factory()
    client = wvorm.Client(server.url, timeout_config=(1, 2))
    payload = encode_reference(UUID_A, "author", "wroteBooks", UUID_B, "book", None)
    # (the record as a killed server leaves it: tests/reliability/test_crash.py makes
    # them for real; here the server is simply still away when add_failed is called)
    client.batch._failures.add("references", [payload], "cut off", maybe_written=True)
    server.stop()
    with pytest.raises(BatchError, match="reading their source objects back to check failed"):
        client.batch.add_failed()
    (record,) = client.batch.failed_references
    assert (record.from_object_uuid, record.to_object_uuid, record.maybe_written) == (
        UUID_A,
        UUID_B,
        True,
    )
    assert record.payload() == payload


def test_restart_mid_batch_writes_everything_exactly_once(
    fault_server: EmbeddedServer, fault_client: wvorm.Client, caplog: pytest.LogCaptureFixture
) -> None:
    client = fault_client
    create_author_book(client)
    create_class(
        client,
        {"class": "Doc", "vectorizer": "none", "multiTenancyConfig": {"enabled": True}},
    )
    response = client._connection.post("/schema/Doc/tenants", json=[{"name": "t1"}, {"name": "t2"}])
    assert response.status_code == 200, response.text
    sent_urls: list[str] = []
    client._connection._session.hooks["response"].append(
        lambda response, *args, **kwargs: sent_urls.append(response.request.url)
    )
    client.batch.configure(
        batch_size=40,
        num_workers=2,
        connection_error_retries=10,
        timeout_retries=10,
        consistency_level="ONE",
        callback=None,
    )
    halfway = threading.Event()
    books: dict[str, str] = {}
    errors: list[BaseException] = []

    def import_everything() -> None:
        try:
            with client.batch as batch:
                for i in range(3000):
                    tenant = "t1" if i % 2 else "t2"
                    batch.add_data_object(
                        {"n": i}, "Doc", generate_uuid5(i), [i / 3000, 1.0], tenant
                    )
                    if i % 10 == 0:
                        author = batch.add_data_object({"name": f"a{i}"}, "Author")
                        book = batch.add_data_object({"title": f"b{i}"}, "Book")
                        batch.add_reference(author, "Author", "wroteBooks", book, "Book")
                        batch.add_reference(book, "Book", "ofAuthor", author, "Author")
                        books[book] = author
                    if i == 600:
                        halfway.set()
        except BaseException as exc:
            errors.append(exc)
            halfway.set()

    # The restart runs in this (the main) thread: the embedded server is tied to the
    # thread that launched it, and the importer thread ends before the test does.
    importer = threading.Thread(target=import_everything)
    with caplog.at_level(logging.WARNING, logger="wvorm.batch"):
        importer.start()
        halfway.wait()
        fault_server.restart()
        importer.join()
    assert errors == []
    batch = client.batch
    assert any("retrying" in r.getMessage() for r in caplog.records), "no request was cut off"
    assert batch.failed_objects == [] and batch.failed_references == []
    assert count(client, "Doc", "t1") == 1500 and count(client, "Doc", "t2") == 1500
    assert count(client, "Author") == count(client, "Book") == 300
    assert references_of(client, "Book", "ofAuthor") == {b: [a] for b, a in books.items()}
    wrote = references_of(client, "Author", "wroteBooks")
    assert sorted(wrote.values()) == sorted([b] for b in books)
    batch_urls = [u for u in sent_urls if "/v1/batch/" in u]
    assert batch_urls and all("consistency_level=ONE" in u for u in batch_urls)


@pytest.mark.parametrize("transport", ["grpc", "rest"])
def test_a_batch_to_a_stopped_server_counts_its_attempts_once(
    server_factory: ServerFactory, transport: str
) -> None:
    # Regression: the batch's message said "failed after 2 attempt(s)" and the request's
    # own, nested in it, "failed after 1 attempt(s)" (the batch retries by itself).
    server = server_factory()
    config = wvorm.Config(grpc_port=server.ports.grpc) if transport == "grpc" else None
    client = wvorm.Client(server.url, additional_config=config)
    assert client.transport.name == ("gRPC" if transport == "grpc" else "GraphQL")
    server.stop()
    try:
        client.batch.configure(batch_size=2, num_workers=1, connection_error_retries=1)
        with pytest.raises(BatchError) as caught, client.batch as batch:
            batch.add_data_object({"n": 1}, "Thing")
    finally:
        client.close()
    message = str(caught.value)
    assert "failed after 2 attempt(s)" in message and message.count("attempt(s)") == 1, message
    assert ("gRPC BatchObjects" in message) == (transport == "grpc")


# -- v3 semantics: manual batching, empty answers, re-checks after a timeout ---------------


def test_manual_create_calls_warn_dep002_as_v3_does(client: wvorm.Client) -> None:
    create_author_book(client)
    client.batch.configure(batch_size=None)
    with pytest.warns(DeprecationWarning, match="^Dep002: You are batching manually") as seen:
        client.batch.create_objects()  # (nothing waiting: v3 warns only when sending)
        client.batch.add_data_object({"name": "A"}, "Author", UUID_A)
        client.batch.add_data_object({"title": "T"}, "Book", UUID_B)
        client.batch.create_objects()
    # attributed to wvorm, as v3's to weaviate: Python's default filters hide it outside tests
    assert [w.filename.endswith("wvorm/batch/batch.py") for w in seen] == [True]
    client.batch.add_reference(UUID_B, "Book", "ofAuthor", UUID_A, "Author")
    with pytest.warns(DeprecationWarning, match="^Dep002"):
        client.batch.create_references()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # auto batching and flush() do not warn
        client.batch.configure(batch_size=5)
        with client.batch as batch:
            batch.add_data_object({"name": "B"}, "Author", generate_uuid5("B"))
    assert count(client, "Author") == 2 and not client.batch.failed_references


@pytest.mark.parametrize("body", [b"[]", b"[ ]\n"])
def test_an_empty_answer_is_accepted_and_its_items_kept_as_unconfirmed(body: bytes) -> None:
    with answering(body, "application/json") as url:
        client = wvorm.Client(url, startup_period=None)
        try:
            client.batch.configure(batch_size=None)
            client.batch.add_data_object({"a": 1}, "Thing", UUID_A)
            client.batch.add_reference(UUID_A, "Thing", "rel", UUID_B, "Thing")
            with pytest.warns(DeprecationWarning, match="Dep002"):
                assert client.batch.create_objects() == []  # as v3, no exception
                assert client.batch.create_references() == []
            objects = list(client.batch.failed_objects)
            references = list(client.batch.failed_references)
            client.batch.configure(batch_size=2)
            with client.batch as batch:  # automatic batching does not raise either
                batch.add_data_object({"a": 2}, "Thing", UUID_B)
            objects += client.batch.failed_objects
        finally:
            client.close()
    # ... but nothing is taken as written: each item is kept, saying why
    assert sorted(f.uuid for f in objects) == sorted([UUID_A, UUID_B])
    assert len(references) == 1
    kept: list[FailedObject | FailedReference] = [*objects, *references]
    for failed in kept:
        assert failed.maybe_written and "empty result list" in failed.message


def test_after_a_timeout_only_missing_or_changed_objects_are_sent_again(
    client: wvorm.Client, weaviate_server: EmbeddedServer
) -> None:
    create_class(client, {"class": "Item", "vectorizer": "none"})
    ids = [generate_uuid5(i) for i in range(10)]

    def meanwhile(status: int) -> None:
        # the first request was applied; now 3 objects vanish and 2 change on the server
        assert status == 200
        for uuid in ids[:3]:
            client.data_object.delete(uuid, "Item")
        client.data_object.update({"n": -1}, "Item", ids[3])
        client.data_object.update({"n": 4}, "Item", ids[4], vector=[9.0, 9.0, 9.0])

    slow = Fault("slow answer", "POST", "/v1/batch/objects", seconds=3, then=meanwhile)
    with FaultProxy(weaviate_server.url, slow) as proxy:
        through_proxy = wvorm.Client(proxy.url, timeout_config=(5, 1))
        try:
            through_proxy.batch.configure(batch_size=None, timeout_retries=1)
            for i, uuid in enumerate(ids):
                through_proxy.batch.add_data_object({"n": i}, "Item", uuid, [i / 10, 1.0, 0.5])
            with pytest.warns(DeprecationWarning, match="Dep002"):
                results = through_proxy.batch.create_objects()
        finally:
            through_proxy.close()
    posts = [b for seen, b in zip(proxy.seen, proxy.bodies) if seen == "POST /v1/batch/objects"]
    assert len(posts) == 2
    resent = sorted(o["id"] for o in json.loads(posts[1])["objects"])
    assert resent == sorted(ids[:5])  # the 5 the server held as sent were not
    assert sorted(r["id"] for r in results) == sorted(ids)  # every object is reported ...
    assert all(not r["result"].get("errors") for r in results)  # ... as written
    for i, uuid in enumerate(ids):
        stored = client.data_object.get_by_id(uuid, class_name="Item", with_vector=True)
        assert stored is not None and stored["properties"] == {"n": i}
        assert stored["vector"] == pytest.approx([i / 10, 1.0, 0.5])


@pytest.mark.usefixtures("fast_retries")
def test_references_looked_up_while_the_server_is_away_are_looked_up_again(
    client: wvorm.Client, weaviate_server: EmbeddedServer
) -> None:
    # Regression: after a cut-off reference request, a look-up that found the server
    # gone (a restart) stopped the batch at once, failing references that the chunk's
    # own retries would have confirmed as written once the server was back.
    create_author_book(client)
    client.batch.add_data_object({"name": "a"}, "Author", UUID_A)
    client.batch.add_data_object({"title": "b"}, "Book", UUID_B)
    client.batch.flush()
    lose = Fault("lose answer", "POST", "/v1/batch/references")
    away = Fault("reset", "GET", f"/v1/objects/Author/{UUID_A}", times=4)  # and its retries
    with FaultProxy(weaviate_server.url, lose, away) as proxy, wvorm.Client(proxy.url) as c:
        c.batch.configure(batch_size=None, connection_error_retries=3)
        c.batch.add_reference(UUID_A, "Author", "wroteBooks", UUID_B, "Book")
        c.batch.flush()
        assert c.batch.failed_references == []
    assert away.times == 0 and proxy.seen.count("POST /v1/batch/references") == 1
    stored = client.data_object.get_by_id(UUID_A, class_name="Author")
    assert stored is not None and len(stored["properties"]["wroteBooks"]) == 1  # once


def test_after_a_timeout_an_object_added_twice_is_sent_again_in_order(
    client: wvorm.Client, weaviate_server: EmbeddedServer
) -> None:
    # Regression: the look-up kept the first version (it differs from what the server
    # holds) and dropped the second (it matches), so the retry restored the first.
    create_class(client, {"class": "Item", "vectorizer": "none"})
    slow = Fault("slow answer", "POST", "/v1/batch/objects", seconds=3)
    with (
        FaultProxy(weaviate_server.url, slow) as proxy,
        wvorm.Client(proxy.url, timeout_config=(5, 1)) as through_proxy,
    ):
        through_proxy.batch.configure(batch_size=None, timeout_retries=1)
        through_proxy.batch.add_data_object({"n": 1}, "Item", UUID_A, [1.0, 0.0])
        through_proxy.batch.add_data_object({"n": 2}, "Item", UUID_A, [0.0, 1.0])
        through_proxy.batch.add_data_object({"n": 3}, "Item", UUID_B, [1.0, 1.0])
        through_proxy.batch.flush()
        assert through_proxy.batch.failed_objects == []
    posts = [b for seen, b in zip(proxy.seen, proxy.bodies) if seen == "POST /v1/batch/objects"]
    assert [[o["properties"]["n"] for o in json.loads(b)["objects"]] for b in posts] == [
        [1, 2, 3],
        [1, 2],  # both, in order; the one the server held as sent is not
    ]
    stored = client.data_object.get_by_id(UUID_A, class_name="Item")
    assert stored is not None and stored["properties"] == {"n": 2}

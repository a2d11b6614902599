"""Answers lost on the way back: the real server applied a batch request, and the client
never heard (a loopback proxy closes the connection instead of answering).

Sending objects again is idempotent (the same uuids replace themselves); sending
references again is not (Weaviate stores a beacon as often as it is added). So the
batch resends objects, and for references first reads the source objects and sends
only those not stored."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests

import wvorm
from tests.conftest import delete_all_classes
from tests.support.fault_proxy import Fault, FaultProxy
from tests.test_batch import count, references_of
from wvorm import Session
from wvorm.embedded import EmbeddedServer
from wvorm.errors import BatchError, WeaviateTimeoutError
from wvorm.orm import WeaviateModel, create_all

N = 30


@pytest.fixture
def proxied(weaviate_server: EmbeddedServer) -> Iterator[tuple[FaultProxy, wvorm.Client]]:
    """A REST client of the real server through a fault proxy (no faults until added)."""
    delete_all_classes(weaviate_server.url)
    with (
        FaultProxy(weaviate_server.url) as proxy,
        wvorm.Client(proxy.url, startup_period=None) as client,
    ):
        yield proxy, client
    delete_all_classes(weaviate_server.url)


def posts(proxy: FaultProxy, path: str) -> int:
    return sum(1 for request in proxy.seen if request.startswith(f"POST {path}"))


def make_classes(client: wvorm.Client) -> None:
    client.schema.create_class({"class": "Target", "vectorizer": "none"})
    to = {"name": "to", "dataType": ["Target"]}
    client.schema.create_class({"class": "Source", "vectorizer": "none", "properties": [to]})


def test_an_object_batch_whose_answer_was_lost_is_sent_again_and_stored_once(
    proxied: tuple[FaultProxy, wvorm.Client],
) -> None:
    proxy, client = proxied
    make_classes(client)
    proxy.add(Fault("lose answer", "POST", "/v1/batch/objects"))
    ids = [uuid.uuid4() for _ in range(N)]
    with client.batch(batch_size=N) as batch:
        for object_id in ids:
            batch.add_data_object({}, "Target", object_id)
    assert batch.failed_objects == []
    assert proxy.broken == ["POST /v1/batch/objects"] and posts(proxy, "/v1/batch/objects") == 2
    assert count(client, "Target") == N


def test_a_reference_batch_whose_answer_was_lost_is_not_written_twice(
    proxied: tuple[FaultProxy, wvorm.Client],
) -> None:
    proxy, client = proxied
    make_classes(client)
    targets = [uuid.uuid4() for _ in range(N + 1)]
    sources = [uuid.uuid4() for _ in range(N)]
    with client.batch(batch_size=100) as batch:
        for object_id in targets:
            batch.add_data_object({}, "Target", object_id)
        for object_id in sources:
            batch.add_data_object({}, "Source", object_id)
    lost = proxy.add(Fault("lose answer", "POST", "/v1/batch/references"))
    with client.batch(batch_size=100) as batch:
        for i, source in enumerate(sources):  # two references each
            batch.add_reference(source, "Source", "to", targets[i], "Target")
            batch.add_reference(source, "Source", "to", targets[i + 1], "Target")
    assert batch.failed_references == [] and lost.times == 0
    # every reference was stored by the first request: the batch read the sources
    # back and had nothing left to send
    assert posts(proxy, "/v1/batch/references") == 1
    held = references_of(client, "Source", "to")
    for i, source in enumerate(sources):
        assert held[str(source)] == [str(targets[i]), str(targets[i + 1])]


def test_references_whose_sources_cannot_be_read_back_are_reported_not_sent_twice(
    proxied: tuple[FaultProxy, wvorm.Client],
) -> None:
    """After a lost answer, the batch reads the sources back; when that fails too, the
    outcome is unknown, and sending them again could store them twice: they are
    reported instead, saying so, and the batch stops as after a failed request."""
    proxy, client = proxied
    make_classes(client)
    target, source = uuid.uuid4(), uuid.uuid4()
    client.data_object.create({}, "Target", target)
    client.data_object.create({}, "Source", source)
    proxy.add(Fault("lose answer", "POST", "/v1/batch/references"))
    proxy.add(Fault("503", "GET", f"/v1/objects/Source/{source}", times=1000))
    batch = client.batch
    stopped = pytest.raises(BatchError, match="Batch stopped: a batch request with 1 references")
    with stopped, batch:
        batch.add_reference(source, "Source", "to", target, "Target")
    (failure,) = batch.failed_references
    assert f"check failed (GET /v1/objects/Source/{source} answered 503" in failure.message
    assert "may or may not be written" in failure.message
    assert posts(proxy, "/v1/batch/references") == 1  # not sent again
    proxy.faults.clear()
    assert references_of(client, "Source", "to")[str(source)] == [str(target)]  # (stored once)


class NTag(WeaviateModel, vectorizer="none"):
    name: str


class NDoc(WeaviateModel, vectorizer="none"):
    title: str
    tags: list[NTag] = []


def test_a_session_commit_whose_reference_answer_was_lost_writes_each_once(
    proxied: tuple[FaultProxy, wvorm.Client],
) -> None:
    proxy, client = proxied
    create_all(client, [NTag, NDoc])
    tags = [NTag(name=f"t{i}") for i in range(3)]
    docs = [NDoc(title=f"d{i}", tags=tags[: 1 + i % 3]) for i in range(N)]
    proxy.add(Fault("lose answer", "POST", "/v1/batch/references"))
    with Session(client) as session:
        session.add_all(docs)
        session.commit()
        assert session.new == [] and session.dirty == []
    assert proxy.broken == ["POST /v1/batch/references"]
    held = references_of(client, "NDoc", "tags")
    for doc in docs:
        assert held[str(doc.id)] == [str(t.id) for t in doc.tags]


def test_a_batch_answered_429_waits_and_sends_again(
    proxied: tuple[FaultProxy, wvorm.Client],
) -> None:
    proxy, client = proxied
    make_classes(client)
    proxy.add(Fault("429", "POST", "/v1/batch/objects", times=2))
    ids = [uuid.uuid4() for _ in range(N)]
    with client.batch(batch_size=N) as batch:
        for object_id in ids:
            batch.add_data_object({}, "Target", object_id)
    assert batch.failed_objects == []
    assert posts(proxy, "/v1/batch/objects") == 3  # turned away twice, then written
    assert count(client, "Target") == N


def test_reads_stalled_past_the_timeout_fail_after_a_bounded_number_of_attempts(
    weaviate_server: EmbeddedServer,
) -> None:
    stall = Fault("stall", "GET", "/v1/schema", times=100, seconds=1.5)
    with (
        FaultProxy(weaviate_server.url, stall) as proxy,
        wvorm.Client(proxy.url, timeout_config=(5, 0.3), startup_period=None) as client,
    ):
        retries = client.connection.config.session_pool_max_retries
        with pytest.raises(WeaviateTimeoutError, match=f"after {1 + retries} attempt"):
            client.schema.get()
        assert proxy.seen.count("GET /v1/schema") == 1 + retries
        stall.times = 0
        assert "classes" in client.schema.get()  # the client recovers at once


def test_the_proxy_forwards_what_it_does_not_break(
    proxied: tuple[FaultProxy, wvorm.Client], weaviate_server: EmbeddedServer
) -> None:
    proxy, client = proxied
    assert client.get_meta() == requests.get(f"{weaviate_server.url}/v1/meta", timeout=10).json()
    assert proxy.broken == [] and "GET /v1/meta" in proxy.seen

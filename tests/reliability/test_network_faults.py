"""Network faults between client and server, made by a loopback proxy in front of the
real server: answers lost or cut off on the way back (the server applied the
request, and the client never heard), connections reset, 502/503/429 answers and
stalled reads.

Sending objects again is idempotent (the same uuids replace themselves); sending
references again is not (Weaviate stores a beacon as often as it is added). So the
batch resends objects, and for references first reads the source objects and sends
only those not stored."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import wvorm
from tests.conftest import ServerFactory, delete_all_classes
from tests.support.fault_proxy import Fault, FaultProxy
from tests.support.oidc import OIDCProvider
from tests.test_batch import count, references_of
from wvorm import Session
from wvorm.embedded import EmbeddedServer
from wvorm.errors import AuthenticationFailedException, BatchError, WeaviateTimeoutError
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


# What each kind of request does in a Session's life, and the request a fault breaks.
def _query(client: wvorm.Client, docs: list[NDoc]) -> None:
    got = sorted(d.title for d in NDoc.query.using(client).all())
    assert got == sorted(d.title for d in docs)


def _read(client: wvorm.Client, docs: list[NDoc]) -> None:
    with Session(client) as session:
        held = session.get(NDoc, docs[0].id)
        assert held is not None and held.title == docs[0].title


def _insert(client: wvorm.Client, docs: list[NDoc]) -> None:
    more = [NDoc(title=f"new {i}") for i in range(N)]
    with Session(client) as session:
        session.add_all(more)
        session.commit()
    docs.extend(more)


def _add_reference(client: wvorm.Client, docs: list[NDoc]) -> None:
    with Session(client) as session:
        loaded = session.query(NDoc).include(NDoc.tags).all()
        extra = NTag(name="extra")
        for doc in loaded:
            doc.tags.append(extra)
        session.commit()
    for doc in docs:
        doc.tags.append(extra)


def _patch(client: wvorm.Client, docs: list[NDoc]) -> None:
    with Session(client) as session:
        for doc in session.query(NDoc).all():
            doc.title += " (patched)"
        session.commit()
    for doc in docs:
        doc.title += " (patched)"


def _replace_reference(client: wvorm.Client, docs: list[NDoc]) -> None:
    with Session(client) as session:  # loaded without its references: assigned whole
        held = session.query(NDoc).where(NDoc.title == docs[0].title).one()
        target = session.get(NTag, docs[-1].tags[0].id)
        assert target is not None
        held.tags = [target]
        session.commit()
    docs[0].tags = [docs[-1].tags[0]]


def _remove_reference(client: wvorm.Client, docs: list[NDoc]) -> None:
    doc = next(d for d in docs if len(d.tags) > 1)
    with Session(client) as session:
        held = session.get(NDoc, doc.id)
        assert held is not None
        del held.tags[0]
        session.commit()
    del doc.tags[0]


def _delete(client: wvorm.Client, docs: list[NDoc]) -> None:
    with Session(client) as session:
        for doc in session.query(NDoc).where(NDoc.title == docs[0].title).all():
            session.delete(doc)
        session.commit()
    del docs[0]


OPERATIONS = {
    "query": (_query, "POST", "/v1/graphql"),
    "read": (_read, "GET", "/v1/objects/NDoc/"),
    "insert": (_insert, "POST", "/v1/batch/objects"),
    "reference add": (_add_reference, "POST", "/v1/batch/references"),
    "patch": (_patch, "PATCH", "/v1/objects/NDoc/"),
    "reference replace": (_replace_reference, "PUT", "/v1/objects/NDoc/"),
    "reference remove": (_remove_reference, "DELETE", "/v1/objects/NDoc/"),
    "delete": (_delete, "DELETE", "/v1/batch/objects"),
}


@pytest.mark.parametrize("fault", ["reset", "cut answer", "502"])
@pytest.mark.parametrize("operation", OPERATIONS)
def test_a_broken_request_ends_in_exact_data(
    proxied: tuple[FaultProxy, wvorm.Client], operation: str, fault: str
) -> None:
    """One request of ``operation`` is broken by ``fault``: a reset before it reaches the
    server, its answer cut off mid-body after the server applied it, or a proxy's 502.
    Each is retried a bounded number of times (or, for reference adds, read back
    first) and the operation succeeds; the server then holds exactly the intended
    data: every object once, every reference once."""
    proxy, client = proxied
    create_all(client, [NTag, NDoc])
    tags = [NTag(name=f"t{i}") for i in range(3)]
    docs = [NDoc(title=f"d{i}", tags=tags[: 1 + i % 3]) for i in range(N)]
    with Session(client) as session:
        session.add_all(docs)
        session.commit()
    run, method, path = OPERATIONS[operation]
    broken = proxy.add(Fault(fault, method, path))
    before = len(proxy.seen)
    run(client, docs)
    assert broken.times == 0, f"the fault broke no {method} {path}: the test shows nothing"
    attempts = [r for r in proxy.seen[before:] if r == proxy.broken[0]]
    assert len(attempts) <= 1 + client.connection.config.session_pool_max_retries
    proxy.faults.clear()
    stored = {d.id: d for d in NDoc.query.using(client).all()}
    assert sorted(stored) == sorted(d.id for d in docs) and count(client, "NDoc") == len(docs)
    beacons = references_of(client, "NDoc", "tags")
    for doc in docs:
        assert stored[doc.id].title == doc.title
        assert sorted(beacons[str(doc.id)]) == sorted(str(t.id) for t in doc.tags), doc.title


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


# -- token refresh ------------------------------------------------------------------------

TOKEN_LIFETIME = 2  # seconds


@pytest.fixture(scope="module")
def provider_behind_proxy(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[FaultProxy, OIDCProvider]]:
    """A real OIDC provider whose issuer is a fault proxy in front of it: Weaviate and
    the client reach it (discovery, keys, tokens) only through the proxy. Each test
    adds its own faults."""
    with FaultProxy("http://127.0.0.1:9") as proxy:  # (upstream known once it runs)
        provider = OIDCProvider.start(
            tmp_path_factory.mktemp("oidc"), access_token_lifetime=TOKEN_LIFETIME, issuer=proxy.url
        )
        proxy.upstream = f"http://127.0.0.1:{provider.port}"
        try:
            yield proxy, provider
        finally:
            provider.stop()


@pytest.mark.parametrize("fault", ["reset", "cut answer", "503", "stall"])
def test_a_token_refresh_broken_on_the_way_is_retried(
    server_factory: ServerFactory,
    provider_behind_proxy: tuple[FaultProxy, OIDCProvider],
    fault: str,
) -> None:
    """The request that renews an expired token is reset, answered 503, stalled past
    the read timeout, or cut off after the provider issued the token: it is asked again
    (a second token costs nothing) and the call that needed it succeeds."""
    proxy, provider = provider_behind_proxy
    server = server_factory(additional_env_vars=provider.weaviate_env())
    credentials = wvorm.AuthClientPassword(provider.username, provider.password)
    with wvorm.Client(server.url, auth_client_secret=credentials, timeout_config=(2, 1)) as client:
        assert client.schema.get() == {"classes": []}
        time.sleep(TOKEN_LIFETIME + 0.5)  # expired
        broken = proxy.add(Fault(fault, "POST", "/token", seconds=2))
        before = proxy.seen.count("POST /token")
        assert client.schema.get() == {"classes": []}
        assert broken.times == 0 and proxy.seen.count("POST /token") - before >= 2


@pytest.mark.parametrize(
    ("fault", "grants"),
    [
        ("cut answer", ["refresh_token", "password"]),  # (the provider issued a token)
        ("stall", ["refresh_token", "password"]),
        ("503", ["refresh_token", "refresh_token"]),  # (refused before it was handled)
    ],
)
def test_a_refresh_token_the_provider_may_have_used_is_not_sent_again(
    server_factory: ServerFactory,
    provider_behind_proxy: tuple[FaultProxy, OIDCProvider],
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    grants: list[str],
) -> None:
    """Found in review: a refresh grant whose answer was lost was sent again with the
    same refresh token. A provider that rotates refresh tokens may take that as reuse
    and revoke the session's tokens. Now the client signs in with its credentials
    instead, and sends a refresh grant again only when the provider refused it (503)."""
    proxy, provider = provider_behind_proxy
    server = server_factory(additional_env_vars=provider.weaviate_env())
    credentials = wvorm.AuthClientPassword(provider.username, provider.password)
    with wvorm.Client(server.url, auth_client_secret=credentials, timeout_config=(2, 1)) as client:
        assert client.schema.get() == {"classes": []}
        sent: list[str] = []
        http = client.connection._session
        real_post = http.post

        def post(url: str, **kwargs: Any) -> Any:
            sent.append(kwargs["data"]["grant_type"])
            return real_post(url, **kwargs)

        monkeypatch.setattr(http, "post", post)
        time.sleep(TOKEN_LIFETIME + 0.5)  # expired
        broken = proxy.add(Fault(fault, "POST", "/token", seconds=2))
        assert client.schema.get() == {"classes": []}
        assert broken.times == 0 and sent == grants


def test_a_token_endpoint_that_stays_down_is_a_clear_error_and_the_client_recovers(
    server_factory: ServerFactory, provider_behind_proxy: tuple[FaultProxy, OIDCProvider]
) -> None:
    proxy, provider = provider_behind_proxy
    server = server_factory(additional_env_vars=provider.weaviate_env())
    credentials = wvorm.AuthClientPassword(provider.username, provider.password)
    with wvorm.Client(server.url, auth_client_secret=credentials) as client:
        assert client.schema.get() == {"classes": []}
        time.sleep(TOKEN_LIFETIME + 0.5)
        down = proxy.add(Fault("503", "POST", "/token", times=1000))
        before = proxy.seen.count("POST /token")
        attempts = 1 + client.connection.config.session_pool_max_retries
        with pytest.raises(AuthenticationFailedException) as failed:
            client.schema.get()
        # the refresh grant, then the password grant: each tried a bounded number of times
        assert proxy.seen.count("POST /token") - before == 2 * attempts
        assert f"answered 503 for the password grant, after {attempts} attempt(s)" in str(
            failed.value
        )
        down.times = 0
        assert client.schema.get() == {"classes": []}  # the next call renews the token

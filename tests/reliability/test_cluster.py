"""A node lost from a 3-node cluster with replication factor 3, while Sessions commit
and queries run on both transports.

What Weaviate promises, as measured here (1.39): ``ALL`` means every replica the
cluster knows to be alive. Right after a node dies its replicas are still counted,
so writes at ``ALL`` fail, naming the replicas they could not reach; once the
cluster has declared the node dead (memberlist, about 30 s here) the two replicas
left are all, and writes at ``ALL`` succeed again. ``QUORUM`` (2 of 3) and ``ONE``
go on throughout. A restarted node catches up by itself (async replication).

The raft leader of the schema is different: while it is gone and no new leader is
elected, schema changes and schema reads that ask the leader wait. Writes of
classes that exist go on, and so does the Session's schema check, which reads the
node's own copy first.
"""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Callable

import pytest

import wvorm
from tests.orm.conftest import transport_client
from wvorm.data.replication import ConsistencyLevel
from wvorm.embedded import EmbeddedServer
from wvorm.errors import CommitError, WvormError
from wvorm.orm import WeaviateModel, create_all

TRANSPORTS = ("grpc", "graphql")
NAMESPACE = uuid.UUID("7f1e0c2a-6b3d-4e5f-8a9b-0c1d2e3f4a5b")


class RTag(WeaviateModel, vectorizer="none", replication_factor=3):
    name: str


class RNote(WeaviateModel, vectorizer="none", replication_factor=3):
    text: str
    n: int
    tags: list[RTag] = []


class RLater(WeaviateModel, vectorizer="none", replication_factor=3):
    """A class created while the raft leader is gone."""

    text: str


def notes(label: str, count: int, start: int = 0) -> list[RNote]:
    """Notes with natural uuids and contents that follow from them, each with a tag."""
    made = []
    for i in range(start, start + count):
        tag = RTag(id=uuid.uuid5(NAMESPACE, f"{label} tag {i}"), name=f"tag {i}")
        made.append(
            RNote(id=uuid.uuid5(NAMESPACE, f"{label} {i}"), text=f"{label} {i}", n=i, tags=[tag])
        )
    return made


def commit(client: wvorm.Client, level: str, objects: list[RNote]) -> None:
    with wvorm.Session(client, consistency_level=level) as session:
        session.add_all(objects)
        session.commit()


def kill(node: EmbeddedServer) -> None:
    assert node.pid is not None
    os.killpg(node.pid, signal.SIGKILL)
    node.stop(cleanup=False)  # (reaps it; the data directory stays)


def raft_leader(node: EmbeddedServer) -> str:
    """The name of the node that leads the schema's raft group, as ``node`` sees it."""
    with wvorm.Client(node.url) as client:
        stats = client.connection.get_json("/cluster/statistics", "Get cluster statistics")
    leaders = {s["leaderId"] for s in stats["statistics"] if s.get("leaderId")}
    assert len(leaders) == 1, stats
    return str(leaders.pop())


def by_name(nodes: list[EmbeddedServer], name: str) -> EmbeddedServer:
    return next(n for n in nodes if n.options.node_name == name)


class Readers:
    """Threads querying on each transport at ONE and QUORUM until stopped: every hit
    must hold the contents its uuid stands for, and the count never go down."""

    def __init__(self, clients: dict[str, wvorm.Client], expected: dict[uuid.UUID, str]) -> None:
        self.expected = expected
        self.errors: list[str] = []
        self.rounds = 0
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._read, args=(client,), daemon=True)
            for client in clients.values()
        ]

    def __enter__(self) -> Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
            assert not thread.is_alive(), "a reader thread hangs"

    def _read(self, client: wvorm.Client) -> None:
        seen = 0
        while not self._stop.is_set():
            for level in ("ONE", "QUORUM"):
                try:
                    found = RNote.query.using(client).consistency_level(level).all()
                except WvormError as exc:
                    self.errors.append(f"{client.transport.name} at {level}: {exc}")
                    continue
                for note in found:
                    if self.expected.get(note.id, note.text) != note.text:
                        self.errors.append(f"{note.id} holds {note.text!r}")
                if len(found) < seen:
                    self.errors.append(f"{len(found)} notes after {seen}")
                seen = max(seen, len(found))
                self.rounds += 1


@pytest.fixture
def record(record_property: Callable[[str, object], None]) -> Callable[..., None]:
    """Note measured values in the test report (and print them, for ``-s``)."""

    def save(**values: object) -> None:
        for name, value in values.items():
            record_property(name, value)
            print(f"{name}: {value}")

    return save


@pytest.fixture
def clients(cluster: list[EmbeddedServer]) -> Iterator[dict[str, wvorm.Client]]:
    """One client per transport, on a node that does not lead the schema's raft group
    (so that the tests can kill the leader, or a follower, without losing it)."""
    leader = raft_leader(cluster[0])
    node = next(n for n in cluster if n.options.node_name != leader)
    made = {t: transport_client(node, t) for t in TRANSPORTS}
    yield made
    for client in made.values():
        client.close()


def node_of(client: wvorm.Client, cluster: list[EmbeddedServer]) -> EmbeddedServer:
    return next(n for n in cluster if n.url == client.connection.url)


def converge(node: str, client: wvorm.Client, wanted: dict[uuid.UUID, str]) -> float:
    """Seconds until ``node``'s own copy holds every object of ``wanted`` (read from
    that node alone, ``node_name``); fails after two minutes."""
    started = time.monotonic()
    missing = dict(wanted)
    while missing:
        assert time.monotonic() - started < 120, f"{len(missing)} objects never reached {node}"
        for object_id, text in list(missing.items()):
            try:
                held = client.data_object.get_by_id(object_id, class_name="RNote", node_name=node)
            except WvormError:  # (a node just back is not known to the others at once)
                break
            if held is not None:
                assert held["properties"]["text"] == text
                del missing[object_id]
        else:
            continue
        time.sleep(0.5)
    return time.monotonic() - started


def at_once(*calls: Callable[[], None]) -> list[BaseException | None]:
    """Run ``calls`` in parallel threads; each one's exception, or None."""
    outcomes: list[BaseException | None] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            calls[index]()
        except BaseException as exc:
            outcomes[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return outcomes


def test_a_lost_node_stops_writes_at_all_until_the_cluster_drops_it_and_catches_up(
    cluster: list[EmbeddedServer], clients: dict[str, wvorm.Client], record: Callable[..., None]
) -> None:
    create_all(clients["grpc"], [RTag, RNote])
    written = {t: notes(t, 200) for t in TRANSPORTS}
    for transport, client in clients.items():
        commit(client, "QUORUM", written[transport])
    expected = {n.id: n.text for batch in written.values() for n in batch}
    here = node_of(clients["grpc"], cluster)
    victim = next(n for n in cluster if n is not here and n.options.node_name != raft_leader(here))

    with Readers(clients, expected) as readers:
        kill(victim)
        killed = time.monotonic()
        # At once, on both transports: writes at ALL. Weaviate either refuses them (the
        # Session then names the level and the cause) or, having waited for the dead
        # replica, accepts them from the two left: both were seen here.
        at_all = {t: notes(f"{t} all", 5) for t in TRANSPORTS}
        outcomes = at_once(*(lambda t=t: commit(clients[t], "ALL", at_all[t]) for t in TRANSPORTS))
        record(all_writes_answered_after=round(time.monotonic() - killed, 1))
        for transport, outcome in zip(TRANSPORTS, outcomes):
            record(**{f"all_write_{transport}": "refused" if outcome else "accepted"})
            if outcome is None:
                expected.update({n.id: n.text for n in at_all[transport]})
                continue
            assert isinstance(outcome, CommitError), (transport, outcome)
            for _, reason in outcome.failures:
                assert "at consistency level ALL: " in reason, reason
                assert "cannot reach enough replicas" in reason, reason
            # a refused write is not stored either (the Session looks each one up)
            refused = {item.id for item, _ in outcome.failures if isinstance(item, RNote)}
            assert refused, outcome
            for object_id in refused:
                assert (
                    clients[transport].data_object.get_by_id(
                        object_id, class_name="RNote", consistency_level=ConsistencyLevel.QUORUM
                    )
                    is None
                )
        # QUORUM and ONE go on.
        for transport, client in clients.items():
            more = notes(transport, 100, start=200)
            commit(client, "QUORUM", more[:50])
            commit(client, "ONE", more[50:])
            expected.update({n.id: n.text for n in more})
            first = written[transport][0]
            for level in ConsistencyLevel.QUORUM, ConsistencyLevel.ONE:
                held = client.data_object.get_by_id(
                    first.id, class_name="RNote", consistency_level=level
                )
                assert held is not None and held["properties"]["text"] == first.text
        # Once the cluster has dropped the node, ALL is the two replicas left.
        dropped = wait_until_dropped(clients["grpc"], victim.options.node_name)
        record(node_dropped_after=round(dropped - killed, 1))
        for transport, client in clients.items():
            late = notes(f"{transport} late", 5)
            commit(client, "ALL", late)
            expected.update({n.id: n.text for n in late})
    assert readers.errors == [] and readers.rounds > 0
    record(query_rounds=readers.rounds)

    victim.start()
    record(converged_after=round(converge(victim.options.node_name, clients["grpc"], expected), 1))
    for transport, client in clients.items():  # everything, once, at ALL again
        stored = RNote.query.using(client).consistency_level("ALL").all()
        assert sorted((n.id, n.text) for n in stored) == sorted(expected.items()), transport


def wait_until_dropped(client: wvorm.Client, node: str) -> float:
    """The moment ``/v1/nodes`` no longer lists ``node`` at all: its membership list
    has declared it dead. (It says UNAVAILABLE at once, when its status call fails; but
    until it is dropped, writes still count it among the replicas, so ALL fails.)"""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        listed = client.connection.get_json("/nodes", "List nodes")["nodes"]
        if all(n["name"] != node for n in listed):
            return time.monotonic()
        time.sleep(0.2)
    raise AssertionError(f"the cluster still lists {node} 90 s after it died")


def test_a_lost_raft_leader_delays_schema_changes_not_writes(
    cluster: list[EmbeddedServer], clients: dict[str, wvorm.Client], record: Callable[..., None]
) -> None:
    create_all(clients["grpc"], [RTag, RNote])
    here = node_of(clients["grpc"], cluster)
    leader = by_name(cluster, raft_leader(here))
    for transport, client in clients.items():
        commit(client, "QUORUM", notes(transport, 100))
    kill(leader)
    killed = time.monotonic()
    # New clients, whose Sessions check the schema before their first write: that
    # check reads the node's own copy, so it does not wait for a leader. (Asking the
    # leader, it stalled for the read timeout: these clients would fail.)
    for transport in TRANSPORTS:
        config = wvorm.Config(grpc_port=here.ports.grpc, transport=transport)
        config.connection_config.session_pool_max_retries = 0
        with wvorm.Client(here.url, timeout_config=(2, 5), additional_config=config) as client:
            # (a class read at consistency=False used to ask the leader all the same)
            assert client.schema.get("RNote", consistency=False)["class"] == "RNote"
            commit(client, "QUORUM", notes(transport, 50, start=100))
            assert len(RNote.query.using(client).consistency_level("QUORUM").all()) >= 150
    record(writes_went_on_within=round(time.monotonic() - killed, 1))
    # A schema change waits for the new leader (retried reads of the leader's schema).
    create_all(clients["grpc"], [RLater])
    record(schema_change_after=round(time.monotonic() - killed, 1))
    new_leader = raft_leader(here)
    assert new_leader != leader.options.node_name
    commit_later(clients["graphql"])
    leader.start()
    # The old leader, back as a follower, learns the new class and holds the writes.
    deadline = time.monotonic() + 120
    with wvorm.Client(leader.url) as old:
        while "RLater" not in {c["class"] for c in old.schema.get(consistency=False)["classes"]}:
            assert time.monotonic() < deadline, "the old leader never learned the new class"
            time.sleep(0.5)
    expected = {n.id: n.text for t in TRANSPORTS for n in notes(t, 150)}
    record(converged_after=round(converge(leader.options.node_name, clients["grpc"], expected), 1))


def commit_later(client: wvorm.Client) -> None:
    with wvorm.Session(client, consistency_level="QUORUM") as session:
        session.add(RLater(text="written after the election"))
        session.commit()
    assert [o.text for o in RLater.query.using(client).all()] == ["written after the election"]

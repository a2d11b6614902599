"""Load: 8 writer threads, each with its own Session on one shared client, while 4 more
threads query the class the whole time.

Every writer inserts its share of the objects in chunks (add ``CHUNK``, commit), each
object with a natural uuid (uuid5 of its key), properties of several types, a small
vector and references to earlier objects of the same writer (some committed in an
earlier chunk). Everything about an object follows from its key, so whoever reads it
can check it: the query threads run filters (with the references included),
near_vector searches, counts, aggregates and gets by id, and check that every object
they see holds exactly what its writer intended, that everything committed before a
query started is found by it, and that counts never go down. At the end the class
holds every object exactly once, with its properties, its vector (as float32) and its
references, each once.

Every thread is joined with a deadline: a deadlock fails the test with the stacks of
every thread still running.

``WVORM_LOAD_OBJECTS`` sets the number of objects (20,000 by default, so that one
transport's run stays well under a minute on two cores; the issue's full size is
``WVORM_LOAD_OBJECTS=100000``).
"""

from __future__ import annotations

import faulthandler
import os
import random
import sys
import threading
import time
import traceback
import uuid
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import partial
from typing import Optional

import pytest

import wvorm
from tests.conftest import ServerFactory
from tests.orm.conftest import transport_client
from tests.test_batch import count, references_of
from wvorm.orm import WeaviateModel, create_all, state_of

N_OBJECTS = int(os.environ.get("WVORM_LOAD_OBJECTS", "20000"))
WRITERS = 8
READERS = 4
CHUNK = 500  # objects added per commit
DEADLINE = max(300.0, N_OBJECTS / 50)  # seconds for the writers and readers to finish
NAMESPACE = uuid.UUID("6f1d8a52-3c0e-4e7b-9d35-0a8c7e2b4f61")
EPOCH = datetime(2021, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


class LoadItem(WeaviateModel, vectorizer="none"):
    key: str
    writer: int
    seq: int
    score: float
    flag: bool
    label: str
    tags: list[str]
    when: datetime
    links: list[LoadItem] = []


# -- what every object holds, derived from its key ---------------------------------------


def per_writer(writer: int) -> int:
    """How many objects ``writer`` inserts (together: exactly N_OBJECTS)."""
    return N_OBJECTS // WRITERS + (writer < N_OBJECTS % WRITERS)


def key_of(writer: int, seq: int) -> str:
    return f"w{writer}-{seq}"


def uuid_of(writer: int, seq: int) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key_of(writer, seq))


def parse_key(key: str) -> tuple[int, int]:
    writer, seq = key[1:].split("-")
    return int(writer), int(seq)


def link_seqs(seq: int) -> list[int]:
    """The earlier objects of the same writer that object ``seq`` references."""
    return [s for s in (seq - 1, seq - CHUNK - 3) if s >= 0]


def intended(writer: int, seq: int) -> dict[str, object]:
    """The properties of object ``seq`` of ``writer`` (not its references)."""
    return {
        "key": key_of(writer, seq),
        "writer": writer,
        "seq": seq,
        "score": seq / 7 + writer * 1e-3,  # (not a float32: the number type is float64)
        "flag": seq % 3 == 0,
        "label": f'objet {seq} «de» w{writer}: "quoted" \\ ü',
        "tags": [f"t{seq % 5}", f"w{writer}"],
        "when": EPOCH + timedelta(seconds=seq * 61 + writer, microseconds=seq % 1000),
    }


def vector_of(writer: int, seq: int) -> list[float]:
    return [writer / WRITERS, seq / N_OBJECTS, (seq % 10) / 10, 1 / 3]


def float32(values: Optional[Sequence[float]]) -> array[float]:
    assert values is not None, "no vector"
    return array("f", values)


def make(writer: int, seq: int, earlier: dict[int, LoadItem]) -> LoadItem:
    item = LoadItem(
        id=uuid_of(writer, seq),
        links=[earlier[s] for s in link_seqs(seq)],
        **intended(writer, seq),  # type: ignore[arg-type]
    )
    state_of(item).vector = vector_of(writer, seq)
    return item


def check_item(item: LoadItem, links_loaded: bool = False, exact: bool = False) -> None:
    """``item`` holds what its writer intended; with ``links_loaded``, its references
    are a subset of the intended ones (the commit writes them after the objects), or,
    with ``exact``, all of them."""
    writer, seq = parse_key(item.key)
    assert item.id == uuid_of(writer, seq), item
    got = item.model_dump(include=set(intended(writer, seq)))
    assert got == intended(writer, seq), (got, intended(writer, seq))
    if links_loaded:
        want = {uuid_of(writer, s) for s in link_seqs(seq)}
        have = [link.id for link in item.links]
        assert len(have) == len(set(have)), f"{item.key}: duplicate references {have}"
        if exact:
            assert set(have) == want, (item.key, have, want)
        else:
            assert set(have) <= want, (item.key, have, want)


# -- the run -----------------------------------------------------------------------------


@dataclass
class Progress:
    """What the writers have done, shared with the readers."""

    started: list[int] = field(default_factory=lambda: [0] * WRITERS)  # added, commit begun
    committed: list[int] = field(default_factory=lambda: [0] * WRITERS)  # commit returned
    writers_done: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)  # give up (a failure)
    errors: list[str] = field(default_factory=list)
    operations: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, who: str) -> None:
        with self.lock:
            self.errors.append(f"{who}:\n{traceback.format_exc()}")
        self.stop.set()


def write(client: wvorm.Client, writer: int, progress: Progress) -> None:
    earlier: dict[int, LoadItem] = {}
    total = per_writer(writer)
    with wvorm.Session(client) as session:
        for start in range(0, total, CHUNK):
            end = min(start + CHUNK, total)
            for seq in range(start, end):
                earlier[seq] = make(writer, seq, earlier)
                session.add(earlier[seq])
            progress.started[writer] = end
            session.commit()
            progress.committed[writer] = end
            if progress.stop.is_set():
                return
            for seq in [s for s in earlier if s < end - CHUNK - 3]:
                del earlier[seq]  # (no later object references it)
    assert session.new == [] and session.dirty == []


def read(client: wvorm.Client, reader: int, progress: Progress) -> None:
    """Query until the writers are done (and at least once more after), checking
    every answer."""
    rng = random.Random(reader)
    last_count = 0
    query = LoadItem.query.using(client)
    operations: list[tuple[str, Callable[[], None]]] = []

    def committed_key() -> tuple[int, int, list[int]]:
        """A writer, one of its committed objects, and every writer's committed count."""
        done = list(progress.committed)
        writer = rng.randrange(WRITERS)
        return writer, rng.randrange(max(done[writer], 1)), done

    def by_filter() -> None:
        writer, seq, done = committed_key()
        low = max(0, seq - 20)
        found = (
            query.where(LoadItem.writer == writer, LoadItem.seq >= low, LoadItem.seq < low + 40)
            .include(LoadItem.links)
            .all()
        )
        seen = {item.seq for item in found}
        assert len(seen) == len(found), f"duplicates among {sorted(i.key for i in found)}"
        for item in found:
            assert item.writer == writer and low <= item.seq < low + 40, item.key
            check_item(item, links_loaded=True, exact=item.seq < done[writer])
        missing = set(range(low, min(low + 40, done[writer]))) - seen
        assert not missing, f"committed objects of w{writer} not found: {sorted(missing)}"

    def by_vector() -> None:
        writer, seq, done = committed_key()
        hits = query.near_vector(vector_of(writer, seq)).with_vector().limit(10).hits()
        assert len(hits) >= min(10, sum(done)), (len(hits), done)
        distances = [hit.distance for hit in hits]
        assert all(d is not None for d in distances), distances
        assert distances == sorted(distances), distances  # type: ignore[type-var]
        for hit in hits:
            check_item(hit.object)
            hit_writer, hit_seq = parse_key(hit.object.key)
            assert float32(hit.vector) == float32(vector_of(hit_writer, hit_seq))

    def by_count() -> None:
        nonlocal last_count
        before = sum(progress.committed)
        counted = query.count()
        after = sum(progress.started)
        assert before <= counted <= after, (before, counted, after)
        assert counted >= last_count, f"the count went down: {last_count} -> {counted}"
        last_count = counted

    def by_aggregate() -> None:
        writer = rng.randrange(WRITERS)
        before, upto = progress.committed[writer], progress.started[writer]
        stats = query.where(LoadItem.writer == writer).aggregate(LoadItem.seq, LoadItem.flag)
        after = progress.started[writer]
        assert before <= stats.count <= after, (writer, before, stats.count, after)
        if before:  # (the first objects of a chunk in flight may come in any order)
            assert stats[LoadItem.seq]["minimum"] == 0, stats
        if stats.count:
            assert stats[LoadItem.seq]["maximum"] < after, (stats, after)
        if 0 < stats.count == before == upto:  # nothing in flight: the metrics are known
            assert stats[LoadItem.seq]["sum"] == before * (before - 1) // 2, stats
            assert stats[LoadItem.flag]["total_true"] == (before + 2) // 3, stats

    def by_id() -> None:
        writer, seq, done = committed_key()
        if not done[writer]:
            return
        item = query.with_vector().get(uuid_of(writer, seq))
        assert item is not None, f"{key_of(writer, seq)} was committed but is not found"
        check_item(item)
        assert float32(state_of(item).vector) == float32(vector_of(writer, seq))
        with wvorm.Session(client) as session:  # and through a session, references included
            loaded = session.get(LoadItem, uuid_of(writer, seq))
            assert loaded is not None
            check_item(loaded, links_loaded=True, exact=True)
            assert float32(state_of(loaded).vector) == float32(vector_of(writer, seq))
        assert query.get(uuid_of(writer, per_writer(writer) + seq)) is None  # never written

    operations += [
        ("filter", by_filter),
        ("near_vector", by_vector),
        ("count", by_count),
        ("aggregate", by_aggregate),
        ("get", by_id),
    ]
    rounds_after_writers = 0
    while rounds_after_writers < 1 and not progress.stop.is_set():
        if progress.writers_done.is_set():
            rounds_after_writers += 1
        for name, operation in operations:
            operation()
            with progress.lock:
                progress.operations[name] += 1


def thread_stacks(threads: list[threading.Thread]) -> str:
    """The stacks of every thread still running (wvorm's workers too)."""
    frames = sys._current_frames()
    names = {t.ident: t.name for t in threading.enumerate()}
    watched = {t.ident for t in threads if t.is_alive()}
    parts = []
    for ident, frame in frames.items():
        if ident == threading.get_ident():
            continue
        mark = " (a test thread)" if ident in watched else ""
        stack = "".join(traceback.format_stack(frame))
        parts.append(f"--- thread {names.get(ident, ident)}{mark}:\n{stack}")
    return "\n".join(parts)


def join_all(threads: list[threading.Thread], deadline: float, progress: Progress) -> None:
    """Join every thread by ``deadline`` (time.monotonic()); fail with the stacks of
    those still running when it passes."""
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    alive = [t.name for t in threads if t.is_alive()]
    if alive:
        stacks = thread_stacks(threads)
        progress.stop.set()  # let them end, if they can
        pytest.fail(
            f"threads still running after the deadline (a deadlock?): {alive}\n"
            f"writers committed {progress.committed} of {[per_writer(w) for w in range(WRITERS)]}"
            f"\n{stacks}",
            pytrace=False,
        )


def run_load(client: wvorm.Client) -> tuple[Progress, float]:
    """The writers and readers, all joined (or the test failed); and the seconds taken."""
    progress = Progress()

    def guarded(who: str, target: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                target()
            except BaseException:
                progress.fail(who)

        return run

    threads = [
        threading.Thread(
            target=guarded(f"writer {w}", partial(write, client, w, progress)),
            name=f"load-writer-{w}",
            daemon=True,  # a deadlocked thread must not hang the interpreter's exit
        )
        for w in range(WRITERS)
    ] + [
        threading.Thread(
            target=guarded(f"reader {r}", partial(read, client, r, progress)),
            name=f"load-reader-{r}",
            daemon=True,
        )
        for r in range(READERS)
    ]
    started = time.monotonic()
    deadline = started + DEADLINE
    for thread in threads:
        thread.start()
    join_all(threads[:WRITERS], deadline, progress)
    progress.writers_done.set()
    join_all(threads[WRITERS:], deadline, progress)
    return progress, time.monotonic() - started


@pytest.mark.parametrize("transport", ["grpc", "graphql"])
def test_eight_sessions_write_while_four_threads_query(
    server_factory: ServerFactory, transport: str
) -> None:
    server = server_factory()
    # (a hang outside the joined threads, say in the final checks, still shows every stack)
    faulthandler.dump_traceback_later(DEADLINE + 600, exit=False)
    try:
        with transport_client(server, transport) as client:
            create_all(client, [LoadItem])
            progress, seconds = run_load(client)
            assert not progress.errors, "\n".join(progress.errors)
            assert progress.committed == [per_writer(w) for w in range(WRITERS)]
            for name in ("filter", "near_vector", "count", "aggregate", "get"):
                assert progress.operations[name] >= READERS, progress.operations
            print(
                f"\n[load] {transport}: {N_OBJECTS} objects by {WRITERS} sessions in "
                f"{seconds:.1f}s while {READERS} threads ran {dict(progress.operations)}"
            )
            assert_everything_stored_once(client)
    finally:
        faulthandler.cancel_dump_traceback_later()


def assert_everything_stored_once(client: wvorm.Client) -> None:
    """Every object once, with its properties, vector (float32) and references, each
    reference once (read as the server stores the beacons, so a duplicate shows)."""
    assert count(client, "LoadItem") == N_OBJECTS
    assert LoadItem.query.using(client).count() == N_OBJECTS
    seen: set[uuid.UUID] = set()
    for item in LoadItem.query.using(client).with_vector().iterate(page_size=1000):
        assert item.id not in seen, f"{item.key} read twice"
        seen.add(item.id)
        check_item(item)
        writer, seq = parse_key(item.key)
        assert float32(state_of(item).vector) == float32(vector_of(writer, seq)), item.key
    assert len(seen) == N_OBJECTS
    stored = references_of(client, "LoadItem", "links")
    assert len(stored) == N_OBJECTS
    for writer in range(WRITERS):
        for seq in range(per_writer(writer)):
            want = sorted(str(uuid_of(writer, s)) for s in link_seqs(seq))
            assert sorted(stored[str(uuid_of(writer, seq))]) == want, key_of(writer, seq)


def test_an_empty_aggregate_answers_alike_on_both_transports(
    server_factory: ServerFactory,
) -> None:
    """Found by the load test's readers: over gRPC, the aggregate of no objects left out
    every metric but the count (``stats[field]["sum"]`` raised KeyError) and answered
    NaN percentages, where GraphQL answers None (and [] for top occurrences)."""
    server = server_factory()
    answers = []
    for transport in ("grpc", "graphql"):
        with transport_client(server, transport) as client:
            if transport == "grpc":
                create_all(client, [LoadItem])
                with wvorm.Session(client) as session:
                    session.add(make(0, 0, {}))
                    session.commit()
            query = LoadItem.query.using(client).where(LoadItem.writer == 1)  # none
            fields = (LoadItem.seq, LoadItem.score, LoadItem.flag, LoadItem.label, LoadItem.when)
            answers.append(query.aggregate(*fields))
    grpc, graphql = answers
    assert grpc == graphql
    assert grpc.count == 0 and grpc[LoadItem.seq]["sum"] is None
    assert grpc[LoadItem.flag] == {
        "count": 0, "total_true": 0, "total_false": 0,
        "percentage_true": None, "percentage_false": None,
    }  # fmt: skip
    assert grpc[LoadItem.label] == {"count": 0, "top_occurrences": []}


if __name__ == "__main__":
    pytest.main([__file__])

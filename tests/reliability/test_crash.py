"""A server killed (SIGKILL) in the middle of a Session commit, then restarted on its data.

The cut commit fails with a CommitError that lists every item not confirmed. After the
restart the same session commits again, and that commit succeeds: the server then
holds every object exactly once, with its values and vector, and every reference
exactly once. Objects and reference adds of the requests in flight at the kill may or
may not have been stored; the second commit finds out (see wvorm.orm._persistence):
an unconfirmed insert found stored with exactly its values is counted written, and a
reference field with a write of unknown outcome is replaced whole.

The kill comes a quarter into the inserts, a quarter into the reference adds, or right
after the server applied a reference batch whose answer a loopback proxy keeps."""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import uuid
from array import array
from typing import Any, Callable, Optional

import pytest

import wvorm
from tests.conftest import ServerFactory
from tests.orm.conftest import transport_client
from tests.support.fault_proxy import Fault, FaultProxy
from tests.test_batch import count, references_of
from wvorm.batch import Batch
from wvorm.embedded import EmbeddedServer
from wvorm.errors import BatchError, CommitError, WvormError
from wvorm.orm import CommitProgress, WeaviateModel, create_all, state_of
from wvorm.orm._unitofwork import ReferenceChange

N_AUTHORS = int(os.environ.get("WVORM_CRASH_AUTHORS", "1000"))  # each with 2 books
NAMESPACE = uuid.UUID("0d6c2a1e-8d1f-4a55-9a57-6e1f0b4a3c21")


class KAuthor(WeaviateModel, vectorizer="none"):
    name: str
    books: list[KBook] = []


class KBook(WeaviateModel, vectorizer="none"):
    title: str
    author: Optional[KAuthor] = None


def library() -> list[KAuthor]:
    """Authors with a vector and two books each, references both ways; the authors' uuids
    are given (natural keys), the books' random (uuid4), as the two kinds are checked
    apart."""
    authors = []
    for i in range(N_AUTHORS):
        author = KAuthor(id=uuid.uuid5(NAMESPACE, f"a{i}"), name=f"author {i}")
        state_of(author).vector = [i / N_AUTHORS, 0.1, 1 / 3]  # (0.1, 1/3: not float32)
        author.books = [KBook(title=f"book {i}.{j}", author=author) for j in range(2)]
        authors.append(author)
    return authors


def kill(server: EmbeddedServer) -> None:
    assert server.pid is not None
    os.killpg(server.pid, signal.SIGKILL)


@pytest.mark.parametrize("phase", ["inserts", "references", "a reference answer"])
def test_a_commit_cut_by_a_killed_server_completes_on_the_next_commit(
    server_factory: ServerFactory, phase: str
) -> None:
    """``phase``: the kill comes a quarter into the inserts or into the reference adds,
    or right after the server applied a reference batch, whose answer a proxy keeps
    (then the server surely stored references that the commit could not confirm)."""
    server = server_factory()
    if phase != "a reference answer":  # (REST straight to the server: "connection refused")
        with transport_client(server, "grpc") as client:
            cut_and_complete(server, client, phase, None)
        return
    lost = Fault("lose answer", "POST", "/v1/batch/references", then=lambda _: kill(server))
    with FaultProxy(server.url, lost) as proxy:
        config = wvorm.Config(grpc_port=server.ports.grpc, transport="grpc")
        with wvorm.Client(proxy.url, additional_config=config) as client:
            cut_and_complete(server, client, phase, proxy)
    assert proxy.broken == ["POST /v1/batch/references"]


def cut_and_complete(
    server: EmbeddedServer, client: wvorm.Client, phase: str, proxy: Optional[FaultProxy]
) -> None:
    config = client.connection.config
    retries, config.session_pool_max_retries = config.session_pool_max_retries, 1  # fail fast
    create_all(client, [KAuthor, KBook])
    authors = library()
    quarter = threading.Event()

    def progress(p: CommitProgress) -> None:
        if p.phase == phase and p.done >= p.total // 4:
            quarter.set()

    session = wvorm.Session(client, batch_size=50, num_workers=2)
    session.add_all(authors)
    errors: list[BaseException] = []

    def commit() -> None:
        try:
            session.commit(progress=progress)
        except BaseException as exc:
            errors.append(exc)
        finally:
            quarter.set()

    committer = threading.Thread(target=commit)
    committer.start()
    quarter.wait()
    if phase != "a reference answer":
        kill(server)
    committer.join()
    assert len(errors) == 1 and isinstance(errors[0], WvormError), errors
    cut = errors[0]
    assert isinstance(cut, CommitError) and cut.failures
    in_flight = 0
    for item, reason in cut.failures:  # each names the request the kill cut, or the one before
        if isinstance(item, ReferenceChange):
            assert "atch request" in reason or "held back: its target" in reason, reason
        else:
            assert phase == "inserts", (item, reason)
            assert "Batch request" in reason or "not sent" in reason, reason
        in_flight += "may not have been written" in reason or "may or may not be" in reason
    assert in_flight, "the kill cut no request in flight: the test shows nothing"
    if proxy is not None:
        # Once the server is gone, reading back stops at the first failure: a few reads
        # (each retried once), not one per source object, which through a proxy that
        # answers 502 took minutes.
        after_kill = proxy.seen[proxy.seen.index(proxy.broken[0]) + 1 :]
        reads = [r for r in after_kill if r.startswith("GET /v1/objects/")]
        assert len(reads) <= 16, reads
    server.stop(cleanup=False)
    server.start()
    config.session_pool_max_retries = retries
    session.commit()  # the rest, and nothing twice
    assert session.new == [] and session.dirty == []
    session.close()

    got_authors = {
        a.id: a for a in KAuthor.query.using(client).include(KAuthor.books).with_vector().all()
    }
    got_books = {b.id: b for b in KBook.query.using(client).include(KBook.author).all()}
    # every object exactly once, with its values and vector; every reference exactly once
    assert len(got_authors) == N_AUTHORS and len(got_books) == 2 * N_AUTHORS
    for author in authors:
        held = got_authors[author.id]
        assert held.name == author.name
        assert array("f", state_of(held).vector or ()) == array("f", state_of(author).vector or ())
        assert sorted(b.id for b in held.books) == sorted(b.id for b in author.books)
        for book in author.books:
            got = got_books[book.id]
            assert got.title == book.title
            assert got.author is not None and got.author.id == author.id


def import_steps(authors: list[KAuthor]) -> list[Callable[[Batch], object]]:
    """The library as ``client.batch`` calls, one per object or reference: each author,
    its books, then the references both ways."""
    steps: list[Callable[[Batch], object]] = []
    for author in authors:
        steps.append(add_object("KAuthor", author.id, {"name": author.name}, author))
        for book in author.books:
            steps.append(add_object("KBook", book.id, {"title": book.title}))
        for book in author.books:
            steps.append(add_reference("KAuthor", author.id, "books", "KBook", book.id))
            steps.append(add_reference("KBook", book.id, "author", "KAuthor", author.id))
    return steps


def add_object(
    class_name: str, object_id: uuid.UUID, properties: dict[str, Any], vectored: Any = None
) -> Callable[[Batch], object]:
    vector = None if vectored is None else state_of(vectored).vector
    return lambda batch: batch.add_data_object(properties, class_name, object_id, vector)


def add_reference(
    source_class: str, source: uuid.UUID, prop: str, target_class: str, target: uuid.UUID
) -> Callable[[Batch], object]:
    return lambda batch: batch.add_reference(source, source_class, prop, target, target_class)


@pytest.mark.parametrize(
    ("transport", "kill_at"),
    [("grpc", "objects"), ("graphql", "objects"), ("grpc", "a reference answer")],
)
def test_client_batch_with_four_workers_cut_by_a_killed_server_completes_after_add_failed(
    server_factory: ServerFactory, transport: str, kill_at: str
) -> None:
    """``client.batch`` with 4 workers; the server is SIGKILLed a quarter into the
    objects (from the batch callback), or right after it applied a reference batch
    whose answer a proxy keeps. Every item not confirmed is in ``failed_*``, saying
    so; after the restart ``add_failed()`` and the rest of the import store every
    object and reference exactly once (references that may have been written are
    looked up first, not added twice)."""
    server = server_factory()
    authors = library()
    steps = import_steps(authors)
    faults = []
    if kill_at == "a reference answer":
        faults.append(
            Fault("lose answer", "POST", "/v1/batch/references", then=lambda _: kill(server))
        )
    with FaultProxy(server.url, *faults) as proxy:
        config = wvorm.Config(grpc_port=server.ports.grpc, transport=transport)
        with wvorm.Client(proxy.url, additional_config=config) as client:
            create_all(client, [KAuthor, KBook])
            stored, killed = 0, threading.Event()

            def callback(results: list[dict[str, Any]]) -> None:
                nonlocal stored
                stored += sum("from" not in r for r in results)
                if kill_at == "objects" and stored >= N_AUTHORS * 3 // 4 and not killed.is_set():
                    killed.set()
                    kill(server)

            client.batch.configure(batch_size=50, num_workers=4, callback=callback,
                                   connection_error_retries=1, timeout_retries=1)  # fmt: skip
            done = 0
            with client.batch as batch:
                with contextlib.suppress(BatchError):
                    while done < len(steps):
                        steps[done](batch)
                        done += 1
                with contextlib.suppress(BatchError):
                    batch.flush()
                assert done < len(steps), "the kill came after the import"
                failed = batch.failed_objects + batch.failed_references
                assert failed, "nothing failed: the kill cut nothing"
                unsure = [f for f in failed if f.maybe_written]
                assert unsure, "no request was in flight at the kill: the test shows nothing"
                for f in unsure:
                    assert "may not have been written" in f.message or "may or may not" in f.message
                if kill_at == "a reference answer":
                    assert any(f in batch.failed_references for f in unsure)
                server.stop(cleanup=False)
                server.start()
                batch.add_failed()
                assert batch.failed_objects == [] and batch.failed_references == []
                while done < len(steps):
                    steps[done](batch)
                    done += 1
            assert batch.failed_objects == [] and batch.failed_references == []
            assert_library_stored_once(client, authors)


def assert_library_stored_once(client: wvorm.Client, authors: list[KAuthor]) -> None:
    """Every author and book once, with its values (and the author's vector), and every
    reference exactly once, read as the server stores beacons (a duplicate shows)."""
    books = [book for author in authors for book in author.books]
    assert count(client, "KAuthor") == len(authors) and count(client, "KBook") == len(books)
    got_authors = {a.id: a for a in KAuthor.query.using(client).with_vector().all()}
    got_books = {b.id: b for b in KBook.query.using(client).all()}
    author_books = references_of(client, "KAuthor", "books")
    book_author = references_of(client, "KBook", "author")
    for author in authors:
        held = got_authors[author.id]
        assert held.name == author.name
        assert array("f", state_of(held).vector or ()) == array("f", state_of(author).vector or ())
        assert sorted(author_books[str(author.id)]) == sorted(str(b.id) for b in author.books)
        for book in author.books:
            assert got_books[book.id].title == book.title
            assert book_author[str(book.id)] == [str(author.id)]


if __name__ == "__main__":
    pytest.main([__file__])

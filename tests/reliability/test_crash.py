"""A server killed (SIGKILL) in the middle of a Session commit, then restarted on its data.

What holds today: the cut commit fails with a CommitError that lists every item not
confirmed; the commit after the restart writes the rest; the server ends with every
object exactly once, with its values, and with every reference except those the
second commit reported. What does not hold yet (docs/RELIABILITY.md, "Found, not
fixed yet"): objects stored by the requests in flight at the kill are refused by the
second commit as already existing, so the import needs more than a second commit."""

from __future__ import annotations

import os
import signal
import threading
import uuid
from typing import Optional

import pytest

import wvorm
from tests.conftest import ServerFactory
from tests.orm.conftest import transport_client
from wvorm.errors import CommitError, WvormError
from wvorm.orm import CommitProgress, WeaviateModel, create_all
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
    authors = []
    for i in range(N_AUTHORS):
        author = KAuthor(id=uuid.uuid5(NAMESPACE, f"a{i}"), name=f"author {i}")
        author.books = [
            KBook(id=uuid.uuid5(NAMESPACE, f"b{i}.{j}"), title=f"book {i}.{j}", author=author)
            for j in range(2)
        ]
        authors.append(author)
    return authors


def test_a_commit_cut_by_a_killed_server_loses_and_duplicates_nothing(
    server_factory: ServerFactory,
) -> None:
    server = server_factory()
    client = transport_client(server, "grpc")
    config = client.connection.config
    retries, config.session_pool_max_retries = config.session_pool_max_retries, 1  # fail fast
    create_all(client, [KAuthor, KBook])
    authors = library()
    total = len(authors) * 3
    quarter = threading.Event()

    def progress(p: CommitProgress) -> None:
        if p.phase == "inserts" and p.done >= total // 4:
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
    assert server.pid is not None
    os.killpg(server.pid, signal.SIGKILL)
    committer.join()
    assert len(errors) == 1 and isinstance(errors[0], WvormError), errors
    cut = errors[0]
    assert isinstance(cut, CommitError) and cut.failures
    for item, reason in cut.failures:  # each names the request the kill cut, or the one before
        if isinstance(item, ReferenceChange):
            assert "Batch request" in reason or "held back: its target" in reason, reason
        else:
            assert "Batch request" in reason and "may not have been written" in reason, reason
    server.stop(cleanup=False)
    server.start()
    config.session_pool_max_retries = retries
    refused: set[uuid.UUID] = set()
    try:
        session.commit()
    except CommitError as exc:  # the objects the cut requests stored (see the module docs)
        for item, reason in exc.failures:
            if isinstance(item, ReferenceChange):
                assert reason.startswith("held back: its target"), reason
            else:
                assert "already exists on the server" in reason, reason
                refused.add(item.id)
    session.close()
    got_authors = {a.id: a for a in KAuthor.query.using(client).include(KAuthor.books).all()}
    got_books = {b.id: b for b in KBook.query.using(client).include(KBook.author).all()}
    # every object exactly once, with its values: none lost, none duplicated
    assert len(got_authors) == N_AUTHORS and len(got_books) == 2 * N_AUTHORS
    for author in authors:
        held = got_authors[author.id]
        assert held.name == author.name
        wanted = {b.id for b in author.books if author.id not in refused and b.id not in refused}
        assert {b.id for b in held.books} == wanted and len(held.books) == len(wanted)
        for book in author.books:
            got = got_books[book.id]
            assert got.title == book.title
            linked = author.id not in refused and book.id not in refused
            assert (got.author.id if got.author else None) == (author.id if linked else None)
    client.close()


if __name__ == "__main__":
    pytest.main([__file__])

"""The client process killed (SIGKILL) in the middle of a commit; the same import run again.

The import (tests/reliability/library_import.py) runs as its own process and merges
every object by its natural key into a Session before committing. It is killed a
quarter into the commit's inserts or a quarter into its reference adds, with
requests in flight. A second run of the same import, started from nothing but the
server's data, must converge: every object exactly once with its values and vector,
and every reference exactly once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from array import array
from pathlib import Path

import pytest

import wvorm
from tests.conftest import ServerFactory
from tests.orm.conftest import transport_client
from tests.reliability.library_import import CAuthor, CBook, library
from tests.test_batch import count, references_of
from wvorm.embedded import EmbeddedServer
from wvorm.orm import state_of

N_AUTHORS = int(os.environ.get("WVORM_CLIENT_CRASH_AUTHORS", "500"))  # each with 2 books
ROOT = Path(__file__).resolve().parents[2]


def run_import(
    server: EmbeddedServer, transport: str, kill_at: str | None = None
) -> tuple[int, list[str]]:
    """Run the import in a new process; with ``kill_at``, SIGKILL it a quarter into that
    phase of its commit. Returns the exit code and the lines it printed."""
    command = [sys.executable, "-m", "tests.reliability.library_import"]
    command += [server.url, str(server.ports.grpc), transport, str(N_AUTHORS)]
    lines: list[str] = []
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.strip())
            phase, *numbers = line.split()
            if phase == kill_at and int(numbers[0]) >= int(numbers[1]) // 4:
                process.send_signal(signal.SIGKILL)
                break
        return process.wait(timeout=300), lines


@pytest.mark.parametrize("transport", ["grpc", "graphql"])
@pytest.mark.parametrize("kill_at", ["inserts", "references"])
def test_a_second_run_of_a_killed_import_converges(
    server_factory: ServerFactory, transport: str, kill_at: str
) -> None:
    server = server_factory()
    with transport_client(server, transport) as client:
        code, lines = run_import(server, transport, kill_at)
        assert code == -signal.SIGKILL, lines
        assert "done" not in lines
        partly = count(client, "CAuthor") + count(client, "CBook")
        assert partly > 0, "the kill came before anything was stored: the test shows nothing"
        if kill_at == "inserts":
            assert partly < 3 * N_AUTHORS, "the kill came after every insert"

        code, lines = run_import(server, transport)
        assert code == 0 and lines[-1] == "done", lines
        assert_library_stored_once(client)

        code, lines = run_import(server, transport)  # a third run writes nothing
        assert code == 0 and lines == ["done"], lines


def assert_library_stored_once(client: wvorm.Client) -> None:
    """The server holds exactly the import's objects, values, vectors and references."""
    authors = library(N_AUTHORS)
    books = [book for author in authors for book in author.books]
    assert count(client, "CAuthor") == len(authors) and count(client, "CBook") == len(books)
    stored_authors = {a.id: a for a in CAuthor.query.using(client).with_vector().all()}
    stored_books = {b.id: b for b in CBook.query.using(client).all()}
    for author in authors:
        held = stored_authors[author.id]
        assert (held.name, held.born) == (author.name, author.born)
        assert array("f", state_of(held).vector or ()) == array("f", state_of(author).vector or ())
    for book in books:
        assert (stored_books[book.id].title, stored_books[book.id].tags) == (book.title, book.tags)
    # beacons as stored, so that a duplicate shows
    author_books = references_of(client, "CAuthor", "books")
    book_author = references_of(client, "CBook", "author")
    for author in authors:
        assert sorted(author_books[str(author.id)]) == sorted(str(b.id) for b in author.books)
        for book in author.books:
            assert book_author[str(book.id)] == [str(author.id)]

"""A re-runnable import with natural keys, run as its own process by test_client_crash.

    python -m tests.reliability.library_import URL GRPC_PORT TRANSPORT AUTHORS

It creates the classes when they are missing, merges every author (and, through the
references, its books) into one Session, which loads those already stored, and
commits. Run again after a crash, it writes only what the first run did not: the
same import, run twice, converges to the intended data. Each progress report of
the commit is printed as ``phase done total`` (one line, flushed), so that the test
can kill the process at a chosen moment.
"""

from __future__ import annotations

import sys
import uuid
from typing import Optional

import wvorm
from wvorm.orm import CommitProgress, WeaviateModel, create_all, state_of

NAMESPACE = uuid.UUID("5b0f3c1e-2a7d-4c8e-9f61-3d2e8a7b9c10")


class CAuthor(WeaviateModel, vectorizer="none"):
    name: str
    born: int
    books: list[CBook] = []


class CBook(WeaviateModel, vectorizer="none"):
    title: str
    tags: list[str] = []
    author: Optional[CAuthor] = None


def library(authors: int) -> list[CAuthor]:
    """``authors`` authors with a vector and two books each, references both ways; every
    uuid derives from the object's natural key, so each run builds the same objects."""
    built = []
    for i in range(authors):
        author = CAuthor(id=uuid.uuid5(NAMESPACE, f"author {i}"), name=f"author {i}", born=i)
        state_of(author).vector = [i / authors, 0.1, 1 / 3]  # (0.1, 1/3: not float32)
        author.books = [
            CBook(
                id=uuid.uuid5(NAMESPACE, f"book {i}.{j}"),
                title=f"book {i}.{j}",
                tags=[f"t{i % 7}", f"j{j}"],
                author=author,
            )
            for j in range(2)
        ]
        built.append(author)
    return built


def report(progress: CommitProgress) -> None:
    print(progress.phase, progress.done, progress.total, flush=True)


def main(url: str, grpc_port: int, transport: str, authors: int) -> None:
    config = wvorm.Config(grpc_port=grpc_port, transport=transport)
    with wvorm.Client(url, additional_config=config) as client:
        create_all(client, [CAuthor, CBook])
        with wvorm.Session(client, batch_size=50, num_workers=2) as session:
            for author in library(authors):
                session.merge(author)
            session.commit(progress=report)
    print("done", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]))

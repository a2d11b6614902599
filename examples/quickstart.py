"""Quickstart: the ORM's main job on an embedded Weaviate server.

Declares two models that reference each other, writes 6 authors and 36 books in
one session commit, then prints typed results of a filtered query, a filter
through a reference, a bm25 search with scores, an ``include`` and counts.

Run it with ``scripts/quickstart`` (which installs everything first) or, once set
up, ``.venv/bin/python examples/quickstart.py``.
"""

from __future__ import annotations

from typing import Optional

import wvorm


# Models live at module level: pydantic resolves the forward reference to Book
# against this module's globals. vectorizer="none" because the embedded server
# runs no vectorizer module; bm25 and filters need no vectors.
class Author(wvorm.WeaviateModel, vectorizer="none"):
    """Somebody who writes books"""

    name: str
    born: int
    books: list[Book] = []  # a cross-reference to many Books


class Book(wvorm.WeaviateModel, vectorizer="none"):
    """A book"""

    title: str
    pages: int
    genre: str
    author: Optional[Author] = None  # the reference back, to one Author


# Fixed data, so that every run prints the same thing: (name, born, genre, books).
LIBRARY: list[tuple[str, int, str, list[tuple[str, int]]]] = [
    ("Ada Quill", 1952, "fantasy", [
        ("The Glass Dragon", 412), ("Keeper of Lanterns", 356), ("Ember and Ash", 240),
        ("Winter Tides", 288), ("The Salt Crown", 498), ("A Map of Hollow Hills", 330),
    ]),
    ("Bruno Castellan", 1947, "mystery", [
        ("Death at the Lighthouse", 276), ("The Last Alibi", 264), ("A Knife in the Orchard", 228),
        ("The Quiet Witness", 198), ("Nine Locked Doors", 344), ("Murder on the Night Ferry", 302),
    ]),
    ("Clara Whitmore", 1968, "romance", [
        ("Letters from a Winter Garden", 318), ("Second Chances", 210), ("A Wedding in June", 240),
        ("Summer in Lisbon", 256), ("The Violinist's Promise", 372), ("Under the Olive Trees", 294),
    ]),
    ("Dmitri Volkov", 1939, "history", [
        ("The Long Winter of the North", 544), ("Empires of Salt", 468), ("The Iron Century", 520),
        ("The Silk Roads", 436), ("Bridges and Barricades", 392), ("A Short History of Maps", 180),
    ]),
    ("Esme Okafor", 1975, "horror", [
        ("Teeth in the Dark", 226), ("What the Well Remembers", 284), ("Hollow Saints", 248),
        ("The House on Rook Lane", 312), ("The Drowned Choir", 336), ("Night Visitors", 190),
    ]),
    ("Felix Brandt", 1960, "scifi", [
        ("Orbit of Silence", 380), ("Red Dust Protocol", 350), ("Children of the Engine", 404),
        ("The Copper Moon", 422), ("Stations of the Void", 466), ("Last Light on Titan", 300),
    ]),
]  # fmt: skip


def build_library() -> list[Author]:
    """The authors, each linked to its books and each book back to its author."""
    authors = []
    for name, born, genre, books in LIBRARY:
        author = Author(name=name, born=born)
        for title, pages in books:
            author.books.append(Book(title=title, pages=pages, genre=genre, author=author))
        authors.append(author)
    return authors


def main() -> None:
    # No URL: wvorm starts a weaviate-server on free ports with a temporary data
    # directory, and the with block stops it (and deletes the data) at the end.
    with wvorm.connect() as client:
        wvorm.create_all(client, [Author, Book])  # classes first, then the references

        with wvorm.Session(client) as session:
            session.add_all(build_library())  # adding an author cascades to its books
            session.commit()  # one commit: 42 objects in batches, then the references
        # connect() also made this the default client; using(client) says so explicitly.
        authors, books = Author.query.using(client).count(), Book.query.using(client).count()
        print(f"commit:  {authors} authors, {books} books")

        # A filter on a property, sorted by the server (pages are unique here).
        long_books = Book.query.using(client).where(Book.pages > 450).sort(Book.pages.desc())
        for book in long_books.all():  # list[Book]: typed, validated instances
            print(f"where:   {book.title} ({book.pages} pages)")

        # A filter through the reference: books whose author has this name.
        by_esme = Book.query.using(client).where(Book.author.name == "Esme Okafor")
        print(f"path:    Esme Okafor wrote {', '.join(sorted(b.title for b in by_esme.all()))}")

        # Keyword search on the title; three books mention winter, with different
        # lengths, so the scores differ. The title breaks any tie in the printout.
        hits = Book.query.using(client).bm25("winter", properties=[Book.title]).limit(3).hits()
        for hit in sorted(hits, key=lambda h: (-(h.score or 0.0), h.object.title)):
            print(f"bm25:    {hit.object.title} (score {hit.score:.3f})")

        # include loads each book's author as an Author instance in the same query.
        short_books = Book.query.using(client).where(Book.pages < 200).include(Book.author)
        for book in short_books.sort(Book.title).all():
            by = book.author.name if book.author is not None else "nobody"
            print(f"include: {book.title}, by {by}")
        # And the other way: one author with the list of books it references.
        volkov = Author.query.using(client).where(Author.name == "Dmitri Volkov")
        dmitri = volkov.include(Author.books).one()  # one(): exactly one match, or it raises
        print(f"include: {dmitri.name} wrote {len(dmitri.books)} books")

        # The server counts, without sending the objects: here through the reference.
        older = Book.query.using(client).where(Book.author.born < 1950).count()
        print(f"count:   {older} books by authors born before 1950")


if __name__ == "__main__":
    main()

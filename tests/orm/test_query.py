"""The query DSL against the real server: filters, searches, paging, loading, terminals.

Objects are written with ``client.batch`` and the models' ``to_properties``, then
read back through ``Model.query``; every expected result is computed from the
data written, so a wrong filter or loader fails the test.
"""

from __future__ import annotations

import enum
import threading
import time
import tracemalloc
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any, Optional, Union
from uuid import UUID

import pytest

import wvorm
from tests.orm.conftest import skip_without_graphql, without_graphql
from wvorm.errors import GraphQLDisabledError, MultipleResultsError, NoResultError, QueryError
from wvorm.orm import (
    GeoCoordinate,
    WeaviateModel,
    collection_name,
    create_all,
    model_info,
    state_of,
)
from wvorm.orm._expressions import Filter
from wvorm.orm._models import referenced_objects, to_properties
from wvorm.orm._state import changed_fields

# -- models ---------------------------------------------------------------------------------


class Shelf(enum.Enum):
    FICTION = "fiction"
    SCIENCE = "science"


class QPublisher(WeaviateModel, inverted_index_config={"indexNullState": True}):
    name: str
    seat: Optional[GeoCoordinate] = None


class QAuthor(WeaviateModel, vectorizer="text2vec-transformers"):
    name: str
    born: Optional[datetime] = None
    books: list[QBook] = []
    employer: Optional[QPublisher] = None


class QBook(WeaviateModel, inverted_index_config={"indexNullState": True}):
    title: str
    pages: int = 0
    price: float = 0.0
    in_print: bool = True
    shelf: Shelf = Shelf.FICTION
    isbn: Optional[UUID] = None
    tags: list[str] = []
    author: Optional[QAuthor] = None
    publisher: Optional[QPublisher] = None
    about: list[Union[QAuthor, QPublisher]] = []


class QNote(WeaviateModel, multi_tenancy=True):
    text: str


class QItem(WeaviateModel):
    n: int


MODELS: list[type[WeaviateModel]] = [QPublisher, QAuthor, QBook]
T0 = datetime(1960, 1, 1, tzinfo=timezone.utc)


def save(
    client: wvorm.Client, objects: Iterable[WeaviateModel], tenant: Optional[str] = None
) -> None:
    """Write objects and their references with client.batch; fail on any rejection."""
    objects = list(objects)
    with client.batch(batch_size=200) as batch:
        for obj in objects:
            name = collection_name(type(obj))
            batch.add_data_object(to_properties(obj), name, uuid=obj.id, tenant=tenant)
        for obj in objects:
            for prop in model_info(type(obj)).references:
                for target in referenced_objects(obj, prop.field_name):
                    batch.add_reference(
                        obj.id,
                        collection_name(type(obj)),
                        prop.name,
                        target.id,
                        collection_name(type(target)),
                        tenant=tenant,
                    )
    assert client.batch.failed_objects == [] and client.batch.failed_references == []


class Library:
    """A small library written to the server, kept in Python for the expected answers."""

    def __init__(self) -> None:
        self.penguin = QPublisher(name="Penguin", seat=GeoCoordinate(latitude=51.5, longitude=-0.1))
        self.tor = QPublisher(name="Tor")  # no seat: null
        self.jane = QAuthor(name="Jane Austen", born=T0, employer=self.penguin)
        self.ursula = QAuthor(name="Ursula Le Guin", born=T0 + timedelta(days=3650))
        self.books: list[QBook] = []
        for i in range(12):
            author = self.jane if i % 3 else self.ursula
            book = QBook(
                title=f"Book {i:02d} of {author.name.split()[0]}",
                pages=100 * i,
                price=1.5 * i,
                in_print=i % 2 == 0,
                shelf=Shelf.SCIENCE if i % 4 == 0 else Shelf.FICTION,
                isbn=UUID(int=i + 1) if i % 5 else None,
                tags=["sea", f"t{i % 3}"] if i % 2 else [f"t{i % 3}"],
                author=author,
                publisher=self.penguin if i < 6 else self.tor,
                about=[self.ursula, self.tor] if i == 7 else [],
            )
            author.books.append(book)
            self.books.append(book)

    @property
    def objects(self) -> list[WeaviateModel]:
        return [self.penguin, self.tor, self.jane, self.ursula, *self.books]


@pytest.fixture
def library(client: wvorm.Client) -> Library:
    create_all(client, MODELS)
    lib = Library()
    save(client, lib.objects)
    return lib


def titles(books: Iterable[QBook]) -> set[str]:
    return {b.title for b in books}


def expected(lib: Library, keep: object) -> set[str]:
    return {b.title for b in lib.books if keep(b)}  # type: ignore[operator]


# -- filters --------------------------------------------------------------------------------


def test_every_operator_filters_on_the_server(client: wvorm.Client, library: Library) -> None:
    books = QBook.query.using(client)
    cases: list[tuple[Filter, object]] = [
        (QBook.pages == 300, lambda b: b.pages == 300),
        (QBook.pages != 300, lambda b: b.pages != 300),
        (QBook.pages < 300, lambda b: b.pages < 300),
        (QBook.pages <= 300, lambda b: b.pages <= 300),
        (QBook.pages > 300, lambda b: b.pages > 300),
        (QBook.pages >= 300, lambda b: b.pages >= 300),
        (QBook.price > 10, lambda b: b.price > 10),
        (QBook.in_print == True, lambda b: b.in_print),  # noqa: E712
        (QBook.shelf == Shelf.SCIENCE, lambda b: b.shelf is Shelf.SCIENCE),
        (QBook.isbn == UUID(int=3), lambda b: b.isbn == UUID(int=3)),
        (QBook.isbn == None, lambda b: b.isbn is None),  # noqa: E711
        (QBook.isbn.is_null(False), lambda b: b.isbn is not None),
        (QBook.title.like("Book 0*"), lambda b: b.title.startswith("Book 0")),
        (QBook.tags == "sea", lambda b: "sea" in b.tags),
        (QBook.tags.contains_any(["t1", "t2"]), lambda b: {"t1", "t2"} & set(b.tags)),
        (QBook.tags.contains_all(["sea", "t1"]), lambda b: {"sea", "t1"} <= set(b.tags)),
        (QBook.tags.contains_none(["sea", "t0"]), lambda b: not {"sea", "t0"} & set(b.tags)),
        (QBook.pages.contains_any([0, 500]), lambda b: b.pages in (0, 500)),
        (QBook.id == library.books[4].id, lambda b: b is library.books[4]),
        ((QBook.pages > 200) & (QBook.pages < 900), lambda b: 200 < b.pages < 900),
        ((QBook.pages < 200) | (QBook.pages > 900), lambda b: not 200 <= b.pages <= 900),
        (~(QBook.in_print == True), lambda b: not b.in_print),  # noqa: E712
    ]
    for condition, keep in cases:
        found = books.where(condition).all()
        assert titles(found) == expected(library, keep), condition
        assert len(found) == len(titles(found))


def test_dates_and_geo_ranges(client: wvorm.Client, library: Library) -> None:
    authors = QAuthor.query.using(client)
    assert [a.name for a in authors.where(QAuthor.born > T0).all()] == ["Ursula Le Guin"]
    assert len(authors.where(QAuthor.born >= T0).all()) == 2
    near_london = QPublisher.query.using(client).where(
        QPublisher.seat.within_geo_range((51.6, -0.2), 20_000)
    )
    assert [p.name for p in near_london.all()] == ["Penguin"]
    far = QPublisher.query.using(client).where(
        QPublisher.seat.within_geo_range(GeoCoordinate(latitude=40.7, longitude=-74.0), 20_000)
    )
    assert far.all() == []


def test_filters_on_reference_paths(client: wvorm.Client, library: Library) -> None:
    books = QBook.query.using(client)
    by_jane = books.where(QBook.author.name == "Jane Austen").all()
    assert titles(by_jane) == expected(library, lambda b: b.author is library.jane)
    two_hops = books.where(QBook.author.employer.name == "Penguin").all()
    assert titles(two_hops) == titles(by_jane)  # only Jane works for Penguin
    about_tor = books.where(QBook.about[QPublisher].name == "Tor").all()
    assert titles(about_tor) == {library.books[7].title}
    mixed = books.where((QBook.publisher.name == "Tor") & (QBook.author.name.like("Urs*"))).all()
    assert titles(mixed) == expected(
        library, lambda b: b.publisher is library.tor and b.author is library.ursula
    )


# -- searches -------------------------------------------------------------------------------


def test_near_text_with_certainty_distance_and_moves(
    client: wvorm.Client, library: Library
) -> None:
    authors = QAuthor.query.using(client)
    hits = authors.near_text("Jane Austen").hits()
    assert hits[0].object.name == "Jane Austen"
    assert hits[0].distance is not None and hits[0].certainty is not None
    assert hits[0].distance < hits[1].distance  # type: ignore[operator]
    assert abs(hits[0].certainty - (1 - hits[0].distance / 2)) < 1e-5
    close = authors.near_text("Jane Austen", distance=hits[0].distance + 0.01).all()
    assert [a.name for a in close] == ["Jane Austen"]
    sure = authors.near_text("Jane Austen", certainty=hits[0].certainty - 0.01).all()
    assert [a.name for a in sure] == ["Jane Austen"]
    moved = authors.near_text("Austen", move_to=("Ursula Le Guin", 1.0)).hits()
    assert moved[0].object.name == "Ursula Le Guin"
    away = authors.near_text(
        "Ursula Le Guin Jane Austen", move_away_from={"concepts": ["Ursula Le Guin"], "force": 1.0}
    ).first()
    assert away is not None and away.name == "Jane Austen"
    by_object = authors.near_text("writer", move_to={"objects": [library.ursula], "force": 1.0})
    assert by_object.all()[0].name == "Ursula Le Guin"


def test_near_vector_and_near_object(client: wvorm.Client, library: Library) -> None:
    authors = QAuthor.query.using(client).with_vector()
    jane = authors.where(QAuthor.name == "Jane Austen").one()
    vector = state_of(jane).vector
    assert vector is not None and len(vector) > 10
    by_vector = authors.near_vector(vector).hits()
    assert by_vector[0].object.id == jane.id and by_vector[0].distance == pytest.approx(0, abs=1e-5)
    assert by_vector[0].vector == vector
    by_object = QAuthor.query.using(client).near_object(jane).hits()
    assert by_object[0].object.id == jane.id
    by_uuid = QAuthor.query.using(client).near_object(library.ursula.id, distance=0.01).all()
    assert [a.id for a in by_uuid] == [library.ursula.id]


def test_bm25_and_hybrid(client: wvorm.Client, library: Library) -> None:
    books = QBook.query.using(client)
    hits = books.bm25("Ursula", properties=[QBook.title]).hits()
    assert titles(h.object for h in hits) == expected(library, lambda b: b.author is library.ursula)
    assert all(h.score is not None and h.score > 0 and h.explain_score for h in hits)
    assert books.bm25("Ursula", properties=["tags"]).all() == []
    hybrid = QAuthor.query.using(client).hybrid("Ursula", alpha=0.5).hits()
    assert hybrid[0].object.name == "Ursula Le Guin" and hybrid[0].score is not None
    keyword_only = QAuthor.query.using(client).hybrid("Austen", alpha=0).all()
    assert [a.name for a in keyword_only] == ["Jane Austen"]


# -- paging and order -----------------------------------------------------------------------


def test_sort_limit_offset_after(client: wvorm.Client, library: Library) -> None:
    books = QBook.query.using(client)
    by_pages = sorted(library.books, key=lambda b: b.pages, reverse=True)
    assert [b.pages for b in books.sort(QBook.pages.desc()).all()] == [b.pages for b in by_pages]
    page = books.sort(QBook.pages.desc()).offset(2).limit(3).all()
    assert [b.pages for b in page] == [b.pages for b in by_pages[2:5]]
    by_shelf = books.sort(QBook.shelf, QBook.title.desc()).all()
    assert [b.title for b in by_shelf] == [
        b.title
        for b in sorted(library.books, key=lambda b: (b.shelf.value, [-ord(c) for c in b.title]))
    ]
    ids = sorted(b.id for b in library.books)
    assert [b.id for b in books.sort(QBook.id).all()] == ids
    assert [b.id for b in books.after(ids[3]).limit(4).all()] == ids[4:8]
    assert books.limit(5).count() == 5


# -- shape: select, include -----------------------------------------------------------------


def test_select_loads_a_subset_and_remembers_it(client: wvorm.Client, library: Library) -> None:
    book = QBook.query.using(client).select(QBook.pages).where(QBook.pages == 500).one()
    assert book.id == library.books[5].id and book.pages == 500
    state = state_of(book)
    assert state.loaded_fields == frozenset({"pages"}) and state.is_persistent
    assert not state.is_loaded("title") and not state.is_loaded("author")
    assert "title" not in book.__dict__  # required and not read: unset, not invented
    # Regression (issue 7, case 8): an unloaded field never reads as its default (0.0
    # here, while the server holds 7.5), and dumps leave it out.
    with pytest.raises(wvorm.UnloadedFieldError, match=r"price was not loaded.*\.select"):
        _ = book.price
    assert "price" not in book.model_dump() and "price" not in book.model_dump_json()
    assert changed_fields(book) == set()
    book.pages = 501
    assert changed_fields(book) == {"pages"}
    full = QBook.query.using(client).get(library.books[5].id)
    assert full is not None and full.price == 7.5
    assert state_of(full).loaded_fields == frozenset(
        f for f in model_info(QBook).fields if f not in ("author", "publisher", "about")
    )


def test_include_loads_typed_references_nested(client: wvorm.Client, library: Library) -> None:
    authors = QAuthor.query.using(client)
    jane = (
        authors.include(QAuthor.books, QBook.publisher, QAuthor.employer)
        .where(QAuthor.name == "Jane Austen")
        .one()
    )
    assert titles(jane.books) == titles(library.jane.books)
    assert all(isinstance(b, QBook) for b in jane.books)
    assert {b.publisher.name for b in jane.books if b.publisher} == {"Penguin", "Tor"}
    assert jane.employer is not None and jane.employer.seat == library.penguin.seat
    # one object per uuid within a result: the publisher is shared, cycles close
    penguins = {
        id(b.publisher) for b in jane.books if b.publisher and b.publisher.name == "Penguin"
    }
    assert len(penguins) == 1 and jane.employer is next(
        b.publisher for b in jane.books if b.publisher and b.publisher.name == "Penguin"
    )
    assert state_of(jane).loaded_fields == frozenset(model_info(QAuthor).fields)  # every field
    assert not state_of(jane.books[0]).is_loaded("author")  # not included below books
    by_path = authors.include(QAuthor.books.publisher).where(QAuthor.name == "Jane Austen").one()
    assert {b.publisher.name for b in by_path.books if b.publisher} == {"Penguin", "Tor"}
    cycle = QBook.query.using(client).include(QBook.author.books).where(QBook.pages == 100).one()
    assert cycle.author is not None and cycle in cycle.author.books
    if without_graphql(client):  # multi-target references load over GraphQL only
        with pytest.raises(GraphQLDisabledError, match="multi-target reference 'about'"):
            QBook.query.using(client).include(QBook.about).where(QBook.pages == 700).one()
        return
    multi = QBook.query.using(client).include(QBook.about).where(QBook.pages == 700).one()
    assert sorted(type(x).__name__ for x in multi.about) == ["QAuthor", "QPublisher"]
    # [Target] picks the way on; the reference itself is still loaded whole
    narrowed = QBook.query.using(client).include(QBook.about[QAuthor].books)
    about = narrowed.where(QBook.pages == 700).one().about
    assert sorted(type(x).__name__ for x in about) == ["QAuthor", "QPublisher"]
    ursula = next(x for x in about if isinstance(x, QAuthor))
    assert titles(ursula.books) == titles(library.ursula.books)


def test_session_query_returns_the_session_objects(client: wvorm.Client, library: Library) -> None:
    from wvorm.orm._session import Session

    with Session(client) as session:
        held = session.get(QAuthor, library.jane.id)
        found = session.query(QAuthor).where(QAuthor.name == "Jane Austen").one()
        assert found is held
        with_books = (
            session.query(QAuthor).include(QAuthor.books).where(QAuthor.name == "Jane Austen").one()
        )
        assert with_books is held and titles(held.books) == titles(library.jane.books)


# -- tenants, consistency -------------------------------------------------------------------


def test_tenant_queries_and_counts(client: wvorm.Client) -> None:
    create_all(client, [QNote])
    client.schema.add_class_tenants("QNote", ["a", "b"])
    save(client, [QNote(text=f"a{i}") for i in range(3)], tenant="a")
    save(client, [QNote(text="b0")], tenant="b")
    notes = QNote.query.using(client)
    assert sorted(n.text for n in notes.tenant("a").all()) == ["a0", "a1", "a2"]
    assert [n.text for n in notes.tenant("b").all()] == ["b0"]
    assert notes.tenant("a").count() == 3
    assert notes.tenant("a").where(QNote.text == "a1").count() == 1
    with pytest.raises(QueryError, match="tenant"):
        notes.all()


def test_consistency_level_reaches_the_server(client: wvorm.Client, library: Library) -> None:
    query = QBook.query.using(client).consistency_level(wvorm.ConsistencyLevel.ONE)
    assert "consistencyLevel: ONE" in query.build()
    if client.transport.name == "GraphQL":
        with pytest.raises(QueryError, match="consistencyLevel"):  # only replicated classes
            query.all()
    else:  # gRPC takes a consistency level for any class
        assert len(query.all()) == len(library.books)


# -- terminals ------------------------------------------------------------------------------


def test_first_one_get_count(client: wvorm.Client, library: Library) -> None:
    books = QBook.query.using(client)
    assert books.count() == 12
    assert books.where(QBook.pages > 500).count() == 6
    assert books.where(QBook.pages > 500).offset(4).count() == 2
    first = books.sort(QBook.pages).first()
    assert first is not None and first.pages == 0
    assert books.where(QBook.pages > 5000).first() is None
    assert books.where(QBook.pages == 300).one().title == library.books[3].title
    with pytest.raises(NoResultError):
        books.where(QBook.pages == 301).one()
    with pytest.raises(MultipleResultsError):
        books.where(QBook.pages > 100).one()
    got = books.get(library.books[2].id)
    assert got is not None and got.title == library.books[2].title
    assert books.get(UUID(int=999)) is None
    assert QAuthor.query.using(client).near_text("Jane", distance=0.7).count() == 1


def test_hits_metadata_is_fetched_only_when_asked(client: wvorm.Client, library: Library) -> None:
    plain = QBook.query.using(client).where(QBook.pages == 0)
    assert "creationTimeUnix" not in plain.build() and "distance" not in plain.build()
    (hit,) = plain.hits()
    assert hit.object.pages == 0
    assert hit.creation_time is not None and hit.update_time is not None
    assert abs(hit.creation_time - datetime.now(timezone.utc)) < timedelta(minutes=5)
    assert hit.distance is None and hit.score is None and hit.vector is None
    (near,) = QAuthor.query.using(client).near_text("Ursula").limit(1).with_vector().hits()
    assert near.distance is not None and near.vector is not None
    assert state_of(near.object).vector == near.vector


def test_iterate_streams_every_object_in_pages(client: wvorm.Client) -> None:
    create_all(client, [QItem])
    items = [QItem(n=i) for i in range(2500)]
    save(client, items)
    streamed = QItem.query.using(client).iterate(page_size=500)
    seen = [item.n for item in streamed]
    assert sorted(seen) == list(range(2500))
    ids = [i.id for i in QItem.query.using(client).limit(10).iterate(page_size=3)]
    assert ids == sorted(i.id for i in items)[:10]  # cursor order is uuid order, limit caps
    # bounded memory: a pass with small pages peaks far below loading everything at once
    tracemalloc.start()
    for _ in QItem.query.using(client).iterate(page_size=100):
        pass
    paged_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    everything = QItem.query.using(client).limit(2500).all()
    whole_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(everything) == 2500
    assert paged_peak * 4 < whole_peak


def reader_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "wvorm-iterate" and t.is_alive()]


def test_iterate_stops_its_reader_when_left_and_raises_what_it_met(client: wvorm.Client) -> None:
    create_all(client, [QItem])
    save(client, [QItem(n=i) for i in range(50)])
    for _ in QItem.query.using(client).iterate(page_size=5):
        break  # (the abandoned generator is closed, which stops its reader)
    deadline = time.monotonic() + 5
    while reader_threads() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert reader_threads() == []
    # an error on a later page (the class is gone) reaches the iterating code
    pages = QItem.query.using(client).iterate(page_size=5)
    next(pages)
    client.schema.delete_class("QItem")
    with pytest.raises(QueryError, match="QItem"):
        list(pages)


def test_iterate_reads_one_page_ahead_and_no_more(
    client: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # memory stays flat only if the reader waits for the iterating side: a slow
    # consumer must not make it queue up the whole class
    create_all(client, [QItem])
    save(client, [QItem(n=i) for i in range(50)])
    fetched: list[int] = []
    real = type(client.transport).fetch

    def counted(self: Any, plan: Any) -> Any:
        fetched.append(plan.limit)
        return real(self, plan)

    monkeypatch.setattr(type(client.transport), "fetch", counted)
    pages = QItem.query.using(client).iterate(page_size=5)
    seen = [next(pages)]  # on page 1
    time.sleep(0.5)  # ample time for a reader that does not wait
    assert len(fetched) == 2  # page 1, and page 2 read ahead
    seen += [next(pages) for _ in range(5)]  # page 1 done with, page 2 taken: page 3 may come
    time.sleep(0.5)
    assert len(fetched) == 3
    seen += list(pages)
    assert sorted(o.n for o in seen) == list(range(50))
    assert len(fetched) == 11  # ten full pages, and the empty one that ends it


def test_group_by_and_aggregate(client: wvorm.Client, library: Library) -> None:
    books = QBook.query.using(client)
    stats = books.aggregate(QBook.pages, QBook.in_print, QBook.tags)
    assert stats.count == 12
    assert stats[QBook.pages]["sum"] == sum(b.pages for b in library.books)
    assert stats[QBook.pages]["maximum"] == 1100
    assert stats["in_print"]["total_true"] == 6
    assert ("sea", 6) in stats[QBook.tags]["top_occurrences"]
    per_shelf = books.where(QBook.pages > 0).aggregate(QBook.price, group_by=QBook.shelf)
    counts = {group.grouped_by: group.count for group in per_shelf}
    assert counts == {"science": 2, "fiction": 9}
    dates = QAuthor.query.using(client).aggregate(QAuthor.born)
    assert dates["born"]["minimum"] == T0
    groups = (
        QAuthor.query.using(client)
        .near_text("Jane Austen")
        .group_by(QAuthor.name, groups=2, objects_per_group=1)
    )
    assert [g.value for g in groups] == ["Jane Austen", "Ursula Le Guin"]
    assert groups[0].objects[0].id == library.jane.id and groups[0].hits[0].distance is not None


# -- errors ---------------------------------------------------------------------------------


def test_graphql_errors_raise_query_error(client: wvorm.Client, library: Library) -> None:
    with pytest.raises(QueryError, match="must provide certainty or objectLimit") as caught:
        QAuthor.query.using(client).near_text("x").count()
    assert "Aggregate" in caught.value.query
    with pytest.raises(QueryError, match="where cannot be set with after"):
        QBook.query.using(client).where(QBook.pages > 1).after(library.books[0].id).limit(2).all()


def test_build_is_what_all_sends(client: wvorm.Client, library: Library) -> None:
    skip_without_graphql(client, "client.query.raw sends GraphQL text")
    query = QBook.query.using(client).where(QBook.pages >= 1000).sort(QBook.pages)
    answer = client.query.raw(query.build())
    rows = answer["data"]["Get"]["QBook"]
    assert [row["pages"] for row in rows] == [b.pages for b in query.all()] == [1000, 1100]


def test_hydration_keeps_types(client: wvorm.Client, library: Library) -> None:
    (book,) = QBook.query.using(client).where(QBook.pages == 300).all()
    original = library.books[3]
    assert isinstance(book.id, UUID) and book.id == original.id
    assert isinstance(book.price, float) and book.price == original.price
    assert book.shelf is original.shelf and book.isbn == original.isbn
    assert book.tags == original.tags
    (author,) = QAuthor.query.using(client).where(QAuthor.name == "Jane Austen").all()
    assert author.born == T0 and author.born.tzinfo is not None


# -- issue 7: reads return everything asked for ------------------------------------------


def test_case_5_all_and_hits_without_a_limit_return_every_match(client: wvorm.Client) -> None:
    """Regression: all() and hits() stopped at the server's default page of 100."""
    create_all(client, [QItem])
    with client.batch(batch_size=500) as batch:
        for n in range(3000):
            batch.add_data_object({"n": n}, "QItem")
    query = QItem.query.using(client)
    assert len(query.all()) == 3000 == query.count()
    assert sorted(i.n for i in query.all()) == list(range(3000))
    evens = query.where(QItem.n > 999)
    assert len(evens.all()) == 2000 == evens.count() == len(evens.hits())
    ordered = query.where(QItem.n < 1500).sort(QItem.n.desc()).all()  # offset pages
    assert [i.n for i in ordered] == list(range(1499, -1, -1))
    assert len(query.limit(10).all()) == 10
    assert len(query.offset(2990).all()) == 10
    # Weaviate 1.39 sorts only the first `limit` matches of a filter; wvorm does not
    top = query.where(QItem.n < 1500).sort(QItem.n.desc()).limit(3).offset(1).all()
    assert [i.n for i in top] == [1498, 1497, 1496]


def test_case_5_group_by_without_a_limit_groups_every_match(client: wvorm.Client) -> None:
    create_all(client, [QItem])
    with client.batch(batch_size=100) as batch:
        for n in range(300):
            batch.add_data_object({"n": n % 3}, "QItem", vector=[1.0, n / 300])
    groups = (
        QItem.query.using(client)
        .near_vector([1.0, 0.0])
        .group_by(QItem.n, groups=3, objects_per_group=200)
    )
    assert sorted(g.count for g in groups) == [100, 100, 100]  # the server's pool was 100


def test_case_15_a_loaded_graph_with_back_references_dumps_and_validates_back(
    client: wvorm.Client, library: Library
) -> None:
    """Regression: model_dump() of Book <-> Author crashed with "Circular reference"."""
    jane = (
        QAuthor.query.using(client)
        .include(QAuthor.books, QBook.author, QAuthor.employer)
        .where(QAuthor.name == "Jane Austen")
        .one()
    )
    assert jane.books[0].author is jane  # a cycle
    dumped = jane.model_dump()
    assert dumped["books"] == [b.id for b in jane.books]  # references as ids
    assert dumped["employer"] == library.penguin.id
    deep = jane.model_dump(mode="json", context={"reference_depth": 2})
    book = deep["books"][0]
    assert book["title"] == jane.books[0].title and book["author"] == str(jane.id)  # cut
    assert isinstance(jane.model_dump_json(), str)
    again = QAuthor.model_validate(dumped)  # what a REST API sends back
    assert [b.id for b in again.books] == [b.id for b in jane.books]
    assert state_of(again.books[0]).is_persistent  # a stub of the stored book
    with pytest.raises(wvorm.UnloadedFieldError):
        _ = again.books[0].title

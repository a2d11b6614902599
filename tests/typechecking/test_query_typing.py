"""The query DSL as the type checker sees it (with the ``wvorm.mypy`` plugin).

``mypy`` checks every ``assert_type`` here; lines marked ``# type: ignore[...]``
must stay errors (strict mode's ``warn_unused_ignores`` fails if one starts to
pass). Under pytest the same code runs without a server (``build()`` only renders
text), so the runtime has to agree with what mypy was told.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Optional, Union
from uuid import UUID

import pytest
from typing_extensions import assert_type

from wvorm.errors import FilterError
from wvorm.orm import GeoCoordinate, WeaviateModel
from wvorm.orm._expressions import FieldExpr, Filter, ReferencePath, SortKey
from wvorm.orm._loading import Group, Hit
from wvorm.orm._query import Aggregation, Query


class Genre(str, enum.Enum):
    NOVEL = "novel"
    POETRY = "poetry"


class Publisher(WeaviateModel):
    name: str
    seat: Optional[GeoCoordinate] = None


class Writer(WeaviateModel):
    name: str
    born: Optional[datetime] = None
    books: list[Novel] = []


class Novel(WeaviateModel):
    title: str
    pages: int = 0
    price: float = 0.0
    genre: Genre = Genre.NOVEL
    tags: list[str] = []
    author: Optional[Writer] = None
    publisher: Optional[Publisher] = None
    about: list[Union[Writer, Publisher]] = []


def test_class_level_fields_are_expressions() -> None:
    assert_type(Novel.title, FieldExpr[str])
    assert_type(Novel.pages, FieldExpr[int])
    assert_type(Novel.genre, FieldExpr[Genre])
    assert_type(Novel.tags, FieldExpr[str])  # a list field: one item is compared
    assert_type(Novel.id, FieldExpr[UUID])
    assert_type(Writer.born, FieldExpr[datetime])  # Optional is stripped
    assert_type(Publisher.seat, FieldExpr[GeoCoordinate])
    assert_type(Novel.author, ReferencePath[Writer])
    assert_type(Writer.books, ReferencePath[Novel])
    assert_type(Novel.about, ReferencePath[Union[Writer, Publisher]])
    assert_type(Novel.author.name, FieldExpr[str])
    assert_type(Novel.author.books, ReferencePath[Novel])
    assert_type(Novel.author.books.pages, FieldExpr[int])
    assert_type(Novel.about[Publisher].name, FieldExpr[str])
    # instances keep their value types
    novel = Novel(title="t", pages=3)
    assert_type(novel.pages, int)
    assert_type(novel.author, Optional[Writer])


def test_comparisons_are_filters() -> None:
    assert_type(Novel.pages > 100, Filter)
    assert_type(Novel.title == "Dune", Filter)
    assert_type(Novel.author.name != "x", Filter)
    assert_type(Writer.born < datetime(2000, 1, 1, tzinfo=timezone.utc), Filter)
    assert_type(Novel.tags.contains_any(["a", "b"]), Filter)
    assert_type(Novel.title.like("D*"), Filter)
    assert_type(Publisher.seat.within_geo_range((52.0, 4.0), 1000.0), Filter)
    assert_type((Novel.pages > 1) & (Novel.price < 2.5) | ~(Novel.genre == Genre.POETRY), Filter)
    assert_type(Novel.title.desc(), SortKey)
    assert_type(Novel.author.name.is_null(), Filter)


def test_wrong_filters_are_type_errors() -> None:
    # each is also refused at run time, before any request
    with pytest.raises(FilterError):
        _ = Novel.pages > "many"  # type: ignore[operator]
    with pytest.raises(FilterError):
        Novel.pages.like("1*")  # type: ignore[misc]
    with pytest.raises(FilterError):
        Novel.title.within_geo_range((1.0, 2.0), 5.0)  # type: ignore[misc]
    with pytest.raises(FilterError):
        _ = Novel.title == 3  # mypy lets == through (object.__eq__); the run time does not
    with pytest.raises(AttributeError):
        Novel.no_such_field  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(AttributeError):
        Novel.author.no_such_field  # type: ignore[misc]  # noqa: B018
    with pytest.raises(FilterError):
        Novel.query.where(Novel.pages)  # type: ignore[arg-type]


def test_queries_return_the_model() -> None:
    query = Novel.query.where(Novel.pages > 100).sort(Novel.title.desc()).limit(5)
    assert_type(Novel.query, Query[Novel])
    assert_type(query, Query[Novel])
    assert_type(query.include(Novel.author, Writer.books).select(Novel.title), Query[Novel])
    assert_type(query.build(), str)
    assert "limit: 5" in query.build()


def terminals_are_typed(query: Query[Novel]) -> None:
    """Checked by mypy only: running these needs a server."""
    assert_type(query.all(), list[Novel])
    assert_type(query.first(), Optional[Novel])
    assert_type(query.one(), Novel)
    assert_type(query.get("8c1a4a7e-0d4c-4f6b-9b7e-1d2b3c4d5e6f"), Optional[Novel])
    assert_type(query.count(), int)
    assert_type(next(query.iterate()), Novel)
    assert_type(query.hits(), list[Hit[Novel]])
    assert_type(query.hits()[0].object, Novel)
    assert_type(query.hits()[0].distance, Optional[float])
    assert_type(query.group_by(Novel.genre, groups=2, objects_per_group=2), list[Group[Novel]])
    assert_type(query.aggregate(Novel.pages), Aggregation)
    assert_type(query.aggregate(Novel.pages, group_by=Novel.genre), list[Aggregation])

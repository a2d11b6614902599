"""Filter expressions, sort keys and query text, without a server (wvorm.orm._expressions).

Every wrong filter must fail here, before any request, with a message that names
the model, the field, the operation and the value.
"""

from __future__ import annotations

import enum
import re
from datetime import datetime, timedelta, timezone
from typing import Literal, Optional, Union
from uuid import UUID

import pytest
from pydantic import BaseModel

from wvorm.errors import FilterError, UnknownFieldError
from wvorm.orm import GeoCoordinate, PhoneNumber, WeaviateModel
from wvorm.orm._expressions import FieldExpr, Filter, ReferencePath, and_, or_
from wvorm.orm._query import Query


class Mood(enum.Enum):
    CALM = "calm"
    ANGRY = "angry"


class Nested(BaseModel):
    city: str


class EPublisher(WeaviateModel):
    name: str
    seat: Optional[GeoCoordinate] = None
    phone: Optional[PhoneNumber] = None


class EAuthor(WeaviateModel):
    name: str
    age: int = 0
    mood: Mood = Mood.CALM
    born: Optional[datetime] = None
    books: list[EBook] = []
    employer: Optional[EPublisher] = None


class EBook(WeaviateModel):
    title: str
    pages: int = 0
    price: float = 0.0
    in_print: bool = True
    kind: Literal["novel", "essay"] = "novel"
    isbn: Optional[UUID] = None
    tags: list[str] = []
    cover: Optional[bytes] = None
    address: Optional[Nested] = None
    author: Optional[EAuthor] = None
    about: list[Union[EAuthor, EPublisher]] = []


UID = UUID("8c1a4a7e-0d4c-4f6b-9b7e-1d2b3c4d5e6f")
YES, NO = True, False


# -- comparisons render to where dicts ---------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "where"),
    [
        (EBook.title == "Dune", {"path": ["title"], "operator": "Equal", "valueText": "Dune"}),
        (EBook.title != "x", {"path": ["title"], "operator": "NotEqual", "valueText": "x"}),
        (EBook.pages < 10, {"path": ["pages"], "operator": "LessThan", "valueInt": 10}),
        (EBook.pages <= 10, {"path": ["pages"], "operator": "LessThanEqual", "valueInt": 10}),
        (EBook.pages > 10, {"path": ["pages"], "operator": "GreaterThan", "valueInt": 10}),
        (EBook.price >= 2, {"path": ["price"], "operator": "GreaterThanEqual", "valueNumber": 2.0}),
        (EBook.in_print == NO, {"path": ["in_print"], "operator": "Equal", "valueBoolean": False}),
        (EBook.title.like("Du*"), {"path": ["title"], "operator": "Like", "valueText": "Du*"}),
        (
            EBook.tags.contains_any(["a", "b"]),
            {"path": ["tags"], "operator": "ContainsAny", "valueText": ["a", "b"]},
        ),
        (
            EBook.tags.contains_all(("a",)),
            {"path": ["tags"], "operator": "ContainsAll", "valueText": ["a"]},
        ),
        (
            EBook.pages.contains_none([1, 2]),
            {"path": ["pages"], "operator": "ContainsNone", "valueInt": [1, 2]},
        ),
        (EBook.tags == "a", {"path": ["tags"], "operator": "Equal", "valueText": "a"}),
        (EBook.isbn == UID, {"path": ["isbn"], "operator": "Equal", "valueText": str(UID)}),
        (
            EBook.isbn == str(UID).upper(),
            {"path": ["isbn"], "operator": "Equal", "valueText": str(UID)},
        ),
        (EBook.id == UID, {"path": ["id"], "operator": "Equal", "valueText": str(UID)}),
        (EBook.kind == "essay", {"path": ["kind"], "operator": "Equal", "valueText": "essay"}),
        (EAuthor.mood == Mood.ANGRY, {"path": ["mood"], "operator": "Equal", "valueText": "angry"}),
        (EAuthor.mood == "angry", {"path": ["mood"], "operator": "Equal", "valueText": "angry"}),
        (EAuthor.born.is_null(), {"path": ["born"], "operator": "IsNull", "valueBoolean": True}),
        (EAuthor.born == None, {"path": ["born"], "operator": "IsNull", "valueBoolean": True}),  # noqa: E711
        (EAuthor.born != None, {"path": ["born"], "operator": "IsNull", "valueBoolean": False}),  # noqa: E711
        (
            EBook.isbn.is_null(False),
            {"path": ["isbn"], "operator": "IsNull", "valueBoolean": False},
        ),
        (
            EBook.author.name == "Jane",
            {"path": ["author", "EAuthor", "name"], "operator": "Equal", "valueText": "Jane"},
        ),
        (
            EBook.author.employer.name == "P",
            {
                "path": ["author", "EAuthor", "employer", "EPublisher", "name"],
                "operator": "Equal",
                "valueText": "P",
            },
        ),
        (
            EBook.about[EPublisher].name == "P",
            {"path": ["about", "EPublisher", "name"], "operator": "Equal", "valueText": "P"},
        ),
        (
            EPublisher.seat.within_geo_range(GeoCoordinate(latitude=52.5, longitude=4), 2000),
            {
                "path": ["seat"],
                "operator": "WithinGeoRange",
                "valueGeoRange": {
                    "geoCoordinates": {"latitude": 52.5, "longitude": 4.0},
                    "distance": {"max": 2000.0},
                },
            },
        ),
    ],
)
def test_comparison_renders_the_where_dict(condition: Filter, where: dict[str, object]) -> None:
    assert condition.to_where() == where


def test_dates_render_as_rfc3339_and_naive_means_utc() -> None:
    aware = datetime(2020, 5, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    assert (EAuthor.born > aware).to_where()["valueDate"] == "2020-05-01T12:00:00+02:00"
    naive = datetime(2020, 5, 1, 12)
    assert (EAuthor.born > naive).to_where()["valueDate"] == "2020-05-01T12:00:00+00:00"


def test_and_or_not_combine_and_flatten() -> None:
    a, b, c = EBook.pages > 1, EBook.title == "x", EBook.price < 3.0
    assert (a & b & c).to_where() == {
        "operator": "And",
        "operands": [a.to_where(), b.to_where(), c.to_where()],
    }
    assert ((a | b) & ~c).to_where() == {
        "operator": "And",
        "operands": [
            {"operator": "Or", "operands": [a.to_where(), b.to_where()]},
            {"operator": "Not", "operands": [c.to_where()]},
        ],
    }
    assert and_(a, b).to_where() == (a & b).to_where()
    assert or_(a).to_where() == a.to_where()
    assert (
        repr((a | b) & ~c) == "(((EBook.pages > 1) | (EBook.title == 'x')) & ~(EBook.price < 3.0))"
    )


def test_a_filter_has_no_truth_value() -> None:
    with pytest.raises(FilterError, match=r"combine filters with & \(and\), \| \(or\)"):
        bool(EBook.pages > 1)
    with pytest.raises(FilterError):
        _ = (EBook.pages > 1) and (EBook.pages < 5)
    with pytest.raises(FilterError, match="combines filters"):
        _ = (EBook.pages > 1) & True  # type: ignore[operator]


# -- wrong filters fail before any request ------------------------------------------------


# The ``type: ignore`` lines are also caught by mypy with the wvorm.mypy plugin.
@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: EBook.pages > "many", ["EBook.pages", ">", "'many'", "int"]),  # type: ignore[operator]
        (lambda: EBook.title == 3, ["EBook.title", "==", "3", "str"]),
        (lambda: EBook.pages == YES, ["EBook.pages", "True"]),
        (lambda: EBook.price < "cheap", ["EBook.price", "<", "'cheap'"]),  # type: ignore[operator]
        (lambda: EBook.in_print > False, ["EBook.in_print", ">", "no order"]),
        (lambda: EBook.pages.like("1*"), ["EBook.pages", "like", "text"]),  # type: ignore[misc]
        (lambda: EBook.title.within_geo_range((1.0, 2.0), 5.0), ["EBook.title", "geo"]),  # type: ignore[misc]
        (lambda: EBook.cover == b"x", ["EBook.cover", "blob"]),
        (lambda: EBook.cover.is_null(), ["EBook.cover", "blob"]),
        (lambda: EBook.address == "x", ["EBook.address", "nested"]),
        (lambda: EPublisher.phone == "x", ["EPublisher.phone", "phoneNumber"]),
        (lambda: EPublisher.seat.is_null(), ["EPublisher.seat", "within_geo_range() only"]),
        (lambda: EPublisher.seat == (1.0, 2.0), ["EPublisher.seat", "within_geo_range() only"]),
        (lambda: EBook.kind == "poem", ["EBook.kind", "'poem'", "'novel', 'essay'"]),
        (lambda: EAuthor.mood == "sad", ["EAuthor.mood", "'sad'", "Mood"]),
        (lambda: EBook.isbn == "not-a-uuid", ["EBook.isbn", "not a valid uuid"]),
        (lambda: EBook.tags == ["a", "b"], ["EBook.tags", "contains_all"]),
        (lambda: EBook.tags.contains_any("ab"), ["contains_any", "list"]),
        (lambda: EBook.tags.contains_any([]), ["contains_any", "at least one"]),
        (lambda: EBook.tags.contains_any([1]), ["EBook.tags", "str", "1"]),  # type: ignore[list-item]
        (lambda: EAuthor.born > "2020-01-01", ["EAuthor.born", "datetime"]),  # type: ignore[operator]
        (lambda: EBook.id.is_null(), ["EBook.id", "never null"]),
        (lambda: EBook.author.pages == 1, ["pages", "EAuthor"]),  # type: ignore[misc]
        (lambda: EBook.about.name == "x", ["ambiguous", "EBook.about[EAuthor].name"]),  # type: ignore[misc]
        (lambda: EBook.about[EBook], ["EBook.about", "EAuthor, EPublisher"]),
        (lambda: EBook.titel, ["EBook", "'titel'", "title"]),  # type: ignore[attr-defined]
        (lambda: EBook.author.name.asc(), ["EBook.author.name", "referenced object"]),
        (lambda: EBook.tags.asc(), ["EBook.tags", "sorts by single"]),
    ],
)
def test_wrong_filters_raise_filter_error_naming_the_mistake(
    build: object, words: list[str]
) -> None:
    with pytest.raises(FilterError) as caught:
        build()  # type: ignore[operator]
    message = str(caught.value)
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_unknown_fields_are_attribute_errors_too() -> None:
    with pytest.raises(UnknownFieldError):
        EBook.nope  # type: ignore[attr-defined]  # noqa: B018
    assert not hasattr(EBook, "nope")
    assert hasattr(EBook, "title")
    assert not hasattr(EBook, "_private_thing")


def test_class_attributes_are_expressions_and_instances_keep_values() -> None:
    assert isinstance(EBook.title, FieldExpr)
    assert isinstance(EBook.author, ReferencePath)
    assert EBook.author.name.path == ["author", "EAuthor", "name"]
    book = EBook(title="t")
    assert book.title == "t" and book.pages == 0 and book.author is None
    book.pages = 5  # instance assignment is untouched by the metaclass
    assert book.pages == 5
    # pydantic saw no Field objects as defaults while it built the class
    assert EBook.model_fields["title"].is_required()
    assert EBook.model_fields["pages"].default == 0
    assert EBook.title is EBook.title  # so fields work as dict keys and set members
    assert len({EBook.title, EBook.title, EBook.pages}) == 2


# -- queries: checked as they are built, rendered by build() -------------------------------


def test_build_renders_the_whole_query() -> None:
    query = (
        EBook.query.where(EBook.pages > 100, EBook.author.name == 'Ja"ne')
        .near_text(
            "sea",
            certainty=0.7,
            move_away_from=("storm", 0.5),
            move_to={"concepts": ["calm"], "force": 0.2},
        )
        .select(EBook.title, EBook.pages)
        .include(EBook.author, EAuthor.employer)
        .sort(EBook.title.desc(), EBook.pages)
        .limit(5)
        .offset(10)
        .tenant("t1")
    )
    assert query.build() == (
        '{Get{EBook(where: {operator: And operands: [{path: ["pages"] operator: GreaterThan '
        'valueInt: 100}, {path: ["author", "EAuthor", "name"] operator: Equal valueText: '
        '"Ja\\"ne"}]} limit: 5 offset: 10 nearText: {concepts: ["sea"] certainty: 0.7 moveTo: '
        '{force: 0.2 concepts: ["calm"]} moveAwayFrom: {force: 0.5 concepts: ["storm"]}} '
        'sort: [{path: ["title"] order: desc}, {path: ["pages"] order: asc}] tenant: "t1")'
        "{title pages author{... on EAuthor{name age mood born employer{... on EPublisher"
        "{name seat{latitude longitude} phone{input defaultCountry internationalFormatted "
        "countryCode national nationalFormatted valid} _additional{id}}} _additional{id}}} "
        "_additional{id}}}}"
    )


def test_queries_are_immutable() -> None:
    base = EBook.query.where(EBook.pages > 1)
    limited = base.limit(3)
    assert "limit" not in base.build() and "limit: 3" in limited.build()
    assert isinstance(base, Query) and base.model is EBook


def test_other_searches_render() -> None:
    assert 'bm25: {query: "sea" properties: ["title^2", "tags"]}' in (
        EBook.query.bm25("sea", properties=["title^2", EBook.tags]).build()
    )
    hybrid = EBook.query.hybrid("sea", alpha=0.25, properties=[EBook.title]).build()
    assert 'hybrid: {query: "sea" alpha: 0.25 properties: ["title"]}' in hybrid
    assert "nearVector: {vector: [0.1, 0.2] distance: 0.3}" in (
        EBook.query.near_vector([0.1, 0.2], distance=0.3).build()
    )
    author = EAuthor(name="a")
    near = EBook.query.near_object(author, certainty=0.5).build()
    assert (
        f'nearObject: {{beacon: "weaviate://localhost/EAuthor/{author.id}" certainty: 0.5}}' in near
    )
    assert f'nearObject: {{id: "{UID}"}}' in EBook.query.near_object(UID).build()
    assert f'after: "{UID}"' in EBook.query.after(UID).limit(2).build()
    assert "_additional{id vector}" in EBook.query.with_vector().build()
    assert "_additional{id vectors{a b}}" in EBook.query.with_vector("a", "b").build()
    assert 'sort: [{path: ["_id"] order: desc}]' in EBook.query.sort(EBook.id.desc()).build()


def test_query_mistakes_fail_when_made() -> None:
    with pytest.raises(FilterError, match=r"EAuthor.name.*this query reads EBook"):
        EBook.query.where(EAuthor.name == "x")
    with pytest.raises(FilterError, match=r"argument 0 must be a filter.*bool"):
        EBook.query.where(True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="already searches with near_text"):
        EBook.query.near_text("a").bm25("b")
    with pytest.raises(ValueError, match=r"certainty.*distance"):
        EBook.query.near_text("a", certainty=0.5, distance=0.5)
    with pytest.raises(FilterError, match=r"include.*EAuthor.employer.*points to EAuthor"):
        EBook.query.include(EAuthor.employer)
    with pytest.raises(FilterError, match=r"select.*reference.*include"):
        EBook.query.select(EBook.author)  # type: ignore[arg-type]
    with pytest.raises(FilterError, match=r"bm25.*no field 'nope'"):
        EBook.query.bm25("x", properties=["nope"])
    with pytest.raises(FilterError, match=r"bm25.*text.*int"):
        EBook.query.bm25("x", properties=[EBook.pages])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="alpha"):
        EBook.query.hybrid("x", alpha=2)
    with pytest.raises(ValueError, match="limit must be >= 1"):
        EBook.query.limit(0)
    with pytest.raises(ValueError, match="ONE, QUORUM or ALL"):
        EBook.query.consistency_level("MOST")
    with pytest.raises(ValueError, match=r"cursor.*where"):
        EBook.query.where(EBook.pages > 1).iterate()
    with pytest.raises(ValueError, match="vector search"):
        EBook.query.group_by(EBook.title, groups=1, objects_per_group=1)
    with pytest.raises(FilterError, match="cannot aggregate object"):
        EBook.query.aggregate(EBook.address)  # no request: the field is refused first


def test_include_paths_and_nesting_render_the_same() -> None:
    by_path = EBook.query.include(EBook.author.employer).build()
    by_class = EBook.query.include(EBook.author, EAuthor.employer).build()
    assert by_path == by_class
    multi = EBook.query.include(EBook.about).build()
    assert "about{... on EAuthor{" in multi and "... on EPublisher{" in multi
    assert "__typename" in multi


def test_case_13_an_int_operand_beyond_int64_fails_where_it_is_written() -> None:
    """Regression (issue 7, case 13): only the server refused it before."""
    assert (EBook.pages > 2**63 - 1).to_where()["valueInt"] == 2**63 - 1
    with pytest.raises(FilterError, match=r"outside Weaviate's int range \(int64\)"):
        _ = EBook.pages > 2**63
    with pytest.raises(FilterError, match="int64"):
        EBook.pages.contains_any([1, -(2**63) - 1])


def test_the_orm_and_the_v3_builder_render_through_one_plan() -> None:
    from typing import cast

    from wvorm.connection import Connection
    from wvorm.gql.get import GetBuilder

    condition = (EBook.pages > 100) & (EBook.author.name == 'Ja"ne') | EBook.tags.contains_any(
        ["a", "b"]
    )
    orm = (
        EBook.query.where(condition)
        .near_vector([0.5, 1], distance=0.25)
        .sort(EBook.title.desc())
        .limit(3)
        .build()
    )
    v3 = (
        GetBuilder("EBook", ["title"], cast(Connection, None))
        .with_where(condition.to_where())
        .with_near_vector({"vector": [0.5, 1], "distance": 0.25})
        .with_sort({"path": ["title"], "order": "desc"})
        .with_limit(3)
        .build()
    )
    # The v3 builder keeps v3's blanks and commas, which GraphQL ignores: the tokens agree.
    arguments = orm[: orm.index("){")]
    assert graphql_tokens(arguments) == graphql_tokens(v3[: v3.index("){")])
    assert "nearVector: {vector: [0.5, 1.0] distance: 0.25}" in arguments


def graphql_tokens(text: str) -> list[str]:
    """GraphQL's lexical tokens of ``text``: blanks and commas are not tokens."""
    token = r'"(?:\\.|[^"\\])*"|[A-Za-z_]\w*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|[{}\[\]():]'
    return re.findall(token, text)

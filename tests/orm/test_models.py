"""WeaviateModel: the type mapping, definition-time errors, ids, state and conversion (pure)."""

from __future__ import annotations

import copy
import enum
import types
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Literal, NewType, Optional, Union
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError, constr

from wvorm.errors import ModelDefinitionError, UnloadedFieldError
from wvorm.orm import (
    GeoCoordinate,
    NamedVector,
    PhoneNumber,
    Property,
    WeaviateModel,
    class_schema,
    model_info,
    state_of,
)
from wvorm.orm._mapping import natural_id
from wvorm.orm._models import from_properties, new_instance, referenced_objects, to_properties
from wvorm.orm._state import changed_fields, mark_clean, mark_loaded
from wvorm.util import generate_uuid5

# -- models at module level: forward references and cycles resolve against globals --


class Writer(WeaviateModel):
    """Writes books."""

    name: str
    books: list[Novel] = []  # Novel is defined below
    favourite: Optional[Union[Novel, Magazine]] = None


class Novel(WeaviateModel):
    title: str
    writer: Optional[Writer] = None


class Magazine(WeaviateModel):
    title: str


class LateBad(WeaviateModel):
    other: Optional[LaterAlias] = None  # resolves to an unsupported type, defined below


LaterAlias = dict[str, int]


class Category(WeaviateModel):
    label: str
    parent: Optional[Category] = None  # a self-reference


class Colour(str, enum.Enum):
    RED = "red"
    BLUE = "blue"


class Size(enum.IntEnum):
    SMALL = 1
    LARGE = 2


class Address(BaseModel):
    street: str
    house_number: int = Field(0, alias="houseNumber")
    photo: Optional[bytes] = None


class Everything(WeaviateModel):
    text: str
    count: int = 0
    ratio: float = 0.5
    flag: bool = False
    when: Optional[datetime] = None
    ref_id: Optional[UUID] = None
    data: Optional[bytes] = None
    texts: list[str] = []
    counts: list[int] = []
    ratios: list[float] = []
    flags: list[bool] = []
    whens: list[datetime] = []
    ids: list[UUID] = []
    place: Optional[GeoCoordinate] = None
    phone: Optional[PhoneNumber] = None
    address: Optional[Address] = None
    addresses: list[Address] = []
    colour: Colour = Colour.RED
    colours: list[Colour] = []
    size: Size = Size.SMALL
    mood: Literal["happy", "sad"] = "happy"
    level: Literal[1, 2, 3] = 1


def model_with(annotation: Any, default: Any = ..., **options: Any) -> type[WeaviateModel]:
    """A model class ``Probe`` with one field ``value`` of ``annotation``."""

    def body(namespace: dict[str, Any]) -> None:
        namespace["__annotations__"] = {"value": annotation}
        namespace["__module__"] = __name__
        if default is not ...:
            namespace["value"] = default

    return types.new_class("Probe", (WeaviateModel,), options, body)


def data_type(annotation: Any) -> list[str]:
    return list(model_info(model_with(annotation)).field("value").data_type)


# -- the type mapping ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (str, "text"),
        (int, "int"),
        (float, "number"),
        (bool, "boolean"),
        (datetime, "date"),
        (UUID, "uuid"),
        (bytes, "blob"),
        (list[str], "text[]"),
        (list[int], "int[]"),
        (list[float], "number[]"),
        (list[bool], "boolean[]"),
        (list[datetime], "date[]"),
        (list[UUID], "uuid[]"),
        (GeoCoordinate, "geoCoordinates"),
        (PhoneNumber, "phoneNumber"),
        (Address, "object"),
        (list[Address], "object[]"),
        (Colour, "text"),
        (list[Colour], "text[]"),
        (Size, "int"),
        (Literal["a", "b"], "text"),
        (Literal[1, 2], "int"),
        (Optional[str], "text"),
        (Optional[list[int]], "int[]"),
        (Union[None, float], "number"),
        (Annotated[int, Field(gt=0)], "int"),
        (constr(min_length=2), "text"),
        (NewType("UserId", str), "text"),
    ],
)
def test_python_types_map_to_weaviate_data_types(annotation: Any, expected: str) -> None:
    assert data_type(annotation) == [expected]


def test_pep604_optional_maps_like_optional() -> None:
    assert data_type(eval("int | None")) == ["int"]


def test_nested_model_maps_to_nested_properties_under_their_aliases() -> None:
    prop = class_schema(Everything)["properties"]
    address = next(p for p in prop if p["name"] == "address")
    assert address["nestedProperties"] == [
        {"name": "street", "dataType": ["text"]},
        {"name": "houseNumber", "dataType": ["int"]},
        {"name": "photo", "dataType": ["blob"]},
    ]


def test_optional_is_recorded_and_does_not_change_the_type() -> None:
    info = model_info(Everything)
    assert info.field("when").is_optional and not info.field("text").is_optional
    assert info.field("texts").is_list and info.field("texts").base_type == "text"


def test_alias_is_the_property_name() -> None:
    class Post(WeaviateModel):
        word_count: int = Field(0, alias="wordCount")

    info = model_info(Post)
    assert info.field("word_count").name == "wordCount"
    assert info.by_name["wordCount"].field_name == "word_count"
    assert Post(word_count=3).word_count == 3  # constructors take field names too


def test_alias_generator_names_properties() -> None:
    def camel(name: str) -> str:
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)

    class Post(WeaviateModel):
        # validate_by_name is inherited, but the pydantic mypy plugin checks dynamic
        # aliases before it merges the parent's config, so it is repeated here.
        model_config = ConfigDict(alias_generator=camel, validate_by_name=True)
        word_count: int = 0
        is_draft: bool = False

    assert [p["name"] for p in class_schema(Post)["properties"]] == ["wordCount", "isDraft"]


# -- references ---------------------------------------------------------------------


def test_reference_fields_single_many_and_multi_target() -> None:
    info = model_info(Writer)
    books, favourite = info.field("books"), info.field("favourite")
    assert books.is_reference and books.is_list and books.targets == (Novel,)
    assert books.data_type == ("Novel",) and books.base_type == "cref"
    assert favourite.is_reference and not favourite.is_list
    assert favourite.targets == (Novel, Magazine) and favourite.data_type == ("Novel", "Magazine")
    assert model_info(Novel).field("writer").targets == (Writer,)


def test_cycles_and_forward_references_work_in_both_directions() -> None:
    writer = Writer(name="Jane")
    novel = Novel(title="One", writer=writer)
    writer.books.append(novel)
    assert writer.books[0] is novel and novel.writer is writer  # no copies
    assert writer == Writer(id=writer.id, name="Jane", books=[Novel(id=novel.id, title="x")])
    assert "books=[<Novel " in repr(writer) and "writer=<Writer " in repr(novel)


def test_self_reference() -> None:
    root = Category(label="root")
    assert Category(label="leaf", parent=root).parent is root
    assert model_info(Category).field("parent").data_type == ("Category",)


def test_reference_targets_use_collection_names() -> None:
    class Target(WeaviateModel, name="OtherName"):
        x: int

    class Source(WeaviateModel):
        target: Optional[Target] = None

    assert model_info(Source).field("target").data_type == ("OtherName",)


def test_referenced_objects_checks_cardinality_and_target_type() -> None:
    writer = Writer(name="J")
    novel = Novel(title="t")
    assert referenced_objects(writer, "favourite") == []
    writer.favourite = novel
    assert referenced_objects(writer, "favourite") == [novel]
    writer.favourite = [novel, Novel(title="u")]  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"Writer.favourite is a single reference but holds 2"):
        referenced_objects(writer, "favourite")
    writer.books = [Magazine(title="m")]  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"Writer.books holds a Magazine; it takes Novel"):
        referenced_objects(writer, "books")
    with pytest.raises(TypeError, match="not a reference field"):
        referenced_objects(writer, "name")


# -- ids ----------------------------------------------------------------------------


def test_every_object_has_a_uuid4_before_it_is_saved() -> None:
    first, second = Magazine(title="a"), Magazine(title="a")
    assert isinstance(first.id, UUID) and first.id.version == 4 and first.id != second.id
    given = uuid4()
    assert Magazine(id=given, title="a").id == given
    assert Magazine(id=str(given), title="a").id == given  # type: ignore[arg-type]  # validated


def test_natural_key_gives_deterministic_uuid5() -> None:
    class Country(WeaviateModel, natural_key="code"):
        code: str
        name: str = ""

    assert Country(code="NL").id == Country(code="NL", name="x").id
    assert str(Country(code="NL").id) == generate_uuid5("NL", "Country")
    assert Country(code="NL").id != Country(code="BE").id
    explicit = uuid4()
    assert Country(id=explicit, code="NL").id == explicit


def test_natural_key_of_several_fields() -> None:
    class Edition(WeaviateModel, natural_key=("isbn", "year")):
        isbn: str
        year: int

    edition = Edition(isbn="123", year=2020)
    assert str(edition.id) == generate_uuid5('["123", 2020]', "Edition")
    assert natural_id(edition) == edition.id
    assert Edition(isbn="123", year=2021).id != edition.id


# -- class options --------------------------------------------------------------------


def test_class_options_compile_into_the_class_definition() -> None:
    class Article(
        WeaviateModel,
        name="NewsArticle",
        description="News",
        vectorizer="text2vec-transformers",
        module_config={"text2vec-transformers": {"vectorizeClassName": False}},
        vector_index_type="hnsw",
        vector_index_config={"ef": 64},
        distance="dot",
        replication_factor=1,
        multi_tenancy=True,
        inverted_index_config={"indexNullState": True},
    ):
        title: Annotated[
            str,
            Property(
                description="The title",
                tokenization="field",
                index_filterable=True,
                index_searchable=False,
                skip_vectorization=True,
                vectorize_property_name=False,
            ),
        ]
        words: Annotated[int, Property(index_range_filters=True)] = 0
        summary: str = Field("", description="A summary")

    assert class_schema(Article) == {
        "class": "NewsArticle",
        "description": "News",
        "vectorizer": "text2vec-transformers",
        "moduleConfig": {"text2vec-transformers": {"vectorizeClassName": False}},
        "vectorIndexType": "hnsw",
        "vectorIndexConfig": {"ef": 64, "distance": "dot"},
        "replicationConfig": {"factor": 1},
        "multiTenancyConfig": {"enabled": True},
        "invertedIndexConfig": {"indexNullState": True},
        "properties": [
            {
                "name": "title",
                "dataType": ["text"],
                "description": "The title",
                "tokenization": "field",
                "indexFilterable": True,
                "indexSearchable": False,
                "moduleConfig": {
                    "text2vec-transformers": {"skip": True, "vectorizePropertyName": False}
                },
            },
            {"name": "words", "dataType": ["int"], "indexRangeFilters": True},
            {"name": "summary", "dataType": ["text"], "description": "A summary"},
        ],
    }


def test_named_vectors() -> None:
    class Doc(WeaviateModel):
        title: str
        body_text: str = Field("", alias="bodyText")

        __doc__ = None

    class Multi(
        WeaviateModel,
        vectors={
            "title": NamedVector(
                vectorizer="text2vec-transformers", source_properties=["title"], distance="cosine"
            ),
            "body": NamedVector(source_properties=["body_text"], vector_index_type="flat"),
        },
    ):
        title: Annotated[str, Property(skip_vectorization=False)]
        body_text: str = Field("", alias="bodyText")

    schema = class_schema(Multi)
    assert schema["vectorConfig"] == {
        "title": {
            "vectorizer": {"text2vec-transformers": {"properties": ["title"]}},
            "vectorIndexConfig": {"distance": "cosine"},
        },
        "body": {"vectorizer": {"none": {"properties": ["bodyText"]}}, "vectorIndexType": "flat"},
    }
    assert schema["properties"][0]["moduleConfig"] == {"text2vec-transformers": {"skip": False}}
    assert model_info(Multi).config.vectorizer_modules == ("text2vec-transformers",)


def test_defaults_name_capitalised_and_description_from_docstring() -> None:
    class lowercase_name(WeaviateModel):
        """First line.

        More.
        """

        x: int

    assert class_schema(lowercase_name)["class"] == "Lowercase_name"
    assert class_schema(lowercase_name)["description"] == "First line.\n\nMore."
    assert "description" not in class_schema(Novel)


def test_subclasses_inherit_options_but_not_name_or_description() -> None:
    class Base(WeaviateModel, vectorizer="text2vec-transformers", replication_factor=1):
        """Base doc."""

        title: str

    class Child(Base):
        extra: int = 0

    schema = class_schema(Child)
    assert schema["class"] == "Child" and "description" not in schema
    assert schema["vectorizer"] == "text2vec-transformers"
    assert [p["name"] for p in schema["properties"]] == ["title", "extra"]


# -- definition-time errors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotation", "reason"),
    [
        (dict[str, int], r"dict\[str, int\] is not supported: Weaviate has no map type"),
        (set[str], r"set\[str\] is not supported: use list"),
        (tuple[int, int], r"tuple\[int, int\] is not supported: use list"),
        (Any, "Any is not supported: a property needs one concrete type"),
        (Union[int, str], r"Union\[int, str\] is not supported: a property has one type"),
        (date, "date is not supported: .* use datetime"),
        (timedelta, "timedelta is not supported: supported are str, int"),
        (list, "a bare list needs an item type"),
        (list[Optional[str]], "list items cannot be None"),
        (list[bytes], "Weaviate has no blob"),
        (list[GeoCoordinate], r"list\[GeoCoordinate\] is not supported"),
        (list[list[int]], "nested lists are not supported"),
        (Literal["a", 1], "mixes value types"),
        (Union[Novel, str], "a Union only maps when every member is a WeaviateModel"),
        (list[Annotated[str, Property()]], "put Property"),
        (Annotated[str, Property(), Property()], "more than one Property"),
        (Annotated[int, Property(tokenization="word")], "tokenization applies to text fields only"),
        (Annotated[int, Property(index_searchable=True)], "index_searchable applies to text"),
        (Annotated[str, Property(index_range_filters=True)], "index_range_filters applies to"),
        (Annotated[list[int], Property(index_range_filters=True)], "index_range_filters applies"),
        (Annotated[str, Property(skip_vectorization=True)], "need a vectorizer"),
    ],
)
def test_unmappable_field_types_fail_at_definition(annotation: Any, reason: str) -> None:
    with pytest.raises(ModelDefinitionError, match=rf"cannot map Probe\.value.*: .*{reason}"):
        model_with(annotation)


def test_mixed_enum_fails() -> None:
    class Mixed(enum.Enum):
        A = "a"
        B = 2

    with pytest.raises(ModelDefinitionError, match=r"Probe\.value: Mixed mixes value types"):
        model_with(Mixed)


class Inner(BaseModel):
    place: Optional[GeoCoordinate] = None


class HoldsRef(BaseModel):
    novel: Optional[Novel] = None


class Tree(BaseModel):
    children: list[Tree] = []


class Empty(BaseModel):
    pass


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    x: int = 0


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        (Inner, r"Probe\.value\.place: Weaviate does not allow geoCoordinates inside a nested"),
        (HoldsRef, r"Probe\.value\.novel: a nested object cannot hold a cross-reference"),
        (Tree, r"nested model Tree contains itself"),
        (Empty, r"Probe\.value: nested model Empty has no fields"),
        (Loose, r"Probe\.value: nested model Loose allows extra fields"),
    ],
)
def test_unmappable_nested_models_fail_at_definition(annotation: Any, message: str) -> None:
    with pytest.raises(ModelDefinitionError, match=message):
        model_with(Optional[annotation], None)


@pytest.mark.parametrize(
    ("alias", "reason"),
    [
        ("my-name", "not a valid GraphQL name"),
        ("2fast", "not a valid GraphQL name"),
        ("naïve", "not a valid GraphQL name"),
        ("_additional", "reserved by Weaviate"),
        ("_id", "reserved by Weaviate"),
        ("id", "reserved by Weaviate"),
        ("__typename", "GraphQL reserves"),
        ("Title", "starts with an upper-case letter, which Weaviate lower-cases"),
        ("a" * 232, "longer than 231"),
    ],
)
def test_invalid_or_reserved_property_names_fail_at_definition(alias: str, reason: str) -> None:
    with pytest.raises(ModelDefinitionError, match=rf"cannot map Probe\.value: .*{reason}"):
        model_with(str, Field("", alias=alias))


def test_non_ascii_field_name_fails() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Probe\.名前: property name '名前'"):

        class Probe(WeaviateModel):
            名前: str


def test_property_names_that_clash_case_insensitively_fail() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Probe\.b: its property name 'fooBar' clashes"):

        class Probe(WeaviateModel):
            a: str = Field("", alias="foobar")
            b: str = Field("", alias="fooBar")


def test_validation_alias_that_differs_fails() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Probe\.value: validation_alias='x' differs"):
        model_with(str, Field("", validation_alias="x"))


def test_redeclaring_id_fails() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Probe\.id: 'id' is the object's uuid"):

        class Probe(WeaviateModel):
            id: str  # type: ignore[assignment]


def test_extra_allow_fails() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Probe: extra='allow' is not supported"):

        class Probe(WeaviateModel, extra="allow"):
            x: int


@pytest.mark.filterwarnings("ignore:Field name .query. .* shadows an attribute")
def test_a_field_that_would_hide_a_wvorm_attribute_fails() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Probe\.query: the field would hide"):

        class Probe(WeaviateModel):
            query: str


@pytest.mark.parametrize(
    ("options", "reason"),
    [
        ({"vectoriser": "x"}, "unknown class option.s. vectoriser; the options are name, "),
        ({"vectorizer": 3}, "class option vectorizer= takes a str, not 3"),
        ({"replication_factor": True}, "class option replication_factor= takes a int, not True"),
        ({"replication_factor": 0}, "replication_factor must be at least 1"),
        ({"name": "my-class"}, "class name 'My-class' is not a valid Weaviate class name"),
        ({"vectors": {"v": {"vectorizer": "none"}}}, r"vectors\['v'\] must be a NamedVector"),
        ({"natural_key": "nope"}, "natural_key names 'nope', which is not a field"),
        ({"natural_key": "tags"}, "natural_key field 'tags' must hold a single"),
        ({"natural_key": "maybe"}, "natural_key field 'maybe' is Optional"),
        (
            {"vectors": {"v": NamedVector(source_properties=["nope"])}},
            r"vectors\['v'\] reads 'nope', which is not a field",
        ),
    ],
)
def test_bad_class_options_fail_at_definition(options: dict[str, Any], reason: str) -> None:
    def body(namespace: dict[str, Any]) -> None:
        namespace["__annotations__"] = {"title": str, "tags": list[str], "maybe": Optional[str]}
        namespace.update(tags=[], maybe=None)

    with pytest.raises(ModelDefinitionError, match=rf"cannot map Probe: {reason}"):
        types.new_class("Probe", (WeaviateModel,), options, body)


def test_undefined_forward_reference_fails_at_first_use() -> None:
    class Probe(WeaviateModel):
        other: Optional[NotDefinedAnywhere] = None  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(ModelDefinitionError, match=r"Probe: 'NotDefinedAnywhere' is not defined"):
        model_info(Probe)


def test_bad_forward_referenced_type_fails_when_the_class_completes() -> None:
    # LateBad names LaterAlias before it exists; the type is checked once it resolves.
    with pytest.raises(ModelDefinitionError, match=r"cannot map LateBad\.other: dict\[str, int\]"):
        LateBad(other={})
    with pytest.raises(ModelDefinitionError, match=r"cannot map LateBad\.other: dict\[str, int\]"):
        model_info(LateBad)


def test_property_options_are_type_checked() -> None:
    with pytest.raises(TypeError, match=r"Property\(index_filterable=...\) takes True, False"):
        Property(index_filterable="yes")  # type: ignore[arg-type]


# -- conversion ------------------------------------------------------------------------------


def full_object() -> Everything:
    return Everything(
        text='héllo "quoted"\n',
        count=3,
        ratio=1.25,
        flag=True,
        when=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=2))),
        ref_id=UUID("12345678-1234-5678-1234-567812345678"),
        data=b"\x00\xffbytes",
        texts=["a", "b"],
        counts=[1, 2],
        ratios=[0.5],
        flags=[True, False],
        whens=[datetime(2020, 1, 1, tzinfo=timezone.utc)],
        ids=[UUID(int=1)],
        place=GeoCoordinate(latitude=52.366667, longitude=4.9),
        phone=PhoneNumber(input="020 1234567", default_country="nl"),
        address=Address(street="Main", houseNumber=5, photo=b"img"),
        addresses=[Address(street="A"), Address(street="B", houseNumber=2)],
        colour=Colour.BLUE,
        colours=[Colour.RED, Colour.BLUE],
        size=Size.LARGE,
        mood="sad",
        level=3,
    )


def test_to_properties_converts_every_type_to_json() -> None:
    props = to_properties(full_object())
    assert props == {
        "text": 'héllo "quoted"\n',
        "count": 3,
        "ratio": 1.25,
        "flag": True,
        "when": "2024-05-06T07:08:09.123456+02:00",
        "ref_id": "12345678-1234-5678-1234-567812345678",
        "data": "AP9ieXRlcw==",
        "texts": ["a", "b"],
        "counts": [1, 2],
        "ratios": [0.5],
        "flags": [True, False],
        "whens": ["2020-01-01T00:00:00+00:00"],
        "ids": ["00000000-0000-0000-0000-000000000001"],
        "place": {"latitude": 52.366667, "longitude": 4.9},
        "phone": {"input": "020 1234567", "defaultCountry": "NL"},
        "address": {"street": "Main", "houseNumber": 5, "photo": "aW1n"},
        "addresses": [{"street": "A", "houseNumber": 0}, {"street": "B", "houseNumber": 2}],
        "colour": "blue",
        "colours": ["red", "blue"],
        "size": 2,
        "mood": "sad",
        "level": 3,
    }


def test_naive_datetimes_are_sent_as_utc() -> None:
    props = to_properties(Everything(text="x", when=datetime(2024, 1, 1, 12)))
    assert props["when"] == "2024-01-01T12:00:00+00:00"


def test_to_properties_leaves_out_references_and_none() -> None:
    writer = Writer(name="J", books=[Novel(title="t")])
    assert to_properties(writer) == {"name": "J"}
    assert to_properties(Everything(text="x"), ["when", "text"]) == {"text": "x"}
    assert to_properties(Everything(text="x"), ["when"], keep_none=True) == {"when": None}


def test_from_properties_inverts_to_properties() -> None:
    original = full_object()
    loaded = from_properties(Everything, to_properties(original), uuid=str(original.id))
    assert loaded == original
    assert loaded.data == b"\x00\xffbytes" and loaded.address and loaded.address.photo == b"img"
    assert loaded.colour is Colour.BLUE and loaded.when == original.when


def test_from_properties_reads_what_the_server_sends() -> None:
    # The shapes Weaviate 1.39 returns: nanosecond dates, "Z", float32 geo, parsed phone numbers.
    server = {
        "text": "t",
        "when": "2024-01-02T03:04:05.123456789+02:00",
        "whens": ["2024-01-02T03:04:05Z"],
        "place": {"latitude": 52.36667, "longitude": 4.9},
        "phone": {
            "countryCode": 31,
            "defaultCountry": "NL",
            "input": "020 1234567",
            "internationalFormatted": "+31 20 123 4567",
            "national": 201234567,
            "nationalFormatted": "020 123 4567",
            "valid": True,
        },
        "count": 3.0,
        "ref_id": None,
        "unknown_property": "ignored",
    }
    loaded = from_properties(Everything, server, uuid=UUID(int=7))
    assert loaded.id == UUID(int=7) and loaded.count == 3 and loaded.ref_id is None
    assert loaded.when == datetime(2024, 1, 2, 1, 4, 5, 123456, tzinfo=timezone.utc)
    assert loaded.whens == [datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)]
    assert loaded.place == GeoCoordinate(latitude=52.366667, longitude=4.9)  # float32-equal
    assert loaded.phone == PhoneNumber(input="020 1234567", default_country="nl")
    assert loaded.phone is not None and loaded.phone.international_formatted == "+31 20 123 4567"


def test_null_for_a_field_that_is_not_optional_stays_unloaded_never_the_default() -> None:
    """Regression (issue 7, case 1): a null from the server is not "the default"."""
    loaded = from_properties(Everything, {"text": "t", "texts": None}, uuid=uuid4())
    assert "texts" not in loaded.__dict__ and "texts" in state_of(loaded).nulls
    with pytest.raises(UnloadedFieldError, match=r"holds null.*not Optional"):
        _ = loaded.texts
    assert "texts" not in loaded.model_dump()
    assert to_properties(loaded).get("texts") is None  # saving leaves it alone


def test_null_for_a_required_property_is_unloaded_not_an_invented_instance() -> None:
    loaded = from_properties(Everything, {"count": 1}, uuid=uuid4())
    with pytest.raises(UnloadedFieldError, match=r"\.text: the server holds null"):
        _ = loaded.text


def test_partial_load_leaves_unread_fields_unloaded() -> None:
    loaded = from_properties(Everything, {"count": "5"}, uuid=UUID(int=1), fields=["count"])
    assert loaded.count == 5  # validated
    state = state_of(loaded)
    assert state.loaded_fields == frozenset({"count"}) and state.is_persistent
    assert not state.is_loaded("text") and "text" not in loaded.__dict__
    assert to_properties(loaded) == {"count": 5}  # unread fields are not invented
    assert changed_fields(loaded) == set()


# -- state and dirty tracking --------------------------------------------------------------


def test_new_objects_have_every_field_changed() -> None:
    novel = Novel(title="t")
    assert not state_of(novel).is_persistent
    assert changed_fields(novel) == {"title", "writer"}


def test_changed_fields_after_load() -> None:
    original = full_object()
    loaded = from_properties(Everything, to_properties(original), uuid=original.id)
    assert changed_fields(loaded) == set()
    loaded.count = 4
    loaded.texts.append("c")  # in place
    assert loaded.address is not None
    loaded.address.street = "Other"  # in place, nested
    assert changed_fields(loaded) == {"count", "texts", "address"}
    mark_clean(loaded)
    assert changed_fields(loaded) == set()
    loaded.count = 4  # same value: not a change
    assert changed_fields(loaded) == set()


def test_references_are_dirty_by_target_identity() -> None:
    writer = new_instance(Writer, {"id": uuid4(), "name": "J"}, {"id", "name"})
    mark_loaded(writer)  # read without its references
    assert changed_fields(writer) == set()
    assert state_of(writer).loaded_fields == frozenset({"name"})
    with pytest.raises(UnloadedFieldError):
        writer.books.append(Novel(title="new"))  # an unloaded list cannot be mutated
    writer.books = [Novel(title="new")]  # assigned: it replaces the stored references
    assert changed_fields(writer) == {"books"}
    mark_clean(writer)
    assert state_of(writer).loaded_fields == frozenset({"name", "books"})
    writer.books[0].title = "changed target"  # the target changed, not the reference
    assert changed_fields(writer) == set()


def test_vectors_live_in_the_state_not_in_fields() -> None:
    class Vec(WeaviateModel):
        vector: list[float] = []  # a user field may be called vector

    obj = Vec(vector=[1.0])
    state_of(obj).vector = [0.1, 0.2]
    state_of(obj).vectors["title"] = [0.3]
    assert obj.vector == [1.0] and to_properties(obj) == {"vector": [1.0]}
    assert state_of(obj).vector == [0.1, 0.2]


def test_copies_do_not_share_state() -> None:
    obj = Magazine(title="a")
    state_of(obj).vector = [1.0]
    for clone in (obj.model_copy(), copy.copy(obj), copy.deepcopy(obj)):
        assert state_of(clone) is not state_of(obj) and state_of(clone).vector == [1.0]
        state_of(clone).vector = [2.0]
        assert state_of(obj).vector == [1.0]


def test_equality_and_hash() -> None:
    a = Magazine(title="a")
    same = Magazine(id=a.id, title="a")
    assert a == same and hash(a) == hash(same) and len({a, same}) == 1
    assert a != Magazine(id=a.id, title="b") and a != Magazine(title="a")
    assert a != Novel(id=a.id, title="a")
    state_of(same).vector = [1.0]  # state is not part of equality
    assert a == same


def test_geo_and_phone_values() -> None:
    assert GeoCoordinate(latitude=52.366667, longitude=4.9) == GeoCoordinate(
        latitude=52.36667, longitude=4.9
    )
    assert GeoCoordinate(latitude=1, longitude=2) != GeoCoordinate(latitude=1, longitude=2.001)
    with pytest.raises(ValidationError):
        GeoCoordinate(latitude=91, longitude=0)
    phone = PhoneNumber(input="06", default_country="nl")
    assert phone.default_country == "NL"
    assert phone == PhoneNumber(input="06", default_country="NL", valid=True)
    with pytest.raises(ValidationError):
        phone.input = "07"  # type: ignore[misc]

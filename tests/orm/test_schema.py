"""Models → class JSON (pure), and create_all / drop_all / migrate on the real server."""

from __future__ import annotations

import enum
from datetime import datetime, timezone
from typing import Annotated, Any, Optional, Union
from uuid import UUID

import pytest
from pydantic import BaseModel, Field

import wvorm
from tests.schemas import SPEC_SCHEMA
from wvorm.errors import MigrationError, SchemaValidationException
from wvorm.orm import (
    GeoCoordinate,
    MigrationPlan,
    PhoneNumber,
    Property,
    WeaviateModel,
    class_schema,
    create_all,
    drop_all,
    migrate,
    schema_of,
)
from wvorm.orm._models import from_properties, to_properties

# -- the spec's schema (python-client-v3.md, "client.schema.create"), as models --------


class Publication(WeaviateModel):
    """A publication with an online source"""

    name: Annotated[str, Property(description="Name of the publication")]
    has_articles: list[Article] = Field(
        [], alias="hasArticles", description="The articles this publication has"
    )
    headquarters_geo_location: Optional[GeoCoordinate] = Field(
        None, alias="headquartersGeoLocation", description="Geo location of the HQ"
    )


class Article(WeaviateModel):
    """A written text, for example a news article or blog post"""

    title: str = Field(description="Title of the article")
    content: str = Field(description="The content of the article")


class Author(WeaviateModel):
    """The writer of an article"""

    name: str = Field(description="Name of the author")
    wrote_articles: list[Article] = Field(
        [], alias="wroteArticles", description="Articles this author wrote"
    )
    writes_for: Optional[Publication] = Field(
        None, alias="writesFor", description="The publication this author writes for"
    )


SPEC_MODELS: list[type[WeaviateModel]] = [Publication, Article, Author]


# -- every mapped type, with options --------------------------------------------------


class Mood(str, enum.Enum):
    HAPPY = "happy"
    SAD = "sad"


class Address(BaseModel):
    street: Annotated[str, Property(tokenization="field")]
    number: Annotated[int, Property(index_range_filters=True)] = 0
    photo: Optional[bytes] = None


class Kitchen(WeaviateModel, inverted_index_config={"indexNullState": True}):
    """Every mapped type."""

    text: Annotated[str, Property(tokenization="lowercase", index_searchable=True)]
    count: Annotated[int, Property(index_range_filters=True, index_filterable=False)] = 0
    ratio: float = 0.0
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
    mood: Mood = Mood.HAPPY
    moods: list[Mood] = []
    related: list[Union[Kitchen, Article]] = []


def by_name(properties: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in properties}


def sorted_schema(schema: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        (
            {**c, "properties": sorted(c["properties"], key=lambda p: str(p["name"]))}
            for c in schema["classes"]
        ),
        key=lambda c: str(c["class"]),
    )


# -- pure ----------------------------------------------------------------------------


def test_models_compile_to_the_specs_schema() -> None:
    assert sorted_schema(schema_of(*SPEC_MODELS)) == sorted_schema(SPEC_SCHEMA)


def test_schema_of_is_exported_from_the_package() -> None:
    assert wvorm.orm.schema_of is schema_of


def test_schema_of_drops_repeats_and_rejects_two_models_with_one_name() -> None:
    assert len(schema_of(Article, Article)["classes"]) == 1

    class Other(WeaviateModel, name="Article"):
        x: int

    with pytest.raises(SchemaValidationException, match="both map to class 'Article'"):
        schema_of(Article, Other)
    with pytest.raises(TypeError, match="expected WeaviateModel subclasses"):
        schema_of(Address)  # type: ignore[arg-type]


def test_migration_plan_reads_well() -> None:
    empty = MigrationPlan()
    assert empty.is_empty and "nothing to do" in str(empty)
    plan = MigrationPlan(
        new_classes=(class_schema(Article),),
        new_properties=(("Author", {"name": "email", "dataType": ["text"]}),),
    )
    assert str(plan) == (
        "Schema migration (dry run, nothing changed):\n"
        "  + create class Article: title (text), content (text)\n"
        "  + add property Author.email (text)"
    )


# -- on the server -----------------------------------------------------------------


def test_create_all_gives_the_server_the_models_schema(client: wvorm.Client) -> None:
    models: list[type[WeaviateModel]] = [*SPEC_MODELS, Kitchen]
    created = create_all(client, models)
    assert sorted(created) == ["Article", "Author", "Kitchen", "Publication"]
    live = {c["class"]: c for c in client.schema.get()["classes"]}
    for model in models:
        wanted = class_schema(model)
        server = by_name(live[wanted["class"]]["properties"])
        assert live[wanted["class"]].get("description") == wanted.get("description")
        assert sorted(server) == sorted(p["name"] for p in wanted["properties"])
        for prop in wanted["properties"]:
            # every key we sent (type, options, nested properties) is what the server has
            for key, value in prop.items():
                if key == "nestedProperties":
                    nested = by_name(server[prop["name"]][key])
                    for inner in value:
                        assert {k: nested[inner["name"]][k] for k in inner} == inner
                else:
                    assert server[prop["name"]][key] == value, (prop["name"], key)
    assert live["Kitchen"]["invertedIndexConfig"]["indexNullState"] is True


def test_create_all_skips_existing_classes_and_drop_all_removes_them(
    client: wvorm.Client,
) -> None:
    assert create_all(client, [Article]) == ["Article"]
    assert create_all(client, SPEC_MODELS) == ["Publication", "Author"]
    assert create_all(client, SPEC_MODELS) == []
    assert drop_all(client, [Author, Article]) == ["Author", "Article"]
    assert [c["class"] for c in client.schema.get()["classes"]] == ["Publication"]
    assert drop_all(client, SPEC_MODELS) == ["Publication"]
    assert client.schema.get()["classes"] == []


def test_create_all_refuses_references_to_unknown_classes(client: wvorm.Client) -> None:
    with pytest.raises(SchemaValidationException, match=r"Author.wrote_articles -> Article"):
        create_all(client, [Author, Publication])
    assert client.schema.get()["classes"] == []  # nothing was created
    create_all(client, [Article])
    assert create_all(client, [Author, Publication]) == ["Author", "Publication"]


def every_type_kitchen(**overrides: Any) -> Kitchen:
    """A Kitchen with a value of every mapped type (shared by the round-trip tests)."""
    values: dict[str, Any] = dict(
        text='Ünïcode "quotes" \\ and\nnewlines',
        count=-3,
        ratio=2.5,
        flag=True,
        when=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc),
        ref_id=UUID(int=5),
        data=b"\x00\x01binary\xff",
        texts=["a", "b"],
        counts=[1, 2],
        ratios=[0.25],
        flags=[False],
        whens=[datetime(2020, 1, 1, tzinfo=timezone.utc)],
        ids=[UUID(int=9)],
        place=GeoCoordinate(latitude=52.366667, longitude=4.9),
        phone=PhoneNumber(input="020 1234567", default_country="nl"),
        address=Address(street="Main", number=4, photo=b"jpg"),
        addresses=[Address(street="A")],
        mood=Mood.SAD,
        moods=[Mood.HAPPY, Mood.SAD],
    )
    values.update(overrides)
    return Kitchen(**values)


def test_properties_written_to_the_server_read_back_equal(client: wvorm.Client) -> None:
    create_all(client, [Kitchen, Article])
    original = every_type_kitchen()
    client.data_object.create(to_properties(original), "Kitchen", uuid=original.id)
    stored = client.data_object.get_by_id(original.id, class_name="Kitchen")
    assert stored is not None
    loaded = from_properties(Kitchen, stored["properties"], uuid=stored["id"])
    assert "related" not in loaded.__dict__  # references are attached by the loader, not here
    assert dict(loaded) == {k: v for k, v in original if k != "related"}
    assert loaded.phone is not None and loaded.phone.valid is True  # parsed by the server


def test_migrate_adds_classes_and_properties(client: wvorm.Client) -> None:
    class ItemV1(WeaviateModel, name="Item"):
        title: str

    class ItemV2(WeaviateModel, name="Item"):
        title: str
        count: Annotated[int, Property(index_range_filters=True)] = 0
        about: Optional[Article] = None

    create_all(client, [ItemV1])
    plan = migrate(client, [ItemV2, Article], dry_run=True)
    assert not plan.applied
    assert str(plan) == (
        "Schema migration (dry run, nothing changed):\n"
        "  + create class Article: title (text), content (text)\n"
        "  + add property Item.count (int)\n"
        "  + add property Item.about (-> Article)"
    )
    assert [p["name"] for p in client.schema.get("Item")["properties"]] == ["title"]

    applied = migrate(client, [ItemV2, Article])
    assert applied.applied and str(applied).startswith("Schema migration (applied):")
    item = by_name(client.schema.get("Item")["properties"])
    assert item["count"]["dataType"] == ["int"] and item["count"]["indexRangeFilters"] is True
    assert item["about"]["dataType"] == ["Article"]
    assert migrate(client, [ItemV2, Article]).is_empty


def test_migrate_refuses_type_changes_and_removals(client: wvorm.Client) -> None:
    class ItemV1(WeaviateModel, name="Item"):
        title: Annotated[str, Property(tokenization="word")]
        count: int = 0
        tags: list[str] = []

    class ItemV3(WeaviateModel, name="Item", multi_tenancy=True):
        title: Annotated[str, Property(tokenization="field")]
        count: str = ""  # was int
        extra: int = 0  # would be added, but nothing is while anything is refused

    create_all(client, [ItemV1])
    with pytest.raises(MigrationError) as raised:
        migrate(client, [ItemV3], dry_run=True)
    assert raised.value.differences == [
        "Item.title: tokenization is 'word' on the server, 'field' in the model",
        "Item.count: type int on the server, text in the model",
        "Item.tags: on the server but not in the model (migrate never removes a property)",
        "Item: multi-tenancy is off on the server, on in the model",
    ]
    with pytest.raises(MigrationError, match=r"Item\.count: type int on the server"):
        migrate(client, [ItemV3])
    assert [p["name"] for p in client.schema.get("Item")["properties"]] == [
        "title",
        "count",
        "tags",
    ]

"""client.schema against the real server, and the pure helpers behind it."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wvorm
from tests.schemas import SPEC_SCHEMA
from tests.support.static_site import serve_directory
from wvorm._inputs import capitalize_first_letter, load_json_object
from wvorm.errors import SchemaValidationException, UnexpectedStatusCodeException
from wvorm.schema import Tenant, TenantActivityStatus
from wvorm.schema.definitions import (
    is_reference_data_type,
    is_sub_schema,
    merge_config,
    split_class_definition,
)


def property_types(client: wvorm.Client, class_name: str) -> dict[str, list[str]]:
    return {p["name"]: p["dataType"] for p in client.schema.get(class_name)["properties"]}


@pytest.fixture
def json_http_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on loopback serving the files of a temporary directory."""
    with serve_directory(tmp_path) as url:
        yield url, tmp_path


# -- pure helpers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data_type", "is_reference"),
    [
        ("Article", True),
        ("A", True),
        ("text", False),
        ("text[]", False),
        ("int", False),
        ("geoCoordinates", False),
        ("phoneNumber", False),
        ("object[]", False),
        ("uuid", False),
        ("blob", False),
    ],
)
def test_reference_data_types_are_class_names(data_type: str, is_reference: bool) -> None:
    assert is_reference_data_type(data_type) is is_reference


def test_capitalize_first_letter_changes_only_the_first_letter() -> None:
    assert capitalize_first_letter("myClass") == "MyClass"
    assert capitalize_first_letter("a") == "A"
    assert capitalize_first_letter("ABC") == "ABC"
    with pytest.raises(ValueError, match="empty"):
        capitalize_first_letter("")
    with pytest.raises(TypeError, match="str"):
        capitalize_first_letter(3)  # type: ignore[arg-type]


def test_split_class_definition_separates_references_and_keeps_the_input() -> None:
    author = {
        "class": "author",
        "vectorizer": "none",
        "someFutureKey": {"x": 1},
        "properties": [
            {"name": "name", "dataType": ["text"]},
            {"name": "wrote", "dataType": ["Book"], "description": "books"},
            {"name": "tags", "dataType": ["text[]"]},
        ],
    }
    original = copy.deepcopy(author)
    base, references = split_class_definition(author)
    assert base["class"] == "Author"
    assert base["vectorizer"] == "none"
    assert base["someFutureKey"] == {"x": 1}
    assert [p["name"] for p in base["properties"]] == ["name", "tags"]
    assert references == [{"name": "wrote", "dataType": ["Book"], "description": "books"}]
    assert author == original


def test_split_class_definition_without_properties() -> None:
    base, references = split_class_definition({"class": "Empty"})
    assert base == {"class": "Empty", "properties": []}
    assert references == []


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        ({"properties": []}, "'class' name"),
        ({"class": ""}, "'class' name"),
        ("Article", "must be a dict"),
        ({"class": "A", "properties": {"name": "x"}}, "must be a list"),
        ({"class": "A", "properties": [{"dataType": ["text"]}]}, "'name'"),
        ({"class": "A", "properties": [{"name": "x"}]}, "'dataType'"),
        ({"class": "A", "properties": [{"name": "x", "dataType": "text"}]}, "'dataType'"),
        ({"class": "A", "properties": [{"name": "x", "dataType": []}]}, "'dataType'"),
    ],
)
def test_split_class_definition_rejects_unreadable_classes(definition: Any, message: str) -> None:
    with pytest.raises(SchemaValidationException, match=message):
        split_class_definition(definition)


def test_merge_config_merges_nested_dicts_without_changing_inputs() -> None:
    base = {"a": 1, "nested": {"x": 1, "y": {"deep": 1, "keep": 2}}, "list": [1, 2]}
    update = {"nested": {"y": {"deep": 5}, "z": 3}, "list": [3], "new": {"k": 1}}
    base_copy, update_copy = copy.deepcopy(base), copy.deepcopy(update)
    merged = merge_config(base, update)
    assert merged == {
        "a": 1,
        "nested": {"x": 1, "y": {"deep": 5, "keep": 2}, "z": 3},
        "list": [3],
        "new": {"k": 1},
    }
    assert base == base_copy
    assert update == update_copy
    # a dict replaces a non-dict and vice versa
    assert merge_config({"a": 1}, {"a": {"b": 2}}) == {"a": {"b": 2}}
    assert merge_config({"a": {"b": 2}}, {"a": None}) == {"a": None}


def test_is_sub_schema_compares_classes_and_property_names() -> None:
    schema = {
        "classes": [
            {"class": "Article", "properties": [{"name": "title"}, {"name": "body"}]},
            {"class": "Author", "properties": []},
        ]
    }
    assert is_sub_schema(
        {"classes": [{"class": "article", "properties": [{"name": "title"}]}]}, schema
    )
    assert is_sub_schema({"class": "Author"}, schema)
    assert not is_sub_schema({"class": "Article", "properties": [{"name": "nope"}]}, schema)
    assert not is_sub_schema({"classes": [{"class": "Book"}]}, schema)
    with pytest.raises(SchemaValidationException, match="'class' name"):
        is_sub_schema({"classes": [{"properties": []}]}, schema)


def test_tenant_activity_status_accepts_new_names_as_aliases() -> None:
    assert TenantActivityStatus("ACTIVE") is TenantActivityStatus.HOT
    assert TenantActivityStatus("INACTIVE") is TenantActivityStatus.COLD
    assert TenantActivityStatus.__members__["INACTIVE"] is TenantActivityStatus.COLD
    assert TenantActivityStatus("offloaded") is TenantActivityStatus.FROZEN
    assert TenantActivityStatus("hot") is TenantActivityStatus.HOT
    assert Tenant("t", "ACTIVE").activity_status is TenantActivityStatus.HOT  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown activity_status 'WARMISH'"):
        Tenant("t", "WARMISH")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-empty"):
        Tenant("")


def test_load_json_object_reads_dicts_files_and_urls(
    json_http_server: tuple[str, Path],
) -> None:
    url, directory = json_http_server
    (directory / "schema.json").write_text(json.dumps({"classes": []}))
    (directory / "list.json").write_text("[1, 2]")
    (directory / "broken.json").write_text("{not json")
    given = {"a": 1}
    assert load_json_object(given, "schema") is given
    assert load_json_object(str(directory / "schema.json"), "schema") == {"classes": []}
    assert load_json_object(directory / "schema.json", "schema") == {"classes": []}
    assert load_json_object(f"{url}/schema.json", "schema") == {"classes": []}
    with pytest.raises(ValueError, match="no file found"):
        load_json_object(str(directory / "missing.json"), "schema")
    with pytest.raises(ValueError, match="not valid JSON"):
        load_json_object(directory / "broken.json", "schema")
    with pytest.raises(ValueError, match="JSON list, not an object"):
        load_json_object(directory / "list.json", "schema")
    with pytest.raises(UnexpectedStatusCodeException, match="404"):
        load_json_object(f"{url}/missing.json", "schema")
    with pytest.raises(TypeError, match="schema must be a dict"):
        load_json_object(42, "schema")  # type: ignore[arg-type]


# -- against the server ---------------------------------------------------------------------


def test_spec_example_schema_is_created_with_references(client: wvorm.Client) -> None:
    schema = copy.deepcopy(SPEC_SCHEMA)
    client.schema.create(schema)
    assert schema == SPEC_SCHEMA  # the caller's dict is untouched
    assert property_types(client, "Publication") == {
        "name": ["text"],
        "hasArticles": ["Article"],
        "headquartersGeoLocation": ["geoCoordinates"],
    }
    assert property_types(client, "Author") == {
        "name": ["text"],
        "wroteArticles": ["Article"],
        "writesFor": ["Publication"],
    }
    assert client.schema.get("Article")["description"] == SPEC_SCHEMA["classes"][1]["description"]
    assert client.schema.contains(SPEC_SCHEMA)


def test_classes_that_refer_to_each_other(client: wvorm.Client) -> None:
    client.schema.create(
        {
            "classes": [
                {"class": "author", "properties": [{"name": "wrote", "dataType": ["Book"]}]},
                {"class": "book", "properties": [{"name": "writtenBy", "dataType": ["Author"]}]},
            ]
        }
    )
    assert property_types(client, "Author") == {"wrote": ["Book"]}
    assert property_types(client, "Book") == {"writtenBy": ["Author"]}


def test_create_class_with_a_reference_to_itself(client: wvorm.Client) -> None:
    client.schema.create_class(
        {"class": "Person", "properties": [{"name": "knows", "dataType": ["Person"]}]}
    )
    assert property_types(client, "Person") == {"knows": ["Person"]}


def test_create_from_a_file_and_a_url(
    client: wvorm.Client, json_http_server: tuple[str, Path]
) -> None:
    url, directory = json_http_server
    (directory / "schema.json").write_text(json.dumps({"classes": [{"class": "FromFile"}]}))
    (directory / "class.json").write_text(json.dumps({"class": "FromUrl"}))
    client.schema.create(str(directory / "schema.json"))
    client.schema.create_class(f"{url}/class.json")
    assert client.schema.exists("FromFile")
    assert client.schema.exists("FromUrl")


def test_class_keys_pass_through_unchanged(client: wvorm.Client) -> None:
    client.schema.create_class(
        {
            "class": "Passage",
            "description": "named vectors and index settings",
            "vectorConfig": {
                "title_vector": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"}
            },
            "invertedIndexConfig": {"indexTimestamps": True, "bm25": {"b": 0.7, "k1": 1.1}},
            "replicationConfig": {"factor": 1},
            "properties": [{"name": "title", "dataType": ["text"], "tokenization": "field"}],
        }
    )
    passage = client.schema.get("passage")
    assert passage["vectorConfig"]["title_vector"]["vectorIndexType"] == "flat"
    assert passage["invertedIndexConfig"]["indexTimestamps"] is True
    assert passage["invertedIndexConfig"]["bm25"] == {"b": 0.7, "k1": 1.1}
    assert passage["properties"][0]["tokenization"] == "field"


def test_an_invalid_class_sends_nothing(client: wvorm.Client) -> None:
    with pytest.raises(SchemaValidationException, match="'dataType'"):
        client.schema.create(
            {"classes": [{"class": "Good"}, {"class": "Bad", "properties": [{"name": "x"}]}]}
        )
    assert not client.schema.exists("Good")
    with pytest.raises(SchemaValidationException, match="'classes' list"):
        client.schema.create({"class": "NotASchema"})


def test_server_errors_raise_with_its_message(client: wvorm.Client) -> None:
    client.schema.create_class({"class": "Twice"})
    with pytest.raises(UnexpectedStatusCodeException) as raised:
        client.schema.create_class({"class": "Twice"})
    assert raised.value.status_code == 422
    assert "already" in raised.value.error.lower()
    with pytest.raises(UnexpectedStatusCodeException) as missing:
        client.schema.get("DoesNotExist")
    assert missing.value.status_code == 404


def test_get_exists_contains_and_delete(client: wvorm.Client) -> None:
    assert client.schema.get()["classes"] == []
    assert not client.schema.contains()
    client.schema.create_class(
        {"class": "Thing", "properties": [{"name": "name", "dataType": ["text"]}]}
    )
    client.schema.create_class({"class": "Other"})
    assert client.schema.contains()
    assert {c["class"] for c in client.schema.get()["classes"]} == {"Thing", "Other"}
    assert client.schema.get("thing")["class"] == "Thing"
    assert client.schema.exists("thing")
    assert not client.schema.exists("Nothing")
    assert client.schema.contains({"class": "Thing", "properties": [{"name": "name"}]})
    assert not client.schema.contains({"class": "Thing", "properties": [{"name": "age"}]})
    client.schema.delete_class("thing")
    assert not client.schema.exists("Thing")
    assert client.schema.exists("Other")
    client.schema.delete_all()
    assert not client.schema.contains()


def test_update_config_merges_into_the_current_config(client: wvorm.Client) -> None:
    client.schema.create_class({"class": "Tuned", "description": "before", "vectorizer": "none"})
    before = client.schema.get("Tuned")
    config = {"vectorIndexConfig": {"ef": 123}, "description": "after"}
    client.schema.update_config("tuned", config)
    after = client.schema.get("Tuned")
    assert config == {"vectorIndexConfig": {"ef": 123}, "description": "after"}
    assert after["vectorIndexConfig"]["ef"] == 123
    assert after["description"] == "after"
    # everything not named keeps its value
    unchanged = {k: v for k, v in before["vectorIndexConfig"].items() if k != "ef"}
    assert {k: after["vectorIndexConfig"][k] for k in unchanged} == unchanged
    assert after["invertedIndexConfig"] == before["invertedIndexConfig"]
    with pytest.raises(UnexpectedStatusCodeException):  # immutable once the class exists
        client.schema.update_config("Tuned", {"vectorIndexType": "flat"})
    with pytest.raises(TypeError, match="config must be a dict"):
        client.schema.update_config("Tuned", [("ef", 1)])  # type: ignore[arg-type]


def test_property_create(client: wvorm.Client) -> None:
    client.schema.create_class({"class": "Article"})
    client.schema.create_class({"class": "Author"})
    client.schema.property.create("article", {"name": "tags", "dataType": ["text[]"]})
    client.schema.property.create("Article", {"name": "by", "dataType": ["Author"]})
    assert property_types(client, "Article") == {"tags": ["text[]"], "by": ["Author"]}
    with pytest.raises(UnexpectedStatusCodeException):
        client.schema.property.create("Article", {"name": "tags", "dataType": ["int"]})
    with pytest.raises(SchemaValidationException, match="'dataType'"):
        client.schema.property.create("Article", {"name": "untyped"})


def test_shards(client: wvorm.Client) -> None:
    client.schema.create_class({"class": "Sharded"})
    shards = client.schema.get_class_shards("sharded")
    assert len(shards) == 1
    assert shards[0]["status"] == "READY"
    assert client.schema.update_class_shard("Sharded", "READONLY") == [{"status": "READONLY"}]
    assert client.schema.get_class_shards("Sharded")[0]["status"] == "READONLY"
    answer = client.schema.update_class_shard("Sharded", "READY", shards[0]["name"])
    assert answer == {"status": "READY"}
    assert client.schema.get_class_shards("Sharded")[0]["status"] == "READY"
    with pytest.raises(ValueError, match="READONLY"):
        client.schema.update_class_shard("Sharded", "BROKEN")


def test_tenants(client: wvorm.Client) -> None:
    client.schema.create_class({"class": "Shop", "multiTenancyConfig": {"enabled": True}})
    client.schema.add_class_tenants(
        "shop",
        [
            Tenant("alpha"),
            Tenant("beta", TenantActivityStatus.COLD),
            Tenant("gamma", TenantActivityStatus.ACTIVE),
        ],
    )
    client.schema.add_class_tenants("Shop", ["delta"])

    def statuses() -> dict[str, TenantActivityStatus]:
        return {t.name: t.activity_status for t in client.schema.get_class_tenants("Shop")}

    assert statuses() == {
        "alpha": TenantActivityStatus.HOT,
        "beta": TenantActivityStatus.COLD,
        "gamma": TenantActivityStatus.HOT,
        "delta": TenantActivityStatus.HOT,
    }
    assert all(isinstance(t, Tenant) for t in client.schema.get_class_tenants("Shop"))
    client.schema.update_class_tenants(
        "Shop",
        [Tenant("alpha", TenantActivityStatus.INACTIVE), Tenant("beta", TenantActivityStatus.HOT)],
    )
    assert statuses()["alpha"] is TenantActivityStatus.COLD
    assert statuses()["beta"] is TenantActivityStatus.HOT
    client.schema.remove_class_tenants("Shop", ["gamma", "delta"])
    assert set(statuses()) == {"alpha", "beta"}
    with pytest.raises(TypeError, match="tenant names"):
        client.schema.remove_class_tenants("Shop", "alpha")
    with pytest.raises(TypeError, match="Tenant objects"):
        client.schema.add_class_tenants("Shop", [42])  # type: ignore[list-item]
    with pytest.raises(UnexpectedStatusCodeException):
        client.schema.update_class_tenants("Shop", [Tenant("alpha", TenantActivityStatus.FROZEN)])

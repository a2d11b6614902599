"""client.data_object (and .reference) against the real server, plus the pure parameter code."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

import wvorm
from wvorm._inputs import get_valid_uuid, get_vector
from wvorm.data.params import include_param, paging_params, request_params, sort_params
from wvorm.data.replication import ConsistencyLevel, naming_level
from wvorm.errors import ObjectAlreadyExistsException, UnexpectedStatusCodeException
from wvorm.schema import Tenant

UUID_1 = "fc7eb129-f138-457f-b727-1b29db191a67"


@pytest.fixture
def library(client: wvorm.Client) -> wvorm.Client:
    """Author -> Book references, no vectorizer (vectors are given explicitly)."""
    client.schema.create(
        {
            "classes": [
                {
                    "class": "Author",
                    "vectorizer": "none",
                    "properties": [
                        {"name": "name", "dataType": ["text"]},
                        {"name": "age", "dataType": ["int"]},
                        {"name": "wrote", "dataType": ["Book"]},
                    ],
                },
                {
                    "class": "Book",
                    "vectorizer": "none",
                    "properties": [{"name": "title", "dataType": ["text"]}],
                },
            ]
        }
    )
    return client


def beacons(obj: dict[str, Any], prop: str) -> list[str]:
    return [ref["beacon"] for ref in obj["properties"].get(prop) or []]


# -- pure helpers ---------------------------------------------------------------------------


def test_get_valid_uuid_accepts_uuids_and_beacons() -> None:
    assert get_valid_uuid(uuid.UUID(UUID_1)) == UUID_1
    assert get_valid_uuid(UUID_1.upper()) == UUID_1
    assert get_valid_uuid(UUID_1.replace("-", "")) == UUID_1
    assert get_valid_uuid(f"weaviate://localhost/Book/{UUID_1}") == UUID_1
    assert get_valid_uuid(f"http://localhost:8080/v1/objects/{UUID_1}") == UUID_1
    with pytest.raises(ValueError, match="'not-a-uuid' is not a valid uuid"):
        get_valid_uuid("not-a-uuid")
    with pytest.raises(TypeError, match=r"str or uuid\.UUID"):
        get_valid_uuid(42)  # type: ignore[arg-type]


class FakeArray:
    """Duck-types a numpy array of shape (1, n): ``squeeze`` and ``tolist``."""

    def __init__(self, rows: list[list[float]]) -> None:
        self.rows = rows

    def squeeze(self) -> FakeArray:
        return FakeArray(self.rows[0]) if len(self.rows) == 1 else self  # type: ignore[arg-type]

    def tolist(self) -> list[Any]:
        return list(self.rows)


def test_get_vector_turns_arrays_into_lists() -> None:
    vector = [0.1, 0.2]
    assert get_vector(vector) is vector
    assert get_vector((1, 2)) == [1, 2]
    assert get_vector(FakeArray([[0.5, 0.25]])) == [0.5, 0.25]
    with pytest.raises(TypeError, match="A vector must be"):
        get_vector("0.1,0.2")


def test_request_params() -> None:
    assert request_params() == {}
    assert request_params(ConsistencyLevel.ALL, "t1") == {
        "consistency_level": "ALL",
        "tenant": "t1",
    }
    assert request_params(tenant="t1", node_name="node-1") == {
        "tenant": "t1",
        "node_name": "node-1",
    }
    with pytest.raises(ValueError, match="not both"):
        request_params(ConsistencyLevel.ONE, node_name="node-1")
    assert request_params("QUORUM") == {"consistency_level": "QUORUM"}
    with pytest.raises(ValueError, match="consistency_level must be one of"):
        request_params("SOME")
    with pytest.raises(TypeError, match="tenant must be a non-empty str"):
        request_params(tenant="")


def test_include_and_paging_params() -> None:
    assert include_param(None, False) == {}
    assert include_param(["classification"], True) == {"include": "classification,vector"}
    assert include_param(None, True) == {"include": "vector"}
    with pytest.raises(TypeError, match="additional_properties"):
        include_param("vector", False)
    assert paging_params(10, 0, UUID_1) == {"limit": 10, "offset": 0, "after": UUID_1}
    with pytest.raises(ValueError, match="limit must be >= 1"):
        paging_params(0, None, None)
    with pytest.raises(ValueError, match="offset must be >= 0"):
        paging_params(None, -1, None)
    with pytest.raises(TypeError, match="limit must be an int"):
        paging_params(True, None, None)


def test_sort_params_v3_and_path_forms() -> None:
    assert sort_params({"properties": "name"}) == {"sort": "name", "order": "asc"}
    v3 = {"properties": ["a", "b"], "order_asc": [True, False]}
    v3_copy = copy.deepcopy(v3)
    assert sort_params(v3) == {"sort": "a,b", "order": "asc,desc"}
    assert v3 == v3_copy  # v3 changed the caller's dict; wvorm does not
    assert sort_params({"properties": ["a", "b"], "order_asc": False}) == {
        "sort": "a,b",
        "order": "desc,desc",
    }
    assert sort_params({"path": ["name"], "order": "desc"}) == {"sort": "name", "order": "desc"}
    assert sort_params([{"path": ["a"]}, {"path": "b", "order": "desc"}]) == {
        "sort": "a,b",
        "order": "asc,desc",
    }
    with pytest.raises(ValueError, match="one bool per property"):
        sort_params({"properties": ["a", "b"], "order_asc": [True]})
    with pytest.raises(ValueError, match="exactly one property name"):
        sort_params({"path": ["wrote", "Book", "title"]})
    with pytest.raises(ValueError, match="'asc' or 'desc'"):
        sort_params({"path": ["a"], "order": "up"})
    with pytest.raises(TypeError, match="sort must be"):
        sort_params("name")  # type: ignore[arg-type]


# -- against the server ---------------------------------------------------------------------


def test_create_and_get_by_id(library: wvorm.Client) -> None:
    properties = {"name": "Jane", "age": 40}
    vector = [0.1, 0.2, 0.3]
    given = (copy.deepcopy(properties), list(vector))
    object_id = library.data_object.create(properties, "author", vector=vector)
    assert (properties, vector) == given  # the caller's values are untouched
    assert str(uuid.UUID(object_id)) == object_id
    obj = library.data_object.get_by_id(object_id, class_name="Author", with_vector=True)
    assert obj is not None
    assert obj["class"] == "Author"
    assert obj["properties"] == {"name": "Jane", "age": 40}
    assert obj["vector"] == pytest.approx(vector)
    without_vector = library.data_object.get_by_id(object_id, class_name="Author")
    assert without_vector is not None and "vector" not in without_vector
    # the class-less path the server still serves
    assert library.data_object.get_by_id(uuid.UUID(object_id)) is not None


def test_create_with_a_given_uuid_and_duplicate(library: wvorm.Client) -> None:
    assert library.data_object.create({"title": "One"}, "Book", uuid=uuid.UUID(UUID_1)) == UUID_1
    with pytest.raises(ObjectAlreadyExistsException) as raised:
        library.data_object.create({"title": "Two"}, "Book", uuid=UUID_1)
    assert raised.value.status_code == 422
    assert UUID_1 in str(raised.value)
    book = library.data_object.get_by_id(UUID_1, class_name="Book")
    assert book is not None and book["properties"]["title"] == "One"


def test_create_rejects_bad_input_before_sending(library: wvorm.Client) -> None:
    with pytest.raises(ValueError, match="not a valid uuid"):
        library.data_object.create({"title": "x"}, "Book", uuid="1234")
    with pytest.raises(TypeError, match="class name must be a str"):
        library.data_object.create({"title": "x"}, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="data_object must be a dict"):
        library.data_object.create(["x"], "Book")  # type: ignore[arg-type]
    with pytest.raises(UnexpectedStatusCodeException) as raised:
        library.data_object.create({"title": 5}, "Book")
    assert raised.value.status_code == 422
    assert library.data_object.get(class_name="Book")["objects"] == []  # type: ignore[index]


def test_get_by_id_of_a_missing_object_is_none(library: wvorm.Client) -> None:
    assert library.data_object.get_by_id(UUID_1, class_name="Book") is None
    assert library.data_object.get(class_name="NoSuchClass") is None


def test_named_vectors(client: wvorm.Client) -> None:
    client.schema.create_class(
        {
            "class": "Passage",
            "vectorConfig": {"title": {"vectorizer": {"none": {}}, "vectorIndexType": "flat"}},
            "properties": [{"name": "text", "dataType": ["text"]}],
        }
    )
    object_id = client.data_object.create({"text": "a"}, "Passage", vector={"title": [1.0, 0.5]})
    obj = client.data_object.get_by_id(object_id, class_name="Passage", with_vector=True)
    assert obj is not None
    assert obj["vectors"]["title"] == pytest.approx([1.0, 0.5])


def test_update_merges_and_replace_replaces(library: wvorm.Client) -> None:
    object_id = library.data_object.create({"name": "Jane", "age": 40}, "Author", vector=[1, 0])
    library.data_object.update({"age": 41}, "author", object_id)
    obj = library.data_object.get_by_id(object_id, class_name="Author", with_vector=True)
    assert obj is not None
    assert obj["properties"] == {"name": "Jane", "age": 41}
    library.data_object.replace({"name": "Janet"}, "Author", object_id, vector=[0, 1])
    obj = library.data_object.get_by_id(object_id, class_name="Author", with_vector=True)
    assert obj is not None
    assert obj["properties"] == {"name": "Janet"}
    assert obj["vector"] == [0, 1]
    with pytest.raises(UnexpectedStatusCodeException) as raised:
        library.data_object.update({"age": 1}, "Author", UUID_1)
    assert raised.value.status_code == 404


def test_exists_and_delete(library: wvorm.Client) -> None:
    object_id = library.data_object.create({"title": "Gone soon"}, "Book")
    assert library.data_object.exists(object_id, "book")
    assert library.data_object.exists(object_id)
    assert not library.data_object.exists(UUID_1, "Book")
    library.data_object.delete(object_id, "book")
    assert not library.data_object.exists(object_id, "Book")
    library.data_object.delete(object_id, "Book")  # the server: already gone is done
    with pytest.raises(UnexpectedStatusCodeException) as raised:
        library.data_object.delete(object_id)
    assert raised.value.status_code == 404


def test_list_page_and_sort(library: wvorm.Client) -> None:
    names = ["d", "b", "e", "a", "c"]
    ids = {
        name: library.data_object.create({"name": name}, "Author", vector=[1.0, 0.5])
        for name in names
    }

    def listed(**kwargs: Any) -> list[str]:
        page = library.data_object.get(class_name="Author", **kwargs)
        assert page is not None
        return [o["properties"]["name"] for o in page["objects"]]

    assert sorted(listed()) == sorted(names)
    assert listed(sort={"properties": "name"}) == ["a", "b", "c", "d", "e"]
    assert listed(sort={"properties": ["name"], "order_asc": False}, limit=2) == ["e", "d"]
    assert listed(sort={"path": ["name"], "order": "asc"}, offset=1, limit=2) == ["b", "c"]
    assert listed(sort=[{"path": ["name"], "order": "desc"}], limit=1) == ["e"]
    # the cursor pages in uuid order
    by_id = sorted(ids.values())
    after = library.data_object.get(class_name="Author", after=by_id[1], limit=10)
    assert after is not None
    assert [o["id"] for o in after["objects"]] == by_id[2:]
    with_vector = library.data_object.get(class_name="Author", with_vector=True, limit=1)
    assert with_vector is not None and "vector" in with_vector["objects"][0]
    with pytest.raises(TypeError, match="leave them out"):
        library.data_object.get(ids["a"], class_name="Author", limit=1)


def test_validate(library: wvorm.Client) -> None:
    assert library.data_object.validate({"title": "ok"}, "book") == {"error": None, "valid": True}
    assert library.data_object.validate({"title": "ok"}, "Book", uuid=UUID_1)["valid"]
    invalid = library.data_object.validate({"title": 5}, "Book")
    assert invalid["valid"] is False
    assert "title" in invalid["error"][0]["message"]
    unknown = library.data_object.validate({"nope": "x"}, "Book")
    assert unknown["valid"] is False
    assert library.data_object.get(class_name="Book")["objects"] == []  # type: ignore[index]


def test_consistency_level_and_node_name(library: wvorm.Client) -> None:
    object_id = library.data_object.create(
        {"title": "replicated"}, "Book", consistency_level=ConsistencyLevel.ALL
    )
    node = library.cluster.get_nodes_status()[0]["name"]
    obj = library.data_object.get_by_id(object_id, class_name="Book", node_name=node)
    assert obj is not None and obj["properties"]["title"] == "replicated"
    obj = library.data_object.get_by_id(
        object_id, class_name="Book", consistency_level=ConsistencyLevel.ONE
    )
    assert obj is not None and obj["properties"]["title"] == "replicated"
    with pytest.raises(ValueError, match="not both"):
        library.data_object.get_by_id(
            object_id, class_name="Book", node_name=node, consistency_level=ConsistencyLevel.ONE
        )
    assert library.data_object.exists(object_id, "Book", consistency_level=ConsistencyLevel.QUORUM)
    library.data_object.update(
        {"title": "again"}, "Book", object_id, consistency_level=ConsistencyLevel.QUORUM
    )
    library.data_object.delete(object_id, "Book", consistency_level=ConsistencyLevel.ALL)
    assert not library.data_object.exists(object_id, "Book")


def test_tenants(client: wvorm.Client) -> None:
    client.schema.create(
        {
            "classes": [
                {
                    "class": "Note",
                    "multiTenancyConfig": {"enabled": True},
                    "properties": [
                        {"name": "text", "dataType": ["text"]},
                        {"name": "seeAlso", "dataType": ["Note"]},
                    ],
                }
            ]
        }
    )
    client.schema.add_class_tenants("Note", [Tenant("alice"), Tenant("bob")])
    data = client.data_object
    first = data.create({"text": "mine"}, "Note", tenant="alice")
    second = data.create({"text": "also mine"}, "Note", tenant="alice")
    assert data.exists(first, "Note", tenant="alice")
    assert not data.exists(first, "Note", tenant="bob")
    with pytest.raises(UnexpectedStatusCodeException):  # a tenant is required
        data.get_by_id(first, class_name="Note")
    assert data.get_by_id(first, class_name="Note", tenant="bob") is None
    page = data.get(class_name="Note", tenant="alice")
    assert page is not None and len(page["objects"]) == 2
    data.update({"text": "changed"}, "Note", first, tenant="alice")
    data.replace({"text": "replaced"}, "Note", second, tenant="alice")
    data.reference.add(first, "seeAlso", second, "Note", "Note", tenant="alice")
    obj = data.get_by_id(first, class_name="Note", tenant="alice")
    assert obj is not None
    assert obj["properties"]["text"] == "changed"
    assert beacons(obj, "seeAlso") == [f"weaviate://localhost/Note/{second}"]
    data.reference.delete(first, "seeAlso", second, "Note", "Note", tenant="alice")
    data.delete(first, "Note", tenant="alice")
    assert not data.exists(first, "Note", tenant="alice")


def test_references_add_update_delete(library: wvorm.Client) -> None:
    data = library.data_object
    author = data.create({"name": "Jane"}, "Author")
    book_1 = data.create({"title": "One"}, "Book")
    book_2 = data.create({"title": "Two"}, "Book")

    def wrote() -> list[str]:
        obj = data.get_by_id(author, class_name="Author")
        assert obj is not None
        return beacons(obj, "wrote")

    data.reference.add(author, "wrote", book_1, "author", "book")
    assert wrote() == [f"weaviate://localhost/Book/{book_1}"]
    # v3's positional order: from_uuid, from_property_name, to_uuid, from_class, to_class
    data.reference.add(uuid.UUID(author), "wrote", uuid.UUID(book_2), "Author", "Book")
    assert len(wrote()) == 2
    data.reference.delete(author, "wrote", book_1, "Author", "Book")
    assert wrote() == [f"weaviate://localhost/Book/{book_2}"]
    data.reference.update(author, "wrote", [book_1, book_2], "Author", "Book")
    assert wrote() == [
        f"weaviate://localhost/Book/{book_1}",
        f"weaviate://localhost/Book/{book_2}",
    ]
    data.reference.update(author, "wrote", book_1, "Author", ["Book"])
    assert wrote() == [f"weaviate://localhost/Book/{book_1}"]
    data.reference.update(author, "wrote", [], "Author")
    assert wrote() == []
    with pytest.raises(ValueError, match="one class name per uuid"):
        data.reference.update(author, "wrote", [book_1, book_2], "Author", ["Book"])
    with pytest.raises(TypeError, match="from_property_name"):
        data.reference.add(author, None, book_1, "Author", "Book")  # type: ignore[arg-type]
    with pytest.raises(UnexpectedStatusCodeException):
        data.reference.add(author, "noSuchProperty", book_1, "Author", "Book")


def test_replication_failures_name_the_consistency_level() -> None:
    """Weaviate's reason names neither the level asked for nor that the caller chose it."""
    reason = "cannot reach enough replicas: required 3 replicas, got 2"
    assert naming_level(reason, "ALL") == f"at consistency level ALL: {reason}"
    assert naming_level(reason, ConsistencyLevel.QUORUM).startswith("at consistency level QUORUM")
    assert naming_level(reason, None) == reason
    assert naming_level("no such property 'x'", "ALL") == "no such property 'x'"

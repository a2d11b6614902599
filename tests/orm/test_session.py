"""The Session unit of work against the real server: identity map, dirty tracking,
cascade, rollback, partial failure, unloaded-is-not-empty, tenants, delete, merge, get."""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any, Optional, TypeVar, Union
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel
from typing_extensions import assert_type

import wvorm
from tests.orm.test_schema import Address as KitchenAddress
from tests.orm.test_schema import Article, Kitchen, every_type_kitchen
from wvorm.embedded import EmbeddedServer
from wvorm.errors import CommitError, WvormError
from wvorm.orm import (
    NamedVector,
    WeaviateModel,
    create_all,
    model_info,
    state_of,
)
from wvorm.orm._expressions import field_of
from wvorm.orm._models import from_properties, to_properties
from wvorm.orm._session import Session
from wvorm.orm._state import mark_loaded
from wvorm.orm._unitofwork import ReferenceChange
from wvorm.plan import Condition, SearchPlan
from wvorm.schema.tenants import Tenant
from wvorm.transport import GraphQLTransport, GrpcTransport

# -- models at module level: forward references and cycles resolve against globals --


class Address(BaseModel):
    city: str
    street: str = ""


class SPublication(WeaviateModel, vectorizer="none"):
    name: str


class SArticle(WeaviateModel, vectorizer="none"):
    title: str
    word_count: int = 0
    tags: list[str] = []
    by: list[SAuthor] = []  # the reference back to the author


class SAuthor(WeaviateModel, vectorizer="none"):
    name: str
    age: Optional[int] = None
    bio: str = ""
    address: Optional[Address] = None
    wrote: list[SArticle] = []
    writes_for: Optional[SPublication] = None
    favourites: list[Union[SArticle, SPublication]] = []  # multi-target


class SImage(WeaviateModel, vectors={"look": NamedVector(), "caption": NamedVector()}):
    caption: str


class SNote(WeaviateModel, vectorizer="none", multi_tenancy=True):
    text: str
    stars: int = 0


MODELS: list[type[WeaviateModel]] = [SPublication, SArticle, SAuthor]


@pytest.fixture
def schema(client: wvorm.Client) -> wvorm.Client:
    create_all(client, MODELS)
    return client


@pytest.fixture
def updates(schema: wvorm.Client, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The property payloads of every PATCH (client.data_object.update), still sent."""
    sent: list[dict[str, Any]] = []
    original = schema.data_object.update

    def spy(data_object: Any, class_name: str, uuid: Any, *args: Any, **kwargs: Any) -> None:
        sent.append({"class": class_name, "id": str(uuid), "properties": dict(data_object)})
        original(data_object, class_name, uuid, *args, **kwargs)

    monkeypatch.setattr(schema.data_object, "update", spy)
    return sent


def stored(client: wvorm.Client, model: type[WeaviateModel], uuid: Any, **kw: Any) -> Any:
    """The server's object (properties with beacons), or None."""
    data = client.data_object.get_by_id(uuid, class_name=model.__name__, **kw)
    return None if data is None else data["properties"]


def beacon_ids(properties: dict[str, Any], name: str) -> list[str]:
    return [b["beacon"].rsplit("/", 1)[-1] for b in properties.get(name) or []]


def beacon_classes(properties: dict[str, Any], name: str) -> list[str]:
    return [b["beacon"].split("/")[-2] for b in properties.get(name) or []]


def saved_author(client: wvorm.Client, **fields: Any) -> SAuthor:
    """An author with two articles, committed by a session of its own."""
    author = SAuthor(name="Jane", bio="writes", age=40, **fields)
    author.wrote = [SArticle(title="One", by=[author]), SArticle(title="Two", by=[author])]
    with Session(client) as session:
        session.add(author)
        session.commit()
    return author


# -- identity map ----------------------------------------------------------------------


def test_one_uuid_is_one_python_object_per_session(schema: wvorm.Client) -> None:
    author = saved_author(schema)
    with Session(schema) as session:
        first = session.get(SAuthor, author.id)
        assert first is not None and first is not author  # another session's object
        assert session.get(SAuthor, str(author.id)) is first
        assert session.get(SArticle, author.id) is None  # another class, no such object
        assert first in session and author not in session

        with pytest.raises(WvormError, match="already in this session"):
            session.add(SAuthor(id=author.id, name="impostor"))

        # an object the query layer loads again is the same Python object
        fresh = from_properties(SAuthor, {"name": "server value"}, uuid=author.id)
        first.name = "local change"
        assert session._adopt(fresh) is first
        assert first.name == "local change"  # local state wins, as in SQLAlchemy
        session._adopt(fresh, populate_existing=True)
        assert first.name == "server value"

    with Session(schema) as session:
        new = SAuthor(name="New")
        session.add(new)
        assert session.get(SAuthor, new.id) is new  # pending objects are found too


def test_adopt_fills_what_was_not_loaded_and_keeps_local_changes(schema: wvorm.Client) -> None:
    author = saved_author(schema)
    with Session(schema) as session:
        held = (
            session.query(SAuthor)
            .select(SAuthor.name, SAuthor.age, SAuthor.bio)
            .where(SAuthor.id == author.id)
            .one()
        )
        assert not state_of(held).is_loaded("wrote")
        # a later load with the references (as a query with include() would give)
        fresh = from_properties(SAuthor, stored(schema, SAuthor, author.id), uuid=author.id)
        articles = [
            from_properties(SArticle, stored(schema, SArticle, a.id), uuid=a.id)
            for a in author.wrote
        ]
        fresh.wrote = articles
        mark_loaded(fresh)
        held.name = "changed here"
        assert session._adopt(fresh) is held
        assert [a.id for a in held.wrote] == [a.id for a in author.wrote]
        assert held.wrote[0] is session.get(SArticle, author.wrote[0].id)  # adopted too
        assert held.name == "changed here" and session.dirty == [held]


def test_query_results_join_the_identity_map(schema: wvorm.Client) -> None:
    author = saved_author(schema)
    with Session(schema) as session:
        held = session.get(SAuthor, author.id)
        assert held is not None
        held.name = "changed locally"
        (loaded,) = session.query(SAuthor).all()
        assert loaded is held and loaded.name == "changed locally"

        # included references join it too, and fill the fields it had not loaded
        (again,) = session.query(SAuthor).include(field_of(SAuthor, "wrote")).all()  # type: ignore[arg-type]
        assert again is held and state_of(held).is_loaded("wrote")
        assert [a.id for a in held.wrote] == [a.id for a in author.wrote]
        assert held.wrote[0] is session.get(SArticle, author.wrote[0].id)
        articles = session.query(SArticle).all()
        assert {id(a) for a in articles} == {id(a) for a in held.wrote}
        assert session.dirty == [held]  # only the local change: the loaded references are clean


# -- dirty tracking --------------------------------------------------------------------


def test_only_changed_properties_are_sent(
    schema: wvorm.Client, updates: list[dict[str, Any]]
) -> None:
    author = saved_author(schema)
    with Session(schema) as session:
        loaded = session.get(SAuthor, author.id)
        assert loaded is not None
        session.commit()
        assert updates == []  # nothing changed, nothing sent

        loaded.name = "Jane Doe"
        loaded.age = None  # cleared on the server
        # meanwhile, someone else changes another property on the server
        with wvorm.Client(schema.url) as someone_else:
            someone_else.data_object.update({"bio": "changed elsewhere"}, "SAuthor", author.id)
        assert session.dirty == [loaded]
        session.commit()
        assert session.dirty == []

    assert updates == [
        {"class": "SAuthor", "id": str(author.id), "properties": {"name": "Jane Doe", "age": None}}
    ]
    on_server = stored(schema, SAuthor, author.id)
    assert on_server["name"] == "Jane Doe" and "age" not in on_server
    assert on_server["bio"] == "changed elsewhere"  # not overwritten by a stale value
    assert sorted(beacon_ids(on_server, "wrote")) == sorted(str(a.id) for a in author.wrote)


def test_in_place_changes_to_lists_and_nested_objects_are_seen(
    schema: wvorm.Client, updates: list[dict[str, Any]]
) -> None:
    author = saved_author(schema, address=Address(city="Oslo"))
    article = author.wrote[0]
    with Session(schema) as session:
        session.add(author)  # attaches the objects saved by another session
        article.tags.append("new")
        assert author.address is not None
        author.address.street = "Main"
        session.commit()
    assert sorted(u["id"] for u in updates) == sorted([str(article.id), str(author.id)])
    assert stored(schema, SArticle, article.id)["tags"] == ["new"]
    assert stored(schema, SAuthor, author.id)["address"] == {"city": "Oslo", "street": "Main"}


# -- cascade -----------------------------------------------------------------------------


def test_add_cascades_and_commit_writes_references_both_ways(schema: wvorm.Client) -> None:
    paper = SPublication(name="Daily")
    jane = SAuthor(name="Jane", writes_for=paper)
    one, two = SArticle(title="One", by=[jane]), SArticle(title="Two", by=[jane])
    jane.wrote = [one, two]
    jane.favourites = [two, paper]
    with Session(schema) as session:
        session.add(jane)
        assert {id(o) for o in session.new} == {id(jane), id(one), id(two), id(paper)}
        session.commit()
        assert session.new == [] and session.dirty == []

        author = stored(schema, SAuthor, jane.id)
        assert beacon_ids(author, "wrote") == [str(one.id), str(two.id)]
        assert beacon_ids(author, "writes_for") == [str(paper.id)]
        assert beacon_ids(author, "favourites") == [str(two.id), str(paper.id)]
        assert beacon_classes(author, "favourites") == ["SArticle", "SPublication"]
        for article in (one, two):
            assert beacon_ids(stored(schema, SArticle, article.id), "by") == [str(jane.id)]
        assert stored(schema, SPublication, paper.id) == {"name": "Daily"}

        # a new object appended later is found at commit, without add()
        three = SArticle(title="Three", by=[jane])
        jane.wrote.append(three)
        session.commit()
        assert three in session
        author = stored(schema, SAuthor, jane.id)
        assert beacon_ids(author, "wrote") == [str(one.id), str(two.id), str(three.id)]
        assert beacon_ids(stored(schema, SArticle, three.id), "by") == [str(jane.id)]


def test_loaded_reference_lists_are_diffed(schema: wvorm.Client) -> None:
    author = saved_author(schema)
    two = author.wrote[1]
    with Session(schema) as session:
        session.add(author)
        extra = SArticle(title="Extra")
        author.wrote = [two, extra, extra]  # one removed, a new one added twice
        author.writes_for = SPublication(name="Weekly")
        session.commit()
        on_server = stored(schema, SAuthor, author.id)
        assert beacon_ids(on_server, "wrote") == [str(two.id), str(extra.id), str(extra.id)]
        assert beacon_ids(on_server, "writes_for") == [str(author.writes_for.id)]

        author.wrote = [two, extra]  # one copy of a duplicate removed
        author.writes_for = None
        session.commit()
        on_server = stored(schema, SAuthor, author.id)
        assert sorted(beacon_ids(on_server, "wrote")) == sorted([str(two.id), str(extra.id)])
        assert beacon_ids(on_server, "writes_for") == []


def test_wrong_reference_types_fail_before_anything_is_written(schema: wvorm.Client) -> None:
    with Session(schema) as session:
        author = SAuthor(name="x")
        with pytest.raises(TypeError, match=r"SAuthor\.wrote holds a SPublication"):
            author.wrote = [SPublication(name="not an article")]  # type: ignore[list-item]
            session.add(author)
        author.wrote = []
        session.add(author)
        author.writes_for = [SPublication(name="a"), SPublication(name="b")]  # type: ignore[assignment]
        with pytest.raises(TypeError, match="single reference"):
            session.commit()
        assert schema.data_object.get(class_name="SAuthor")["objects"] == []  # type: ignore[index]


def test_an_id_changed_after_add_is_refused(schema: wvorm.Client) -> None:
    with Session(schema) as session:
        author = SAuthor(name="x")
        session.add(author)
        author.id = uuid4()
        with pytest.raises(WvormError, match="id changed"):
            session.commit()


# -- rollback ----------------------------------------------------------------------------


def test_rollback_discards_pending_work_and_restores_loaded_values(
    schema: wvorm.Client, updates: list[dict[str, Any]]
) -> None:
    author = saved_author(schema, address=Address(city="Oslo"))
    one, two = author.wrote
    with Session(schema) as session:
        session.add(author)
        newcomer = SArticle(title="new")
        session.add(newcomer)
        session.delete(two)
        author.name = "changed"
        author.age = None
        assert author.address is not None
        author.address.city = "Bergen"
        author.wrote.remove(one)
        author.writes_for = SPublication(name="cascaded at commit only")

        session.rollback()
        assert session.new == [] and session.deleted == [] and session.dirty == []
        assert newcomer not in session and two in session
        assert author.model_dump(include={"name", "age", "address"}) == {
            "name": "Jane",
            "age": 40,
            "address": {"city": "Oslo", "street": ""},
        }
        assert author.wrote == [one, two] and author.wrote[0] is one
        assert author.__dict__["writes_for"] is None  # (mypy narrowed the attribute)
        session.commit()
    assert updates == []
    assert stored(schema, SArticle, two.id) is not None
    assert stored(schema, SArticle, newcomer.id) is None


def test_an_exception_in_the_with_block_rolls_back(schema: wvorm.Client) -> None:
    author = saved_author(schema)
    with pytest.raises(RuntimeError), Session(schema) as session:
        session.add(author)
        author.name = "never saved"
        raise RuntimeError("boom")
    assert author.name == "Jane"


# -- partial failure ---------------------------------------------------------------------


def test_rejected_objects_stay_pending_and_the_rest_is_committed(schema: wvorm.Client) -> None:
    first = SArticle(title="sets the dimension")
    state_of(first).vector = [1.0, 0.0, 0.0]
    with Session(schema) as session:
        session.add(first)
        session.commit()

        good = [SArticle(title=f"good {i}") for i in range(3)]
        bad = [SArticle(title=f"bad {i}") for i in range(2)]
        for article in good:
            state_of(article).vector = [0.0, 1.0, 0.0]
        for article in bad:
            state_of(article).vector = [1.0, 1.0]  # the wrong dimension
        author = SAuthor(name="A", wrote=[good[0], bad[0]], favourites=[bad[1]])
        for article in good + bad:
            article.by = [author]
        session.add_all([author, *good])  # good[1:] are not reachable from the author

        with pytest.raises(CommitError) as raised:
            session.commit()
        failures = raised.value.failures
        rejected = [item for item, _ in failures if isinstance(item, WeaviateModel)]
        assert {id(o) for o in rejected} == {id(o) for o in bad}
        reasons = [reason for item, reason in failures if isinstance(item, WeaviateModel)]
        assert all("vector" in reason and "length" in reason for reason in reasons), reasons
        held_back = {repr(item) for item, _ in failures if isinstance(item, ReferenceChange)}
        assert held_back == {
            f"<reference SAuthor({author.id}).wrote += SArticle({bad[0].id})>",
            f"<reference SAuthor({author.id}).favourites += SArticle({bad[1].id})>",
        }
        assert "held back" in str(raised.value)

        # the rest is written and clean; the rejected stay pending
        assert {id(o) for o in session.new} == {id(o) for o in bad}
        assert session.dirty == [author]  # its two held-back references
        on_server = stored(schema, SAuthor, author.id)
        assert beacon_ids(on_server, "wrote") == [str(good[0].id)]
        assert beacon_ids(on_server, "favourites") == []
        for article in good:
            assert beacon_ids(stored(schema, SArticle, article.id), "by") == [str(author.id)]
        for article in bad:
            assert stored(schema, SArticle, article.id) is None  # no reference into the void

        for article in bad:  # fix, and commit again
            state_of(article).vector = [0.0, 0.0, 1.0]
        session.commit()
        assert session.new == [] and session.dirty == []
    on_server = stored(schema, SAuthor, author.id)
    assert beacon_ids(on_server, "wrote") == [str(good[0].id), str(bad[0].id)]
    assert beacon_ids(on_server, "favourites") == [str(bad[1].id)]
    for article in bad:
        assert beacon_ids(stored(schema, SArticle, article.id), "by") == [str(author.id)]


def test_a_rejected_patch_keeps_the_object_dirty(schema: wvorm.Client) -> None:
    kept, gone = saved_author(schema), SAuthor(name="gone")
    with Session(schema) as session:
        session.add_all([kept, gone])
        session.commit()
        schema.data_object.delete(gone.id, class_name="SAuthor")  # behind the session's back
        kept.name, gone.name = "kept", "lost?"
        with pytest.raises(CommitError) as raised:
            session.commit()
        ((item, reason),) = raised.value.failures
        assert item is gone and "404" in reason
        assert session.dirty == [gone]
        assert stored(schema, SAuthor, kept.id)["name"] == "kept"


def test_rejected_reference_changes_stay_pending(schema: wvorm.Client) -> None:
    author = saved_author(schema)
    one, two = author.wrote
    with Session(schema) as session:
        session.add(author)
        schema.data_object.delete(author.id, class_name="SAuthor")  # behind the session's back
        paper = SPublication(name="Paper")
        author.wrote = [two]  # a beacon removed
        author.writes_for = paper  # a single reference replaced
        with pytest.raises(CommitError) as raised:
            session.commit()
        assert {repr(item) for item, _ in raised.value.failures} == {
            f"<reference SAuthor({author.id}).wrote -= SArticle({one.id})>",
            f"<reference SAuthor({author.id}).writes_for = SPublication({paper.id})>",
        }
        assert session.new == [] and stored(schema, SPublication, paper.id) is not None
        assert session.dirty == [author]  # both changes still pending

        schema.data_object.create({"name": "Jane"}, "SAuthor", author.id, vector=None)
        schema.data_object.reference.add(author.id, "wrote", one.id, "SAuthor", "SArticle")
        session.commit()
        assert session.dirty == []
    on_server = stored(schema, SAuthor, author.id)
    assert beacon_ids(on_server, "wrote") == []  # the removal was sent again
    assert beacon_ids(on_server, "writes_for") == [str(paper.id)]


# -- unloaded is not empty ---------------------------------------------------------------


def test_saving_an_object_read_without_references_keeps_them(schema: wvorm.Client) -> None:
    author = saved_author(schema)
    with Session(schema) as session:
        loaded = session.get(SAuthor, author.id)
        # Session.get loads references as stubs (ids only): appending keeps the others
        assert loaded is not None and [a.id for a in loaded.wrote] == [a.id for a in author.wrote]
        assert not state_of(loaded.wrote[0]).is_loaded("title")
        loaded.name = "renamed"
        extra = SArticle(title="appended to an unloaded list")
        loaded.wrote.append(extra)
        session.commit()
    on_server = stored(schema, SAuthor, author.id)
    assert on_server["name"] == "renamed"
    assert beacon_ids(on_server, "wrote") == [str(a.id) for a in author.wrote] + [str(extra.id)]


def test_saving_an_object_read_with_some_properties_keeps_the_others(
    schema: wvorm.Client, updates: list[dict[str, Any]]
) -> None:
    author = saved_author(schema, address=Address(city="Oslo"))
    # what loading.py builds for .select(SAuthor.name): the other fields unloaded
    partial = from_properties(SAuthor, {"name": "Jane"}, uuid=author.id, fields=["name"])
    assert "bio" not in partial.__dict__ and "age" not in partial.__dict__  # unloaded
    with Session(schema) as session:
        session.add(partial)
        assert session.new == []  # loaded: attached as persistent
        partial.name = "Jane Partial"
        session.commit()
    assert [u["properties"] for u in updates] == [{"name": "Jane Partial"}]
    on_server = stored(schema, SAuthor, author.id)
    assert (on_server["bio"], on_server["age"]) == ("writes", 40)
    assert on_server["address"] == {"city": "Oslo", "street": ""}
    assert len(beacon_ids(on_server, "wrote")) == 2


def test_a_subset_selected_through_the_query_dsl_keeps_the_rest(schema: wvorm.Client) -> None:
    author = saved_author(schema)
    with Session(schema) as session:
        (loaded,) = session.query(SAuthor).select(field_of(SAuthor, "name")).all()  # type: ignore[arg-type]
        assert not state_of(loaded).is_loaded("bio")
        with pytest.raises(wvorm.UnloadedFieldError):
            _ = loaded.bio  # regression (issue 7, case 8): never the default ""
        loaded.name = "selected"
        session.commit()
    on_server = stored(schema, SAuthor, author.id)
    assert (on_server["name"], on_server["bio"], on_server["age"]) == ("selected", "writes", 40)
    assert len(beacon_ids(on_server, "wrote")) == 2


# -- tenants -----------------------------------------------------------------------------


class SKeyedNote(WeaviateModel, vectorizer="none", multi_tenancy=True, natural_key="text"):
    text: str


def test_a_tenant_that_does_not_exist_holds_nothing_to_look_up(client: wvorm.Client) -> None:
    # Regression: the existence look-up failed with "tenant not found", so every insert
    # with a natural key (or an explicit id) into a new tenant was refused, even where
    # autoTenantCreation would have made the tenant
    create_all(client, [SKeyedNote])
    note = SKeyedNote(text="x")
    with Session(client, tenant="nobody") as session:  # no auto-creation: the server says so
        session.add(note)
        with pytest.raises(CommitError, match="tenant not found") as raised:
            session.commit()
        assert "could not be checked" not in str(raised.value)
        session.expunge(note)
    config = {"enabled": True, "autoTenantCreation": True}
    client.schema.update_config("SKeyedNote", {"multiTenancyConfig": config})
    with Session(client, tenant="fresh") as session:
        session.add(SKeyedNote(text="x"))
        session.commit()
    assert stored(client, SKeyedNote, note.id, tenant="fresh") == {"text": "x"}


@pytest.fixture
def tenants(client: wvorm.Client) -> wvorm.Client:
    create_all(client, [SNote])
    client.schema.add_class_tenants("SNote", [Tenant(name="a"), Tenant(name="b")])
    return client


def test_a_tenant_session_writes_reads_and_deletes_in_its_tenant(tenants: wvorm.Client) -> None:
    note = SNote(text="for a")
    with Session(tenants, tenant="a") as session:
        session.add(note)
        session.commit()
    assert stored(tenants, SNote, note.id, tenant="a") == {"text": "for a", "stars": 0}
    assert stored(tenants, SNote, note.id, tenant="b") is None

    with Session(tenants, tenant="a") as session:
        loaded = session.get(SNote, note.id)
        assert loaded is not None and loaded.text == "for a"
        loaded.stars = 5
        session.commit()
        assert stored(tenants, SNote, note.id, tenant="a")["stars"] == 5
        session.delete(loaded)
        session.commit()
    assert stored(tenants, SNote, note.id, tenant="a") is None

    with Session(tenants, tenant="b") as session:
        assert session.get(SNote, note.id) is None


def test_a_session_without_the_tenant_is_rejected_per_object(tenants: wvorm.Client) -> None:
    with Session(tenants) as session:
        note = SNote(text="no tenant")
        session.add(note)
        with pytest.raises(CommitError, match="tenant"):
            session.commit()
        assert session.new == [note]


# -- delete ----------------------------------------------------------------------------


def test_delete(schema: wvorm.Client) -> None:
    author = saved_author(schema)
    one, two = author.wrote
    with Session(schema) as session:
        session.add(author)
        session.delete(one)
        assert session.deleted == [one]
        session.commit()
        assert one not in session and session.deleted == []
        assert stored(schema, SArticle, one.id) is None
        assert stored(schema, SArticle, two.id) is not None
        assert session.get(SArticle, one.id) is None

        never_saved = SArticle(title="pending")
        session.add(never_saved)
        session.delete(never_saved)  # it was never written: it just leaves the session
        assert never_saved not in session and session.new == []
        with pytest.raises(WvormError, match="never saved"):
            session.delete(SArticle(title="transient"))

        session.add(one)  # a deleted object added again is inserted anew
        assert session.new == [one]
        session.commit()
        assert stored(schema, SArticle, one.id) is not None


def test_delete_many_in_batches(schema: wvorm.Client) -> None:
    articles = [SArticle(title=f"a{i}") for i in range(30)]
    with Session(schema, batch_size=7) as session:
        session.add_all(articles)
        session.commit()
        for article in articles[:25]:
            session.delete(article)
        session.commit()
    remaining = schema.data_object.get(class_name="SArticle", limit=100)["objects"]  # type: ignore[index]
    assert sorted(o["id"] for o in remaining) == sorted(str(a.id) for a in articles[25:])


# -- merge and get ---------------------------------------------------------------------


def test_merge_copies_into_the_sessions_object(
    schema: wvorm.Client, updates: list[dict[str, Any]]
) -> None:
    author = saved_author(schema)
    detached = copy.copy(author)
    detached.name = "merged"
    with Session(schema) as session:
        held = session.get(SAuthor, author.id)
        merged = session.merge(detached)
        assert merged is held and detached not in session
        assert merged.name == "merged"
        assert [a.id for a in merged.wrote] == [a.id for a in author.wrote]
        assert all(a in session for a in merged.wrote)
        assert merged.wrote[0].by[0] is merged  # the cycle closes on the session's object
        session.commit()
    assert [u["properties"] for u in updates] == [{"name": "merged"}]
    assert stored(schema, SAuthor, author.id)["name"] == "merged"


def test_merge_of_unsaved_objects_loads_or_inserts(
    schema: wvorm.Client, updates: list[dict[str, Any]]
) -> None:
    author = saved_author(schema)
    # a never-saved object carrying an existing uuid updates that object
    same = SAuthor(id=author.id, name="Jane", bio="new bio")  # age, address, wrote: not set
    brand_new = SAuthor(name="Brand new")
    with Session(schema) as session:
        merged = session.merge(same)
        assert merged is not same and merged is session.get(SAuthor, author.id)
        created = session.merge(brand_new)
        assert created is not brand_new and session.new == [created]
        session.commit()
    assert [u["properties"] for u in updates] == [{"bio": "new bio"}]
    on_server = stored(schema, SAuthor, author.id)
    assert (on_server["bio"], on_server["age"]) == ("new bio", 40)  # age: its default not sent
    assert len(beacon_ids(on_server, "wrote")) == 2
    assert stored(schema, SAuthor, brand_new.id)["name"] == "Brand new"


def test_merging_the_stored_graph_again_writes_nothing(schema: wvorm.Client) -> None:
    """The re-run of an import with natural keys: merging never-saved objects equal to
    the stored ones (references both ways, a vector that float32 rounds) writes
    nothing. Regression: the articles reached through the author's references were
    held as stubs, so every merged value counted as changed (a PATCH and a reference
    replace per article), and the vector, read back in float32, differed from 1/3."""

    def graph() -> SAuthor:
        author = SAuthor(id=UUID(int=7), name="Jane", bio="writes", age=40)
        state_of(author).vector = [1 / 3, 0.1]
        author.wrote = [
            SArticle(id=UUID(int=8 + i), title=f"A{i}", tags=["x"], by=[author]) for i in range(2)
        ]
        return author

    with Session(schema) as session:
        session.add(graph())
        session.commit()
    before = stored_times(schema)
    with Session(schema) as session:
        session.merge(graph())
        assert session.dirty == [] and session.new == []
        session.commit(progress=lambda p: pytest.fail(f"wrote {p}"))
    assert stored_times(schema) == before


def stored_times(client: wvorm.Client) -> dict[str, int]:
    """uuid -> lastUpdateTimeUnix of every stored SAuthor and SArticle."""
    times = {}
    for name in ("SAuthor", "SArticle"):
        for obj in objects_of(client, name):
            times[obj["id"]] = obj["lastUpdateTimeUnix"]
    return times


def test_a_vector_equal_in_float32_is_not_a_change(schema: wvorm.Client) -> None:
    """The server stores float32: a vector set to what it holds, given in float64,
    writes nothing; a change below float32's precision neither."""
    article = SArticle(title="v")
    state_of(article).vector = [1 / 3, 0.1]
    with Session(schema) as session:
        session.add(article)
        session.commit()
    with Session(schema) as session:
        held = session.get(SArticle, article.id)
        assert held is not None and state_of(held).vector == [0.33333334, 0.1]  # float32
        state_of(held).vector = [1 / 3, 0.1]
        assert session.dirty == []
        state_of(held).vector = [1 / 3 + 1e-12, 0.1]
        assert session.dirty == []
        state_of(held).vector = [0.5, 0.1]
        assert session.dirty == [held]


def test_get_reads_properties_and_vector(schema: wvorm.Client) -> None:
    article = SArticle(title="with vector", word_count=3, tags=["x"])
    state_of(article).vector = [0.5, 0.25, 0.125]
    with Session(schema) as session:
        session.add(article)
        session.commit()
    with Session(schema) as session:
        loaded = session.get(SArticle, article.id)
        assert_type(loaded, Optional[SArticle])
        assert_type(session.merge(article), SArticle)
        assert_type(session.query(SArticle).all(), list[SArticle])
        assert loaded is not None and loaded == SArticle(
            id=article.id, title="with vector", word_count=3, tags=["x"]
        )
        assert state_of(loaded).vector == [0.5, 0.25, 0.125]
        assert session.get(SArticle, uuid4()) is None
        with pytest.raises(ValueError, match="not a uuid"):
            session.get(SArticle, "nope")


# -- the session's own settings ----------------------------------------------------------


def test_session_arguments_are_checked(client: wvorm.Client) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        Session(client, batch_size=0)
    with pytest.raises(ValueError, match="consistency_level"):
        Session(client, consistency_level="SOME")
    with pytest.raises(TypeError, match="tenant"):
        Session(client, tenant="")
    with pytest.raises(TypeError, match="WeaviateModel"):
        Session(client).add({"name": "a dict"})  # type: ignore[arg-type]


def test_the_users_batch_is_left_alone(schema: wvorm.Client) -> None:
    schema.batch.configure(batch_size=5, num_workers=1)
    with Session(schema, batch_size=50, num_workers=2, consistency_level="ONE") as session:
        session.add_all([SArticle(title=str(i)) for i in range(20)])
        session.commit()
    assert (schema.batch.batch_size, schema.batch.num_workers) == (5, 1)
    assert schema.batch.consistency_level is None and schema.batch.failed_objects == []


def objects_of(client: wvorm.Client, name: str) -> Iterator[dict[str, Any]]:
    yield from client.data_object.get(class_name=name, limit=1000)["objects"]  # type: ignore[index]


def test_commit_writes_a_thousand_objects_with_references(schema: wvorm.Client) -> None:
    authors = [SAuthor(name=f"author {i}") for i in range(100)]
    articles = []
    for i in range(900):
        author = authors[i % 100]
        article = SArticle(title=f"article {i}", word_count=i, by=[author])
        author.wrote.append(article)
        articles.append(article)
    with Session(schema) as session:
        session.add_all(authors)
        assert len(session.new) == 1000
        session.commit()
    assert sum(1 for _ in objects_of(schema, "SAuthor")) == 100
    assert sum(1 for _ in objects_of(schema, "SArticle")) == 900
    sample = stored(schema, SAuthor, authors[7].id)
    assert beacon_ids(sample, "wrote") == [str(a.id) for a in authors[7].wrote]


def test_named_vectors_are_written(client: wvorm.Client) -> None:
    create_all(client, [SImage])
    image = SImage(caption="a cat")
    state_of(image).vectors = {"look": [0.1, 0.2], "caption": [0.3, 0.4, 0.5]}
    with Session(client) as session:
        session.add(image)
        session.commit()
    data = client.data_object.get_by_id(image.id, class_name="SImage", with_vector=True)
    assert data is not None and data["vectors"] == {
        "look": pytest.approx([0.1, 0.2]),
        "caption": pytest.approx([0.3, 0.4, 0.5]),
    }


def test_closing_with_unflushed_work_warns(
    schema: wvorm.Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="wvorm.orm.session"), Session(schema) as session:
        session.add(SArticle(title="forgotten"))
    assert "1 unflushed new" in caplog.text


# -- issue 7: the ORM keeps faith with the data (one regression test per reported case) --


class FDoc(WeaviateModel, vectorizer="none", vector_dimensions=3):
    title: str
    labels: list[str] = []
    big: int = 0
    tags: list[FTag] = []


class FTag(WeaviateModel, vectorizer="none", natural_key="name"):
    name: str
    note: str = ""


class FLook(WeaviateModel, vectors={"look": NamedVector(dimensions=2)}):
    caption: str


@pytest.fixture
def fidelity(client: wvorm.Client) -> wvorm.Client:
    create_all(client, [FTag, FDoc, FLook])
    return client


def saved_doc(client: wvorm.Client) -> FDoc:
    doc = FDoc(title="d", labels=["l1", "all"], tags=[FTag(name="alpha"), FTag(name="beta")])
    state_of(doc).vector = [1.0, 0.0, 0.0]
    with Session(client) as session:
        session.add(doc)
        session.commit()
    return doc


def test_case_1_ints_beyond_32_bits_are_exact_on_both_transports(fidelity: wvorm.Client) -> None:
    # Weaviate's GraphQL answers null for them: a GraphQL client reads them again over
    # REST, so it writes them as a gRPC client does (REST writes are exact to 2**53)
    extremes = [2**53, -(2**53), 3_000_000_000]
    with Session(fidelity) as session:
        session.add_all([FDoc(title=str(v), big=v) for v in extremes])
        session.commit()
    docs = FDoc.query.using(fidelity).where(FDoc.big > 2**31).all()
    assert sorted(d.big for d in docs) == [3_000_000_000, 2**53]
    assert {d.title: d.big for d in FDoc.query.using(fidelity).all()} == {
        str(v): v for v in extremes
    }
    with Session(fidelity) as session:
        session.add(FDoc(title="over", big=2**53 + 1))
        with pytest.raises(CommitError, match="2\\*\\*53"):
            session.commit()
    # a value another writer stored reads back exactly, never as null or 0, and a
    # change of another field leaves it alone
    doc_id = fidelity.data_object.create({"title": "rest", "big": 3_000_000_001}, "FDoc")
    loaded = FDoc.query.using(fidelity).get(doc_id)
    assert loaded is not None and loaded.big == 3_000_000_001
    with Session(fidelity) as session:
        held = session.get(FDoc, doc_id)
        assert held is not None and held.big == 3_000_000_001
        held.title = "renamed"
        session.commit()
    after = stored(fidelity, FDoc, doc_id)
    assert (after["title"], after["big"]) == ("renamed", 3_000_000_001)


def test_case_2_vector_changes_are_dirty_and_committed(fidelity: wvorm.Client) -> None:
    doc = saved_doc(fidelity)
    look = FLook(caption="c")
    state_of(look).vectors["look"] = [1.0, 0.0]
    with Session(fidelity) as session:
        session.add(look)
        session.commit()
    with Session(fidelity) as session:
        held = session.get(FDoc, doc.id)
        held_look = session.get(FLook, look.id)
        assert held is not None and held_look is not None and session.dirty == []
        state_of(held).vector = [0.0, 1.0, 0.0]
        state_of(held_look).vectors["look"] = [0.0, 1.0]
        assert set(map(id, session.dirty)) == {id(held), id(held_look)}
        session.commit()
        assert session.dirty == []
    data = fidelity.data_object.get_by_id(doc.id, class_name="FDoc", with_vector=True)
    assert data is not None and data["vector"] == [0.0, 1.0, 0.0]
    data = fidelity.data_object.get_by_id(look.id, class_name="FLook", with_vector=True)
    assert data is not None and data["vectors"]["look"] == [0.0, 1.0]


def test_case_3_an_unloaded_list_cannot_be_appended_to(fidelity: wvorm.Client) -> None:
    doc = saved_doc(fidelity)
    with Session(fidelity) as session:
        (partial,) = session.query(FDoc).select(FDoc.title).all()
        with pytest.raises(wvorm.UnloadedFieldError, match="labels was not loaded"):
            partial.labels.append("x")
        session.commit()
    assert stored(fidelity, FDoc, doc.id)["labels"] == ["l1", "all"]


def test_case_4_add_of_an_existing_uuid_is_refused_and_merge_upserts(
    fidelity: wvorm.Client,
) -> None:
    doc = saved_doc(fidelity)
    with Session(fidelity) as session:
        session.add(FDoc(id=doc.id, title="impostor"))
        session.add(FTag(name="alpha"))  # the same natural key: the same uuid
        with pytest.raises(CommitError) as raised:
            session.commit()
        assert len(raised.value.failures) == 2
        assert all("already exists" in reason for _, reason in raised.value.failures)
    on_server = stored(fidelity, FDoc, doc.id)
    assert on_server["title"] == "d" and on_server["labels"] == ["l1", "all"]
    assert len(beacon_ids(on_server, "tags")) == 2  # references kept
    with Session(fidelity) as session:  # the explicit upsert: only what was set changes
        session.merge(FTag(name="alpha", note="re-imported"))
        session.merge(FDoc(id=doc.id, title="merged"))
        session.commit()
    on_server = stored(fidelity, FDoc, doc.id)
    assert on_server["title"] == "merged" and on_server["labels"] == ["l1", "all"]
    assert len(beacon_ids(on_server, "tags")) == 2


def test_after_an_insert_the_saved_vector_is_what_was_sent(fidelity: wvorm.Client) -> None:
    # the commit snapshots each vector as it sends it: an in-place change made after
    # the commit is a change, and an untouched vector is not
    doc = FDoc(title="v")
    vector = [1.0, 0.0, 0.0]
    state_of(doc).vector = vector
    with Session(fidelity) as session:
        session.add(doc)
        session.commit()
        assert session.dirty == []
        vector[1] = 1.0  # in place, after the commit
        assert session.dirty == [doc]
        session.commit()
        assert session.dirty == []
    data = fidelity.data_object.get_by_id(doc.id, class_name="FDoc", with_vector=True)
    assert data is not None and data["vector"] == [1.0, 1.0, 0.0]


def test_existing_uuids_are_found_in_every_look_up_window(
    fidelity: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the look-ups of later windows run while earlier ones are sent: an existing uuid
    # in the last window is still refused, and every other object is written
    monkeypatch.setattr("wvorm.orm._persistence.LOOKUP_CHUNK", 3)
    doc = saved_doc(fidelity)
    fresh = [FTag(name=f"w{i}") for i in range(10)]
    with Session(fidelity) as session:
        session.add_all(fresh)
        session.add(FDoc(id=doc.id, title="impostor"))
        with pytest.raises(CommitError) as raised:
            session.commit()
        assert [(type(o), o.id) for o, _ in raised.value.failures] == [(FDoc, doc.id)]
        assert "already exists" in raised.value.failures[0][1]
    assert stored(fidelity, FDoc, doc.id)["title"] == "d"
    assert all(stored(fidelity, FTag, tag.id) is not None for tag in fresh)


def is_look_up(search: SearchPlan) -> bool:
    """Whether ``search`` is a session's existence look-up: ids by id, nothing else."""
    condition = search.filter
    return (
        not search.properties
        and isinstance(condition, Condition)
        and condition.path == ("id",)
        and condition.operator == "ContainsAny"
    )


def patch_searches(
    monkeypatch: pytest.MonkeyPatch, wrap: Callable[[Callable[..., Any]], Callable[..., Any]]
) -> None:
    """Replace ``search`` of both transports by ``wrap(the real one)``."""
    for transport in (GraphQLTransport, GrpcTransport):
        monkeypatch.setattr(transport, "search", wrap(transport.search))


def look_ups_of(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """The existence look-ups (searches by id) sent from now on: class, number of ids."""
    sent: list[tuple[str, int]] = []

    def wrap(real: Callable[..., Any]) -> Callable[..., Any]:
        def spy(self: Any, search: SearchPlan) -> Any:
            if is_look_up(search):
                assert isinstance(search.filter, Condition)
                sent.append((search.collection, len(search.filter.value)))
            return real(self, search)

        return spy

    patch_searches(monkeypatch, wrap)
    return sent


def test_an_import_into_an_empty_class_is_counted_instead_of_looked_up(
    fidelity: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # natural keys could exist, but FTag holds nothing: one count proves it
    monkeypatch.setattr("wvorm.orm._persistence.COUNT_FIRST", 3)
    look_ups = look_ups_of(monkeypatch)
    tags = [FTag(name=f"t{i}") for i in range(5)]
    with Session(fidelity) as session:
        session.add_all(tags)
        session.commit()
    assert look_ups == []
    assert all(stored(fidelity, FTag, tag.id) is not None for tag in tags)


def test_a_class_holding_objects_is_looked_up_and_an_existing_uuid_refused(
    fidelity: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wvorm.orm._persistence.COUNT_FIRST", 3)
    with Session(fidelity) as session:
        session.add(FTag(name="t0", note="first"))
        session.commit()
    look_ups = look_ups_of(monkeypatch)
    again = FTag(name="t0", note="second")  # the same natural key: the same uuid
    with Session(fidelity) as session:
        session.add_all([again] + [FTag(name=f"t{i}") for i in range(1, 5)])
        with pytest.raises(CommitError) as raised:
            session.commit()
    assert look_ups == [("FTag", 5)]
    assert [(o, "already exists" in why) for o, why in raised.value.failures] == [(again, True)]
    assert stored(fidelity, FTag, again.id)["note"] == "first"


def test_a_session_at_a_consistency_level_looks_up_a_class_that_is_not_replicated(
    fidelity: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression (found in review): the look-up asked for the session's consistency
    # level, which Weaviate's GraphQL takes for replicated classes only, so over
    # GraphQL every natural-key insert was refused as "could not be checked"
    with Session(fidelity) as session:
        session.add(FTag(name="t0", note="first"))
        session.commit()
    look_ups = look_ups_of(monkeypatch)
    again = FTag(name="t0", note="second")
    with Session(fidelity, consistency_level="QUORUM") as session:
        session.add_all([again, FTag(name="t1")])
        with pytest.raises(CommitError) as raised:
            session.commit()
    assert look_ups == [("FTag", 2)]
    assert [(o, "already exists" in why) for o, why in raised.value.failures] == [(again, True)]
    assert stored(fidelity, FTag, FTag(name="t1").id) is not None


def test_the_emptiness_count_is_per_tenant(
    tenants: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wvorm.orm._persistence.COUNT_FIRST", 3)
    note_id = uuid4()
    with Session(tenants, tenant="a") as session:
        session.add(SNote(id=note_id, text="in a"))
        session.commit()
    look_ups = look_ups_of(monkeypatch)
    with Session(tenants, tenant="b") as session:  # b is empty: nothing to look up
        session.add_all([SNote(id=note_id, text="in b")] + [SNote(text=f"{i}") for i in range(3)])
        session.add_all([SNote(id=uuid4(), text="explicit") for _ in range(3)])
        session.commit()
    assert look_ups == []
    with Session(tenants, tenant="a") as session:  # a holds note_id: looked up, refused
        session.add_all([SNote(id=note_id, text="again")])
        session.add_all([SNote(id=uuid4(), text=f"{i}") for i in range(3)])
        with pytest.raises(CommitError, match="already exists"):
            session.commit()
    assert look_ups == [("SNote", 4)]
    assert stored(tenants, SNote, note_id, tenant="a")["text"] == "in a"
    assert stored(tenants, SNote, note_id, tenant="b")["text"] == "in b"


class SReplicated(WeaviateModel, vectorizer="none", replication_factor=3):
    text: str


def test_a_replicated_class_is_looked_up_even_when_its_count_is_zero(
    cluster: list[EmbeddedServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    # an aggregate reads one replica, which may lack an object written to another:
    # its zero proves nothing, so the ids are looked up
    monkeypatch.setattr("wvorm.orm._persistence.COUNT_FIRST", 3)
    with wvorm.Client(cluster[0].url) as client:
        create_all(client, [SReplicated])
        look_ups = look_ups_of(monkeypatch)
        notes = [SReplicated(id=uuid4(), text=f"{i}") for i in range(4)]
        with Session(client) as session:
            session.add_all(notes)
            session.commit()
        assert look_ups == [("SReplicated", 4)]
        assert SReplicated.query.using(client).count() == 4


def test_an_insert_whose_existence_check_failed_is_not_sent(
    fidelity: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Regression: a failed look-up used to let the insert through, which could write
    # over a stored object. (The server cannot be made to fail only the look-up, so
    # the fault is injected there.)
    doc = saved_doc(fidelity)

    def wrap(real: Callable[..., Any]) -> Callable[..., Any]:
        def refused(self: Any, search: SearchPlan) -> Any:
            if is_look_up(search):
                raise WvormError("the look-up was refused")
            return real(self, search)

        return refused

    patch_searches(monkeypatch, wrap)
    with Session(fidelity) as session:
        session.add(FDoc(id=doc.id, title="impostor"))
        with pytest.raises(CommitError, match=r"could not be checked \(the look-up was refused"):
            session.commit()
    assert stored(fidelity, FDoc, doc.id)["title"] == "d"


def test_case_6_a_deleted_object_is_never_re_inserted_by_cascade(fidelity: wvorm.Client) -> None:
    doc = saved_doc(fidelity)
    with Session(fidelity) as session:
        held = session.query(FDoc).include(FDoc.tags).one()
        child = held.tags[0]
        session.delete(child)
        session.commit()
        held.tags.append(FTag(name="c"))  # the parent still points at the deleted child
        session.commit()
        assert stored(fidelity, FTag, child.id) is None
        held.tags.append(child)  # a new beacon to the deleted object: refused loudly
        with pytest.raises(CommitError, match="was deleted"):
            session.commit()
        session.add(child)  # explicitly: created again
        session.commit()
    assert stored(fidelity, FTag, child.id) is not None
    assert doc.id is not None


def test_case_7_assigning_an_unloaded_list_replaces_it_for_properties_and_references(
    fidelity: wvorm.Client,
) -> None:
    doc = saved_doc(fidelity)
    with Session(fidelity) as session:
        (partial,) = session.query(FDoc).select(FDoc.title).all()
        new_tag = FTag(name="only")
        partial.labels = ["only"]
        partial.tags = [new_tag]
        session.commit()
        assert state_of(partial).is_loaded("labels") and state_of(partial).is_loaded("tags")
    on_server = stored(fidelity, FDoc, doc.id)
    assert on_server["labels"] == ["only"]
    assert beacon_ids(on_server, "tags") == [str(new_tag.id)]


def test_case_9_a_query_in_a_session_never_returns_an_object_marked_deleted(
    fidelity: wvorm.Client,
) -> None:
    saved_doc(fidelity)
    with Session(fidelity) as session:
        doomed = session.query(FTag).where(FTag.name == "alpha").one()
        session.delete(doomed)
        names = sorted(t.name for t in session.query(FTag).all())
        assert names == ["beta"]
        assert session.query(FTag).where(FTag.name == "alpha").first() is None
        included = session.query(FDoc).include(FDoc.tags).one()
        assert [t.name for t in included.tags] == ["beta"]


def test_case_10_writing_a_model_whose_class_is_missing_or_differs_is_refused(
    client: wvorm.Client,
) -> None:
    with Session(client) as session:
        session.add(FTag(name="x"))
        with pytest.raises(wvorm.SchemaMismatchError, match="create_all"):
            session.commit()
    assert client.schema.get()["classes"] == []  # auto-schema never ran

    class Drifted(WeaviateModel, vectorizer="none", name="FTag"):
        name: int  # text on the server
        extra: str = ""

    create_all(client, [FTag])
    with Session(client) as session:
        session.add(Drifted(name=1))
        with pytest.raises(wvorm.SchemaMismatchError) as raised:
            session.commit()
    message = str(raised.value)
    assert "FTag.name: type text on the server, int in the model" in message
    assert "FTag.extra is missing on the server; call wvorm.migrate" in message


def test_case_11_misuse_raises_wvorm_errors_that_name_the_input() -> None:
    calls: list[tuple[Callable[[], object], str]] = [
        (lambda: FDoc.query.limit(0), "limit must be >= 1"),
        (lambda: FDoc.query.bm25("a").near_vector([1.0, 0, 0]), "takes one search"),
        (lambda: Session(None, batch_size=0), r"batch_size=\.\.\.\) takes an int >= 1"),  # type: ignore[arg-type]
    ]
    for call, pattern in calls:
        with pytest.raises(wvorm.UsageError, match=pattern) as raised:
            call()
        assert isinstance(raised.value, ValueError) and isinstance(raised.value, wvorm.WvormError)
    with pytest.raises(wvorm.WvormError, match=r"no field 'titel' \(did you mean 'title'\?\)"):
        model_info(FDoc).field("titel")
    with pytest.raises(AttributeError, match=r"did you mean 'title'"):
        _ = FDoc.titel  # type: ignore[attr-defined]
    error = wvorm.errors.UnknownFieldError("x")
    assert str(error) == "x"  # not a KeyError, whose str() quotes its message


def test_case_12_an_object_belongs_to_one_session(fidelity: wvorm.Client) -> None:
    tag = FTag(name="shared")
    with Session(fidelity) as first, Session(fidelity) as second:
        first.add(tag)
        with pytest.raises(wvorm.SessionError, match="belongs to another Session"):
            second.add(tag)
        first.expunge(tag)
        second.add(tag)  # free again
        second.commit()


def test_case_14_a_wrong_vector_dimension_is_refused_before_sending(
    fidelity: wvorm.Client,
) -> None:
    doc = FDoc(title="wrong")
    state_of(doc).vector = [1.0, 2.0]
    look = FLook(caption="wrong")
    state_of(look).vectors["look"] = [1.0, 2.0, 3.0]
    with Session(fidelity) as session:
        session.add_all([doc, look])
        with pytest.raises(CommitError) as raised:
            session.commit()
        reasons = "\n".join(reason for _, reason in raised.value.failures)
        assert "its vector has 2 dimensions, but FDoc declares 3" in reasons
        assert "its vectors['look'] has 3 dimensions, but FLook declares 2" in reasons
        assert set(map(id, session.new)) == {id(doc), id(look)}  # still pending
    assert stored(fidelity, FDoc, doc.id) is None and stored(fidelity, FLook, look.id) is None


def test_case_16_refresh_and_populate_existing_show_another_writers_change(
    fidelity: wvorm.Client,
) -> None:
    doc = saved_doc(fidelity)
    with Session(fidelity) as reader, Session(fidelity) as writer:
        held = reader.get(FDoc, doc.id)
        assert held is not None and held.title == "d"
        other = writer.get(FDoc, doc.id)
        assert other is not None
        other.title = "changed elsewhere"
        other.labels.append("more")
        writer.commit()
        assert reader.query(FDoc).one().title == "d"  # held objects keep their values
        assert reader.query(FDoc).populate_existing().one().title == "changed elsewhere"
        other.title = "again"
        writer.commit()
        held.labels.append("local, lost by refresh")
        reader.refresh(held)
        assert (held.title, held.labels) == ("again", ["l1", "all", "more"])
        assert reader.dirty == []
        writer.delete(other)
        writer.commit()
        with pytest.raises(wvorm.NoResultError, match="no longer exists"):
            reader.refresh(held)
        assert held not in reader


def test_case_17_commits_log_what_they_sent_and_report_progress(
    fidelity: wvorm.Client, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[wvorm.CommitProgress] = []
    with (
        caplog.at_level(logging.DEBUG, logger="wvorm.orm"),
        Session(fidelity, batch_size=10) as session,
    ):
        session.add_all(FTag(name=f"t{i}") for i in range(25))
        session.commit(progress=seen.append)
        held = session.query(FTag).where(FTag.name == "t1").one()
        held.note = "patched"
        session.delete(session.query(FTag).where(FTag.name == "t2").one())
        session.commit(progress=seen.append)
    text = caplog.text
    assert "commit: plan: 25 inserts, 0 patches" in text
    assert "commit: inserts: 25 sent in" in text
    assert (
        "commit: plan: 0 inserts, 1 patch, 0 reference replaces/removes, 0 reference adds, 1 delete"
        in text
    )
    assert "commit: done in" in text
    inserts = [p for p in seen if p.phase == "inserts"]
    assert [p.done for p in inserts] == [10, 20, 25] and all(p.total == 25 for p in inserts)
    assert {p.phase for p in seen} == {"inserts", "patches", "deletes"}


class FRaw(WeaviateModel, vectorizer="none"):
    title: str


def test_case_14_an_object_the_server_rejected_but_stored_is_reported_and_tracked(
    client: wvorm.Client,
) -> None:
    """Weaviate 1.39 reports FAILED for one of two first vectors of different lengths in
    one batch, yet stores both: wvorm says so and tracks it as persistent."""
    create_all(client, [FRaw])
    first, second = FRaw(title="three"), FRaw(title="four")
    state_of(first).vector = [1.0, 0.0, 0.0]
    state_of(second).vector = [1.0, 0.0, 0.0, 0.0]
    with Session(client) as session:
        session.add_all([first, second])
        with pytest.raises(CommitError) as raised:
            session.commit()
        failures = raised.value.failures
        (rejected,) = {id(o): o for o, _ in failures}.values()
        reasons = [reason for _, reason in failures]
        assert any("vector lengths don't match" in r for r in reasons), reasons
        assert any("stored the object anyway" in r for r in reasons), reasons
        assert session.new == [] and state_of(rejected).is_persistent
        assert stored(client, FRaw, rejected.id) is not None
        assert rejected in session.dirty  # its values are written again by the next commit


def test_case_4_the_uuid_check_is_one_request_per_chunk_and_skips_fresh_uuids(
    fidelity: wvorm.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Session(fidelity) as session:  # (an empty class is counted, not looked up)
        session.add(FTag(name="already"))
        session.commit()
    look_ups = look_ups_of(monkeypatch)
    with Session(fidelity, batch_size=100) as session:
        session.add_all(FTag(name=f"n{i}") for i in range(2500))  # natural keys: checked
        session.add_all(FDoc(title=f"d{i}") for i in range(300))  # fresh uuid4s: not checked
        session.commit()
    # (the chunks are looked up in parallel)
    assert sorted(look_ups) == [("FTag", 500), ("FTag", 1000), ("FTag", 1000)]


# -- found by the stateful test (tests/orm/test_stateful.py) ---------------------------------


def test_a_refused_add_leaves_the_session_unchanged(fidelity: wvorm.Client) -> None:
    foreign = FTag(name="foreign")
    with Session(fidelity) as first, Session(fidelity) as second:
        first.add(foreign)
        doc = FDoc(title="d", tags=[FTag(name="mine"), foreign])
        with pytest.raises(wvorm.SessionError, match="another Session"):
            second.add(doc)
        assert len(second) == 0 and second.new == []
        twins = FDoc(title="t", tags=[FTag(name="twin"), FTag(name="twin")])  # one uuid twice
        with pytest.raises(wvorm.SessionError, match="another Python object"):
            second.add(twins)
        assert len(second) == 0
        second.commit()  # nothing pending: later commits are not poisoned


def test_merge_neither_re_creates_deleted_objects_nor_cancels_their_deletion(
    fidelity: wvorm.Client,
) -> None:
    doc = saved_doc(fidelity)
    with Session(fidelity) as session:
        held = session.query(FDoc).include(FDoc.tags).one()
        gone, doomed = held.tags
        session.delete(gone)
        session.commit()
        session.delete(doomed)
        session.merge(FDoc(id=doc.id, title="merged", tags=[gone, doomed]))
        assert session.new == [] and session.deleted == [doomed]
        session.commit()
    assert stored(fidelity, FTag, gone.id) is None and stored(fidelity, FTag, doomed.id) is None


def test_a_query_with_vector_gives_none_for_an_object_without_one(fidelity: wvorm.Client) -> None:
    with Session(fidelity) as session:
        session.add(FTag(name="plain"))
        session.commit()
    (tag,) = FTag.query.using(fidelity).with_vector().all()
    assert state_of(tag).vector is None
    (hit,) = FTag.query.using(fidelity).with_vector().hits()
    assert hit.vector is None


def test_references_added_to_an_emptied_list_are_written_once(fidelity: wvorm.Client) -> None:
    one, two = FTag(name="one"), FTag(name="two")
    doc = FDoc(title="x", tags=[one])
    with Session(fidelity) as session:
        session.add_all([doc, two])
        session.commit()
        doc.tags.remove(one)
        session.commit()
        assert stored(fidelity, FDoc, doc.id)["tags"] == []
        doc.tags.append(two)  # a batch add here would be "rejected" and stored anyway
        session.commit()
        assert session.dirty == []
    assert beacon_ids(stored(fidelity, FDoc, doc.id), "tags") == [str(two.id)]


def test_reference_writes_to_a_list_another_session_emptied_are_confirmed_not_duplicated(
    fidelity: wvorm.Client,
) -> None:
    """Weaviate 1.39 answers writes to an emptied reference list with errors (a 500 for a
    beacon delete, FAILED for a batch add it stores anyway): wvorm reads the beacons back
    and counts what the server shows written, instead of failing and re-sending."""
    t1, t2, u = FTag(name="t1"), FTag(name="t2"), FTag(name="u")
    with Session(fidelity) as session:
        session.add_all([FDoc(title="d", tags=[t1, t2]), u])
        session.commit()
    with Session(fidelity) as a, Session(fidelity) as b:
        doc_a = a.query(FDoc).include(FDoc.tags).one()
        doc_b = b.query(FDoc).include(FDoc.tags).one()
        doc_b.tags = []
        b.commit()
        doc_a.tags.pop()  # a stale view: the server holds no beacon at all
        a.commit()
        assert a.dirty == []
        held_u = a.get(FTag, u.id)
        assert held_u is not None
        doc_a.tags.append(held_u)
        a.commit()
        a.commit()  # nothing left to send: no duplicate
        on_server = stored(fidelity, FDoc, doc_a.id)
    assert beacon_ids(on_server, "tags") == [str(u.id)]


# -- inserts whose outcome is unknown (a commit cut off by a dying server) -------------------
# tests/reliability/test_crash.py makes them for real; here one is made by hand, so that
# every property type, both kinds of vector, and references are compared.


def stored_as_sent(client: wvorm.Client, obj: WeaviateModel, **extra: Any) -> float:
    """Store ``obj`` as a cut-off insert of it would have (its values and vectors, and
    ``extra`` properties); return its update time on the server."""
    state = state_of(obj)
    vector: Any = state.vectors or state.vector
    name = model_info(type(obj)).name
    client.data_object.create({**to_properties(obj), **extra}, name, obj.id, vector=vector)
    return update_time(client, obj)


def update_time(client: wvorm.Client, obj: WeaviateModel) -> float:
    data = client.data_object.get_by_id(obj.id, class_name=model_info(type(obj)).name)
    assert data is not None
    return float(data["lastUpdateTimeUnix"])


M = TypeVar("M", bound=WeaviateModel)


def unconfirmed_copy(obj: M) -> M:
    """A new instance of ``obj`` whose earlier insert was sent but not confirmed."""
    again = copy.deepcopy(obj)
    state_of(again).unconfirmed = True
    return again


@pytest.mark.parametrize("kind", ["every type", "naive dates", "named vectors"])
def test_an_unconfirmed_insert_found_stored_as_sent_is_counted_written(
    client: wvorm.Client, kind: str
) -> None:
    create_all(client, [Kitchen, Article, SImage])
    obj: WeaviateModel
    if kind == "named vectors":
        obj = SImage(caption="a cat")
        state_of(obj).vectors = {"look": [0.1, 0.2], "caption": [1 / 3, 0.4, 0.5]}
    else:
        naive = kind == "naive dates"  # sent as UTC, read back with an offset
        when = datetime(2024, 5, 6, 7, 8, 9, tzinfo=None if naive else timezone.utc)
        obj = every_type_kitchen(when=when, whens=[when])
        state_of(obj).vector = [0.1, 0.2, 1 / 3]  # not exact in float32: compared as stored
    stored_at = stored_as_sent(client, obj)
    again = unconfirmed_copy(obj)
    time.sleep(0.01)  # (so that a write now would show in the update time)
    with Session(client) as session:
        session.add(again)
        session.commit()  # not refused as existing, and not sent again
        assert session.new == [] and state_of(again).is_persistent
        assert not state_of(again).unconfirmed
    assert update_time(client, obj) == stored_at
    assert type(obj).query.using(client).count() == 1


@pytest.mark.parametrize("change", ["text", "when", "address", "vector", "named", "reference"])
def test_an_unconfirmed_insert_found_stored_differently_is_refused(
    client: wvorm.Client, change: str
) -> None:
    """Other values, vectors, or any reference (a cut-off insert stores none: references
    are written after the inserts, so beacons mean that another writer stored it)."""
    create_all(client, [Kitchen, Article, SImage])
    obj: WeaviateModel
    extra: dict[str, Any] = {}
    if change == "named":
        obj = SImage(caption="a cat")
        state_of(obj).vectors = {"look": [0.1, 0.2], "caption": [0.3, 0.4]}
    else:
        obj = every_type_kitchen()
        state_of(obj).vector = [0.1, 0.2, 0.3]
    if change == "reference":
        other = Kitchen(text="another writer's")
        stored_as_sent(client, other)
        extra = {"related": [{"beacon": f"weaviate://localhost/Kitchen/{other.id}"}]}
    stored_at = stored_as_sent(client, obj, **extra)
    again = unconfirmed_copy(obj)
    if isinstance(again, Kitchen):
        if change == "text":
            again.text = "edited since"
        elif change == "when":
            again.when = datetime(2024, 5, 6, 7, 8, 10, tzinfo=timezone.utc)
        elif change == "address":
            again.address = KitchenAddress(street="Main", number=5)
        elif change == "vector":
            state_of(again).vector = [0.1, 0.2, 0.30001]
    else:
        state_of(again).vectors["caption"] = [0.3, 0.40001]
    with Session(client) as session:
        session.add(again)
        with pytest.raises(CommitError) as caught:
            session.commit()
        assert session.new == [again] and state_of(again).unconfirmed
    (item, reason), *others = caught.value.failures
    assert item is again and not others
    assert "exists on the server with other values, vectors or references" in reason
    assert "session.expunge(obj), then session.merge(obj)" in reason
    assert update_time(client, obj) == stored_at  # the stored object is left as it was


def test_the_refusal_advice_updates_the_stored_object(client: wvorm.Client) -> None:
    """What the message says to do works: expunge, merge, commit."""
    create_all(client, [Kitchen, Article])
    obj = every_type_kitchen()
    stored_as_sent(client, obj)
    again = unconfirmed_copy(obj)
    again.text = "edited since"
    with Session(client) as session:
        session.add(again)
        with pytest.raises(CommitError):
            session.commit()
        session.expunge(again)
        session.merge(again)
        session.commit()
    held = Kitchen.query.using(client).one()
    assert held.text == "edited since" and held.address == obj.address


def test_deleting_an_unconfirmed_insert_deletes_it_on_the_server(client: wvorm.Client) -> None:
    create_all(client, [Kitchen, Article])
    stored, never = every_type_kitchen(), every_type_kitchen()
    stored_as_sent(client, stored)
    with Session(client) as session:
        for obj in (stored, never):  # both may be stored: one is
            again = unconfirmed_copy(obj)
            session.add(again)
            session.delete(again)
        assert session.new == [] and len(session.deleted) == 2
        session.commit()  # one deleted, the other was not there: no failure
        assert session.deleted == []
    assert Kitchen.query.using(client).count() == 0


def test_rollback_and_close_warn_of_unconfirmed_inserts_they_drop(
    schema: wvorm.Client, caplog: pytest.LogCaptureFixture
) -> None:
    for action in ("rollback", "close"):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="wvorm.orm.session"):
            session = Session(schema)
            author = unconfirmed_copy(SAuthor(name="cut off"))
            session.add(author)
            getattr(session, action)()
        assert f"Session.{action}() drops 1 new object(s) whose insert was cut off" in caplog.text
        assert str(author.id) in caplog.text
        session.close()

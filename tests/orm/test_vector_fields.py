"""Vectors declared as model fields (``Annotated[..., Vector(...)]``), on the real
server over every transport: the schema they compile into, writing them through the
batch and as updates, loading them only when asked, and their dirty tracking."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import pytest

import wvorm
from wvorm import Session, Vector, WeaviateModel, state_of
from wvorm.errors import ModelDefinitionError, UnknownFieldError, UnloadedFieldError, UsageError
from wvorm.orm import class_schema


class VDoc(WeaviateModel):
    title: str
    body: str = ""
    embedding: Annotated[Optional[list[float]], Vector(3, distance="dot")] = None


class VNamed(WeaviateModel):
    title: str
    title_vec: Annotated[Optional[list[float]], Vector(2, name="title")] = None
    tokens: Annotated[Optional[list[list[float]]], Vector(2, name="tokens")] = None


def stored_object(client: wvorm.Client, obj: WeaviateModel) -> dict[str, Any]:
    """The object as REST returns it, with its vectors."""
    name = type(obj).__name__
    found = client.data_object.get_by_id(str(obj.id), class_name=name, with_vector=True)
    assert found is not None
    return found


@pytest.fixture
def schema(client: wvorm.Client) -> wvorm.Client:
    wvorm.create_all(client, [VDoc, VNamed])
    return client


def test_the_declarations_compile_into_the_class_schema() -> None:
    schema = class_schema(VDoc)
    assert (schema["vectorizer"], schema["vectorIndexConfig"]) == ("none", {"distance": "dot"})
    assert "vectorConfig" not in schema
    named = class_schema(VNamed)
    assert "vectorizer" not in named
    assert named["vectorConfig"] == {
        "title": {"vectorizer": {"none": {}}},
        "tokens": {
            "vectorizer": {"none": {}},
            "vectorIndexConfig": {"multivector": {"enabled": True}},
        },
    }
    assert [p["name"] for p in named["properties"]] == ["title"]  # a vector is no property


def test_vectors_set_in_the_constructor_are_written_through_the_batch(
    schema: wvorm.Client,
) -> None:
    doc = VDoc(title="a", embedding=[1, 0, 0])
    named = VNamed(title="b", title_vec=[0.5, 0.5], tokens=[[1, 0], [0, 1]])
    assert state_of(doc).vector == [1.0, 0.0, 0.0]  # one value: the field is the state's
    assert state_of(named).vectors == {"title": [0.5, 0.5], "tokens": [[1.0, 0.0], [0.0, 1.0]]}
    with Session(schema) as session:
        session.add_all([doc, named])
        session.commit()
    assert stored_object(schema, doc)["vector"] == [1.0, 0.0, 0.0]
    assert stored_object(schema, named)["vectors"] == {
        "title": [0.5, 0.5],
        "tokens": [[1.0, 0.0], [0.0, 1.0]],
    }

    with Session(schema) as session:
        (bare,) = session.query(VDoc).all()
        with pytest.raises(UnloadedFieldError, match=r"with_vector\(\)"):
            _ = bare.embedding
        assert "embedding" not in bare.model_dump()  # unloaded: left out, as fields are
        (bare_named,) = session.query(VNamed).all()
        with pytest.raises(UnloadedFieldError, match=r"with_vector\('title'\)"):
            _ = bare_named.title_vec
    with Session(schema) as session:
        (loaded,) = session.query(VDoc).with_vector().all()
        assert loaded.embedding == [1.0, 0.0, 0.0]
        (loaded_named,) = session.query(VNamed).with_vector("title", "tokens").all()
        assert loaded_named.title_vec == [0.5, 0.5]
        assert loaded_named.tokens == [[1.0, 0.0], [0.0, 1.0]]
        assert loaded_named.model_dump()["tokens"] == [[1.0, 0.0], [0.0, 1.0]]


def test_changed_vectors_are_tracked_and_written_as_updates(schema: wvorm.Client) -> None:
    named = VNamed(title="a", title_vec=[0.5, 0.5], tokens=[[1, 0]])
    doc = VDoc(title="a", embedding=[1, 0, 0])
    with Session(schema) as session:
        session.add_all([named, doc])
        session.commit()
    with Session(schema) as session:
        (loaded,) = session.query(VNamed).with_vector("title", "tokens").all()
        assert session.dirty == []
        loaded.title_vec = [0.5, 0.5]  # the same vector: no change
        assert session.dirty == []
        assert loaded.tokens is not None
        loaded.tokens[0][1] = 1.0  # a change inside a multi-vector is seen
        assert session.dirty == [loaded]
        loaded.title_vec = [0.25, 0.75]
        session.commit()
        assert session.dirty == []
    assert stored_object(schema, named)["vectors"] == {
        "title": [0.25, 0.75],
        "tokens": [[1.0, 1.0]],
    }
    with Session(schema) as session:
        (bare,) = session.query(VNamed).all()
        bare.title_vec = [1, 0]  # set without being loaded: replaces the stored vector
        session.commit()
    assert stored_object(schema, named)["vectors"] == {"title": [1.0, 0.0], "tokens": [[1.0, 1.0]]}
    with Session(schema) as session:
        (loaded_doc,) = session.query(VDoc).with_vector().all()
        loaded_doc.embedding = [0, 0, 1]
        loaded_doc.title = "b"
        session.commit()
    stored = stored_object(schema, doc)
    assert stored["vector"] == [0.0, 0.0, 1.0] and stored["properties"]["title"] == "b"


def test_rollback_restores_vector_fields(schema: wvorm.Client) -> None:
    named = VNamed(title="a", title_vec=[0.5, 0.5], tokens=[[1, 0]])
    with Session(schema) as session:
        session.add(named)
        session.commit()
        named.title_vec = [1, 1]
        named.tokens = [[0, 0], [1, 1]]
        session.rollback()
        assert (named.title_vec, named.tokens) == ([0.5, 0.5], [[1.0, 0.0]])
        assert session.dirty == []


def test_wrong_vectors_are_refused_before_anything_is_sent(schema: wvorm.Client) -> None:
    with pytest.raises(ValueError, match=r"its vector has 2 dimensions, but VDoc declares 3"):
        VDoc(title="a", embedding=[1, 0])
    named = VNamed(title="a")
    with pytest.raises(UsageError, match=r"vectors\['tokens'\] has 3 dimensions"):
        named.tokens = [[1, 0], [1, 0, 0]]
    doc = VDoc(title="a")
    with pytest.raises(ValueError, match="valid list"):
        doc.embedding = "not a vector"  # type: ignore[assignment]
    assert named.tokens is None and doc.embedding is None  # nothing was set
    state_of(doc).vector = [1.0]  # the state's own door is checked at commit
    with Session(schema) as session:
        session.add(doc)
        with pytest.raises(wvorm.CommitError, match="1 dimensions, but VDoc declares 3"):
            session.commit()
    assert VDoc.query.using(schema).count() == 0


def test_a_stored_vector_cannot_be_set_to_none(schema: wvorm.Client) -> None:
    doc = VDoc(title="a", embedding=[1, 0, 0])
    doc.embedding = None  # not stored yet: cleared
    assert doc.embedding is None and state_of(doc).vector is None
    doc.embedding = [1, 0, 0]
    with Session(schema) as session:
        session.add(doc)
        session.commit()
        with pytest.raises(UsageError, match="cannot remove a stored vector"):
            doc.embedding = None
        assert doc.embedding == [1.0, 0.0, 0.0]


def test_declarations_are_checked_when_the_class_is_defined() -> None:
    with pytest.raises(ModelDefinitionError, match="must be a named vector"):

        class Multi(WeaviateModel):
            tokens: Annotated[Optional[list[list[float]]], Vector(2)] = None

    with pytest.raises(ModelDefinitionError, match=r"typed list\[float\]"):

        class Wrong(WeaviateModel):
            embedding: Annotated[Optional[str], Vector(2)] = None

    with pytest.raises(ModelDefinitionError, match="both declare the default vector"):

        class Two(WeaviateModel):
            a: Annotated[Optional[list[float]], Vector(2)] = None
            b: Annotated[Optional[list[float]], Vector(2)] = None

    with pytest.raises(ModelDefinitionError, match="not both"):

        class Mixed(WeaviateModel):
            a: Annotated[Optional[list[float]], Vector(2)] = None
            b: Annotated[Optional[list[float]], Vector(2, name="b")] = None

    with pytest.raises(ModelDefinitionError, match="declare the vector in one place"):

        class Twice(WeaviateModel, vector_dimensions=3):
            a: Annotated[Optional[list[float]], Vector(2)] = None

    with pytest.raises(ModelDefinitionError, match="not a text field"):

        class Source(WeaviateModel):
            pages: int = 0
            a: Annotated[Optional[list[float]], Vector(2, embed=lambda t: [], source="pages")] = (
                None
            )

    with pytest.raises(UsageError, match="positive int"):
        Vector(0)


# -- searching with named vectors and multi-vectors --------------------------------------


class VSearch(WeaviateModel):
    title: str
    a: Annotated[Optional[list[float]], Vector(2, name="a")] = None
    b: Annotated[Optional[list[float]], Vector(2, name="b")] = None
    tokens: Annotated[Optional[list[list[float]]], Vector(2, name="tokens")] = None


@pytest.fixture
def searchable(client: wvorm.Client) -> wvorm.Client:
    wvorm.create_all(client, [VSearch])
    with Session(client) as session:
        session.add_all(
            [
                VSearch(title="x", a=[1, 0], b=[1, 0], tokens=[[1, 0]]),
                VSearch(title="y", a=[0, 1], b=[0, 1], tokens=[[0, 1], [0, 1]]),
                VSearch(title="z", a=[1, 0], b=[0, 1], tokens=[[1, 0], [0, 1]]),
            ]
        )
        session.commit()
    return client


def titles(query: wvorm.Query[VSearch]) -> list[str]:
    return [hit.object.title for hit in query.hits()]


def test_near_vector_combines_target_vectors(searchable: wvorm.Client) -> None:
    query = VSearch.query.using(searchable)
    per_target = query.near_vector({"a": [1, 0], "b": [0, 1]}, combination="sum")
    assert titles(per_target)[0] == "z"  # the only one close on both
    weighted = query.near_vector([1, 0], target_vectors={"a": 0.9, "b": 0.1})
    assert titles(weighted) == ["x", "z", "y"]  # manual weights by default
    relative = query.near_vector(
        [1, 0], target_vectors={"a": 0.9, "b": 0.1}, combination=("relative_score")
    )
    assert titles(relative)[-1] == "y"
    average = query.near_vector([0, 1], target_vectors=["a", "b"], combination="average")
    assert titles(average) == ["y", "z", "x"]
    minimum = query.near_vector([0, 1], target_vectors=["a", "b"], combination="minimum")
    assert titles(minimum)[-1] == "x"
    (hit, *_) = query.near_vector([0, 1], target_vectors=["a", "b"], combination="average").hits()
    assert hit.distance is not None and abs(hit.distance) < 1e-6


def test_near_vector_arguments_are_checked() -> None:
    query = VSearch.query
    with pytest.raises(ValueError, match="needs a weight per target"):
        query.near_vector([1, 0], target_vectors=["a", "b"], combination="manual_weights")
    with pytest.raises(ValueError, match="takes no weights"):
        query.near_vector([1, 0], target_vectors={"a": 1.0}, combination="sum")
    with pytest.raises(ValueError, match="combination must be one of"):
        query.near_vector([1, 0], target_vectors=["a"], combination="max")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="needs target_vectors"):
        query.near_vector([1, 0], combination="sum")
    with pytest.raises(ValueError, match="one vector per target"):
        query.near_vector({"a": [1, 0]}, target_vectors=["a", "b"])
    with pytest.raises(ValueError, match="one length"):
        query.near_vector([[1, 0], [1, 0, 0]], target_vectors=["tokens"])


def test_a_multi_vector_query_searches_a_multi_vector(searchable: wvorm.Client) -> None:
    query = VSearch.query.using(searchable)
    found = titles(query.near_vector([[1, 0]], target_vectors=["tokens"]))
    assert sorted(found[:2]) == ["x", "z"] and found[2] == "y"
    both = titles(query.near_vector([[1, 0], [0, 1]], target_vectors=["tokens"]))
    assert both[0] == "z"


def test_hybrid_searches_a_target_vector_within_a_maximum_distance(
    searchable: wvorm.Client,
) -> None:
    query = VSearch.query.using(searchable)
    near_a = query.hybrid("nothing", vector=[1, 0], target_vector="a", alpha=1.0)
    assert sorted(titles(near_a)) == ["x", "y", "z"]
    close = query.hybrid(
        "nothing", vector=[1, 0], target_vector="a", alpha=1.0, max_vector_distance=0.5
    )
    assert sorted(titles(close)) == ["x", "z"]
    on_b = query.hybrid(
        "nothing", vector=[1, 0], target_vector="b", alpha=1.0, max_vector_distance=0.5
    )
    assert titles(on_b) == ["x"]
    with pytest.raises(ValueError, match="max_vector_distance"):
        query.hybrid("q", max_vector_distance=-1)


def test_hits_carry_the_named_vectors_asked_for(searchable: wvorm.Client) -> None:
    query = VSearch.query.using(searchable).near_vector([1, 0], target_vectors=["a"])
    (hit, *_) = query.with_vector("a", "tokens").limit(1).hits()
    assert hit.vectors is not None and set(hit.vectors) == {"a", "tokens"}
    assert hit.vectors["a"] == [1.0, 0.0]
    assert hit.object.a == [1.0, 0.0] and hit.object.tokens == hit.vectors["tokens"]
    with pytest.raises(UnloadedFieldError):
        _ = hit.object.b


def test_a_vector_an_object_never_had_reads_none_once_stored(schema: wvorm.Client) -> None:
    """Regression: after an insert without it, or a load that asked for it and found
    none, a vector is known to be absent (None), not unloaded."""
    named = VNamed(title="no vectors")
    with Session(schema) as session:
        session.add(named)
        session.commit()
        assert (named.title_vec, named.tokens) == (None, None)
        named.title = "still none"
        session.commit()  # a patch keeps what is known
        assert named.title_vec is None
    with Session(schema) as session:
        (loaded,) = session.query(VNamed).with_vector("title").all()
        assert loaded.title_vec is None
        with pytest.raises(UnloadedFieldError):
            _ = loaded.tokens  # not asked for
        loaded.title_vec = [1, 0]
        session.rollback()
        assert loaded.title_vec is None


def test_field_options_left_out_take_the_class_options() -> None:
    """Regression: Vector(3) on a class with vector_index_type= (or vectorizer=) takes
    them; only two different values for one setting are refused."""

    class Flat(WeaviateModel, vector_index_type="flat", distance="dot"):
        title: str
        embedding: Annotated[Optional[list[float]], Vector(3)] = None

    schema = class_schema(Flat)
    assert (schema["vectorIndexType"], schema["vectorIndexConfig"]) == ("flat", {"distance": "dot"})
    assert schema["vectorizer"] == "none"

    class Served(WeaviateModel, vectorizer="text2vec-transformers"):
        title: str
        embedding: Annotated[Optional[list[float]], Vector(128)] = None

    assert class_schema(Served)["vectorizer"] == "text2vec-transformers"


# -- regressions found in review -----------------------------------------------------------


def test_model_copy_with_a_vector_in_update_sets_the_vector() -> None:
    doc = VDoc(title="a", embedding=[1, 2, 3])
    copied = doc.model_copy(update={"embedding": [9, 9, 9], "title": "b"})
    assert copied.embedding == [9.0, 9.0, 9.0] and state_of(copied).vector == [9.0, 9.0, 9.0]
    assert copied.model_dump()["embedding"] == [9.0, 9.0, 9.0] and copied.title == "b"
    assert doc.embedding == [1.0, 2.0, 3.0]
    with pytest.raises(ValueError, match="has 1 dimensions"):
        doc.model_copy(update={"embedding": [1.0]})


class VServed(WeaviateModel):
    body: str
    served: Annotated[
        Optional[list[float]],
        Vector(name="served", vectorizer="text2vec-transformers", source=["body"]),
    ] = None


def test_a_vector_the_server_computes_is_unloaded_after_insert_not_none(
    client: wvorm.Client,
) -> None:
    wvorm.create_all(client, [VServed])
    doc = VServed(body="hello world")
    with Session(client) as session:
        session.add(doc)
        session.commit()
        with pytest.raises(UnloadedFieldError):
            _ = doc.served  # the server has one: wvorm has not read it
    with Session(client) as session:
        (loaded,) = session.query(VServed).with_vector("served").all()
        assert loaded.served is not None and len(loaded.served) == 128


def test_known_absent_vectors_survive_get_and_refresh(schema: wvorm.Client) -> None:
    named = VNamed(title="t", tokens=[[1, 0]])
    with Session(schema) as session:
        session.add(named)
        session.commit()
    with Session(schema) as session:
        got = session.get(VNamed, named.id)
        assert got is not None and got.title_vec is None and got.tokens == [[1.0, 0.0]]
        session.refresh(got)
        assert got.title_vec is None
        (again,) = session.query(VNamed).with_vector("title").all()
        assert again is got and got.title_vec is None
    with Session(schema) as session:
        (bare,) = session.query(VNamed).all()
        with pytest.raises(UsageError, match="was not loaded"):
            bare.title_vec = None  # it might hold one: refuse, never a silent no-op


def test_definitions_that_would_mislead_are_refused() -> None:
    with pytest.raises(ModelDefinitionError, match="drop one of them"):

        class Both(WeaviateModel, vectorizer="text2vec-transformers"):
            title: str
            v: Annotated[Optional[list[float]], Vector(2, embed=lambda t: [], source=["title"])] = (
                None
            )

    with pytest.raises(ModelDefinitionError, match="takes no source properties"):

        class Sourced(WeaviateModel, vectorizer="text2vec-transformers"):
            title: str
            v: Annotated[Optional[list[float]], Vector(source=["title"])] = None

    with pytest.raises(UsageError, match="vector name"):
        Vector(2, name="a b")


def test_text_searches_name_the_embedded_target_and_certainty_follows_its_distance() -> None:
    def embed(texts: list[str]) -> list[list[float]]:
        return [[1.0, 0.0] for _ in texts]

    class Mixed(
        WeaviateModel, vectors={"body": wvorm.NamedVector(vectorizer="text2vec-transformers")}
    ):
        title: str
        t: Annotated[
            Optional[list[float]],
            Vector(2, name="title", embed=embed, source=["title"], distance="dot"),
        ] = None

    text = Mixed.query.near_text("hello", target_vectors=["title"]).build()
    assert 'targetVectors: ["title"]' in text and "certainty" not in text.split("_additional")[1]
    assert 'targetVectors: ["title"]' in Mixed.query.hybrid("x", target_vector="title").build()

    class OnlyDot(WeaviateModel):
        title: str
        t: Annotated[Optional[list[float]], Vector(2, name="title", distance="dot")] = None

    hits_query = OnlyDot.query.near_vector([1, 0])
    assert not hits_query._metadata(hits=True).certainty  # Weaviate has none for dot
    with pytest.raises(ValueError, match=r"no vector named 'titel'.*did you mean 'title'"):
        OnlyDot.query.near_vector([1, 0], target_vectors=["titel"])
    with pytest.raises(ValueError, match="not a vector name"):
        Mixed.query.near_vector({"ti}tle": [1, 0]})


def test_generative_options_are_checked_alike_for_both_transports() -> None:
    assert wvorm.GenerativeOpenAI(stop="END").stop == ("END",)  # type: ignore[arg-type]
    assert wvorm.GenerativeOpenAI(temperature=0).temperature == 0.0
    for bad in ({"max_tokens": 40.0}, {"temperature": "hot"}, {"stop": [1]}, {"n": True}):
        with pytest.raises(ValueError, match="GenerativeOpenAI"):
            wvorm.GenerativeOpenAI(**bad)


def test_a_multi_vector_of_arrays_is_snapshotted_deeply() -> None:
    from array import array

    from wvorm.orm._state import mark_clean, vector_changes

    named = VNamed(title="t")
    rows = [array("d", [1.0, 0.0]), array("d", [0.0, 1.0])]
    state_of(named).vectors["tokens"] = rows  # type: ignore[assignment]
    mark_clean(named)
    rows[0][1] = 5.0  # changed in place
    assert "tokens" in vector_changes(named)[1]


def test_dumps_leave_out_unset_vector_fields_when_asked() -> None:
    doc = VDoc(title="a")
    assert "embedding" not in doc.model_dump(exclude_unset=True)
    assert doc.model_dump()["embedding"] is None
    doc.embedding = [1, 0, 0]
    assert doc.model_dump(exclude_unset=True)["embedding"] == [1.0, 0.0, 0.0]


def test_a_vector_field_read_on_the_class_says_what_it_is() -> None:
    with pytest.raises(UnknownFieldError, match=r"is a vector.*target_vectors=\['title'\]"):
        _ = VNamed.title_vec
    with pytest.raises(UnknownFieldError, match=r"with_vector\(\)"):
        _ = VDoc.embedding

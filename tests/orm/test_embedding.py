"""Client-side embedding functions (``Vector(embed=..., source=[...])``) on the real
server over every transport: what a commit embeds and what it leaves alone, the
batches it calls the function with, failures named per object, and text searches
embedded by the same function."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Optional

import pytest

import wvorm
from tests.support.embedder import embed
from wvorm import Session, Vector, WeaviateModel, state_of

DIMENSIONS = 64
calls: list[list[str]] = []


def embed_texts(texts: list[str]) -> list[list[float]]:
    """The test's embedding function: records each call; a text with <fail> fails it."""
    calls.append(list(texts))
    if any("<fail>" in t for t in texts):
        raise ValueError("cannot embed <fail>")
    return [embed(t, DIMENSIONS) for t in texts]


class EDoc(WeaviateModel):
    title: str
    body: str = ""
    stars: int = 0
    embedding: Annotated[
        Optional[list[float]],
        Vector(DIMENSIONS, embed=embed_texts, source=["title", "body"], batch_size=2),
    ] = None


def close_to(a: Any, b: list[float]) -> bool:
    return a is not None and max(abs(x - y) for x, y in zip(a, b)) < 1e-6


@pytest.fixture
def schema(client: wvorm.Client) -> Iterator[wvorm.Client]:
    wvorm.create_all(client, [EDoc])
    calls.clear()
    yield client


def stored_vector(client: wvorm.Client, doc: EDoc) -> Any:
    found = client.data_object.get_by_id(str(doc.id), class_name="EDoc", with_vector=True)
    assert found is not None
    return found["vector"]


def test_new_objects_are_embedded_in_batches_before_they_are_sent(schema: wvorm.Client) -> None:
    docs = [EDoc(title=f"title {i}", body="body") for i in range(5)]
    mine = EDoc(title="mine", embedding=[1.0] + [0.0] * (DIMENSIONS - 1))
    with Session(schema) as session:
        session.add_all([*docs, mine])
        session.commit()
    assert calls == [
        ["title 0\nbody", "title 1\nbody"],
        ["title 2\nbody", "title 3\nbody"],
        ["title 4\nbody"],
    ]  # batch_size=2; a vector the user set is not embedded
    for doc in docs:
        assert doc.embedding == embed(f"{doc.title}\nbody", DIMENSIONS)
        assert close_to(stored_vector(schema, doc), embed(f"{doc.title}\nbody", DIMENSIONS))
    assert stored_vector(schema, mine)[0] == 1.0


def test_only_objects_whose_source_changed_are_embedded_again(schema: wvorm.Client) -> None:
    doc, other = EDoc(title="first"), EDoc(title="second")
    with Session(schema) as session:
        session.add_all([doc, other])
        session.commit()
        calls.clear()
        doc.stars = 5  # not a source field
        session.commit()
        assert calls == []
        doc.title = "first, edited"
        session.commit()
        assert calls == [["first, edited"]]
    assert close_to(stored_vector(schema, doc), embed("first, edited", DIMENSIONS))

    calls.clear()
    with Session(schema) as session:  # loaded without its vector
        loaded = session.get(EDoc, other.id)
        assert loaded is not None
        loaded.stars = 1
        session.commit()
        assert calls == []
        loaded.body = "a body"
        session.commit()
        assert calls == [["second\na body"]]
    assert close_to(stored_vector(schema, other), embed("second\na body", DIMENSIONS))

    calls.clear()
    with Session(schema) as session:  # a vector assigned with the change wins
        loaded = session.get(EDoc, other.id)
        assert loaded is not None
        loaded.title = "third"
        loaded.embedding = [0.0, 1.0] + [0.0] * (DIMENSIONS - 2)
        session.commit()
    assert calls == [] and stored_vector(schema, other)[1] == 1.0


def test_a_failed_embedding_names_its_object_and_leaves_it_pending(
    schema: wvorm.Client,
) -> None:
    good, bad = EDoc(title="good"), EDoc(title="bad <fail>")
    with Session(schema) as session:
        session.add_all([good, bad])
        with pytest.raises(wvorm.CommitError) as caught:
            session.commit()
        assert [item for item, _ in caught.value.failures] == [bad]
        (reason,) = [r for _, r in caught.value.failures]
        assert "EDoc.embedding failed" in reason and "cannot embed <fail>" in reason
        assert calls == [["good", "bad <fail>"], ["good"], ["bad <fail>"]]  # then one by one
        assert EDoc.query.using(schema).count() == 1
        assert session.new == [bad]
        bad.title = "fixed"
        session.commit()
        assert calls[-1] == ["fixed"]
    assert close_to(stored_vector(schema, bad), embed("fixed", DIMENSIONS))


def test_a_text_edited_after_a_failed_commit_is_embedded_again(schema: wvorm.Client) -> None:
    doc, broken = EDoc(title="before"), EDoc(title="x", stars=3)
    with Session(schema) as session:
        session.add_all([doc, broken])
        state_of(broken).vector = [1.0]  # refused: wrong length; the commit fails
        with pytest.raises(wvorm.CommitError):
            session.commit()
        session.expunge(broken)
        assert not session.new  # doc was written with the vector of "before"
        doc.title = "after"
        session.commit()
    assert close_to(stored_vector(schema, doc), embed("after", DIMENSIONS))


def test_an_embedding_that_needs_an_unloaded_source_is_refused(schema: wvorm.Client) -> None:
    doc = EDoc(title="t", body="b")
    with Session(schema) as session:
        session.add(doc)
        session.commit()
    with Session(schema) as session:
        (partial,) = session.query(EDoc).select(EDoc.title).all()
        partial.title = "new title"
        with pytest.raises(wvorm.CommitError, match="body was not loaded"):
            session.commit()
    assert close_to(stored_vector(schema, doc), embed("t\nb", DIMENSIONS))


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (lambda texts: [embed(t, DIMENSIONS) for t in texts][:-1], r"0 vector\(s\) for 1 text"),
        (lambda texts: [[0.5] * 3 for _ in texts], "has 3 dimensions"),
        (lambda texts: [[float("nan")] * DIMENSIONS for _ in texts], "finite number"),
        (lambda texts: "no vectors", "not a list of vectors"),
    ],
)
def test_a_wrong_answer_of_the_function_is_refused(
    client: wvorm.Client, answer: Any, message: str
) -> None:
    class EWrong(WeaviateModel):
        title: str
        embedding: Annotated[
            Optional[list[float]], Vector(DIMENSIONS, embed=answer, source="title")
        ] = None

    wvorm.create_all(client, [EWrong])
    with Session(client) as session:
        session.add(EWrong(title="a"))
        with pytest.raises(wvorm.CommitError, match=message):
            session.commit()
    assert EWrong.query.using(client).count() == 0


def test_text_searches_embed_the_query_with_the_same_function(schema: wvorm.Client) -> None:
    titles = ["red apples and pears", "blue ocean waves", "green forest trees"]
    with Session(schema) as session:
        session.add_all([EDoc(title=t) for t in titles])
        session.commit()
    calls.clear()
    query = EDoc.query.using(schema)
    assert query.near_text("blue ocean waves").limit(1).one().title == "blue ocean waves"
    assert calls == [["blue ocean waves"]]
    (hit,) = query.near_text(["red apples", "pears"]).limit(1).hits()
    assert hit.object.title == "red apples and pears"
    assert hit.distance is not None
    assert query.hybrid("forest", alpha=1.0).limit(1).one().title == "green forest trees"
    assert calls[-1] == ["forest"]
    assert "nearVector" in query.near_text("waves").build()
    with pytest.raises(ValueError, match="embedded on the client"):
        query.near_text("x", move_to=("y", 0.5))


def test_a_function_that_keeps_failing_is_not_called_for_every_text() -> None:
    """Regression: with the embedding service down, a commit gave up only after one
    failing call per text; it stops after the same error GIVE_UP_AFTER times in a row."""
    from wvorm.orm._embedding import GIVE_UP_AFTER, embed_for_flush

    texts_seen: list[list[str]] = []

    def down(texts: list[str]) -> list[list[float]]:
        texts_seen.append(list(texts))
        raise ConnectionError("the embedding service is down")

    class EDown(WeaviateModel):
        title: str
        embedding: Annotated[
            Optional[list[float]], Vector(2, embed=down, source="title", batch_size=4)
        ] = None

    docs = [EDown(title=f"t{i}") for i in range(10)]
    failed = embed_for_flush(docs, [])
    assert len(texts_seen) == 1 + GIVE_UP_AFTER  # one batch, then that many texts alone
    assert set(failed) == {id(d) for d in docs}
    assert all("the embedding service is down" in r for r in failed.values())
    assert sum(r.startswith("not embedded:") for r in failed.values()) == 10 - GIVE_UP_AFTER


def test_a_copy_of_an_embedded_object_is_embedded_again_when_its_text_changes() -> None:
    """Regression: a copy's vector counted as assigned by the user, so an edit of the
    copy's text kept the vector of the old text."""
    import copy

    from wvorm.orm._embedding import embed_for_flush

    doc = EDoc(title="before")
    assert embed_for_flush([doc], []) == {}
    for twin in (copy.copy(doc), doc.model_copy(update={"title": "after"})):
        calls.clear()
        twin.title = "after"
        assert embed_for_flush([twin], []) == {}
        assert calls == [["after"]] and twin.embedding == embed("after", DIMENSIONS)

"""``Query.rerank``: results reordered by Weaviate's ``reranker-transformers`` module,
pointed at the local reranker of :mod:`tests.support.embedder`, over every transport."""

from __future__ import annotations

import pytest

import wvorm
from tests.support.embedder import EmbeddingService, rerank_score
from wvorm import Session, WeaviateModel

TITLES = ["a red apple", "the blue sea", "apples and pears", "a green forest"]


class RDoc(WeaviateModel, vectorizer="text2vec-transformers"):
    title: str
    body: str = ""


@pytest.fixture
def docs(client: wvorm.Client) -> wvorm.Client:
    wvorm.create_all(client, [RDoc])
    with Session(client) as session:
        session.add_all([RDoc(title=t, body=f"about {t}") for t in TITLES])
        session.commit()
    return client


def test_rerank_orders_hits_by_the_modules_score(
    docs: wvorm.Client, embedding_service: EmbeddingService
) -> None:
    embedding_service.reset()
    query = RDoc.query.using(docs).near_text("fruit").limit(4).rerank(RDoc.title, "apple")
    hits = query.hits()
    expected = sorted(TITLES, key=lambda t: rerank_score("apple", t), reverse=True)
    assert [h.object.title for h in hits] == expected
    for hit in hits:
        assert hit.rerank_score == pytest.approx(rerank_score("apple", hit.object.title))
    (call,) = embedding_service.rerank_requests
    assert call.query == "apple" and sorted(call.documents) == sorted(TITLES)
    assert [d.title for d in query.all()] == expected  # all() keeps the module's order


def test_rerank_without_a_query_uses_the_searchs_own(docs: wvorm.Client) -> None:
    hits = RDoc.query.using(docs).bm25("apple").limit(4).rerank("body").hits()
    assert hits and all(h.rerank_score is not None for h in hits)
    scores = [h.rerank_score for h in hits]
    assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]


def test_rerank_needs_a_limit_and_a_text_field(docs: wvorm.Client) -> None:
    query = RDoc.query.using(docs).near_text("fruit")
    with pytest.raises(ValueError, match="give the query a limit"):
        query.rerank(RDoc.title, "apple").all()
    with pytest.raises(ValueError, match="has no field"):
        query.rerank("nope", "apple")


def test_a_reranker_error_is_raised(docs: wvorm.Client) -> None:
    with Session(docs) as session:
        session.add(RDoc(title="<fail>"))
        session.commit()
    query = RDoc.query.using(docs).bm25("fail").limit(5).rerank(RDoc.title, "x")
    with pytest.raises(wvorm.QueryError, match="told to fail"):
        query.all()

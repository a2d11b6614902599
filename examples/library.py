"""The spec's Publication / Article / Author schema as wvorm models, end to end.

Generates a thousand objects with references in both directions, writes them in
one ``session.commit()``, then runs where, near_text, bm25, hybrid, include and
count queries and prints typed results.

near_text needs a server with the ``text2vec-transformers`` module::

    python examples/library.py http://localhost:8080

(The test suite runs it against its own server with a local embedding service.)
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta, timezone
from typing import Annotated, Optional

import wvorm
from wvorm import GeoCoordinate, Property, Session, WeaviateModel


class Publication(WeaviateModel):
    """A publication with an online source"""

    name: str
    headquarters: Optional[GeoCoordinate] = None
    has_articles: list[Article] = []


class Article(WeaviateModel, vectorizer="text2vec-transformers"):
    """A written text, for example a news article or blog post"""

    title: Annotated[str, Property(tokenization="word")]
    content: str
    word_count: int = 0
    published: Optional[datetime] = None
    tags: list[str] = []
    written_by: list[Author] = []
    in_publication: Optional[Publication] = None


class Author(WeaviateModel):
    """The writer of an article"""

    name: str
    wrote_articles: list[Article] = []
    writes_for: Optional[Publication] = None


TOPICS = {
    "fashion": ["couture", "runway", "style", "designer", "fabric"],
    "finance": ["markets", "stocks", "bonds", "inflation", "earnings"],
    "science": ["physics", "telescope", "genome", "climate", "quantum"],
    "travel": ["island", "mountains", "railway", "museum", "harbour"],
}


def generate(seed: int = 7) -> list[Publication]:
    """10 publications, 90 authors and 900 articles, linked both ways (1,000 objects)."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    publications = [
        Publication(
            name=f"The {topic.title()} Gazette {i}",
            headquarters=GeoCoordinate(latitude=52.37 + i, longitude=4.89 - i),
        )
        for i, topic in enumerate(list(TOPICS) * 3)
    ][:10]
    authors = [Author(name=f"Author {i}") for i in range(90)]
    for index, author in enumerate(authors):
        publication = publications[index % len(publications)]
        author.writes_for = publication
        for n in range(10):
            topic = rng.choice(list(TOPICS))
            words = rng.sample(TOPICS[topic], 3)
            article = Article(
                title=f"{words[0].title()} and {words[1]}: notes {index}-{n}",
                content=f"A piece about {topic}: {' '.join(words)}.",
                word_count=rng.randint(100, 3000),
                published=start + timedelta(days=rng.randint(0, 600)),
                tags=[topic, *words[:2]],
                written_by=[author],
                in_publication=publication,
            )
            author.wrote_articles.append(article)
            publication.has_articles.append(article)
    return publications


def main(url: str) -> None:
    """Create the schema, import the library, and print what the queries find."""
    client = wvorm.connect(url)
    models: list[type[WeaviateModel]] = [Publication, Article, Author]
    wvorm.drop_all(client, models)
    wvorm.create_all(client, models)

    with Session(client, batch_size=200) as session:
        session.add_all(generate())  # cascades to every author and article
        session.commit()  # objects first, then their cross-references

    print(f"{Article.query.count()} articles, {Author.query.count()} authors")

    long_reads = (
        Article.query.where((Article.word_count > 2500) & Article.tags.contains_any(["finance"]))
        .sort(Article.word_count.desc())
        .limit(3)
        .all()
    )
    for article in long_reads:
        print(f"where:       {article.title} ({article.word_count} words)")

    for article in Article.query.near_text(["runway couture"], distance=0.9).limit(3).all():
        print(f"near_text:   {article.title}")

    for hit in Article.query.bm25("telescope", properties=[Article.title]).limit(3).hits():
        print(f"bm25:        {hit.object.title} (score {hit.score:.3f})")

    for article in Article.query.hybrid("quantum genome", alpha=0.5).limit(3).all():
        print(f"hybrid:      {article.title}")

    author = Author.query.where(Author.name == "Author 7").include(Author.wrote_articles).one()
    titles = sorted(a.title for a in author.wrote_articles)
    print(f"include:     {author.name} wrote {len(titles)} articles, e.g. {titles[0]!r}")

    jane_count = Article.query.where(Article.written_by.name == "Author 7").count()
    print(f"count:       {jane_count} articles written by {author.name}")
    client.close()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://localhost:8080")

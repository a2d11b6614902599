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
from tests.orm.conftest import transport_client
from tests.support.embedder import (
    FAIL_MARKER,
    GENERATED_PREFIX,
    EmbeddingService,
    generative_openai_env,
)
from wvorm import Session, WeaviateModel, schema_of
from wvorm.errors import QueryError, UsageError
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


# -- the ORM: Model.query....generate(), on both transports --------------------------------


class Story(WeaviateModel, vectorizer="none"):
    """A story to write about"""

    title: str
    pages: int = 0


@pytest.fixture(params=["grpc", "graphql"])
def story_client(
    request: pytest.FixtureRequest,
    server_factory: ServerFactory,
    embedding_service: EmbeddingService,
) -> Iterator[wvorm.Client]:
    """A server with generative-openai; Story's class points the module at the service."""
    server = server_factory(additional_env_vars=generative_openai_env())
    with transport_client(server, request.param) as client:
        (definition,) = schema_of(Story)["classes"]
        module = {"baseURL": embedding_service.url, "model": "gpt-3.5-turbo"}
        client.schema.create_class({**definition, "moduleConfig": {"generative-openai": module}})
        with Session(client) as session:
            for i, title in enumerate(TITLES):
                session.add(Story(title=title, pages=i))
            session.commit()
        embedding_service.reset()
        yield client


def test_generate_returns_each_typed_object_with_its_text_and_the_grouped_answer(
    story_client: wvorm.Client, embedding_service: EmbeddingService
) -> None:
    prompt = 'Write "{title}" \\ in {pages} pages\nplease'
    generation = (
        Story.query.using(story_client)
        .limit(5)  # (no sort: Weaviate's gRPC API refuses a sort beside a generative search)
        .generate(single_prompt=prompt, grouped_task="Sum up", grouped_properties=["title"])
    )
    assert sorted(g.object.title for g in generation.objects) == sorted(TITLES)
    assert all(isinstance(g.object, Story) for g in generation.objects)
    for g in generation.objects:
        sent = prompt.replace("{title}", g.object.title).replace("{pages}", str(g.object.pages))
        assert g.text == GENERATED_PREFIX + sent
    assert generation.grouped is not None and generation.grouped.startswith(GENERATED_PREFIX)
    assert "Sum up" in generation.grouped and all(
        json.dumps(t) in generation.grouped for t in TITLES
    )
    only_grouped = Story.query.using(story_client).limit(5).generate(grouped_task="Sum")
    assert {g.text for g in only_grouped.objects} == {None} and only_grouped.grouped


def test_generate_raises_the_modules_error_and_refuses_bad_input(
    story_client: wvorm.Client,
) -> None:
    query = Story.query.using(story_client).limit(5)
    with pytest.raises(QueryError, match="told to fail"):
        query.generate(single_prompt=f"{FAIL_MARKER} {{title}}")
    with pytest.raises(UsageError, match="needs single_prompt and/or grouped_task"):
        query.generate()
    with pytest.raises(UsageError, match="give the query a limit"):
        Story.query.using(story_client).generate(single_prompt="x")
    with pytest.raises(UsageError, match="single_prompt must be a non-empty str"):
        query.generate(single_prompt="")


def test_generate_takes_the_modules_options_for_one_search(
    story_client: wvorm.Client, embedding_service: EmbeddingService
) -> None:
    # (a model Weaviate has no token limit for: for known ones behind a third-party
    # baseURL, Weaviate 1.39 replaces max_tokens with the prompt's token count)
    options = wvorm.GenerativeOpenAI(
        model="local-model", temperature=0.25, max_tokens=40, top_p=0.5, stop=("END",)
    )
    generation = (
        Story.query.using(story_client)
        .limit(1)
        .generate(single_prompt="About {title}", grouped_task="All", provider=options)
    )
    assert generation.objects[0].text is not None and generation.grouped is not None
    requests = embedding_service.chat_requests
    assert len(requests) == 2  # one object, and the grouped task
    for request in requests:
        assert request.model == "local-model"  # not the class's gpt-3.5-turbo
        body = request.body
        assert (body["temperature"], body["top_p"]) == (0.25, 0.5)
        assert body["max_completion_tokens"] == 40  # OpenAI's current name for max_tokens
        assert body["stop"] == ["END"]
    with pytest.raises(UsageError, match="GenerativeOpenAI"):
        Story.query.using(story_client).limit(1).generate(
            single_prompt="x",
            provider={"model": "gpt-4"},  # type: ignore[arg-type]
        )

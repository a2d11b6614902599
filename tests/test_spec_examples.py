"""Every Python block of the v3 client spec, run against real servers as wvorm.

Each block runs with ``import weaviate`` changed to ``import wvorm as weaviate``
(``weaviate.util`` to ``wvorm.util``) and the placeholder URL and credentials
changed to those of a real server; then a check asserts what the block did.
Two blocks carry typos in the spec itself; the fix is the smallest possible and
is named where it is applied.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wvorm
import wvorm.client
from tests.conftest import API_KEYS, ServerFactory, api_key_env, delete_all_classes
from tests.orm.conftest import transport_client
from tests.support.oidc import OIDCProvider
from wvorm.embedded import EmbeddedServer

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "python-client-v3.md"
PLACEHOLDER_URLS = (
    "https://WEAVIATE_INSTANCE_URL",
    "http://localhost:8080",
    "https://localhost:8080",
)


@pytest.fixture(params=("grpc", "graphql"))
def client(
    weaviate_server: EmbeddedServer, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[wvorm.Client]:
    """The blocks run on both transports: this client, and every client a block makes
    without ``additional_config``, query and batch over ``request.param``."""
    transport = request.param
    config = {"grpc_port": weaviate_server.ports.grpc, "transport": transport}
    monkeypatch.setattr(wvorm.client, "Config", lambda: wvorm.Config(**config))
    delete_all_classes(weaviate_server.url)
    with transport_client(weaviate_server, transport) as c:
        yield c
    delete_all_classes(weaviate_server.url)


def spec_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", SPEC.read_text(), re.S)


def as_wvorm(code: str, url: str, replacements: dict[str, str] | None = None) -> str:
    code = code.replace("from weaviate.util", "from wvorm.util")
    code = code.replace("import weaviate\n", "import wvorm as weaviate\n")
    for placeholder in PLACEHOLDER_URLS:
        code = code.replace(placeholder, url)
    for old, new in (replacements or {}).items():
        assert old in code, f"the spec block no longer contains {old!r}"
        code = code.replace(old, new)
    return code


def run_block(index: int, url: str, namespace: dict[str, Any] | None = None,
              replacements: dict[str, str] | None = None) -> dict[str, Any]:  # fmt: skip
    namespace = {} if namespace is None else namespace
    namespace.setdefault("weaviate", wvorm)  # continuation blocks assume the earlier import
    code = as_wvorm(spec_blocks()[index], url, replacements)
    exec(compile(code, f"{SPEC.name}[block {index}]", "exec"), namespace)
    return namespace


def close_clients(namespace: dict[str, Any]) -> None:
    for value in namespace.values():
        if isinstance(value, wvorm.Client):
            value.close()


def test_the_spec_has_the_blocks_this_file_checks() -> None:
    assert len(spec_blocks()) == 19


# -- set-up, authentication and headers -------------------------------------------------


@pytest.mark.parametrize("index", [0, 1, 6])
def test_setup_blocks(index: int, client: wvorm.Client) -> None:
    namespace = run_block(index, client.url, {"auth_config": None})
    made = namespace["client"]
    assert isinstance(made, wvorm.Client) and made.is_ready()
    if index == 1:
        assert made._connection.additional_headers["x-openai-api-key"] == "YOUR-OPENAI-API-KEY"
        assert made.timeout_config == (5.0, 15.0)
    if index == 6:
        assert made._connection.additional_headers[
            "headerkey"
        ]  # (lower-cased, as v3) == "HeaderValue"
    close_clients(namespace)


def test_api_key_block(server_factory: ServerFactory) -> None:
    keys = {**API_KEYS, "YOUR-WEAVIATE-API-KEY": "spec-user"}
    server = server_factory(additional_env_vars=api_key_env(keys))
    namespace = run_block(2, server.url)
    assert namespace["client"].schema.get() == {"classes": []}, "the key was accepted"
    close_clients(namespace)


def test_password_flow_block(server_factory: ServerFactory, oidc_provider: OIDCProvider) -> None:
    server = server_factory(additional_env_vars=oidc_provider.weaviate_env())
    credentials = {'"user"': repr(oidc_provider.username), '"pass"': repr(oidc_provider.password)}
    namespace = run_block(3, server.url, replacements=credentials)
    assert namespace["client"].schema.get() == {"classes": []}
    close_clients(namespace)


def test_client_credentials_block(
    server_factory: ServerFactory, oidc_provider: OIDCProvider
) -> None:
    env = oidc_provider.weaviate_env(client_id=oidc_provider.service_client_id)
    server = server_factory(additional_env_vars=env)
    replacements = {
        '"client_secret"': repr(oidc_provider.client_secret),
        # The spec's placeholder scopes; the provider refuses unknown ones (invalid_scope).
        '"scope1 scope2"': '"openid"',
    }
    namespace = run_block(4, server.url, replacements=replacements)
    assert namespace["client"].schema.get() == {"classes": []}
    close_clients(namespace)


def test_bearer_token_block(server_factory: ServerFactory, oidc_provider: OIDCProvider) -> None:
    server = server_factory(additional_env_vars=oidc_provider.weaviate_env())
    tokens = oidc_provider.password_token()
    replacements = {
        # The spec's block lacks the commas between arguments (a SyntaxError as printed).
        '"some token"\n': f"{tokens['access_token']!r},\n",
        "by default 60s\n": "by default 60s\n,",
        '"other token"': repr(tokens["refresh_token"]),
    }
    namespace = run_block(5, server.url, replacements=replacements)
    assert namespace["client"].schema.get() == {"classes": []}
    close_clients(namespace)


# -- schema and batching -------------------------------------------------------------------


def test_schema_create_block(client: wvorm.Client) -> None:
    namespace = run_block(7, client.url)
    classes = {c["class"]: c for c in client.schema.get()["classes"]}
    assert set(classes) == {"Publication", "Article", "Author"}
    properties = {p["name"]: p["dataType"] for p in classes["Author"]["properties"]}
    assert properties == {
        "name": ["text"], "wroteArticles": ["Article"], "writesFor": ["Publication"],
    }  # fmt: skip
    assert classes["Publication"]["description"] == "A publication with an online source"
    close_clients(namespace)


def count(client: wvorm.Client, class_name: str) -> int:
    result = client.query.aggregate(class_name).with_meta_count().do()
    value: int = result["data"]["Aggregate"][class_name][0]["meta"]["count"]
    return value


def references(client: wvorm.Client, class_name: str, uuid: str, prop: str) -> list[str]:
    obj = client.data_object.get_by_id(uuid, class_name=class_name)
    assert obj is not None
    return sorted(ref["beacon"].rsplit("/", 1)[-1] for ref in obj["properties"].get(prop, []))


@pytest.mark.parametrize("index", [9, 10, 11], ids=["auto", "dynamic", "manual"])
def test_batching_blocks_import_everything(index: int, client: wvorm.Client) -> None:
    namespace = run_block(index, client.url)
    author, book_1, book_2 = (
        namespace["uuid_author"], namespace["uuid_book_1"], namespace["uuid_book_2"],
    )  # fmt: skip
    assert count(client, "Author") == 1 and count(client, "Book") == 2
    assert references(client, "Author", author, "wroteBooks") == sorted([book_1, book_2])
    assert references(client, "Book", book_1, "ofAuthor") == [author]
    assert references(client, "Book", book_2, "ofAuthor") == [author]
    assert not namespace["client"].batch.failed_objects
    assert not namespace["client"].batch.failed_references
    assert namespace["client"].transport.name == client.transport.name  # on this transport
    close_clients(namespace)


def batch_settings(client: wvorm.Client) -> dict[str, Any]:
    batch = client.batch
    return {
        "batch_size": batch.batch_size, "dynamic": batch.dynamic,
        "num_workers": batch.num_workers, "creation_time": batch.creation_time,
        "timeout_retries": batch.timeout_retries,
        "connection_error_retries": batch.connection_error_retries,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (8, {"batch_size": 100, "dynamic": True, "num_workers": 4}),
        (12, {"batch_size": 100, "dynamic": False, "num_workers": 1, "creation_time": 5,
              "timeout_retries": 3, "connection_error_retries": 5}),
    ],
)  # fmt: skip
def test_batch_configuration_blocks(
    index: int, expected: dict[str, Any], client: wvorm.Client
) -> None:
    run_block(index, client.url, {"client": client})
    settings = batch_settings(client)
    assert {k: settings[k] for k in expected} == expected


def test_error_handling_blocks(client: wvorm.Client, capsys: pytest.CaptureFixture[str]) -> None:
    client.schema.create_class(
        {"class": "Author", "properties": [{"name": "name", "dataType": ["text"]}]}
    )
    namespace: dict[str, Any] = {"client": client}
    run_block(13, client.url, namespace)  # defines check_batch_result, which prints errors
    run_block(14, client.url, namespace)  # auto batching with that callback
    with client.batch as batch:
        batch.add_data_object({"name": "fits"}, "Author", vector=[1.0, 2.0])
    with client.batch as batch:
        batch.add_data_object({"name": "too long"}, "Author", vector=[1.0, 2.0, 3.0])
    assert "vector dimensions do not match" in capsys.readouterr().out, "the callback saw the error"
    client.batch.configure(batch_size=None)  # manual batching, as the next block expects
    client.batch.add_data_object({"name": "also too long"}, "Author", vector=[1.0, 2.0, 3.0])
    # The spec calls create_object(); the v3 method is create_objects().
    run_block(15, client.url, namespace, {"create_object()": "create_objects()"})
    assert "vector dimensions do not match" in capsys.readouterr().out
    assert count(client, "Author") == 1


def test_error_handling_example_reports_each_failed_object(
    client: wvorm.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    client.schema.create(
        {"classes": [
            {"class": "Publication", "properties": [{"name": "name", "dataType": ["text"]}]},
            {"class": "Author", "properties": [
                {"name": "name", "dataType": ["text"]},
                {"name": "writesFor", "dataType": ["Publication"]},
            ]},
        ]}
    )  # fmt: skip
    namespace = run_block(16, client.url)
    printed = capsys.readouterr().out
    # Weaviate 1.39 rejects a reference to an object that does not exist, so both objects
    # of the example fail; each one reaches the callback and failed_objects with its reason.
    failed = {f.uuid: f.message for f in namespace["client"].batch.failed_objects}
    assert set(failed) == {
        "36ddd591-2dee-4e7e-a3cc-eb86d30a4303", "cb7d0da4-ceaa-42d0-a483-282f545deed7",
    }  # fmt: skip
    assert all("no object with id f81bfe5e" in str(error) for error in failed.values())
    assert printed.count("We got an error!") == 2
    assert count(client, "Author") == 0
    close_clients(namespace)


# -- the GraphQL builder -------------------------------------------------------------------


@pytest.fixture
def articles(client: wvorm.Client) -> wvorm.Client:
    client.schema.create_class({
        "class": "Article", "vectorizer": "text2vec-transformers",
        "properties": [
            {"name": "title", "dataType": ["text"]}, {"name": "wordCount", "dataType": ["int"]},
        ],
    })  # fmt: skip
    rows = [
        ("Haute couture in Paris: the fashion week", 1500),
        ("Fashion trends for the autumn", 800),
        ("Quarterly finance report", 2000),
        ("The runway and the fashion of couture houses", 3000),
    ]
    with client.batch(batch_size=10) as batch:
        for title, words in rows:
            batch.add_data_object({"title": title, "wordCount": words}, "Article")
    return client


def test_query_builder_block(articles: wvorm.Client, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = run_block(17, articles.url)
    result = namespace["query_result"]
    assert "errors" not in result, result
    titles = [a["title"] for a in result["data"]["Get"]["Article"]]
    assert titles, "the near_text query found the fashion articles"
    assert "Fashion trends for the autumn" not in titles, "wordCount > 1000 holds"
    assert str(result) in capsys.readouterr().out
    close_clients(namespace)


def test_build_block_gives_an_equivalent_query(articles: wvorm.Client) -> None:
    block = spec_blocks()[18]
    code, expected_line = block.split(">>> ")
    namespace = run_block(17, articles.url)
    run_block(18, articles.url, namespace, {block: code})
    built = namespace["query_result"].build()
    expected = expected_line.strip().strip("'")
    ours = articles.query.raw(built)
    theirs = articles.query.raw(expected)
    assert "errors" not in ours and ours == theirs
    assert built == expected  # v3's text, character for character
    close_clients(namespace)

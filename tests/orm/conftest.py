"""The ORM suite runs on every transport: each test that takes ``client`` runs over
gRPC and over GraphQL against the same server, and over gRPC against a server with
GraphQL disabled (``DISABLE_GRAPHQL=true``, as new Weaviate Cloud clusters run) —
``[grpc]``, ``[graphql]`` and ``[grpc-no-graphql]`` in the test ids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from weakref import WeakSet

import pytest

import wvorm
from tests.conftest import delete_all_classes, vectorizer_env
from wvorm.embedded import EmbeddedOptions, EmbeddedServer

if TYPE_CHECKING:
    from tests.support.embedder import EmbeddingService

TRANSPORTS = ("grpc", "graphql", "grpc-no-graphql")


def transport_client(server: EmbeddedServer, transport: str) -> wvorm.Client:
    """A client of ``server`` whose typed queries travel on ``transport``."""
    config = wvorm.Config(grpc_port=server.ports.grpc, transport=transport)
    client = wvorm.Client(server.url, additional_config=config)
    assert client.transport.name.lower() == transport
    return client


@pytest.fixture(scope="session")
def server_without_graphql(
    embedding_service: EmbeddingService, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedServer]:
    env = vectorizer_env(embedding_service, tmp_path_factory.mktemp("backups"))
    options = EmbeddedOptions(additional_env_vars={**env, "DISABLE_GRAPHQL": "true"})
    server = EmbeddedServer(options)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=TRANSPORTS)
def client(request: pytest.FixtureRequest) -> Iterator[wvorm.Client]:
    name = "server_without_graphql" if request.param == "grpc-no-graphql" else "weaviate_server"
    server: EmbeddedServer = request.getfixturevalue(name)
    delete_all_classes(server.url)
    with transport_client(server, request.param.split("-")[0]) as c:
        if request.param == "grpc-no-graphql":
            _WITHOUT_GRAPHQL.add(c)
        yield c
    delete_all_classes(server.url)


_WITHOUT_GRAPHQL: WeakSet[wvorm.Client] = WeakSet()


def without_graphql(client: wvorm.Client) -> bool:
    """Whether ``client``'s server has GraphQL disabled."""
    return client in _WITHOUT_GRAPHQL


def skip_without_graphql(client: wvorm.Client, why: str) -> None:
    """Skip the rest of a test on the server with GraphQL disabled, saying ``why``
    the feature needs GraphQL."""
    if without_graphql(client):
        pytest.skip(f"needs GraphQL, which this server has disabled: {why}")

"""Real servers for the test suite: Weaviate, an embedding service and an OIDC provider.

Fixtures:
- ``embedding_service`` (session): a deterministic text2vec-transformers stand-in.
- ``weaviate_server`` (session): the shared server, with text2vec-transformers
  (pointed at ``embedding_service``) and backup-filesystem enabled.
- ``client`` (function): a ``wvorm.Client`` on the shared server; every class is
  deleted after the test, so tests start from an empty schema.
- ``server_factory`` (function): start extra servers (auth, restarts); all are
  stopped after the test.
- ``api_key_server``, ``oidc_provider``, ``oidc_server``, ``oidc_service_server``,
  ``cluster``: the authenticated and replicated set-ups.
Every fixture stops what it started, and every server picks free loopback ports.
Every test also runs with wvorm's loggers at DEBUG under a guard that fails it when
a log line holds one of the suite's secrets (``no_secret_in_logs``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import pytest
import requests

import wvorm
from wvorm.embedded import EmbeddedOptions, EmbeddedServer, join_cluster

if TYPE_CHECKING:
    from tests.support.embedder import EmbeddingService
    from tests.support.oidc import OIDCProvider

ServerFactory = Callable[..., EmbeddedServer]


@pytest.fixture(autouse=True)
def no_secret_in_logs() -> Iterator[None]:
    """Fail the test if anything wvorm logs, at any level, holds a secret."""
    from tests.support.secrets import SecretGuard

    guard = SecretGuard()
    logger = logging.getLogger("wvorm")
    level = logger.level
    logger.addHandler(guard)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(guard)
        logger.setLevel(level)
    if guard.leaks:
        pytest.fail("secrets in wvorm's log output:\n" + "\n".join(guard.leaks), pytrace=False)


@pytest.fixture(scope="session")
def embedding_service() -> Iterator[EmbeddingService]:
    from tests.support.embedder import EmbeddingService

    service = EmbeddingService.start()
    yield service
    service.stop()


def vectorizer_env(service: EmbeddingService, backup_dir: Path) -> dict[str, str]:
    """Server settings for text2vec-transformers and reranker-transformers on
    ``service``, and filesystem backups."""
    return {
        "ENABLE_MODULES": "text2vec-transformers,reranker-transformers,backup-filesystem",
        "TRANSFORMERS_INFERENCE_API": service.url,
        "RERANKER_INFERENCE_API": service.url,
        "BACKUP_FILESYSTEM_PATH": str(backup_dir),
    }


@pytest.fixture(scope="session")
def weaviate_server(
    embedding_service: EmbeddingService, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[EmbeddedServer]:
    env = vectorizer_env(embedding_service, tmp_path_factory.mktemp("backups"))
    server = EmbeddedServer(EmbeddedOptions(additional_env_vars=env))
    server.start()
    yield server
    server.stop()


def delete_all_classes(url: str, headers: Optional[dict[str, str]] = None) -> None:
    """Drop every class on the server at ``url`` (test isolation)."""
    schema = requests.get(f"{url}/v1/schema", headers=headers, timeout=30).json()
    for cls in schema.get("classes") or []:
        requests.delete(f"{url}/v1/schema/{cls['class']}", headers=headers, timeout=60)


@pytest.fixture
def client(weaviate_server: EmbeddedServer) -> Iterator[wvorm.Client]:
    delete_all_classes(weaviate_server.url)
    with wvorm.Client(weaviate_server.url) as c:
        yield c
    delete_all_classes(weaviate_server.url)


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[ServerFactory]:
    """``server_factory(**EmbeddedOptions fields)`` starts a server stopped after the test."""
    started: list[EmbeddedServer] = []

    def start(**options: Any) -> EmbeddedServer:
        server = EmbeddedServer(EmbeddedOptions(**options))
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


API_KEYS = {"admin-key": "admin", "reader-key": "reader"}


def api_key_env(keys: dict[str, str] = API_KEYS) -> dict[str, str]:
    """Server settings that accept exactly ``keys`` (key -> user)."""
    return {
        "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "false",
        "AUTHENTICATION_APIKEY_ENABLED": "true",
        "AUTHENTICATION_APIKEY_ALLOWED_KEYS": ",".join(keys),
        "AUTHENTICATION_APIKEY_USERS": ",".join(keys.values()),
    }


@pytest.fixture
def api_key_server(server_factory: ServerFactory) -> EmbeddedServer:
    """A server that accepts only the API keys in ``API_KEYS``."""
    return server_factory(additional_env_vars=api_key_env())


OIDC_TOKEN_LIFETIME = 4  # seconds: tokens expire (and refresh) during a test


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OIDCProvider]:
    """A real OpenID Connect provider (nanoidp) on loopback, with short-lived tokens."""
    from tests.support.oidc import OIDCProvider

    provider = OIDCProvider.start(
        tmp_path_factory.mktemp("oidc"), access_token_lifetime=OIDC_TOKEN_LIFETIME
    )
    yield provider
    provider.stop()


@pytest.fixture
def oidc_server(server_factory: ServerFactory, oidc_provider: OIDCProvider) -> EmbeddedServer:
    """A server that advertises the provider's public client (password, bearer flows)."""
    return server_factory(additional_env_vars=oidc_provider.weaviate_env())


@pytest.fixture
def oidc_service_server(
    server_factory: ServerFactory, oidc_provider: OIDCProvider
) -> EmbeddedServer:
    """A server that advertises the confidential client (client-credentials flow)."""
    env = oidc_provider.weaviate_env(client_id=oidc_provider.service_client_id)
    return server_factory(additional_env_vars=env)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[EmbeddedServer]]:
    """Three nodes joined into one cluster (replication, node failure)."""
    nodes = [EmbeddedServer(EmbeddedOptions(node_name=f"node-{i}")) for i in range(3)]
    join_cluster(nodes)
    try:
        for node in nodes:
            node.launch()
        for node in nodes:
            node.wait_until_ready()
        yield nodes
    finally:
        for node in nodes:
            node.stop()

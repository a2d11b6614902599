"""The test suite's own services: the embedding service and the OIDC provider, alone and
behind a real Weaviate server."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
import requests

from tests.support.embedder import (
    CL100K_SHA256,
    CL100K_URL,
    FAIL_MARKER,
    GENERATED_PREFIX,
    EmbeddingService,
    cosine_similarity,
    embed,
    seed_tiktoken_cache,
    text2vec_openai_env,
)
from tests.support.oidc import OIDCProvider, TokenRequestError, ensure_installed
from wvorm.embedded import EmbeddedServer

ServerFactory = Callable[..., EmbeddedServer]

# Short, so expiry can be waited for; long enough to use a token right after issue.
TOKEN_LIFETIME = 3


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT (unverified: Weaviate does the verifying in these tests)."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- the embedding service ------------------------------------------------------------


@pytest.fixture
def service() -> Iterator[EmbeddingService]:
    with EmbeddingService.start() as running:
        yield running


def test_embed_is_deterministic_normalised_and_similarity_preserving() -> None:
    cat = embed("a cat sat on the mat")
    assert cat == embed("a cat sat on the mat")
    assert len(cat) == 128
    assert sum(x * x for x in cat) == pytest.approx(1.0)
    assert len(embed("x", dimensions=7)) == 7
    same_words = cosine_similarity(cat, embed("the cat sat on a mat"))
    unrelated = cosine_similarity(cat, embed("quarterly finance report"))
    assert same_words > unrelated + 0.5
    # Shared word pieces count too.
    assert cosine_similarity(embed("vectors"), embed("vector")) > cosine_similarity(
        embed("vectors"), embed("finance")
    )
    assert sum(x * x for x in embed("")) == pytest.approx(1.0)


def test_transformers_api(service: EmbeddingService) -> None:
    assert requests.get(f"{service.url}/.well-known/ready", timeout=5).status_code == 204
    assert requests.get(f"{service.url}/.well-known/live", timeout=5).status_code == 200
    meta = requests.get(f"{service.url}/meta", timeout=5).json()
    assert meta["model"]["name"] == "wvorm-hash-embedder"

    for path in ("/vectors", "/vectors/"):
        body = {"text": "hello world", "config": {"pooling_strategy": "masked_mean"}}
        answer = requests.post(service.url + path, json=body, timeout=5).json()
        assert answer == {"text": "hello world", "vector": embed("hello world"), "dims": 128}
    query = {"text": "short", "config": {"task_type": "query", "dimensions": 16}}
    answer = requests.post(f"{service.url}/vectors", json=query, timeout=5).json()
    assert answer["dims"] == 16
    assert answer["vector"] == embed("short", 16)

    assert service.request_count("vectors") == 3
    assert [(r.text, r.task_type) for r in service.vector_requests][-1] == ("short", "query")
    assert service.request_count("ready") == 1


def test_transformers_api_rejects_bad_requests(service: EmbeddingService) -> None:
    not_json = requests.post(f"{service.url}/vectors", data=b"{oops", timeout=5)
    assert not_json.status_code == 400
    assert "not JSON" in not_json.json()["error"]
    no_text = requests.post(f"{service.url}/vectors", json={"config": {}}, timeout=5)
    assert no_text.status_code == 400
    assert '"text"' in no_text.json()["error"]
    assert requests.post(f"{service.url}/elsewhere", json={}, timeout=5).status_code == 404
    assert service.request_count("vectors") == 0


def test_chat_completions_answer_deterministically_and_record_the_prompts(
    service: EmbeddingService,
) -> None:
    messages = [{"role": "user", "content": "Say hi"}]
    url = f"{service.url}/v1/chat/completions"
    response = requests.post(url, json={"model": "gpt-4", "messages": messages}, timeout=5)
    assert response.status_code == 200
    (choice,) = response.json()["choices"]
    assert choice["message"] == {"role": "assistant", "content": GENERATED_PREFIX + "Say hi"}
    parts = [{"role": "user", "content": [{"type": "text", "text": f"{FAIL_MARKER} x"}]}]
    failed = requests.post(url, json={"messages": parts}, timeout=5)
    assert failed.status_code == 500 and "told to fail" in failed.json()["error"]["message"]
    assert requests.post(url, json={"messages": []}, timeout=5).status_code == 400
    assert [(r.model, r.prompts) for r in service.chat_requests] == [
        ("gpt-4", ["Say hi"]),
        (None, [f"{FAIL_MARKER} x"]),
    ]
    assert service.request_count("chat") == 2


def test_openai_embeddings_records_the_key_and_sends_rate_limits(
    service: EmbeddingService,
) -> None:
    response = requests.post(
        f"{service.url}/v1/embeddings",
        json={"input": ["one cat", "two dogs"], "model": "text-embedding-3-small"},
        headers={"Authorization": "Bearer sk-first", "OpenAI-Organization": "org-1"},
        timeout=5,
    )
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    assert body["model"] == "text-embedding-3-small"
    assert [(d["index"], d["object"], d["embedding"]) for d in body["data"]] == [
        (0, "embedding", embed("one cat")),
        (1, "embedding", embed("two dogs")),
    ]
    assert body["usage"]["total_tokens"] == 4
    for header in ("limit", "remaining"):
        for kind in ("requests", "tokens"):
            assert int(response.headers[f"x-ratelimit-{header}-{kind}"]) > 0
    single = requests.post(f"{service.url}/v1/embeddings", json={"input": "solo"}, timeout=5).json()
    assert single["data"][0]["embedding"] == embed("solo")

    first, second = service.openai_requests
    assert (first.api_key, first.organization, first.inputs) == (
        "sk-first",
        "org-1",
        ["one cat", "two dogs"],
    )
    assert (second.authorization, second.inputs) == (None, ["solo"])


def test_openai_embeddings_can_require_a_key() -> None:
    with EmbeddingService.start(openai_api_key="sk-right") as service:
        url = f"{service.url}/v1/embeddings"
        wrong = requests.post(url, json={"input": "x"}, headers=bearer("sk-wrong"), timeout=5)
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "invalid_api_key"
        right = requests.post(url, json={"input": "x"}, headers=bearer("sk-right"), timeout=5)
        assert right.status_code == 200
        assert [r.api_key for r in service.openai_requests] == ["sk-wrong", "sk-right"]
        bad = requests.post(url, json={"input": 3}, timeout=5)
        assert bad.status_code == 400
        assert '"input"' in bad.json()["error"]["message"]


def test_stopped_service_releases_its_port() -> None:
    service = EmbeddingService.start()
    port = service.port
    service.stop()
    service.stop()
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_tiktoken_cache_is_seeded_with_the_real_cl100k_file(tmp_path: Path) -> None:
    directory = seed_tiktoken_cache(tmp_path / "tiktoken")
    target = directory / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == CL100K_SHA256
    started = time.monotonic()
    assert seed_tiktoken_cache(directory) == directory
    assert time.monotonic() - started < 1.0  # no second download


# -- the OIDC provider ----------------------------------------------------------------


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OIDCProvider]:
    with OIDCProvider.start(
        tmp_path_factory.mktemp("oidc"), access_token_lifetime=TOKEN_LIFETIME
    ) as running:
        yield running


def test_installation_is_quick_and_quiet_once_done() -> None:
    messages: list[str] = []
    started = time.monotonic()
    python = ensure_installed(log=messages.append)
    assert python.exists()
    assert messages == []
    assert time.monotonic() - started < 1.0


def test_discovery_document(provider: OIDCProvider) -> None:
    document = provider.discovery()
    assert document["issuer"] == provider.issuer == f"http://127.0.0.1:{provider.port}"
    assert document["token_endpoint"] == provider.token_endpoint
    assert {"password", "client_credentials", "refresh_token"} <= set(
        document["grant_types_supported"]
    )
    assert "client_secret_basic" in document["token_endpoint_auth_methods_supported"]
    assert requests.get(document["jwks_uri"], timeout=5).json()["keys"]


def test_password_grant(provider: OIDCProvider) -> None:
    token = provider.password_token()
    assert token["expires_in"] == TOKEN_LIFETIME
    assert token["refresh_token"]
    access = claims(token["access_token"])
    assert access["iss"] == provider.issuer
    assert access["aud"] == provider.client_id
    assert access["sub"] == provider.username
    assert access["groups"] == [provider.group]
    assert access["exp"] - access["iat"] == TOKEN_LIFETIME


def test_wrong_password_is_refused_with_a_reason(provider: OIDCProvider) -> None:
    with pytest.raises(TokenRequestError) as refused:
        provider.password_token(password="not-" + provider.password)
    assert refused.value.status_code == 400
    assert refused.value.error == "invalid_grant"
    assert refused.value.description is not None
    assert "credentials" in refused.value.description
    with pytest.raises(TokenRequestError, match="invalid_grant"):
        provider.password_token(username="mallory")


def test_client_credentials_grant(provider: OIDCProvider) -> None:
    token = provider.client_credentials_token()
    assert "refresh_token" not in token
    access = claims(token["access_token"])
    assert access["sub"] == provider.service_client_id
    assert access["aud"] == provider.audience
    wrong_secret = provider.request_token(
        {"grant_type": "client_credentials", "scope": "openid"},
        auth=(provider.service_client_id, "wrong"),
    )
    assert wrong_secret.status_code == 401
    assert wrong_secret.json()["error"] == "invalid_client"
    # Why weaviate_env can advertise either client: the public one has no credentials.
    public = provider.request_token(
        {"grant_type": "client_credentials", "client_id": provider.client_id, "scope": "openid"}
    )
    assert public.json()["error"] == "unauthorized_client"


def test_refresh_token_grant(provider: OIDCProvider) -> None:
    first = provider.password_token()
    refreshed = provider.refresh_token_grant(first["refresh_token"])
    assert refreshed["access_token"] != first["access_token"]
    old, new = claims(first["access_token"]), claims(refreshed["access_token"])
    assert new["sub"] == old["sub"] == provider.username
    assert new["jti"] != old["jti"]
    with pytest.raises(TokenRequestError, match="invalid_grant"):
        provider.refresh_token_grant("not-a-refresh-token")


def test_client_secret_post_variant(tmp_path: Path) -> None:
    with OIDCProvider.start(tmp_path, service_auth_method="client_secret_post") as post:
        assert claims(post.client_credentials_token()["access_token"])["sub"] == "wvorm-service"
        basic = post.request_token(
            {"grant_type": "client_credentials", "scope": "openid"},
            auth=(post.service_client_id, post.client_secret),
        )
        assert basic.status_code == 401


def test_stop_leaves_no_process_behind(tmp_path: Path) -> None:
    running = OIDCProvider.start(tmp_path)
    pid, port = running.pid, running.port
    assert pid is not None and running.running
    running.stop()
    running.stop()
    assert running.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


def test_bad_options_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="access_token_lifetime"):
        OIDCProvider.start(tmp_path, access_token_lifetime=0)
    with pytest.raises(ValueError, match="service_auth_method"):
        OIDCProvider.start(tmp_path, service_auth_method="private_key_jwt")


# -- behind a real Weaviate ---------------------------------------------------------


def wait_until_expired(token: str) -> None:
    # Weaviate rejects a token once the clock is past its (whole-second) exp.
    time.sleep(max(0.0, claims(token)["exp"] + 1.1 - time.time()))


def test_weaviate_accepts_provider_tokens(
    provider: OIDCProvider, server_factory: ServerFactory
) -> None:
    server = server_factory(additional_env_vars=provider.weaviate_env())
    advertised = requests.get(f"{server.url}/v1/.well-known/openid-configuration", timeout=10)
    assert advertised.json() == {
        "href": f"{provider.issuer}/.well-known/openid-configuration",
        "clientId": provider.client_id,
        "scopes": ["openid"],
    }
    schema = f"{server.url}/v1/schema"
    user = provider.password_token()
    assert requests.get(schema, headers=bearer(user["access_token"]), timeout=10).status_code == 200
    machine = provider.client_credentials_token()["access_token"]
    assert requests.get(schema, headers=bearer(machine), timeout=10).status_code == 200
    garbage = requests.get(schema, headers=bearer("garbage"), timeout=10)
    assert garbage.status_code == 401
    assert requests.get(schema, timeout=10).status_code == 401

    wait_until_expired(user["access_token"])
    expired = requests.get(schema, headers=bearer(user["access_token"]), timeout=10)
    assert expired.status_code == 401
    assert "expired" in expired.text
    fresh = provider.refresh_token_grant(user["refresh_token"])["access_token"]
    assert requests.get(schema, headers=bearer(fresh), timeout=10).status_code == 200


def test_weaviate_advertising_the_confidential_client(
    provider: OIDCProvider, server_factory: ServerFactory
) -> None:
    env = provider.weaviate_env(client_id=provider.service_client_id)
    assert env["AUTHENTICATION_OIDC_SKIP_CLIENT_ID_CHECK"] == "true"
    server = server_factory(additional_env_vars=env)
    advertised = requests.get(f"{server.url}/v1/.well-known/openid-configuration", timeout=10)
    assert advertised.json()["clientId"] == provider.service_client_id
    machine = provider.client_credentials_token()["access_token"]
    ok = requests.get(f"{server.url}/v1/schema", headers=bearer(machine), timeout=10)
    assert ok.status_code == 200


@pytest.mark.usefixtures("client")  # deletes the class afterwards
def test_weaviate_near_text_through_the_embedding_service(
    weaviate_server: EmbeddedServer, embedding_service: EmbeddingService
) -> None:
    url = weaviate_server.url
    class_name = f"Pet{uuid.uuid4().hex[:8]}"
    created = requests.post(
        f"{url}/v1/schema",
        json={
            "class": class_name,
            "vectorizer": "text2vec-transformers",
            "moduleConfig": {"text2vec-transformers": {"vectorizeClassName": False}},
            "properties": [{"name": "body", "dataType": ["text"]}],
        },
        timeout=30,
    )
    assert created.status_code == 200, created.text
    texts = ["a cat sat on the mat", "quarterly finance report", "rockets fly to the moon"]
    before = embedding_service.request_count("vectors")
    ids = []
    for text in texts:
        added = requests.post(
            f"{url}/v1/objects",
            json={"class": class_name, "properties": {"body": text}},
            timeout=30,
        )
        assert added.status_code == 200, added.text
        ids.append(added.json()["id"])
    assert embedding_service.request_count("vectors") == before + len(texts)
    passages = [r for r in embedding_service.vector_requests if r.text in texts]
    assert {r.task_type for r in passages} == {"passage"}

    stored = requests.get(
        f"{url}/v1/objects/{class_name}/{ids[0]}", params={"include": "vector"}, timeout=30
    ).json()
    assert stored["vector"] == pytest.approx(embed(texts[0]), abs=1e-6)

    query = (
        f'{{Get{{{class_name}(nearText: {{concepts: ["the cat sat on a mat"]}}, limit: 2)'
        f"{{body _additional{{distance}}}}}}}}"
    )
    answer = requests.post(f"{url}/v1/graphql", json={"query": query}, timeout=30).json()
    assert "errors" not in answer, answer
    hits = answer["data"]["Get"][class_name]
    assert hits[0]["body"] == "a cat sat on the mat"
    assert hits[0]["_additional"]["distance"] == pytest.approx(0.0, abs=1e-5)
    assert hits[1]["_additional"]["distance"] > 0.5
    last = embedding_service.vector_requests[-1]
    assert (last.text, last.task_type) == ("the cat sat on a mat", "query")


def test_weaviate_text2vec_openai_passes_the_api_key_header(
    server_factory: ServerFactory, service: EmbeddingService
) -> None:
    server = server_factory(additional_env_vars=text2vec_openai_env())
    created = requests.post(
        f"{server.url}/v1/schema",
        json={
            "class": "Note",
            "vectorizer": "text2vec-openai",
            "moduleConfig": {
                "text2vec-openai": {
                    "baseURL": service.url,
                    "model": "text-embedding-3-small",
                    "vectorizeClassName": False,
                }
            },
            "properties": [{"name": "body", "dataType": ["text"]}],
        },
        timeout=30,
    )
    assert created.status_code == 200, created.text
    headers = {"X-OpenAI-Api-Key": "sk-from-header"}
    notes = ["first note about cats", "second note about stocks", "third note about moons"]
    batch = requests.post(
        f"{server.url}/v1/batch/objects",
        json={"objects": [{"class": "Note", "properties": {"body": n}} for n in notes]},
        headers=headers,
        timeout=60,
    )
    assert batch.status_code == 200, batch.text
    assert [o["result"].get("errors") for o in batch.json()] == [None, None, None]
    received = service.openai_requests
    assert {r.api_key for r in received} == {"sk-from-header"}
    assert sorted(text for r in received for text in r.inputs) == sorted(notes)
    assert {r.model for r in received} == {"text-embedding-3-small"}

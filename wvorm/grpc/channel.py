"""The gRPC channel: calls with the client's headers, timeouts and retries.

The one place in wvorm that talks gRPC. Every call carries the same headers as the
REST requests of the client's :class:`~wvorm.connection.Connection` (additional
headers and the current ``authorization``, renewed when it expires or is refused),
the connection's read timeout as its deadline, and retries with backoff when the
server is unavailable (every call made here only reads, or writes idempotently by
uuid). Failures become the same errors as on REST, with the server's message.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Optional

import grpc

from wvorm.connection import Connection, after_attempts, backoff_delay
from wvorm.errors import (
    AuthenticationFailedException,
    QueryError,
    WeaviateConnectionError,
    WeaviateTimeoutError,
)
from wvorm.grpc._proto.v1 import aggregate_pb2, batch_delete_pb2, batch_pb2, search_get_pb2

logger = logging.getLogger("wvorm.grpc")

SERVICE = "/weaviate.v1.Weaviate/"  # the server's service name (our messages are wvorm.v1)
_RETRIED = (grpc.StatusCode.UNAVAILABLE,)
RECONNECT_BACKOFF_MS = 250  # at most this long between attempts to reach a lost server


class GrpcChannel:
    """A channel to one server's gRPC port, sharing a REST connection's settings."""

    def __init__(self, target: str, connection: Connection, *, secure: bool = False) -> None:
        self.target = target
        self._connection = connection
        options = [
            ("grpc.max_receive_message_length", -1),
            ("grpc.max_send_message_length", -1),
            # gRPC waits longer and longer (up to 120 s) before reconnecting to a server
            # it lost, failing every call meanwhile: a server back after a restart would
            # stay unreachable over gRPC long after REST reached it. Capped, our own
            # retries (with their backoff) find it within a second of its return.
            ("grpc.initial_reconnect_backoff_ms", RECONNECT_BACKOFF_MS),
            ("grpc.min_reconnect_backoff_ms", RECONNECT_BACKOFF_MS),
            ("grpc.max_reconnect_backoff_ms", RECONNECT_BACKOFF_MS),
        ]
        self._channel = (
            grpc.secure_channel(target, grpc.ssl_channel_credentials(), options=options)
            if secure
            else grpc.insecure_channel(target, options=options)
        )
        self._closed = False
        self._methods: dict[str, Callable[..., Any]] = {}
        self._register("Search", search_get_pb2.SearchRequest, search_get_pb2.SearchReply)
        self._register("Aggregate", aggregate_pb2.AggregateRequest, aggregate_pb2.AggregateReply)
        self._register(
            "BatchDelete", batch_delete_pb2.BatchDeleteRequest, batch_delete_pb2.BatchDeleteReply
        )
        # batch requests arrive serialized (a join of ready entries, see messages.py)
        self._register("BatchObjects", None, batch_pb2.BatchObjectsReply)

    def _register(self, name: str, request: Any, reply: Any) -> None:
        self._methods[name] = self._channel.unary_unary(
            SERVICE + name,
            request_serializer=bytes if request is None else request.SerializeToString,
            response_deserializer=reply.FromString,
        )

    def ready(self, timeout: float) -> bool:
        """True when the port answers within ``timeout`` seconds."""
        try:
            grpc.channel_ready_future(self._channel).result(timeout=timeout)
        except grpc.FutureTimeoutError:
            return False
        return True

    def call(
        self, method: str, request: Any, describe: Callable[[], str], *, retry: bool = True
    ) -> Any:
        """Call ``method`` (Search, Aggregate ...) and return its reply.

        ``describe`` names the request for error messages (built only on failure);
        ``retry=False`` leaves retrying an unavailable server to the caller.
        """
        if self._closed:
            raise WeaviateConnectionError(
                "This client is closed; create a new wvorm.Client to talk to the server."
            )
        config = self._connection.config
        attempts = 1 + (config.session_pool_max_retries if retry else 0)
        reauthenticated = False
        attempt = 0
        while True:
            metadata = tuple(
                (name.lower(), value)
                for name, value in self._connection.request_headers().items()
                if name.lower() != "content-type"
            )
            try:
                return self._methods[method](
                    request, metadata=metadata, timeout=self._connection.timeout_config[1]
                )
            except grpc.RpcError as exc:
                code: Optional[grpc.StatusCode] = exc.code()
                details: str = exc.details() or ""
                # (1.39 answers a bad API key with UNKNOWN "...unauthorized: invalid api key")
                if code == grpc.StatusCode.UNAUTHENTICATED or "unauthorized" in details:
                    if not reauthenticated and self._connection.invalidate_token():
                        reauthenticated = True
                        continue
                    raise AuthenticationFailedException(
                        f"The server refused the credentials of this gRPC {method} call "
                        f"(UNAUTHENTICATED): {details!r}. Check auth_client_secret."
                    ) from None
                attempt += 1
                if code in _RETRIED and attempt < attempts:
                    delay = backoff_delay(attempt - 1, config.backoff_base, config.backoff_max)
                    logger.info("gRPC %s: %s; retrying in %.2fs", method, details, delay)
                    time.sleep(delay)
                    continue
                if code == grpc.StatusCode.DEADLINE_EXCEEDED:
                    raise WeaviateTimeoutError(
                        f"gRPC {method} at {self.target} did not answer within "
                        f"{self._connection.timeout_config[1]:g}s (timeout_config): {describe()}"
                    ) from None
                if code == grpc.StatusCode.UNAVAILABLE:
                    raise WeaviateConnectionError(
                        f"gRPC {method} at {self.target} failed{after_attempts(attempt, retry)}: "
                        f"the server is unavailable ({details})"
                    ) from None
                name = code.name if code is not None else "UNKNOWN"
                raise QueryError([f"{details} ({name})"], describe(), transport="gRPC") from None

    def close(self) -> None:
        """Close the channel."""
        self._closed = True
        self._channel.close()

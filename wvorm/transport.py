"""Which wire a client's typed queries travel on: gRPC when it can, else GraphQL.

The ORM hands a :mod:`wvorm.plan` plan to ``client.transport``. A
:class:`GrpcTransport` sends it as gRPC messages (:mod:`wvorm.grpc`, the
``wvorm[grpc]`` extra); a :class:`GraphQLTransport` as GraphQL text. Both answer
rows of one shape, so nothing above this module knows which one ran.

:func:`choose` decides once per client (``Config(transport=...)``, default
``"auto"``): gRPC when the extra is installed and the gRPC port (from
``Config(grpc_port=...)``, v3's ``grpc_port_experimental``, or the embedded server)
answers; otherwise GraphQL. It logs its choice and the reason at INFO. The v3
builders (``client.query.get(...).do()``, ``client.query.raw``) always use GraphQL.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Protocol
from urllib.parse import urlparse

from wvorm._inputs import is_multi_vector
from wvorm.errors import (
    GraphQLDisabledError,
    GrpcUnavailableError,
    QueryError,
    UnexpectedStatusCodeException,
    UsageError,
)
from wvorm.gql.base import execute
from wvorm.plan import AggregatePlan, ReferenceSelect, SearchPlan
from wvorm.plan.graphql import render_aggregate, render_search, rows_of

if TYPE_CHECKING:
    from wvorm.connection import Config, Connection
    from wvorm.grpc.channel import GrpcChannel

logger = logging.getLogger("wvorm.transport")

TRANSPORTS = ("auto", "grpc", "graphql")
ENABLE_GRPC = (
    "install the extra (pip install 'wvorm[grpc]') and give the server's gRPC port: "
    "wvorm.Client(url, additional_config=wvorm.Config(grpc_port=50051))"
)


@dataclass(frozen=True)
class SearchAnswer:
    """A search's answer, received but not decoded yet: ``count`` hits (of a search
    without group_by), ``last_id`` the uuid of the last one (the cursor of the next
    page), and ``rows()`` decodes them. (Cursor iteration fetches the next page while
    the iterating thread decodes the previous one.)"""

    count: int
    last_id: Optional[str]
    rows: Callable[[], list[dict[str, Any]]]


class Transport(Protocol):
    """Runs typed plans; answers rows (see :mod:`wvorm.plan`)."""

    name: str

    def search(self, plan: SearchPlan) -> list[dict[str, Any]]:
        """The rows of a search."""
        ...

    def fetch(self, plan: SearchPlan) -> SearchAnswer:
        """A search's answer, decoded later (by its ``rows()``)."""
        ...

    def aggregate(self, plan: AggregatePlan) -> list[dict[str, Any]]:
        """The rows of an aggregation (one per group)."""
        ...

    def over_graphql(self, plan: SearchPlan) -> bool:
        """Whether ``plan`` is answered over GraphQL, whose 32-bit ``Int`` answers null
        for a wider int (the query then reads such objects again over REST)."""
        ...

    def close(self) -> None:
        """Release the transport's resources."""
        ...


class GraphQLTransport:
    """Plans as GraphQL text, POSTed to ``/v1/graphql``."""

    name = "GraphQL"

    def __init__(self, connection: Connection, grpc_unavailable: str) -> None:
        self._connection = connection
        self._grpc_unavailable = grpc_unavailable  # why not gRPC, for the disabled error

    def _run(self, text: str) -> dict[str, Any]:
        try:
            return execute(self._connection, text, raise_on_error=True)
        except UnexpectedStatusCodeException as exc:
            if exc.status_code == 422 and "graphql api is disabled" in str(exc).lower():
                raise GraphQLDisabledError(
                    "This Weaviate server has its GraphQL API disabled (DISABLE_GRAPHQL=true), "
                    f"and gRPC is not available to this client ({self._grpc_unavailable}); to "
                    f"query it, {ENABLE_GRPC}"
                ) from None
            if exc.status_code == 422 and "no graphql provider present" in str(exc).lower():
                # (what Weaviate answers while it has no class at all: the query's class
                # is unknown, as gRPC reports it)
                raise QueryError([f"{exc.error} (HTTP 422)"], text) from None
            raise

    def over_graphql(self, plan: SearchPlan) -> bool:
        """Always: this is the GraphQL transport."""
        return True

    def search(self, plan: SearchPlan) -> list[dict[str, Any]]:
        """The rows of ``{Get{...}}``; vectors as the float32 values the server holds
        (GraphQL prints them shortest, gRPC sends their bytes: both read alike)."""
        rows = rows_of(self._run(render_search(plan)), "Get", plan.collection)
        if plan.metadata.vector or plan.metadata.vectors:
            hits = (r["_additional"]["group"]["hits"] for r in rows) if plan.group_by else [rows]
            for group in hits:
                for row in group:
                    _float32_vectors(row["_additional"])
        return rows

    def fetch(self, plan: SearchPlan) -> SearchAnswer:
        """The rows of ``{Get{...}}`` (JSON is decoded as it is read)."""
        rows = self.search(plan)
        last = rows[-1]["_additional"]["id"] if rows else None
        return SearchAnswer(len(rows), last, lambda: rows)

    def aggregate(self, plan: AggregatePlan) -> list[dict[str, Any]]:
        """The rows of ``{Aggregate{...}}``."""
        return rows_of(self._run(render_aggregate(plan)), "Aggregate", plan.collection)

    def close(self) -> None:
        """Nothing to release: the REST connection belongs to the client."""


def _multi_target(references: tuple[ReferenceSelect, ...]) -> Optional[str]:
    """The name of a multi-target reference in a selection, if there is one."""
    for ref in references:
        if ref.tell_class:
            return ref.name
        for target in ref.targets:
            found = _multi_target(target.references)
            if found is not None:
                return found
    return None


def _float32_vectors(additional: dict[str, Any]) -> None:
    vector = additional.get("vector")
    if vector:
        additional["vector"] = _float32(vector)
    vectors = additional.get("vectors")
    if vectors:
        # (an object without one of the vectors: null, read as [] as gRPC's is)
        additional["vectors"] = {k: _float32(v) if v else [] for k, v in vectors.items()}


def _float32(vector: list[Any]) -> list[Any]:
    """A vector (or multi-vector) as gRPC gives it: in float32."""
    if is_multi_vector(vector):
        return [array("f", v).tolist() for v in vector]
    return array("f", vector).tolist()


class GrpcTransport:
    """Plans as gRPC messages on a :class:`~wvorm.grpc.channel.GrpcChannel`.

    One exception: Weaviate 1.39's gRPC Search answers a multi-target reference with
    the objects of its first target class only (repeated for every target asked), so
    a plan that loads one goes over GraphQL, or fails saying so where GraphQL is off.
    """

    name = "gRPC"

    def __init__(self, channel: GrpcChannel, graphql: GraphQLTransport) -> None:
        self.channel = channel  # the client's object batches use it too
        self._graphql = graphql

    def over_graphql(self, plan: SearchPlan) -> bool:
        """Whether ``plan`` loads a multi-target reference (see the class docstring)."""
        return _multi_target(plan.references) is not None

    def search(self, plan: SearchPlan) -> list[dict[str, Any]]:
        """The rows of a ``Search`` call."""
        return self.fetch(plan).rows()

    def fetch(self, plan: SearchPlan) -> SearchAnswer:
        """A ``Search`` reply, decoded into rows by ``rows()``."""
        from wvorm.grpc import messages

        multi = _multi_target(plan.references)
        if multi is not None:
            try:
                return self._graphql.fetch(plan)
            except GraphQLDisabledError:
                raise GraphQLDisabledError(
                    f"Loading the multi-target reference {multi!r} needs GraphQL, which this "
                    "server has disabled: Weaviate 1.39's gRPC search returns the objects of "
                    "only one of its target classes. Include it through one target instead "
                    f"(include(Model.{multi}[Target]...)) or read the referencing objects "
                    "with session.get"
                ) from None
        request = messages.search_request(plan)
        reply = self.channel.call("Search", request, lambda: render_search(plan))
        results = reply.results
        return SearchAnswer(
            len(results),
            results[-1].metadata.id if results else None,
            lambda: messages.search_rows(reply, plan),
        )

    def aggregate(self, plan: AggregatePlan) -> list[dict[str, Any]]:
        """The rows of an ``Aggregate`` call."""
        from wvorm.grpc import messages

        request = messages.aggregate_request(plan)
        reply = self.channel.call("Aggregate", request, lambda: render_aggregate(plan))
        return messages.aggregate_rows(reply, plan)

    def close(self) -> None:
        """Close the gRPC channel."""
        self.channel.close()


def _grpc_target(url: str, port: int) -> str:
    host = urlparse(url).hostname or "localhost"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def choose(connection: Connection, config: Config, embedded_grpc_port: Optional[int]) -> Transport:
    """The transport for one client, logged once at INFO (see the module docstring)."""
    wanted = config.transport
    if wanted not in TRANSPORTS:
        raise UsageError(
            f"Config(transport=...) must be one of {', '.join(TRANSPORTS)}, got {wanted!r}"
        )
    port = config.grpc_port or config.grpc_port_experimental or embedded_grpc_port
    secure = config.grpc_secure or config.grpc_secure_experimental
    if wanted == "graphql":
        reason = "Config(transport='graphql')"
    elif port is None:
        reason = "no gRPC port configured: Config(grpc_port=...)"
    else:
        try:
            from wvorm.grpc.channel import GrpcChannel
        except ImportError as exc:
            reason = f"the grpc extra is not installed ({exc})"
        else:
            channel = GrpcChannel(_grpc_target(connection.url, port), connection, secure=secure)
            if channel.ready(timeout=min(connection.timeout_config[0], 5.0)):
                logger.info("wvorm queries %s over gRPC at %s", connection.url, channel.target)
                fallback = GraphQLTransport(connection, "its gRPC search cannot serve this query")
                return GrpcTransport(channel, fallback)
            channel.close()
            reason = f"the gRPC port {channel.target} does not answer"
    if wanted == "grpc":
        raise GrpcUnavailableError(
            f"Config(transport='grpc') but gRPC is unavailable: {reason}; {ENABLE_GRPC}"
        )
    logger.info("wvorm queries %s over GraphQL (not gRPC: %s)", connection.url, reason)
    return GraphQLTransport(connection, reason)

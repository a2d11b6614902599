"""``wvorm.Client``: the v3 client's entry point, and ``wvorm.connect``.

The client owns one :class:`~wvorm.connection.Connection` (and, in embedded mode,
the server process) and hands it to each component: ``schema``, ``data_object``,
``batch``, ``query``, ``cluster``, ``backup`` and ``classification``.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Union

from wvorm.auth import AuthCredentials
from wvorm.backup import Backup
from wvorm.batch import Batch
from wvorm.classification import Classification
from wvorm.cluster import Cluster
from wvorm.connection import Config, Connection, TimeoutConfig
from wvorm.contextionary import Contextionary
from wvorm.data import DataObject
from wvorm.embedded import EmbeddedOptions, EmbeddedServer
from wvorm.errors import UsageError, WvormError, json_body
from wvorm.gql import Query
from wvorm.schema import Schema
from wvorm.transport import GrpcTransport, Transport
from wvorm.transport import choose as choose_transport

if TYPE_CHECKING:
    from wvorm.grpc.channel import GrpcChannel


class Client:
    """A connection to one Weaviate server, with the v3 client's components.

    Pass ``url`` to talk to a running server, or ``embedded_options`` (and no url)
    to start a local ``weaviate-server`` that stops again on :meth:`close`, at the
    end of a ``with`` block, or at interpreter exit.
    """

    def __init__(
        self,
        url: Optional[str] = None,
        auth_client_secret: Optional[AuthCredentials] = None,
        timeout_config: TimeoutConfig = (10, 60),
        proxies: Union[dict[str, str], str, None] = None,
        trust_env: bool = False,
        additional_headers: Optional[dict[str, str]] = None,
        startup_period: Optional[int] = 5,
        embedded_options: Optional[EmbeddedOptions] = None,
        additional_config: Optional[Config] = None,
    ) -> None:
        if url is not None and embedded_options is not None:
            raise UsageError(
                "Client takes either url or embedded_options, not both: an embedded server "
                "chooses its own url."
            )
        if url is None and embedded_options is None:
            raise UsageError(
                "Client needs a url (e.g. 'http://localhost:8080') or "
                "embedded_options=wvorm.EmbeddedOptions() to start a local server."
            )
        self._embedded: Optional[EmbeddedServer] = None
        if embedded_options is not None:
            self._embedded = EmbeddedServer(embedded_options)
            self._embedded.start()
            url = self._embedded.url
        assert url is not None
        config = additional_config or Config()
        self._config = config
        self._transport: Optional[Transport] = None
        self._transport_lock = threading.Lock()
        try:
            self._connection = Connection(
                url,
                auth_client_secret=auth_client_secret,
                timeout_config=timeout_config,
                proxies=proxies,
                trust_env=trust_env,
                additional_headers=additional_headers,
                startup_period=startup_period,
                connection_config=config.connection_config,
            )
        except BaseException:
            if self._embedded is not None:
                self._embedded.stop()
            raise
        self.schema = Schema(self._connection)
        self.data_object = DataObject(self._connection)
        self.batch = Batch(self._connection, self._grpc_channel)
        self.query = Query(self._connection)
        self.cluster = Cluster(self._connection)
        self.backup = Backup(self._connection)
        self.classification = Classification(self._connection)
        self.contextionary = Contextionary(self._connection)

    # -- server information ---------------------------------------------------------------

    def is_ready(self) -> bool:
        """True when the server answers ``/.well-known/ready`` with 200."""
        try:
            return self._connection.request("GET", "/.well-known/ready", retry=False).ok
        except OSError:  # WeaviateConnectionError is an OSError through requests
            return False

    def is_live(self) -> bool:
        """True when the server answers ``/.well-known/live`` with 200."""
        try:
            return self._connection.request("GET", "/.well-known/live", retry=False).ok
        except OSError:
            return False

    def get_meta(self) -> dict[str, Any]:
        """The server's ``/v1/meta``: version, hostname and enabled modules."""
        meta: dict[str, Any] = self._connection.get_json("/meta", "Get meta")
        return meta

    def get_open_id_configuration(self) -> Optional[dict[str, Any]]:
        """The server's OIDC configuration, or None when OIDC is not enabled."""
        response = self._connection.call(
            "GET",
            "/.well-known/openid-configuration",
            ok=(200, 404),
            action="Get OpenID configuration",
        )
        if response.status_code == 404:
            return None
        config: dict[str, Any] = json_body(response, "Get OpenID configuration")
        return config

    # -- settings -----------------------------------------------------------------------

    @property
    def timeout_config(self) -> tuple[float, float]:
        """``(connect, read)`` timeout in seconds; assignable."""
        return self._connection.timeout_config

    @timeout_config.setter
    def timeout_config(self, value: TimeoutConfig) -> None:
        self._connection.timeout_config = value

    @property
    def connection(self) -> Connection:
        """The transport this client's components share (for layers built on the client)."""
        return self._connection

    @property
    def transport(self) -> Transport:
        """How typed queries (the ORM's) travel: gRPC or GraphQL, chosen on first use
        (see :mod:`wvorm.transport`; the choice is logged at INFO)."""
        with self._transport_lock:
            if self._transport is None:
                port = self._embedded.ports.grpc if self._embedded is not None else None
                self._transport = choose_transport(self._connection, self._config, port)
            return self._transport

    def _grpc_channel(self) -> Optional[GrpcChannel]:
        """The gRPC channel when typed queries and object batches go over gRPC."""
        transport = self.transport
        return transport.channel if isinstance(transport, GrpcTransport) else None

    @property
    def url(self) -> str:
        """The server's base URL."""
        return self._connection.url

    @property
    def embedded_server(self) -> Optional[EmbeddedServer]:
        """The embedded server this client started, if any."""
        return self._embedded

    # -- lifetime -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool and stop an embedded server.

        Batch chunks already being sent finish first; items still waiting in
        ``client.batch`` are not flushed (they stay readable from the batch).
        """
        self.batch.shutdown()
        if self._transport is not None:
            self._transport.close()
        self._connection.close()
        if self._embedded is not None:
            self._embedded.stop()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = " embedded" if self._embedded is not None else ""
        return f"Client(url={self.url!r}{mode})"


_default_client: Optional[Client] = None


def connect(url: Optional[str] = None, **kwargs: Any) -> Client:
    """Create a client and make it the default one that ``Model.query`` uses.

    With no ``url`` (and no ``embedded_options``) an embedded server is started
    with default :class:`EmbeddedOptions`. Keyword arguments go to :class:`Client`.
    """
    global _default_client
    if url is None and kwargs.get("embedded_options") is None:
        kwargs["embedded_options"] = EmbeddedOptions()
    client = Client(url, **kwargs)
    _default_client = client
    return client


def get_default_client() -> Client:
    """The client the last :func:`connect` call created; raises if there is none."""
    client = _default_client
    if client is None:
        raise WvormError(
            "No default client: call wvorm.connect(...) first, or bind a query to a client "
            "with .using(client)."
        )
    return client

"""wvorm: a typed, Pydantic-based object mapper for Weaviate, with a v3-compatible client.

The public surface is re-exported here; ``tests/test_exported_members.py`` fails
when it drifts.
"""

from __future__ import annotations

from wvorm.auth import AuthApiKey, AuthBearerToken, AuthClientCredentials, AuthClientPassword
from wvorm.client import Client, connect
from wvorm.connection import Config, ConnectionConfig
from wvorm.data.replication import ConsistencyLevel
from wvorm.embedded import WEAVIATE_VERSION, EmbeddedOptions
from wvorm.errors import (
    AuthenticationFailedException,
    ObjectAlreadyExistsException,
    QueryError,
    UnexpectedStatusCodeException,
    WeaviateConnectionError,
    WeaviateStartUpError,
    WeaviateTimeoutError,
    WvormError,
)

__version__ = "0.1.0"

__all__ = [
    "WEAVIATE_VERSION",
    "AuthApiKey",
    "AuthBearerToken",
    "AuthClientCredentials",
    "AuthClientPassword",
    "AuthenticationFailedException",
    "Client",
    "Config",
    "ConnectionConfig",
    "ConsistencyLevel",
    "EmbeddedOptions",
    "ObjectAlreadyExistsException",
    "QueryError",
    "UnexpectedStatusCodeException",
    "WeaviateConnectionError",
    "WeaviateStartUpError",
    "WeaviateTimeoutError",
    "WvormError",
    "__version__",
    "connect",
]

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
    BatchError,
    CommitError,
    FilterError,
    MigrationError,
    ModelDefinitionError,
    ObjectAlreadyExistsException,
    QueryError,
    UnexpectedStatusCodeException,
    WeaviateConnectionError,
    WeaviateStartUpError,
    WeaviateTimeoutError,
    WvormError,
)
from wvorm.orm import (
    GeoCoordinate,
    MigrationPlan,
    NamedVector,
    PhoneNumber,
    Property,
    Session,
    WeaviateModel,
    create_all,
    drop_all,
    migrate,
    schema_of,
    state_of,
)
from wvorm.schema.tenants import Tenant, TenantActivityStatus

__version__ = "0.1.0"

__all__ = [
    "WEAVIATE_VERSION",
    "AuthApiKey",
    "AuthBearerToken",
    "AuthClientCredentials",
    "AuthClientPassword",
    "AuthenticationFailedException",
    "BatchError",
    "Client",
    "CommitError",
    "Config",
    "ConnectionConfig",
    "ConsistencyLevel",
    "EmbeddedOptions",
    "FilterError",
    "GeoCoordinate",
    "MigrationError",
    "MigrationPlan",
    "ModelDefinitionError",
    "NamedVector",
    "ObjectAlreadyExistsException",
    "PhoneNumber",
    "Property",
    "QueryError",
    "Session",
    "Tenant",
    "TenantActivityStatus",
    "UnexpectedStatusCodeException",
    "WeaviateConnectionError",
    "WeaviateModel",
    "WeaviateStartUpError",
    "WeaviateTimeoutError",
    "WvormError",
    "__version__",
    "connect",
    "create_all",
    "drop_all",
    "migrate",
    "schema_of",
    "state_of",
]

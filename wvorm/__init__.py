"""wvorm: a typed, Pydantic-based object mapper for Weaviate, with a v3-compatible client.

The public surface is re-exported here; ``tests/test_exported_members.py`` fails
when it drifts.
"""

from __future__ import annotations

# v3 scripts reach these modules as attributes (`weaviate.exceptions.X`) after `import weaviate`
from wvorm import auth as auth
from wvorm import batch as batch
from wvorm import config as config
from wvorm import data as data
from wvorm import embedded as embedded
from wvorm import exceptions as exceptions
from wvorm import gql as gql
from wvorm import schema as schema
from wvorm import util as util
from wvorm.auth import AuthApiKey, AuthBearerToken, AuthClientCredentials, AuthClientPassword
from wvorm.batch import Shard, WeaviateErrorRetryConf
from wvorm.client import Client, connect
from wvorm.connection import Config, ConnectionConfig
from wvorm.data.replication import ConsistencyLevel
from wvorm.embedded import WEAVIATE_VERSION, EmbeddedOptions
from wvorm.errors import (
    AuthenticationFailedException,
    BatchError,
    CommitError,
    FilterError,
    GraphQLDisabledError,
    GrpcUnavailableError,
    MigrationError,
    ModelDefinitionError,
    MultipleResultsError,
    NoResultError,
    ObjectAlreadyExistsException,
    QueryError,
    SchemaMismatchError,
    SchemaValidationException,
    SessionError,
    UnexpectedStatusCodeException,
    UnloadedFieldError,
    UsageError,
    WeaviateConnectionError,
    WeaviateStartUpError,
    WeaviateTimeoutError,
    WvormError,
)
from wvorm.gql.get import AdditionalProperties, LinkTo
from wvorm.orm import (
    Aggregation,
    CommitProgress,
    FieldExpr,
    Filter,
    Generated,
    Generation,
    GenerativeOpenAI,
    GeoCoordinate,
    Group,
    Hit,
    MigrationPlan,
    NamedVector,
    PhoneNumber,
    Property,
    Query,
    ReferencePath,
    Session,
    SortKey,
    Vector,
    WeaviateModel,
    and_,
    create_all,
    drop_all,
    migrate,
    or_,
    schema_of,
    state_of,
)
from wvorm.schema.tenants import Tenant, TenantActivityStatus

__version__ = "0.1.0"

__all__ = [
    "WEAVIATE_VERSION",
    "AdditionalProperties",
    "Aggregation",
    "AuthApiKey",
    "AuthBearerToken",
    "AuthClientCredentials",
    "AuthClientPassword",
    "AuthenticationFailedException",
    "BatchError",
    "Client",
    "CommitError",
    "CommitProgress",
    "Config",
    "ConnectionConfig",
    "ConsistencyLevel",
    "EmbeddedOptions",
    "FieldExpr",
    "Filter",
    "FilterError",
    "Generated",
    "Generation",
    "GenerativeOpenAI",
    "GeoCoordinate",
    "GraphQLDisabledError",
    "Group",
    "GrpcUnavailableError",
    "Hit",
    "LinkTo",
    "MigrationError",
    "MigrationPlan",
    "ModelDefinitionError",
    "MultipleResultsError",
    "NamedVector",
    "NoResultError",
    "ObjectAlreadyExistsException",
    "PhoneNumber",
    "Property",
    "Query",
    "QueryError",
    "ReferencePath",
    "SchemaMismatchError",
    "SchemaValidationException",
    "Session",
    "SessionError",
    "Shard",
    "SortKey",
    "Tenant",
    "TenantActivityStatus",
    "UnexpectedStatusCodeException",
    "UnloadedFieldError",
    "UsageError",
    "Vector",
    "WeaviateConnectionError",
    "WeaviateErrorRetryConf",
    "WeaviateModel",
    "WeaviateStartUpError",
    "WeaviateTimeoutError",
    "WvormError",
    "__version__",
    "and_",
    "connect",
    "create_all",
    "drop_all",
    "migrate",
    "or_",
    "schema_of",
    "state_of",
]

"""The public surface: a change to ``wvorm.__all__`` must be made here too, on purpose."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest

import wvorm
import wvorm.orm

EXPECTED = {
    # client
    "Client", "connect", "Config", "ConnectionConfig", "ConsistencyLevel",
    "EmbeddedOptions", "WEAVIATE_VERSION", "Tenant", "TenantActivityStatus", "Shard",
    "WeaviateErrorRetryConf", "AdditionalProperties", "LinkTo",
    "AuthApiKey", "AuthBearerToken", "AuthClientCredentials", "AuthClientPassword",
    # errors
    "WvormError", "AuthenticationFailedException", "BatchError", "CommitError", "FilterError",
    "MigrationError", "ModelDefinitionError", "ObjectAlreadyExistsException", "QueryError",
    "GraphQLDisabledError", "GrpcUnavailableError",
    "UnexpectedStatusCodeException", "WeaviateConnectionError", "WeaviateStartUpError",
    "WeaviateTimeoutError", "UsageError", "UnloadedFieldError", "SessionError",
    "SchemaMismatchError", "NoResultError", "MultipleResultsError", "SchemaValidationException",
    # ORM
    "WeaviateModel", "Session", "Property", "GeoCoordinate", "PhoneNumber", "NamedVector",
    "Vector",
    "MigrationPlan", "schema_of", "create_all", "drop_all", "migrate", "state_of",
    "CommitProgress",
    # ORM: what users annotate with
    "Query", "Hit", "Generated", "Generation", "GenerativeOpenAI", "Group", "Aggregation",
    "Filter", "FieldExpr",
    "ReferencePath", "SortKey",
    "and_", "or_",
    "__version__",
}  # fmt: skip


def test_public_surface_is_what_we_mean_to_export() -> None:
    assert set(wvorm.__all__) == EXPECTED
    order = sorted(wvorm.__all__, key=lambda n: (not n.isupper(), n[0].islower(), n))
    assert wvorm.__all__ == order
    for name in wvorm.__all__:
        assert getattr(wvorm, name) is not None


def test_v3_module_paths_import() -> None:
    """A v3 script ports by changing ``import weaviate`` to ``import wvorm as weaviate``."""
    for module, names in {
        "wvorm.auth": ["AuthApiKey", "AuthClientPassword"],
        "wvorm.util": ["generate_uuid5", "get_valid_uuid", "check_batch_result"],
        "wvorm.data.replication": ["ConsistencyLevel"],
        "wvorm.exceptions": ["UnexpectedStatusCodeException", "ObjectAlreadyExistsException"],
        "wvorm.embedded": ["EmbeddedOptions"],
    }.items():
        loaded = importlib.import_module(module)
        for name in names:
            assert hasattr(loaded, name), f"{module}.{name}"
    assert wvorm.data.replication.ConsistencyLevel.ALL.value == "ALL"


@pytest.mark.parametrize("module", [wvorm, wvorm.orm], ids=lambda m: m.__name__)
def test_no_private_name_leaks(module: ModuleType) -> None:
    """Every public name a module holds is in its ``__all__``: implementation modules are
    private (``wvorm.orm._state`` ...), so anything else showing up is a leak."""
    public = {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, ModuleType)
        and name != "annotations"  # from __future__ import annotations
    }
    assert public == set(module.__all__) - {"__version__"}


def test_orm_modules_are_private() -> None:
    import pkgutil

    names = [m.name for m in pkgutil.iter_modules(wvorm.orm.__path__)]
    assert names and all(name.startswith("_") for name in names), names

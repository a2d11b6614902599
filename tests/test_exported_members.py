"""The public surface: a change to ``wvorm.__all__`` must be made here too, on purpose."""

from __future__ import annotations

import importlib

import wvorm

EXPECTED = {
    # client
    "Client", "connect", "Config", "ConnectionConfig", "ConsistencyLevel",
    "EmbeddedOptions", "WEAVIATE_VERSION", "Tenant", "TenantActivityStatus",
    "AuthApiKey", "AuthBearerToken", "AuthClientCredentials", "AuthClientPassword",
    # errors
    "WvormError", "AuthenticationFailedException", "BatchError", "CommitError", "FilterError",
    "MigrationError", "ModelDefinitionError", "ObjectAlreadyExistsException", "QueryError",
    "UnexpectedStatusCodeException", "WeaviateConnectionError", "WeaviateStartUpError",
    "WeaviateTimeoutError",
    # ORM
    "WeaviateModel", "Session", "Property", "GeoCoordinate", "PhoneNumber", "NamedVector",
    "MigrationPlan", "schema_of", "create_all", "drop_all", "migrate", "state_of",
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

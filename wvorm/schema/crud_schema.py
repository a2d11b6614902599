"""v3's module path ``weaviate.schema.crud_schema``: the names v3 code imports from it.

``client.schema`` itself lives in :mod:`wvorm.schema`.
"""

from __future__ import annotations

from wvorm.errors import UnexpectedStatusCodeException
from wvorm.schema import Schema
from wvorm.schema.properties import Property
from wvorm.schema.tenants import Tenant, TenantActivityStatus

# The class and property keys v3 copied when it created a class (it dropped any
# other key). wvorm sends every key given, so these only serve code that reads them.
CLASS_KEYS = frozenset(
    {
        "class",
        "vectorIndexType",
        "vectorIndexConfig",
        "moduleConfig",
        "description",
        "vectorizer",
        "properties",
        "invertedIndexConfig",
        "shardingConfig",
        "replicationConfig",
        "multiTenancyConfig",
    }
)
PROPERTY_KEYS = frozenset(
    {
        "dataType",
        "name",
        "moduleConfig",
        "description",
        "indexInverted",
        "tokenization",
        "indexFilterable",
        "indexSearchable",
    }
)

__all__ = [
    "CLASS_KEYS",
    "PROPERTY_KEYS",
    "Property",
    "Schema",
    "Tenant",
    "TenantActivityStatus",
    "UnexpectedStatusCodeException",
]

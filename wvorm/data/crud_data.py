"""v3's module path ``weaviate.data.crud_data``: the names v3 code imports from it.

``client.data_object`` itself lives in :mod:`wvorm.data`.
"""

from __future__ import annotations

from wvorm._inputs import UUID, get_valid_uuid, get_vector
from wvorm.data import DataObject
from wvorm.data.references import Reference
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import ObjectAlreadyExistsException, UnexpectedStatusCodeException

__all__ = [
    "UUID",
    "ConsistencyLevel",
    "DataObject",
    "ObjectAlreadyExistsException",
    "Reference",
    "UnexpectedStatusCodeException",
    "get_valid_uuid",
    "get_vector",
]

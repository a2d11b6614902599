"""v3's module path ``weaviate.batch.crud_batch``: the names v3 code imports from it.

wvorm's batch engine lives in :mod:`wvorm.batch.batch` (and its helpers); this module
only re-exports it under v3's names.
"""

from __future__ import annotations

from wvorm._inputs import UUID
from wvorm.batch.batch import Batch, Shard
from wvorm.batch.requests import BatchResponse
from wvorm.batch.sender import WeaviateErrorRetryConf
from wvorm.cluster import Cluster
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import UnexpectedStatusCodeException
from wvorm.gql.filter import VALUE_ARRAY_TYPES, WHERE_OPERATORS
from wvorm.util import check_batch_result

__all__ = [
    "UUID",
    "VALUE_ARRAY_TYPES",
    "WHERE_OPERATORS",
    "Batch",
    "BatchResponse",
    "Cluster",
    "ConsistencyLevel",
    "Shard",
    "UnexpectedStatusCodeException",
    "WeaviateErrorRetryConf",
    "check_batch_result",
]

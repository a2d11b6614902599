"""Consistency levels for replicated classes (``weaviate.data.replication`` in v3)."""

from __future__ import annotations

from enum import Enum


class ConsistencyLevel(str, Enum):
    """How many replicas must acknowledge a read or write."""

    ONE = "ONE"
    QUORUM = "QUORUM"
    ALL = "ALL"

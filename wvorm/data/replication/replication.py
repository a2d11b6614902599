"""Consistency levels for replicated classes (v3: ``weaviate.data.replication.replication``)."""

from __future__ import annotations

from enum import Enum


class ConsistencyLevel(str, Enum):
    """How many replicas must acknowledge a read or write."""

    ONE = "ONE"
    QUORUM = "QUORUM"
    ALL = "ALL"


def naming_level(message: str, level: object) -> str:
    """``message``, saying the consistency level when it is about replicas that could not
    be reached: Weaviate's own text ("cannot reach enough replicas: required 3 replicas,
    got 2") names neither the level asked for nor that it was chosen by the caller."""
    if level is None or "replica" not in message:
        return message
    name = level.value if isinstance(level, ConsistencyLevel) else level
    return f"at consistency level {name}: {message}"

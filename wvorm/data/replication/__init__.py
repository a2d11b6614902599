"""Consistency levels for replicated classes.

The code lives in :mod:`wvorm.data.replication.replication`, v3's module path.
"""

from __future__ import annotations

from wvorm.data.replication.replication import ConsistencyLevel, naming_level

__all__ = ["ConsistencyLevel", "naming_level"]

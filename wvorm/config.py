"""v3's module path ``weaviate.config``: the connection settings, defined in
:mod:`wvorm.connection`."""

from __future__ import annotations

from wvorm.connection import Config, ConnectionConfig

__all__ = ["Config", "ConnectionConfig"]

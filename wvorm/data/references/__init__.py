"""``client.data_object.reference``: one object's cross-references.

The code lives in :mod:`wvorm.data.references.crud_references`, v3's module path.
"""

from __future__ import annotations

from wvorm.data.references.crud_references import Reference, beacon, parse_beacon

__all__ = ["Reference", "beacon", "parse_beacon"]

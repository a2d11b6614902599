"""``client.schema.property``: add a property to an existing class.

The code lives in :mod:`wvorm.schema.properties.crud_properties`, v3's module path.
"""

from __future__ import annotations

from wvorm.schema.properties.crud_properties import Property

__all__ = ["Property"]

"""v3's module path ``weaviate.batch.requests``: the names v3 code imports from it.

v3 built request bodies with ``ObjectsBatchRequest`` / ``ReferenceBatchRequest``;
wvorm encodes each item once when it is added (:mod:`wvorm.batch.items`), so only
the result type and the input helpers are here.
"""

from __future__ import annotations

from typing import Any

from wvorm._inputs import UUID, get_valid_uuid, get_vector

BatchResponse = list[dict[str, Any]]
"""What ``create_objects`` / ``create_references`` return and a callback receives:
one dict per item, with ``result.errors`` when the server rejected it."""

__all__ = ["UUID", "BatchResponse", "get_valid_uuid", "get_vector"]

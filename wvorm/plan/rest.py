"""Plan nodes in the JSON of Weaviate's REST API (no I/O): the ``where`` of
``DELETE /v1/batch/objects``."""

from __future__ import annotations

from typing import Any

from wvorm.plan import Condition, FilterNode

__all__ = ["filter_json"]


def filter_json(node: FilterNode) -> dict[str, Any]:
    """The REST ``where`` object of a filter node (lists under ``value*Array`` keys)."""
    if not isinstance(node, Condition):
        return {"operator": node.operator, "operands": [filter_json(op) for op in node.operands]}
    out: dict[str, Any] = {"path": list(node.path), "operator": node.operator}
    if node.value_key == "valueGeoRange":
        geo = node.value
        out["valueGeoRange"] = {
            "geoCoordinates": {"latitude": geo.latitude, "longitude": geo.longitude},
            "distance": {"max": geo.max_distance},
        }
    elif isinstance(node.value, tuple):
        out[f"{node.value_key}Array"] = list(node.value)
    else:
        out[node.value_key] = node.value
    return out

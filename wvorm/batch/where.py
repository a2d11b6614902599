"""The REST form of a ``where`` filter, for ``Batch.delete_objects``.

Users pass the same filter dict as to ``with_where``; the GraphQL builder's rules
check it (:func:`wvorm.gql.filter.render_where`, one home for them) and this module
turns it into the JSON the ``DELETE /v1/batch/objects`` endpoint takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timezone
from datetime import time as dt_time
from typing import Any

from wvorm.gql.filter import render_where

# v3's names for list values in a delete filter, and the REST API's names.
_V3_LIST_KEYS = {
    "valueTextList": "valueTextArray",
    "valueStringList": "valueStringArray",
    "valueIntList": "valueIntArray",
    "valueNumberList": "valueNumberArray",
    "valueBooleanList": "valueBooleanArray",
    "valueDateList": "valueDateArray",
}
_SCALAR_VALUE_KEYS = frozenset(
    ("valueText", "valueString", "valueInt", "valueNumber", "valueBoolean", "valueDate")
)


def rest_where_filter(where: Mapping[str, Any]) -> dict[str, Any]:
    """The REST form of a ``with_where`` filter dict, as a new dict (the input is not changed).

    The filter is checked by the GraphQL builder's rules (one home for them), so a
    mistake is reported naming the bad key. Then a list under a scalar value key
    (or a v3 ``value*List`` key) becomes the REST ``value*Array`` key, a str path a
    one-element list, and a datetime an RFC 3339 string.
    """
    renamed = _rename_v3_list_keys(where)
    render_where(renamed, "where")
    return _to_rest(renamed)


def _rename_v3_list_keys(where: Any) -> Any:
    if not isinstance(where, Mapping):
        return where
    return {
        _V3_LIST_KEYS.get(key, key): (
            [_rename_v3_list_keys(o) for o in value]
            if key == "operands" and isinstance(value, (list, tuple))
            else value
        )
        for key, value in where.items()
    }


def _to_rest(where: Mapping[str, Any]) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    for key, value in where.items():
        if key == "operands":
            converted[key] = [_to_rest(operand) for operand in value]
        elif key == "path":
            converted[key] = [value] if isinstance(value, str) else list(value)
        elif key in _SCALAR_VALUE_KEYS and isinstance(value, (list, tuple)):
            converted[f"{key}Array"] = [_rest_value(v) for v in value]
        elif key.startswith("value") and isinstance(value, (list, tuple)):
            converted[key] = [_rest_value(v) for v in value]
        else:
            converted[key] = _rest_value(value)
    return converted


def _rest_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
    if isinstance(value, date):
        return datetime.combine(value, dt_time(), timezone.utc).isoformat()
    return value

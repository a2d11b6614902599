"""The REST form of a ``where`` filter, for ``Batch.delete_objects``.

Users pass the same filter dict as to ``with_where``; the GraphQL builder's rules
parse it (:func:`wvorm.gql.filter.parse_where`, one home for them) and
:func:`wvorm.plan.rest.filter_json` writes the JSON ``DELETE /v1/batch/objects`` takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wvorm.gql.filter import parse_where
from wvorm.plan.rest import filter_json

# v3's names for list values in a delete filter, and the REST API's names.
_V3_LIST_KEYS = {
    "valueTextList": "valueTextArray",
    "valueStringList": "valueStringArray",
    "valueIntList": "valueIntArray",
    "valueNumberList": "valueNumberArray",
    "valueBooleanList": "valueBooleanArray",
    "valueDateList": "valueDateArray",
}


def rest_where_filter(where: Mapping[str, Any]) -> dict[str, Any]:
    """The REST form of a ``with_where`` filter dict, as a new dict (the input is not changed).

    The filter is parsed by the GraphQL builder's rules (one home for them), so a
    mistake is reported naming the bad key, and rendered from the parsed node: a list
    under a scalar value key (or a v3 ``value*List`` key) becomes the REST
    ``value*Array`` key, a str path a one-element list, and a datetime RFC 3339 text.
    """
    return filter_json(parse_where(_rename_v3_list_keys(where), "where"))


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

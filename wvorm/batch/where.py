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


def rest_where_filter(where: Mapping[str, Any]) -> dict[str, Any]:
    """The REST form of a ``with_where`` filter dict, as a new dict (the input is not changed).

    The filter is parsed by the GraphQL builder's rules (one home for them), so a
    mistake is reported naming the bad key, and rendered from the parsed node: a list
    under a scalar value key (or a v3 ``value*List`` key) becomes the REST
    ``value*Array`` key, a str path a one-element list, and a datetime RFC 3339 text.
    """
    return filter_json(parse_where(where, "where"))

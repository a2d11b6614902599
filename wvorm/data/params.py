"""Query parameters of ``/v1/objects`` requests, built and checked in one place.

:class:`wvorm.data.DataObject` and :class:`wvorm.data.references.Reference` call these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import UsageError

SortSpec = Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]
"""``{"properties": [...], "order_asc": [...]}`` (v3) or ``{"path": [...], "order": "asc"}``
(the GraphQL form), or a list of the latter."""


def request_params(
    consistency_level: Union[ConsistencyLevel, str, None] = None,
    tenant: Optional[str] = None,
    node_name: Optional[str] = None,
) -> dict[str, Any]:
    """``consistency_level``, ``tenant`` and ``node_name`` query parameters, checked."""
    if consistency_level is not None and node_name is not None:
        raise UsageError(
            "Give consistency_level or node_name, not both: node_name reads from that one "
            "node, so no replicas are consulted"
        )
    params: dict[str, Any] = {}
    if consistency_level is not None:
        try:
            params["consistency_level"] = ConsistencyLevel(consistency_level).value
        except ValueError:
            raise UsageError(
                f"consistency_level must be one of {[c.value for c in ConsistencyLevel]}, "
                f"got {consistency_level!r}"
            ) from None
    if tenant is not None:
        params["tenant"] = _checked_str(tenant, "tenant")
    if node_name is not None:
        params["node_name"] = _checked_str(node_name, "node_name")
    return params


def paging_params(
    limit: Optional[int], offset: Optional[int], after: Optional[str]
) -> dict[str, Any]:
    """``limit`` (>= 1), ``offset`` (>= 0) and ``after`` (a uuid, already checked)."""
    params: dict[str, Any] = {}
    if limit is not None:
        params["limit"] = _checked_int(limit, "limit", minimum=1)
    if offset is not None:
        params["offset"] = _checked_int(offset, "offset", minimum=0)
    if after is not None:
        params["after"] = after
    return params


def include_param(
    additional_properties: Optional[Sequence[str]], with_vector: bool
) -> dict[str, Any]:
    """The ``include`` parameter: additional properties (``classification``, ...) and ``vector``."""
    if additional_properties is None:
        names: list[str] = []
    elif isinstance(additional_properties, str) or not all(
        isinstance(p, str) for p in additional_properties
    ):
        raise UsageError(
            "additional_properties must be a list of names such as ['classification'], "
            f"got {additional_properties!r}"
        )
    else:
        names = list(additional_properties)
    if with_vector and "vector" not in names:
        names.append("vector")
    return {"include": ",".join(names)} if names else {}


def sort_params(sort: SortSpec) -> dict[str, str]:
    """``sort`` and ``order`` parameters from a v3 sort dict or GraphQL-style sort clauses.

    ``{"properties": "name"}``, ``{"properties": ["a", "b"], "order_asc": [True, False]}``,
    ``{"path": ["name"], "order": "desc"}`` and a list of such ``path`` dicts all work.
    """
    if isinstance(sort, Mapping) and "properties" in sort:
        properties, ascending = _v3_sort(sort)
    elif isinstance(sort, Mapping):
        properties, ascending = _path_sort([sort])
    elif isinstance(sort, (list, tuple)) and sort:
        properties, ascending = _path_sort(sort)
    else:
        raise UsageError(_SORT_HELP + f" Got {sort!r}.")
    return {
        "sort": ",".join(properties),
        "order": ",".join("asc" if asc else "desc" for asc in ascending),
    }


_SORT_HELP = (
    "sort must be {'properties': <name or names>, 'order_asc': <bool or bools>} or "
    "{'path': [<name>], 'order': 'asc' | 'desc'} (or a list of those)."
)


def _v3_sort(sort: Mapping[str, Any]) -> tuple[list[str], list[bool]]:
    properties = sort["properties"]
    if isinstance(properties, str):
        properties = [properties]
    if (
        not isinstance(properties, list)
        or not properties
        or not all(isinstance(p, str) and p for p in properties)
    ):
        raise UsageError(_SORT_HELP + f" 'properties' was {sort['properties']!r}.")
    ascending = sort.get("order_asc", True)
    if isinstance(ascending, bool):
        ascending = [ascending] * len(properties)
    if not isinstance(ascending, list) or not all(isinstance(a, bool) for a in ascending):
        raise UsageError(_SORT_HELP + f" 'order_asc' was {sort.get('order_asc')!r}.")
    if len(ascending) != len(properties):
        raise UsageError(
            f"sort['order_asc'] has {len(ascending)} entries but sort['properties'] has "
            f"{len(properties)}; give one bool per property, or a single bool for all"
        )
    return list(properties), list(ascending)


def _path_sort(clauses: Sequence[Any]) -> tuple[list[str], list[bool]]:
    properties: list[str] = []
    ascending: list[bool] = []
    for clause in clauses:
        if not isinstance(clause, Mapping) or "path" not in clause:
            raise UsageError(_SORT_HELP + f" Got the clause {clause!r}.")
        path = clause["path"]
        if isinstance(path, str):
            path = [path]
        if not isinstance(path, list) or len(path) != 1 or not isinstance(path[0], str):
            raise UsageError(
                f"sort path {clause['path']!r}: /v1/objects sorts by one top-level property, "
                "so 'path' must hold exactly one property name"
            )
        order = clause.get("order", "asc")
        if order not in ("asc", "desc"):
            raise UsageError(f"sort order must be 'asc' or 'desc', got {order!r}")
        properties.append(path[0])
        ascending.append(order == "asc")
    return properties, ascending


def _checked_str(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{name} must be a non-empty str, got {value!r}")
    return value


def _checked_int(value: Any, name: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise UsageError(f"{name} must be an int, got {type(value).__name__}: {value!r}")
    if value < minimum:
        raise UsageError(f"{name} must be >= {minimum}, got {value}")
    return value

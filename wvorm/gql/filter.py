"""Query arguments given as v3-style dicts: ``where``, ``nearText``, ``nearVector``,
``nearObject`` and ``sort``.

Used by :mod:`wvorm.gql.get` and :mod:`wvorm.gql.aggregate`. Each class checks its
dict when it is built (so a mistake is reported where it is made, naming the bad
key or value) and renders it once through :mod:`wvorm.gql.escape`. The caller's
dicts and lists are only read, never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time, timezone
from typing import Any, Callable, Union

from wvorm._inputs import get_valid_uuid, get_vector
from wvorm.errors import FilterError, UsageError
from wvorm.gql.escape import (
    graphql_bool,
    graphql_float,
    graphql_int,
    graphql_list,
    graphql_string,
    string_list,
)

LOGICAL_OPERATORS = ("And", "Or", "Not")
COMPARISON_OPERATORS = (
    "Equal",
    "NotEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "LessThan",
    "LessThanEqual",
    "Like",
    "IsNull",
    "WithinGeoRange",
    "ContainsAny",
    "ContainsAll",
    "ContainsNone",
)
CONTAINS_OPERATORS = ("ContainsAny", "ContainsAll", "ContainsNone")


# -- shared checks ------------------------------------------------------------------------


def _mapping(content: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(content, Mapping):
        raise UsageError(f"{what} must be a dict, got {type(content).__name__}: {content!r}")
    return content


def _check_keys(content: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    allowed = tuple(allowed)
    unknown = [key for key in content if key not in allowed]
    if unknown:
        raise UsageError(
            f"{what} has unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed keys are {', '.join(allowed)}"
        )


def _certainty_or_distance(content: Mapping[str, Any], what: str) -> list[str]:
    if "certainty" in content and "distance" in content:
        raise UsageError(f"{what} takes either 'certainty' or 'distance', not both")
    return [
        f"{key}: {graphql_float(content[key], f'{what}.{key}')}"
        for key in ("certainty", "distance")
        if key in content
    ]


def _target_vectors(content: Mapping[str, Any], what: str) -> list[str]:
    if "targetVectors" not in content:
        return []
    names = string_list(content["targetVectors"], f"{what}.targetVectors")
    return [f"targetVectors: {graphql_list(names, graphql_string, f'{what}.targetVectors')}"]


def render_strings(value: Union[str, Iterable[str]], what: str) -> str:
    """A str or list of str as a GraphQL list of string literals."""
    return graphql_list(string_list(value, what), graphql_string, what)


def render_vector(value: Any, what: str) -> str:
    """A vector (list, tuple, numpy array, torch or TensorFlow tensor) as a GraphQL
    list of floats."""
    vector = get_vector(value)
    if not vector:
        raise UsageError(f"{what} must not be empty")
    return graphql_list(vector, graphql_float, what)


# -- where --------------------------------------------------------------------------------


def _render_date(value: Any, what: str) -> str:
    """A date value: RFC 3339 text as given, or a datetime (naive ones are taken as UTC)."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return graphql_string(value.isoformat(), what)
    if isinstance(value, date):
        return graphql_string(datetime.combine(value, time(), timezone.utc).isoformat(), what)
    if isinstance(value, str):
        return graphql_string(value, what)
    raise FilterError(
        f"{what} must be an RFC 3339 str or a datetime, got {type(value).__name__}: {value!r}"
    )


def _render_geo_range(value: Any, what: str) -> str:
    geo = _mapping(value, what)
    _check_keys(geo, ("geoCoordinates", "distance"), what)
    for key in ("geoCoordinates", "distance"):
        if key not in geo:
            raise UsageError(
                f"{what} needs 'geoCoordinates' {{'latitude', 'longitude'}} and "
                f"'distance' {{'max'}}; {key!r} is missing"
            )
    coordinates = _mapping(geo["geoCoordinates"], f"{what}.geoCoordinates")
    _check_keys(coordinates, ("latitude", "longitude"), f"{what}.geoCoordinates")
    distance = _mapping(geo["distance"], f"{what}.distance")
    _check_keys(distance, ("max",), f"{what}.distance")
    try:
        latitude = graphql_float(coordinates["latitude"], f"{what}.geoCoordinates.latitude")
        longitude = graphql_float(coordinates["longitude"], f"{what}.geoCoordinates.longitude")
        maximum = graphql_float(distance["max"], f"{what}.distance.max")
    except KeyError as exc:
        raise UsageError(f"{what} is missing {exc.args[0]!r}") from None
    return (
        f"{{geoCoordinates: {{latitude: {latitude} longitude: {longitude}}} "
        f"distance: {{max: {maximum}}}}}"
    )


def _typed(render: Callable[[Any, str], str]) -> Callable[[Any, str], str]:
    """Report a wrong value type as a FilterError (a TypeError), naming the value."""

    def checked(value: Any, what: str) -> str:
        try:
            return render(value, what)
        except TypeError as exc:
            raise FilterError(str(exc)) from None

    return checked


# value key -> renderer of one scalar value
_SCALAR_VALUES: dict[str, Callable[[Any, str], str]] = {
    "valueText": _typed(graphql_string),
    "valueString": _typed(graphql_string),
    "valueInt": _typed(graphql_int),
    "valueNumber": _typed(graphql_float),
    "valueBoolean": _typed(graphql_bool),
    "valueDate": _render_date,
}
# The server's where input has no *Array keys: a list goes under the scalar key.
_ARRAY_VALUES = {f"{key}Array": key for key in _SCALAR_VALUES}
VALUE_KEYS = (*_SCALAR_VALUES, "valueGeoRange", *_ARRAY_VALUES)


def _render_value(key: str, value: Any, operator: str, what: str) -> str:
    """``graphqlKey: literal`` for one value key of a comparison."""
    if key == "valueGeoRange":
        if operator != "WithinGeoRange":
            raise UsageError(f"{what}: valueGeoRange goes with operator WithinGeoRange only")
        return f"valueGeoRange: {_render_geo_range(value, f'{what}.valueGeoRange')}"
    if operator == "WithinGeoRange":
        raise UsageError(f"{what}: operator WithinGeoRange needs a valueGeoRange, not {key}")
    if operator == "IsNull" and key != "valueBoolean":
        raise UsageError(f"{what}: operator IsNull needs valueBoolean (True or False), not {key}")
    scalar_key = _ARRAY_VALUES.get(key, key)
    render = _SCALAR_VALUES[scalar_key]
    is_list = isinstance(value, (list, tuple))
    if key in _ARRAY_VALUES and not is_list:
        raise FilterError(f"{what}.{key} must be a list, got {type(value).__name__}: {value!r}")
    if is_list and operator not in CONTAINS_OPERATORS:
        raise FilterError(
            f"{what}.{key} is a list, but operator {operator} compares with one value; "
            f"lists go with {', '.join(CONTAINS_OPERATORS)}"
        )
    if is_list:
        if not value:
            raise UsageError(f"{what}.{key} must not be an empty list")
        return f"{scalar_key}: {graphql_list(value, render, f'{what}.{key}')}"
    return f"{scalar_key}: {render(value, f'{what}.{key}')}"


def render_where(content: Any, what: str = "where filter") -> str:
    """The GraphQL input object of a v3 ``where`` dict, checked (see :class:`Where`)."""
    content = _mapping(content, what)
    if "operator" not in content:
        raise UsageError(f"{what} has no 'operator' key: {dict(content)!r}")
    operator = content["operator"]
    if not isinstance(operator, str):
        raise UsageError(f"{what}.operator must be a str, got {type(operator).__name__}")
    if operator in LOGICAL_OPERATORS:
        _check_keys(content, ("operator", "operands"), f"{what} (operator {operator})")
        operands = content.get("operands")
        if not isinstance(operands, (list, tuple)) or not operands:
            raise UsageError(f"{what}: operator {operator} needs a non-empty list of 'operands'")
        rendered = [render_where(op, f"{what}.operands[{i}]") for i, op in enumerate(operands)]
        return f"{{operator: {operator} operands: [{', '.join(rendered)}]}}"
    if operator not in COMPARISON_OPERATORS:
        raise UsageError(
            f"{what} has unknown operator {operator!r}; use one of "
            f"{', '.join(LOGICAL_OPERATORS + COMPARISON_OPERATORS)}"
        )
    _check_keys(content, ("operator", "path", *VALUE_KEYS), f"{what} (operator {operator})")
    if "path" not in content:
        raise UsageError(f"{what}: operator {operator} needs a 'path' (property name or list)")
    path = render_strings(content["path"], f"{what}.path")
    value_keys = [key for key in content if key in VALUE_KEYS]
    if len(value_keys) != 1:
        found = ", ".join(value_keys) if value_keys else "none"
        raise UsageError(
            f"{what} needs exactly one value key (one of {', '.join(VALUE_KEYS)}); found {found}"
        )
    value = _render_value(value_keys[0], content[value_keys[0]], operator, what)
    return f"{{path: {path} operator: {operator} {value}}}"


class Where:
    """A ``where`` argument from a v3 filter dict.

    A comparison is ``{"path": [...], "operator": "Equal", "valueText": "..."}``
    (``path`` may be a str, or a list for references: ``["ofAuthor", "Author",
    "name"]``); ``And`` / ``Or`` / ``Not`` combine ``"operands"``. Value keys:
    valueText, valueString, valueInt, valueNumber, valueBoolean, valueDate (str or
    datetime; naive datetimes are taken as UTC), valueGeoRange, and the ``*Array``
    forms (or a list under the plain key) for ContainsAny / ContainsAll / ContainsNone.
    """

    def __init__(self, content: Mapping[str, Any]) -> None:
        self.body = render_where(content)

    def __str__(self) -> str:
        return f"where: {self.body}"


# -- near operators -----------------------------------------------------------------------


def _render_move(content: Any, what: str) -> str:
    move = _mapping(content, what)
    _check_keys(move, ("force", "concepts", "objects"), what)
    if "force" not in move:
        raise UsageError(f"{what} needs a 'force' between 0 and 1")
    if "concepts" not in move and "objects" not in move:
        raise UsageError(f"{what} needs 'concepts' and/or 'objects' to move by")
    parts = [f"force: {graphql_float(move['force'], f'{what}.force')}"]
    if "concepts" in move:
        parts.append(f"concepts: {render_strings(move['concepts'], f'{what}.concepts')}")
    if "objects" in move:
        objects = move["objects"]
        if isinstance(objects, Mapping):
            objects = [objects]
        if not isinstance(objects, (list, tuple)) or not objects:
            raise UsageError(f"{what}.objects must be a dict or a non-empty list of dicts")
        rendered = [_render_object_ref(o, f"{what}.objects[{i}]") for i, o in enumerate(objects)]
        parts.append(f"objects: [{', '.join(rendered)}]")
    return "{" + " ".join(parts) + "}"


def _render_object_ref(content: Any, what: str) -> str:
    ref = _mapping(content, what)
    _check_keys(ref, ("id", "beacon"), what)
    if len(ref) != 1:
        raise UsageError(f"{what} needs exactly one of 'id' or 'beacon'")
    if "id" in ref:
        return f"{{id: {graphql_string(get_valid_uuid(ref['id']))}}}"
    return f"{{beacon: {graphql_string(ref['beacon'], f'{what}.beacon')}}}"


class NearText:
    """A ``nearText`` argument: ``{"concepts": str | [str], "certainty" | "distance":
    float, "moveTo" / "moveAwayFrom": {"force": float, "concepts": ..., "objects":
    [{"id": ...} | {"beacon": ...}]}, "autocorrect": bool, "targetVectors": [str]}``."""

    KEYS = ("concepts", "certainty", "distance", "moveTo", "moveAwayFrom", "autocorrect",
            "targetVectors")  # fmt: skip

    def __init__(self, content: Mapping[str, Any]) -> None:
        what = "nearText"
        content = _mapping(content, what)
        _check_keys(content, self.KEYS, what)
        if "concepts" not in content:
            raise UsageError("nearText needs 'concepts' (a str or a list of str)")
        parts = [f"concepts: {render_strings(content['concepts'], 'nearText.concepts')}"]
        parts += _certainty_or_distance(content, what)
        for key in ("moveTo", "moveAwayFrom"):
            if key in content:
                parts.append(f"{key}: {_render_move(content[key], f'{what}.{key}')}")
        if "autocorrect" in content:
            parts.append(f"autocorrect: {graphql_bool(content['autocorrect'], 'autocorrect')}")
        parts += _target_vectors(content, what)
        self.body = "{" + " ".join(parts) + "}"

    def __str__(self) -> str:
        return f"nearText: {self.body}"


class NearVector:
    """A ``nearVector`` argument: ``{"vector": [float], "certainty" | "distance": float,
    "targetVectors": [str]}``."""

    def __init__(self, content: Mapping[str, Any]) -> None:
        what = "nearVector"
        content = _mapping(content, what)
        _check_keys(content, ("vector", "certainty", "distance", "targetVectors"), what)
        if "vector" not in content:
            raise UsageError("nearVector needs a 'vector' (a list of numbers)")
        parts = [f"vector: {render_vector(content['vector'], 'nearVector.vector')}"]
        parts += _certainty_or_distance(content, what)
        parts += _target_vectors(content, what)
        self.body = "{" + " ".join(parts) + "}"

    def __str__(self) -> str:
        return f"nearVector: {self.body}"


class NearObject:
    """A ``nearObject`` argument: ``{"id": uuid} | {"beacon": str}`` plus optional
    ``"certainty" | "distance"`` and ``"targetVectors"``."""

    def __init__(self, content: Mapping[str, Any]) -> None:
        what = "nearObject"
        content = _mapping(content, what)
        _check_keys(content, ("id", "beacon", "certainty", "distance", "targetVectors"), what)
        if ("id" in content) == ("beacon" in content):
            raise UsageError("nearObject needs exactly one of 'id' or 'beacon'")
        if "id" in content:
            parts = [f"id: {graphql_string(get_valid_uuid(content['id']))}"]
        else:
            parts = [f"beacon: {graphql_string(content['beacon'], 'nearObject.beacon')}"]
        parts += _certainty_or_distance(content, what)
        parts += _target_vectors(content, what)
        self.body = "{" + " ".join(parts) + "}"

    def __str__(self) -> str:
        return f"nearObject: {self.body}"


# -- sort ---------------------------------------------------------------------------------


class Sort:
    """A ``sort`` argument from ``{"path": str | [str], "order": "asc" | "desc"}`` or a
    list of them; :meth:`add` appends more (``with_sort`` called again)."""

    def __init__(self, content: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> None:
        self.clauses: list[str] = []
        self.add(content)

    def add(self, content: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> None:
        """Append one sort clause or a list of them."""
        items = [content] if isinstance(content, Mapping) else content
        if not isinstance(items, (list, tuple)) or not items:
            raise UsageError(
                f"sort must be a dict or a non-empty list of dicts, got {type(content).__name__}"
            )
        for item in items:
            what = f"sort[{len(self.clauses)}]"
            clause = _mapping(item, what)
            _check_keys(clause, ("path", "order"), what)
            if "path" not in clause:
                raise UsageError(f"{what} needs a 'path' (property name or list)")
            parts = [f"path: {render_strings(clause['path'], f'{what}.path')}"]
            if "order" in clause:
                order = clause["order"]
                if order not in ("asc", "desc"):
                    raise UsageError(f"{what}.order must be 'asc' or 'desc', got {order!r}")
                parts.append(f"order: {order}")
            self.clauses.append("{" + " ".join(parts) + "}")

    def __str__(self) -> str:
        return f"sort: [{', '.join(self.clauses)}]"

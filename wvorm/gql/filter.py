"""Query arguments given as v3-style dicts (v3's ``weaviate.gql.filter``): ``where``,
``nearText``, ``nearVector``, ``nearObject``, ``near<Media>``, ``ask`` and ``sort``.

Used by :mod:`wvorm.gql.get` and :mod:`wvorm.gql.aggregate`. Each class checks its
dict when it is built (so a mistake is reported where it is made, naming the bad
key or value) and keeps the :mod:`wvorm.plan` node it parsed (``.node``) where the
plan has one. ``str()`` gives the argument in v3's exact layout (spacing included,
so ``build()`` prints what weaviate-client 3.26 printed), with every user string
escaped by :mod:`wvorm.plan.escape`. The caller's dicts and lists are only read,
never changed.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from array import array
from collections.abc import Iterable, Mapping, Sequence
from copy import deepcopy
from datetime import date, datetime, time, timezone
from enum import Enum
from typing import Any, Callable, Optional, TypedDict, Union

from typing_extensions import Self

from wvorm import plan
from wvorm._inputs import get_valid_uuid, get_vector
from wvorm.errors import FilterError, UsageError
from wvorm.gql.base import GraphQL
from wvorm.plan.escape import (
    graphql_bool,
    graphql_float,
    graphql_int,
    graphql_string,
    string_list,
)
from wvorm.plan.graphql import (
    names_text,
    render_filter,
    target_vectors_text,
    threshold_text,
    v3_searching,
    v3_sort,
)
from wvorm.plan.rest import filter_json
from wvorm.util import file_encoder_b64

__all__ = [
    "ALL_VALUE_TYPES",
    "VALUE_ARRAY_TYPES",
    "VALUE_LIST_TYPES",
    "VALUE_PRIMITIVE_TYPES",
    "VALUE_TYPES",
    "WHERE_OPERATORS",
    "Ask",
    "Filter",
    "GraphQL",
    "MediaType",
    "NearAudio",
    "NearDepth",
    "NearIMU",
    "NearImage",
    "NearMedia",
    "NearObject",
    "NearText",
    "NearThermal",
    "NearVector",
    "NearVideo",
    "Sort",
    "Where",
]

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

# v3's public constants, with v3's values, for code that imports them. wvorm accepts
# more than they list: operators Not and ContainsNone (LOGICAL_OPERATORS and
# COMPARISON_OPERATORS above), and valueDate lists (valueDateArray, valueDateList).
WHERE_OPERATORS = ["And", "ContainsAll", "ContainsAny", "Equal", "GreaterThan",
                   "GreaterThanEqual", "IsNull", "LessThan", "LessThanEqual", "Like",
                   "NotEqual", "Or", "WithinGeoRange"]  # fmt: skip
VALUE_LIST_TYPES = {"valueStringList", "valueTextList", "valueIntList", "valueNumberList",
                    "valueBooleanList"}  # fmt: skip
VALUE_ARRAY_TYPES = {"valueStringArray", "valueTextArray", "valueIntArray", "valueNumberArray",
                     "valueBooleanArray"}  # fmt: skip
VALUE_PRIMITIVE_TYPES = {"valueString", "valueText", "valueInt", "valueNumber", "valueDate",
                         "valueBoolean", "valueGeoRange"}  # fmt: skip
ALL_VALUE_TYPES = VALUE_LIST_TYPES | VALUE_ARRAY_TYPES | VALUE_PRIMITIVE_TYPES
VALUE_TYPES = VALUE_ARRAY_TYPES | VALUE_PRIMITIVE_TYPES


class MediaType(Enum):
    """The media of the ``near<Media>`` searches (multi2vec modules); the value is the
    key of the media in the search dict (``{"image": ...}``)."""

    IMAGE = "image"
    AUDIO = "audio"
    VIDEO = "video"
    THERMAL = "thermal"
    DEPTH = "depth"
    IMU = "imu"

    @property
    def argument_name(self) -> str:
        """The GraphQL argument: ``nearImage``, ``nearAudio`` ... ``nearIMU``."""
        media: str = self.value
        return "near" + (media.upper() if self is MediaType.IMU else media.title())


class Filter(ABC):
    """Base of the search-argument classes: ``content`` is a copy of the dict given,
    ``str()`` the GraphQL argument."""

    def __init__(self, content: Mapping[str, Any], what: Optional[str] = None) -> None:
        checked = _mapping(content, what or type(self).__name__)
        self._content: dict[str, Any] = deepcopy(dict(checked))

    @property
    def content(self) -> dict[str, Any]:
        """A copy of the dict this argument was made from."""
        return self._content

    @abstractmethod
    def __str__(self) -> str:
        """The GraphQL argument, in v3's layout."""


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


class Threshold(TypedDict, total=False):
    """The ``certainty`` or ``distance`` of a near search."""

    certainty: float
    distance: float


def _certainty_or_distance(content: Mapping[str, Any], what: str) -> Threshold:
    if "certainty" in content and "distance" in content:
        raise UsageError(f"{what} takes either 'certainty' or 'distance', not both")
    out = Threshold()
    if "certainty" in content:
        out["certainty"] = _number(content["certainty"], f"{what}.certainty")
    if "distance" in content:
        out["distance"] = _number(content["distance"], f"{what}.distance")
    return out


def threshold(certainty: Any, distance: Any, what: str) -> Threshold:
    """The ``certainty`` / ``distance`` given (None: not given) of a near search, checked."""
    given = {
        key: v for key, v in (("certainty", certainty), ("distance", distance)) if v is not None
    }
    return _certainty_or_distance(given, what)


def _target_vectors(content: Mapping[str, Any], what: str) -> tuple[str, ...]:
    if "targetVectors" not in content:
        return ()
    return tuple(string_list(content["targetVectors"], f"{what}.targetVectors"))


_PLAIN_NUMBERS = frozenset((float, int))  # (not bool, which is an int too)


def checked_vector(value: Any, what: str) -> list[float]:
    """A vector (list, tuple, numpy array, torch or TensorFlow tensor) as a non-empty
    list of finite floats."""
    vector = get_vector(value)
    if not vector:
        raise UsageError(f"{what} must not be empty")
    if set(map(type, vector)) <= _PLAIN_NUMBERS:  # (the common case, checked in C loops)
        try:
            floats = array("d", vector)
        except OverflowError:
            pass  # an int beyond float: the loop below names it
        else:
            if math.isfinite(sum(floats)):
                return floats.tolist()
    for i, item in enumerate(vector):
        if isinstance(item, bool) or not isinstance(item, (int, float)) or not _finite(item):
            if not isinstance(item, bool) and isinstance(item, int):
                raise UsageError(f"{what}[{i}] is an int beyond the float range")
            graphql_float(item, f"{what}[{i}]")  # raises, naming the item
            raise UsageError(f"{what}[{i}] must be a finite number, got {item!r}")
    return [float(v) for v in vector]


def _finite(number: float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an int beyond float
        return False


# -- where --------------------------------------------------------------------------------


def _date_value(value: Any, what: str) -> str:
    """A date value: RFC 3339 text as given, or a datetime (naive ones are taken as UTC)."""
    if isinstance(value, datetime):
        moment: datetime = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return moment.isoformat()
    if isinstance(value, date):
        return datetime.combine(value, time(), timezone.utc).isoformat()
    if isinstance(value, str):
        return value
    raise FilterError(
        f"{what} must be an RFC 3339 str or a datetime, got {type(value).__name__}: {value!r}"
    )


def _geo_range(value: Any, what: str) -> plan.GeoRange:
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
        values = [
            (coordinates["latitude"], f"{what}.geoCoordinates.latitude"),
            (coordinates["longitude"], f"{what}.geoCoordinates.longitude"),
            (distance["max"], f"{what}.distance.max"),
        ]
    except KeyError as exc:
        raise UsageError(f"{what} is missing {exc.args[0]!r}") from None
    latitude, longitude, maximum = (_number(v, name) for v, name in values)
    return plan.GeoRange(latitude, longitude, maximum)


def _number(value: Any, what: str) -> float:
    graphql_float(value, what)  # checks: a finite number
    return float(value)


def _typed(
    check: Callable[[Any, str], str], convert: Callable[[Any], Any]
) -> Callable[[Any, str], Any]:
    """A scalar's check (a wrong type is a FilterError naming the value) and its form."""

    def checked(value: Any, what: str) -> Any:
        try:
            check(value, what)
        except TypeError as exc:
            raise FilterError(str(exc)) from None
        return convert(value)

    return checked


# value key -> check and conversion of one scalar value
_SCALAR_VALUES: dict[str, Callable[[Any, str], Any]] = {
    "valueText": _typed(graphql_string, str),
    "valueString": _typed(graphql_string, str),
    "valueInt": _typed(graphql_int, int),
    "valueNumber": _typed(graphql_float, float),
    "valueBoolean": _typed(graphql_bool, bool),
    "valueDate": _date_value,
}
# The server's where input has no *Array keys: a list goes under the scalar key.
# v3 also took *List keys (VALUE_LIST_TYPES); they mean the same as *Array.
_ARRAY_VALUES = {f"{key}{suffix}": key for suffix in ("Array", "List") for key in _SCALAR_VALUES}
VALUE_KEYS = (*_SCALAR_VALUES, "valueGeoRange", *_ARRAY_VALUES)


def _condition(
    path: tuple[str, ...], key: str, value: Any, operator: str, what: str
) -> plan.Condition:
    """The condition of one comparison, its value checked under its key."""
    if key == "valueGeoRange":
        if operator != "WithinGeoRange":
            raise UsageError(f"{what}: valueGeoRange goes with operator WithinGeoRange only")
        return plan.Condition(path, operator, key, _geo_range(value, f"{what}.valueGeoRange"))
    if operator == "WithinGeoRange":
        raise UsageError(f"{what}: operator WithinGeoRange needs a valueGeoRange, not {key}")
    if operator == "IsNull" and key != "valueBoolean":
        raise UsageError(f"{what}: operator IsNull needs valueBoolean (True or False), not {key}")
    scalar_key = _ARRAY_VALUES.get(key, key)
    convert = _SCALAR_VALUES[scalar_key]
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
        items = tuple(convert(item, f"{what}.{key}[{i}]") for i, item in enumerate(value))
        return plan.Condition(path, operator, scalar_key, items)
    return plan.Condition(path, operator, scalar_key, convert(value, f"{what}.{key}"))


def parse_where(content: Any, what: str = "where filter") -> plan.FilterNode:
    """The filter node of a v3 ``where`` dict, checked (see :class:`Where`)."""
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
        nodes = tuple(parse_where(op, f"{what}.operands[{i}]") for i, op in enumerate(operands))
        return plan.Logical(operator, nodes)
    if operator not in COMPARISON_OPERATORS:
        raise UsageError(
            f"{what} has unknown operator {operator!r}; use one of "
            f"{', '.join(LOGICAL_OPERATORS + COMPARISON_OPERATORS)}"
        )
    _check_keys(content, ("operator", "path", *VALUE_KEYS), f"{what} (operator {operator})")
    if "path" not in content:
        raise UsageError(f"{what}: operator {operator} needs a 'path' (property name or list)")
    path = tuple(string_list(content["path"], f"{what}.path"))
    value_keys = [key for key in content if key in VALUE_KEYS]
    if len(value_keys) != 1:
        found = ", ".join(value_keys) if value_keys else "none"
        raise UsageError(
            f"{what} needs exactly one value key (one of {', '.join(VALUE_KEYS)}); found {found}"
        )
    key = value_keys[0]
    return _condition(path, key, content[key], operator, what)


class Where(Filter):
    """A ``where`` argument from a v3 filter dict.

    A comparison is ``{"path": [...], "operator": "Equal", "valueText": "..."}``
    (``path`` may be a str, or a list for references: ``["ofAuthor", "Author",
    "name"]``); ``And`` / ``Or`` / ``Not`` combine ``"operands"``. Value keys:
    valueText, valueString, valueInt, valueNumber, valueBoolean, valueDate (str or
    datetime; naive datetimes are taken as UTC), valueGeoRange, and the ``*Array``
    or ``*List`` forms (or a list under the plain key) for ContainsAny / ContainsAll /
    ContainsNone. ``node`` is the parsed filter (:mod:`wvorm.plan`).
    """

    def __init__(self, content: Union[Mapping[str, Any], plan.FilterNode]) -> None:
        if isinstance(content, (plan.Condition, plan.Logical)):
            self.node: plan.FilterNode = content
            self._content = filter_json(content)
        else:
            super().__init__(content, "where filter")
            self.node = parse_where(content)

    def __str__(self) -> str:
        return f"where: {render_filter(self.node)} "


# -- near operators -----------------------------------------------------------------------


def parse_move(content: Any, what: str) -> plan.Move:
    """A ``moveTo`` / ``moveAwayFrom`` dict: ``force``, and ``concepts`` and/or ``objects``."""
    move = _mapping(content, what)
    _check_keys(move, ("force", "concepts", "objects"), what)
    if "force" not in move:
        raise UsageError(f"{what} needs a 'force' between 0 and 1")
    if "concepts" not in move and "objects" not in move:
        raise UsageError(f"{what} needs 'concepts' and/or 'objects' to move by")
    force = _number(move["force"], f"{what}.force")
    concepts = (
        tuple(string_list(move["concepts"], f"{what}.concepts")) if "concepts" in move else ()
    )
    objects: tuple[str, ...] = ()
    if "objects" in move:
        items = move["objects"]
        if isinstance(items, Mapping):
            items = [items]
        if not isinstance(items, (list, tuple)) or not items:
            raise UsageError(f"{what}.objects must be a dict or a non-empty list of dicts")
        objects = tuple(_object_ref(o, f"{what}.objects[{i}]") for i, o in enumerate(items))
    return plan.Move(force, concepts, objects)


def _object_ref(content: Any, what: str) -> str:
    """A uuid, or a beacon (``weaviate://...``), from ``{"id": ...} | {"beacon": ...}``."""
    ref = _mapping(content, what)
    _check_keys(ref, ("id", "beacon"), what)
    if len(ref) != 1:
        raise UsageError(f"{what} needs exactly one of 'id' or 'beacon'")
    if "id" in ref:
        return get_valid_uuid(ref["id"])
    beacon = ref["beacon"]
    graphql_string(beacon, f"{what}.beacon")
    return str(beacon)


class NearText(Filter):
    """A ``nearText`` argument: ``{"concepts": str | [str], "certainty" | "distance":
    float, "moveTo" / "moveAwayFrom": {"force": float, "concepts": ..., "objects":
    [{"id": ...} | {"beacon": ...}]}, "autocorrect": bool, "targetVectors": [str]}``."""

    KEYS = ("concepts", "certainty", "distance", "moveTo", "moveAwayFrom", "autocorrect",
            "targetVectors")  # fmt: skip

    def __init__(self, content: Mapping[str, Any]) -> None:
        what = "nearText"
        super().__init__(content, what)
        _check_keys(content, self.KEYS, what)
        if "concepts" not in content:
            raise UsageError("nearText needs 'concepts' (a str or a list of str)")
        autocorrect = content.get("autocorrect")
        if autocorrect is not None:
            graphql_bool(autocorrect, "autocorrect")
        self.node = plan.NearText(
            tuple(string_list(content["concepts"], "nearText.concepts")),
            **_certainty_or_distance(content, what),
            move_to=parse_move(content["moveTo"], f"{what}.moveTo")
            if "moveTo" in content
            else None,
            move_away=(
                parse_move(content["moveAwayFrom"], f"{what}.moveAwayFrom")
                if "moveAwayFrom" in content
                else None
            ),
            autocorrect=autocorrect,
            target_vectors=_target_vectors(content, what),
        )

    def __str__(self) -> str:
        return v3_searching(self.node)


class NearVector(Filter):
    """A ``nearVector`` argument: ``{"vector": [float], "certainty" | "distance": float,
    "targetVectors": [str]}``."""

    def __init__(self, content: Mapping[str, Any]) -> None:
        what = "nearVector"
        super().__init__(content, what)
        _check_keys(content, ("vector", "certainty", "distance", "targetVectors"), what)
        if "vector" not in content:
            raise UsageError("nearVector needs a 'vector' (a list of numbers)")
        self.node = plan.NearVector(
            checked_vector(content["vector"], "nearVector.vector"),
            **_certainty_or_distance(content, what),
            target_vectors=_target_vectors(content, what),
        )

    def __str__(self) -> str:
        return v3_searching(self.node)


class NearObject(Filter):
    """A ``nearObject`` argument: ``{"id": uuid} | {"beacon": str}`` plus optional
    ``"certainty" | "distance"`` and ``"targetVectors"``.

    ``is_server_version_14`` is v3's second argument, accepted and not needed: servers
    older than 1.14 are not supported.
    """

    def __init__(self, content: Mapping[str, Any], is_server_version_14: bool = True) -> None:
        what = "nearObject"
        super().__init__(content, what)
        _check_keys(content, ("id", "beacon", "certainty", "distance", "targetVectors"), what)
        if ("id" in content) == ("beacon" in content):
            raise UsageError("nearObject needs exactly one of 'id' or 'beacon'")
        uuid = beacon = None
        if "id" in content:
            uuid = get_valid_uuid(content["id"])
        else:
            beacon = graphql_string(content["beacon"], "nearObject.beacon") and content["beacon"]
        threshold = _certainty_or_distance(content, what)
        self.node = plan.NearObject(
            id=uuid,
            beacon=beacon,
            certainty=threshold.get("certainty"),
            distance=threshold.get("distance"),
            target_vectors=_target_vectors(content, what),
        )

    def __str__(self) -> str:
        return v3_searching(self.node)


class NearMedia(Filter):
    """A ``near<Media>`` argument (multi2vec / img2vec modules): ``{"<media>": base64 str,
    "certainty" | "distance": float, "targetVectors": [str]}``; ``<media>`` is the
    :class:`MediaType`'s value (``"image"``, ``"audio"`` ...)."""

    def __init__(self, content: Mapping[str, Any], media_type: MediaType) -> None:
        self._media_type = MediaType(media_type)
        key = self._media_type.value
        what = self.argument_name
        super().__init__(content, what)
        _check_keys(content, (key, "certainty", "distance", "targetVectors"), what)
        if key not in content:
            raise UsageError(f"{what} needs {key!r}: the base64-encoded {key} (a str)")
        self.media = content[key]
        graphql_string(self.media, f"{what}.{key}")
        self.threshold = _certainty_or_distance(content, what)
        self.target_vectors = _target_vectors(content, what)

    @property
    def argument_name(self) -> str:
        """The GraphQL argument: ``nearImage``, ``nearAudio`` ... ``nearIMU``."""
        return self._media_type.argument_name

    def __str__(self) -> str:
        text = f"{self.argument_name}: {{{self._media_type.value}: {graphql_string(self.media)}"
        text += threshold_text(self.threshold.get("certainty"), self.threshold.get("distance"))
        return text + target_vectors_text(self.target_vectors) + "} "


class NearImage(NearMedia):
    """A ``nearImage`` argument: ``{"image": base64 str, ...}`` (see :class:`NearMedia`)."""

    def __init__(self, content: Mapping[str, Any]) -> None:
        super().__init__(content, MediaType.IMAGE)


class NearVideo(NearMedia):
    """A ``nearVideo`` argument: ``{"video": base64 str, ...}`` (see :class:`NearMedia`)."""

    def __init__(self, content: Mapping[str, Any]) -> None:
        super().__init__(content, MediaType.VIDEO)


class NearAudio(NearMedia):
    """A ``nearAudio`` argument: ``{"audio": base64 str, ...}`` (see :class:`NearMedia`)."""

    def __init__(self, content: Mapping[str, Any]) -> None:
        super().__init__(content, MediaType.AUDIO)


class NearDepth(NearMedia):
    """A ``nearDepth`` argument: ``{"depth": base64 str, ...}`` (see :class:`NearMedia`)."""

    def __init__(self, content: Mapping[str, Any]) -> None:
        super().__init__(content, MediaType.DEPTH)


class NearThermal(NearMedia):
    """A ``nearThermal`` argument: ``{"thermal": base64 str, ...}`` (see :class:`NearMedia`)."""

    def __init__(self, content: Mapping[str, Any]) -> None:
        super().__init__(content, MediaType.THERMAL)


class NearIMU(NearMedia):
    """A ``nearIMU`` argument: ``{"imu": base64 str, ...}`` (see :class:`NearMedia`)."""

    def __init__(self, content: Mapping[str, Any]) -> None:
        super().__init__(content, MediaType.IMU)


_MEDIA_SEARCHES: dict[MediaType, Callable[[Mapping[str, Any]], NearMedia]] = {
    MediaType.IMAGE: NearImage,
    MediaType.VIDEO: NearVideo,
    MediaType.AUDIO: NearAudio,
    MediaType.DEPTH: NearDepth,
    MediaType.THERMAL: NearThermal,
    MediaType.IMU: NearIMU,
}


def media_search(media_type: MediaType, content: Mapping[str, Any], encode: bool) -> NearMedia:
    """The ``near<Media>`` argument of ``with_near_<media>(content, encode)``.

    With ``encode=True`` (v3's default) ``content[<media>]`` is a file path or a binary
    file object, read and base64-encoded here; otherwise it is the base64 text. Unlike
    v3, the caller's dict is not changed.
    """
    content = dict(_mapping(content, media_type.argument_name))
    key = media_type.value
    if encode and key in content:
        content[key] = file_encoder_b64(content[key])
    return _MEDIA_SEARCHES[media_type](content)


class Ask(Filter):
    """An ``ask`` argument (qna modules): ``{"question": str, "certainty" | "distance":
    float, "properties": str | [str], "autocorrect": bool, "rerank": bool}``."""

    KEYS = ("question", "certainty", "distance", "properties", "autocorrect", "rerank")

    def __init__(self, content: Mapping[str, Any]) -> None:
        what = "ask"
        super().__init__(content, what)
        _check_keys(content, self.KEYS, what)
        if "question" not in content:
            raise UsageError("ask needs a 'question' (a str)")
        self.question = content["question"]
        graphql_string(self.question, "ask.question")
        self.threshold = _certainty_or_distance(content, what)
        self.properties = (
            string_list(content["properties"], "ask.properties")
            if "properties" in content
            else None
        )
        self.flags = {
            key: graphql_bool(content[key], f"ask.{key}")
            for key in ("autocorrect", "rerank")
            if key in content
        }

    def __str__(self) -> str:
        text = f"ask: {{question: {graphql_string(self.question)}"
        text += threshold_text(self.threshold.get("certainty"), self.threshold.get("distance"))
        if self.properties is not None:
            text += f" properties: {names_text(self.properties)}"
        for key, flag in self.flags.items():  # (in KEYS order, as v3)
            text += f" {key}: {flag}"
        return text + "} "


# -- sort ---------------------------------------------------------------------------------


class Sort(Filter):
    """A ``sort`` argument from ``{"path": str | [str], "order": "asc" | "desc"}`` or a
    list of them; :meth:`add` appends more (``with_sort`` called again)."""

    def __init__(self, content: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> None:
        super().__init__({"sort": []})
        self.keys: list[plan.SortBy] = []
        self.add(content)

    def add(self, content: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> None:
        """Append one sort clause or a list of them."""
        items = [content] if isinstance(content, Mapping) else content
        if not isinstance(items, (list, tuple)) or not items:
            raise UsageError(
                f"sort must be a dict or a non-empty list of dicts, got {type(content).__name__}"
            )
        for item in items:
            what = f"sort[{len(self.keys)}]"
            clause = _mapping(item, what)
            _check_keys(clause, ("path", "order"), what)
            if "path" not in clause:
                raise UsageError(f"{what} needs a 'path' (property name or list)")
            path = tuple(string_list(clause["path"], f"{what}.path"))
            ascending: Optional[bool] = None  # the server's default: ascending
            if "order" in clause:
                order = clause["order"]
                if order not in ("asc", "desc"):
                    raise UsageError(f"{what}.order must be 'asc' or 'desc', got {order!r}")
                ascending = order == "asc"
            self.keys.append(plan.SortBy(path, ascending))
            self._content["sort"].append(deepcopy(dict(clause)))

    def __str__(self) -> str:
        return v3_sort(self.keys)


class NearSearches(ABC):
    """The ``with_near_*`` methods, shared by the Get and Aggregate builders: each sets
    the query's one vector search (``_set_near`` refuses a second)."""

    @abstractmethod
    def _set_near(self, near: Filter) -> Self: ...

    def with_near_text(self, content: Mapping[str, Any]) -> Self:
        """Vector search by text, through the class's ``text2vec-*`` vectorizer::

            .with_near_text({"concepts": ["fashion"], "certainty": 0.7,
                             "moveAwayFrom": {"concepts": ["finance"], "force": 0.45}})

        A query takes one near operator (text, vector, object, media) or ``ask``.
        """
        return self._set_near(NearText(content))

    def with_near_vector(self, content: Mapping[str, Any]) -> Self:
        """Vector search: ``{"vector": [...], "certainty" | "distance": float}``."""
        return self._set_near(NearVector(content))

    def with_near_object(self, content: Mapping[str, Any]) -> Self:
        """Search near an object: ``{"id": uuid} | {"beacon": str}``, plus certainty/distance."""
        return self._set_near(NearObject(content))

    def with_near_image(self, content: Mapping[str, Any], encode: bool = True) -> Self:
        """Search near an image (``img2vec-*`` / ``multi2vec-*``): ``{"image": ...,
        "certainty" | "distance": float}``. With ``encode=True`` ``image`` is a file path
        or a binary file object, base64-encoded here; else it is base64 text."""
        return self._set_near(media_search(MediaType.IMAGE, content, encode))

    def with_near_audio(self, content: Mapping[str, Any], encode: bool = True) -> Self:
        """Search near audio (``multi2vec-bind``): ``{"audio": ...}``, see ``with_near_image``."""
        return self._set_near(media_search(MediaType.AUDIO, content, encode))

    def with_near_video(self, content: Mapping[str, Any], encode: bool = True) -> Self:
        """Search near a video (``multi2vec-bind``): ``{"video": ...}``, see ``with_near_image``."""
        return self._set_near(media_search(MediaType.VIDEO, content, encode))

    def with_near_depth(self, content: Mapping[str, Any], encode: bool = True) -> Self:
        """Search near a depth image (``multi2vec-bind``): ``{"depth": ...}``."""
        return self._set_near(media_search(MediaType.DEPTH, content, encode))

    def with_near_thermal(self, content: Mapping[str, Any], encode: bool = True) -> Self:
        """Search near a thermal image (``multi2vec-bind``): ``{"thermal": ...}``."""
        return self._set_near(media_search(MediaType.THERMAL, content, encode))

    def with_near_imu(self, content: Mapping[str, Any], encode: bool = True) -> Self:
        """Search near IMU data (``multi2vec-bind``): ``{"imu": ...}``."""
        return self._set_near(media_search(MediaType.IMU, content, encode))

"""Query expressions on model classes: ``Author.name == "x"``, ``Book.author.name``, ``.desc()``.

:class:`ModelMeta`, the metaclass of ``WeaviateModel``, turns class-level access to
a field into a :class:`Field` (a :class:`ReferencePath` for a cross-reference).
Comparing a FieldExpr gives a :class:`Filter`, checked against the field's Weaviate
type on the spot, so a wrong filter fails where it is written, before any request.
Filters become nodes of the typed query plan (:meth:`Filter.to_node`, see
:mod:`wvorm.plan`), or v3 ``where`` dicts (:meth:`Filter.to_where`) for the v3
builder; :mod:`wvorm.orm._query` consumes all of this. Under mypy the plugin
:mod:`wvorm.mypy` gives class-level field access these types too.
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Generic, Literal, NoReturn, Optional, TypeVar, Union
from uuid import UUID
from weakref import WeakKeyDictionary

import typing_extensions
from typing_extensions import get_args, get_origin

from wvorm import plan
from wvorm.errors import FilterError, UnknownFieldError, did_you_mean
from wvorm.orm._mapping import collection_name, model_info
from wvorm.orm._types import (
    DATA_TYPES,
    INT64_MAX,
    INT64_MIN,
    GeoCoordinate,
    PropertyInfo,
    encode_date,
    encode_uuid,
    text_problem,
)

if TYPE_CHECKING:
    from wvorm.orm._models import WeaviateModel

__all__ = [
    "FieldExpr",
    "Filter",
    "ReferencePath",
    "SortKey",
    "and_",
    "or_",
]

T = TypeVar("T")
Hops = tuple[tuple[PropertyInfo, type["WeaviateModel"]], ...]
M = TypeVar("M", bound="WeaviateModel")
Target = TypeVar("Target", bound="WeaviateModel")

# The object's uuid is the model's ``id`` field, which Weaviate filters as text at path
# ["id"] and sorts at path ["_id"].
ID_PROPERTY = PropertyInfo(
    field_name="id",
    name="id",
    data_type=("uuid",),
    base_type="uuid",
    item_type=UUID,
    item_encoder=encode_uuid,
)

_LITERALS = (Literal, typing_extensions.Literal)
# The instants Weaviate's date index can hold: int64 nanoseconds since the epoch
INDEXED_DATES = (
    datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=-(2**63) // 1000 + 1),
    datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=(2**63 - 1) // 1000),
)
_RANGE_OPERATORS = ("GreaterThan", "GreaterThanEqual", "LessThan", "LessThanEqual")


# ---------------------------------------------------------------------------
# Paths: a field, possibly reached through references


class _Path:
    """Where an expression points: the ``_root`` model, the references it goes through,
    a property.

    ``_hops`` are the (reference property, chosen target model) pairs walked from
    ``_root``; ``_model`` owns ``_prop``. Every attribute is underscored, so none can
    hide a field of a reference's target (``Book.author.<any field>``).
    """

    __slots__ = ("_hops", "_model", "_prop", "_root")

    def __init__(
        self,
        root: type[WeaviateModel],
        hops: Hops,
        model: type[WeaviateModel],
        prop: PropertyInfo,
    ) -> None:
        self._root = root
        self._hops = hops
        self._model = model
        self._prop = prop

    @property
    def _path(self) -> list[str]:
        out: list[str] = []
        for reference, target in self._hops:
            out += [reference.name, collection_name(target)]
        out.append(self._prop.name)
        return out

    @property
    def _label(self) -> str:
        names = [self._root.__name__] + [reference.field_name for reference, _ in self._hops]
        return ".".join([*names, self._prop.field_name])

    def __hash__(self) -> int:
        return hash((type(self), self._root, tuple(self._path)))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._label}>"


# model -> {field name: expression}: ``Author.name is Author.name``, so fields work as
# dict keys and set members (``==`` on two fields is identity, see FieldExpr.__eq__)
_EXPRESSIONS: WeakKeyDictionary[type, dict[str, Union[FieldExpr[Any], ReferencePath[Any]]]] = (
    WeakKeyDictionary()
)


def field_of(model: type[WeaviateModel], name: str) -> Union[FieldExpr[Any], ReferencePath[Any]]:
    """``model.<name>`` as an expression: a FieldExpr, or a ReferencePath for a reference.

    Raises :class:`UnknownFieldError` (an AttributeError) naming the known fields.
    """
    cache = _EXPRESSIONS.setdefault(model, {})
    expression = cache.get(name)
    if expression is None:
        expression = cache[name] = _step(model, (), model, name)
    return expression


def _step(
    root: type[WeaviateModel],
    hops: Hops,
    model: type[WeaviateModel],
    name: str,
) -> Union[FieldExpr[Any], ReferencePath[Any]]:
    if name == "id":
        return FieldExpr(root, hops, model, ID_PROPERTY)
    fields = model_info(model).fields
    prop = fields.get(name)
    if prop is None:
        where = ".".join([root.__name__] + [r.field_name for r, _ in hops])
        if hops:
            where += f" (a {model.__name__})"
        known = ", ".join(["id", *fields])
        hint = ""
        aliased = model_info(model).by_name.get(name)
        if aliased is not None:
            hint = f" ({name!r} is the property name of field {aliased.field_name!r})"
        else:
            hint = did_you_mean(name, ["id", *fields])
        raise UnknownFieldError(f"{where} has no field {name!r}{hint}; its fields: {known}")
    if prop.targets:
        return ReferencePath(root, hops, model, prop, prop.targets)
    return FieldExpr(root, hops, model, prop)


# ---------------------------------------------------------------------------
# Fields


class FieldExpr(_Path, Generic[T]):
    """A model field in a query expression; ``T`` is the type of one value.

    Comparisons give :class:`Filter` objects: ``==``, ``!=``, ``<``, ``<=``, ``>``,
    ``>=`` (``== None`` / ``!= None`` test for null), :meth:`like`,
    :meth:`contains_any`, :meth:`contains_all`, :meth:`contains_none`,
    :meth:`is_null` and :meth:`within_geo_range`. :meth:`asc` / :meth:`desc` give
    sort keys. For a list field, ``==`` matches objects whose list holds the value.
    """

    __slots__ = ()

    @property
    def root(self) -> type[WeaviateModel]:
        """The model the expression starts from (``Book`` in ``Book.author.name``)."""
        return self._root

    @property
    def hops(self) -> Hops:
        """The references walked: (reference property, target model) pairs."""
        return self._hops

    @property
    def prop(self) -> PropertyInfo:
        """The field's property (of the last model walked to)."""
        return self._prop

    @property
    def path(self) -> list[str]:
        """The Weaviate path: ``["author", "Author", "name"]`` through a reference."""
        return self._path

    @property
    def label(self) -> str:
        """How the expression was written: ``Book.author.name``."""
        return self._label

    # -- comparisons ------------------------------------------------------------------

    def __eq__(self, value: Optional[T]) -> Filter:  # type: ignore[override]
        if isinstance(value, _Path):  # Weaviate cannot compare two properties: identity
            return NotImplemented
        if value is None:
            return self._null(True, "== None")
        return self._compare("Equal", "==", value)

    def __ne__(self, value: Optional[T]) -> Filter:  # type: ignore[override]
        if isinstance(value, _Path):
            return NotImplemented
        if value is None:
            return self._null(False, "!= None")
        return self._compare("NotEqual", "!=", value)

    def __lt__(self, value: T) -> Filter:
        return self._compare("LessThan", "<", value)

    def __le__(self, value: T) -> Filter:
        return self._compare("LessThanEqual", "<=", value)

    def __gt__(self, value: T) -> Filter:
        return self._compare("GreaterThan", ">", value)

    def __ge__(self, value: T) -> Filter:
        return self._compare("GreaterThanEqual", ">=", value)

    __hash__ = _Path.__hash__

    def like(self: FieldExpr[str], pattern: str) -> Filter:
        """Text matching ``pattern``: ``?`` is one character, ``*`` any run of characters."""
        operation = f".like({pattern!r})"
        if self._prop.base_type != "text":
            self._refuse(operation, "like() applies to text fields")
        if not isinstance(pattern, str):
            self._refuse(operation, f"the pattern must be a str, not {type(pattern).__name__}")
        problem = text_problem(pattern)
        if problem is not None:
            self._refuse(operation, problem)
        return Comparison(self, "Like", operation, "valueText", pattern)

    def contains_any(self, values: Sequence[T]) -> Filter:
        """Objects holding at least one of ``values`` (for a single value: equal to one)."""
        return self._contains("ContainsAny", "contains_any", values)

    def contains_all(self, values: Sequence[T]) -> Filter:
        """Objects holding every one of ``values``."""
        return self._contains("ContainsAll", "contains_all", values)

    def contains_none(self, values: Sequence[T]) -> Filter:
        """Objects holding none of ``values``."""
        return self._contains("ContainsNone", "contains_none", values)

    def is_null(self, null: bool = True) -> Filter:
        """Objects whose value is null (``null=False``: is set). Needs the class's
        ``inverted_index_config={"indexNullState": True}``."""
        return self._null(null, f".is_null({null!r})")

    def within_geo_range(
        self: FieldExpr[GeoCoordinate],
        center: Union[GeoCoordinate, tuple[float, float]],
        max_distance: float,
    ) -> Filter:
        """Objects within ``max_distance`` metres of ``center`` (a GeoCoordinate or
        ``(latitude, longitude)``)."""
        operation = f".within_geo_range({center!r}, {max_distance!r})"
        if self._prop.base_type != "geoCoordinates":
            self._refuse(operation, "within_geo_range() applies to GeoCoordinate fields")
        if isinstance(center, tuple) and len(center) == 2:
            latitude, longitude = center
        elif isinstance(center, GeoCoordinate):
            latitude, longitude = center.latitude, center.longitude
        else:
            self._refuse(operation, "center must be a GeoCoordinate or a (latitude, longitude)")
        if not _is_number(latitude) or not _is_number(longitude) or not _is_number(max_distance):
            self._refuse(operation, "latitude, longitude and max_distance must be numbers")
        if not all(map(_is_finite, (latitude, longitude, max_distance))):
            self._refuse(operation, "latitude, longitude and max_distance must be finite")
        geo_range = {
            "geoCoordinates": {"latitude": float(latitude), "longitude": float(longitude)},
            "distance": {"max": float(max_distance)},
        }
        return Comparison(self, "WithinGeoRange", operation, "valueGeoRange", geo_range)

    # -- sorting ----------------------------------------------------------------------

    def asc(self) -> SortKey:
        """Sort ascending by this field."""
        return SortKey(self, "asc")

    def desc(self) -> SortKey:
        """Sort descending by this field."""
        return SortKey(self, "desc")

    # -- checks -----------------------------------------------------------------------

    def _refuse(self, operation: str, reason: str) -> NoReturn:
        prop = self._prop
        kind = "the object's uuid" if prop is ID_PROPERTY else f"Weaviate {prop.data_type[0]}"
        raise FilterError(
            f"{self._label}{operation}: {reason} ({self._label}: {kind}, "
            f"Python {_python_type_name(prop)})"
        )

    def _check_filterable(self, operation: str, operator: str) -> None:
        base = self._prop.base_type
        row = DATA_TYPES[base]
        if row.filter_refusal is not None:
            self._refuse(operation, row.filter_refusal)
        if operator == "IsNull":
            if self._prop is ID_PROPERTY:
                self._refuse(operation, "an object's id is never null")
            return
        if operator in _RANGE_OPERATORS and not row.ordered:
            self._refuse(operation, f"{base} values have no order")

    def _compare(self, operator: str, symbol: str, value: Any) -> Filter:
        operation = f" {symbol} {value!r}"
        self._check_filterable(operation, operator)
        if isinstance(value, (list, tuple, set, frozenset)):
            hint = (
                "; use contains_all([...]) / contains_any([...]) to match several items"
                if self._prop.is_list
                else "; use contains_any([...]) to match one of several values"
            )
            self._refuse(operation, f"{symbol} compares with one value, not a list{hint}")
        encoded = self._encode(operation, value)
        return Comparison(self, operator, operation, self._value_key(), encoded)

    def _contains(self, operator: str, method: str, values: Sequence[Any]) -> Filter:
        operation = f".{method}({values!r})"
        self._check_filterable(operation, operator)
        if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
            self._refuse(operation, f"{method}() takes a list of values")
        items = list(values)
        if not items:
            self._refuse(operation, f"{method}() needs at least one value")
        encoded = [self._encode(operation, item) for item in items]
        return Comparison(self, operator, operation, self._value_key(), encoded)

    def _value_key(self) -> str:
        key = DATA_TYPES[self._prop.base_type].value_key
        assert key is not None  # _check_filterable refused the types without one
        return key

    def _null(self, null: bool, operation: str) -> Filter:
        self._check_filterable(operation, "IsNull")
        if not isinstance(null, bool):
            self._refuse(operation, "is_null() takes True or False")
        return Comparison(self, "IsNull", operation, "valueBoolean", null)

    def _encode(self, operation: str, value: Any) -> Any:
        """``value`` in its Weaviate JSON form, or a FilterError naming what was expected."""
        prop = self._prop
        base = prop.base_type
        item_type = prop.item_type
        if isinstance(item_type, type) and issubclass(item_type, enum.Enum):
            try:
                member = item_type(value)
            except ValueError:
                allowed = ", ".join(repr(m.value) for m in item_type)
                self._refuse(operation, f"{value!r} is not a {item_type.__name__} ({allowed})")
            return member.value
        if get_origin(item_type) in _LITERALS:
            allowed_values = get_args(item_type)
            if value not in allowed_values or isinstance(value, bool) != isinstance(
                allowed_values[0], bool
            ):
                allowed = ", ".join(map(repr, allowed_values))
                self._refuse(operation, f"{value!r} is not one of the allowed values ({allowed})")
            return value
        if base == "text" and isinstance(value, str):
            problem = text_problem(value)
            if problem is not None:
                self._refuse(operation, problem)
            return value
        if base == "int" and _is_int(value):
            if not INT64_MIN <= int(value) <= INT64_MAX:
                self._refuse(operation, f"{value} is outside Weaviate's int range (int64)")
            return int(value)
        if base == "number" and _is_number(value):
            try:
                number = float(value)
            except OverflowError:
                self._refuse(operation, f"{value} is beyond the float range")
            if not math.isfinite(number):
                self._refuse(operation, "Weaviate stores finite numbers only")
            return number
        if base == "boolean" and isinstance(value, bool):
            return value
        if base == "date" and isinstance(value, datetime):
            instant = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
            if not INDEXED_DATES[0] <= instant <= INDEXED_DATES[1]:
                self._refuse(
                    operation,
                    "Weaviate indexes dates as int64 nanoseconds since 1970, which reach from "
                    "1677-09-21 to 2262-04-11 only; a filter on a date beyond them matches "
                    "wrongly (Go's UnixNano is undefined there)",
                )
            return encode_date(value)
        if base == "uuid":
            if isinstance(value, UUID):
                return str(value)
            if isinstance(value, str):
                try:
                    return str(UUID(value))
                except ValueError:
                    self._refuse(operation, f"{value!r} is not a valid uuid")
        expected = DATA_TYPES[base].expected
        self._refuse(operation, f"compare it with {expected}, not {type(value).__name__} {value!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_finite(value: Any) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond the float range
        return False


def _python_type_name(prop: PropertyInfo) -> str:
    item = prop.item_type
    name = item.__name__ if isinstance(item, type) else repr(item).replace("typing.", "")
    return f"list[{name}]" if prop.is_list else name


# ---------------------------------------------------------------------------
# References


class ReferencePath(_Path, Generic[M]):
    """A cross-reference in a query expression; ``M`` is the referenced model.

    Its attributes are the target's fields, as paths through the reference:
    ``Book.of_author.name == "Jane"`` filters on ``["ofAuthor", "Author", "name"]``.
    Pass it to ``Query.include(...)`` to load the referenced objects. For a
    multi-target reference, ``Book.about[Author]`` picks one target. (Its own
    attributes are underscored, so that every field name reaches the target.)
    """

    __slots__ = ("_targets",)

    def __init__(
        self,
        root: type[WeaviateModel],
        hops: Hops,
        model: type[WeaviateModel],
        prop: PropertyInfo,
        targets: tuple[type[M], ...],
    ) -> None:
        super().__init__(root, hops, model, prop)
        self._targets = targets

    def __getitem__(self, target: type[Target]) -> ReferencePath[Target]:
        if target not in self._prop.targets:
            names = ", ".join(t.__name__ for t in self._prop.targets)
            raise FilterError(
                f"{self._label}[{getattr(target, '__name__', target)!r}]: the reference points "
                f"to {names} only"
            )
        return ReferencePath(self._root, self._hops, self._model, self._prop, (target,))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        targets = self._targets
        having = [t for t in targets if name == "id" or name in model_info(t).fields]
        if not having and len(targets) == 1:
            having = list(targets)  # let _step name the fields the target does have
        if not having:
            names = ", ".join(t.__name__ for t in targets)
            raise UnknownFieldError(
                f"{self._label}: none of its targets ({names}) has field {name!r}"
            )
        if len(having) > 1:
            names = " and ".join(t.__name__ for t in having)
            first = having[0].__name__
            raise FilterError(
                f"{self._label}.{name} is ambiguous: {names} both have {name!r}; pick one "
                f"target, e.g. {self._label}[{first}].{name}"
            )
        target = having[0]
        return _step(self._root, (*self._hops, (self._prop, target)), target, name)

    @property
    def _label(self) -> str:
        label = super()._label
        if len(self._targets) == 1 and len(self._prop.targets) > 1:
            label += f"[{self._targets[0].__name__}]"
        return label


# ---------------------------------------------------------------------------
# Filters


class Filter:
    """A ``where`` condition: combine with ``&`` (and), ``|`` (or) and ``~`` (not).

    Python's ``and`` / ``or`` / ``not`` cannot be overloaded and would silently drop
    a condition, so a Filter refuses to be used as a bool.
    """

    __slots__ = ()

    def to_where(self) -> dict[str, Any]:
        """The v3 ``where`` dict, as ``client.query.get(...).with_where`` takes it."""
        raise NotImplementedError

    def to_node(self) -> plan.FilterNode:
        """The filter as a node of the typed query plan."""
        raise NotImplementedError

    def roots(self) -> set[type[WeaviateModel]]:
        """The models whose fields the filter names (where its paths start)."""
        raise NotImplementedError

    def __and__(self, other: Filter) -> Filter:
        return Combination.of("And", self, other)

    def __or__(self, other: Filter) -> Filter:
        return Combination.of("Or", self, other)

    def __invert__(self) -> Filter:
        return Combination("Not", (self,))

    def __bool__(self) -> bool:
        raise FilterError(
            f"{self!r} has no truth value: combine filters with & (and), | (or) and ~ (not), "
            "not with Python's and / or / not, and compare fields only inside a query"
        )


class Comparison(Filter):
    """One condition on one field, its value already checked and encoded."""

    __slots__ = ("field", "operation", "operator", "value", "value_key")

    def __init__(
        self, field: FieldExpr[Any], operator: str, operation: str, value_key: str, value: Any
    ) -> None:
        self.field = field
        self.operator = operator
        self.operation = operation  # how it was written, for messages
        self.value_key = value_key
        self.value = value

    def to_where(self) -> dict[str, Any]:
        return {"path": self.field.path, "operator": self.operator, self.value_key: self.value}

    def to_node(self) -> plan.Condition:
        value = self.value
        if self.value_key == "valueGeoRange":
            center = value["geoCoordinates"]
            value = plan.GeoRange(center["latitude"], center["longitude"], value["distance"]["max"])
        elif isinstance(value, list):
            value = tuple(value)
        return plan.Condition(tuple(self.field.path), self.operator, self.value_key, value)

    def roots(self) -> set[type[WeaviateModel]]:
        return {self.field.root}

    def __repr__(self) -> str:
        return f"({self.field.label}{self.operation})"


class Combination(Filter):
    """``And`` / ``Or`` of several filters, or ``Not`` of one."""

    __slots__ = ("operands", "operator")

    def __init__(self, operator: str, operands: tuple[Filter, ...]) -> None:
        self.operator = operator
        self.operands = operands

    @classmethod
    def of(cls, operator: str, *operands: object) -> Filter:
        """``operator`` over ``operands``, flattening nested combinations of the same kind."""
        flat: list[Filter] = []
        symbol = "&" if operator == "And" else "|"
        for operand in operands:
            if not isinstance(operand, Filter):
                raise FilterError(
                    f"{symbol} combines filters such as (Author.name == 'x'); got "
                    f"{type(operand).__name__} {operand!r}. Put parentheses around each "
                    "comparison: (A.x > 1) & (A.y < 2)"
                )
            if isinstance(operand, Combination) and operand.operator == operator:
                flat.extend(operand.operands)
            else:
                flat.append(operand)
        return flat[0] if len(flat) == 1 else cls(operator, tuple(flat))

    def to_where(self) -> dict[str, Any]:
        return {"operator": self.operator, "operands": [op.to_where() for op in self.operands]}

    def to_node(self) -> plan.Logical:
        return plan.Logical(self.operator, tuple(op.to_node() for op in self.operands))

    def roots(self) -> set[type[WeaviateModel]]:
        return set().union(*(op.roots() for op in self.operands))

    def __repr__(self) -> str:
        if self.operator == "Not":
            return f"~{self.operands[0]!r}"
        symbol = " & " if self.operator == "And" else " | "
        return "(" + symbol.join(map(repr, self.operands)) + ")"


def and_(*filters: Filter) -> Filter:
    """All of ``filters`` (same as ``a & b & ...``)."""
    if not filters:
        raise FilterError("and_() needs at least one filter")
    return Combination.of("And", *filters)


def or_(*filters: Filter) -> Filter:
    """Any of ``filters`` (same as ``a | b | ...``)."""
    if not filters:
        raise FilterError("or_() needs at least one filter")
    return Combination.of("Or", *filters)


# ---------------------------------------------------------------------------
# Sorting


class SortKey:
    """``field.asc()`` / ``field.desc()``: one key of ``Query.sort(...)``."""

    __slots__ = ("field", "order")

    def __init__(self, field: FieldExpr[Any], order: str) -> None:
        operation = f".{order}()"
        if not isinstance(field, FieldExpr):
            raise FilterError(f"sort keys are fields such as Author.name, not {field!r}")
        if field.hops:
            field._refuse(operation, "Weaviate cannot sort by a property of a referenced object")
        if field.prop.is_list or not DATA_TYPES[field.prop.base_type].sortable:
            field._refuse(operation, "Weaviate sorts by single text, number, bool, date or uuid")
        self.field = field
        self.order = order

    def to_sort(self) -> dict[str, Any]:
        """The v3 sort dict, as ``with_sort`` takes it."""
        path = ["_id"] if self.field.prop is ID_PROPERTY else self.field.path
        return {"path": path, "order": self.order}

    def to_node(self) -> plan.SortBy:
        """The sort key as a node of the typed query plan."""
        path = ("_id",) if self.field.prop is ID_PROPERTY else tuple(self.field.path)
        return plan.SortBy(path, ascending=self.order == "asc")

    def __repr__(self) -> str:
        return f"{self.field.label}.{self.order}()"

"""Python types ↔ Weaviate data types, and Python values ↔ their Weaviate JSON form.

The one home of the type mapping, and of everything per Weaviate data type: the
:data:`DATA_TYPES` registry holds, per type, its write codec, read codec, filter value
key, whether it orders, sorts and aggregates (and with which metrics), so the models,
the loader, the filter expressions and the query read one table.
:mod:`wvorm.orm._mapping` calls :func:`describe_field` for every field when a
``WeaviateModel`` class is compiled; the resulting :class:`PropertyInfo` carries the
converters that the Session (write) and the query layer (read) use.

=================================  ===========================
Python annotation                  Weaviate ``dataType``
=================================  ===========================
``str``                            ``text``
``int``                            ``int``
``float``                          ``number``
``bool``                           ``boolean``
``datetime``                       ``date`` (naive values are taken as UTC)
``UUID``                           ``uuid``
``bytes``                          ``blob`` (base64 on the wire)
``list[X]`` of the above           ``X[]`` (no ``blob[]``: Weaviate has none)
``GeoCoordinate``                  ``geoCoordinates``
``PhoneNumber``                    ``phoneNumber``
a plain pydantic ``BaseModel``     ``object`` / ``object[]`` with ``nestedProperties``
``Enum`` / ``Literal`` of str      ``text`` (of int: ``int``, of bool: ``boolean``)
``Optional[X]``                    as ``X``
a ``WeaviateModel`` (or a list or  a cross-reference: ``["Target", ...]``
Union of them)
=================================  ===========================
"""

from __future__ import annotations

import base64
import enum
import re
import struct
import sys
import types
import typing
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Optional, Union

import typing_extensions
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator
from pydantic.errors import PydanticUndefinedAnnotation
from typing_extensions import Annotated, get_args, get_origin

from wvorm._inputs import EXACT_JSON_INT
from wvorm.errors import ModelDefinitionError, UsageError

# ---------------------------------------------------------------------------
# Value types with a Weaviate data type of their own


def _float32(value: float) -> float:
    """``value`` as Weaviate stores geo coordinates (float32), so equality survives a round trip."""
    result: float = struct.unpack("f", struct.pack("f", value))[0]
    return result


class GeoCoordinate(BaseModel):
    """A point on Earth (Weaviate ``geoCoordinates``). Immutable.

    Weaviate stores coordinates as float32, so two coordinates are equal when they
    are equal at that precision: a value read back from the server equals the one
    written.
    """

    model_config = ConfigDict(frozen=True)

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GeoCoordinate):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[float, float]:
        return _float32(self.latitude), _float32(self.longitude)


class PhoneNumber(BaseModel):
    """A phone number (Weaviate ``phoneNumber``). Immutable.

    Only ``input`` and ``default_country`` are written. The server parses them and
    fills the other fields, which are set on objects read back; equality compares
    ``input`` and ``default_country`` only, so a value read back equals the one written.
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True, validate_by_name=True)

    input: str
    default_country: Optional[str] = Field(default=None, alias="defaultCountry")
    international_formatted: Optional[str] = Field(default=None, alias="internationalFormatted")
    country_code: Optional[int] = Field(default=None, alias="countryCode")
    national: Optional[int] = None
    national_formatted: Optional[str] = Field(default=None, alias="nationalFormatted")
    valid: Optional[bool] = None

    @field_validator("default_country")
    @classmethod
    def _upper_country(cls, value: Optional[str]) -> Optional[str]:
        # The server upper-cases the country code, and answers "" for none (GraphQL and
        # gRPC); doing the same keeps round trips equal.
        return value.upper() if value else None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PhoneNumber):
            return NotImplemented
        return (self.input, self.default_country) == (other.input, other.default_country)

    def __hash__(self) -> int:
        return hash((self.input, self.default_country))


# ---------------------------------------------------------------------------
# Per-field options


@dataclass(frozen=True)
class Property:
    """Per-field Weaviate options, given as ``Annotated[str, Property(...)]``.

    Every option left at ``None`` is not sent, so the server's default applies.
    ``description`` defaults to the pydantic field's description. ``tokenization``
    and ``index_searchable`` apply to text fields, ``index_range_filters`` to int,
    number and date fields. ``skip_vectorization`` and ``vectorize_property_name``
    go to the module config of every vectorizer the class uses.
    """

    description: Optional[str] = None
    tokenization: Optional[str] = None
    index_filterable: Optional[bool] = None
    index_searchable: Optional[bool] = None
    index_range_filters: Optional[bool] = None
    skip_vectorization: Optional[bool] = None
    vectorize_property_name: Optional[bool] = None

    def __post_init__(self) -> None:
        for name in ("description", "tokenization"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, str):
                raise UsageError(f"Property({name}=...) takes a str or None, not {value!r}")
        for name in (
            "index_filterable",
            "index_searchable",
            "index_range_filters",
            "skip_vectorization",
            "vectorize_property_name",
        ):
            value = getattr(self, name)
            if value is not None and not isinstance(value, bool):
                raise UsageError(f"Property({name}=...) takes True, False or None, not {value!r}")

    @property
    def vectorizer_options(self) -> dict[str, bool]:
        """The per-property module config for a vectorizer (empty when nothing is set)."""
        options: dict[str, bool] = {}
        if self.skip_vectorization is not None:
            options["skip"] = self.skip_vectorization
        if self.vectorize_property_name is not None:
            options["vectorizePropertyName"] = self.vectorize_property_name
        return options


# ---------------------------------------------------------------------------
# Names

PROPERTY_NAME_PATTERN = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
CLASS_NAME_PATTERN = re.compile(r"[A-Z][_0-9A-Za-z]*")
RESERVED_PROPERTY_NAMES = frozenset({"id", "_id", "_additional"})  # Weaviate's own list
MAX_PROPERTY_NAME_LENGTH = 231  # the server rejects longer names


def property_name_problem(name: str, *, nested: bool = False) -> Optional[str]:
    """Why Weaviate or GraphQL would reject (or rename) property ``name``; None if it is fine."""
    if not PROPERTY_NAME_PATTERN.fullmatch(name):
        return (
            f"property name {name!r} is not a valid GraphQL name (it must match "
            f"/{PROPERTY_NAME_PATTERN.pattern}/); give the field a valid alias"
        )
    if len(name) > MAX_PROPERTY_NAME_LENGTH:
        return f"property name {name!r} is longer than {MAX_PROPERTY_NAME_LENGTH} characters"
    if name.startswith("__"):
        return f"property name {name!r} starts with '__', which GraphQL reserves for introspection"
    if nested:
        return None
    if name in RESERVED_PROPERTY_NAMES:
        reserved = ", ".join(sorted(RESERVED_PROPERTY_NAMES))
        return f"property name {name!r} is reserved by Weaviate ({reserved}); use another alias"
    if name[0].isupper():
        return (
            f"property name {name!r} starts with an upper-case letter, which Weaviate lower-cases "
            f"(it would store {name[0].lower() + name[1:]!r}); use a lower-case alias"
        )
    return None


# ---------------------------------------------------------------------------
# The data-type registry: one row per Weaviate data type

Encoder = Callable[[Any], Any]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Weaviate stores int properties as int64. Writes go over REST, whose JSON the server
# parses as float64: beyond 2**53 an int would be rounded (2**63 - 1 is even stored as
# -2**63), so that is the write limit. (GraphQL answers null for ints beyond 32 bits;
# queries read those objects again over REST: Query._exact_ints.)
# False while a value is encoded for a local copy rather than for the server (a dirty-
# tracking snapshot, a natural key): what the server could not store is refused when it
# is written, not when it is compared.
_CHECKED: ContextVar[bool] = ContextVar("wvorm_checked_encoding", default=True)


@contextmanager
def unchecked() -> Iterator[None]:
    """Within it, encoders convert without refusing what the server could not store."""
    token = _CHECKED.set(False)
    try:
        yield
    finally:
        _CHECKED.reset(token)


def encode_int(value: int) -> int:
    """An int property value, refused when the read path could not return it intact."""
    if not _CHECKED.get():
        return value
    if not -EXACT_JSON_INT <= value <= EXACT_JSON_INT:
        raise UsageError(
            f"{value} is beyond ±2**53, where Weaviate's REST API (which parses JSON numbers "
            "as float64) would store it rounded; store it as text, or keep it in range"
        )
    return value


def encode_number(value: float) -> float:
    """A number property value; NaN and infinities are refused (JSON has no such numbers)."""
    if value - value != 0 and _CHECKED.get():  # (x - x is 0.0 for every finite x)
        raise UsageError(
            "Weaviate's number type (JSON) holds finite numbers only, not NaN or infinity; "
            "use None (an Optional field) for a missing value"
        )
    return value


def text_problem(value: str) -> Optional[str]:
    """Why ``value`` cannot travel to Weaviate unchanged, or None: a lone surrogate is
    not a Unicode character (the server would store U+FFFD in its place)."""
    if value.isascii():
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (
            f"it holds a lone surrogate {value[exc.start]!r} at index {exc.start}, which is not "
            "a Unicode character (Weaviate would store U+FFFD instead); decode the text "
            "properly (e.g. errors='replace') first"
        )
    return None


def encode_text(value: str) -> str:
    """A text property value, refused when it is not valid Unicode."""
    if not value.isascii() and _CHECKED.get():
        problem = text_problem(value)
        if problem is not None:
            raise UsageError(problem)
    return value


def encode_date(value: datetime) -> str:
    """RFC 3339 with an offset; a naive datetime is taken as UTC.

    An offset that is not a whole number of minutes (RFC 3339 has none) is written as
    the same instant in UTC."""
    offset = value.utcoffset()
    if offset is None:
        value = value.replace(tzinfo=timezone.utc)
    elif (offset.seconds % 60 or offset.microseconds) and _CHECKED.get():
        try:
            value = value.astimezone(timezone.utc)
        except OverflowError:
            raise UsageError(
                "its offset is not a whole number of minutes (RFC 3339 has none), and the "
                "same instant in UTC is outside years 1-9999"
            ) from None
    return value.isoformat()


def encode_uuid(value: uuid.UUID) -> str:
    return str(value)


def encode_blob(value: bytes) -> str:
    if not value and _CHECKED.get():
        raise UsageError("Weaviate refuses an empty blob; use None (an Optional field) for no data")
    return base64.b64encode(value).decode("ascii")


def decode_blob(value: Any) -> Any:
    return base64.b64decode(value) if isinstance(value, str) else value


def encode_enum(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def encode_geo(value: GeoCoordinate) -> dict[str, float]:
    return {"latitude": value.latitude, "longitude": value.longitude}


def encode_phone(value: PhoneNumber) -> dict[str, str]:
    out = {"input": value.input}
    if value.default_country is not None:
        out["defaultCountry"] = value.default_country
    return out


_DATETIME = TypeAdapter(datetime)


def read_datetime(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):  # Python < 3.11 parses less of RFC 3339
        return _DATETIME.validate_python(value)


def read_float(value: Any) -> float:
    if type(value) is not int:  # JSON gives 2 for 2.0; anything else is not a number
        raise UsageError(f"expected a number, got {value!r}")
    return float(value)


def read_blob(value: Any) -> bytes:
    return base64.b64decode(value)


def _refuse(expected: type) -> Callable[[Any], Any]:
    def refuse(value: Any) -> Any:
        raise UsageError(f"expected {expected.__name__}, got {value!r}")

    return refuse


@dataclass(frozen=True)
class DataType:
    """Everything wvorm does with one Weaviate data type.

    - ``python_type``: the field type that maps to it (None: reached another way);
    - ``encode``: a Python value to its JSON form (None: already JSON);
    - ``read_exact`` / ``read``: a server value of exactly ``read_exact`` is kept as is,
      anything else goes through ``read`` (which raises TypeError or ValueError for a
      value the field cannot hold); ``read`` None: pydantic builds it;
    - ``value_key``: the ``where`` value key of filter operands (None: not filterable);
      ``expected``: what an operand must be, for messages; ``filter_refusal``: why the
      type cannot be filtered, when it cannot; ``ordered``: ``<`` and ``>`` apply;
    - ``sortable``; ``metrics``: what ``aggregate`` asks for (None: not aggregatable);
    - ``range_index``: ``index_range_filters`` applies; ``listable``: ``X[]`` exists.
    """

    name: str
    python_type: Optional[type] = None
    encode: Optional[Encoder] = None
    read_exact: Optional[type] = None
    read: Optional[Encoder] = None
    value_key: Optional[str] = None
    expected: str = ""
    filter_refusal: Optional[str] = None
    ordered: bool = False
    sortable: bool = False
    metrics: Optional[str] = None
    range_index: bool = False
    listable: bool = True


_NUMBER_METRICS = "count maximum mean median minimum mode sum"

DATA_TYPES: dict[str, DataType] = {
    t.name: t
    for t in (
        # boolean before int: bool is a subclass of int
        DataType("boolean", bool, None, bool, _refuse(bool), "valueBoolean", "a bool",
                 sortable=True,
                 metrics="count totalTrue totalFalse percentageTrue percentageFalse"),
        DataType("int", int, encode_int, int, _refuse(int), "valueInt", "an int",
                 ordered=True, sortable=True, metrics=_NUMBER_METRICS, range_index=True),
        DataType("number", float, encode_number, float, read_float, "valueNumber",
                 "an int or float",
                 ordered=True, sortable=True, metrics=_NUMBER_METRICS, range_index=True),
        DataType("text", str, encode_text, str, _refuse(str), "valueText", "a str",
                 ordered=True, sortable=True, metrics="count topOccurrences{value occurs}"),
        DataType("date", datetime, encode_date, None, read_datetime, "valueDate", "a datetime",
                 ordered=True, sortable=True, metrics="count maximum median minimum mode",
                 range_index=True),
        DataType("uuid", uuid.UUID, encode_uuid, None, uuid.UUID, "valueText",
                 "a UUID (or uuid str)", ordered=True, sortable=True),
        DataType("blob", bytes, encode_blob, None, read_blob, listable=False,
                 filter_refusal="Weaviate does not index blob properties"),
        DataType("geoCoordinates", GeoCoordinate, encode_geo, None, GeoCoordinate.model_validate,
                 "valueGeoRange", listable=False,
                 filter_refusal="a GeoCoordinate field filters with within_geo_range() only "
                 "(Weaviate keeps no null state for it)"),
        DataType("phoneNumber", PhoneNumber, encode_phone, None, PhoneNumber.model_validate,
                 listable=False,
                 filter_refusal="wvorm does not filter on phoneNumber properties (Weaviate "
                 "keeps no null state for them and compares them only as valuePhoneNumber)"),
        DataType("object",
                 filter_refusal="Weaviate does not filter on nested object properties (a "
                 "preview feature, off by default)"),
        DataType("cref"),  # cross-references (Weaviate's own internal name)
    )
}  # fmt: skip
REFERENCE_TYPE = "cref"
TEXT_TYPES = frozenset({"text", "text[]"})


def data_type(name: str) -> DataType:
    """The registry row of a Weaviate base type (``"int"``, not ``"int[]"``)."""
    return DATA_TYPES[name]


@dataclass(frozen=True)
class PropertyInfo:
    """How one model field maps to one Weaviate property (or cross-reference).

    ``field_name`` is the Python attribute, ``name`` the Weaviate property name (the
    pydantic alias when one is set). ``data_type`` is what the schema gets, e.g.
    ``("text[]",)`` or, for a reference, the target class names. ``base_type`` is the
    item type without ``[]`` (``"cref"`` for references). ``targets`` holds the
    referenced model classes (empty unless this is a reference), ``item_type`` the
    Python type of one item (``str``, an Enum, a nested model, ...), and ``nested``
    the nested properties of an ``object``/``object[]``.

    ``encode`` turns a field value into its JSON form, ``encode_item`` one item
    (a filter value, say); ``decode`` prepares a server value for pydantic
    validation. ``freeze`` gives a detached, comparable copy for dirty tracking.
    """

    field_name: str
    name: str
    data_type: tuple[str, ...]
    base_type: str
    is_list: bool = False
    is_optional: bool = False
    targets: tuple[type[BaseModel], ...] = ()
    item_type: Any = None
    nested: tuple[PropertyInfo, ...] = ()
    options: Property = Property()
    description: Optional[str] = None
    item_encoder: Optional[Encoder] = field(default=None, repr=False, compare=False)
    item_decoder: Optional[Encoder] = field(default=None, repr=False, compare=False)

    @property
    def is_reference(self) -> bool:
        return bool(self.targets)

    @property
    def target_names(self) -> tuple[str, ...]:
        """The referenced class names (empty unless this is a reference)."""
        return self.data_type if self.targets else ()

    def encode_item(self, item: Any) -> Any:
        """One item (a filter operand, one list element) in its Weaviate JSON form."""
        return item if self.item_encoder is None else self.item_encoder(item)

    def encode(self, value: Any) -> Any:
        """The field's value in its Weaviate JSON form (None stays None)."""
        if value is None or self.item_encoder is None:
            return value
        if self.is_list:
            return [self.item_encoder(item) for item in value]
        return self.item_encoder(value)

    def decode(self, value: Any) -> Any:
        """A server value, ready for pydantic validation (only blobs need work)."""
        if value is None or self.item_decoder is None:
            return value
        if self.is_list:
            return [self.item_decoder(item) for item in value]
        return self.item_decoder(value)

    def freeze(self, value: Any) -> Any:
        """A comparable snapshot of ``value`` that later in-place changes cannot alter."""
        if value is None:
            return None
        if self.targets:  # references compare by the identity keys of their targets
            if self.is_list:
                return tuple((type(item), item.id) for item in value)
            return (type(value), value.id)
        if self.base_type == "object":
            with unchecked():  # (what the server cannot store is refused when written)
                return self.encode(value)  # fresh dicts, detached from the nested models
        if self.is_list:
            return tuple(value)
        return value  # scalars, GeoCoordinate and PhoneNumber are immutable

    def thaw(self, frozen: Any, find: Callable[[type, Any], Any]) -> Any:
        """The field value that :meth:`freeze` gave ``frozen`` (for rollback); ``find``
        turns a reference's ``(model, uuid)`` into an instance."""
        if frozen is None:
            return None
        if self.targets:
            if self.is_list:
                return [find(model, object_id) for model, object_id in frozen]
            return find(*frozen)
        if self.base_type == "object":
            decoded = self.decode(frozen)
            item: Any = self.item_type
            if self.is_list:
                return [item.model_validate(v) for v in decoded]
            return item.model_validate(decoded)
        return list(frozen) if self.is_list else frozen


def _nested_encoder(nested: Sequence[PropertyInfo]) -> Encoder:
    def encode_object(value: Any) -> dict[str, Any]:
        if not isinstance(value, BaseModel):
            raise UsageError(
                f"expected a {' / '.join(p.name for p in nested)} model, got {value!r}"
            )
        values = value.__dict__
        out: dict[str, Any] = {}
        for prop in nested:
            item = values.get(prop.field_name)
            if item is not None:
                out[prop.name] = prop.encode(item)
        return out

    return encode_object


def _nested_decoder(nested: Sequence[PropertyInfo]) -> Optional[Encoder]:
    needs_work = [p for p in nested if p.item_decoder is not None]
    if not needs_work:
        return None

    def decode_object(value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out = dict(value)
        for prop in needs_work:
            if out.get(prop.name) is not None:
                out[prop.name] = prop.decode(out[prop.name])
        return out

    return decode_object


# ---------------------------------------------------------------------------
# Annotation analysis

_UNION_TYPES: tuple[Any, ...] = (Union,) + (
    (types.UnionType,) if sys.version_info >= (3, 10) else ()
)
_LITERAL_TYPES = (typing.Literal, typing_extensions.Literal)
_ALIAS_TYPES = tuple(
    {
        typing_extensions.TypeAliasType,
        getattr(typing, "TypeAliasType", typing_extensions.TypeAliasType),
    }
)
_NONE_TYPE = type(None)


def unwrap(annotation: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` layers, NewTypes and type aliases; return the type and the metadata."""
    metadata: list[Any] = []
    while True:
        if get_origin(annotation) is Annotated:
            annotation, *extra = get_args(annotation)
            metadata.extend(extra)
        elif isinstance(annotation, _ALIAS_TYPES):
            annotation = annotation.__value__
        elif callable(annotation) and hasattr(annotation, "__supertype__"):  # typing.NewType
            annotation = annotation.__supertype__
        else:
            return annotation, metadata


def strip_optional(annotation: Any) -> tuple[Any, bool]:
    """``Optional[X]`` → ``(X, True)``; anything else → ``(annotation, False)``."""
    if get_origin(annotation) in _UNION_TYPES:
        args = get_args(annotation)
        rest = tuple(a for a in args if a is not _NONE_TYPE)
        if len(rest) < len(args):
            return (rest[0] if len(rest) == 1 else Union[rest]), True
    return annotation, False


def type_name(annotation: Any) -> str:
    """A readable name for an annotation, for error messages."""
    if isinstance(annotation, type) and not get_args(annotation):
        return annotation.__name__
    return repr(annotation).replace("typing.", "").replace("typing_extensions.", "")


def _is_subclass(annotation: Any, base: type) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, base)


def _reference_targets(annotation: Any, reference_base: type) -> tuple[type[BaseModel], ...]:
    """The target classes if ``annotation`` is a WeaviateModel or a Union of them, else ()."""
    if _is_subclass(annotation, reference_base):
        return (annotation,)
    if get_origin(annotation) in _UNION_TYPES:
        members = [unwrap(a)[0] for a in get_args(annotation)]
        if members and all(_is_subclass(m, reference_base) for m in members):
            return tuple(dict.fromkeys(members))  # de-duplicated, in order
    return ()


_UNSUPPORTED_HINTS: dict[Any, str] = {
    dict: "Weaviate has no map type; use a nested pydantic model (an object property)",
    set: "use list[...] (Weaviate arrays keep order and duplicates)",
    frozenset: "use list[...] (Weaviate arrays keep order and duplicates)",
    tuple: "use list[...] (Weaviate arrays have one item type)",
    Any: "a property needs one concrete type",
    object: "a property needs one concrete type",
    date: "Weaviate's date type is a timestamp; use datetime",
}


def _unsupported(annotation: Any) -> str:
    origin = get_origin(annotation) or annotation
    hint = _UNSUPPORTED_HINTS.get(origin)
    if hint is None and get_origin(annotation) in _UNION_TYPES:
        hint = (
            "a property has one type; a Union only maps when every member is a "
            "WeaviateModel (a multi-target cross-reference)"
        )
    if hint is None:
        supported = "str, int, float, bool, datetime, UUID, bytes, GeoCoordinate, PhoneNumber, "
        hint = f"supported are {supported}Enum, Literal, nested pydantic models and lists of them"
    return f"{type_name(annotation)} is not supported: {hint}"


def _literal_or_enum_type(annotation: Any) -> Optional[tuple[str, Optional[Encoder]]]:
    """``(data type, encoder)`` for an Enum or Literal annotation, None if it is neither."""
    if get_origin(annotation) in _LITERAL_TYPES:
        values: list[Any] = list(get_args(annotation))
        encoder: Optional[Encoder] = None
    elif _is_subclass(annotation, enum.Enum):
        values = [member.value for member in annotation]
        encoder = encode_enum
    else:
        return None
    if values and all(isinstance(v, bool) for v in values):
        return "boolean", encoder
    if values and all(isinstance(v, str) for v in values):
        return "text", encoder
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int", encoder
    kinds = sorted({type(v).__name__ for v in values})
    raise _Unmappable(
        f"{type_name(annotation)} mixes value types ({', '.join(kinds)}); "
        "an Enum or Literal maps when all its values are str (text) or all are int (int)"
    )


class _Unmappable(Exception):
    """Internal: why an annotation cannot map; turned into a ModelDefinitionError with context."""


@dataclass
class _Context:
    owner: str  # "Author" or "Author.address" for nested models, for messages
    reference_base: type
    reference_name: Callable[[type], str]
    nested_stack: tuple[type, ...] = ()

    def error(self, field_name: str, reason: str) -> ModelDefinitionError:
        return ModelDefinitionError(f"cannot map {self.owner}.{field_name}: {reason}")


def describe_field(
    owner: str,
    field_name: str,
    annotation: Any,
    metadata: Sequence[Any] = (),
    *,
    name: Optional[str] = None,
    description: Optional[str] = None,
    reference_base: type,
    reference_name: Callable[[type], str],
) -> PropertyInfo:
    """Map one model field to a :class:`PropertyInfo`, or raise ModelDefinitionError.

    ``owner`` names the model in messages, ``metadata`` is pydantic's field metadata
    (where a :class:`Property` is found), ``name`` the property name (default: the
    field name). Subclasses of ``reference_base`` are cross-reference targets, and
    ``reference_name`` gives a target's class name in the schema (both come from
    ``models.py``, so that this module stays below the models).
    """
    context = _Context(owner, reference_base, reference_name)
    return _describe(context, field_name, annotation, metadata, name or field_name, description)


def _describe(
    context: _Context,
    field_name: str,
    annotation: Any,
    metadata: Sequence[Any],
    name: str,
    description: Optional[str],
) -> PropertyInfo:
    nested_level = bool(context.nested_stack)
    annotation, inner_metadata = unwrap(annotation)
    annotation, optional = strip_optional(annotation)
    annotation, more_metadata = unwrap(annotation)
    options_found = [
        m for m in (*metadata, *inner_metadata, *more_metadata) if isinstance(m, Property)
    ]
    if len(options_found) > 1:
        raise context.error(field_name, "has more than one Property(...); merge them into one")
    options = options_found[0] if options_found else Property()

    is_list = False
    item = annotation
    if get_origin(annotation) is list or annotation is list:
        args = get_args(annotation)
        if not args:
            raise context.error(field_name, "a bare list needs an item type, e.g. list[str]")
        is_list = True
        item, item_metadata = unwrap(args[0])
        item, item_optional = strip_optional(item)
        item, more_item_metadata = unwrap(item)
        if item_optional:
            raise context.error(
                field_name, "list items cannot be None (Weaviate arrays hold no nulls)"
            )
        if any(isinstance(m, Property) for m in (*item_metadata, *more_item_metadata)):
            raise context.error(field_name, "put Property(...) on the field, not on the list item")
        if get_origin(item) is list:
            raise context.error(field_name, "nested lists are not supported by Weaviate")

    def info(data_type: tuple[str, ...], base_type: str, **kwargs: Any) -> PropertyInfo:
        return PropertyInfo(
            field_name=field_name,
            name=name,
            data_type=data_type,
            base_type=base_type,
            is_list=is_list,
            is_optional=optional,
            item_type=item,
            options=options,
            description=options.description or description,
            **kwargs,
        )

    targets = _reference_targets(item, context.reference_base)
    if targets:
        if nested_level:
            raise context.error(
                field_name,
                "a nested object cannot hold a cross-reference; "
                "move the field to the WeaviateModel",
            )
        names = tuple(context.reference_name(t) for t in targets)
        result = info(names, REFERENCE_TYPE, targets=targets)
        _check_options(context, result)
        return result

    result = _describe_value(context, field_name, item, is_list, info)
    _check_options(context, result)
    return result


def _describe_value(
    context: _Context,
    field_name: str,
    item: Any,
    is_list: bool,
    info: Callable[..., PropertyInfo],
) -> PropertyInfo:
    suffix = "[]" if is_list else ""
    nested_level = bool(context.nested_stack)
    try:
        special = _literal_or_enum_type(item)
    except _Unmappable as exc:
        raise context.error(field_name, str(exc)) from None
    if special is not None:
        data_type, encoder = special
        return info((data_type + suffix,), data_type, item_encoder=encoder)

    for row in DATA_TYPES.values():
        if row.python_type is None or item is not row.python_type:
            continue
        if is_list and not row.listable:
            raise context.error(
                field_name,
                f"list[{item.__name__}] is not supported: Weaviate has no {row.name}[]",
            )
        if nested_level and row.name in ("geoCoordinates", "phoneNumber"):
            raise context.error(
                field_name, f"Weaviate does not allow {row.name} inside a nested object"
            )
        decoder = decode_blob if row.name == "blob" else None
        return info((row.name + suffix,), row.name, item_encoder=row.encode, item_decoder=decoder)

    if _is_subclass(item, BaseModel):
        nested = _describe_nested(context, field_name, item)
        return info(
            ("object" + suffix,),
            "object",
            nested=nested,
            item_encoder=_nested_encoder(nested),
            item_decoder=_nested_decoder(nested),
        )

    raise context.error(field_name, _unsupported(item))


def _describe_nested(
    context: _Context, field_name: str, model: type[BaseModel]
) -> tuple[PropertyInfo, ...]:
    if model in context.nested_stack:
        raise context.error(
            field_name,
            f"nested model {model.__name__} contains itself; Weaviate objects need a fixed shape",
        )
    if not model.__pydantic_complete__:
        try:
            model.model_rebuild()  # resolve its forward references now
        except PydanticUndefinedAnnotation as exc:
            raise context.error(
                field_name,
                f"nested model {model.__name__} refers to {exc.name!r}, which is not defined",
            ) from None
    if model.model_config.get("extra") == "allow":
        raise context.error(
            field_name,
            f"nested model {model.__name__} allows extra fields, which would not be saved",
        )
    inner = _Context(
        f"{context.owner}.{field_name}",
        context.reference_base,
        context.reference_name,
        (*context.nested_stack, model),
    )
    nested: list[PropertyInfo] = []
    seen: dict[str, str] = {}
    for inner_name, inner_field in model.model_fields.items():
        property_name = property_name_of(inner.owner, inner_name, inner_field, nested=True)
        clash = seen.get(property_name.lower())
        if clash is not None:
            raise inner.error(
                inner_name, f"its property name {property_name!r} clashes with field {clash!r}"
            )
        seen[property_name.lower()] = inner_name
        nested.append(
            _describe(
                inner,
                inner_name,
                inner_field.annotation,
                inner_field.metadata,
                property_name,
                inner_field.description,
            )
        )
    if not nested:
        raise context.error(
            field_name, f"nested model {model.__name__} has no fields (Weaviate needs one)"
        )
    return tuple(nested)


def property_name_of(owner: str, field_name: str, field_info: Any, *, nested: bool = False) -> str:
    """The Weaviate property name of a pydantic field (its alias, else its name), checked."""
    alias = field_info.alias
    for other in ("validation_alias", "serialization_alias"):
        value = getattr(field_info, other, None)
        if value is not None and value != alias:
            raise ModelDefinitionError(
                f"cannot map {owner}.{field_name}: {other}={value!r} differs from alias={alias!r}; "
                "a Weaviate property has one name, so set alias= only"
            )
    name = alias if isinstance(alias, str) else field_name
    problem = property_name_problem(name, nested=nested)
    if problem is not None:
        raise ModelDefinitionError(f"cannot map {owner}.{field_name}: {problem}")
    return name


def _check_options(context: _Context, info: PropertyInfo) -> None:
    """Reject Property options that the field's data type cannot take."""
    options = info.options
    problems = []
    if options.tokenization is not None and info.data_type[0] not in TEXT_TYPES:
        problems.append("tokenization applies to text fields only")
    if options.index_searchable and info.data_type[0] not in TEXT_TYPES:
        problems.append("index_searchable applies to text fields only")
    if options.index_range_filters and (info.is_list or not DATA_TYPES[info.base_type].range_index):
        problems.append("index_range_filters applies to single int, float and datetime fields only")
    if context.nested_stack and options.vectorizer_options:
        problems.append(
            "skip_vectorization / vectorize_property_name do not apply to nested fields"
        )
    if problems:
        raise context.error(info.field_name, "; ".join(problems))

"""GraphQL rows → typed model instances, with included references and search metadata.

:mod:`wvorm.orm.query` compiles one :class:`Loader` per query: it names the
selection to ask for (properties, reference fragments) and turns each row of the
answer into a model instance, marked loaded with exactly the fields that were read
(``models.mark_loaded``), so saving it never erases what was not loaded.

Speed: a row from the server already holds values of the right Weaviate types, so
for models without custom validation the instance is built directly from converted
values (what pydantic's ``model_construct`` does, specialised per query), several
times faster than validating every row. Models with validators, constraints or
value-changing config, and any row a converter rejects, go through pydantic's
validation (``models.from_properties``) instead, so nothing invalid slips through.
"""

from __future__ import annotations

import base64
import enum
import gc
import inspect
import logging
import typing
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Generic, Optional, TypeVar
from uuid import UUID

import typing_extensions
from pydantic import TypeAdapter
from typing_extensions import get_args, get_origin

from wvorm.errors import WvormError
from wvorm.orm.models import (
    WeaviateModel,
    collection_name,
    from_properties,
    mark_loaded,
    model_info,
    state_of,
)
from wvorm.orm.state import ObjectState
from wvorm.orm.types import GeoCoordinate, PhoneNumber, Property, PropertyInfo

logger = logging.getLogger("wvorm.orm.loading")

M = TypeVar("M", bound=WeaviateModel)
Adopt = Callable[[WeaviateModel], WeaviateModel]

_MISSING: Any = object()
_LITERALS = (typing.Literal, typing_extensions.Literal)
_DATETIME = TypeAdapter(datetime)


# ---------------------------------------------------------------------------
# Value converters: server JSON → the value the model field holds


def _to_datetime(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):  # Python < 3.11 parses less of RFC 3339
        return _DATETIME.validate_python(value)


def _to_float(value: Any) -> float:
    if type(value) is not int:  # JSON gives 2 for 2.0; anything else is not a number
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _refuse(expected: type) -> Callable[[Any], Any]:
    def refuse(value: Any) -> Any:
        raise TypeError(f"expected {expected.__name__}, got {value!r}")

    return refuse


def _literal(allowed: tuple[Any, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {allowed!r}")
        return value

    return check


def _blob(value: Any) -> bytes:
    return base64.b64decode(value)


# Weaviate data type -> (the JSON type taken as it is, the converter of anything else)
_SCALARS: dict[str, tuple[Optional[type], Callable[[Any], Any]]] = {
    "text": (str, _refuse(str)),
    "int": (int, _refuse(int)),
    "number": (float, _to_float),
    "boolean": (bool, _refuse(bool)),
    "date": (None, _to_datetime),
    "uuid": (None, UUID),
    "blob": (None, _blob),
    "geoCoordinates": (None, GeoCoordinate.model_validate),
    "phoneNumber": (None, PhoneNumber.model_validate),
}


def _item_converter(prop: PropertyInfo) -> Optional[tuple[Optional[type], Callable[[Any], Any]]]:
    """How to read one server item of ``prop``: ``(type kept as is, converter of the rest)``.

    None when pydantic must build it (nested objects, which may validate themselves).
    A converter raises TypeError or ValueError for a value the field cannot hold.
    """
    item = prop.item_type
    if isinstance(item, type) and issubclass(item, enum.Enum):
        return None, item
    if get_origin(item) in _LITERALS:
        return None, _literal(get_args(item))
    return _SCALARS.get(prop.base_type)


def _converter(prop: PropertyInfo) -> Optional[tuple[Optional[type], Callable[[Any], Any]]]:
    """Like :func:`_item_converter`, for the whole field value (lists item by item)."""
    item = _item_converter(prop)
    if item is None or not prop.is_list:
        return item
    exact, convert = item

    def convert_list(value: Any) -> list[Any]:
        if type(value) is not list:
            raise TypeError(f"expected a list, got {value!r}")
        return [v if type(v) is exact else convert(v) for v in value]

    return None, convert_list


_PHONE_FIELDS = (
    "input defaultCountry internationalFormatted countryCode national nationalFormatted valid"
)


def property_selection(prop: PropertyInfo) -> str:
    """How to select one property: its name, with the sub-fields of structured types."""
    if prop.base_type == "geoCoordinates":
        return f"{prop.name}{{latitude longitude}}"
    if prop.base_type == "phoneNumber":
        return f"{prop.name}{{{_PHONE_FIELDS}}}"
    if prop.base_type == "object":
        return f"{prop.name}{{{' '.join(property_selection(n) for n in prop.nested)}}}"
    return prop.name


# model_config keys that do not change how a stored value validates
_NEUTRAL_CONFIG = frozenset({
    "title", "populate_by_name", "validate_by_name", "validate_by_alias", "serialize_by_alias",
    "alias_generator", "frozen", "extra", "validate_assignment", "arbitrary_types_allowed",
    "protected_namespaces", "json_schema_extra", "json_schema_mode_override",
    "use_attribute_docstrings", "defer_build", "revalidate_instances", "from_attributes",
    "loc_by_alias", "hide_input_in_errors", "cache_strings", "ser_json_timedelta",
    "ser_json_bytes", "ser_json_inf_nan", "ser_json_temporal", "val_json_bytes",
    "plugin_settings", "regex_engine", "validation_error_cause", "json_encoders",
})  # fmt: skip


def _constructible(model: type[WeaviateModel]) -> bool:
    """True when stored values need no validation beyond type conversion: no
    validators, no constraints, no value-changing config, no own ``model_post_init``."""
    decorators = model.__pydantic_decorators__
    if (
        decorators.validators
        or decorators.field_validators
        or decorators.root_validators
        or decorators.model_validators
    ):
        return False
    if set(model.model_config) - _NEUTRAL_CONFIG:
        return False
    # pydantic wraps model_post_init in every class with private attributes (functools.wraps)
    if inspect.unwrap(model.model_post_init) is not inspect.unwrap(WeaviateModel.model_post_init):
        return False
    for field_info in model.model_fields.values():
        if any(not isinstance(m, Property) for m in field_info.metadata):
            return False  # constraints (Field(ge=...), MaxLen, validators in Annotated...)
    return True


# ---------------------------------------------------------------------------
# Loaders


class Include:
    """One included reference field: a loader for each class it may point to."""

    def __init__(self, prop: PropertyInfo, loaders: Mapping[type[WeaviateModel], Loader[Any]]):
        self.prop = prop
        self.loaders = dict(loaders)
        self._by_name = {collection_name(t): loader for t, loader in self.loaders.items()}
        self._multi = len(prop.targets) > 1
        self._where = f"{prop.field_name} (a reference to {', '.join(prop.target_names)})"

    def fragment(self) -> str:
        """``wroteBooks{... on Book{title _additional{id}}}``."""
        parts = []
        for target, loader in self.loaders.items():
            inner = [*loader.selection(), "_additional{id}"]
            if self._multi:
                inner.append("__typename")  # tells which target each item is
            parts.append(f"... on {collection_name(target)}{{{' '.join(inner)}}}")
        return f"{self.prop.name}{{{' '.join(parts)}}}"

    def load(self, value: Any, adopt: Optional[Adopt]) -> Any:
        """The field's value from the server's list of referenced objects."""
        items = []
        for row in value or ():
            loader = self._by_name.get(row.get("__typename", "")) if self._multi else None
            if loader is None:
                if self._multi or len(self.loaders) != 1:
                    # an object of a class the field does not declare: dropping it would
                    # erase that reference when the object is saved again
                    raise WvormError(
                        f"{self._where} holds an object of a class the model does not "
                        f"declare ({row or 'no properties read'}); add the class to the "
                        "field's type"
                    )
                loader = next(iter(self.loaders.values()))
            items.append(loader.load(row, row["_additional"], adopt))
        if self.prop.is_list:
            return items
        if len(items) > 1:
            logger.warning(
                "single reference %s holds %d objects on the server; loading the first (%s)",
                self._where,
                len(items),
                items[0].id,
            )
        return items[0] if items else None


class Loader(Generic[M]):
    """Reads rows of one model: its selected properties and included references.

    ``fields`` are the property field names to read (None: every property);
    ``includes`` the reference fields to load, by field name.
    """

    def __init__(
        self,
        model: type[M],
        fields: Optional[Iterable[str]] = None,
        includes: Optional[Mapping[str, Include]] = None,
    ) -> None:
        info = model_info(model)
        self.model = model
        self.info = info
        wanted = None if fields is None else set(fields)
        self.properties = tuple(
            p for p in info.properties if wanted is None or p.field_name in wanted
        )
        self.includes = dict(includes or {})
        loaded = {p.field_name for p in self.properties} | set(self.includes)
        # None means "every field" to mark_loaded (and is cheaper for it)
        self.loaded_fields: Optional[frozenset[str]] = (
            None if loaded >= set(info.fields) else frozenset(loaded)
        )
        self._fast = _constructible(model)
        self._steps = self._compile_steps()
        private = model.__private_attributes__
        self._private_defaults = {
            name: attr for name, attr in private.items() if name != "_weaviate"
        }

    def selection(self) -> list[str]:
        """Property names and reference fragments to select (without ``_additional``)."""
        return [property_selection(p) for p in self.properties] + [
            i.fragment() for i in self.includes.values()
        ]

    # -- building instances ---------------------------------------------------------

    def _compile_steps(self) -> list[tuple[Any, ...]]:
        """Per model field, in declaration order: how to fill it from a row.

        ``(kind, property name, field name, exact type, converter, nullable, default)``
        with kind "value" (a selected property: a value of the exact type is taken
        as it is, anything else goes through the converter), "ref" (an included
        reference; the converter is its :class:`Include`) or "default" (not read:
        the field's default, or left unset when it has none).
        """
        selected = {p.field_name: p for p in self.properties}
        steps: list[tuple[Any, ...]] = []
        for field_name, field_info in self.model.model_fields.items():
            if field_name == "id":
                continue
            default = _MISSING if field_info.is_required() else field_info
            prop = selected.get(field_name)
            include = self.includes.get(field_name)
            if include is not None:
                steps.append(("ref", include.prop.name, field_name, None, include, False, default))
            elif prop is not None:
                converter = _converter(prop)
                exact, convert = converter if converter is not None else (None, None)
                if converter is None:
                    self._fast = False  # a nested model: let pydantic build it
                nullable = prop.is_optional
                steps.append(("value", prop.name, field_name, exact, convert, nullable, default))
            else:
                steps.append(("default", None, field_name, None, None, False, default))
        return steps

    def load(self, row: dict[str, Any], additional: Mapping[str, Any], adopt: Optional[Adopt]) -> M:
        """The instance of one row (``additional`` is its ``_additional`` object)."""
        obj: Optional[M] = None
        if self._fast:
            try:
                obj = self._construct(row, additional["id"], adopt)
            except (TypeError, ValueError):
                obj = None  # let validation report (or accept) the value
        if obj is None:
            obj = self._validate(row, additional["id"], adopt)
        mark_loaded(obj, self.loaded_fields)
        if len(additional) > 1:  # more than the id: vectors
            vector = additional.get("vector")
            if vector is not None:
                state_of(obj).vector = vector
            vectors = additional.get("vectors")
            if vectors:
                state_of(obj).vectors = dict(vectors)
        if adopt is not None:
            adopted = adopt(obj)
            assert isinstance(adopted, self.model)
            return adopted
        return obj

    def _construct(self, row: Mapping[str, Any], uuid: str, adopt: Optional[Adopt]) -> M:
        """The instance built from converted values, as ``model_construct`` would."""
        values: dict[str, Any] = {"id": UUID(uuid)}
        defaulted = []
        for kind, name, field_name, exact, convert, nullable, default in self._steps:
            if kind == "value":
                value = row.get(name)
                if type(value) is exact:
                    values[field_name] = value
                    continue
                if value is not None:
                    values[field_name] = convert(value)
                    continue
                if nullable:
                    values[field_name] = None
                    continue
            elif kind == "ref":
                values[field_name] = convert.load(row.get(name), adopt)
                continue
            if default is not _MISSING:
                values[field_name] = default.get_default(
                    call_default_factory=True, validated_data=values
                )
                defaulted.append(field_name)
        fields_set = set(values)
        fields_set.difference_update(defaulted)
        model = self.model
        obj = model.__new__(model)
        private: dict[str, Any] = {"_weaviate": ObjectState()}
        for private_name, attr in self._private_defaults.items():
            private[private_name] = attr.get_default()
        object.__setattr__(obj, "__dict__", values)
        object.__setattr__(obj, "__pydantic_fields_set__", fields_set)
        object.__setattr__(obj, "__pydantic_extra__", None)
        object.__setattr__(obj, "__pydantic_private__", private)
        return obj

    def _validate(self, row: Mapping[str, Any], uuid: str, adopt: Optional[Adopt]) -> M:
        """Through pydantic: for models with validation of their own, or odd values."""
        selected = [p.field_name for p in self.properties]
        obj = from_properties(self.model, row, uuid=uuid, fields=selected)
        for include in self.includes.values():
            value = include.load(row.get(include.prop.name), adopt)
            obj.__dict__[include.prop.field_name] = value
            obj.__pydantic_fields_set__.add(include.prop.field_name)
        return obj


# ---------------------------------------------------------------------------
# Identity within one result, when no Session is bound


class ResultIdentity:
    """One Python object per (model, uuid) within one query's results.

    Used when a query loads references without a Session: two books by one author
    then share the author object, and cycles (an author's book's author) close on
    the same instance. A later occurrence that loaded more fields adds them.
    """

    def __init__(self) -> None:
        self._objects: dict[tuple[type[WeaviateModel], UUID], WeaviateModel] = {}

    def __call__(self, obj: WeaviateModel) -> WeaviateModel:
        key = (type(obj), obj.id)
        present = self._objects.get(key)
        if present is None:
            self._objects[key] = obj
            return obj
        return merge_loaded(present, obj)


def merge_loaded(target: M, source: M) -> M:
    """Copy onto ``target`` the fields ``source`` loaded and ``target`` did not; returns target.

    Both must be freshly loaded copies of one object (same class and id). Fields
    ``target`` already loaded keep their value, so local changes are never replaced.
    """
    target_state, source_state = state_of(target), state_of(source)
    if target_state.loaded_fields is None:
        return target
    fields = model_info(type(target)).fields
    source_loaded = (
        set(fields) if source_state.loaded_fields is None else source_state.loaded_fields
    )
    new = [name for name in source_loaded if name not in target_state.loaded_fields]
    if not new:
        return target
    snapshot = dict(target_state.snapshot or {})
    for name in new:
        target.__dict__[name] = source.__dict__[name]
        target.__pydantic_fields_set__.add(name)
        snapshot[name] = fields[name].freeze(source.__dict__[name])
    loaded = target_state.loaded_fields | set(new)
    target_state.loaded_fields = None if loaded >= set(fields) else frozenset(loaded)
    target_state.snapshot = snapshot  # unchanged fields keep their old snapshot
    if target_state.vector is None:
        target_state.vector = source_state.vector
    for name, vector in source_state.vectors.items():
        target_state.vectors.setdefault(name, vector)
    return target


# ---------------------------------------------------------------------------
# Search metadata


def _float_or_none(value: Any) -> Optional[float]:
    return None if value is None else float(value)


def _time_or_none(value: Any) -> Optional[datetime]:
    """``creationTimeUnix``: milliseconds since the epoch, sent as a string."""
    if value is None:
        return None
    return datetime.fromtimestamp(int(value) / 1000, tz=timezone.utc)


@dataclass(frozen=True)
class Hit(Generic[M]):
    """One search result: the object and the metadata the search produced.

    ``object`` is the model instance; the other attributes are None when the search
    does not produce them (``distance`` / ``certainty`` come from near searches,
    ``score`` / ``explain_score`` from bm25 and hybrid) or were not asked for
    (``vector`` / ``vectors``, see ``Query.with_vector``).
    """

    object: M
    distance: Optional[float] = None
    certainty: Optional[float] = None
    score: Optional[float] = None
    explain_score: Optional[str] = None
    creation_time: Optional[datetime] = None
    update_time: Optional[datetime] = None
    vector: Optional[list[float]] = None
    vectors: Optional[dict[str, list[float]]] = None

    @classmethod
    def of(cls, obj: M, additional: Mapping[str, Any]) -> Hit[M]:
        """A hit from the object and the row's ``_additional`` answer."""
        vectors = additional.get("vectors")
        return cls(
            obj,
            distance=_float_or_none(additional.get("distance")),
            certainty=_float_or_none(additional.get("certainty")),
            score=_float_or_none(additional.get("score")),
            explain_score=additional.get("explainScore"),
            creation_time=_time_or_none(additional.get("creationTimeUnix")),
            update_time=_time_or_none(additional.get("lastUpdateTimeUnix")),
            vector=additional.get("vector"),
            vectors=dict(vectors) if vectors else None,
        )


@dataclass(frozen=True)
class Group(Generic[M]):
    """One group of a ``Query.group_by`` search: the grouped-by value and its hits."""

    value: Any
    path: list[str]
    count: int
    min_distance: Optional[float]
    max_distance: Optional[float]
    hits: list[Hit[M]]

    @property
    def objects(self) -> list[M]:
        """The group's model instances, best first."""
        return [hit.object for hit in self.hits]


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a result is turned into instances.

    Hydration allocates several containers per object, all of which stay alive, so
    the collector's passes (triggered by allocation counts) find nothing to free
    and would cost a third of the hydration time for large results.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def rows_of(answer: Mapping[str, Any], kind: str, class_name: str) -> list[dict[str, Any]]:
    """The result list of ``{"data": {kind: {class_name: [...]}}}`` (empty for null)."""
    data = answer.get("data") or {}
    rows = (data.get(kind) or {}).get(class_name)
    return rows or []

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
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Generic, Optional, TypeVar
from uuid import UUID

import typing_extensions
from pydantic import TypeAdapter
from typing_extensions import get_args, get_origin

from wvorm.orm.models import (
    WeaviateModel,
    collection_name,
    from_properties,
    mark_loaded,
    model_info,
    state_of,
)
from wvorm.orm.state import ObjectState
from wvorm.orm.types import GeoCoordinate, PhoneNumber, PropertyInfo

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
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def _checked(kind: type) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {kind.__name__}, got {value!r}")
        return value

    return check


def _literal(allowed: tuple[Any, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise ValueError(f"{value!r} is not one of {allowed!r}")
        return value

    return check


def _blob(value: Any) -> bytes:
    return base64.b64decode(value)


def _item_converter(prop: PropertyInfo) -> Optional[Callable[[Any], Any]]:
    """How to turn one server item into the field's Python item; None if the model
    must validate it (nested objects, which may carry their own validation)."""
    item = prop.item_type
    if isinstance(item, type) and issubclass(item, enum.Enum):
        return item
    if get_origin(item) in _LITERALS:
        return _literal(get_args(item))
    base = prop.base_type
    simple: dict[str, Callable[[Any], Any]] = {
        "text": _checked(str),
        "int": _checked(int),
        "number": _to_float,
        "boolean": _checked(bool),
        "date": _to_datetime,
        "uuid": UUID,
        "blob": _blob,
        "geoCoordinates": GeoCoordinate.model_validate,
        "phoneNumber": PhoneNumber.model_validate,
    }
    return simple.get(base)


def _converter(prop: PropertyInfo) -> Optional[Callable[[Any], Any]]:
    item = _item_converter(prop)
    if item is None:
        return None
    if not prop.is_list:
        return item

    def convert_list(value: Any) -> list[Any]:
        if not isinstance(value, list):
            raise TypeError(f"expected a list, got {value!r}")
        return [item(v) for v in value]

    return convert_list


_PHONE_FIELDS = "input defaultCountry internationalFormatted countryCode national nationalFormatted valid"


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
    from wvorm.orm.types import Property

    for field_info in model.model_fields.values():
        if any(not isinstance(m, Property) for m in field_info.metadata):
            return False  # constraints (Field(ge=...), MaxLen, validators in Annotated...)
    return True


# ---------------------------------------------------------------------------
# Loaders


@dataclass
class Include:
    """One included reference field: a loader per target class it may point to."""

    prop: PropertyInfo
    loaders: dict[type[WeaviateModel], Loader[Any]] = field(default_factory=dict)

    def fragment(self) -> str:
        """``wroteBooks{... on Book{title _additional{id}}}``."""
        multi = len(self.prop.targets) > 1
        parts = []
        for target, loader in self.loaders.items():
            inner = [*loader.selection(), "_additional{id}"]
            if multi:
                inner.append("__typename")  # tells which target each item is
            parts.append(f"... on {collection_name(target)}{{{' '.join(inner)}}}")
        return f"{self.prop.name}{{{' '.join(parts)}}}"

    def load(self, value: Any, adopt: Optional[Adopt]) -> Any:
        """The field's value from the server's list of referenced objects."""
        items = []
        by_name = {collection_name(t): loader for t, loader in self.loaders.items()}
        single = next(iter(self.loaders.values())) if len(self.loaders) == 1 else None
        for row in value or ():
            loader = single or by_name.get(row.get("__typename", ""))
            if loader is None:  # a target class that was not included
                continue
            items.append(loader.load(row, row["_additional"], adopt))
        if self.prop.is_list:
            return items
        if len(items) > 1:
            logger.warning(
                "single reference %s holds %d objects on the server; loading the first (%s)",
                self.prop.field_name,
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

        ``(kind, property name, field name, converter, nullable, default)`` with kind
        "value" (a selected property), "ref" (an included reference) or "default"
        (not read: the field's default, or left unset when it has none).
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
                steps.append(("ref", include.prop.name, field_name, include, False, default))
            elif prop is not None:
                converter = _converter(prop)
                if converter is None:
                    self._fast = False  # a nested model: let pydantic build it
                steps.append(("value", prop.name, field_name, converter, prop.is_optional, default))
            else:
                steps.append(("default", None, field_name, None, False, default))
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
        values: dict[str, Any] = {"id": UUID(uuid)}
        fields_set = {"id"}
        for kind, name, field_name, convert, nullable, default in self._steps:
            if kind == "value":
                value = row.get(name)
                if value is not None:
                    values[field_name] = value if convert is None else convert(value)
                    fields_set.add(field_name)
                    continue
                if nullable:
                    values[field_name] = None
                    fields_set.add(field_name)
                    continue
            elif kind == "ref":
                values[field_name] = convert.load(row.get(name), adopt)
                fields_set.add(field_name)
                continue
            if default is not _MISSING:
                values[field_name] = default.get_default(
                    call_default_factory=True, validated_data=values
                )
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

"""Rows of a query plan's answer → typed model instances, with references and metadata.

:mod:`wvorm.orm._query` compiles one :class:`Loader` per query: it names the
selection to ask for (properties, reference fragments) and turns each row of the
answer into a model instance holding exactly the fields that were read, marked
loaded through :mod:`wvorm.orm._state` (fields not read stay unloaded, so reading
them raises and saving never erases them).

Speed: a row from the server already holds values of the right Weaviate types, so
for models without custom validation the instance is built directly from converted
values (what pydantic's ``model_construct`` does, specialised per query), several
times faster than validating every row. Models with validators, constraints or
value-changing config, and any row a converter rejects, go through pydantic's
validation (``_models.from_properties``) instead, so nothing invalid slips through.
"""

from __future__ import annotations

import enum
import functools
import inspect
import logging
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Generic, Optional, TypeVar
from uuid import UUID, SafeUUID

import typing_extensions
from typing_extensions import get_args, get_origin

from wvorm import plan
from wvorm.errors import UsageError, WvormError
from wvorm.orm._mapping import collection_name, model_info
from wvorm.orm._models import WeaviateModel, from_properties, new_instance
from wvorm.orm._state import mark_loaded, refresh_from, state_of, take_vectors
from wvorm.orm._types import DATA_TYPES, Property, PropertyInfo

logger = logging.getLogger("wvorm.orm.loading")

M = TypeVar("M", bound=WeaviateModel)
Adopt = Callable[[WeaviateModel], Optional[WeaviateModel]]
"""What every loaded instance goes through: returns the instance to use (the session's
one), or None to drop it from the result (a session's pending deletion)."""

_LITERALS = (typing.Literal, typing_extensions.Literal)


# ---------------------------------------------------------------------------
# Value readers: server JSON → the value the model field holds


def _literal(allowed: tuple[Any, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise UsageError(f"{value!r} is not one of {allowed!r}")
        return value

    return check


Reader = tuple[Optional[type], Callable[[Any], Any]]


def _item_reader(prop: PropertyInfo) -> Optional[Reader]:
    """How to read one server item of ``prop``: ``(type kept as is, converter of the rest)``.

    None when pydantic must build it (nested objects, which may validate themselves).
    A converter raises TypeError or ValueError for a value the field cannot hold.
    """
    item = prop.item_type
    if isinstance(item, type) and issubclass(item, enum.Enum):
        return None, item
    if get_origin(item) in _LITERALS:
        return None, _literal(get_args(item))
    row = DATA_TYPES[prop.base_type]
    return None if row.read is None else (row.read_exact, row.read)


def _reader(prop: PropertyInfo) -> Optional[Reader]:
    """Like :func:`_item_reader`, for the whole field value (lists item by item)."""
    item = _item_reader(prop)
    if item is None or not prop.is_list:
        return item
    exact, convert = item

    def convert_list(value: Any) -> list[Any]:
        if type(value) is not list:
            raise UsageError(f"expected a list, got {value!r}")
        return [v if type(v) is exact else convert(v) for v in value]

    return None, convert_list


_SHAPES = {"geoCoordinates": "geo", "phoneNumber": "phone", "object": "object"}


def property_select(prop: PropertyInfo) -> plan.PropertySelect:
    """How to read one property: its name, with the shape of structured types."""
    kind = _SHAPES.get(prop.base_type, "plain")
    nested = tuple(property_select(n) for n in prop.nested) if kind == "object" else ()
    return plan.PropertySelect(prop.name, kind, nested)


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


@functools.cache  # (a model class does not change; every query's loader asks)
def _constructible(model: type[WeaviateModel]) -> bool:
    """True when stored values need no validation beyond type conversion: no
    validators, no constraints, no value-changing config, no own ``model_post_init``."""
    decorators = model.__pydantic_decorators__
    own = WeaviateModel.__pydantic_decorators__.model_validators  # ids -> stubs: input only
    if (
        decorators.validators
        or decorators.field_validators
        or decorators.root_validators
        or set(decorators.model_validators) - set(own)
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


_new, _set = object.__new__, object.__setattr__


def _canonical_uuid(text: str) -> UUID:
    """The server's canonical uuid text as a UUID, in half the time of ``UUID(text)``
    (which accepts every spelling): one is built per object read."""
    if len(text) != 36:
        return UUID(text)
    uuid = _new(UUID)
    _set(uuid, "int", int(text.replace("-", ""), 16))
    _set(uuid, "is_safe", SafeUUID.unknown)
    return uuid


_SAMPLE = "1b4e28ba-2fa1-11d2-883f-0016d3cca427"
_parsed_uuid: Callable[[str], UUID] = (
    _canonical_uuid
    if _canonical_uuid(_SAMPLE) == UUID(_SAMPLE) and str(_canonical_uuid(_SAMPLE)) == _SAMPLE
    else UUID  # a Python whose UUID is built differently
)


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

    def select(self) -> plan.ReferenceSelect:
        """The reference's selection: what to read of each target class (and, for a
        multi-target reference, which class each item is)."""
        targets = tuple(
            plan.TargetSelect(collection_name(target), *loader.select())
            for target, loader in self.loaders.items()
        )
        return plan.ReferenceSelect(self.prop.name, targets, tell_class=self._multi)

    def target_loader(self, row: Mapping[str, Any]) -> Optional[Loader[Any]]:
        """The loader of one referenced object's row (None: a class not declared)."""
        if self._multi:
            return self._by_name.get(row.get("__typename", ""))
        return next(iter(self.loaders.values())) if len(self.loaders) == 1 else None

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
                        "declare; add the class to the field's type"
                    )
                loader = next(iter(self.loaders.values()))
            item = loader.load(row, row["_additional"], adopt, reference=True)
            if item is not None:
                items.append(item)
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


Step = tuple[str, str, str, Optional[type], Any, bool]

# Weaviate's GraphQL API renders int properties as GraphQL's 32-bit Int and answers null
# for a stored value beyond it; these find the nulls that may be such a value.
GRAPHQL_INT_MIN, GRAPHQL_INT_MAX = -(2**31), 2**31 - 1


def _holds_int(prop: PropertyInfo) -> bool:
    return prop.base_type == "int" or any(_holds_int(n) for n in prop.nested)


def _hides_int(prop: PropertyInfo, value: Any) -> bool:
    """Whether GraphQL's ``value`` of ``prop`` may stand for ints it could not render: a
    null int, a null item of an int list, a null int inside a nested object. (A null
    list or object is a real null: GraphQL nulls items, not the list.)"""
    if value is None:
        return prop.base_type == "int" and not prop.is_list
    if prop.base_type == "int":
        return prop.is_list and isinstance(value, list) and None in value
    if not prop.nested:
        return False
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict):
            for inner in prop.nested:
                if _holds_int(inner) and _hides_int(inner, item.get(inner.name)):
                    return True
    return False


@dataclass
class IntGap:
    """A row (of the query's class or of a referenced one) that GraphQL answered with
    nulls that may be ints beyond 32 bits: ``loader`` reads it; ``scalars`` are the
    single int properties that read null (a null there is usually a real null, which a
    range filter tells apart); ``certain``: something else hides an int for sure (a
    null item of a list), or may (a null int inside a nested object)."""

    loader: Loader[Any]
    row: dict[str, Any]
    scalars: list[PropertyInfo]
    certain: bool


class Loader(Generic[M]):
    """Reads rows of one model: its selected properties and included references.

    ``fields`` are the property field names to read (None: every property);
    ``includes`` the reference fields to load, by field name. Every other field is
    left unloaded on the instances it builds.
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
        self.int_properties = tuple(p for p in self.properties if _holds_int(p))
        self._fast = _constructible(model)
        self._steps = self._compile_steps()
        self._selection: Optional[
            tuple[tuple[plan.PropertySelect, ...], tuple[plan.ReferenceSelect, ...]]
        ] = None

    def select(self) -> tuple[tuple[plan.PropertySelect, ...], tuple[plan.ReferenceSelect, ...]]:
        """The properties and references to read, as the query plan names them (computed
        once: a paging query asks for every page)."""
        if self._selection is None:
            self._selection = (
                tuple(property_select(p) for p in self.properties),
                tuple(i.select() for i in self.includes.values()),
            )
        return self._selection

    @property
    def reads_ints(self) -> bool:
        """Whether this loader, or one of its includes, reads int properties."""
        return bool(self.int_properties) or any(
            loader.reads_ints
            for include in self.includes.values()
            for loader in include.loaders.values()
        )

    def int_gaps(self, row: dict[str, Any]) -> Iterator[IntGap]:
        """The rows, ``row`` and those of its included references, where a GraphQL
        answer's nulls may hide ints beyond 32 bits (see :class:`IntGap`)."""
        scalars, certain = [], False
        for prop in self.int_properties:
            if _hides_int(prop, row.get(prop.name)):
                if prop.base_type == "int" and not prop.is_list:
                    scalars.append(prop)
                else:
                    certain = True
        if scalars or certain:
            yield IntGap(self, row, scalars, certain)
        for include in self.includes.values():
            for item in row.get(include.prop.name) or ():
                loader = include.target_loader(item)
                if loader is not None:
                    yield from loader.int_gaps(item)

    # -- building instances ---------------------------------------------------------

    def _compile_steps(self) -> list[Step]:
        """Per field read, in declaration order: how to fill it from a row.

        ``(kind, property name, field name, exact type, converter, nullable)`` with
        kind "value" (a selected property: a value of the exact type is taken as it
        is, anything else goes through the converter) or "ref" (an included
        reference; the converter is its :class:`Include`).
        """
        steps: list[Step] = []
        for prop in self.properties:
            reader = _reader(prop)
            if reader is None:
                self._fast = False  # a nested model: let pydantic build it
                exact, convert = None, None
            else:
                exact, convert = reader
            steps.append(("value", prop.name, prop.field_name, exact, convert, prop.is_optional))
        for field_name, include in self.includes.items():
            steps.append(("ref", include.prop.name, field_name, None, include, False))
        return steps

    def load(
        self,
        row: dict[str, Any],
        additional: Mapping[str, Any],
        adopt: Optional[Adopt],
        *,
        reference: bool = False,
    ) -> Optional[M]:
        """The instance of one row (``additional`` is its ``_additional`` object), or
        None when ``adopt`` drops it (``reference``: it is a reference target)."""
        obj: Optional[M] = None
        nulls: list[str] = []
        if self._fast:
            try:
                obj = self._construct(row, additional["id"], adopt, nulls)
            except (TypeError, ValueError):
                obj = None  # let validation report (or accept) the value
                nulls = []
        if obj is None:
            obj = self._validate(row, additional["id"], adopt)
            nulls = list(state_of(obj).nulls)
        if len(additional) > 1:  # more than the id: vectors
            # (the server answers [] or null for a vector the object does not have)
            vectors = additional.get("vectors") or {}
            asked = [*vectors, *([None] if "vector" in additional else [])]
            take_vectors(state_of(obj), additional.get("vector"), vectors, asked)
        mark_loaded(obj, nulls=nulls, info=self.info)
        if adopt is not None:
            adopted = adopt(obj)
            if adopted is None:
                return None
            assert isinstance(adopted, self.model)
            return adopted
        return obj

    def _construct(
        self, row: Mapping[str, Any], uuid: str, adopt: Optional[Adopt], nulls: list[str]
    ) -> M:
        """The instance built from converted values, as ``model_construct`` would,
        without defaults: what was not read stays unloaded."""
        values: dict[str, Any] = {"id": _parsed_uuid(uuid)}
        for kind, name, field_name, exact, convert, nullable in self._steps:
            value = row.get(name)
            if kind == "value":
                if type(value) is exact:
                    values[field_name] = value
                elif value is not None:
                    values[field_name] = convert(value)
                elif nullable:
                    values[field_name] = None
                else:
                    nulls.append(field_name)  # null on the server, and the field cannot be
            else:
                values[field_name] = convert.load(value, adopt)
        return new_instance(self.model, values, set(values))

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
        refresh_from(present, obj, overwrite=False)
        return present


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
class Generated(Generic[M]):
    """One object of a generative search and the text the model generated for it
    (None when the search had no ``single_prompt``)."""

    object: M
    text: Optional[str]


@dataclass(frozen=True)
class Generation(Generic[M]):
    """What :meth:`Query.generate` returns: each matching object with its generated
    text, in the search's order, and the answer to the grouped task (None without
    one)."""

    objects: list[Generated[M]]
    grouped: Optional[str]


@dataclass(frozen=True)
class Hit(Generic[M]):
    """One search result: the object and the metadata the search produced.

    ``object`` is the model instance; the other attributes are None when the search
    does not produce them (``distance`` / ``certainty`` come from near searches,
    ``score`` / ``explain_score`` from bm25 and hybrid, ``rerank_score`` from
    ``Query.rerank``) or were not asked for (``vector`` / ``vectors``, see
    ``Query.with_vector``).
    """

    object: M
    distance: Optional[float] = None
    certainty: Optional[float] = None
    score: Optional[float] = None
    explain_score: Optional[str] = None
    creation_time: Optional[datetime] = None
    update_time: Optional[datetime] = None
    vector: Optional[list[float]] = None
    vectors: Optional[dict[str, list[Any]]] = None  # (a multi-vector: a list of vectors)
    rerank_score: Optional[float] = None

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
            vector=additional.get("vector") or None,
            vectors={k: v for k, v in vectors.items() if v} if vectors else None,
            rerank_score=_rerank_score(additional.get("rerank")),
        )


def _rerank_score(rerank: Any) -> Optional[float]:
    """The score of ``_additional.rerank`` (a list of one ``{"score": ...}``)."""
    if not rerank:
        return None
    return _float_or_none(rerank[0].get("score"))


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

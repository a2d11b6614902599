"""Class options and compiled model metadata: what wvorm knows about each model class.

:class:`ClassConfig` holds a model's class keywords (``class A(WeaviateModel,
vectorizer=...)``), checked when the class is defined; :class:`ModelInfo` holds its
compiled field mapping (one :class:`~wvorm.orm._types.PropertyInfo` per field), made
once per class and shared by the schema compiler, the object state, the Session and
the query layer (SQLAlchemy's mapper role). :mod:`wvorm.orm._models` calls
:func:`parse_options` and :func:`compile_model` as classes are defined; everything
else reads :func:`model_info`.

This module sits below :mod:`~wvorm.orm._models`: it names ``WeaviateModel`` only for
type checking, and learns the reference base class from :func:`register_base`.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel
from pydantic.errors import PydanticUndefinedAnnotation

from wvorm.errors import ModelDefinitionError, UnknownFieldError, UsageError, did_you_mean
from wvorm.orm._types import (
    CLASS_NAME_PATTERN,
    PropertyInfo,
    describe_field,
    property_name_of,
    strip_optional,
    unchecked,
    unwrap,
)
from wvorm.util import capitalize_first_letter, generate_uuid5

if TYPE_CHECKING:
    from wvorm.orm._models import WeaviateModel

# The class whose subclasses are cross-reference targets: WeaviateModel, registered by
# wvorm.orm._models when it defines it (this module sits below it).
_reference_base: Optional[type] = None


def register_base(base: type) -> None:
    """Called once by :mod:`wvorm.orm._models` with ``WeaviateModel``."""
    global _reference_base
    _reference_base = base


# ---------------------------------------------------------------------------
# Class-level configuration


@dataclass(frozen=True)
class NamedVector:
    """One named vector of a class (Weaviate ``vectorConfig``).

    ``source_properties`` are field names (or property names) the vectorizer reads;
    None lets the module decide. ``module_config`` is the vectorizer module's own
    settings, as in Weaviate's JSON.
    """

    vectorizer: str = "none"
    module_config: Mapping[str, Any] = field(default_factory=dict)
    source_properties: Optional[Sequence[str]] = None
    vector_index_type: Optional[str] = None
    vector_index_config: Mapping[str, Any] = field(default_factory=dict)
    distance: Optional[str] = None
    dimensions: Optional[int] = None


EmbeddingFunction = Callable[[list[str]], Any]
"""A client-side embedding function: texts in, one vector per text out (a list of
lists, a 2-D numpy array, ...: anything with ``tolist()`` or a sequence of vectors)."""


@dataclass(frozen=True)
class Vector:
    """Declares a field that holds one of the object's vectors::

        embedding: Annotated[Optional[list[float]], Vector(384)] = None
        title_vector: Annotated[Optional[list[float]], Vector(384, name="title")] = None
        tokens: Annotated[Optional[list[list[float]]], Vector(128, name="tokens")] = None

    ``name`` None is the class's default vector; any other name is a named vector.
    A field typed ``list[list[float]]`` is a multi-vector (ColBERT-style; named only).
    The field is not a property: its value lives in the object's state (what
    ``state_of(obj).vector`` / ``.vectors`` read), is loaded only when a query asks
    (``with_vector``), and is dirty-tracked like a field.

    - ``dimensions``: the length of each vector, checked when it is set and before
      anything is sent.
    - ``vectorizer`` / ``module_config``: the server module that computes it ("none":
      bring your own; None: the class's ``vectorizer=``, else "none"), with ``source``
      the fields it reads.
    - ``embed``: a client-side :data:`EmbeddingFunction`; a commit embeds the
      ``source`` fields (their texts joined by a newline) of new objects without a
      vector and of objects whose source fields changed, ``batch_size`` texts per call.
      ``near_text`` and ``hybrid`` on this vector embed the query text the same way.
    - ``index_type`` / ``index_config`` / ``distance``: its vector index (None: the
      class option, else the server's default).
    """

    dimensions: Optional[int] = None
    name: Optional[str] = None
    vectorizer: Optional[str] = None
    module_config: Mapping[str, Any] = field(default_factory=dict)
    source: Optional[Sequence[str]] = None
    embed: Optional[EmbeddingFunction] = None
    batch_size: int = 64
    index_type: Optional[str] = None
    index_config: Mapping[str, Any] = field(default_factory=dict)
    distance: Optional[str] = None

    def __post_init__(self) -> None:
        if self.dimensions is not None and (
            isinstance(self.dimensions, bool)
            or not isinstance(self.dimensions, int)
            or self.dimensions < 1
        ):
            raise UsageError(
                f"Vector(dimensions=...) takes a positive int, not {self.dimensions!r}"
            )
        if self.name is not None and (
            not isinstance(self.name, str) or not re.fullmatch(r"[_A-Za-z][_0-9A-Za-z]*", self.name)
        ):
            raise UsageError(
                f"Vector(name=...) takes a vector name (letters, digits and _, not first a "
                f"digit) or None, not {self.name!r}"
            )
        if self.embed is not None and not callable(self.embed):
            raise UsageError(f"Vector(embed=...) takes a callable, not {self.embed!r}")
        if (
            isinstance(self.batch_size, bool)
            or not isinstance(self.batch_size, int)
            or (self.batch_size < 1)
        ):
            raise UsageError(
                f"Vector(batch_size=...) takes a positive int, not {self.batch_size!r}"
            )
        if isinstance(self.source, str):
            object.__setattr__(self, "source", (self.source,))


@dataclass(frozen=True)
class VectorInfo:
    """A compiled vector field: which vector it holds and how it is filled."""

    field_name: str
    vector_name: Optional[str]  # None: the default vector
    dimensions: Optional[int]
    multi: bool
    embed: Optional[EmbeddingFunction]
    source: tuple[str, ...]  # field names
    batch_size: int
    self_provided: bool = True  # no server vectorizer: the client writes every value
    declared: Optional[Vector] = field(default=None, repr=False, compare=False)  # its marker

    @property
    def label(self) -> str:
        """How messages name the vector: ``vector`` or ``vectors['title']``."""
        return "vector" if self.vector_name is None else f"vectors[{self.vector_name!r}]"


def vector_marker(metadata: Sequence[Any]) -> Optional[Vector]:
    """The :class:`Vector` among a field's metadata, if it has one."""
    found = [m for m in metadata if isinstance(m, Vector)]
    return found[0] if found else None


@dataclass(frozen=True)
class ClassConfig:
    """The class keyword arguments of a model, e.g. ``class A(WeaviateModel, vectorizer=...)``.

    Options left at None are not sent, so the server's default applies. A subclass
    of a model inherits every option except ``name`` and ``description``.

    - ``name``: the collection (class) name; default: the class name, first letter
      capitalised.
    - ``description``: default: the class docstring.
    - ``vectorizer``, ``module_config``: the class vectorizer and the modules' config
      (Weaviate's ``moduleConfig`` JSON).
    - ``vector_index_type``, ``vector_index_config``, ``distance``: the vector index.
    - ``vector_dimensions``: the length of the default vector, checked before anything
      is sent (``NamedVector(dimensions=...)`` for a named vector). Weaviate may keep
      an object whose vector it rejected, so wvorm refuses a wrong length itself.
    - ``vectors``: named vectors, ``{name: NamedVector(...)}``.
    - ``replication_factor``, ``multi_tenancy``: replication and tenants.
    - ``inverted_index_config``: Weaviate's ``invertedIndexConfig`` JSON (for example
      ``{"indexNullState": True, "indexTimestamps": True}``).
    - ``natural_key``: a field name, or a tuple of them, whose values give each
      object a deterministic uuid5 id (see :func:`natural_id`).
    """

    name: str
    description: Optional[str] = None
    vectorizer: Optional[str] = None
    module_config: Mapping[str, Any] = field(default_factory=dict)
    vector_index_type: Optional[str] = None
    vector_index_config: Mapping[str, Any] = field(default_factory=dict)
    distance: Optional[str] = None
    vector_dimensions: Optional[int] = None
    vectors: Mapping[str, NamedVector] = field(default_factory=dict)
    replication_factor: Optional[int] = None
    multi_tenancy: Optional[bool] = None
    inverted_index_config: Mapping[str, Any] = field(default_factory=dict)
    natural_key: tuple[str, ...] = ()

    @property
    def vectorizer_modules(self) -> tuple[str, ...]:
        """Every vectorizer module the class uses (class-level and named vectors)."""
        modules = [self.vectorizer] + [v.vectorizer for v in self.vectors.values()]
        return tuple(dict.fromkeys(m for m in modules if m and m != "none"))


# The expected type of each class option, for the definition-time check.
_OPTION_TYPES: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "description": (str,),
    "vectorizer": (str,),
    "module_config": (Mapping,),
    "vector_index_type": (str,),
    "vector_index_config": (Mapping,),
    "distance": (str,),
    "vector_dimensions": (int,),
    "vectors": (Mapping,),
    "replication_factor": (int,),
    "multi_tenancy": (bool,),
    "inverted_index_config": (Mapping,),
    "natural_key": (str, tuple, list),
}


def parse_options(model: type, options: Mapping[str, Any]) -> ClassConfig:
    """The ClassConfig of ``model`` from its class keywords and its parent's config."""
    where = f"cannot map {model.__name__}"
    unknown = sorted(set(options) - set(_OPTION_TYPES))
    if unknown:
        raise ModelDefinitionError(
            f"{where}: unknown class option(s) {', '.join(unknown)}; the options are "
            f"{', '.join(_OPTION_TYPES)} (and pydantic's model_config keys)"
        )
    for key, value in options.items():
        expected = _OPTION_TYPES[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
            names = " or ".join(t.__name__ for t in expected)
            raise ModelDefinitionError(
                f"{where}: class option {key}= takes a {names}, not {value!r}"
            )

    inherited: dict[str, Any] = {}
    for base in model.__mro__[1:]:
        parent = base.__dict__.get("__weaviate_config__")
        if isinstance(parent, ClassConfig):
            inherited = {
                k: getattr(parent, k) for k in _OPTION_TYPES if k not in ("name", "description")
            }
            break
    settings = {**inherited, **options}
    for key, value in settings.items():
        if isinstance(value, Mapping):
            settings[key] = dict(value)  # detached from the caller's dict

    name = capitalize_first_letter(settings.get("name") or model.__name__)  # as the server does
    if not CLASS_NAME_PATTERN.fullmatch(name):
        raise ModelDefinitionError(
            f"{where}: class name {name!r} is not a valid Weaviate class name (it must match "
            f"/{CLASS_NAME_PATTERN.pattern}/); pass name=... with a valid one"
        )
    settings["name"] = name
    if "description" not in settings and model.__doc__:
        settings["description"] = inspect.cleandoc(model.__doc__)
    key = settings.get("natural_key", ())
    settings["natural_key"] = (key,) if isinstance(key, str) else tuple(key)
    if settings.get("replication_factor") is not None and settings["replication_factor"] < 1:
        raise ModelDefinitionError(f"{where}: replication_factor must be at least 1")
    for vector_name, vector in settings.get("vectors", {}).items():
        if not isinstance(vector, NamedVector):
            raise ModelDefinitionError(
                f"{where}: vectors[{vector_name!r}] must be a NamedVector(...), not {vector!r}"
            )
    return ClassConfig(**settings)


# ---------------------------------------------------------------------------
# Compiled metadata


@dataclass(frozen=True)
class ModelInfo:
    """Everything wvorm knows about a model class, compiled once.

    ``fields`` maps each field name (in declaration order, without ``id``) to its
    :class:`PropertyInfo`; ``by_name`` maps Weaviate property names to the same
    objects. ``properties`` and ``references`` split them into plain properties and
    cross-references (``property_names``: the field names of the former);
    ``required`` names the fields without a default. ``vector_fields`` maps each
    field declared with :class:`Vector` (not a property, so not in ``fields``) to its
    :class:`VectorInfo`; ``embedded`` lists those filled by an embedding function.
    """

    model: type[WeaviateModel]
    config: ClassConfig
    fields: Mapping[str, PropertyInfo]
    vector_fields: Mapping[str, VectorInfo] = field(default_factory=dict)
    embedded: tuple[VectorInfo, ...] = field(init=False)
    vectors_required: bool = field(init=False, repr=False)
    by_name: Mapping[str, PropertyInfo] = field(init=False)
    properties: tuple[PropertyInfo, ...] = field(init=False)
    references: tuple[PropertyInfo, ...] = field(init=False)
    property_names: frozenset[str] = field(init=False)
    required: frozenset[str] = field(init=False)
    frozen_as_is: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Derived once here, because the Session and the query layer read them per object.
        values = tuple(self.fields.values())
        set_ = object.__setattr__  # the dataclass is frozen
        set_(self, "by_name", {p.name: p for p in values})
        set_(self, "properties", tuple(p for p in values if not p.targets))
        set_(self, "references", tuple(p for p in values if p.targets))
        set_(self, "property_names", frozenset(p.field_name for p in self.properties))
        required = {
            n
            for n, f in self.model.model_fields.items()
            if f.is_required() and n not in self.vector_fields
        }
        set_(self, "embedded", tuple(v for v in self.vector_fields.values() if v.embed))
        fields = self.model.model_fields
        set_(self, "vectors_required", any(fields[n].is_required() for n in self.vector_fields))
        set_(self, "required", frozenset(required))
        # fields whose PropertyInfo.freeze() returns the value itself (immutable scalars)
        as_is = {p.field_name for p in values if not (p.targets or p.is_list or p.nested)}
        set_(self, "frozen_as_is", frozenset(as_is))

    @property
    def name(self) -> str:
        """The Weaviate class name."""
        return self.config.name

    def read_consistency(self, level: Optional[str]) -> Optional[str]:
        """The consistency level to read this class at, for a session's ``level``: none
        for a class that is not replicated (Weaviate's GraphQL takes the argument for
        replicated classes only)."""
        return level if (self.config.replication_factor or 1) > 1 else None

    def field(self, field_name: str) -> PropertyInfo:
        """The PropertyInfo of ``field_name``, or an UnknownFieldError naming the known fields."""
        try:
            return self.fields[field_name]
        except KeyError:
            known = ", ".join(self.fields) or "(none)"
            raise UnknownFieldError(
                f"{self.model.__name__} has no field {field_name!r}"
                f"{did_you_mean(field_name, self.fields)}; its fields: {known}"
            ) from None


def model_info(model: type[WeaviateModel]) -> ModelInfo:
    """The compiled metadata of ``model``, compiling it on first use."""
    info = model.__dict__.get("__weaviate_info__")
    if info is None:
        info = compile_model(model)
    return info


def collection_name(model: type[BaseModel]) -> str:
    """The Weaviate class name of a model class."""
    config = model.__dict__.get("__weaviate_config__")
    if not isinstance(config, ClassConfig):
        raise ModelDefinitionError(
            f"{model.__name__} is not a WeaviateModel subclass with a collection"
        )
    return config.name


def compile_model(model: type[WeaviateModel]) -> ModelInfo:
    """Compile ``model``'s :class:`ModelInfo` (its fields resolved and checked) and cache it."""
    config = model.__dict__.get("__weaviate_config__")
    if not isinstance(config, ClassConfig):
        raise ModelDefinitionError(
            f"{model.__name__} is not a mapped model: subclass WeaviateModel to define a collection"
        )
    if not model.__pydantic_complete__:
        try:
            model.model_rebuild()
        except PydanticUndefinedAnnotation as exc:
            raise ModelDefinitionError(
                f"cannot map {model.__name__}: {exc.name!r} is not defined. Define it, or, for "
                f"classes defined inside a function, call {model.__name__}.model_rebuild() "
                "once it is"
            ) from None
    fields: dict[str, PropertyInfo] = {}
    vector_fields: dict[str, VectorInfo] = {}
    for field_name, field_info in model.model_fields.items():
        if field_name == "id":
            continue
        marker = vector_marker(field_info.metadata)
        if marker is not None:
            vector_fields[field_name] = _vector_info(model, field_name, field_info, marker)
            continue
        fields[field_name] = describe_field(
            model.__name__,
            field_name,
            field_info.annotation,
            field_info.metadata,
            name=property_name_of(model.__name__, field_name, field_info),
            description=field_info.description,
            reference_base=_base(),
            reference_name=collection_name,
        )
    config = _with_declared_vectors(model, config, vector_fields)
    model.__weaviate_config__ = config
    for field_name, vector in vector_fields.items():
        if vector.vector_name is None:
            module = config.vectorizer
        else:
            module = config.vectors[vector.vector_name].vectorizer
        vector_fields[field_name] = dataclasses.replace(
            vector, self_provided=module in (None, "none")
        )
    _check_config_against_fields(model, config, fields)
    for vector in vector_fields.values():
        if vector.embed is not None:
            _check_embedding_source(model, vector, fields)
    info = ModelInfo(model, config, fields, vector_fields)
    model.__weaviate_info__ = info
    return info


def _vector_info(model: type, field_name: str, field_info: Any, marker: Vector) -> VectorInfo:
    """The VectorInfo of a field declared with ``Vector(...)``; its type must be a
    vector (``list[float]``) or a multi-vector (``list[list[float]]``), maybe Optional."""
    where = f"cannot map {model.__name__}.{field_name}"
    annotation, _ = unwrap(field_info.annotation)
    annotation, _ = strip_optional(annotation)
    depth = 0
    while get_origin(unwrap(annotation)[0]) in (list, Sequence) and depth < 3:
        (annotation,) = get_args(unwrap(annotation)[0]) or (Any,)
        depth += 1
    if unwrap(annotation)[0] is not float or depth not in (1, 2):
        raise ModelDefinitionError(
            f"{where}: a Vector(...) field is typed list[float] (a vector) or "
            f"list[list[float]] (a multi-vector), maybe Optional, not {field_info.annotation!r}"
        )
    multi = depth == 2
    if multi and marker.name is None:
        raise ModelDefinitionError(
            f"{where}: a multi-vector must be a named vector; give it Vector(name=...)"
        )
    if marker.embed is not None:
        if marker.vectorizer not in (None, "none"):
            raise ModelDefinitionError(
                f"{where}: a vector filled by embed=... has vectorizer 'none' (the client "
                f"computes it), not {marker.vectorizer!r}"
            )
        if not marker.source:
            raise ModelDefinitionError(
                f"{where}: embed=... needs source=[...]: the fields whose text it embeds"
            )
        if multi:
            raise ModelDefinitionError(f"{where}: embed=... fills vectors, not multi-vectors")
    return VectorInfo(
        field_name=field_name,
        vector_name=marker.name,
        dimensions=marker.dimensions,
        multi=multi,
        embed=marker.embed,
        source=tuple(marker.source or ()),
        batch_size=marker.batch_size,
        declared=marker,
    )


def _with_declared_vectors(
    model: type[WeaviateModel], config: ClassConfig, declared: Mapping[str, VectorInfo]
) -> ClassConfig:
    """``config`` with the vectors declared by fields folded in (they compile into
    ``vectorizer`` / ``vectorConfig`` like the class keywords); a vector declared both
    ways differently is refused."""
    if not declared:
        return config
    changes: dict[str, Any] = {}
    vectors = dict(config.vectors)
    defaults = [n for n, v in declared.items() if v.vector_name is None]
    if len(defaults) > 1:
        raise ModelDefinitionError(
            f"cannot map {model.__name__}: {' and '.join(defaults)} both declare the default "
            "vector; give all but one Vector(name=...)"
        )
    if defaults and (vectors or len(declared) > 1):
        raise ModelDefinitionError(
            f"cannot map {model.__name__}.{defaults[0]}: a class has a default vector or named "
            "vectors, not both (Weaviate refuses the mix); give it Vector(name=...)"
        )
    for field_name, vector in declared.items():
        marker = vector.declared
        assert marker is not None  # (set by _vector_info)
        where = f"cannot map {model.__name__}.{field_name}"
        index_config = dict(marker.index_config)
        if vector.multi:
            index_config.setdefault("multivector", {"enabled": True})
        if vector.vector_name is None:
            if vector.embed is not None and config.vectorizer not in (None, "none"):
                raise ModelDefinitionError(
                    f"{where}: embed=... computes the vector on the client, but the class "
                    f"option vectorizer={config.vectorizer!r} would compute it on the server; "
                    "drop one of them"
                )
            if vector.source and vector.embed is None:
                raise ModelDefinitionError(
                    f"{where}: Weaviate's default vector takes no source properties; give "
                    "the vector a name (Vector(name=...)) or leave a field out with "
                    "Property(skip_vectorization=True)"
                )
            wanted = {
                "vectorizer": marker.vectorizer,
                "vector_dimensions": marker.dimensions,
                "vector_index_type": marker.index_type,
                "vector_index_config": index_config,
                "distance": marker.distance,
            }
            for key, value in wanted.items():
                current = getattr(config, key)
                if value in (None, {}):
                    continue  # the class option (or the server's default) applies
                if current not in (None, {}) and current != value:
                    raise ModelDefinitionError(
                        f"{where}: the class option {key}={current!r} differs from the "
                        f"field's Vector(...) ({value!r}); declare the vector in one place"
                    )
                changes[key] = value
            if config.vectorizer is None and "vectorizer" not in changes:
                changes["vectorizer"] = "none"
            if marker.module_config:
                module = changes.get("vectorizer") or config.vectorizer or "none"
                module_config = dict(config.module_config)
                module_config[module] = dict(marker.module_config)
                changes["module_config"] = module_config
            continue
        named = NamedVector(
            vectorizer=marker.vectorizer or "none",
            module_config=dict(marker.module_config),
            # an embedding function's sources are the client's business, not the server's
            source_properties=None if marker.embed else marker.source,
            vector_index_type=marker.index_type,
            vector_index_config=index_config,
            distance=marker.distance,
            dimensions=marker.dimensions,
        )
        if vector.vector_name in vectors and vectors[vector.vector_name] != named:
            raise ModelDefinitionError(
                f"{where}: the vector {vector.vector_name!r} is also declared in the class "
                "option vectors= with other settings; declare it in one place"
            )
        vectors[vector.vector_name] = named
    return dataclasses.replace(config, vectors=vectors, **changes)


def _check_embedding_source(
    model: type, vector: VectorInfo, fields: Mapping[str, PropertyInfo]
) -> None:
    """An embedding function reads text fields of the model itself."""
    for source in vector.source:
        prop = fields.get(source)
        if prop is None or prop.targets or prop.base_type != "text" or prop.is_list:
            raise ModelDefinitionError(
                f"cannot map {model.__name__}.{vector.field_name}: Vector(source=...) names "
                f"{source!r}, which is not a text field of {model.__name__}"
            )


def _check_config_against_fields(
    model: type, config: ClassConfig, fields: Mapping[str, PropertyInfo]
) -> None:
    where = f"cannot map {model.__name__}"
    for key in config.natural_key:
        prop = fields.get(key)
        if prop is None:
            raise ModelDefinitionError(f"{where}: natural_key names {key!r}, which is not a field")
        if (
            prop.targets
            or prop.is_list
            or prop.base_type in ("object", "geoCoordinates", "phoneNumber")
        ):
            raise ModelDefinitionError(
                f"{where}: natural_key field {key!r} must hold a single text, int, number, "
                f"boolean, date, uuid or blob value, not {prop.data_type[0]}"
            )
        if prop.is_optional:
            raise ModelDefinitionError(
                f"{where}: natural_key field {key!r} is Optional; every object needs a value to "
                "derive its id from"
            )
    names = {p.name for p in fields.values()}
    for vector_name, vector in config.vectors.items():
        for source in vector.source_properties or ():
            prop = fields.get(source)
            if prop is None and source not in names:
                raise ModelDefinitionError(
                    f"{where}: vectors[{vector_name!r}] reads {source!r}, which is not a field"
                )
            if prop is not None and prop.targets:
                raise ModelDefinitionError(
                    f"{where}: vectors[{vector_name!r}] cannot vectorize the reference {source!r}"
                )
    if not config.vectorizer_modules:
        for prop in fields.values():
            if prop.options.vectorizer_options:
                raise ModelDefinitionError(
                    f"{where}.{prop.field_name}: skip_vectorization / vectorize_property_name need "
                    "a vectorizer; set vectorizer=... (or named vectors) on the class"
                )


def _base() -> type:
    assert _reference_base is not None, "wvorm.orm._models registers WeaviateModel on import"
    return _reference_base


def natural_id(obj: WeaviateModel) -> UUID:
    """The uuid5 that ``obj``'s natural key gives.

    ``generate_uuid5(value, namespace=<class name>)`` for a one-field key (the value
    in its Weaviate JSON form, e.g. the text itself), and a JSON list of the values
    for a key of several fields, so the same key in another class gives another id.
    """
    info = model_info(type(obj))
    values = []
    for key in info.config.natural_key:
        value = obj.__dict__.get(key)
        if value is None:
            raise UsageError(f"{type(obj).__name__}.{key} is None: the natural key needs a value")
        with unchecked():  # an id is derived whatever the transport (the write checks)
            values.append(info.fields[key].encode(value))
    identifier: Any = values[0] if len(values) == 1 else json.dumps(values)
    return UUID(generate_uuid5(identifier, namespace=info.name))

"""``WeaviateModel``: a pydantic v2 model that maps to one Weaviate class.

Defining a subclass checks it against Weaviate's rules and compiles its metadata
(:class:`ModelInfo`, read with :func:`model_info`), which the schema compiler, the
Session and the query layer share. This module also converts instances to the
properties dict the server takes (:func:`to_properties`) and back
(:func:`from_properties`), and tracks which fields changed since an object was
loaded (:func:`mark_loaded`, :func:`changed_fields`).

When errors surface: names, aliases, class options and clashes are checked when
the class statement runs. Field types are checked then too, unless the class has
forward references that pydantic cannot resolve yet (``Author`` naming ``"Book"``
before ``Book`` exists); such a class is checked as soon as it is complete, which
is at the latest its first instantiation, :func:`model_info` or ``schema_of`` call.
As in pydantic, forward references resolve against the module's globals; for
classes defined inside a function, call ``Author.model_rebuild()`` once ``Book``
exists.
"""

from __future__ import annotations

import copy
import inspect
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Optional, TypeVar, Union, cast
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr
from pydantic.errors import PydanticUndefinedAnnotation

from wvorm.errors import ModelDefinitionError
from wvorm.orm.expressions import ModelMeta
from wvorm.orm.state import ObjectState
from wvorm.orm.types import (
    CLASS_NAME_PATTERN,
    PropertyInfo,
    describe_field,
    property_name_of,
    type_name,
)
from wvorm.util import capitalize_first_letter, generate_uuid5

if TYPE_CHECKING:
    from typing_extensions import Self, Unpack

M = TypeVar("M", bound="WeaviateModel")


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
    "vectors": (Mapping,),
    "replication_factor": (int,),
    "multi_tenancy": (bool,),
    "inverted_index_config": (Mapping,),
    "natural_key": (str, tuple, list),
}


def _parse_options(model: type, options: Mapping[str, Any]) -> ClassConfig:
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
    ``required`` names the fields without a default.
    """

    model: type[WeaviateModel]
    config: ClassConfig
    fields: Mapping[str, PropertyInfo]
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
        required = {n for n, f in self.model.model_fields.items() if f.is_required()}
        set_(self, "required", frozenset(required))
        # fields whose PropertyInfo.freeze() returns the value itself (immutable scalars)
        as_is = {p.field_name for p in values if not (p.targets or p.is_list or p.nested)}
        set_(self, "frozen_as_is", frozenset(as_is))

    @property
    def name(self) -> str:
        """The Weaviate class name."""
        return self.config.name

    def field(self, field_name: str) -> PropertyInfo:
        """The PropertyInfo of ``field_name``, or a KeyError naming the known fields."""
        try:
            return self.fields[field_name]
        except KeyError:
            known = ", ".join(self.fields) or "(none)"
            raise KeyError(
                f"{self.model.__name__} has no field {field_name!r}; its fields: {known}"
            ) from None


def model_info(model: type[WeaviateModel]) -> ModelInfo:
    """The compiled metadata of ``model``, compiling it on first use."""
    info = model.__dict__.get("__weaviate_info__")
    if info is None:
        info = _compile(model)
    return info


def collection_name(model: type[BaseModel]) -> str:
    """The Weaviate class name of a model class."""
    config = model.__dict__.get("__weaviate_config__")
    if not isinstance(config, ClassConfig):
        raise ModelDefinitionError(
            f"{model.__name__} is not a WeaviateModel subclass with a collection"
        )
    return config.name


def _compile(model: type[WeaviateModel]) -> ModelInfo:
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
    for field_name, field_info in model.model_fields.items():
        if field_name == "id":
            continue
        fields[field_name] = describe_field(
            model.__name__,
            field_name,
            field_info.annotation,
            field_info.metadata,
            name=property_name_of(model.__name__, field_name, field_info),
            description=field_info.description,
            reference_base=WeaviateModel,
            reference_name=collection_name,
        )
    _check_config_against_fields(model, config, fields)
    info = ModelInfo(model, config, fields)
    model.__weaviate_info__ = info
    return info


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


def _hidden_attribute_names() -> set[str]:
    """Public attributes that WeaviateModel (or its metaclass) adds to pydantic's, e.g. ``query``.

    Computed when asked, so whatever later layers add is protected too.
    """
    ours = set(dir(WeaviateModel)) | set(dir(type(WeaviateModel)))
    pydantic_own = set(dir(BaseModel)) | set(dir(type(BaseModel)))
    return {n for n in ours - pydantic_own if not n.startswith("_")}


def _check_definition(model: type[WeaviateModel]) -> None:
    """Definition-time checks that need no resolved types: names, clashes, reserved fields."""
    where = f"cannot map {model.__name__}"
    id_field = model.model_fields.get("id")
    if id_field is None or id_field.annotation is not UUID or id_field.default_factory is not uuid4:
        raise ModelDefinitionError(
            f"{where}.id: 'id' is the object's uuid, declared by WeaviateModel; do not redeclare "
            "it (pass id=... to the constructor, or set natural_key=... for deterministic ids)"
        )
    if model.model_config.get("extra") == "allow":
        raise ModelDefinitionError(
            f"{where}: extra='allow' is not supported, because extra attributes would not be saved"
        )
    private = model.__private_attributes__.get("_weaviate")
    if private is not WeaviateModel.__private_attributes__["_weaviate"]:
        raise ModelDefinitionError(
            f"{where}: the private attribute '_weaviate' is reserved by wvorm"
        )
    hidden = _hidden_attribute_names()
    seen: dict[str, str] = {}
    for field_name, field_info in model.model_fields.items():
        if field_name == "id":
            continue
        if field_name in hidden:
            raise ModelDefinitionError(
                f"{where}.{field_name}: the field would hide WeaviateModel.{field_name}; rename "
                f"the field (alias={field_name!r} keeps the property name)"
            )
        name = property_name_of(model.__name__, field_name, field_info)
        clash = seen.get(name.lower())
        if clash is not None:
            raise ModelDefinitionError(
                f"{where}.{field_name}: its property name {name!r} clashes with field {clash!r} "
                "(Weaviate compares property names case-insensitively)"
            )
        seen[name.lower()] = field_name


# ---------------------------------------------------------------------------
# The model base class


class WeaviateModel(BaseModel, metaclass=ModelMeta):
    """Base class of models stored in Weaviate: one subclass, one Weaviate class.

    ::

        class Article(WeaviateModel, vectorizer="text2vec-transformers"):
            \"\"\"A written text\"\"\"
            title: Annotated[str, Property(tokenization="word")]
            word_count: int = 0
            author: Optional[Author] = None      # a cross-reference

    Class keyword arguments are the :class:`ClassConfig` options (and pydantic's
    ``model_config`` keys). They are checked when the class is defined; mypy does not
    check them (it skips class keywords of classes with a custom metaclass).

    Every instance has an ``id`` (a uuid4, or a uuid5 of its ``natural_key``) from
    the moment it is built, so references can be made before anything is saved. The
    object's vector(s) and load state live in a private :class:`ObjectState`, read
    with :func:`state_of`, so they never clash with fields.

    Equality compares the class, the id and every field, with cross-references
    compared by the ids they point to (so cyclic graphs compare without recursion).
    Instances hash by class and id. A subclass that overrides ``model_post_init``
    must call ``super().model_post_init(context)`` (it derives natural-key ids).
    """

    # Constructors take field names (and aliases). validate_by_name is the pydantic
    # >= 2.11 spelling (and what the mypy plugin reads); populate_by_name the older one.
    model_config = ConfigDict(populate_by_name=True, validate_by_name=True)

    id: UUID = Field(default_factory=uuid4, description="The object's uuid.")

    # Created on first use by state_of(): most objects never need one, and a
    # default_factory would cost every instance a call.
    _weaviate: Optional[ObjectState] = PrivateAttr(default=None)

    __weaviate_config__: ClassVar[ClassConfig]
    __weaviate_info__: ClassVar[ModelInfo]

    if TYPE_CHECKING:
        # What the class keywords are (documentation and IDEs; mypy skips this check).
        def __init_subclass__(
            cls,
            *,
            name: str = ...,
            description: str = ...,
            vectorizer: str = ...,
            module_config: Mapping[str, Any] = ...,
            vector_index_type: str = ...,
            vector_index_config: Mapping[str, Any] = ...,
            distance: str = ...,
            vectors: Mapping[str, NamedVector] = ...,
            replication_factor: int = ...,
            multi_tenancy: bool = ...,
            inverted_index_config: Mapping[str, Any] = ...,
            natural_key: Union[str, tuple[str, ...]] = ...,
            **kwargs: Unpack[ConfigDict],
        ) -> None: ...

    else:

        def __init_subclass__(cls, **options: Any) -> None:
            # type.__new__ passes the class keywords that pydantic did not take as
            # config; they are read in __pydantic_init_subclass__, once fields exist.
            super().__init_subclass__()

    @classmethod
    def __pydantic_init_subclass__(cls, **options: Any) -> None:
        super().__pydantic_init_subclass__()
        cls.__weaviate_config__ = _parse_options(cls, options)
        _check_definition(cls)
        if cls.__pydantic_complete__:
            _compile(cls)  # otherwise: when forward references resolve (see module docs)

    def model_post_init(self, context: Any, /) -> None:
        """Derive the id from the natural key, unless the caller gave one."""
        info = model_info(type(self))  # also compiles a class completed late
        if info.config.natural_key and "id" not in self.__pydantic_fields_set__:
            self.__dict__["id"] = natural_id(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WeaviateModel):
            return NotImplemented
        return type(self) is type(other) and _comparable(self) == _comparable(other)

    def __hash__(self) -> int:
        return hash((type(self), self.__dict__.get("id")))

    def __copy__(self) -> Self:
        new = super().__copy__()
        private = new.__pydantic_private__
        if private is not None and private.get("_weaviate") is not None:
            private["_weaviate"] = copy.copy(private["_weaviate"])
        return new

    def __repr_args__(self) -> Iterator[tuple[Optional[str], Any]]:
        fields = model_info(type(self)).fields
        for name, value in super().__repr_args__():
            prop = fields.get(name) if name is not None else None
            if prop is not None and prop.targets and value is not None:
                value = [_RefRepr(v) for v in value] if isinstance(value, list) else _RefRepr(value)
            yield name, value


class _RefRepr:
    """Shows a referenced object as ``<Book 1b4e...>``, so cyclic graphs print finitely."""

    __slots__ = ("target",)

    def __init__(self, target: Any) -> None:
        self.target = target

    def __repr__(self) -> str:
        return f"<{type(self.target).__name__} {getattr(self.target, 'id', '?')}>"


_MISSING: Any = object()


def _comparable(obj: WeaviateModel) -> dict[str, Any]:
    values = obj.__dict__
    out = {"id": values.get("id")}
    for name, prop in model_info(type(obj)).fields.items():
        value = values.get(name, _MISSING)
        out[name] = prop.freeze(value) if prop.targets and value is not _MISSING else value
    return out


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
            raise ValueError(f"{type(obj).__name__}.{key} is None: the natural key needs a value")
        values.append(info.fields[key].encode(value))
    identifier: Any = values[0] if len(values) == 1 else json.dumps(values)
    return UUID(generate_uuid5(identifier, namespace=info.name))


# ---------------------------------------------------------------------------
# Instance state


def state_of(obj: WeaviateModel) -> ObjectState:
    """The :class:`ObjectState` (vectors, loaded fields, snapshot) of a model instance."""
    private = obj.__pydantic_private__
    if private is None:  # e.g. made with __new__ only
        raise TypeError(f"{type(obj).__name__} instance was not initialised; build it normally")
    state: Optional[ObjectState] = private.get("_weaviate")
    if state is None:
        state = private["_weaviate"] = ObjectState()
    return state


def mark_loaded(obj: WeaviateModel, fields: Optional[Iterable[str]] = None) -> None:
    """Record that ``obj`` holds the server's values of ``fields`` (None: of every field).

    Takes the dirty-tracking snapshot. Fields outside ``fields`` are unloaded: they
    keep their defaults locally, and saving must leave the server's values alone.
    """
    info = model_info(type(obj))
    loaded = None if fields is None else frozenset(fields)
    if loaded is not None:
        unknown = loaded - info.fields.keys()
        if unknown:
            raise KeyError(f"{type(obj).__name__} has no field(s) {sorted(unknown)}")
    _mark_loaded(info, obj, loaded)


def _mark_loaded(info: ModelInfo, obj: WeaviateModel, loaded: Optional[frozenset[str]]) -> None:
    state = state_of(obj)
    state.loaded_fields = None if loaded is None or loaded >= info.fields.keys() else loaded
    state.snapshot = _snapshot(info, obj)


def mark_clean(obj: WeaviateModel) -> None:
    """Record ``obj``'s current values as what the server has (after a load or a save)."""
    state_of(obj).snapshot = _snapshot(model_info(type(obj)), obj)


def _snapshot(info: ModelInfo, obj: WeaviateModel) -> dict[str, Any]:
    fields, as_is = info.fields, info.frozen_as_is
    if as_is.issuperset(fields):  # the common case, on the hydration hot path: one copy
        snapshot = dict(obj.__dict__)
        snapshot.pop("id", None)
        return snapshot
    return {
        name: value if name in as_is else fields[name].freeze(value)
        for name, value in obj.__dict__.items()
        if name in fields
    }


def changed_fields(obj: WeaviateModel) -> set[str]:
    """The fields whose value differs from the last load or save (every field if never saved).

    A field that was not loaded counts as changed only when it was assigned (or
    mutated away from its default) since: it is compared with the default it had.
    """
    fields = model_info(type(obj)).fields
    values = obj.__dict__
    snapshot = state_of(obj).snapshot
    if snapshot is None:
        return {name for name in fields if name in values}
    changed = set()
    for name, prop in fields.items():
        value = values.get(name, _MISSING)
        if value is _MISSING:
            continue  # an unloaded required field nobody set
        before = snapshot.get(name, _MISSING)
        if before is _MISSING or prop.freeze(value) != before:
            changed.add(name)
    return changed


# ---------------------------------------------------------------------------
# Conversion to and from the server's properties


def to_properties(
    obj: WeaviateModel, fields: Optional[Iterable[str]] = None, *, keep_none: bool = False
) -> dict[str, Any]:
    """``obj``'s properties as the server takes them (JSON-ready), keyed by property name.

    References are left out (they are written as beacons). ``fields`` limits the
    result to those field names; ``keep_none`` keeps None values (as JSON null, to
    clear a property in a patch) instead of leaving them out. Fields that were never
    set (unloaded required fields) are always left out.
    """
    info = model_info(type(obj))
    values = obj.__dict__
    wanted = None if fields is None else set(fields)
    out: dict[str, Any] = {}
    for prop in info.properties:
        if wanted is not None and prop.field_name not in wanted:
            continue
        value = values.get(prop.field_name, _MISSING)
        if value is _MISSING:
            continue
        if value is None:
            if keep_none:
                out[prop.name] = None
            continue
        try:
            out[prop.name] = prop.encode(value)
        except (TypeError, ValueError, AttributeError) as exc:
            raise TypeError(
                f"{type(obj).__name__}.{prop.field_name}: cannot convert {value!r} to Weaviate "
                f"{prop.data_type[0]}: {exc}"
            ) from exc
    return out


def from_properties(
    model: type[M],
    properties: Mapping[str, Any],
    *,
    uuid: Union[str, UUID],
    fields: Optional[Iterable[str]] = None,
) -> M:
    """A validated ``model`` instance from the server's properties dict (keys: property names).

    ``fields`` names the fields that were requested (None: every non-reference
    field), so a requested property missing from ``properties`` is null on the
    server. Reference properties and properties the model does not know are
    ignored: the query layer attaches references. The instance is marked loaded
    with the requested non-reference fields; after attaching references, call
    :func:`mark_loaded` with those fields added.
    """
    info = model_info(model)
    data: dict[str, Any] = {"id": uuid}
    by_name = info.by_name
    for name, value in properties.items():
        prop = by_name.get(name)
        if prop is None or prop.targets:
            continue
        if value is None:
            if prop.is_optional:  # else leave it out, so the field's default applies
                data[prop.field_name] = None
            continue
        data[prop.field_name] = value if prop.item_decoder is None else prop.decode(value)
    if fields is None:
        requested = info.property_names
    else:
        requested = frozenset(f for f in fields if not info.field(f).targets)
    unread = info.required - data.keys()
    if not unread or unread & requested:  # (a requested required field that is null fails)
        obj = model.model_validate(data)
    else:
        # A partial load: validate what was read, leave unread required fields unset.
        del data["id"]
        # (the pydantic plugin types model_construct on the base class, hence the cast)
        obj = cast("M", model.model_construct(_fields_set={"id", *data}, id=UUID(str(uuid))))
        validator = model.__pydantic_validator__
        for field_name, value in data.items():
            validator.validate_assignment(obj, field_name, value)
    _mark_loaded(info, obj, requested)
    return obj


def referenced_objects(obj: WeaviateModel, field_name: str) -> list[WeaviateModel]:
    """The objects a reference field points to, checked against its declared targets.

    A single reference holds at most one object (Weaviate itself does not enforce
    cardinality, so wvorm does); every target must be exactly one of the declared
    classes, because the schema's dataType names those classes and no subclass.
    """
    prop = model_info(type(obj)).field(field_name)
    if not prop.targets:
        raise TypeError(f"{type(obj).__name__}.{field_name} is not a reference field")
    value = obj.__dict__.get(field_name)
    where = f"{type(obj).__name__}.{field_name}"
    if value is None:
        return []
    if prop.is_list:
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{where} holds {value!r}; it takes a list of {_names(prop)}")
        items = list(value)
    else:
        if isinstance(value, (list, tuple)):
            raise TypeError(
                f"{where} is a single reference but holds {len(value)} objects; type it "
                f"list[...] for many"
            )
        items = [value]
    for item in items:
        if type(item) not in prop.targets:
            raise TypeError(f"{where} holds a {type_name(type(item))}; it takes {_names(prop)}")
    return items


def _names(prop: PropertyInfo) -> str:
    return " or ".join(t.__name__ for t in prop.targets)

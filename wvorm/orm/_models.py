"""``WeaviateModel``: a pydantic v2 model that maps to one Weaviate class, and its metaclass.

Defining a subclass checks it against Weaviate's rules and compiles its metadata
(:mod:`wvorm.orm._mapping`). Class-level field access gives query expressions
(:class:`ModelMeta`); instances keep their load state in :mod:`wvorm.orm._state`.
This module also converts instances to the properties the server takes
(:func:`to_properties`) and server properties back to validated instances
(:func:`from_properties`).

Instances and the object-state rules (see :mod:`wvorm.orm._state`): a field that was
not loaded is absent, and reading it raises :class:`~wvorm.errors.UnloadedFieldError`;
``model_dump`` leaves it out, writes references as ids (nested objects to a chosen
``reference_depth``, cycles cut), and ``model_validate`` takes such a dump back, a
reference given as a uuid becoming a stub of the stored object.

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
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, Optional, TypeVar, Union
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_serializer, model_validator
from pydantic._internal._model_construction import ModelMetaclass  # pydantic has no public path

from wvorm._inputs import get_vector
from wvorm.errors import (
    ModelDefinitionError,
    UnknownFieldError,
    UnloadedFieldError,
    UsageError,
    did_you_mean,
)
from wvorm.orm._expressions import field_of
from wvorm.orm._mapping import (
    ClassConfig,
    ModelInfo,
    NamedVector,
    compile_model,
    model_info,
    natural_id,
    parse_options,
    register_base,
    vector_marker,
)
from wvorm.orm._state import (
    ObjectState,
    field_vector,
    mark_loaded,
    mark_stub,
    set_field_vector,
    state_of,
    unloaded_message,
)
from wvorm.orm._types import PropertyInfo, property_name_of, type_name

if TYPE_CHECKING:
    from pydantic import SerializationInfo, SerializerFunctionWrapHandler
    from typing_extensions import Self, Unpack

    from wvorm.orm._query import Query

M = TypeVar("M", bound="WeaviateModel")
_MISSING: Any = object()


# ---------------------------------------------------------------------------
# The metaclass


class ModelMeta(ModelMetaclass):
    """WeaviateModel's metaclass: ``Model.<field>`` gives a query expression, and
    ``Model.query`` a :class:`~wvorm.orm._query.Query` of the model.

    Pydantic keeps fields off the class (``Model.name`` would raise AttributeError),
    so this is the hook for ``Author.name == "x"``. It only answers once the class
    is complete: while pydantic builds the class it probes attributes to find
    defaults, and must keep seeing AttributeError then.
    """

    @property
    def query(cls: type[M]) -> Query[M]:  # type: ignore[misc]  # self is the model class
        """A new query of this model, on the default client (``wvorm.connect``)."""
        # The one upward import of the ORM: the query layer sits above the models.
        from wvorm.orm._query import Query

        if "__weaviate_config__" not in cls.__dict__:  # WeaviateModel itself, say
            raise AttributeError("query")  # answered by __getattr__ below
        try:
            return Query(cls)
        except AttributeError as exc:
            # an AttributeError escaping a metaclass property would be swallowed by the
            # __getattr__ fallback and reported as "no attribute 'query'"
            raise RuntimeError(f"{cls.__name__}.query failed: {exc!r}") from exc

    if not TYPE_CHECKING:  # mypy must not think any attribute exists (see wvorm.mypy)

        def __getattr__(cls, name: str) -> Any:
            ready = "__weaviate_config__" in cls.__dict__
            if name == "query" and not ready:
                raise AttributeError(
                    f"{cls.__name__}.query: {cls.__name__} is not a mapped model; query a "
                    "subclass that defines a collection"
                )
            if ready and not name.startswith("_"):
                vector = model_info(cls).vector_fields.get(name)
                if vector is not None:
                    target = "" if vector.vector_name is None else repr(vector.vector_name)
                    searched = f", target_vectors=[{target}]" if target else ""
                    raise UnknownFieldError(
                        f"{cls.__name__}.{name} is a vector, not a property to filter or sort "
                        f"on: search it with near_vector(...{searched}) and load it with "
                        f"with_vector({target})"
                    )
                if name in cls.__pydantic_fields__:
                    return field_of(cls, name)
                raise UnknownFieldError(
                    f"{cls.__name__} has no attribute or field {name!r}"
                    f"{did_you_mean(name, cls.__pydantic_fields__)}; its fields: "
                    f"{', '.join(cls.__pydantic_fields__)}"
                )
            return super().__getattr__(name)


# ---------------------------------------------------------------------------
# Definition-time checks


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
        if vector_marker(field_info.metadata) is not None:
            continue  # a vector, not a property
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

    A field that was not loaded from the server is absent: reading it raises
    :class:`~wvorm.errors.UnloadedFieldError` rather than return a default. Dumps
    write references as ids (``model_dump(context={"reference_depth": 1})`` nests
    the referenced objects one level, cycles cut); validation takes a uuid for a
    single-target reference and makes a stub of the stored object.

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
            vector_dimensions: int = ...,
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
        cls.__weaviate_config__ = parse_options(cls, options)
        _check_definition(cls)
        if cls.__pydantic_complete__:
            compile_model(cls)  # otherwise: when forward references resolve (see module docs)

    def model_post_init(self, context: Any, /) -> None:
        """Derive the id from the natural key, unless the caller gave one."""
        info = model_info(type(self))  # also compiles a class completed late
        if info.vector_fields:
            # vector fields live in the object's state (see wvorm.orm._state)
            for vector in info.vector_fields.values():
                value = self.__dict__.pop(vector.field_name, None)
                if value is not None:
                    set_field_vector(self, vector, value)
        if info.config.natural_key and "id" not in self.__pydantic_fields_set__:
            self.__dict__["id"] = natural_id(self)

    if not TYPE_CHECKING:  # mypy must keep seeing only the declared attributes

        def __getattr__(self, name: str) -> Any:
            # Only reached when normal lookup fails: a field absent from __dict__ is
            # unloaded. Not an AttributeError (see UnloadedFieldError).
            if name in type(self).__pydantic_fields__:
                vector = model_info(type(self)).vector_fields.get(name)
                if vector is not None:
                    return field_vector(self, vector)
                raise UnloadedFieldError(unloaded_message(self, name))
            return super().__getattr__(name)

        def __setattr__(self, name: str, value: Any) -> None:
            info = type(self).__dict__.get("__weaviate_info__")
            vector = None if info is None else info.vector_fields.get(name)
            if vector is None:
                super().__setattr__(name, value)
                return
            # pydantic validates the value into __dict__; the state keeps it
            type(self).__pydantic_validator__.validate_assignment(self, name, value)
            set_field_vector(self, vector, self.__dict__.pop(name))

    @model_validator(mode="before")
    @classmethod
    def _references_from_ids(cls, data: Any) -> Any:
        """A reference given as a uuid (what dumps write) becomes a stub of that object."""
        if not isinstance(data, dict) or "__weaviate_info__" not in cls.__dict__:
            return data
        references = model_info(cls).references
        if not references:
            return data
        out = None
        for prop in references:
            key = prop.field_name if prop.field_name in data else prop.name
            value = data.get(key)
            if value is None:
                continue
            if prop.is_list and isinstance(value, (list, tuple)):
                items = [_stub_for(cls, prop, v) for v in value]
                if any(n is not o for n, o in zip(items, value)):
                    out = dict(data) if out is None else out
                    out[key] = items
            else:
                stub = _stub_for(cls, prop, value)
                if stub is not value:
                    out = dict(data) if out is None else out
                    out[key] = stub
        return data if out is None else out

    # Deliberately unannotated return: pydantic then keeps the model's own JSON schema
    # for serialization (an annotated ``Any`` would turn it into "any value").
    @model_serializer(mode="wrap")
    def _dump_references(  # type: ignore[no-untyped-def]
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ):
        """References as ids beyond ``reference_depth`` (context key; default 0), cycles cut.

        Pydantic serializes everything but the reference fields (a shell without them,
        so its own recursion never reaches a cycle); each referenced object is then
        dumped here, as its id or, within the depth, by a nested ``model_dump``.
        """
        compiled = type(self).__dict__.get("__weaviate_info__")
        values = self.__dict__
        present = [p for p in compiled.references if p.field_name in values] if compiled else []
        if not present:
            out = handler(self)
            if compiled is not None and compiled.vector_fields:
                _dump_vectors(self, compiled, info, out)
            return out
        frame = _DUMP_FRAME.get()
        if frame is None:  # the object being dumped
            context = info.context
            depth = context.get("reference_depth", 0) if isinstance(context, dict) else 0
            frame = (0, int(depth), frozenset())
        level, limit, path = frame
        shell = type(self).__new__(type(self))
        names = {p.field_name for p in present}
        object.__setattr__(shell, "__dict__", {k: v for k, v in values.items() if k not in names})
        object.__setattr__(shell, "__pydantic_fields_set__", self.__pydantic_fields_set__)
        object.__setattr__(shell, "__pydantic_extra__", None)
        object.__setattr__(shell, "__pydantic_private__", self.__pydantic_private__)
        out = handler(shell)
        inner = (level + 1, limit, path | {(type(self), values.get("id"))})
        include, exclude = info.include, info.exclude
        for prop in present:
            name = prop.field_name
            if (include is not None and name not in include) or (exclude and name in exclude):
                continue
            value = values[name]
            if value is None and info.exclude_none:
                continue
            key = prop.name if info.by_alias else name
            if isinstance(value, list):
                out[key] = [_dump_target(t, info, inner) for t in value]
            else:
                out[key] = None if value is None else _dump_target(value, info, inner)
        if compiled is not None and compiled.vector_fields:
            _dump_vectors(self, compiled, info, out)
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WeaviateModel):
            return NotImplemented
        return type(self) is type(other) and _comparable(self) == _comparable(other)

    def __hash__(self) -> int:
        return hash((type(self), self.__dict__.get("id")))

    def model_copy(self, *, update: Optional[Mapping[str, Any]] = None, deep: bool = False) -> Self:
        """Pydantic's copy; vector fields in ``update`` are validated and checked as an
        assignment would (pydantic would write them where no vector lives)."""
        vectors = model_info(type(self)).vector_fields
        if not update or not vectors.keys() & update.keys():
            return super().model_copy(update=update, deep=deep)
        rest = {k: v for k, v in update.items() if k not in vectors}
        copied = super().model_copy(update=rest, deep=deep)
        for name in vectors.keys() & update.keys():
            setattr(copied, name, update[name])
        return copied

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


# (level of the object being dumped, reference_depth, identity keys on the way there)
_DUMP_FRAME: ContextVar[Optional[tuple[int, int, frozenset[Any]]]] = ContextVar(
    "wvorm_dump_frame", default=None
)
register_base(WeaviateModel)


def _dump_vectors(
    obj: WeaviateModel, compiled: ModelInfo, info: SerializationInfo, out: dict[str, Any]
) -> None:
    """Add the vector fields that ``obj`` holds (loaded or set) to its dump ``out``."""
    include, exclude = info.include, info.exclude
    state = state_of(obj)
    for name, vector in compiled.vector_fields.items():
        if (include is not None and name not in include) or (exclude and name in exclude):
            continue
        if vector.vector_name is None:
            value = state.vector
        else:
            value = state.vectors.get(vector.vector_name)
        if value is None:
            unset = info.exclude_unset and name not in obj.__pydantic_fields_set__
            if not (state.is_persistent or info.exclude_none or unset):
                out[name] = None
            continue
        out[name] = get_vector(value)


def _dump_target(
    target: WeaviateModel, info: SerializationInfo, frame: tuple[int, int, frozenset[Any]]
) -> Any:
    """A referenced object in a dump: its id beyond the depth or on a cycle, else its dump."""
    level, limit, path = frame
    object_id = target.__dict__.get("id")
    if level > limit or (type(target), object_id) in path:
        return str(object_id) if info.mode_is_json() else object_id
    token = _DUMP_FRAME.set(frame)
    try:
        return target.model_dump(
            mode=info.mode,
            by_alias=bool(info.by_alias),
            exclude_none=info.exclude_none,
            context=info.context,
        )
    finally:
        _DUMP_FRAME.reset(token)


def _stub_for(owner: type, prop: PropertyInfo, value: Any) -> Any:
    """``value`` as a reference target: a stub for a uuid, anything else unchanged."""
    if isinstance(value, (UUID, str)):
        if len(prop.targets) != 1:
            raise UsageError(
                f"{owner.__name__}.{prop.field_name} may point to "
                f"{' or '.join(t.__name__ for t in prop.targets)}; a bare uuid does not say "
                "which, so pass the object (or a dict with its fields)"
            )
        target: Any = prop.targets[0]
        return stub(target, UUID(str(value)))
    return value


_set = object.__setattr__  # (instances are built by the ten thousand: one lookup)


def new_instance(model: type[M], values: dict[str, Any], fields_set: set[str]) -> M:
    """An instance holding exactly ``values`` (already valid), as ``model_construct``
    builds one but without filling defaults: an absent field is unloaded."""
    obj = model.__new__(model)
    private: dict[str, Any] = {"_weaviate": ObjectState()}
    if len(model.__private_attributes__) > 1:  # the model's own private attributes
        for name, attr in model.__private_attributes__.items():
            if name != "_weaviate":
                private[name] = attr.get_default()
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", fields_set)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", private)
    return obj


def stub(model: type[M], object_id: UUID) -> M:
    """An instance standing for the stored ``model`` object ``object_id``, nothing loaded."""
    obj = new_instance(model, {"id": object_id}, {"id"})
    mark_stub(obj)
    return obj


class _RefRepr:
    """Shows a referenced object as ``<Book 1b4e...>``, so cyclic graphs print finitely."""

    __slots__ = ("target",)

    def __init__(self, target: Any) -> None:
        self.target = target

    def __repr__(self) -> str:
        return f"<{type(self.target).__name__} {getattr(self.target, 'id', '?')}>"


def _comparable(obj: WeaviateModel) -> dict[str, Any]:
    values = obj.__dict__
    out = {"id": values.get("id")}
    for name, prop in model_info(type(obj)).fields.items():
        value = values.get(name, _MISSING)
        out[name] = prop.freeze(value) if prop.targets and value is not _MISSING else value
    return out


# ---------------------------------------------------------------------------
# Conversion to and from the server's properties


def to_properties(
    obj: WeaviateModel, fields: Optional[Iterable[str]] = None, *, keep_none: bool = False
) -> dict[str, Any]:
    """``obj``'s properties as the server takes them (JSON-ready), keyed by property name.

    References are left out (they are written as beacons). ``fields`` limits the
    result to those field names; ``keep_none`` keeps None values (as JSON null, to
    clear a property in a patch) instead of leaving them out. Unloaded fields are
    always left out.
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
            raise UsageError(
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
    """A validated ``model`` instance from the server's properties (keys: property names).

    ``fields`` names the property fields that were requested (None: every one), so a
    requested property missing from ``properties`` is null on the server. A null
    becomes None for an Optional field; for any other field the field stays unloaded
    (never its default) and is recorded in the state's ``nulls``. Fields that were not
    requested stay unloaded too. Reference properties and properties the model does
    not know are ignored (the query layer attaches references). The instance is
    marked loaded with what it holds; after attaching references, mark it again.
    """
    info = model_info(model)
    requested = info.property_names if fields is None else frozenset(fields)
    data: dict[str, Any] = {}
    nulls = []
    for prop in info.properties:
        if prop.field_name not in requested:
            continue
        value = properties.get(prop.name)
        if value is None:
            if prop.is_optional:
                data[prop.field_name] = None
            else:
                nulls.append(prop.field_name)
            continue
        data[prop.field_name] = value if prop.item_decoder is None else prop.decode(value)
    object_id = UUID(str(uuid))
    if data.keys() >= info.fields.keys() and not info.vectors_required:
        # everything: validate as a whole
        obj = model.model_validate({"id": object_id, **data})
    else:
        # A partial load: validate each field read, leave the others unloaded.
        obj = new_instance(model, {"id": object_id}, {"id"})
        validator = model.__pydantic_validator__
        for field_name, value in data.items():
            validator.validate_assignment(obj, field_name, value)
    mark_loaded(obj, nulls=nulls, info=info)
    return obj


def referenced_objects(obj: WeaviateModel, field_name: str) -> list[WeaviateModel]:
    """The objects a reference field points to, checked against its declared targets.

    A single reference holds at most one object (Weaviate itself does not enforce
    cardinality, so wvorm does); every target must be exactly one of the declared
    classes, because the schema's dataType names those classes and no subclass.
    """
    prop = model_info(type(obj)).field(field_name)
    if not prop.targets:
        raise UnknownFieldError(f"{type(obj).__name__}.{field_name} is not a reference field")
    value = obj.__dict__.get(field_name)
    where = f"{type(obj).__name__}.{field_name}"
    if value is None:
        return []
    if prop.is_list:
        if not isinstance(value, (list, tuple)):
            raise UsageError(f"{where} holds {value!r}; it takes a list of {_names(prop)}")
        items = list(value)
    else:
        if isinstance(value, (list, tuple)):
            raise UsageError(
                f"{where} is a single reference but holds {len(value)} objects; type it "
                f"list[...] for many"
            )
        items = [value]
    for item in items:
        if type(item) not in prop.targets:
            raise UsageError(f"{where} holds a {type_name(type(item))}; it takes {_names(prop)}")
    return items


def _names(prop: PropertyInfo) -> str:
    return " or ".join(t.__name__ for t in prop.targets)

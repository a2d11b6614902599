"""Object state: what "loaded", "unloaded", "changed" and "deleted" mean, in one place.

Every path that loads, saves, merges, refreshes or rolls back a model instance goes
through the functions here: query hydration and ``Session.get`` (:func:`mark_loaded`),
a flush (:func:`changed_fields`, :func:`vector_changes`, :func:`mark_clean`),
``Session.merge`` and re-loads of held objects (:func:`refresh_from`), and
``Session.rollback`` (:func:`restore`).

The rules
---------
- **Transient** (never saved): ``snapshot`` is None. Every field the instance holds is
  what the next insert writes.
- **Persistent** (loaded from, or written to, the server): ``snapshot`` maps each
  *loaded* field to the frozen value the server holds (``PropertyInfo.freeze``).
- **Unloaded** field: one the instance does not hold (absent from its ``__dict__``)
  and whose server value is unknown: a ``.select(...)`` left it out, a reference that
  was not included, or a null from the server for a field that cannot be None.
  Reading it raises :class:`~wvorm.errors.UnloadedFieldError` (never a default);
  dumps leave it out; a flush leaves its server value alone.
- **Changed** field: one the instance holds whose frozen value differs from the
  snapshot, or that it holds without having loaded it (it was *assigned*: the new
  value replaces the server's whole value, for properties and references alike).
  Mutating an unloaded list is impossible, since reading it raises.
- **Vectors** are loaded only when asked. A vector that is set and differs from the
  last loaded or saved one (or was never loaded) is a change. Vector fields
  (``Vector(...)``) read the state: a vector a persistent object was not loaded with
  is unloaded; one it is known not to have (after its insert, or a load that asked
  for it: ``NO_VECTOR`` saved) is None.
- **Unconfirmed**: a new object whose insert was sent but not confirmed (the server
  died or its answer was lost): it may or may not be stored. It stays new; the next
  commit accepts a stored object with its uuid when that holds exactly the values
  and vectors the insert would write, and refuses it otherwise.
- **Deleted**: a flush deleted the object on the server. It is no longer persistent,
  and no cascade inserts it again; only an explicit ``session.add`` re-creates it.
- An object belongs to at most one Session (``owner``).
"""

from __future__ import annotations

import copy
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable, Optional
from uuid import UUID

from wvorm._inputs import get_vector, is_multi_vector, same_vector
from wvorm.errors import SessionError, UnloadedFieldError, UsageError
from wvorm.orm._mapping import ModelInfo, VectorInfo, model_info

if TYPE_CHECKING:
    from wvorm.orm._models import WeaviateModel

_UNKNOWN: Any = object()  # a vector that was not loaded
NO_VECTOR: tuple[float, ...] = ()  # saved: the server holds no such vector
_MISSING: Any = object()
_NO_NULLS: frozenset[str] = frozenset()  # shared: one allocation less per loaded object

Vector = list[float]
FindTarget = Callable[[type, UUID], "WeaviateModel"]
"""``(model, uuid) -> instance``: the held instance of a referenced object, or a stub."""


class ObjectState:
    """The bookkeeping of one model instance (see the module docs for the rules).

    - ``vector`` / ``vectors``: the default and named vectors the instance holds (None
      and empty when not set or not loaded).
    - ``snapshot``: the loaded fields' frozen server values; None while transient.
    - ``nulls``: loaded fields the server holds null for although the field cannot be
      None; they stay unloaded, and reading one says so.
    - ``unconfirmed``: its insert was sent, and whether the server stored it is unknown.
    - ``deleted``: a flush deleted the object.

    The object's uuid is not here: it is the model's ``id`` field.
    """

    __slots__ = (
        "_owner",
        "deleted",
        "embedded",
        "nulls",
        "saved_vector",
        "saved_vectors",
        "snapshot",
        "unconfirmed",
        "vector",
        "vectors",
    )

    def __init__(self) -> None:
        self.vector: Optional[Vector] = None
        self.vectors: dict[str, Vector] = {}
        self.snapshot: Optional[dict[str, Any]] = None
        self.nulls: frozenset[str] = _NO_NULLS
        self.saved_vector: Any = _UNKNOWN
        self.saved_vectors: dict[str, tuple[float, ...]] = {}
        self.unconfirmed = False
        self.deleted = False
        # vector name (None: the default) -> (text, vector) of the vectors that
        # wvorm.orm._embedding computed, recognised by identity
        self.embedded: Optional[dict[Optional[str], tuple[str, Any]]] = None
        self._owner: Optional[weakref.ref[Any]] = None

    @property
    def is_persistent(self) -> bool:
        """True once the object was loaded from, or saved to, the server."""
        return self.snapshot is not None

    @property
    def loaded_fields(self) -> Optional[frozenset[str]]:
        """The fields read from the server (None while transient: every field is local)."""
        return None if self.snapshot is None else frozenset(self.snapshot)

    def is_loaded(self, field_name: str) -> bool:
        """Whether ``field_name`` holds what the server has (or the object is new)."""
        return self.snapshot is None or field_name in self.snapshot

    @property
    def owner(self) -> Any:
        """The Session that tracks the object, or None."""
        return None if self._owner is None else self._owner()

    def __copy__(self) -> ObjectState:
        # A copied model must not share mutable state with its original, nor its session.
        new = ObjectState()
        new.vector = None if self.vector is None else copy_vector(self.vector)
        new.vectors = {name: copy_vector(v) for name, v in self.vectors.items()}
        new.snapshot = None if self.snapshot is None else dict(self.snapshot)
        new.nulls = self.nulls
        new.saved_vector = self.saved_vector
        new.saved_vectors = dict(self.saved_vectors)
        new.unconfirmed = self.unconfirmed
        new.deleted = self.deleted
        if self.embedded:  # the copies of computed vectors are computed ones too
            new.embedded = {}
            for name, (text, vector) in self.embedded.items():
                held = self.vector if name is None else self.vectors.get(name)
                if vector is held and held is not None:
                    copied = new.vector if name is None else new.vectors[name]
                    new.embedded[name] = (text, copied)
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> ObjectState:
        return self.__copy__()

    def __repr__(self) -> str:
        loaded = "all" if self.snapshot is None else sorted(self.snapshot)
        return (
            f"ObjectState(persistent={self.is_persistent}, loaded_fields={loaded}, "
            f"vector={'set' if self.vector is not None else None}, vectors={sorted(self.vectors)}"
            f"{', unconfirmed' if self.unconfirmed else ''}{', deleted' if self.deleted else ''})"
        )


def state_of(obj: WeaviateModel) -> ObjectState:
    """The :class:`ObjectState` (vectors, loaded fields, snapshot) of a model instance."""
    private = obj.__pydantic_private__
    if private is None:  # e.g. made with __new__ only
        raise UsageError(f"{type(obj).__name__} instance was not initialised; build it normally")
    state: Optional[ObjectState] = private.get("_weaviate")
    if state is None:
        state = private["_weaviate"] = ObjectState()
    return state


def describe(obj: WeaviateModel) -> str:
    """``Author(1b4e...)``: how messages name an object (never its field values)."""
    return f"{type(obj).__name__}({obj.__dict__.get('id')})"


# ---------------------------------------------------------------------------
# Ownership


def claim(obj: WeaviateModel, session: object) -> None:
    """Record that ``session`` tracks ``obj``; refuse an object another session tracks."""
    state = state_of(obj)
    owner = state.owner
    if owner is not None and owner is not session:
        raise SessionError(
            f"{describe(obj)} already belongs to another Session; an object is tracked by one "
            "session at a time. Call other_session.expunge(obj) first, or use "
            "session.merge(obj) to copy its values into this session."
        )
    if owner is None:
        state._owner = weakref.ref(session)


def release(obj: WeaviateModel, session: object) -> None:
    """``session`` stops tracking ``obj``."""
    state = state_of(obj)
    if state.owner is session:
        state._owner = None


# ---------------------------------------------------------------------------
# Loading


def unloaded_message(obj: WeaviateModel, field_name: str) -> str:
    """Why ``obj.<field_name>`` has no value, and how to load it."""
    model = type(obj).__name__
    state = state_of(obj)
    if field_name in state.nulls:
        return (
            f"{describe(obj)}.{field_name}: the server holds null for this property, and the "
            f"field is not Optional, so wvorm will not invent a value. Assign one, or declare "
            f"it Optional[...] in {model}."
        )
    prop = model_info(type(obj)).fields.get(field_name)
    if prop is not None and prop.targets:
        how = f"include it in the query (.include({model}.{field_name}))"
    else:
        how = "name it in the query's .select(...) (or leave .select out)"
    return (
        f"{describe(obj)}.{field_name} was not loaded, and wvorm does not invent a value. To "
        f"read it, {how} or call session.refresh(obj); assigning it replaces the stored value."
    )


def mark_loaded(
    obj: WeaviateModel,
    *,
    nulls: Iterable[str] = (),
    info: Optional[ModelInfo] = None,
) -> None:
    """Record that ``obj`` holds the server's values of every field it holds.

    Call it on a freshly built instance holding exactly the fields read from the
    server (unread fields absent); ``nulls`` names fields the server holds null for
    although they cannot be None. The vectors it holds are the server's too.
    """
    state = state_of(obj)
    state.snapshot = _snapshot(info or model_info(type(obj)), obj)
    if nulls:
        state.nulls = frozenset(nulls)
    _save_vectors(state)


def mark_stub(obj: WeaviateModel) -> None:
    """Record that ``obj`` stands for a stored object of which nothing is known but the
    uuid (a reference target that was not loaded, or an insert the server reported as
    failed yet stored): persistent, nothing loaded, so whatever it holds counts as
    changed."""
    state = state_of(obj)
    state.snapshot = {}
    state.unconfirmed = False


def mark_clean(
    obj: WeaviateModel,
    *,
    info: Optional[ModelInfo] = None,
    vector_sent: Optional[tuple[float, ...]] = None,
) -> None:
    """Record the values and vectors ``obj`` holds as what the server has (after a write).

    ``vector_sent``: the :func:`vector_snapshot` of the default vector that the write
    sent, when the writer made one (it is what the server holds; copying the vector
    again would cost as much as sending it).
    """
    state = state_of(obj)
    inserted = state.snapshot is None
    info = info or model_info(type(obj))
    state.snapshot = _snapshot(info, obj)
    state.nulls = _NO_NULLS
    state.unconfirmed = False
    state.deleted = False
    _save_vectors(state, vector_sent)
    if inserted and info.vector_fields:
        # An insert writes the whole object: a declared vector it did not hold is known
        # to be absent on the server (NO_VECTOR), not unloaded, unless the server
        # computes it.
        for vector in info.vector_fields.values():
            if not vector.self_provided:
                continue
            if vector.vector_name is None:
                if state.saved_vector is _UNKNOWN:
                    state.saved_vector = NO_VECTOR
            else:
                state.saved_vectors.setdefault(vector.vector_name, NO_VECTOR)


def mark_deleted(obj: WeaviateModel) -> None:
    """Record that a flush deleted ``obj`` on the server."""
    state = state_of(obj)
    state.snapshot = None
    state.unconfirmed = False
    state.deleted = True
    state.saved_vector = _UNKNOWN
    state.saved_vectors = {}


def _snapshot(info: ModelInfo, obj: WeaviateModel) -> dict[str, Any]:
    fields, as_is = info.fields, info.frozen_as_is
    values = obj.__dict__
    if as_is.issuperset(fields):  # the common case, on the hydration hot path: one copy
        snapshot = dict(values)
        snapshot.pop("id", None)
        return snapshot
    return {
        name: value if name in as_is else fields[name].freeze(value)
        for name, value in values.items()
        if name in fields
    }


def vector_snapshot(vector: Any) -> tuple[Any, ...]:
    """A vector's saved copy (a tuple: the fastest copy to make, and the garbage
    collector stops tracking a tuple of floats once it has seen it); a multi-vector's
    is a tuple of tuples, so changing one of its vectors in place shows as a change."""
    if is_multi_vector(vector):
        return tuple(map(tuple, vector))
    return tuple(vector)


def copy_vector(vector: Any) -> list[Any]:
    """A copy of a vector (or of a multi-vector, its vectors copied too)."""
    values = get_vector(vector)
    return [list(v) for v in values] if is_multi_vector(values) else list(values)


def _restored(saved: tuple[Any, ...]) -> list[Any]:
    """A saved vector (or multi-vector) as the lists a model holds."""
    return [list(v) for v in saved] if is_multi_vector(saved) else list(saved)


# ---------------------------------------------------------------------------
# Vector fields (declared with Vector(...)): their values live in the state


def field_vector(obj: WeaviateModel, vector: VectorInfo) -> Any:
    """The value of a vector field: what the state holds; a vector that a persistent
    object was loaded without is unloaded, not None."""
    state = state_of(obj)
    if vector.vector_name is None:
        value, known = state.vector, state.saved_vector is not _UNKNOWN
    else:
        value = state.vectors.get(vector.vector_name)
        known = vector.vector_name in state.saved_vectors
    if value is None and state.is_persistent and not known:
        raise UnloadedFieldError(
            f"{describe(obj)}.{vector.field_name}: its {vector.label} was not loaded, and wvorm "
            "does not invent one. Query with "
            f".with_vector({'' if vector.vector_name is None else repr(vector.vector_name)}) "
            "to read it; assigning it replaces the stored vector."
        )
    return value


def set_field_vector(obj: WeaviateModel, vector: VectorInfo, value: Any) -> None:
    """Set a vector field (``value`` already validated): checked against the declared
    dimensions; None clears it on a new object, and is refused on a stored one
    (Weaviate cannot remove a vector)."""
    state = state_of(obj)
    if value is None:
        saved = (
            state.saved_vector
            if vector.vector_name is None
            else state.saved_vectors.get(vector.vector_name, _UNKNOWN)
        )
        if state.is_persistent and saved != NO_VECTOR:
            known = "Weaviate cannot remove a stored vector"
            if saved is _UNKNOWN:
                known = "the vector was not loaded, and Weaviate cannot remove one it holds"
            raise UsageError(
                f"{describe(obj)}.{vector.field_name} = None: {known}; assign another "
                "vector, or delete and re-create the object"
            )
    else:
        error = dimension_error(value, vector.dimensions, type(obj).__name__)
        if error:
            raise UsageError(f"{describe(obj)}.{vector.field_name}: its {vector.label} {error}")
    if vector.vector_name is None:
        state.vector = value
    elif value is None:
        state.vectors.pop(vector.vector_name, None)
    else:
        state.vectors[vector.vector_name] = value


def take_vectors(
    state: ObjectState, vector: Any, vectors: Any, asked: Iterable[Optional[str]]
) -> None:
    """Put the vectors a read returned in a freshly built object's state (then call
    :func:`mark_loaded`): ``vector`` (the default) and ``vectors`` by name, None or
    empty where the object has none. Each vector name in ``asked`` (None: the default)
    that came back empty is recorded as known to be absent (``NO_VECTOR``)."""
    held = {name: v for name, v in (vectors or {}).items() if v}
    if vector:
        state.vector = vector
    if held:
        state.vectors = held
    for name in asked:
        if name is None:
            if not vector:
                state.saved_vector = NO_VECTOR
        elif name not in held:
            state.saved_vectors[name] = NO_VECTOR


def dimension_error(value: Any, dimensions: Optional[int], owner: str) -> Optional[str]:
    """Why ``value`` (a vector, or a multi-vector: each of its vectors) does not have
    the ``dimensions`` that the model ``owner`` declares, or None."""
    if dimensions is None or value is None:
        return None
    values = get_vector(value)
    rows = values if is_multi_vector(values) else [values]
    for row in rows:
        if len(row) != dimensions:
            return (
                f"has {len(row)} dimensions, but {owner} declares {dimensions}; the server "
                "would store the object without it"
            )
    return None


def _save_vectors(state: ObjectState, sent: Optional[tuple[float, ...]] = None) -> None:
    """Record the vectors held as the server's (a vector known to be absent stays so)."""
    if sent is not None:
        state.saved_vector = sent
    elif state.vector is not None:
        state.saved_vector = vector_snapshot(state.vector)
    elif state.saved_vector is not NO_VECTOR:
        state.saved_vector = _UNKNOWN
    if state.vectors or state.saved_vectors:
        saved = {name: vector_snapshot(v) for name, v in state.vectors.items()}
        for name, old in state.saved_vectors.items():
            if old == NO_VECTOR:
                saved.setdefault(name, NO_VECTOR)
        state.saved_vectors = saved


# ---------------------------------------------------------------------------
# Changes


def changed_fields(obj: WeaviateModel, info: Optional[ModelInfo] = None) -> set[str]:
    """The fields a flush must write: every field a transient object holds; for a
    persistent one, those whose value differs from the snapshot or that were assigned
    without being loaded."""
    fields = (info or model_info(type(obj))).fields
    values = obj.__dict__
    snapshot = state_of(obj).snapshot
    if snapshot is None:
        return {name for name in fields if name in values}
    changed = set()
    for name, value in values.items():
        prop = fields.get(name)
        if prop is None:
            continue  # the id
        before = snapshot.get(name, _MISSING)
        if before is _MISSING or prop.freeze(value) != before:
            changed.add(name)
    return changed


def vector_changes(obj: WeaviateModel) -> tuple[Optional[Vector], dict[str, Vector]]:
    """The default vector (or None) and the named vectors a flush must write: those
    that differ from the saved ones in float32, the precision the server stores."""
    state = state_of(obj)
    vector = state.vector
    saved = state.saved_vector
    if vector is not None and saved is not _UNKNOWN and _unchanged(vector, saved):
        vector = None
    named = {
        name: v
        for name, v in state.vectors.items()
        if name not in state.saved_vectors or not _unchanged(v, state.saved_vectors[name])
    }
    return vector, named


def _unchanged(vector: Any, saved: Any) -> bool:
    # (the exact comparison first: it is the common case, and the cheaper one)
    return vector_snapshot(vector) == saved or same_vector(saved, vector)


def is_dirty(obj: WeaviateModel, info: Optional[ModelInfo] = None) -> bool:
    """Whether a flush would write anything for the persistent ``obj``."""
    vector, named = vector_changes(obj)
    return bool(vector is not None or named or changed_fields(obj, info))


# ---------------------------------------------------------------------------
# Merging fresh server state into a held object, and rolling back


def refresh_from(present: WeaviateModel, fresh: WeaviateModel, *, overwrite: bool) -> bool:
    """Copy onto ``present`` what ``fresh`` (a just-loaded copy of the same object) loaded.

    Without ``overwrite`` only fields ``present`` had not loaded and not assigned are
    filled in, so local changes are never replaced (SQLAlchemy's default); with it,
    every field ``fresh`` loaded overwrites the held value and its snapshot
    (``populate_existing``). Returns whether anything was copied.
    """
    present_state, fresh_state = state_of(present), state_of(fresh)
    fresh_snapshot = fresh_state.snapshot or {}
    values = present.__dict__
    if overwrite:
        names = list(fresh_snapshot)
    else:
        held = present_state.snapshot or {}
        names = [n for n in fresh_snapshot if n not in held and n not in values]
    copied = bool(names)
    if names:
        snapshot = dict(present_state.snapshot or {})
        fields_set = present.__pydantic_fields_set__
        for name in names:
            values[name] = fresh.__dict__[name]
            fields_set.add(name)
            snapshot[name] = fresh_snapshot[name]
        present_state.snapshot = snapshot
    if overwrite:
        present_state.nulls = fresh_state.nulls
        for name in present_state.nulls:
            values.pop(name, None)
    if fresh_state.vector is not None and (overwrite or present_state.vector is None):
        present_state.vector = fresh_state.vector
        present_state.saved_vector = fresh_state.saved_vector
        copied = True
    for name, vector in fresh_state.vectors.items():
        if overwrite or name not in present_state.vectors:
            present_state.vectors[name] = vector
            present_state.saved_vectors[name] = fresh_state.saved_vectors[name]
            copied = True
    # what the load found absent is known to be absent
    if fresh_state.saved_vector == NO_VECTOR and (overwrite or present_state.vector is None):
        present_state.vector, present_state.saved_vector = None, NO_VECTOR
        copied = True
    for name, saved in fresh_state.saved_vectors.items():
        if saved == NO_VECTOR and (overwrite or name not in present_state.vectors):
            present_state.vectors.pop(name, None)
            present_state.saved_vectors[name] = NO_VECTOR
            copied = True
    return copied


def restore(obj: WeaviateModel, find: FindTarget) -> None:
    """Undo every change since the last load or flush (``Session.rollback``).

    Changed fields get their snapshot value back; fields assigned without being
    loaded become unloaded again; vectors go back to the loaded or saved ones (or to
    none). ``find`` gives the instance of a referenced object.
    """
    info = model_info(type(obj))
    state = state_of(obj)
    snapshot = state.snapshot or {}
    values = obj.__dict__
    for name in changed_fields(obj, info):
        frozen = snapshot.get(name, _MISSING)
        if frozen is _MISSING:
            values.pop(name, None)
            obj.__pydantic_fields_set__.discard(name)
        else:
            values[name] = info.fields[name].thaw(frozen, find)
    saved = state.saved_vector
    state.vector = None if saved is _UNKNOWN or saved == NO_VECTOR else _restored(saved)
    state.vectors = {name: _restored(v) for name, v in state.saved_vectors.items() if v}


def reload(obj: WeaviateModel, fresh: WeaviateModel) -> None:
    """Make ``obj`` hold exactly what ``fresh`` (a full load of the same object) holds:
    every field, its snapshot and vectors; changes not flushed are dropped
    (``Session.refresh``)."""
    values, fields_set = obj.__dict__, obj.__pydantic_fields_set__
    for name in model_info(type(obj)).fields:
        values.pop(name, None)
        fields_set.discard(name)
    state = state_of(obj)
    state.snapshot = {}
    state.vector, state.vectors = None, {}
    state.saved_vector, state.saved_vectors = _UNKNOWN, {}
    refresh_from(obj, fresh, overwrite=True)


def merge_values(target: WeaviateModel, source: WeaviateModel, *, explicit_only: bool) -> None:
    """Copy onto ``target`` the field values and vectors ``source`` holds (``Session.merge``,
    which then merges the referenced objects too).

    Fields ``source`` did not load are left alone (unloaded is not empty); with
    ``explicit_only``, so are the fields it holds only as defaults. Values are deep
    copies, except references. A field ``source`` loaded and ``target`` had not gets
    ``source``'s snapshot too, since ``source`` knows the server's value.
    """
    info = model_info(type(source))
    target_state, source_state = state_of(target), state_of(source)
    source_snapshot = source_state.snapshot or {}
    explicit = source.__pydantic_fields_set__
    for name, prop in info.fields.items():
        value = source.__dict__.get(name, _MISSING)
        if value is _MISSING or (explicit_only and name not in explicit):
            continue
        if not prop.targets:
            value = copy.deepcopy(value)  # lists and nested models stay unshared
        target.__dict__[name] = value
        target.__pydantic_fields_set__.add(name)
        held = target_state.snapshot
        if held is not None and name not in held and name in source_snapshot:
            target_state.snapshot = {**held, name: source_snapshot[name]}
    if source_state.vector is not None:
        target_state.vector = copy_vector(source_state.vector)
    for name, vector in source_state.vectors.items():
        target_state.vectors[name] = copy_vector(vector)

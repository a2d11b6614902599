"""``Session``: the unit-of-work facade that users add, change, delete and commit objects through.

A Session tracks model instances in three states (SQLAlchemy's vocabulary):

- *new* (pending): added, never written; ``commit`` inserts it;
- *persistent*: loaded from, or written to, the server; ``commit`` sends what
  changed since (``models.changed_fields``), and nothing else;
- *deleted*: marked with :meth:`Session.delete`; ``commit`` deletes it.

Every tracked object sits in the session's identity map
(:mod:`wvorm.orm.identity`): one ``(model, uuid)`` is one Python object per
session. :mod:`wvorm.orm.unitofwork` orders and performs each flush; the query
layer hands every object it loads through :meth:`Session._adopt`.

Weaviate has no transactions. A flush writes for good, so :meth:`Session.rollback`
can only undo what was not flushed yet: it drops pending adds and deletes and
restores loaded objects' fields to what the server held after the last load or
flush. ``commit`` is ``flush``; both names exist for SQLAlchemy habits.

A Session is not thread-safe: use one per thread (its flush uses worker threads
of its own). An object belongs to one session at a time.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union
from uuid import UUID

from wvorm.batch import Batch
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import WvormError
from wvorm.orm.identity import IdentityKey, IdentityMap, describe, identity_key
from wvorm.orm.models import (
    WeaviateModel,
    changed_fields,
    collection_name,
    from_properties,
    mark_clean,
    model_info,
    referenced_objects,
    state_of,
)
from wvorm.orm.unitofwork import UnitOfWork

if TYPE_CHECKING:
    from wvorm.client import Client
    from wvorm.orm.query import Query
    from wvorm.orm.types import PropertyInfo

logger = logging.getLogger("wvorm.orm.session")

M = TypeVar("M", bound=WeaviateModel)

_MISSING: Any = object()


class Session:
    """Add, change and delete model instances; :meth:`commit` writes them to Weaviate.

    ::

        with Session(client) as session:
            jane = Author(name="Jane Doe", wrote_articles=[Article(title="...")])
            session.add(jane)          # the new Article comes along (cascade)
            session.commit()           # objects through a batch, then their references
            jane.name = "Jane D."
            session.commit()           # one PATCH with {"name": "Jane D."}

    - ``batch_size``: objects (or references) per batch request; ``num_workers``:
      requests in flight at once (batch requests, and PATCH / DELETE calls).
    - ``consistency_level``: for every write and read (replicated classes).
    - ``tenant``: every object is written to, read from and deleted in this tenant
      (the classes must have multi-tenancy enabled).

    Leaving a ``with`` block closes the session; when an exception leaves it, the
    session is rolled back first. Nothing is committed implicitly.
    """

    def __init__(
        self,
        client: Client,
        *,
        batch_size: int = 200,
        num_workers: int = 2,
        consistency_level: Union[ConsistencyLevel, str, None] = None,
        tenant: Optional[str] = None,
    ) -> None:
        for name, value in (("batch_size", batch_size), ("num_workers", num_workers)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Session({name}=...) takes an int >= 1, got {value!r}")
        if tenant is not None and (not isinstance(tenant, str) or not tenant):
            raise TypeError(f"Session(tenant=...) takes a tenant name (a str), got {tenant!r}")
        level: Optional[str] = None
        if consistency_level is not None:
            try:
                level = ConsistencyLevel(consistency_level).value
            except ValueError:
                raise ValueError(
                    f"Session(consistency_level=...) takes one of "
                    f"{[c.value for c in ConsistencyLevel]} or None, got {consistency_level!r}"
                ) from None
        self._client = client
        self.batch_size = batch_size
        self.num_workers = num_workers
        self.consistency_level: Optional[str] = level
        self.tenant: Optional[str] = tenant
        self._identity = IdentityMap()
        self._new: dict[IdentityKey, WeaviateModel] = {}  # insertion order = write order
        self._deleted: dict[IdentityKey, WeaviateModel] = {}
        self._batch: Optional[Batch] = None

    # -- adding and deleting --------------------------------------------------------------

    def add(self, obj: WeaviateModel) -> None:
        """Track ``obj``: a new object is inserted by the next commit, a loaded one updated.

        Cascades: every object reachable through reference fields that the session
        does not track yet is added too (new ones inserted, loaded ones attached).
        Adding an object marked for deletion cancels the deletion. Raises when
        another Python object with the same class and uuid is already in the
        session (use :meth:`merge`), and TypeError for a reference field holding
        something it cannot.
        """
        self.add_all((obj,))

    def add_all(self, objects: Iterable[WeaviateModel]) -> None:
        """:meth:`add` every object of ``objects``."""
        roots = list(objects)
        for obj in roots:
            if not isinstance(obj, WeaviateModel):
                raise TypeError(
                    f"Session.add takes WeaviateModel instances, got {type(obj).__name__}"
                )
        if self._deleted:
            for obj in roots:
                key = identity_key(obj)
                if self._deleted.get(key) is obj:
                    del self._deleted[key]
        self._track(roots)

    def delete(self, obj: WeaviateModel) -> None:
        """Mark ``obj`` for deletion by the next commit.

        A new object that was never written is simply dropped from the session. A
        loaded object from elsewhere is attached first. References that other
        objects hold to it are not touched (Weaviate skips dangling references).
        """
        if not isinstance(obj, WeaviateModel):
            raise TypeError(f"Session.delete takes a WeaviateModel instance, got {obj!r}")
        key = identity_key(obj)
        present = self._identity.get(key)
        if present is None:
            if not state_of(obj).is_persistent:
                raise WvormError(
                    f"cannot delete {describe(obj)}: it was never saved. Only objects loaded "
                    "from, or written to, the server can be deleted."
                )
            self._identity.add(obj)
        elif present is not obj:
            raise WvormError(
                f"cannot delete {describe(obj)}: the session holds another Python object "
                "with this uuid; delete that one (session.get(...))"
            )
        if self._new.pop(key, None) is not None:
            self._identity.remove(key)  # never written: nothing to delete on the server
            return
        self._deleted[key] = obj

    def expunge(self, obj: WeaviateModel) -> None:
        """Stop tracking ``obj``: its pending insert, changes or deletion are forgotten."""
        key = identity_key(obj)
        if self._identity.get(key) is not obj:
            raise WvormError(f"{describe(obj)} is not in this session")
        self._forget(key)

    def expunge_all(self) -> None:
        """Stop tracking every object (what was not flushed is forgotten)."""
        self._identity.clear()
        self._new.clear()
        self._deleted.clear()

    # -- reading ------------------------------------------------------------------------

    def get(self, model: type[M], uuid: Union[UUID, str]) -> Optional[M]:
        """The ``model`` object with ``uuid``, or None when it does not exist.

        The identity map answers first (a new, unflushed object is found too; one
        marked for deletion is not). Otherwise the object is read from the server
        (in the session's tenant) with its properties and vector, but without its
        references: those stay unloaded, so saving it leaves them alone. Use
        ``session.query(Model).include(...)`` to load references.
        """
        try:
            object_id = uuid if isinstance(uuid, UUID) else UUID(str(uuid))
        except ValueError:
            raise ValueError(f"Session.get: {uuid!r} is not a uuid") from None
        key: IdentityKey = (model, object_id)
        present = self._identity.get(key)
        if present is not None:
            return None if key in self._deleted else _as(model, present)
        data = self._client.data_object.get_by_id(
            object_id,
            with_vector=True,
            class_name=collection_name(model),
            consistency_level=_level(self.consistency_level),
            tenant=self.tenant,
        )
        if data is None:
            return None
        obj = from_properties(model, data.get("properties") or {}, uuid=object_id)
        state = state_of(obj)
        state.vector = data.get("vector") or None
        state.vectors = dict(data.get("vectors") or {})
        self._identity.add(obj)
        return obj

    def query(self, model: type[M]) -> Query[M]:
        """A query of ``model`` bound to this session: the session's client, tenant and
        consistency level, and every object it loads joins the identity map (an object
        the session already holds comes back as that same Python object).
        """
        from wvorm.orm.query import Query

        return Query(model, client=self._client).session(self)

    def merge(self, obj: M) -> M:
        """The session's instance of ``obj``, updated with ``obj``'s loaded field values.

        When the session holds no object with ``obj``'s class and uuid, a loaded
        ``obj`` is copied in as persistent, and a never-saved one is looked up on the
        server (one GET): if it exists, that object is loaded and updated, else a
        copy is added as new. ``obj`` itself is never added. Fields ``obj`` did not
        load are left alone, and so are the fields of a never-saved ``obj`` that
        were not set explicitly (their defaults say nothing about the stored
        values). Reference fields are merged the same way (recursively, cycles
        included), so the result refers to session objects.
        """
        if not isinstance(obj, WeaviateModel):
            raise TypeError(f"Session.merge takes a WeaviateModel instance, got {obj!r}")
        return _as(type(obj), self._merge(obj, {}))

    # -- writing ------------------------------------------------------------------------

    def flush(self) -> None:
        """Write every pending change to the server (see :mod:`wvorm.orm.unitofwork`).

        Raises :class:`~wvorm.errors.CommitError` listing each object or reference
        the server rejected (and those held back because they depend on one). All
        the rest is written and clean; the failed ones stay pending, so fix them and
        flush again. Programming errors (a reference field holding the wrong type,
        an id changed after ``add``) raise before anything is written.
        """
        UnitOfWork(self).flush()

    def commit(self) -> None:
        """The same as :meth:`flush`: Weaviate has no transactions to commit."""
        self.flush()

    def rollback(self) -> None:
        """Undo what was not flushed.

        New objects leave the session, deletions are cancelled, and every field of a
        persistent object that changed since its last load or flush gets that value
        back. Objects already flushed stay written (Weaviate has no transactions).
        Vectors set on loaded objects are not restored.
        """
        for key in self._new:
            self._identity.remove(key)
        self._new.clear()
        self._deleted.clear()
        for obj in self._identity:
            for field_name in changed_fields(obj):
                self._restore(obj, field_name)

    def close(self) -> None:
        """Forget every object and stop the session's batch threads.

        Unflushed inserts and deletions are discarded (a warning says how many), as
        are unflushed changes to loaded objects. The session can be used again.
        """
        if self._new or self._deleted:
            logger.warning(
                "Session closed with %d unflushed new and %d unflushed deleted object(s); "
                "they were discarded (call commit() to write them)",
                len(self._new),
                len(self._deleted),
            )
        self.expunge_all()
        if self._batch is not None:
            self._batch.shutdown()

    def __enter__(self) -> Session:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if exc is not None:
            self.rollback()
        self.close()

    # -- what is pending ------------------------------------------------------------------

    @property
    def new(self) -> list[WeaviateModel]:
        """Objects the next commit inserts."""
        return list(self._new.values())

    @property
    def dirty(self) -> list[WeaviateModel]:
        """Persistent objects with changes the next commit writes."""
        return [
            obj
            for key, obj in self._identity.items()
            if key not in self._new and key not in self._deleted and changed_fields(obj)
        ]

    @property
    def deleted(self) -> list[WeaviateModel]:
        """Objects the next commit deletes."""
        return list(self._deleted.values())

    def __contains__(self, obj: object) -> bool:
        return isinstance(obj, WeaviateModel) and self._identity.get(identity_key(obj)) is obj

    def __len__(self) -> int:
        return len(self._identity)

    def __repr__(self) -> str:
        tenant = f", tenant={self.tenant!r}" if self.tenant else ""
        return (
            f"Session({len(self._identity)} object(s): {len(self._new)} new, "
            f"{len(self._deleted)} deleted{tenant})"
        )

    # -- for the query layer --------------------------------------------------------------

    def _adopt(self, obj: M, *, populate_existing: bool = False) -> M:
        """The session's instance for ``obj``, an object just loaded from the server.

        An unknown ``(model, uuid)`` is registered as persistent and clean, and
        returned. When the session already holds that object, its instance is
        returned and keeps its values, like SQLAlchemy: only fields it had not
        loaded (and not changed) are filled in from ``obj``. With
        ``populate_existing=True`` every field ``obj`` loaded overwrites the held
        one (local changes to those fields are lost). Objects reachable through
        ``obj``'s reference fields are adopted too, and reference fields of newly
        registered objects are pointed at the session's instances.
        """
        canonical: dict[int, WeaviateModel] = {}
        touched: list[WeaviateModel] = []  # objects whose reference fields may need pointing
        stack: list[WeaviateModel] = [obj]
        while stack:
            item = stack.pop()
            if id(item) in canonical:
                continue
            key = identity_key(item)
            present = self._identity.get(key)
            if present is None:
                if not state_of(item).is_persistent:
                    mark_clean(item)  # it came from the server, so this is what it holds
                self._identity.add(item)
                present = item
            elif present is item and item is not obj:
                canonical[id(item)] = item  # adopted before; its references were then
                continue
            canonical[id(item)] = present
            if present is item:
                touched.append(item)
            elif (
                key not in self._new
                and key not in self._deleted
                and _refresh(present, item, everything=populate_existing)
            ):
                touched.append(present)
            for prop in model_info(type(item)).references:
                stack.extend(_targets(item, prop))
        for item in touched:
            _point_at(item, canonical)
        return _as(type(obj), canonical[id(obj)])

    # -- internals ------------------------------------------------------------------------

    def _batch_engine(self) -> Batch:
        """The session's own batch engine: its settings and failure records stay apart
        from ``client.batch``, which the caller may be using at the same time."""
        if self._batch is None:
            # The session owns a Batch on the client's connection (the same engine
            # client.batch is), so configuring it never changes the user's batch.
            self._batch = Batch(self._client.connection)
            self._batch.configure(
                batch_size=self.batch_size,
                num_workers=self.num_workers,
                consistency_level=self.consistency_level,
                callback=None,  # failures are read from failed_objects / failed_references
            )
        return self._batch

    def _track(self, roots: list[WeaviateModel]) -> list[WeaviateModel]:
        """Track ``roots`` and every untracked object reachable from them; return the
        objects that were not tracked before.

        The references of each root and of each newly tracked object are followed;
        an object tracked earlier is not entered again (its own references were
        followed then, and a flush follows them again from every new or changed
        object), so adding one object costs what is new, not the whole graph.
        """
        identity, new = self._identity, self._new
        root_ids = {id(obj) for obj in roots}
        seen: set[int] = set()
        added: list[WeaviateModel] = []
        stack = list(reversed(roots))
        while stack:
            obj = stack.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            key = (type(obj), obj.id)
            present = identity.get(key)
            if present is None:
                identity.add(obj, key)
                if not state_of(obj).is_persistent:
                    new[key] = obj
                added.append(obj)
            elif present is not obj:
                identity.add(obj)  # raises: another object already holds this uuid
            elif id(obj) not in root_ids:
                continue
            references = model_info(type(obj)).references
            if references:
                for prop in references:
                    stack.extend(referenced_objects(obj, prop.field_name))
        return added

    def _forget(self, key: IdentityKey) -> None:
        self._identity.remove(key)
        self._new.pop(key, None)
        self._deleted.pop(key, None)

    def _merge(self, obj: WeaviateModel, memo: dict[IdentityKey, WeaviateModel]) -> WeaviateModel:
        # ``memo`` is keyed by identity, so that when the merged graph holds two Python
        # objects for one uuid, the first one reached (the root first) is the one merged.
        key = identity_key(obj)
        done = memo.get(key)
        if done is not None:
            return done
        source_state = state_of(obj)
        transient = not source_state.is_persistent
        target = self._identity.get(key)
        if target is None and transient:
            target = self.get(type(obj), obj.id)  # it may exist on the server already
        copied = target is None
        if target is None:
            target = copy.copy(obj)  # a shallow copy with its own ObjectState
            memo[key] = target
            self._identity.add(target)
            if not state_of(target).is_persistent:
                self._new[key] = target
        else:
            memo[key] = target
            self._deleted.pop(key, None)
        target_state = state_of(target)
        if target is not obj:
            explicit = obj.__pydantic_fields_set__
            for name, prop in model_info(type(obj)).fields.items():
                value = obj.__dict__.get(name, _MISSING)
                if value is _MISSING or not source_state.is_loaded(name):
                    continue  # unloaded is not empty: leave the session's value alone
                if transient and not copied and name not in explicit:
                    continue  # a default nobody set says nothing about the stored value
                if not prop.targets:
                    value = copy.deepcopy(value)  # lists and nested models stay unshared
                _set_field(target, name, value)
            if source_state.vector is not None:
                target_state.vector = list(source_state.vector)
            for vector_name, vector in source_state.vectors.items():
                target_state.vectors[vector_name] = list(vector)
        for prop in model_info(type(target)).references:
            value = target.__dict__.get(prop.field_name)
            if isinstance(value, list):
                # always a new list: the target must not share one with ``obj``
                _set_field(target, prop.field_name, [self._merge(t, memo) for t in value])
            elif isinstance(value, WeaviateModel):
                _set_field(target, prop.field_name, self._merge(value, memo))
        return target

    def _restore(self, obj: WeaviateModel, field_name: str) -> None:
        """Give ``field_name`` of ``obj`` its value from the last load or flush."""
        prop = model_info(type(obj)).fields[field_name]
        snapshot = state_of(obj).snapshot or {}
        frozen = snapshot.get(field_name, _MISSING)
        if frozen is _MISSING:  # it had no value then (an unloaded required field)
            obj.__dict__.pop(field_name, None)
            obj.__pydantic_fields_set__.discard(field_name)
            return
        if frozen is None:
            _set_field(obj, field_name, None)
            return
        if prop.targets:
            ids = frozen if prop.is_list else (frozen,)
            targets = [self._identity.find(prop.targets, target_id) for target_id in ids]
            if any(t is None for t in targets):
                logger.warning(
                    "rollback cannot restore %s.%s: a referenced object is not in the session",
                    describe(obj),
                    field_name,
                )
                return
            _set_field(obj, field_name, targets if prop.is_list else targets[0])
            return
        if prop.base_type == "object":
            value: Any = prop.decode(frozen)  # the snapshot holds the JSON form
        else:
            value = list(frozen) if prop.is_list else frozen
        obj.__pydantic_validator__.validate_assignment(obj, field_name, value)


def _as(model: type[M], obj: WeaviateModel) -> M:
    """``obj``, typed as ``model`` (the identity map stores plain WeaviateModels)."""
    assert isinstance(obj, model)
    return obj


def _level(level: Optional[str]) -> Optional[ConsistencyLevel]:
    return None if level is None else ConsistencyLevel(level)


def _set_field(obj: WeaviateModel, name: str, value: Any) -> None:
    """Set a field without validation (the value is already a valid field value)."""
    obj.__dict__[name] = value
    obj.__pydantic_fields_set__.add(name)


def _targets(obj: WeaviateModel, prop: PropertyInfo) -> list[WeaviateModel]:
    """The objects ``obj``'s reference field holds (as loaded: no type checks)."""
    value = obj.__dict__.get(prop.field_name)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _point_at(obj: WeaviateModel, canonical: dict[int, WeaviateModel]) -> None:
    """Replace targets in ``obj``'s reference fields by their canonical instances."""
    for prop in model_info(type(obj)).references:
        value = obj.__dict__.get(prop.field_name)
        if value is None:
            continue
        if isinstance(value, list):
            if any(id(t) in canonical and canonical[id(t)] is not t for t in value):
                obj.__dict__[prop.field_name] = [canonical.get(id(t), t) for t in value]
        else:
            obj.__dict__[prop.field_name] = canonical.get(id(value), value)


def _refresh(present: WeaviateModel, fresh: WeaviateModel, *, everything: bool) -> bool:
    """Copy onto ``present`` the fields ``fresh`` loaded: those ``present`` had not loaded
    (and not changed), or, with ``everything``, all of them. True if any was copied."""
    fields = model_info(type(present)).fields
    present_state, fresh_state = state_of(present), state_of(fresh)
    fresh_loaded = set(fields) if fresh_state.loaded_fields is None else fresh_state.loaded_fields
    if everything:
        names = set(fresh_loaded)
    else:
        if present_state.loaded_fields is None:
            return False
        names = set(fresh_loaded) - present_state.loaded_fields - changed_fields(present)
    names &= fresh.__dict__.keys()
    if not names:
        return False
    snapshot = dict(present_state.snapshot or {})
    fresh_snapshot = fresh_state.snapshot or {}
    for name in names:
        _set_field(present, name, fresh.__dict__[name])
        snapshot[name] = fresh_snapshot.get(name, fields[name].freeze(fresh.__dict__[name]))
    if present_state.loaded_fields is not None:
        loaded = present_state.loaded_fields | names
        present_state.loaded_fields = None if loaded >= fields.keys() else frozenset(loaded)
    present_state.snapshot = snapshot
    if fresh_state.vector is not None and (everything or present_state.vector is None):
        present_state.vector = fresh_state.vector
    for name, vector in fresh_state.vectors.items():
        if everything or name not in present_state.vectors:
            present_state.vectors[name] = vector
    return True

"""``Session``: the unit-of-work facade that users add, change, delete and commit objects through.

A Session tracks model instances in three states (SQLAlchemy's vocabulary):

- *new* (pending): added, never written; ``commit`` inserts it;
- *persistent*: loaded from, or written to, the server; ``commit`` sends what
  changed since, and nothing else (:mod:`wvorm.orm._state` has the rules);
- *deleted*: marked with :meth:`Session.delete`; ``commit`` deletes it.

Every tracked object sits in the session's identity map (:mod:`wvorm.orm._identity`):
one ``(model, uuid)`` is one Python object per session, and an object belongs to one
session at a time. A flush computes a plan from state (:mod:`wvorm.orm._unitofwork`),
runs it (:mod:`wvorm.orm._persistence`) and then applies the outcome here, in
:meth:`Session._apply`. The query layer hands every object it loads through
:meth:`Session._adopt`.

Insert versus upsert: :meth:`Session.add` of a new object *inserts*; a uuid that
already exists on the server is refused (checked in bulk before the insert). The
explicit upsert is :meth:`Session.merge`, which loads the stored object and changes
only what the given object set.

Weaviate has no transactions. A flush writes for good, so :meth:`Session.rollback`
can only undo what was not flushed yet. ``commit`` is ``flush``; both names exist for
SQLAlchemy habits.

A Session is not thread-safe: use one per thread (its flush uses worker threads
of its own).
"""

from __future__ import annotations

import copy
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union
from uuid import UUID

from wvorm.batch import Batch
from wvorm.data.references import parse_beacon
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import CommitError, NoResultError, SessionError, UsageError
from wvorm.orm._embedding import embed_for_flush
from wvorm.orm._gc import gc_paused
from wvorm.orm._identity import IdentityKey, IdentityMap, conflict, identity_key
from wvorm.orm._mapping import collection_name, model_info
from wvorm.orm._models import WeaviateModel, from_properties, referenced_objects, stub
from wvorm.orm._persistence import FlushResult, ProgressCallback, WriteOptions, run_plan
from wvorm.orm._schema import ensure_writable
from wvorm.orm._state import (
    changed_fields,
    claim,
    describe,
    is_dirty,
    mark_clean,
    mark_deleted,
    mark_loaded,
    mark_stub,
    merge_values,
    refresh_from,
    release,
    reload,
    restore,
    state_of,
    take_vectors,
    vector_changes,
)
from wvorm.orm._unitofwork import FlushPlan, check_ids, plan_flush

if TYPE_CHECKING:
    from wvorm.client import Client
    from wvorm.orm._query import Query
    from wvorm.orm._types import PropertyInfo

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
                raise UsageError(f"Session({name}=...) takes an int >= 1, got {value!r}")
        if tenant is not None and (not isinstance(tenant, str) or not tenant):
            raise UsageError(f"Session(tenant=...) takes a tenant name (a str), got {tenant!r}")
        level: Optional[str] = None
        if consistency_level is not None:
            try:
                level = ConsistencyLevel(consistency_level).value
            except ValueError:
                raise UsageError(
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
        does not track yet is added too (new ones inserted, loaded ones attached;
        an object that a flush deleted is not re-created by cascade). Adding an
        object marked for deletion cancels the deletion; adding an object that was
        deleted creates it again. Raises SessionError when another Python object
        with the same class and uuid is in the session (use :meth:`merge`) or the
        object belongs to another session.
        """
        self.add_all((obj,))

    def add_all(self, objects: Iterable[WeaviateModel]) -> None:
        """:meth:`add` every object of ``objects``."""
        roots = list(objects)
        for obj in roots:
            if not isinstance(obj, WeaviateModel):
                raise UsageError(
                    f"Session.add takes WeaviateModel instances, got {type(obj).__name__}"
                )
        for obj in roots:
            key = identity_key(obj)
            if self._deleted.get(key) is obj:
                del self._deleted[key]
            state = state_of(obj)
            if state.deleted:
                state.deleted = False  # explicitly added again: create it anew
        self._track(roots)

    def delete(self, obj: WeaviateModel) -> None:
        """Mark ``obj`` for deletion by the next commit.

        A new object that was never written is simply dropped from the session; one
        whose insert was cut off (it may be stored) is deleted on the server. A loaded
        object from elsewhere is attached first. References that other objects hold to
        it are not touched (Weaviate skips dangling references).
        """
        if not isinstance(obj, WeaviateModel):
            raise UsageError(f"Session.delete takes a WeaviateModel instance, got {obj!r}")
        key = identity_key(obj)
        present = self._identity.get(key)
        state = state_of(obj)
        if present is None:
            if not (state.is_persistent or state.unconfirmed):
                raise SessionError(
                    f"cannot delete {describe(obj)}: it was never saved. Only objects loaded "
                    "from, or written to, the server can be deleted."
                )
            self._hold(obj, key)
        elif present is not obj:
            raise SessionError(
                f"cannot delete {describe(obj)}: the session holds another Python object "
                "with this uuid; delete that one (session.get(...))"
            )
        if self._new.pop(key, None) is not None and not state.unconfirmed:
            self._forget(key)  # never written: nothing to delete on the server
            return
        self._deleted[key] = obj  # (an object already gone is no failure)

    def expunge(self, obj: WeaviateModel) -> None:
        """Stop tracking ``obj``: its pending insert, changes or deletion are forgotten."""
        key = identity_key(obj)
        if self._identity.get(key) is not obj:
            raise SessionError(f"{describe(obj)} is not in this session")
        self._forget(key)

    def expunge_all(self) -> None:
        """Stop tracking every object (what was not flushed is forgotten)."""
        for obj in self._identity:
            release(obj, self)
        self._identity.clear()
        self._new.clear()
        self._deleted.clear()

    # -- reading ------------------------------------------------------------------------

    def get(self, model: type[M], uuid: Union[UUID, str]) -> Optional[M]:
        """The ``model`` object with ``uuid``, or None when it does not exist.

        The identity map answers first (a new, unflushed object is found too; one
        marked for deletion is not); a held object that has fields it did not load
        (a reference stub, a partial load) gets them from the server, its own values
        kept. Otherwise the object is read from the server over REST (in the
        session's tenant) with every property, its vector(s) and its references:
        referenced objects the session holds are those instances, others are stubs
        (only their id is loaded; ``get`` them, ``.include`` them in a query, or
        :meth:`refresh` them to load them).
        """
        object_id = _uuid(uuid, "Session.get")
        key: IdentityKey = (model, object_id)
        present = self._identity.get(key)
        if present is not None:
            if key in self._deleted:
                return None
            self._load_unloaded(present)
            return _as(model, present)
        obj = self._read(model, object_id)
        if obj is not None:
            self._hold(obj, key)
        return obj

    def _load_unloaded(self, present: WeaviateModel) -> None:
        """Give a held persistent object the fields it did not load (a reference stub,
        a partial load) from the server, keeping its own values."""
        if state_of(present).is_persistent and not _fully_loaded(present):
            fresh = self._read(type(present), present.id)
            if fresh is not None:
                refresh_from(present, fresh, overwrite=False)

    def refresh(self, obj: WeaviateModel) -> None:
        """Overwrite ``obj`` with what the server holds now: every property, reference
        and vector, loaded afresh (another writer's changes become visible; local
        changes not flushed are lost). Raises NoResultError, and stops tracking the
        object, when it no longer exists."""
        key = identity_key(obj)
        if self._identity.get(key) is not obj:
            raise SessionError(f"cannot refresh {describe(obj)}: it is not in this session")
        if not state_of(obj).is_persistent:
            raise SessionError(f"cannot refresh {describe(obj)}: it was never saved")
        fresh = self._read(type(obj), obj.id)
        if fresh is None:
            self._forget(key)
            raise NoResultError(
                f"{describe(obj)} no longer exists on the server; it left the session"
            )
        reload(obj, fresh)  # (a pending deletion stays pending)

    def query(self, model: type[M]) -> Query[M]:
        """A query of ``model`` bound to this session: the session's client, tenant and
        consistency level, and every object it loads joins the identity map (an object
        the session already holds comes back as that same Python object)."""
        return model.query.using(self._client).session(self)

    def merge(self, obj: M) -> M:
        """The session's instance of ``obj``, updated with ``obj``'s loaded field values:
        the explicit upsert.

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
            raise UsageError(f"Session.merge takes a WeaviateModel instance, got {obj!r}")
        return _as(type(obj), self._merge(obj, {}))

    # -- writing ------------------------------------------------------------------------

    def flush(self, *, progress: Optional[ProgressCallback] = None) -> None:
        """Write every pending change to the server (see the module docs for the order).

        Raises :class:`~wvorm.errors.CommitError` listing every item the server
        rejected; the rest is written, and the rejected items stay pending. Model
        classes are checked against the live schema first (once per class per
        client): a missing or different class raises SchemaMismatchError and
        nothing is written. Programming errors (a reference field holding the wrong
        type, an id changed after ``add``) raise before anything is written.
        ``progress`` is called with a :class:`~wvorm.orm.CommitProgress` as the
        commit goes.
        """
        with gc_paused(promote=True):  # (a plan and its records hold no reference cycles)
            new, dirty, deleted = self._pending()
        # The embedding functions (models, maybe) run with the collector on.
        refusals = embed_for_flush(new, dirty)
        with gc_paused(promote=True):
            plan = plan_flush(new, dirty, deleted, refusals)
        if plan.is_empty:
            return
        touched = [i.obj for i in plan.inserts] + [p.obj for p in plan.patches]
        touched += [c.source for c in plan.reference_calls + plan.reference_adds]
        touched += [d.obj for d in plan.deletes]
        ensure_writable(self._client, {type(o) for o in touched})
        options = WriteOptions(self.tenant, self.consistency_level, self.num_workers, progress)
        result = run_plan(plan, self._client, self._batch_engine(), options)
        with gc_paused(promote=True):
            self._apply(plan, result)
        if result.failures:
            raise CommitError(result.failures)

    def commit(self, *, progress: Optional[ProgressCallback] = None) -> None:
        """The same as :meth:`flush`: Weaviate has no transactions to commit."""
        self.flush(progress=progress)

    def rollback(self) -> None:
        """Undo what was not flushed.

        New objects leave the session, deletions are cancelled, and every persistent
        object gets back the field values and vectors it had after its last load or
        flush (fields assigned without being loaded become unloaded again). Objects
        already flushed stay written (Weaviate has no transactions), and so may new
        objects whose insert was cut off (a warning names them).
        """
        self._warn_unconfirmed("rollback")
        for key in list(self._new):
            self._forget(key)
        self._deleted.clear()
        for obj in self._identity:
            restore(obj, self._target)

    def close(self) -> None:
        """Forget every object and stop the session's batch threads.

        Unflushed inserts and deletions are discarded (a warning says how many), as
        are unflushed changes to loaded objects. The session can be used again.
        """
        self._warn_unconfirmed("close")
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
        """Persistent objects with changes (fields, references or vectors) the next
        commit writes."""
        return [
            obj
            for key, obj in self._identity.items()
            if key not in self._new and key not in self._deleted and is_dirty(obj)
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

    def _adopt(self, obj: M, *, populate_existing: bool = False) -> Optional[M]:
        """The session's instance for ``obj``, an object just loaded from the server, or
        None when the session has it marked for deletion (a query in a session never
        returns such an object).

        An unknown ``(model, uuid)`` is registered as persistent, and returned. When
        the session already holds that object, its instance is returned and keeps its
        values, like SQLAlchemy: only fields it had not loaded (and not assigned) are
        filled in from ``obj``. With ``populate_existing=True`` every field ``obj``
        loaded overwrites the held one (local changes to those fields are lost).
        Reference targets were adopted before ``obj`` (the loader works inside out).
        """
        key = identity_key(obj)
        if key in self._deleted:
            return None
        present = self._identity.get(key)
        if present is obj:
            return obj
        if present is None:
            self._hold(obj, key)
        # Its references point at the session's instances (the loader adopted them
        # already; objects built another way are adopted here).
        for prop in model_info(type(obj)).references:
            value = obj.__dict__.get(prop.field_name)
            if isinstance(value, list):
                adopted = [self._adopt(t, populate_existing=populate_existing) for t in value]
                obj.__dict__[prop.field_name] = [t for t in adopted if t is not None]
            elif isinstance(value, WeaviateModel):
                obj.__dict__[prop.field_name] = self._adopt(
                    value, populate_existing=populate_existing
                )
        if present is None:
            return obj
        if key not in self._new:
            refresh_from(present, obj, overwrite=populate_existing)
        return _as(type(obj), present)

    # -- internals ------------------------------------------------------------------------

    def _pending(
        self,
    ) -> tuple[list[WeaviateModel], list[tuple[WeaviateModel, set[str]]], list[WeaviateModel]]:
        """Cascade to newly reachable objects, then what the flush must write: the new
        objects, the dirty ones with their changed fields, and the deleted ones."""
        identity = self._identity.items()
        check_ids(identity)
        new, deleted = self._new, self._deleted
        dirty: dict[IdentityKey, tuple[WeaviateModel, set[str]]] = {}
        roots = [obj for obj in new.values() if model_info(type(obj)).references]
        for key, obj in identity:
            if key in new or key in deleted:
                continue
            info = model_info(type(obj))
            changed = changed_fields(obj, info)
            vector, named = vector_changes(obj)
            if changed or vector is not None or named:
                dirty[key] = (obj, changed)
                if any(p.field_name in changed for p in info.references):
                    roots.append(obj)
        # Objects newly referenced since add(): new ones are inserted, loaded ones
        # (attached from elsewhere) may carry changes of their own.
        for obj in self._track(roots):
            key = identity_key(obj)
            if key not in new and is_dirty(obj):
                dirty[key] = (obj, changed_fields(obj))
        return list(new.values()), list(dirty.values()), list(deleted.values())

    def _apply(self, plan: FlushPlan, result: FlushResult) -> None:
        """Record what the server now holds; keep what failed pending."""
        failed, stored_anyway = result.failed, result.stored_anyway
        for insert in plan.inserts:
            obj = insert.obj
            key = identity_key(obj)
            if key in stored_anyway:
                # On the server, but with what exactly is unknown: persistent with nothing
                # loaded, so the next commit writes every value it holds again.
                mark_stub(obj)
                self._new.pop(key, None)
            elif key not in failed:
                mark_clean(obj, vector_sent=result.vectors_sent.get(key))
                self._new.pop(key, None)
                self._unrecord_references(obj, {}, result)
            elif key in result.unconfirmed:
                state_of(obj).unconfirmed = True  # (the next commit checks what is stored)
        for obj in plan.updated:
            if identity_key(obj) not in failed:
                before = dict(state_of(obj).snapshot or {})
                mark_clean(obj)
                self._unrecord_references(obj, before, result)
        for delete in plan.deletes:
            key = identity_key(delete.obj)
            if key not in failed:
                self._forget(key)
                mark_deleted(delete.obj)

    def _unrecord_references(
        self, obj: WeaviateModel, before: Mapping[str, Any], result: FlushResult
    ) -> None:
        """Take the reference writes that failed back out of ``obj``'s fresh snapshot, so
        the next flush sees them as changes again. A field with a write of unknown
        outcome becomes unloaded: the next flush replaces it whole (idempotent), since
        adding a beacon again could duplicate it."""
        if not result.reference_failures:
            return
        key = identity_key(obj)
        state = state_of(obj)
        for prop in model_info(type(obj)).references:
            failures = result.reference_failures.get((key, prop.field_name))
            if not failures:
                continue
            snapshot = dict(state.snapshot or {})
            name = prop.field_name
            if (key, name) in result.unknown_references:
                snapshot.pop(name, None)
                state.snapshot = snapshot
                continue
            if not prop.is_list or any(c.action == "replace" for c in failures):
                # whatever the server held before still stands (unknown if not loaded)
                if name in before:
                    snapshot[name] = before[name]
                else:
                    snapshot.pop(name, None)
                state.snapshot = snapshot
                continue
            snapshot[name] = _held_after(snapshot.get(name) or (), before.get(name) or (), failures)
            state.snapshot = snapshot

    def _warn_unconfirmed(self, action: str) -> None:
        """Warn that ``action`` drops new objects the server may hold all the same."""
        unconfirmed = [obj for obj in self._new.values() if state_of(obj).unconfirmed]
        if unconfirmed:
            logger.warning(
                "Session.%s() drops %d new object(s) whose insert was cut off, so the server "
                "may hold them all the same (the first: %s); commit again to finish the "
                "insert, or session.delete() them and commit",
                action,
                len(unconfirmed),
                describe(unconfirmed[0]),
            )

    def _batch_engine(self) -> Batch:
        """The session's own batch engine: its settings and failure records stay apart
        from ``client.batch``, which the caller may be using at the same time."""
        if self._batch is None:
            # (with the client's gRPC channel: objects then go over gRPC, as client.batch)
            self._batch = Batch(self._client.connection, self._client._grpc_channel)
            self._batch.configure(
                batch_size=self.batch_size,
                num_workers=self.num_workers,
                consistency_level=self.consistency_level,
                callback=None,  # failures are read from failed_objects / failed_references
            )
        return self._batch

    def _hold(self, obj: WeaviateModel, key: Optional[IdentityKey] = None) -> IdentityKey:
        """Put ``obj`` in the identity map and claim it for this session."""
        claim(obj, self)
        return self._identity.add(obj, key)

    def _track(self, roots: list[WeaviateModel]) -> list[WeaviateModel]:
        """Track ``roots`` and every untracked object reachable from them; return the
        objects that were not tracked before.

        The references of each root and of each newly tracked object are followed;
        an object tracked earlier is not entered again (its own references were
        followed then, and a flush follows them again from every new or changed
        object), so adding one object costs what is new, not the whole graph. An
        object that a flush deleted is not tracked through a reference: it is not
        re-created by cascade (the plan refuses a new beacon to it).
        """
        identity = self._identity
        root_ids = {id(obj) for obj in roots}
        seen: set[int] = set()
        found: dict[IdentityKey, WeaviateModel] = {}  # not tracked yet, in discovery order
        stack = list(reversed(roots))
        # First walk and check everything, then change the session: a refused add
        # leaves the session as it was.
        while stack:
            obj = stack.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            key = (type(obj), obj.id)
            present = identity.get(key) or found.get(key)
            state = state_of(obj)
            if present is None:
                if state.deleted and id(obj) not in root_ids:
                    continue
                owner = state.owner
                if owner is not None and owner is not self:
                    claim(obj, self)  # raises, naming the other session
                found[key] = obj
            elif present is not obj:
                raise conflict(obj)  # another object holds this uuid (or comes with it)
            elif id(obj) not in root_ids:
                continue
            for prop in model_info(type(obj)).references:
                if prop.field_name in obj.__dict__:
                    stack.extend(referenced_objects(obj, prop.field_name))
        for key, obj in found.items():
            self._hold(obj, key)
            if not state_of(obj).is_persistent:
                self._new[key] = obj
        return list(found.values())

    def _forget(self, key: IdentityKey) -> None:
        obj = self._identity.get(key)
        if obj is not None:
            release(obj, self)
        self._identity.remove(key)
        self._new.pop(key, None)
        self._deleted.pop(key, None)

    def _target(self, model: type, object_id: UUID) -> WeaviateModel:
        """The session's instance of a referenced object, or a new stub of it, held."""
        key = (model, object_id)
        found = self._identity.get(key)
        if found is None:
            found = stub(model, object_id)
            self._hold(found, key)
        return found

    def _read(self, model: type[M], object_id: UUID) -> Optional[M]:
        """``model`` ``object_id`` read over REST: properties, vectors, references."""
        data = self._client.data_object.get_by_id(
            object_id,
            with_vector=True,
            class_name=collection_name(model),
            consistency_level=_level(self.consistency_level),
            tenant=self.tenant,
        )
        if data is None:
            return None
        properties = data.get("properties") or {}
        obj = from_properties(model, properties, uuid=object_id)
        info = model_info(model)
        for prop in info.references:
            targets = [self._beacon_target(prop, b) for b in properties.get(prop.name) or ()]
            found = [t for t in targets if t is not None]
            obj.__dict__[prop.field_name] = found if prop.is_list else (found[0] if found else None)
            obj.__pydantic_fields_set__.add(prop.field_name)
        state = state_of(obj)
        # REST returns every vector the object has: a declared one it lacks is absent
        asked = [v.vector_name for v in info.vector_fields.values()]
        take_vectors(state, data.get("vector"), data.get("vectors"), asked)
        mark_loaded(obj, nulls=state.nulls, info=info)
        return obj

    def _beacon_target(self, prop: PropertyInfo, beacon: Any) -> Optional[WeaviateModel]:
        """The instance a REST beacon (``weaviate://localhost/Class/uuid``) points to."""
        class_name, uuid_text = parse_beacon(beacon)
        try:
            object_id = UUID(uuid_text)
        except ValueError:
            return None
        for target in prop.targets:
            if class_name is None or collection_name(target) == class_name:
                return self._target(target, object_id)
        raise SessionError(
            f"{prop.field_name} holds a reference to a {class_name} object, a class the "
            "model does not declare; add the class to the field's type"
        )

    def _merge(
        self, obj: WeaviateModel, memo: dict[IdentityKey, WeaviateModel], *, root: bool = True
    ) -> WeaviateModel:
        # ``memo`` is keyed by identity, so that when the merged graph holds two Python
        # objects for one uuid, the first one reached (the root first) is the one merged.
        key = identity_key(obj)
        done = memo.get(key)
        if done is not None:
            return done
        source_state = state_of(obj)
        if not root and source_state.deleted:
            return obj  # reached through a reference: a deleted object is not re-created
        transient = not source_state.is_persistent
        target = self._identity.get(key)
        if target is None and transient:
            target = self.get(type(obj), obj.id)  # it may exist on the server already
        elif target is not None and transient:
            # A stub (or partial load) learns the server's values first: otherwise every
            # value merged into it would count as changed, and be written again.
            self._load_unloaded(target)
        copied = target is None
        if target is None:
            target = copy.copy(obj)  # a shallow copy with its own ObjectState
            memo[key] = target
            self._hold(target)
            if not state_of(target).is_persistent:
                self._new[key] = target
        else:
            memo[key] = target
            if root:  # merging it explicitly cancels its deletion; reaching it does not
                self._deleted.pop(key, None)
        if target is not obj:
            merge_values(target, obj, explicit_only=transient and not copied)
        for prop in model_info(type(target)).references:
            value = target.__dict__.get(prop.field_name)
            if isinstance(value, list):
                # always a new list: the target must not share one with ``obj``
                target.__dict__[prop.field_name] = [self._merge(t, memo, root=False) for t in value]
            elif isinstance(value, WeaviateModel):
                target.__dict__[prop.field_name] = self._merge(value, memo, root=False)
        return target


def _held_after(
    current: Iterable[Any], before: Iterable[Any], failures: Iterable[Any]
) -> tuple[Any, ...]:
    """The beacons a list field holds on the server after some of its writes failed:
    ``current`` (what a clean flush would give) minus failed adds, plus failed removes."""
    held = Counter(current)
    had = Counter(before)
    for change in failures:
        key = change.targets[0]
        key = (type(key), key.id) if isinstance(key, WeaviateModel) else key
        if change.action == "add":
            held[key] -= 1
        elif change.action == "remove":
            held[key] = had[key]
    order: list[Any] = []
    for key in current:
        if held[key] > 0:
            held[key] -= 1
            order.append(key)
    for key, count in held.items():  # beacons the server still holds beyond those
        order.extend([key] * max(count, 0))
    return tuple(order)


def _fully_loaded(obj: WeaviateModel) -> bool:
    return model_info(type(obj)).fields.keys() <= obj.__dict__.keys()


def _as(model: type[M], obj: WeaviateModel) -> M:
    """``obj``, typed as ``model`` (the identity map stores plain WeaviateModels)."""
    assert isinstance(obj, model)
    return obj


def _level(level: Optional[str]) -> Optional[ConsistencyLevel]:
    return None if level is None else ConsistencyLevel(level)


def _uuid(value: Union[UUID, str], where: str) -> UUID:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        raise UsageError(f"{where}: {value!r} is not a uuid") from None

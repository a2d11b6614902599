"""The unit of work: orders and performs one ``Session.flush()``.

Only :meth:`wvorm.orm.session.Session.flush` calls it. It reads the session's
pending state and writes it through the client layer, in this order:

1. **new objects**, through the session's batch engine: each serialised once
   (``to_properties``), with its vector, tenant and consistency level;
2. **changed properties** of persistent objects: one PATCH per object carrying
   only the changed properties (a PATCH merges, so properties that were not
   loaded or not changed keep their server values);
3. **reference changes**, only between objects that exist on the server: a changed
   single reference is replaced (PUT), beacons removed from a list are deleted,
   then new beacons are added through the batch (one per beacon, naming the
   target class, so multi-target references work);
4. **deletions**, through batch deletes by id.

Then it records what the server holds (``mark_clean``) and raises
:class:`~wvorm.errors.CommitError` listing every rejected item. A failed item
stays pending: a rejected new object stays new, a persistent object whose PATCH
failed stays dirty, and a beacon that was not written is left out of its
object's snapshot, so the next flush writes it again. A reference whose source
or target object was rejected is held back with it, never sent into the void.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, Union
from uuid import UUID

from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import BatchError, CommitError, WvormError
from wvorm.orm.identity import IdentityKey, describe, identity_key
from wvorm.orm.models import (
    WeaviateModel,
    changed_fields,
    collection_name,
    mark_clean,
    model_info,
    referenced_objects,
    state_of,
    to_properties,
)

if TYPE_CHECKING:
    from wvorm.orm.session import Session
    from wvorm.orm.types import PropertyInfo

logger = logging.getLogger("wvorm.orm.unitofwork")

DELETE_CHUNK = 1000  # ids per batch delete; the server matches at most 10,000 by default

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class ReferenceChange:
    """One reference write: ``source.field_name`` gains (``add``), loses (``remove``)
    or is set to (``replace``) ``target``.

    ``target`` is the referenced object (a uuid when only that is known, None for a
    single reference being cleared). CommitError lists these for failed references.
    """

    source: WeaviateModel
    field_name: str
    action: str
    target: Union[WeaviateModel, UUID, None]

    def __repr__(self) -> str:
        sign = {"add": "+=", "remove": "-=", "replace": "="}[self.action]
        if isinstance(self.target, WeaviateModel):
            target = describe(self.target)
        else:
            target = str(self.target)
        return f"<reference {describe(self.source)}.{self.field_name} {sign} {target}>"


class UnitOfWork:
    """One flush of one session (see the module docs)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._client = session._client
        self._tenant = session.tenant
        level = session.consistency_level
        self._level = None if level is None else ConsistencyLevel(level)
        self._failures: list[tuple[Any, str]] = []
        self._failed: set[IdentityKey] = set()  # objects whose own write failed
        self._unwritten: set[IdentityKey] = set()  # new objects that are not on the server
        self._ref_failures: dict[tuple[IdentityKey, str], list[ReferenceChange]] = {}

    # -- the flush ------------------------------------------------------------------------

    def flush(self) -> None:
        session = self._session
        for pending in (session._new, session._deleted):
            for key, obj in pending.items():
                _check_key(obj, key)
        dirty = self._dirty_objects()
        new = list(session._new.values())
        self._insert(new)
        self._update(dirty)
        self._write_references(new, dirty)
        self._delete(list(session._deleted.values()))
        self._record(new, dirty)
        if self._failures:
            raise CommitError(self._failures)

    def _dirty_objects(self) -> dict[IdentityKey, tuple[WeaviateModel, set[str]]]:
        """Persistent objects with changes, after cascading to what they (and the new
        objects) now reference."""
        session = self._session
        new, deleted = session._new, session._deleted
        dirty: dict[IdentityKey, tuple[WeaviateModel, set[str]]] = {}
        for key, obj in session._identity.items():
            if key in new or key in deleted:
                continue
            _check_key(obj, key)
            changed = changed_fields(obj)
            if changed:
                dirty[key] = (obj, changed)
        # Only objects with references can lead to objects the session has not seen.
        roots = [obj for obj in new.values() if model_info(type(obj)).references]
        for obj, changed in dirty.values():
            info = model_info(type(obj))
            if any(p.field_name in changed for p in info.references):
                roots.append(obj)
        # Objects newly referenced since add(): new ones are inserted, loaded ones
        # (attached from elsewhere) may carry changes of their own.
        for obj in session._track(roots):
            key = identity_key(obj)
            if key not in new:
                changed = changed_fields(obj)
                if changed:
                    dirty[key] = (obj, changed)
        return dirty

    # -- 1. new objects -----------------------------------------------------------------

    def _insert(self, objects: list[WeaviateModel]) -> None:
        if not objects:
            return
        batch = self._session._batch_engine()
        tenant = self._tenant
        names: dict[type, str] = {}
        unsent: Sequence[WeaviateModel] = ()
        stopped: Optional[BaseException] = None
        batch.empty_objects()  # what an interrupted flush may have left behind
        try:
            with batch:  # clears failed_*; on exit flushes and stops the batch threads
                for index, obj in enumerate(objects):
                    model = type(obj)
                    name = names.get(model)
                    if name is None:
                        name = names[model] = collection_name(model)
                    state = state_of(obj)
                    try:
                        properties = to_properties(obj)
                        if state.vectors:
                            self._create(obj, name, properties)
                        else:
                            batch.add_data_object(properties, name, obj.id, state.vector, tenant)
                    except (TypeError, ValueError) as exc:  # a value no server would take
                        self._fail(obj, str(exc))
                    except BatchError as exc:
                        # An earlier request failed after its retries (the server is
                        # down or refuses): stop instead of queueing everything behind it.
                        stopped, unsent = exc, objects[index:]
                        break
        except BatchError as exc:  # raised again by the final flush
            stopped = stopped or exc
        for obj in unsent:
            self._fail(obj, f"not sent, because an earlier batch request failed: {stopped}")
        failed = batch.failed_objects
        if failed:
            sent = {(names[type(o)], str(o.id)): o for o in objects if type(o) in names}
            for record in failed:
                rejected = sent.get((record.class_name, record.uuid))
                if rejected is not None:
                    self._fail(rejected, record.message)
        if self._failed:
            self._unwritten = {k for k in map(identity_key, objects) if k in self._failed}

    def _create(self, obj: WeaviateModel, name: str, properties: dict[str, Any]) -> None:
        """One object with named vectors, which the batch engine cannot send (yet)."""
        state = state_of(obj)
        vectors: dict[str, Any] = dict(state.vectors)
        try:
            self._client.data_object.create(
                properties, name, obj.id, vectors, self._level, self._tenant
            )
        except WvormError as exc:
            self._fail(obj, str(exc))

    # -- 2. changed properties ------------------------------------------------------------

    def _update(self, dirty: dict[IdentityKey, tuple[WeaviateModel, set[str]]]) -> None:
        patches: list[tuple[WeaviateModel, dict[str, Any]]] = []
        for obj, changed in dirty.values():
            try:
                # keep_none: a property set to None is cleared on the server
                properties = to_properties(obj, changed, keep_none=True)
            except (TypeError, ValueError) as exc:
                self._fail(obj, str(exc))
                continue
            if properties:
                patches.append((obj, properties))

        def patch(job: tuple[WeaviateModel, dict[str, Any]]) -> None:
            obj, properties = job
            self._client.data_object.update(
                properties,
                collection_name(type(obj)),
                obj.id,
                consistency_level=self._level,
                tenant=self._tenant,
            )

        for (obj, _), error in self._run(patch, patches, lambda job: id(job[0])):
            self._fail(obj, error)

    # -- 3. references ------------------------------------------------------------------

    def _write_references(
        self,
        new: list[WeaviateModel],
        dirty: dict[IdentityKey, tuple[WeaviateModel, set[str]]],
    ) -> None:
        adds: list[ReferenceChange] = []
        calls: list[ReferenceChange] = []  # removals and replacements, one request each
        readds: dict[tuple[int, str, UUID], list[ReferenceChange]] = {}
        for obj in new:
            if self._failed and identity_key(obj) in self._failed:
                continue  # its references wait with it
            for prop in model_info(type(obj)).references:
                for target in referenced_objects(obj, prop.field_name):
                    adds.append(ReferenceChange(obj, prop.field_name, "add", target))
        for key, (obj, changed) in dirty.items():
            if key in self._failed:
                continue  # its reference changes wait with its property changes
            before = state_of(obj).snapshot or {}
            for prop in model_info(type(obj)).references:
                if prop.field_name in changed:
                    self._plan_field(obj, prop, before, adds, calls, readds)

        sendable = [c for c in calls if self._sendable(c)]
        for change, error in self._run(self._call, sendable, lambda c: id(c.source)):
            self._ref_fail(change, error)
            if change.action == "remove":
                # The server still holds every copy of that beacon: add none back.
                assert isinstance(change.target, (WeaviateModel, UUID))
                target_id = _id_of(change.target)
                for readd in readds.get((id(change.source), change.field_name, target_id), ()):
                    adds.remove(readd)
        self._add_references([a for a in adds if self._sendable(a)])

    def _plan_field(
        self,
        obj: WeaviateModel,
        prop: PropertyInfo,
        before: Mapping[str, Any],
        adds: list[ReferenceChange],
        calls: list[ReferenceChange],
        readds: dict[tuple[int, str, UUID], list[ReferenceChange]],
    ) -> None:
        """The writes that turn the server's beacons of one changed field into the current ones.

        A single reference is replaced as a whole: assigning it means "this one".
        For a list, the beacons are compared as multisets with the snapshot (what the
        server held for the part that was loaded; nothing for an unloaded field, so
        its unloaded beacons are never removed). Deleting a beacon removes every
        copy of it, so copies that should stay are added back afterwards.
        """
        name = prop.field_name
        targets = referenced_objects(obj, name)
        if not prop.is_list:
            calls.append(ReferenceChange(obj, name, "replace", targets[0] if targets else None))
            return
        had = Counter(before.get(name) or ())
        has = Counter(t.id for t in targets)
        removed = {i for i, n in had.items() if has[i] < n}
        for target_id in removed:
            held = self._session._identity.find(prop.targets, target_id)
            calls.append(ReferenceChange(obj, name, "remove", target_id if held is None else held))
        wanted = {i: (n if i in removed else n - had[i]) for i, n in has.items()}
        for target in targets:
            if wanted[target.id] > 0:
                wanted[target.id] -= 1
                change = ReferenceChange(obj, name, "add", target)
                adds.append(change)
                if target.id in removed:
                    readds.setdefault((id(obj), name, target.id), []).append(change)

    def _sendable(self, change: ReferenceChange) -> bool:
        """False (and held back as a failure) for a beacon to a new object that could not
        be inserted: it would point into the void."""
        target = change.target
        if (
            self._unwritten
            and change.action != "remove"
            and isinstance(target, WeaviateModel)
            and identity_key(target) in self._unwritten
        ):
            self._ref_fail(change, f"held back: its target {describe(target)} was not written")
            return False
        return True

    def _call(self, change: ReferenceChange) -> None:
        """One reference removal or replacement through ``client.data_object.reference``."""
        reference = self._client.data_object.reference
        source = change.source
        info = model_info(type(source))
        prop_name = info.fields[change.field_name].name
        target = change.target
        if change.action == "replace":
            assert target is None or isinstance(target, WeaviateModel)
            reference.update(
                source.id,
                prop_name,
                [] if target is None else [target.id],
                from_class_name=info.name,
                to_class_names=None if target is None else [collection_name(type(target))],
                consistency_level=self._level,
                tenant=self._tenant,
            )
        else:
            assert target is not None
            reference.delete(
                source.id,
                prop_name,
                _id_of(target),
                from_class_name=info.name,
                to_class_name=self._class_of(change),
                consistency_level=self._level,
                tenant=self._tenant,
            )

    @staticmethod
    def _class_of(change: ReferenceChange) -> Optional[str]:
        target = change.target
        if isinstance(target, WeaviateModel):
            return collection_name(type(target))
        prop = model_info(type(change.source)).fields[change.field_name]
        names = prop.target_names
        return names[0] if len(names) == 1 else None  # unknown class: a class-less beacon

    def _add_references(self, adds: list[ReferenceChange]) -> None:
        if not adds:
            return
        batch = self._session._batch_engine()
        tenant = self._tenant
        stopped: Optional[BaseException] = None
        unsent: Sequence[ReferenceChange] = ()
        batch.empty_references()  # what an interrupted flush may have left behind
        try:
            with batch:
                for index, change in enumerate(adds):
                    source, target = change.source, change.target
                    assert isinstance(target, WeaviateModel)
                    info = model_info(type(source))
                    try:
                        batch.add_reference(
                            source.id,
                            info.name,
                            info.fields[change.field_name].name,
                            target.id,
                            collection_name(type(target)),
                            tenant,
                        )
                    except BatchError as exc:
                        stopped, unsent = exc, adds[index:]
                        break
        except BatchError as exc:
            stopped = stopped or exc
        for change in unsent:
            self._ref_fail(change, f"not sent, because an earlier batch request failed: {stopped}")
        failed = batch.failed_references
        if failed:
            by_beacon: dict[tuple[str, str, str, str], list[ReferenceChange]] = {}
            for change in adds:
                info = model_info(type(change.source))
                assert isinstance(change.target, WeaviateModel)
                beacon = (
                    info.name,
                    str(change.source.id),
                    info.fields[change.field_name].name,
                    str(change.target.id),
                )
                by_beacon.setdefault(beacon, []).append(change)
            for record in failed:
                matches = by_beacon.get(
                    (
                        record.from_object_class_name,
                        record.from_object_uuid,
                        record.from_property_name,
                        record.to_object_uuid,
                    )
                )
                if matches:
                    self._ref_fail(matches.pop(), record.message)

    # -- 4. deletions ---------------------------------------------------------------------

    def _delete(self, objects: list[WeaviateModel]) -> None:
        by_class: dict[str, list[WeaviateModel]] = {}
        for obj in objects:
            by_class.setdefault(collection_name(type(obj)), []).append(obj)
        if not by_class:
            return
        batch = self._session._batch_engine()
        for name, members in by_class.items():
            for start in range(0, len(members), DELETE_CHUNK):
                chunk = {str(o.id): o for o in members[start : start + DELETE_CHUNK]}
                where = {"path": ["id"], "operator": "ContainsAny", "valueText": list(chunk)}
                try:
                    answer = batch.delete_objects(
                        name, where, output="verbose", tenant=self._tenant
                    )
                except WvormError as exc:
                    for obj in chunk.values():
                        self._fail(obj, str(exc))
                    continue
                # Objects already gone do not match, which is what was wanted.
                for item in (answer.get("results") or {}).get("objects") or ():
                    if item.get("status") == "FAILED" and item.get("id") in chunk:
                        errors = (item.get("errors") or {}).get("error") or []
                        reason = "; ".join(str(e.get("message", e)) for e in errors)
                        self._fail(chunk[item["id"]], reason or "the server could not delete it")

    # -- recording the outcome ------------------------------------------------------------

    def _record(
        self,
        new: list[WeaviateModel],
        dirty: dict[IdentityKey, tuple[WeaviateModel, set[str]]],
    ) -> None:
        """Mark what was written as clean; keep what failed pending (see the module docs)."""
        session, failed, ref_failures = self._session, self._failed, self._ref_failures
        for obj in new:
            if failed and identity_key(obj) in failed:
                continue
            mark_clean(obj)
            if ref_failures:
                self._unrecord_references(obj, {})
        session._new = {key: obj for key, obj in session._new.items() if key in failed}
        for key, (obj, changed) in dirty.items():
            if key in failed:
                continue
            state = state_of(obj)
            before = state.snapshot or {}
            mark_clean(obj)
            if state.loaded_fields is not None:
                # Properties just written whole are known now. References are not:
                # the server may hold beacons that were never loaded.
                written = changed & model_info(type(obj)).property_names
                state.loaded_fields = state.loaded_fields | written
            if ref_failures:
                self._unrecord_references(obj, before)
        for key, obj in list(session._deleted.items()):
            if key not in failed:
                session._forget(key)
                state_of(obj).snapshot = None  # gone: adding it again inserts it anew

    def _unrecord_references(self, obj: WeaviateModel, before: Mapping[str, Any]) -> None:
        key = identity_key(obj)
        for prop in model_info(type(obj)).references:
            failures = self._ref_failures.get((key, prop.field_name))
            if failures:
                _unrecord(obj, prop, failures, before)

    # -- helpers ----------------------------------------------------------------------------

    def _fail(self, obj: WeaviateModel, reason: str) -> None:
        self._failures.append((obj, reason))
        self._failed.add(identity_key(obj))

    def _ref_fail(self, change: ReferenceChange, reason: str) -> None:
        self._failures.append((change, reason))
        key = (identity_key(change.source), change.field_name)
        self._ref_failures.setdefault(key, []).append(change)

    def _run(
        self, action: Callable[[T], None], jobs: Sequence[T], same_object: Callable[[T], Any]
    ) -> list[tuple[T, str]]:
        """Run ``action`` on every job; return the jobs that failed, with why.

        Jobs for different objects run ``num_workers`` at a time; jobs for one object
        (``same_object`` gives the same value) run one after another, in order,
        because the server changes an object's references by reading and rewriting
        the whole object, so two concurrent changes could undo each other. Only
        errors about a request (wvorm errors, bad values) are failures; anything else
        is a bug and propagates.
        """
        groups: dict[Any, list[T]] = {}
        for job in jobs:
            groups.setdefault(same_object(job), []).append(job)

        def run_group(group: list[T]) -> list[tuple[T, str]]:
            failures = []
            for job in group:
                try:
                    action(job)
                except (WvormError, TypeError, ValueError) as exc:
                    failures.append((job, str(exc)))
            return failures

        workers = self._session.num_workers
        if workers > 1 and len(groups) > 1:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wvorm-flush") as pool:
                results = list(pool.map(run_group, groups.values()))
        else:
            results = [run_group(group) for group in groups.values()]
        return [failure for failures in results for failure in failures]


def _id_of(target: Union[WeaviateModel, UUID]) -> UUID:
    return target.id if isinstance(target, WeaviateModel) else target


def _check_key(obj: WeaviateModel, key: IdentityKey) -> None:
    """Refuse an object whose id changed after the session began tracking it."""
    if key[1] != obj.id:
        raise WvormError(
            f"{describe(obj)}: its id changed after it was added to the session (it was "
            f"{key[1]}). An object's id is its identity: set it back, or expunge the object "
            "and add one with the new id."
        )


def _unrecord(
    obj: WeaviateModel,
    prop: PropertyInfo,
    failures: list[ReferenceChange],
    before: Mapping[str, Any],
) -> None:
    """Take the reference writes that failed back out of ``obj``'s fresh snapshot, so the
    next flush sees them as changes again."""
    state = state_of(obj)
    snapshot = dict(state.snapshot or {})
    name = prop.field_name
    if not prop.is_list:
        snapshot[name] = before.get(name)  # whatever the server held before still stands
        state.snapshot = snapshot
        return
    held = Counter(snapshot.get(name) or ())  # what mark_clean assumed: the current list
    had = Counter(before.get(name) or ())
    for change in failures:
        assert isinstance(change.target, (WeaviateModel, UUID))
        target_id = _id_of(change.target)
        if change.action == "add":
            held[target_id] -= 1
        elif change.action == "remove":
            held[target_id] = had[target_id]
    order: list[Any] = []
    for target_id in snapshot.get(name) or ():
        if held[target_id] > 0:
            held[target_id] -= 1
            order.append(target_id)
    for target_id, count in held.items():  # beacons the server still holds beyond those
        order.extend([target_id] * max(count, 0))
    snapshot[name] = tuple(order)
    state.snapshot = snapshot

"""Runs a :class:`~wvorm.orm._unitofwork.FlushPlan` through the client and reports what happened.

Only ``Session.flush`` calls :func:`run_plan`. It sends the plan in its order
(inserts, patches, reference replaces and removes, reference adds, deletes) and
returns a :class:`FlushResult`: every item that failed, with the server's reason.
It changes no object state; the Session applies the result.

Weaviate has no conditional write, so ``Session.add`` means *insert*: before the
inserts, the uuids that could already exist (ids given explicitly or derived from a
natural key; a fresh uuid4 cannot collide) are looked up in bulk, one request per
class and chunk of ids, and an object whose uuid exists is refused rather than
written over. (A writer that creates the same uuid between that look-up and the
insert still wins the race; nothing closer is possible on this server.)

A batch item the server reports as failed can still have been stored (Weaviate 1.39
keeps some objects whose vector it rejected). After insert failures the failed uuids
are looked up too, and those found are reported as stored anyway. When that look-up
cannot run (the server died mid-commit), the failed inserts are *unconfirmed*: the
next commit looks them up like explicit ids, and one found stored is read and
accepted, not sent again, when it holds exactly the values and vectors the insert
would write (it is the cut-off insert); otherwise it is refused.

The same holds for references: Weaviate 1.39 reports reference writes to a list
that was emptied as failed (and stores the adds). After reference failures each
affected object's beacons are read once, and a change the server shows written is
not reported (see ``_Run._confirm_references``). When they cannot be read (the
server died), the outcome is unknown: the next commit replaces those fields whole,
which is idempotent, rather than adding beacons again, which could duplicate them.

Logging (logger ``wvorm.orm.persistence``): at DEBUG, the plan's summary, each
phase's counts and duration, and every failure; at INFO, progress every
``PROGRESS_INTERVAL`` seconds of a long commit. ``progress`` callbacks receive a
:class:`CommitProgress` after each chunk of work.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar

from wvorm import plan
from wvorm._inputs import capitalize_first_letter, get_vector, holds_vectors
from wvorm.batch.items import ObjectEntry
from wvorm.data.references import parse_beacon
from wvorm.data.replication import ConsistencyLevel, naming_level
from wvorm.errors import BatchError, WvormError
from wvorm.orm._gc import gc_paused
from wvorm.orm._mapping import model_info
from wvorm.orm._models import WeaviateModel, from_properties, referenced_objects
from wvorm.orm._state import describe, state_of, vector_snapshot
from wvorm.orm._unitofwork import (
    Delete,
    FlushPlan,
    Insert,
    Patch,
    ReferenceChange,
    target_class,
    target_id,
)

if TYPE_CHECKING:
    from wvorm.batch import Batch
    from wvorm.client import Client
    from wvorm.orm._identity import IdentityKey

logger = logging.getLogger("wvorm.orm.persistence")

_EXISTS = (
    "an object with this uuid already exists on the server, and session.add() only "
    "inserts; to update the stored object with these values, call session.expunge(obj), "
    "then session.merge(obj) (or load it with session.get())"
)
LOOKUP_CHUNK = 1000  # ids per existence look-up and per batch delete (server cap: 10,000)
# Inserts to check per class from which counting the class first pays: a count and a
# schema read cost less than looking up this many ids (about 15 ms of server CPU).
COUNT_FIRST = LOOKUP_CHUNK
PROGRESS_INTERVAL = 10.0  # seconds between INFO progress lines of a long commit

T = TypeVar("T")


@dataclass(frozen=True)
class CommitProgress:
    """How far a commit has got: ``done`` of ``total`` items of ``phase`` ("inserts",
    "patches", "references", "deletes"), ``elapsed`` seconds since it started."""

    phase: str
    done: int
    total: int
    elapsed: float


ProgressCallback = Callable[[CommitProgress], None]


@dataclass
class FlushResult:
    """What running a plan did. ``failures`` are ``(item, reason)`` pairs for CommitError;
    ``failed`` the objects whose own write (insert, patch or delete) failed;
    ``stored_anyway`` the failed inserts that the server holds all the same;
    ``unconfirmed`` the failed inserts that were sent and may be stored all the same;
    ``reference_failures`` the failed reference writes per (object, field);
    ``unknown_references`` the (object, field) pairs of those whose outcome is unknown;
    ``vectors_sent`` the default vector each insert sent (its snapshot, for the state)."""

    failures: list[tuple[Any, str]] = field(default_factory=list)
    failed: set[IdentityKey] = field(default_factory=set)
    stored_anyway: set[IdentityKey] = field(default_factory=set)
    unconfirmed: set[IdentityKey] = field(default_factory=set)
    reference_failures: dict[tuple[IdentityKey, str], list[ReferenceChange]] = field(
        default_factory=dict
    )
    unknown_references: set[tuple[IdentityKey, str]] = field(default_factory=set)
    vectors_sent: dict[IdentityKey, tuple[float, ...]] = field(default_factory=dict)

    def fail(self, obj: WeaviateModel, reason: str) -> None:
        self.failures.append((obj, reason))
        self.failed.add((type(obj), obj.id))
        logger.debug("commit: %s failed: %s", describe(obj), reason)

    def fail_reference(self, change: ReferenceChange, reason: str) -> None:
        self.failures.append((change, reason))
        key = ((type(change.source), change.source.id), change.field_name)
        self.reference_failures.setdefault(key, []).append(change)
        logger.debug("commit: %r failed: %s", change, reason)

    def forgive_reference(self, change: ReferenceChange) -> None:
        """Take back a reference failure: the server shows the change written after all."""
        self.failures = [(item, reason) for item, reason in self.failures if item is not change]
        key = ((type(change.source), change.source.id), change.field_name)
        remaining = [c for c in self.reference_failures.get(key, ()) if c is not change]
        if remaining:
            self.reference_failures[key] = remaining
        else:
            self.reference_failures.pop(key, None)
        logger.debug("commit: %r was reported as failed, but the server holds it", change)


@dataclass(frozen=True)
class WriteOptions:
    """How a Session writes: tenant, consistency level, parallel requests, progress."""

    tenant: Optional[str] = None
    consistency_level: Optional[str] = None
    num_workers: int = 2
    progress: Optional[ProgressCallback] = None


def run_plan(plan: FlushPlan, client: Client, batch: Batch, options: WriteOptions) -> FlushResult:
    """Send ``plan`` (see the module docs) and report every failure."""
    return _Run(plan, client, batch, options).run()


class _Run:
    def __init__(self, plan: FlushPlan, client: Client, batch: Batch, options: WriteOptions):
        self.plan = plan
        self.client = client
        self.batch = batch
        self.options = options
        level = options.consistency_level
        self.level = None if level is None else ConsistencyLevel(level)
        self.result = FlushResult()
        self.started = time.monotonic()
        self.last_report = self.started

    def run(self) -> FlushResult:
        plan, result = self.plan, self.result
        logger.debug("commit: plan: %s", plan.summary())
        for item, reason in plan.refused:
            if isinstance(item, ReferenceChange):
                result.fail_reference(item, reason)
            else:
                result.fail(item, reason)
        self._phase("inserts", self._insert, plan.inserts)
        self._phase("patches", self._patch, plan.patches)
        self._phase("references", self._references, plan.reference_calls + plan.reference_adds)
        self._phase("deletes", self._delete, plan.deletes)
        logger.debug(
            "commit: done in %.3f s: %d failure(s)",
            time.monotonic() - self.started,
            len(result.failures),
        )
        return result

    # -- phases -------------------------------------------------------------------------

    def _phase(self, name: str, action: Callable[[Sequence[T]], None], items: Sequence[T]) -> None:
        if not items:
            return
        started, failures = time.monotonic(), len(self.result.failures)
        action(items)
        logger.debug(
            "commit: %s: %d sent in %.3f s, %d failed",
            name,
            len(items),
            time.monotonic() - started,
            len(self.result.failures) - failures,
        )

    def _report(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        if self.options.progress is not None:
            self.options.progress(CommitProgress(phase, done, total, elapsed))
        if now - self.last_report >= PROGRESS_INTERVAL:
            self.last_report = now
            logger.info("commit: %s %d/%d after %.0f s", phase, done, total, elapsed)

    # -- 1. inserts -----------------------------------------------------------------------

    def _insert(self, inserts: Sequence[Insert]) -> None:
        result, batch = self.result, self.batch
        total = len(inserts)
        stopped: Optional[BaseException] = None
        unsent: Sequence[Insert] = ()
        to_send: list[Insert] = []
        batch.empty_objects()  # what an interrupted flush may have left behind
        empty = self._empty_classes(inserts)
        # The existence look-ups of later windows run while earlier ones are sent.
        pool = ThreadPoolExecutor(self.options.num_workers, thread_name_prefix="wvorm-flush")
        try:
            checks = [
                pool.submit(self._check, inserts[start : start + LOOKUP_CHUNK], empty)
                for start in range(0, total, LOOKUP_CHUNK)
            ]
            with batch:  # clears failed_*; on exit flushes and stops the batch threads
                for start in range(0, total, LOOKUP_CHUNK):
                    refusals, stored = checks[start // LOOKUP_CHUNK].result()
                    # Entries and vector snapshots form no reference cycles, so the
                    # collector need not pass over them (see wvorm.orm._gc); paused per
                    # window, not for the whole commit, which can take minutes.
                    with gc_paused(promote=True):
                        stop = self._queue(inserts, start, refusals, stored, to_send)
                    if stop is not None:
                        stopped, unsent = stop[0], inserts[stop[1] :]
                        break
        except BatchError as exc:  # raised again by the final flush
            stopped = stopped or exc
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        for insert in unsent:
            result.fail(insert.obj, f"not sent, because an earlier batch request failed: {stopped}")
        failed_records = batch.failed_objects
        sent = {(i.class_name, str(i.obj.id)): i.obj for i in to_send} if failed_records else {}
        rejected = []
        for record in failed_records:
            obj = sent.get((record.class_name, record.uuid))
            if obj is not None and (type(obj), obj.id) not in result.failed:
                result.fail(obj, record.message)
                rejected.append((record.class_name, obj))
        self._report("inserts", total, total)
        if not rejected:
            return
        if stopped is None:
            stored, unknown = self._look_up(rejected)
        else:  # the server is down or refuses: whether any of them is stored is unknown
            stored, unknown = set(), {(c, str(o.id)): "" for c, o in rejected}
        for class_name, obj in rejected:
            key = (class_name, str(obj.id))
            if key in unknown:
                result.unconfirmed.add((type(obj), obj.id))
            elif key in stored:
                result.stored_anyway.add((type(obj), obj.id))
                result.failures.append(
                    (
                        obj,
                        "the server reported the failure above but stored the object "
                        "anyway; it is now persistent, and the next commit writes its "
                        "values again",
                    )
                )

    def _queue(
        self,
        inserts: Sequence[Insert],
        start: int,
        refusals: dict[tuple[str, str], str],
        stored: set[tuple[str, str]],
        to_send: list[Insert],
    ) -> Optional[tuple[BatchError, int]]:
        """Queue the window of ``inserts`` from ``start`` into the batch (appending them to
        ``to_send``), except those its :meth:`_check` refused or found stored as they
        are. On a BatchError (an earlier request failed after its retries: the server
        is down or refuses), stop rather than queue everything behind it: return the
        error and the index of the first insert not sent."""
        result, batch, total = self.result, self.batch, len(inserts)
        chunk = max(batch.batch_size or 1, 1)
        check = bool(refusals or stored)  # (most windows: nothing to leave out)
        for index in range(start, min(start + LOOKUP_CHUNK, total)):
            insert = inserts[index]
            if check:
                key = (insert.class_name, str(insert.obj.id))
                if key in stored:
                    continue  # written by an earlier, cut-off commit: counted as written
                refusal = refusals.get(key)
                if refusal is not None:
                    result.fail(insert.obj, refusal)
                    continue
            try:
                batch.add_object_entry(self._entry(insert))
            except BatchError as exc:
                return exc, index
            to_send.append(insert)
            if len(to_send) % chunk == 0:
                self._report("inserts", index + 1, total)
        return None

    def _entry(self, insert: Insert) -> ObjectEntry:
        """The batch entry of an insert, its vectors as plain sequences (a model's may
        be numpy arrays). The default vector's snapshot is taken here, not after the
        commit, so that encoding it reads values already in the CPU's cache."""
        vector = None
        if insert.vector is not None:
            vector = vector_snapshot(get_vector(insert.vector))
            self.result.vectors_sent[(type(insert.obj), insert.obj.id)] = vector
        named = {name: get_vector(v) for name, v in insert.vectors.items()}
        return ObjectEntry(
            capitalize_first_letter(insert.class_name),
            str(insert.obj.id),
            insert.properties,
            vector,
            named or None,
            self.options.tenant,
        )

    def _empty_classes(self, inserts: Sequence[Insert]) -> set[str]:
        """The classes receiving at least ``COUNT_FIRST`` inserts to check that hold no
        object (in the session's tenant), counted exactly (see the module docs). A class
        whose count or schema cannot be read is simply looked up."""
        to_check = Counter(i.class_name for i in inserts if _could_exist(i.obj))
        empty = set()
        for class_name, n in to_check.items():
            if n < COUNT_FIRST:
                continue
            try:
                # (the node's own copy: it answers while a cluster elects a schema leader)
                live = self.client.schema.get(class_name, consistency=False)
                replication = live.get("replicationConfig") or {}
                if replication.get("factor", 1) != 1:
                    continue
                rows = self.client.transport.aggregate(
                    plan.AggregatePlan(class_name, tenant=self.options.tenant)
                )
            except WvormError as exc:
                logger.debug("commit: counting %s failed (%s); looking ids up", class_name, exc)
                continue
            if rows and rows[0]["meta"]["count"] == 0:
                empty.add(class_name)
        if empty:
            logger.debug("commit: %s empty: no existence look-ups", ", ".join(sorted(empty)))
        return empty

    def _check(
        self, window: Sequence[Insert], empty: set[str]
    ) -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
        """Which inserts of ``window`` must not be sent: refused ones, keyed by (class
        name, uuid), with why, and those an earlier cut-off commit stored already, with
        exactly these values (an unconfirmed insert found stored and read)."""
        found, unchecked = self._look_up(_could_exist_in(window, empty))
        refusals = {
            key: "not sent: whether an object with this uuid exists on the server could not "
            f"be checked ({reason})"
            for key, reason in unchecked.items()
        }
        stored: set[tuple[str, str]] = set()
        if not found:
            return refusals, stored
        for insert in window:
            key = (insert.class_name, str(insert.obj.id))
            if key not in found:
                continue
            if not state_of(insert.obj).unconfirmed:
                refusals[key] = _EXISTS
                continue
            difference = self._stored_difference(insert)
            if difference is None:
                stored.add(key)
                logger.debug("commit: %s was stored by a cut-off commit", describe(insert.obj))
            else:
                refusals[key] = difference
        return refusals, stored

    def _stored_difference(self, insert: Insert) -> Optional[str]:
        """None when the server holds ``insert``'s object with exactly the properties and
        vectors it would write (what a cut-off insert of it stored); otherwise why the
        insert is refused. Read over REST, like ``Session.get``."""
        obj = insert.obj
        try:
            data = self.client.data_object.get_by_id(
                obj.id,
                with_vector=True,
                class_name=insert.class_name,
                consistency_level=self.level,
                tenant=self.options.tenant,
            )
        except WvormError as exc:
            return (
                "not sent: an earlier commit's insert of it was cut off, and the object the "
                f"server holds with this uuid could not be read to compare ({exc})"
            )
        if data is None:
            return (
                "not sent: the object with this uuid was deleted on the server while this "
                "commit checked it; commit again"
            )
        if _stored_as(insert, data):
            return None
        return (
            "an object with this uuid exists on the server with other values, vectors or "
            "references than this one (an earlier commit's insert of it was cut off, and "
            "it may be that insert, stored before the values changed); session.add() only "
            "inserts: to update the stored object with these values, call "
            "session.expunge(obj), then session.merge(obj) (or load it with session.get())"
        )

    def _look_up(
        self, items: Iterable[tuple[str, WeaviateModel]]
    ) -> tuple[set[tuple[str, str]], dict[tuple[str, str], str]]:
        """Which of ``(class name, object)`` exist on the server, and those whose
        look-up failed, with why: a search by id per class and chunk of ids, on the
        client's transport. (A search, unlike a dry-run batch delete, answers while a
        cluster elects a new schema leader.)"""
        by_class: dict[str, list[str]] = {}
        levels: dict[str, Optional[str]] = {}
        for class_name, obj in items:
            by_class.setdefault(class_name, []).append(str(obj.id))
            if class_name not in levels:
                level = None if self.level is None else self.level.value
                levels[class_name] = model_info(type(obj)).read_consistency(level)
        found: set[tuple[str, str]] = set()
        failed: dict[tuple[str, str], str] = {}
        for class_name, ids in by_class.items():
            for start in range(0, len(ids), LOOKUP_CHUNK):
                chunk = ids[start : start + LOOKUP_CHUNK]
                search = plan.SearchPlan(
                    collection=class_name,
                    filter=_ids_in(chunk),
                    limit=len(chunk),
                    tenant=self.options.tenant,
                    consistency_level=levels[class_name],
                )
                try:
                    rows = self.client.transport.search(search)
                except WvormError as exc:
                    if self._no_such_tenant(exc):
                        continue  # it holds no object (autoTenantCreation: the insert makes it)
                    failed.update(((class_name, i), str(exc)) for i in chunk)
                    continue
                found.update((class_name, row["_additional"]["id"]) for row in rows)
        return found, failed

    def _no_such_tenant(self, exc: WvormError) -> bool:
        """Whether ``exc`` is the server saying that the session's tenant does not exist
        (not merely inactive: an inactive tenant's objects exist all the same)."""
        tenant = self.options.tenant
        return tenant is not None and f'tenant not found: "{tenant}"' in str(exc)

    # -- 2. patches -----------------------------------------------------------------------

    def _patch(self, patches: Sequence[Patch]) -> None:
        def patch(job: Patch) -> None:
            vector: Any = dict(job.vectors) if job.vectors else job.vector
            self.client.data_object.update(
                job.properties,
                job.class_name,
                job.obj.id,
                vector=vector,
                consistency_level=self.level,
                tenant=self.options.tenant,
            )

        for job, error in self._parallel(patch, patches, lambda job: id(job.obj)):
            self.result.fail(job.obj, error)
        self._report("patches", len(patches), len(patches))

    # -- 3 and 4. references ----------------------------------------------------------------

    def _references(self, changes: Sequence[ReferenceChange]) -> None:
        result = self.result
        calls = [c for c in changes if c.action != "add" and self._sendable(c)]
        failed_removes: set[int] = set()
        rejected: list[ReferenceChange] = []  # sent, and reported as not written
        for change, error in self._parallel(self._call, calls, lambda c: id(c.source)):
            result.fail_reference(change, error)
            rejected.append(change)
            if change.action == "remove":
                failed_removes.add(id(change))
        adds = [
            c
            for c in changes
            if c.action == "add"
            and not (c.readds is not None and id(c.readds) in failed_removes)
            and self._sendable(c)
        ]
        rejected += self._add_references(adds, len(changes) - len(adds), len(changes))
        if rejected:
            self._confirm_references(rejected)
        self._report("references", len(changes), len(changes))

    def _confirm_references(self, rejected: Sequence[ReferenceChange]) -> None:
        """Count as written the rejected reference changes whose effect the server shows.

        Weaviate 1.39 reports a batch reference add to a list that was emptied (its last
        beacon deleted, by this session or another) as failed, yet stores it, and
        answers a beacon delete on such a list with a 500. So each source with rejected
        changes is read once (REST), and a change counts as written when the server
        holds its target exactly as often as the object now does (for a replace: the
        whole list). Retrying instead would store duplicates.
        """
        by_source: dict[int, list[ReferenceChange]] = {}
        for change in rejected:
            by_source.setdefault(id(change.source), []).append(change)
        unreadable = False
        for changes in by_source.values():
            source = changes[0].source
            info = model_info(type(source))
            data = None
            if not unreadable:
                try:
                    data = self.client.data_object.get_by_id(
                        source.id,
                        class_name=info.name,
                        consistency_level=self.level,
                        tenant=self.options.tenant,
                    )
                except WvormError:
                    unreadable = True  # (the server cannot answer: the rest are not tried)
            if unreadable:  # the failures stand, and whether they were written is unknown
                self.result.unknown_references.update(
                    ((type(source), source.id), change.field_name) for change in changes
                )
                continue
            if data is None:
                continue  # the object is gone: nothing was written
            properties = data.get("properties") or {}
            for change in changes:
                prop = info.fields[change.field_name]
                held = Counter(parse_beacon(b) for b in properties.get(prop.name) or ())
                wanted = Counter(
                    (target_class(t), str(target_id(t)))
                    for t in referenced_objects(source, change.field_name)
                )
                if change.action == "replace":
                    confirmed = held == wanted
                else:
                    key = (target_class(change.targets[0]), str(target_id(change.targets[0])))
                    confirmed = held[key] == wanted[key]
                if confirmed:
                    self.result.forgive_reference(change)

    def _sendable(self, change: ReferenceChange) -> bool:
        """False for a change that must wait: its source's own write failed (it waits
        with its source, whose failure is reported and which stays pending, so the next
        flush plans it again), or it points at a new object that could not be inserted
        (reported as held back)."""
        failed = self.result.failed
        if not failed:
            return True
        source_key = (type(change.source), change.source.id)
        if source_key in failed and source_key not in self.result.stored_anyway:
            return False
        if change.action == "remove":
            return True
        for target in change.targets:
            if not isinstance(target, WeaviateModel):
                continue
            key = (type(target), target.id)
            if key in failed and not state_of(target).is_persistent:
                if key in self.result.stored_anyway:
                    continue
                self.result.fail_reference(
                    change, f"held back: its target {describe(target)} was not written"
                )
                return False
        return True

    def _call(self, change: ReferenceChange) -> None:
        """One reference replace or remove through ``client.data_object.reference``."""
        reference = self.client.data_object.reference
        source = change.source
        info = model_info(type(source))
        prop_name = info.fields[change.field_name].name
        if change.action == "replace":
            reference.update(
                source.id,
                prop_name,
                [target_id(t) for t in change.targets],
                from_class_name=info.name,
                to_class_names=[target_class(t) for t in change.targets],
                consistency_level=self.level,
                tenant=self.options.tenant,
            )
        else:
            target = change.targets[0]
            reference.delete(
                source.id,
                prop_name,
                target_id(target),
                from_class_name=info.name,
                to_class_name=target_class(target),
                consistency_level=self.level,
                tenant=self.options.tenant,
            )

    def _add_references(
        self, adds: Sequence[ReferenceChange], done: int, total: int
    ) -> list[ReferenceChange]:
        """Send ``adds`` through the batch; return those the server rejected. ``done`` of
        ``total`` reference changes were sent before them (for progress reports)."""
        if not adds:
            return []
        batch, tenant, result = self.batch, self.options.tenant, self.result
        chunk = max(batch.batch_size or 1, 1)
        stopped: Optional[BaseException] = None
        unsent: Sequence[ReferenceChange] = ()
        by_beacon: dict[tuple[str, str, str, str], list[ReferenceChange]] = {}
        batch.empty_references()  # what an interrupted flush may have left behind
        try:
            with batch:
                for index, change in enumerate(adds):
                    source, target = change.source, change.targets[0]
                    info = model_info(type(source))
                    prop_name = info.fields[change.field_name].name
                    beacon = (info.name, str(source.id), prop_name, str(target_id(target)))
                    by_beacon.setdefault(beacon, []).append(change)
                    try:
                        batch.add_reference(
                            source.id,
                            info.name,
                            prop_name,
                            target_id(target),
                            target_class(target),
                            tenant,
                        )
                    except BatchError as exc:
                        stopped, unsent = exc, adds[index:]
                        break
                    if (index + 1) % chunk == 0:
                        self._report("references", done + index + 1, total)
        except BatchError as exc:
            stopped = stopped or exc
        for change in unsent:
            result.fail_reference(
                change, f"not sent, because an earlier batch request failed: {stopped}"
            )
        unsent_ids = {id(c) for c in unsent}
        rejected = []
        for record in batch.failed_references:
            matches = by_beacon.get(
                (
                    record.from_object_class_name,
                    record.from_object_uuid,
                    record.from_property_name,
                    record.to_object_uuid,
                )
            )
            while matches:
                change = matches.pop()
                if id(change) not in unsent_ids:
                    result.fail_reference(change, record.message)
                    rejected.append(change)
                    break
        return rejected

    # -- 5. deletes -----------------------------------------------------------------------

    def _delete(self, deletes: Sequence[Delete]) -> None:
        by_class: dict[str, list[WeaviateModel]] = {}
        for delete in deletes:
            by_class.setdefault(delete.class_name, []).append(delete.obj)
        done = 0
        for name, members in by_class.items():
            for start in range(0, len(members), LOOKUP_CHUNK):
                chunk = {str(o.id): o for o in members[start : start + LOOKUP_CHUNK]}
                try:
                    answer = self.batch.delete_matching(
                        name, _ids_in(list(chunk)), tenant=self.options.tenant
                    )
                except WvormError as exc:
                    for obj in chunk.values():
                        self.result.fail(obj, str(exc))
                    continue
                # Objects already gone do not match, which is what was wanted.
                for item in answer.objects:
                    if item.status == "FAILED" and item.uuid in chunk:
                        self.result.fail(
                            chunk[item.uuid], item.error or "the server could not delete it"
                        )
                done += len(chunk)
                self._report("deletes", done, len(deletes))

    # -- helpers ----------------------------------------------------------------------------

    def _parallel(
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
                    failures.append((job, naming_level(str(exc), self.level)))
            return failures

        workers = self.options.num_workers
        if workers > 1 and len(groups) > 1:
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="wvorm-flush") as pool:
                results = list(pool.map(run_group, groups.values()))
        else:
            results = [run_group(group) for group in groups.values()]
        return [failure for failures in results for failure in failures]


def _could_exist_in(inserts: Sequence[Insert], empty: set[str]) -> list[tuple[str, WeaviateModel]]:
    """``(class name, object)`` of the inserts whose uuid may exist already: not in a
    class known to be ``empty``."""
    return [
        (i.class_name, i.obj) for i in inserts if i.class_name not in empty and _could_exist(i.obj)
    ]


def _could_exist(obj: WeaviateModel) -> bool:
    """Whether ``obj``'s uuid may be on the server already: it was given explicitly or
    derived from a natural key (a fresh uuid4 cannot collide), or an earlier insert of
    it was cut off."""
    return (
        "id" in obj.__pydantic_fields_set__
        or bool(model_info(type(obj)).config.natural_key)
        or state_of(obj).unconfirmed
    )


def _stored_as(insert: Insert, data: dict[str, Any]) -> bool:
    """Whether ``data`` (a stored object, as REST returns it) holds exactly what
    ``insert`` would write, and no reference: a cut-off insert stores none, since
    references are written after the inserts, so beacons mean another writer.

    Both sides' properties are decoded into model values and compared as dirty
    tracking compares them, so the server's rendering does not count (a naive date
    sent as UTC, geo coordinates stored as float32); vectors are compared in float32,
    as the server stores them.
    """
    model = type(insert.obj)
    info = model_info(model)
    stored_properties = data.get("properties") or {}
    if any(stored_properties.get(prop.name) for prop in info.references):
        return False
    try:
        stored = from_properties(model, stored_properties, uuid=insert.obj.id).__dict__
        sent = from_properties(model, insert.properties, uuid=insert.obj.id).__dict__
    except (TypeError, ValueError):  # (pydantic's ValidationError is a ValueError)
        return False
    if any(stored.get(p.field_name) != sent.get(p.field_name) for p in info.properties):
        return False
    return holds_vectors(data, insert.vector, insert.vectors)


def _ids_in(ids: Sequence[str]) -> plan.Condition:
    """The filter matching these object ids."""
    return plan.Condition(("id",), "ContainsAny", "valueText", tuple(ids))

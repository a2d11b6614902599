"""``client.batch``: the v3 ``Batch``, safe to share between threads and losing nothing.

The client builds one :class:`Batch` per connection; users (and the ORM session)
add objects and references to it and it writes them in bulk, in one of three modes:

- manual (``batch_size=None``, the default): nothing is sent until
  :meth:`~Batch.create_objects`, :meth:`~Batch.create_references` or :meth:`~Batch.flush`;
- auto (``batch_size=n``): a chunk is sent when objects + references reach ``n``;
- dynamic (``batch_size=n, dynamic=True``): a chunk is sent when the objects reach
  ``recommended_num_objects`` or the references ``recommended_num_references``;
  both start at ``n`` and follow the measured throughput, so that one request takes
  about ``creation_time`` seconds.

How it works: ``add_*`` encodes the item to JSON at once (the caller's dicts are
never kept or changed) and appends the bytes to a buffer under a lock. When the
buffer is full the adding thread cuts a chunk and hands it to a pool of
``num_workers`` threads; at most ``2 * num_workers`` chunks are in flight, and
``add_*`` blocks until one finishes (back-pressure keeps memory bounded). A chunk
writes its objects, then its references, and its references wait until the objects
of every chunk cut before it are written, so a reference never overtakes the object
it starts from. No lock is held while sending.

What happens to failures:

- an object or reference the server rejects (a per-item error in the answer) goes to
  the callback and is kept, with its error, in :attr:`Batch.failed_objects` /
  :attr:`Batch.failed_references`;
- timeouts, connection errors, 429 and 5xx are retried with backoff
  (``timeout_retries`` / ``connection_error_retries``); when the retries run out the
  chunk's items are kept in ``failed_*`` as well (with the reason), and a
  :class:`~wvorm.errors.BatchError` is raised from the next ``add_*``, ``flush`` or
  context-manager exit. The error is raised once: later chunks are sent as usual,
  and the failed items can be added again with :meth:`Batch.add_failed`, which
  looks up first the references that may have been written (a reference added
  twice is stored twice). Entering ``with client.batch`` clears ``failed_*``.
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import threading
import time
import weakref
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from numbers import Real
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from wvorm import plan
from wvorm._inputs import capitalize_first_letter
from wvorm.batch.items import (
    DeleteResult,
    FailedObject,
    FailedReference,
    FailureLog,
    ObjectEntry,
    check_object,
    decode,
    encode_entry,
    encode_reference,
)
from wvorm.batch.sender import (
    BatchCallback,
    Sender,
    SendReport,
    SendSettings,
    WeaviateErrorRetryConf,
)
from wvorm.batch.where import rest_where_filter
from wvorm.connection import Connection
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import (
    BatchError,
    UnexpectedStatusCodeException,
    UsageError,
    brief,
    json_body,
    warn_v3,
)
from wvorm.plan.rest import filter_json
from wvorm.util import UUIDLike, check_batch_result

if TYPE_CHECKING:
    from wvorm.grpc.channel import GrpcChannel

logger = logging.getLogger("wvorm.batch")

_live_batches: weakref.WeakSet[Batch] = weakref.WeakSet()


@atexit.register
def _warn_about_unsent_items() -> None:
    """Items still waiting at exit would vanish silently: say so."""
    for batch in list(_live_batches):
        objects, references = batch.shape
        if objects or references:
            logger.warning(
                "%d object(s) and %d reference(s) were added to a batch but never sent; "
                "call batch.flush() or use `with client.batch as batch:`",
                objects,
                references,
            )


def _warn_manual_batching() -> None:
    """v3's Dep002, for code that calls ``create_objects`` / ``create_references``."""
    message = (
        "Dep002: You are batching manually. This means you are NOT using the client's "
        "built-in multi-threading. Setting `batch_size` in `client.batch.configure()` to an "
        "int value will enable automatic batching."
    )
    warn_v3(message, logger, DeprecationWarning)


IN_FLIGHT_PER_WORKER = 2  # chunks per worker: one being sent, one ready to go
MANUAL_REQUEST_SIZE = 200  # items per request when no batch_size is set
MAX_RECOMMENDED_SIZE = 1000  # dynamic batching never grows a request beyond this
DEFAULT_CREATION_TIME = 10.0  # seconds (the spec's default)


@dataclass(frozen=True)
class Shard:
    """One shard objects were imported into: a class, and a tenant for multi-tenant classes."""

    class_name: str
    tenant: Optional[str] = None


@dataclass(eq=False)
class _Job:
    """A chunk cut from the buffer and sent by a worker: objects first, then references."""

    objects: list[bytes]
    references: list[bytes]
    settings: SendSettings
    waits_for: list[_Job]  # chunks cut earlier whose objects must be written first
    slot: threading.Semaphore
    objects_done: threading.Event = field(default_factory=threading.Event)
    objects_ok: bool = True
    done: threading.Event = field(default_factory=threading.Event)


class Batch:
    """Add objects and references; they are written in bulk (see the module docs).

    Use it as a context manager (``with client.batch as batch:``), which flushes on
    exit, and configure it with :meth:`configure` (or by calling it).
    """

    def __init__(
        self,
        connection: Connection,
        grpc_channel: Callable[[], Optional[GrpcChannel]] = lambda: None,
    ) -> None:
        self._connection = connection
        # objects go over gRPC when the client's transport is gRPC (decided on first add)
        self._grpc_channel = grpc_channel
        self._use_grpc: Optional[bool] = None
        self._lock = threading.Lock()
        self._objects: list[bytes] = []
        self._references: list[bytes] = []
        self._shards: set[tuple[str, Optional[str]]] = set()
        self._failures = FailureLog()
        self._sender = Sender(connection, self._failures, grpc_channel)
        self._errors: list[Exception] = []
        self._in_flight: list[_Job] = []
        self._executor: Optional[ThreadPoolExecutor] = None
        self._object_rates: deque[float] = deque(maxlen=5)
        self._reference_rates: deque[float] = deque(maxlen=5)
        # the spec's defaults: manual batching until configured
        self._batch_size: Optional[int] = None
        self._dynamic = False
        self._creation_time = DEFAULT_CREATION_TIME
        self._num_workers = 1
        self._slots = threading.Semaphore(IN_FLIGHT_PER_WORKER)
        self._recommended_num_objects: Optional[int] = None
        self._recommended_num_references: Optional[int] = None
        self._settings = SendSettings()
        _live_batches.add(self)

    # -- configuration ------------------------------------------------------------------

    def configure(
        self,
        batch_size: Optional[int] = None,
        creation_time: Optional[float] = None,
        timeout_retries: int = 3,
        connection_error_retries: int = 3,
        weaviate_error_retries: Optional[WeaviateErrorRetryConf] = None,
        callback: Optional[BatchCallback] = check_batch_result,
        dynamic: bool = False,
        num_workers: int = 1,
        consistency_level: Union[ConsistencyLevel, str, None] = None,
    ) -> Batch:
        """Set every batch setting at once; arguments left out return to their defaults.

        ``batch_size``: None for manual batching, or the number of items (objects +
        references) that triggers a send; with ``dynamic=True`` the initial
        ``recommended_num_objects`` / ``recommended_num_references``.
        ``creation_time``: seconds one request should take (dynamic batching), 10 when None.
        ``timeout_retries`` / ``connection_error_retries``: retries of a request that
        timed out / could not connect or got 429 or 5xx. ``weaviate_error_retries``:
        re-send items the server rejected (when None, only items rejected because a
        restarting server had not loaded the class yet are re-sent). ``callback``:
        called with the server's results of every request (default: log the errors);
        it runs in a worker thread, one call at a time, and must not add to or flush
        this batch.
        ``num_workers``: threads sending chunks concurrently (at most two chunks per
        worker are in flight). ``consistency_level``: for replicated classes.
        Returns the batch, so ``with client.batch(batch_size=100) as batch:`` works.
        """
        if batch_size is not None:
            _check_int(batch_size, "batch_size", minimum=1)
        creation = DEFAULT_CREATION_TIME if creation_time is None else creation_time
        _check_positive_real(creation, "creation_time")
        _check_int(timeout_retries, "timeout_retries", minimum=0)
        _check_int(connection_error_retries, "connection_error_retries", minimum=0)
        if weaviate_error_retries is not None and not isinstance(
            weaviate_error_retries, WeaviateErrorRetryConf
        ):
            raise UsageError(
                "weaviate_error_retries must be a WeaviateErrorRetryConf or None, "
                f"got {type(weaviate_error_retries).__name__}"
            )
        if callback is not None and not callable(callback):
            raise UsageError(f"callback must be callable or None, got {callback!r}")
        if not isinstance(dynamic, bool):
            raise UsageError(f"dynamic must be a bool, got {dynamic!r}")
        _check_int(num_workers, "num_workers", minimum=1)
        level = _consistency_level(consistency_level)

        if num_workers != self._num_workers:
            self.flush()  # chunks in flight belong to the old pool
            self.shutdown()
        with self._lock:
            if num_workers != self._num_workers:
                self._num_workers = num_workers
                self._slots = threading.Semaphore(IN_FLIGHT_PER_WORKER * num_workers)
            self._batch_size = batch_size
            self._dynamic = dynamic
            self._creation_time = float(creation)
            self._recommended_num_objects = batch_size
            self._recommended_num_references = batch_size
            self._object_rates.clear()
            self._reference_rates.clear()
            self._settings = SendSettings(
                consistency_level=level,
                timeout_retries=timeout_retries,
                connection_error_retries=connection_error_retries,
                weaviate_error_retries=weaviate_error_retries,
                callback=callback,
            )
        self._send_full_chunks()
        return self

    def __call__(self, **kwargs: Any) -> Batch:
        """The same as :meth:`configure`."""
        return self.configure(**kwargs)

    @property
    def batch_size(self) -> Optional[int]:
        """Items per automatic send, or None for manual batching; assignable."""
        return self._batch_size

    @batch_size.setter
    def batch_size(self, value: Optional[int]) -> None:
        if value is not None:
            _check_int(value, "batch_size", minimum=1)
        with self._lock:
            self._batch_size = value
            if value is not None:
                self._recommended_num_objects = self._recommended_num_objects or value
                self._recommended_num_references = self._recommended_num_references or value
        self._send_full_chunks()

    @property
    def dynamic(self) -> bool:
        """Whether dynamic batching is on (it only acts when batch_size is set); assignable."""
        return self._dynamic and self._batch_size is not None

    @dynamic.setter
    def dynamic(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise UsageError(f"dynamic must be a bool, got {value!r}")
        with self._lock:
            self._dynamic = value
        self._send_full_chunks()

    @property
    def creation_time(self) -> float:
        """Seconds one request should take under dynamic batching; assignable."""
        return self._creation_time

    @creation_time.setter
    def creation_time(self, value: float) -> None:
        _check_positive_real(value, "creation_time")
        with self._lock:
            scale = float(value) / self._creation_time
            if self._recommended_num_objects is not None:
                self._recommended_num_objects = max(1, round(self._recommended_num_objects * scale))
            if self._recommended_num_references is not None:
                self._recommended_num_references = max(
                    1, round(self._recommended_num_references * scale)
                )
            self._creation_time = float(value)
        self._send_full_chunks()

    @property
    def timeout_retries(self) -> int:
        """Retries of a request that timed out; assignable."""
        return self._settings.timeout_retries

    @timeout_retries.setter
    def timeout_retries(self, value: int) -> None:
        _check_int(value, "timeout_retries", minimum=0)
        self._update_settings(timeout_retries=value)

    @property
    def connection_error_retries(self) -> int:
        """Retries of a request that could not connect or got 429/5xx; assignable."""
        return self._settings.connection_error_retries

    @connection_error_retries.setter
    def connection_error_retries(self, value: int) -> None:
        _check_int(value, "connection_error_retries", minimum=0)
        self._update_settings(connection_error_retries=value)

    @property
    def consistency_level(self) -> Optional[str]:
        """The consistency level sent with every request, or None; assignable."""
        return self._settings.consistency_level

    @consistency_level.setter
    def consistency_level(self, value: Union[ConsistencyLevel, str, None]) -> None:
        self._update_settings(consistency_level=_consistency_level(value))

    @property
    def num_workers(self) -> int:
        """Threads sending chunks concurrently (set with :meth:`configure`)."""
        return self._num_workers

    @property
    def recommended_num_objects(self) -> Optional[int]:
        """Objects per request under dynamic batching (None in manual mode)."""
        return self._recommended_num_objects

    @property
    def recommended_num_references(self) -> Optional[int]:
        """References per request under dynamic batching (None in manual mode)."""
        return self._recommended_num_references

    def _update_settings(self, **changes: Any) -> None:
        with self._lock:
            self._settings = dataclasses.replace(self._settings, **changes)

    # -- adding -------------------------------------------------------------------------

    def add_data_object(
        self,
        data_object: Mapping[str, Any],
        class_name: str,
        uuid: Optional[UUIDLike] = None,
        vector: Optional[Sequence[Any]] = None,
        tenant: Optional[str] = None,
        vectors: Optional[Mapping[str, Sequence[Any]]] = None,
    ) -> str:
        """Add one object and return its uuid (a new uuid4 when none is given).

        An object with an existing uuid replaces the stored one. ``vector`` may be a
        list, a numpy array or a tensor; ``vectors`` (beyond v3) names the vectors of
        a class with several vector spaces. Blocks while too many chunks are in flight.
        Raises the :class:`BatchError` of an earlier chunk that could not be written
        (the object is then not added), TypeError/ValueError for invalid input.
        """
        entry = check_object(data_object, class_name, uuid, vector, tenant, vectors)
        self._queue_object(entry, checked=True)
        return entry.uuid

    def add_object_entry(self, entry: ObjectEntry) -> None:
        """Add one object whose values are already checked (the ORM's entries): the
        typed, trusted way in; otherwise as :meth:`add_data_object`."""
        self._queue_object(entry, checked=False)

    def _queue_object(self, entry: ObjectEntry, checked: bool) -> None:
        self._raise_errors()
        self._enqueue_object(entry, checked)

    def _enqueue_object(self, entry: ObjectEntry, checked: bool) -> None:
        if self._use_grpc is None:
            self._use_grpc = self._grpc_channel() is not None
        payload = encode_entry(entry, self._use_grpc, checked)
        with self._lock:
            self._objects.append(payload)
            self._shards.add((entry.class_name, entry.tenant))
            full = self._is_full_locked()
        if full:
            self._send_full_chunks()

    def add_reference(
        self,
        from_object_uuid: UUIDLike,
        from_object_class_name: str,
        from_property_name: str,
        to_object_uuid: UUIDLike,
        to_object_class_name: Optional[str] = None,
        tenant: Optional[str] = None,
    ) -> None:
        """Add a reference from one object's ``from_property_name`` to another object.

        Uuids may also be beacons or hrefs. It is written after every object added
        before it. Raises like :meth:`add_data_object`.
        """
        self._raise_errors()
        payload = encode_reference(
            from_object_uuid,
            from_object_class_name,
            from_property_name,
            to_object_uuid,
            to_object_class_name,
            tenant,
        )
        self._queue_reference(payload)

    def _queue_reference(self, payload: bytes) -> None:
        with self._lock:
            self._references.append(payload)
            full = self._is_full_locked()
        if full:
            self._send_full_chunks()

    # -- state --------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, int]:
        """``(objects, references)`` waiting in the batch (not counting those being sent)."""
        with self._lock:
            return len(self._objects), len(self._references)

    def num_objects(self) -> int:
        """Objects waiting in the batch."""
        return len(self._objects)

    def num_references(self) -> int:
        """References waiting in the batch."""
        return len(self._references)

    def is_empty_objects(self) -> bool:
        """True when no object waits in the batch."""
        return not self._objects

    def is_empty_references(self) -> bool:
        """True when no reference waits in the batch."""
        return not self._references

    def pop_object(self, index: int = -1) -> dict[str, Any]:
        """Remove a waiting object (default the last) and return it as the request item."""
        with self._lock:
            payload = self._objects.pop(index)
        return decode(payload)

    def pop_reference(self, index: int = -1) -> dict[str, Any]:
        """Remove a waiting reference (default the last) and return it as the request item."""
        with self._lock:
            payload = self._references.pop(index)
        return decode(payload)

    def empty_objects(self) -> None:
        """Drop every waiting object."""
        with self._lock:
            self._objects.clear()

    def empty_references(self) -> None:
        """Drop every waiting reference."""
        with self._lock:
            self._references.clear()

    @property
    def failed_objects(self) -> list[FailedObject]:
        """Objects not written (rejected by the server, or their request failed), with why.

        Cleared when a ``with`` block starts; clear it yourself once handled otherwise.
        """
        return self._failures.objects

    @property
    def failed_references(self) -> list[FailedReference]:
        """References not written, with why (see :attr:`failed_objects`)."""
        return self._failures.references

    def add_failed(self) -> tuple[int, int]:
        """Add every failed object and reference again, once the cause is fixed (say, the
        server is back), and clear ``failed_*``; returns how many objects and
        references were added.

        An object added again replaces whatever its uuid holds, references included:
        call this before adding references to failed objects (as after a crash, when
        the import goes on with them). A reference added twice is stored twice, so
        those that may have been written (:attr:`FailedReference.maybe_written`) are
        first looked up on their source objects, and only those not stored are added.
        When that look-up fails, those references are failed again and
        :class:`BatchError` is raised (the objects are added by then).
        """
        self._raise_errors()  # (an error not raised yet comes first, before anything is taken)
        objects, references = self._failures.take()
        for failed in objects:
            entry = check_object(
                failed.data_object,
                failed.class_name,
                failed.uuid,
                failed.vector,
                failed.tenant,
                failed.vectors,
            )
            self._enqueue_object(entry, checked=True)
        sure = [r.payload() for r in references if not r.maybe_written]
        for payload in sure:
            self._queue_reference(payload)
        unsure = [r.payload() for r in references if r.maybe_written]
        if unsure:
            with self._lock:
                settings = self._settings
            # (raises when a source cannot be read, having failed those again)
            for payload in self._sender.unwritten_references(unsure, settings):
                self._queue_reference(payload)
                sure.append(payload)
        return len(objects), len(sure)

    # -- sending ------------------------------------------------------------------------

    def create_objects(self) -> list[dict[str, Any]]:
        """Send every waiting object now, in this thread; return the server's results.

        Each result carries ``result.errors`` when that object was rejected; rejected
        objects are also kept in :attr:`failed_objects`. Raises :class:`BatchError`
        when a request fails after its retries (its objects, and those not sent
        after it, are then in :attr:`failed_objects`).
        """
        with self._lock:
            payloads, self._objects = self._objects, []
        if payloads:
            _warn_manual_batching()
        return self._send_now("objects", payloads)

    def create_references(self) -> list[dict[str, Any]]:
        """Send every waiting reference now, in this thread; return the server's results.

        Waits first until the objects of the chunks already being sent are written.
        Raises like :meth:`create_objects`.
        """
        with self._lock:
            payloads, self._references = self._references, []
            earlier = list(self._in_flight)
        if payloads:
            _warn_manual_batching()
        for job in earlier:
            job.objects_done.wait()
        return self._send_now("references", payloads)

    def _send_now(self, kind: str, payloads: list[bytes]) -> list[dict[str, Any]]:
        with self._lock:
            settings = self._settings
            size = self._request_sizes_locked()[0 if kind == "objects" else 1]
        results: list[dict[str, Any]] = []
        callback_errors: list[Exception] = []
        for start in range(0, len(payloads), size):
            try:
                report = self._sender.send(
                    kind, payloads[start : start + size], settings, want_results=True
                )
            except BatchError:
                rest = payloads[start + size :]
                if rest:
                    self._failures.add(
                        kind, rest, f"not sent: an earlier request of this create_{kind}() failed"
                    )
                raise
            if report.callback_error is not None:
                callback_errors.append(report.callback_error)
            self._measured(kind, report)
            results.extend(report.results)
        if callback_errors:
            raise callback_errors[0]
        return results

    def flush(self) -> None:
        """Send everything waiting, wait until every chunk in flight is done, raise errors.

        Raises the :class:`BatchError` (or callback exception) of any chunk that failed
        since the last one raised; the items not written are in ``failed_*``.
        """
        while True:
            slots = self._slots
            slots.acquire()
            with self._lock:
                if slots is not self._slots:  # reconfigured meanwhile
                    slots.release()
                    continue
                if not self._objects and not self._references:
                    slots.release()
                    break
                self._submit_locked(self._cut_locked(slots))
        with self._lock:
            waiting = list(self._in_flight)
        for job in waiting:
            job.done.wait()
        self._raise_errors()

    def _is_full_locked(self) -> bool:
        if self._batch_size is None:
            return False
        if self._dynamic:
            return len(self._objects) >= (self._recommended_num_objects or 1) or len(
                self._references
            ) >= (self._recommended_num_references or 1)
        return len(self._objects) + len(self._references) >= self._batch_size

    def _request_sizes_locked(self) -> tuple[int, int]:
        """Most objects and references one request carries in the current mode."""
        if self._batch_size is None:
            return MANUAL_REQUEST_SIZE, MANUAL_REQUEST_SIZE
        if self._dynamic:
            return (
                self._recommended_num_objects or self._batch_size,
                self._recommended_num_references or self._batch_size,
            )
        return self._batch_size, self._batch_size

    def _send_full_chunks(self) -> None:
        """Cut and submit chunks while the buffer is full; blocks for a free slot."""
        while True:
            with self._lock:
                if not self._is_full_locked():
                    return
                slots = self._slots
            slots.acquire()  # back-pressure: wait while enough chunks are in flight
            with self._lock:
                if slots is not self._slots or not self._is_full_locked():
                    slots.release()
                    continue
                self._submit_locked(self._cut_locked(slots))

    def _cut_locked(self, slot: threading.Semaphore) -> _Job:
        max_objects, max_references = self._request_sizes_locked()
        objects = self._objects[:max_objects]
        del self._objects[:max_objects]
        references: list[bytes] = []
        if not self._objects:
            # Only once every waiting object is in this chunk (or an earlier one) may
            # references go: each starts at an object added before it.
            references = self._references[:max_references]
            del self._references[:max_references]
        # Chunks are cut and submitted in one locked step, so the pool (FIFO) starts
        # every chunk this one waits for before it: waiting cannot deadlock.
        earlier = [job for job in self._in_flight if not job.objects_done.is_set()]
        return _Job(objects, references, self._settings, earlier if references else [], slot)

    def _submit_locked(self, job: _Job) -> None:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=self._num_workers, thread_name_prefix="wvorm-batch"
            )
        self._in_flight.append(job)
        self._executor.submit(self._run, job)

    def _run(self, job: _Job) -> None:
        try:
            if job.objects:
                try:
                    self._measured(
                        "objects", self._sender.send("objects", job.objects, job.settings)
                    )
                except BatchError as exc:
                    job.objects_ok = False
                    self._add_error(exc)
            job.objects_done.set()
            if job.references:
                for earlier in job.waits_for:
                    earlier.objects_done.wait()
                if job.objects_ok and all(earlier.objects_ok for earlier in job.waits_for):
                    try:
                        report = self._sender.send("references", job.references, job.settings)
                        self._measured("references", report)
                    except BatchError as exc:
                        self._add_error(exc)
                else:
                    self._failures.add_references(
                        job.references,
                        "not sent: objects added before these references could not be "
                        "written (see the BatchError raised for them)",
                    )
        except Exception as exc:  # a bug; still report it where the user will see it
            logger.exception("Unexpected error in a batch worker")
            self._add_error(exc)
        finally:
            job.objects_done.set()
            with self._lock:
                self._in_flight.remove(job)
            job.slot.release()
            job.done.set()

    def _measured(self, kind: str, report: SendReport) -> None:
        """Note a callback error, and adapt the dynamic sizes to a request's throughput."""
        if report.callback_error is not None:
            self._add_error(report.callback_error)
        with self._lock:
            if self._batch_size is None or not self._dynamic:
                return
            objects = kind == "objects"
            current = (
                self._recommended_num_objects if objects else self._recommended_num_references
            ) or self._batch_size
            if report.timed_out:
                size = max(1, current // 2)
            elif report.count and report.seconds > 0:
                rates = self._object_rates if objects else self._reference_rates
                rates.append(report.count / report.seconds)
                target = round(sum(rates) / len(rates) * self._creation_time)
                size = max(1, min(target, current * 2, MAX_RECOMMENDED_SIZE))
            else:
                return
            if objects:
                self._recommended_num_objects = size
            else:
                self._recommended_num_references = size

    def _add_error(self, error: Exception) -> None:
        with self._lock:
            self._errors.append(error)

    def _raise_errors(self) -> None:
        """Raise the first error of a chunk since the last raise; log the others."""
        if not self._errors:  # cheap check without the lock on the hot path
            return
        with self._lock:
            errors, self._errors = self._errors, []
        if not errors:
            return
        for extra in errors[1:]:
            logger.error("Another batch error in the same period: %s", extra)
        raise errors[0]

    # -- worker pool and context manager ---------------------------------------------------

    def start(self) -> Batch:
        """Start the worker pool (it also starts by itself when needed)."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(
                    max_workers=self._num_workers, thread_name_prefix="wvorm-batch"
                )
        return self

    def shutdown(self) -> None:
        """Wait for the chunks in flight and stop the worker pool (waiting items stay)."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)

    def __enter__(self) -> Batch:
        self._failures.clear()
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        if isinstance(exc, KeyboardInterrupt):
            # The user wants to stop: do not block on the network. Items stay waiting.
            logger.warning(
                "Batch not flushed after KeyboardInterrupt: %d object(s) and %d reference(s) "
                "are still waiting in the batch",
                *self.shape,
            )
            return
        try:
            self.flush()
        except Exception as flush_error:
            if exc is None:
                raise
            # The exception already propagating stays the one the caller sees.
            logger.error("Flushing the batch on exit also failed: %s", flush_error)
            if hasattr(exc, "add_note"):  # Python 3.11+
                exc.add_note(f"While exiting the batch, flushing also failed: {flush_error!r}")
        finally:
            self.shutdown()

    # -- deleting and waiting ---------------------------------------------------------------

    def delete_objects(
        self,
        class_name: str,
        where: Mapping[str, Any],
        output: str = "minimal",
        dry_run: bool = False,
        tenant: Optional[str] = None,
    ) -> dict[str, Any]:
        """Delete every object of ``class_name`` matching the ``where`` filter.

        ``where`` is the filter dict ``with_where`` takes (``path``, ``operator``,
        ``value*``; or ``operator`` And/Or with ``operands``); it is not changed.
        ``output`` is "minimal" (counts) or "verbose" (every object's status);
        ``dry_run=True`` only counts the matches. Returns the server's answer.
        """
        if not isinstance(class_name, str) or not class_name:
            raise UsageError(f"class_name must be a non-empty str, got {class_name!r}")
        if output not in ("minimal", "verbose"):
            raise UsageError(f"output must be 'minimal' or 'verbose', got {output!r}")
        if not isinstance(dry_run, bool):
            raise UsageError(f"dry_run must be a bool, got {dry_run!r}")
        if tenant is not None and not isinstance(tenant, str):
            raise UsageError(f"tenant must be a str or None, got {type(tenant).__name__}")
        where_json = rest_where_filter(where)
        return self._rest_delete(
            capitalize_first_letter(class_name), where_json, output, dry_run, tenant
        )

    def _rest_delete(
        self,
        class_name: str,
        where: dict[str, Any],
        output: str,
        dry_run: bool,
        tenant: Optional[str],
    ) -> dict[str, Any]:
        """``DELETE /v1/batch/objects`` and the server's JSON answer."""
        payload = {
            "match": {"class": class_name, "where": where},
            "output": output,
            "dryRun": dry_run,
        }
        params = {"consistency_level": self._settings.consistency_level, "tenant": tenant}
        response = self._connection.delete("/batch/objects", json=payload, params=params)
        if response.status_code != 200:
            raise UnexpectedStatusCodeException("Delete objects in batch", response)
        result: dict[str, Any] = json_body(response, "Delete objects in batch")
        return result

    def delete_matching(
        self,
        class_name: str,
        node: plan.FilterNode,
        *,
        dry_run: bool = False,
        tenant: Optional[str] = None,
    ) -> DeleteResult:
        """Delete (or with ``dry_run`` only find) the objects of ``class_name`` matching a
        checked filter node, reporting each one: the typed way in, used by the ORM.

        Goes over gRPC (BatchDelete) when the client's transport is gRPC, else REST;
        both answer the same :class:`DeleteResult`. (:meth:`delete_objects` keeps
        v3's REST answer exactly.)
        """
        channel = self._grpc_channel()
        level = self._settings.consistency_level
        if channel is not None:
            from wvorm.grpc import messages

            request = messages.batch_delete_request(class_name, node, dry_run, tenant, level)
            reply = channel.call(
                "BatchDelete", request, lambda: f"BatchDelete of {class_name} where {brief(node)}"
            )
            return messages.delete_result(reply, dry_run)
        answer = self._rest_delete(class_name, filter_json(node), "verbose", dry_run, tenant)
        return DeleteResult.from_rest(answer)

    def wait_for_vector_indexing(
        self, shards: Optional[list[Shard]] = None, how_many_failures: int = 5
    ) -> None:
        """Wait until every shard imported into (or ``shards``) has indexed its vectors.

        Connection errors are retried ``how_many_failures`` times with growing pauses.
        """
        if shards is not None and (
            not isinstance(shards, list) or not all(isinstance(s, Shard) for s in shards)
        ):
            raise UsageError(f"shards must be a list of Shard, got {shards!r}")
        with self._lock:
            targets = shards if shards is not None else [Shard(c, t) for c, t in self._shards]
        failures = 0
        while True:
            try:
                if all(self._shard_indexed(shard) for shard in targets):
                    return
            except OSError as exc:  # WeaviateConnectionError is an OSError via requests
                if failures >= how_many_failures:
                    raise
                logger.warning("Reading shard status failed (%s); trying again", exc)
                time.sleep(2**failures)
                failures += 1
                continue
            logger.info("Waiting for vector indexing to finish")
            time.sleep(0.25)

    def _shard_indexed(self, shard: Shard) -> bool:
        statuses = self._connection.get_json(
            f"/schema/{capitalize_first_letter(shard.class_name)}/shards",
            "Get shard status",
            params={"tenant": shard.tenant},
            expected=list,
        )
        return all(
            s.get("status") == "READY" and s.get("vectorQueueSize", 0) == 0 for s in statuses
        )

    def __repr__(self) -> str:
        objects, references = self.shape
        mode = (
            "manual"
            if self._batch_size is None
            else f"{'dynamic' if self._dynamic else 'auto'}, batch_size={self._batch_size}"
        )
        return f"Batch({mode}, num_workers={self._num_workers}, waiting={objects}+{references})"


def _check_int(value: Any, name: str, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise UsageError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise UsageError(f"{name} must be >= {minimum}, got {value}")


def _check_positive_real(value: Any, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise UsageError(f"{name} must be a number, got {value!r}")
    if not value > 0:  # type: ignore[operator]
        raise UsageError(f"{name} must be > 0, got {value}")


def _consistency_level(value: Union[ConsistencyLevel, str, None]) -> Optional[str]:
    if value is None:
        return None
    try:
        return ConsistencyLevel(value).value
    except ValueError:
        raise UsageError(
            f"consistency_level must be one of {[level.value for level in ConsistencyLevel]} "
            f"or None, got {value!r}"
        ) from None

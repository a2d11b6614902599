"""One batch request, sent until the server has answered it.

:class:`Sender` posts a chunk of encoded items to ``/batch/objects`` or
``/batch/references``, retries timeouts, connection errors, 429 and 5xx with
backoff, re-sends items the server rejected with a retryable error
(:class:`WeaviateErrorRetryConf`), runs the user's callback, and records every
item that was not written in the batch's :class:`~wvorm.batch.items.FailureLog`.
:class:`~wvorm.batch.Batch` calls it from its worker threads and, for
``create_objects`` / ``create_references``, from the caller's thread.

Objects are safe to re-send (their uuids are fixed when they are added), but after a
timeout, as in v3, the objects the server already holds as sent are looked up and
left out of the retry, so a slow server is not sent the whole chunk again.
References are not safe to re-send: the server appends a reference each time. So
after a failure that may have reached the server (a timeout, a dropped connection, a
500), references that the server already holds are looked up and left out of the
next attempt. Items found written are reported as succeeded.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

import requests

from wvorm._inputs import holds_vectors
from wvorm.batch.items import (
    FailureLog,
    decode,
    is_batch_object,
    objects_body,
    parse_beacon,
    references_body,
)
from wvorm.connection import Connection, backoff_delay
from wvorm.data.replication import naming_level
from wvorm.errors import (
    BatchConnectionError,
    BatchError,
    BatchStatusError,
    BatchTimeoutError,
    QueryError,
    ResponseCannotBeDecodedException,
    UnexpectedStatusCodeException,
    UsageError,
    WeaviateConnectionError,
    WeaviateConnectTimeoutError,
    WeaviateTimeoutError,
    json_body,
    may_have_reached_server,
)
from wvorm.util import check_batch_result

if TYPE_CHECKING:
    from wvorm.grpc.channel import GrpcChannel

logger = logging.getLogger("wvorm.batch")

BatchCallback = Callable[[list[dict[str, Any]]], None]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Statuses after which the server may have applied the request (a proxy's 502/504
# can hide an upstream that finished); 429 and 503 mean it was turned away.
MAYBE_APPLIED_STATUSES = frozenset({500, 502, 504})


@dataclass(frozen=True)
class WeaviateErrorRetryConf:
    """Re-send batch items that the server rejected with an error (v3 name and fields).

    ``number_retries``: how many times a rejected item is sent again (>= 1).
    ``errors_to_exclude``: retry every error except those whose message contains one
    of these strings. ``errors_to_include``: retry only errors whose message contains
    one of these strings. At most one of the two lists may be given; with neither,
    every error is retried.
    """

    number_retries: int = 3
    errors_to_exclude: Optional[list[str]] = None
    errors_to_include: Optional[list[str]] = None

    def __post_init__(self) -> None:
        if self.errors_to_exclude is not None and self.errors_to_include is not None:
            raise UsageError(
                "WeaviateErrorRetryConf takes errors_to_exclude or errors_to_include, not both"
            )
        number = self.number_retries
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise UsageError(f"number_retries must be an int >= 1, got {number!r}")
        for name in ("errors_to_exclude", "errors_to_include"):
            entries = getattr(self, name)
            if entries is None:
                continue
            if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
                raise UsageError(f"{name} must be a list of str, got {entries!r}")
        if self.errors_to_include is not None and not self.errors_to_include:
            raise UsageError("errors_to_include is empty, so no error would ever be retried")

    def should_retry(self, messages: Sequence[str]) -> bool:
        """True when an item rejected with ``messages`` should be sent again."""
        text = " ".join(messages)
        if self.errors_to_include is not None:
            return any(part in text for part in self.errors_to_include)
        if self.errors_to_exclude is not None:
            return not any(part in text for part in self.errors_to_exclude)
        return True


@dataclass(frozen=True)
class SendSettings:
    """The batch configuration a chunk is sent with, fixed when the chunk is cut.

    Retries of a chunk therefore keep its consistency level and retry budget even
    if the batch is reconfigured meanwhile.
    """

    consistency_level: Optional[str] = None
    timeout_retries: int = 3
    connection_error_retries: int = 3
    weaviate_error_retries: Optional[WeaviateErrorRetryConf] = None
    callback: Optional[BatchCallback] = check_batch_result


# A restarted server answers "ready" while it still loads class indexes; items sent
# then are rejected with this message although nothing is wrong with them. They were
# not written, so sending them again (a bounded number of times) is safe.
STARTUP_ERROR_RETRIES = WeaviateErrorRetryConf(
    number_retries=5, errors_to_include=["could not find index for class"]
)


@dataclass
class SendReport:
    """What a :meth:`Sender.send` achieved."""

    results: list[dict[str, Any]]  # the server's per-item results, when they were read
    count: int = 0  # items in the last answered request
    seconds: float = 0.0  # how long that request took
    timed_out: bool = False  # whether some attempt timed out
    callback_error: Optional[Exception] = None  # what the user's callback raised, if anything


class Sender:
    """Sends chunks of encoded items for one batch; safe to use from many threads."""

    backoff_base = 1.0  # seconds; long enough for retries to span a server restart
    backoff_max = 20.0

    def __init__(
        self,
        connection: Connection,
        failures: FailureLog,
        grpc_channel: Callable[[], Optional[GrpcChannel]] = lambda: None,
    ) -> None:
        self._connection = connection
        self._failures = failures
        self._grpc_channel = grpc_channel  # sends the objects queued as gRPC entries
        self._callback_lock = threading.Lock()  # user callbacks need not be thread-safe

    def retry_delay(self, attempt: int) -> float:
        """Seconds to wait before retry ``attempt`` (0-based): half fixed, half random."""
        ceiling = min(self.backoff_max, self.backoff_base * 2.0**attempt)
        return ceiling / 2 + backoff_delay(attempt, self.backoff_base, self.backoff_max) / 2

    def send(
        self,
        kind: str,
        payloads: Sequence[bytes],
        settings: SendSettings,
        want_results: bool = False,
    ) -> SendReport:
        """Write ``payloads`` of ``kind`` ("objects" or "references").

        Items the server rejects are recorded as failed and passed to the callback.
        Raises :class:`BatchError` when a request cannot be made after its retries;
        every item of the chunk not written by then is recorded as failed first.
        Exceptions from the callback are returned in the report, not raised.
        """
        report = SendReport(results=[])
        pending = list(payloads)
        rounds = 0
        while pending:
            try:
                response, sent, seconds = self._post(kind, pending, settings, report)
            except BatchError:
                raise  # _post recorded what it could not write
            except Exception as exc:  # a bug or an unexpected answer: still lose nothing
                message = f"Sending {len(pending)} {kind} failed unexpectedly: {exc!r}"
                self._failures.add(kind, pending, message, maybe_written=True)
                raise BatchError(message) from exc
            callback = settings.callback
            if len(sent) < len(pending) and (want_results or callback is not None):
                # items a look-up after a cut-off found written: shown as succeeded
                left = set(sent)
                written = [{**decode(p), "result": {}} for p in pending if p not in left]
                if want_results:
                    report.results.extend(written)
                if callback is not None:
                    error = self._run_callback(callback, written)
                    report.callback_error = report.callback_error or error
            if response is None:  # every item was already written
                return report
            report.count, report.seconds = len(sent), seconds
            if (
                not want_results
                and (callback is None or callback is check_batch_result)
                and _plainly_succeeded(response)
            ):
                return report  # nothing rejected and nobody to show results to: skip parsing
            results = self._results(kind, sent, response)
            retry: list[bytes] = []
            shown: list[dict[str, Any]] = []
            conf = settings.weaviate_error_retries or STARTUP_ERROR_RETRIES
            for payload, result in zip(sent, results):
                messages = error_messages(result)
                if messages and rounds < conf.number_retries and conf.should_retry(messages):
                    retry.append(payload)
                    continue
                if messages:
                    message = naming_level("; ".join(messages), settings.consistency_level)
                    self._failures.add(kind, [payload], message)
                shown.append(result)
            if want_results:
                report.results.extend(shown)
            if callback is not None and shown:
                report.callback_error = report.callback_error or self._run_callback(callback, shown)
            if retry:
                logger.warning(
                    "Re-sending %d %s the server rejected with a retryable error", len(retry), kind
                )
                time.sleep(self.retry_delay(rounds))
                rounds += 1
            pending = retry
        return report

    def _run_callback(
        self, callback: BatchCallback, results: list[dict[str, Any]]
    ) -> Optional[Exception]:
        with self._callback_lock:
            try:
                callback(results)
            except Exception as exc:  # reported to the caller; the items were written
                return exc
        return None

    def _results(self, kind: str, sent: Sequence[bytes], response: Answer) -> list[dict[str, Any]]:
        if isinstance(response, GrpcAnswer):
            return response.results(sent)
        try:
            results = response.json()
        except ValueError:
            results = None
        if results == []:
            # v3 accepts an empty answer; the items are kept as failed, not assumed written
            message = (
                f"Weaviate answered a batch of {len(sent)} {kind} with an empty result list; "
                "whether they were written is unknown"
            )
            logger.warning("%s", message)
            self._failures.add(kind, sent, message, maybe_written=True)
            return []
        if not isinstance(results, list) or len(results) != len(sent):
            message = (
                f"Weaviate answered a batch of {len(sent)} {kind} with an unreadable result "
                f"({response.text[:200]!r}); whether they were written is unknown"
            )
            self._failures.add(kind, sent, message, maybe_written=True)
            raise BatchError(message)
        return results

    def _post(
        self, kind: str, payloads: list[bytes], settings: SendSettings, report: SendReport
    ) -> tuple[Optional[Answer], list[bytes], float]:
        """POST ``payloads`` until answered with 200: ``(response, items sent, seconds)``.

        ``response`` is None when no reference was left to send after a lookup.
        Objects queued as gRPC entries go to the gRPC BatchObjects method instead,
        with the same retries.
        """
        grpc_entries = kind == "objects" and is_batch_object(payloads[0])
        path = "(gRPC BatchObjects)" if grpc_entries else f"/batch/{kind}"
        params = {"consistency_level": settings.consistency_level}
        timeouts = connection_errors = attempt = 0
        maybe_applied = timed_out = False
        while True:
            try:
                if maybe_applied and kind == "references":
                    payloads = self.unwritten_references(payloads, settings, while_sending=True)
                    if not payloads:
                        return None, [], 0.0
                if timed_out and kind == "objects":
                    # (as v3: a slow server is not sent the whole chunk again)
                    payloads, timed_out = self.unwritten_objects(payloads, settings), False
                    if not payloads:
                        return None, [], 0.0
                started = time.monotonic()
                if grpc_entries:
                    answer = self._grpc_post(payloads, settings)
                    return answer, payloads, time.monotonic() - started
                body = objects_body(payloads) if kind == "objects" else references_body(payloads)
                response = self._connection.request(
                    "POST", path, data=body, params=params, retry=False
                )
            except WeaviateConnectionError as exc:
                failure: Exception = exc
                maybe_applied = maybe_applied or may_have_reached_server(exc)
                if _is_read_timeout(exc):  # (a connect timeout is a connection error, as v3)
                    report.timed_out = timed_out = True
                    give_up = timeouts >= settings.timeout_retries
                    timeouts += 1
                else:
                    give_up = connection_errors >= settings.connection_error_retries
                    connection_errors += 1
            except QueryError as exc:  # the gRPC call failed as a whole, not retryable
                failure, give_up = exc, True
            else:
                if response.status_code == 200:
                    return response, payloads, time.monotonic() - started
                failure = UnexpectedStatusCodeException(f"Create {kind} in batch", response)
                give_up = (
                    response.status_code not in RETRY_STATUSES
                    or connection_errors >= settings.connection_error_retries
                )
                connection_errors += 1
                maybe_applied = maybe_applied or response.status_code in MAYBE_APPLIED_STATUSES
            if give_up:
                outcome = "may not have been" if maybe_applied else "were not"
                request = path if grpc_entries else f"POST /v1{path}"
                message = (
                    f"Batch request {request} with {len(payloads)} {kind} failed after "
                    f"{attempt + 1} attempt(s): {failure} Those {kind} {outcome} written; they "
                    f"are kept in batch.failed_{kind} to be added again once the cause is fixed."
                )
                error = _batch_error(failure, message, len(payloads))
                # the current list: references found written after a cut-off are not in it
                self._failures.add(kind, payloads, str(error), maybe_written=maybe_applied)
                raise error from failure
            delay = self.retry_delay(attempt)
            logger.warning("Batch request %s failed (%s); retrying in %.1fs", path, failure, delay)
            time.sleep(delay)
            attempt += 1

    def _grpc_post(self, payloads: list[bytes], settings: SendSettings) -> GrpcAnswer:
        channel = self._grpc_channel()
        if channel is None:  # (the client chose gRPC when these were queued)
            raise WeaviateConnectionError("the gRPC channel of this client is closed")
        from wvorm.grpc.messages import batch_request

        request = batch_request(payloads, settings.consistency_level)
        reply = channel.call(
            "BatchObjects",
            request,
            lambda: f"BatchObjects of {len(payloads)} objects",
            retry=False,  # retried here, with the batch's own settings
        )
        return GrpcAnswer({e.index: e.error for e in reply.errors})

    def unwritten_objects(self, payloads: list[bytes], settings: SendSettings) -> list[bytes]:
        """``payloads`` without the objects the server already holds exactly as sent.

        Used after a timed-out attempt, so a retry sends only what is missing or
        different. Objects are safe to send twice (their uuids are fixed), so any
        doubt, such as a read that fails, keeps an object in.
        """
        items = [decode(p) for p in payloads]
        keys = [(i["class"], i["id"], i.get("tenant")) for i in items]
        seen = Counter(keys)
        keep: list[bytes] = []
        for index, (payload, item, key) in enumerate(zip(payloads, items, keys)):
            if seen[key] > 1:
                # (added more than once: the last one sent wins, so all are sent again)
                keep.append(payload)
                continue
            try:
                response = self._connection.get(
                    f"/objects/{item['class']}/{item['id']}",
                    params={
                        "include": "vector",
                        "tenant": item.get("tenant"),
                        "consistency_level": settings.consistency_level,
                    },
                )
                stored = json_body(response, "Read the object back") if response.ok else None
            except WeaviateConnectionError:  # (after its retries) the rest are sent unread
                keep.extend(payloads[index:])
                break
            except ResponseCannotBeDecodedException:
                stored = None
            if not (isinstance(stored, dict) and _holds(stored, item)):
                keep.append(payload)
        if len(keep) < len(payloads):
            logger.info(
                "%d object(s) were already written before the timeout", len(payloads) - len(keep)
            )
        return keep

    def unwritten_references(
        self, payloads: list[bytes], settings: SendSettings, while_sending: bool = False
    ) -> list[bytes]:
        """``payloads`` without the references the server already holds.

        Used after an attempt that may have been applied, so a retry does not add a
        reference twice. A source object that does not exist holds none, so its
        references are sent again (for the server to report). When a source cannot be
        read (any other answer), the rest are not tried either: the references not
        confirmed are recorded as failed, those of unread sources saying that they may
        or may not be written (sending them again could store them twice), and a
        BatchError stops the batch, as when a request fails after its retries. Except
        ``while_sending`` a chunk, when a server that cannot be reached at all raises
        its WeaviateConnectionError: the chunk's own retries (with their longer
        backoff, which outlasts a restart) then look again.
        """
        wanted: dict[tuple[str, str, Optional[str]], list[int]] = defaultdict(list)
        items = [decode(p) for p in payloads]
        for index, item in enumerate(items):
            class_name, uuid, _ = parse_beacon(item["from"])
            wanted[(class_name or "", uuid, item.get("tenant"))].append(index)
        keep: list[int] = []
        unread: list[int] = []
        answer = ""
        for (class_name, uuid, tenant), indexes in wanted.items():
            if unread:  # (the server could not answer one read: the rest are not tried)
                unread.extend(indexes)
                continue
            try:
                response = self._connection.get(
                    f"/objects/{class_name}/{uuid}",
                    params={"tenant": tenant, "consistency_level": settings.consistency_level},
                )
            except WeaviateConnectionError as exc:  # (after its retries: the server is away)
                if while_sending:
                    raise
                unread.extend(indexes)
                answer = f"GET /v1/objects/{class_name}/{uuid} failed: {exc}"
                continue
            if response.status_code == 404:
                keep.extend(indexes)
                continue
            stored = None
            if response.status_code == 200:
                with contextlib.suppress(ResponseCannotBeDecodedException):
                    stored = json_body(response, "Read the object back")
            if not isinstance(stored, dict):
                unread.extend(indexes)
                answer = f"GET /v1/objects/{class_name}/{uuid} answered {response.status_code} "
                answer += repr(response.text[:100])
                continue
            properties = stored.get("properties") or {}
            for index in indexes:
                _, _, prop = parse_beacon(items[index]["from"])
                held = properties.get(prop or "") or []
                if not any(_same_target(ref, items[index]["to"]) for ref in held):
                    keep.append(index)
        if unread:
            cause = (
                f"a batch request with {len(payloads)} references failed after the server may "
                f"have applied it, and reading their source objects back to check failed "
                f"({answer})"
            )
            self._failures.add(
                "references",
                [payloads[i] for i in unread],
                f"Not confirmed: {cause}. They were not sent again, since a reference added "
                "twice is stored twice: they may or may not be written.",
                maybe_written=True,
            )
            if keep:
                self._failures.add(
                    "references",
                    [payloads[i] for i in keep],
                    f"Not written: {cause}, and they were not sent again.",
                )
            raise BatchError(f"Batch stopped: {cause}; see batch.failed_references.")
        dropped = len(payloads) - len(keep)
        if dropped:
            logger.info("%d reference(s) were already written before the failure", dropped)
        return [payloads[i] for i in sorted(keep)]


def _is_read_timeout(exc: Exception) -> bool:
    """A read timeout (or a gRPC deadline), not a connect timeout."""
    return isinstance(exc, WeaviateTimeoutError) and not isinstance(
        exc, WeaviateConnectTimeoutError
    )


def _batch_error(failure: Exception, message: str, size: int) -> BatchError:
    """The error for a request given up after ``failure``: also of the type v3 raised
    for it (a ReadTimeout, a ConnectionError, an UnexpectedStatusCodeException), so v3
    ``except`` clauses hold."""
    if _is_read_timeout(failure):
        return BatchTimeoutError(
            f"{message} Try a smaller batch size (this request had {size}), so that one "
            "request takes well under the read timeout."
        )
    if isinstance(failure, WeaviateConnectionError):
        return BatchConnectionError(message)
    if isinstance(failure, UnexpectedStatusCodeException):
        return BatchStatusError(message, failure.response)
    return BatchError(message)


def _holds(stored: dict[str, Any], item: dict[str, Any]) -> bool:
    """Whether ``stored`` (an object as REST returns it) is batch ``item`` as written:
    the same properties, and the same vectors in float32 where the item sets them
    (an item without one may have been vectorized by the server)."""
    if (stored.get("properties") or {}) != (item.get("properties") or {}):
        return False
    return holds_vectors(stored, item.get("vector"), item.get("vectors") or {})


def _same_target(ref: Any, beacon: str) -> bool:
    held = ref.get("beacon") if isinstance(ref, dict) else None
    if not isinstance(held, str):
        return False
    if held == beacon:
        return True
    # a beacon without a class names the same object as one with it
    return held.rsplit("/", 1)[-1] == beacon.rsplit("/", 1)[-1] and beacon.count("/") == 3


@dataclass
class GrpcAnswer:
    """The answer to a gRPC BatchObjects call: the error of each rejected object."""

    errors: dict[int, str]

    def results(self, sent: Sequence[bytes]) -> list[dict[str, Any]]:
        """Per-object results shaped as REST's (the object, with ``result.errors``)."""
        out = []
        for index, payload in enumerate(sent):
            item = decode(payload)
            message = self.errors.get(index)
            item["result"] = {"errors": {"error": [{"message": message}]}} if message else {}
            out.append(item)
        return out


Answer = Union[requests.Response, GrpcAnswer]


_EMPTY_LIST = re.compile(rb"\[\s*\]")


def _plainly_succeeded(answer: Answer) -> bool:
    """True when the answer reports no error, seen without parsing it: a JSON array
    (anything else, such as a proxy's HTML page, is parsed, and refused, in full)
    without an ``"errors"`` key."""
    if isinstance(answer, GrpcAnswer):
        return not answer.errors
    body = answer.content.strip()
    # (an empty list answers no item: parsed, so its items are not taken as written;
    # the match stops at the first item, so a long answer is not copied or scanned)
    return (
        body[:1] == b"["
        and body[-1:] == b"]"
        and b'"errors"' not in body
        and _EMPTY_LIST.fullmatch(body) is None
    )


def error_messages(result: Any) -> list[str]:
    """The error messages of one per-item result of a batch answer (empty if it succeeded)."""
    if not isinstance(result, dict):
        return []
    errors = (result.get("result") or {}).get("errors")
    if not errors:
        return []
    entries = (errors.get("error") or []) if isinstance(errors, dict) else []
    return [str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in entries] or [
        str(errors)
    ]

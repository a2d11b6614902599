"""Batch items: objects and references encoded to JSON once, and the records of failures.

:class:`~wvorm.batch.Batch` encodes each item when it is added: the caller's dicts
are read once and never kept (later changes to them cannot leak into a request), a
bad value fails at ``add_*`` with a message naming it, and a request body is only
a join of ready bytes. :mod:`wvorm.batch.sender` decodes items again only for the
rare failure records.

Vectors are the bulk of most objects; ``orjson`` (the ``wvorm[fast]`` extra)
encodes them about twenty times faster than the standard library when installed.
"""

from __future__ import annotations

import importlib
import json
import re
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional
from uuid import uuid4

from wvorm._inputs import capitalize_first_letter, check_json, get_valid_uuid, get_vector
from wvorm.errors import UsageError
from wvorm.util import UUIDLike

_orjson: Any
try:  # optional: much faster float formatting for vectors
    _orjson = importlib.import_module("orjson")
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None

_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
BEACON_PREFIX = "weaviate://localhost/"
# What the JSON of properties shows when a value may not be stored as sent: a surrogate
# escape (a lone one is stored as U+FFFD; ensure_ascii also writes every character
# beyond the BMP as a pair) or a run of 16 digits (an int beyond 2**53 is rounded).
# Rare, so check_json makes the exact call only then.
_MAYBE_INEXACT = re.compile(rb"\\ud[89a-f]|[0-9]{16}")


def _encode_vector(vector: Sequence[Any]) -> bytes:
    """The JSON array of ``vector``; rejects NaN, infinities and non-numbers."""
    try:
        if _orjson is not None:
            encoded: bytes = _orjson.dumps(vector)  # writes NaN and infinities as null
        else:
            encoded = _ENCODER.encode(vector).encode()
    except ValueError:  # the standard library refuses NaN and infinities
        raise UsageError("vector must not contain NaN or infinity") from None
    except TypeError as exc:
        raise UsageError(f"vector must hold only numbers: {exc}") from None
    # Numbers are written with digits, '.', 'e', '-' and '+' only, so one-byte scans
    # (fast) find null (NaN, infinity, None), true, false, strings and objects.
    if b"n" in encoded or b"t" in encoded or b"a" in encoded:
        if b"null" in encoded:
            raise UsageError("vector must not contain NaN, infinity or None")
        raise UsageError("vector must hold only numbers, not booleans or strings")
    if b'"' in encoded or b"{" in encoded:
        raise UsageError("vector must hold only numbers, not strings or objects")
    return encoded


@dataclass(frozen=True)
class ObjectEntry:
    """One object as the batch queues it, its values already in Weaviate's JSON form.

    :meth:`Batch.add_data_object` checks its arguments into an entry; the ORM, whose
    values are checked by their model, builds entries itself
    (:meth:`Batch.add_object_entry`). ``class_name`` is spelled as the server does.
    """

    class_name: str
    uuid: str
    properties: Mapping[str, Any]
    vector: Optional[Sequence[float]] = None
    vectors: Optional[Mapping[str, Sequence[float]]] = None
    tenant: Optional[str] = None


def check_object(
    data_object: Mapping[str, Any],
    class_name: str,
    uuid: Optional[UUIDLike],
    vector: Optional[Sequence[Any]],
    tenant: Optional[str],
    vectors: Optional[Mapping[str, Sequence[Any]]] = None,
) -> ObjectEntry:
    """The entry of :meth:`Batch.add_data_object`'s arguments, checked.

    A uuid is always assigned here (uuid4 when none is given), so re-sending the
    object after a lost answer replaces it instead of creating a duplicate.
    ``vectors`` holds named vectors (classes with several vector spaces); vectors
    may be numpy arrays or tensors.
    """
    if not isinstance(data_object, Mapping):
        raise UsageError(
            f"data_object must be a dict of property names to values, "
            f"got {type(data_object).__name__}"
        )
    if not isinstance(class_name, str) or not class_name:
        raise UsageError(f"class_name must be a non-empty str, got {class_name!r}")
    if tenant is not None and not isinstance(tenant, str):
        raise UsageError(f"tenant must be a str or None, got {type(tenant).__name__}")
    if vectors is not None and not isinstance(vectors, Mapping):
        raise UsageError(
            f"vectors must be a dict of vector names to vectors, got {type(vectors).__name__}"
        )
    object_id = str(uuid4()) if uuid is None else get_valid_uuid(uuid)
    class_name = capitalize_first_letter(class_name)
    try:
        named = None
        if vectors:
            named = {}
            for name, value in vectors.items():
                if not isinstance(name, str) or not name:
                    raise UsageError(f"vector names must be non-empty str, got {name!r}")
                named[name] = get_vector(value)
        plain = None if vector is None else get_vector(vector)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"Invalid vector for {class_name!r} object {object_id}: {exc}") from None
    properties = dict(data_object)  # a snapshot: later changes to the caller's dict stay out
    return ObjectEntry(class_name, object_id, properties, plain, named, tenant)


def _json_head(entry: ObjectEntry) -> bytes:
    item: dict[str, Any] = {
        "class": entry.class_name, "id": entry.uuid, "properties": entry.properties
    }  # fmt: skip
    if entry.tenant is not None:
        item["tenant"] = entry.tenant
    where = f"data_object for class {entry.class_name!r} (uuid {entry.uuid})"
    try:
        head = _ENCODER.encode(item).encode()
    except (TypeError, ValueError) as exc:
        check_json(entry.properties, where)  # (a UsageError naming the property, mostly)
        raise type(exc)(
            f"data_object for class {entry.class_name!r} (uuid {entry.uuid}) cannot be sent as "
            f"JSON: {exc}. Convert values to JSON types first (str(uuid), datetime.isoformat(), "
            "float values that are not NaN)."
        ) from None
    if _MAYBE_INEXACT.search(head):
        check_json(entry.properties, where)
    return head


def encode_entry(entry: ObjectEntry, grpc: bool = False, checked: bool = True) -> bytes:
    """An entry as JSON bytes for ``POST /batch/objects``, or with ``grpc`` as an entry
    of a gRPC BatchObjectsRequest (:func:`wvorm.grpc.messages.batch_object`).

    ``checked=False`` (the ORM's trusted entries, whose vectors are plain sequences
    already) skips the JSON check of the properties on gRPC, where no JSON is
    written; vectors are always checked.
    """
    vector, vectors = entry.vector, entry.vectors
    if grpc:
        from wvorm.grpc.messages import batch_object

        if checked:
            _json_head(entry)  # the same refusals as over REST (NaN, non-JSON values)
        try:
            return batch_object(
                entry.uuid, entry.class_name, dict(entry.properties), vector, vectors, entry.tenant
            )
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"Invalid values for {entry.class_name!r} object {entry.uuid}: {exc}"
            ) from None
    head = _json_head(entry)
    if vector is None and not vectors:
        return head
    # The vectors are spliced in as ready JSON: they are most of the bytes, and
    # _encode_vector formats them fastest.
    parts = [head[:-1]]
    try:
        if vector is not None:
            parts += [b',"vector":', _encode_vector(vector)]
        if vectors:
            named = [
                b"%s:%s" % (_ENCODER.encode(name).encode(), _encode_vector(value))
                for name, value in vectors.items()
            ]
            parts += [b',"vectors":{', b",".join(named), b"}"]
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"Invalid vector for {entry.class_name!r} object {entry.uuid}: {exc}"
        ) from None
    parts.append(b"}")
    return b"".join(parts)


def encode_object(
    data_object: Mapping[str, Any],
    class_name: str,
    uuid: Optional[UUIDLike],
    vector: Optional[Sequence[Any]],
    tenant: Optional[str],
    vectors: Optional[Mapping[str, Sequence[Any]]] = None,
    grpc: bool = False,
) -> tuple[str, str, bytes]:
    """``(uuid, class name as the server spells it, encoded object)`` of one object:
    :func:`check_object`, then :func:`encode_entry`."""
    entry = check_object(data_object, class_name, uuid, vector, tenant, vectors)
    return entry.uuid, entry.class_name, encode_entry(entry, grpc)


def encode_reference(
    from_object_uuid: UUIDLike,
    from_object_class_name: str,
    from_property_name: str,
    to_object_uuid: UUIDLike,
    to_object_class_name: Optional[str],
    tenant: Optional[str],
) -> bytes:
    """The JSON bytes of one reference for ``POST /batch/references``."""
    for name, value in (
        ("from_object_class_name", from_object_class_name),
        ("from_property_name", from_property_name),
    ):
        if not isinstance(value, str) or not value:
            raise UsageError(f"{name} must be a non-empty str, got {value!r}")
    if to_object_class_name is not None and (
        not isinstance(to_object_class_name, str) or not to_object_class_name
    ):
        raise UsageError(
            f"to_object_class_name must be a non-empty str or None, got {to_object_class_name!r}"
        )
    if tenant is not None and not isinstance(tenant, str):
        raise UsageError(f"tenant must be a str or None, got {type(tenant).__name__}")
    source = f"{capitalize_first_letter(from_object_class_name)}/{get_valid_uuid(from_object_uuid)}"
    target = get_valid_uuid(to_object_uuid)
    if to_object_class_name is None:
        warnings.warn(
            "add_reference without to_object_class_name is deprecated: Weaviate namespaces "
            "objects by class, pass the class of the referenced object.",
            DeprecationWarning,
            stacklevel=3,
        )
    else:
        target = f"{capitalize_first_letter(to_object_class_name)}/{target}"
    item = {
        "from": f"{BEACON_PREFIX}{source}/{from_property_name}",
        "to": f"{BEACON_PREFIX}{target}",
    }
    if tenant is not None:
        item["tenant"] = tenant
    return _ENCODER.encode(item).encode()


def objects_body(payloads: Sequence[bytes]) -> bytes:
    """The request body of ``POST /batch/objects`` for encoded objects."""
    return b"".join((b'{"objects":[', b",".join(payloads), b"]}"))


def references_body(payloads: Sequence[bytes]) -> bytes:
    """The request body of ``POST /batch/references`` for encoded references."""
    return b"".join((b"[", b",".join(payloads), b"]"))


def is_batch_object(payload: bytes) -> bool:
    """Whether an encoded object is a gRPC entry rather than JSON."""
    return payload[:1] != b"{"


def decode(payload: bytes) -> dict[str, Any]:
    """An encoded item as a fresh dict (for ``pop_*`` and failure records)."""
    if is_batch_object(payload):
        from wvorm.grpc.messages import decode_batch_object

        return decode_batch_object(payload)
    item: dict[str, Any] = json.loads(payload)
    return item


@dataclass(frozen=True)
class FailedObject:
    """An object that was not written, and why.

    The fields mirror :meth:`Batch.add_data_object`'s arguments, so it can be added
    again: ``batch.add_data_object(f.data_object, f.class_name, f.uuid, f.vector,
    f.tenant, vectors=f.vectors)``.
    """

    data_object: dict[str, Any]
    class_name: str
    uuid: str
    vector: Optional[list[float]]
    tenant: Optional[str]
    message: str
    vectors: Optional[dict[str, list[float]]] = None
    maybe_written: bool = False
    """True when the request carrying it failed after the server may have applied it
    (a lost answer, a cut connection): stored or not, nobody knows."""

    @classmethod
    def from_payload(cls, payload: bytes, message: str, maybe_written: bool) -> FailedObject:
        item = decode(payload)
        return cls(
            data_object=item.get("properties") or {},
            class_name=item["class"],
            uuid=item["id"],
            vector=item.get("vector"),
            tenant=item.get("tenant"),
            message=message,
            vectors=item.get("vectors"),
            maybe_written=maybe_written,
        )


@dataclass(frozen=True)
class FailedReference:
    """A reference that was not written, and why.

    The fields mirror :meth:`Batch.add_reference`'s arguments, so it can be added again.
    """

    from_object_uuid: str
    from_object_class_name: str
    from_property_name: str
    to_object_uuid: str
    to_object_class_name: Optional[str]
    tenant: Optional[str]
    message: str
    maybe_written: bool = False
    """True when it may be stored although its request failed (see
    :attr:`FailedObject.maybe_written`): adding it again blindly could store it twice;
    :meth:`Batch.add_failed` checks first."""

    @classmethod
    def from_payload(cls, payload: bytes, message: str, maybe_written: bool) -> FailedReference:
        item = decode(payload)
        source = parse_beacon(item["from"])
        target = parse_beacon(item["to"])
        return cls(
            from_object_uuid=source[1],
            from_object_class_name=source[0] or "",
            from_property_name=source[2] or "",
            to_object_uuid=target[1],
            to_object_class_name=target[0],
            tenant=item.get("tenant"),
            message=message,
            maybe_written=maybe_written,
        )

    def payload(self) -> bytes:
        """The reference encoded as :meth:`Batch.add_reference` queues it."""
        return encode_reference(
            self.from_object_uuid,
            self.from_object_class_name,
            self.from_property_name,
            self.to_object_uuid,
            self.to_object_class_name,
            self.tenant,
        )


@dataclass(frozen=True)
class DeletedObject:
    """One object a batch delete matched: ``status`` is SUCCESS, FAILED or DRYRUN."""

    uuid: str
    status: str
    error: Optional[str] = None


@dataclass(frozen=True)
class DeleteResult:
    """What a batch delete by filter did (:meth:`Batch.delete_matching`)."""

    matches: int
    successful: int
    failed: int
    objects: list[DeletedObject]

    @classmethod
    def from_rest(cls, answer: Mapping[str, Any]) -> DeleteResult:
        """From the JSON of ``DELETE /v1/batch/objects`` (verbose output)."""
        results = answer.get("results") or {}
        objects = []
        for item in results.get("objects") or ():
            errors = (item.get("errors") or {}).get("error") or []
            reason = "; ".join(str(e.get("message", e)) for e in errors) or None
            objects.append(DeletedObject(str(item.get("id")), str(item.get("status")), reason))
        return cls(
            int(results.get("matches") or 0),
            int(results.get("successful") or 0),
            int(results.get("failed") or 0),
            objects,
        )


def parse_beacon(beacon: str) -> tuple[Optional[str], str, Optional[str]]:
    """``(class or None, uuid, property or None)`` of a beacon we built."""
    parts = beacon[len(BEACON_PREFIX) :].split("/")
    if len(parts) == 1:
        return None, parts[0], None
    if len(parts) == 2:
        return parts[0], parts[1], None
    return parts[0], parts[1], parts[2]


class FailureLog:
    """The objects and references a batch could not write; appended to from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.objects: list[FailedObject] = []
        self.references: list[FailedReference] = []

    def add_objects(
        self, payloads: Iterable[bytes], message: str, maybe_written: bool = False
    ) -> None:
        records = [FailedObject.from_payload(p, message, maybe_written) for p in payloads]
        with self._lock:
            self.objects.extend(records)

    def add_references(
        self, payloads: Iterable[bytes], message: str, maybe_written: bool = False
    ) -> None:
        records = [FailedReference.from_payload(p, message, maybe_written) for p in payloads]
        with self._lock:
            self.references.extend(records)

    def add(
        self, kind: str, payloads: Iterable[bytes], message: str, maybe_written: bool = False
    ) -> None:
        """Record ``payloads`` of ``kind`` ("objects" or "references") as failed;
        ``maybe_written``: the server may have stored them all the same."""
        if kind == "objects":
            self.add_objects(payloads, message, maybe_written)
        else:
            self.add_references(payloads, message, maybe_written)

    def take(self) -> tuple[list[FailedObject], list[FailedReference]]:
        """Every record, removed from the log."""
        with self._lock:
            objects, references = list(self.objects), list(self.references)
            self.objects.clear()
            self.references.clear()
        return objects, references

    def clear(self) -> None:
        with self._lock:
            self.objects.clear()
            self.references.clear()

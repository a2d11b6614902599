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
import threading
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional
from uuid import uuid4

from wvorm._inputs import capitalize_first_letter, get_valid_uuid, get_vector
from wvorm.errors import UsageError
from wvorm.util import UUIDLike

_orjson: Any
try:  # optional: much faster float formatting for vectors
    _orjson = importlib.import_module("orjson")
except ImportError:  # pragma: no cover - depends on the environment
    _orjson = None

_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
BEACON_PREFIX = "weaviate://localhost/"


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
    JSON bytes for ``POST /batch/objects``, or with ``grpc`` an entry of a gRPC
    BatchObjectsRequest (:func:`wvorm.grpc.messages.batch_object`).

    A uuid is always assigned here (uuid4 when none is given), so re-sending the
    object after a lost answer replaces it instead of creating a duplicate.
    ``vectors`` holds named vectors (classes with several vector spaces).
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
    properties = data_object if isinstance(data_object, dict) else dict(data_object)
    item: dict[str, Any] = {"class": class_name, "id": object_id, "properties": properties}
    if tenant is not None:
        item["tenant"] = tenant
    try:
        head = _ENCODER.encode(item).encode()
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"data_object for class {class_name!r} (uuid {object_id}) cannot be sent as JSON: "
            f"{exc}. Convert values to JSON types first (str(uuid), datetime.isoformat(), "
            "float values that are not NaN)."
        ) from None
    if grpc:  # the same checks as JSON (the head above), then the gRPC entry
        from wvorm.grpc.messages import batch_object

        try:
            given: dict[str, Sequence[float]] = {}
            for name, value in (vectors or {}).items():
                if not isinstance(name, str) or not name:
                    raise UsageError(f"vector names must be non-empty str, got {name!r}")
                given[name] = get_vector(value)
            entry = batch_object(
                object_id,
                class_name,
                properties,
                None if vector is None else get_vector(vector),
                given,
                tenant,
            )
        except (TypeError, ValueError) as exc:
            raise type(exc)(
                f"Invalid vector for {class_name!r} object {object_id}: {exc}"
            ) from None
        return object_id, class_name, entry
    if vector is None and not vectors:
        return object_id, class_name, head
    # The vectors are spliced in as ready JSON: they are most of the bytes, and
    # _encode_vector formats them fastest.
    parts = [head[:-1]]
    try:
        if vector is not None:
            parts += [b',"vector":', _encode_vector(get_vector(vector))]
        if vectors:
            named = []
            for name, value in vectors.items():
                if not isinstance(name, str) or not name:
                    raise UsageError(f"vector names must be non-empty str, got {name!r}")
                encoded = _encode_vector(get_vector(value))
                named.append(b"%s:%s" % (_ENCODER.encode(name).encode(), encoded))
            parts += [b',"vectors":{', b",".join(named), b"}"]
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"Invalid vector for {class_name!r} object {object_id}: {exc}") from None
    parts.append(b"}")
    return object_id, class_name, b"".join(parts)


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
    if payload[:1] != b"{":  # a gRPC entry
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

    @classmethod
    def from_payload(cls, payload: bytes, message: str) -> FailedObject:
        item = decode(payload)
        return cls(
            data_object=item.get("properties") or {},
            class_name=item["class"],
            uuid=item["id"],
            vector=item.get("vector"),
            tenant=item.get("tenant"),
            message=message,
            vectors=item.get("vectors"),
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

    @classmethod
    def from_payload(cls, payload: bytes, message: str) -> FailedReference:
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

    def add_objects(self, payloads: Iterable[bytes], message: str) -> None:
        records = [FailedObject.from_payload(p, message) for p in payloads]
        with self._lock:
            self.objects.extend(records)

    def add_references(self, payloads: Iterable[bytes], message: str) -> None:
        records = [FailedReference.from_payload(p, message) for p in payloads]
        with self._lock:
            self.references.extend(records)

    def add(self, kind: str, payloads: Iterable[bytes], message: str) -> None:
        """Record ``payloads`` of ``kind`` ("objects" or "references") as failed."""
        if kind == "objects":
            self.add_objects(payloads, message)
        else:
            self.add_references(payloads, message)

    def clear(self) -> None:
        with self._lock:
            self.objects.clear()
            self.references.clear()

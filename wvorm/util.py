"""Helpers shared by the client components and user code (``weaviate.util`` in v3).

UUIDs (deterministic v5 ids, validation of ids, beacons and hrefs), vectors in the
shape the REST API takes, class-name capitalisation, and the default batch callback.
"""

from __future__ import annotations

import logging
import uuid as uuid_lib
from collections.abc import Sequence
from typing import Any, Optional, Union

# One home for input normalisation; re-exported here under their v3 names.
from wvorm._inputs import capitalize_first_letter, get_valid_uuid, get_vector

__all__ = [
    "UUIDLike",
    "capitalize_first_letter",
    "check_batch_result",
    "generate_uuid5",
    "get_valid_uuid",
    "get_vector",
    "is_object_url",
    "is_weaviate_object_url",
]

logger = logging.getLogger("wvorm.batch")  # check_batch_result reports batch item errors

UUIDLike = Union[str, uuid_lib.UUID]


def generate_uuid5(identifier: Any, namespace: Any = "") -> str:
    """A deterministic UUIDv5 for ``identifier`` within ``namespace`` (v3-compatible values).

    The same ``(identifier, namespace)`` always gives the same uuid, so re-importing
    the same data replaces objects instead of duplicating them.
    """
    return str(uuid_lib.uuid5(uuid_lib.NAMESPACE_DNS, str(namespace) + str(identifier)))


def is_weaviate_object_url(url: object) -> bool:
    """True for a beacon such as ``weaviate://localhost/Article/<uuid>`` (class optional)."""
    if not isinstance(url, str) or not url.startswith("weaviate://"):
        return False
    parts = url[len("weaviate://") :].split("/")
    if len(parts) not in (2, 3) or not parts[0]:
        return False
    return _is_uuid(parts[-1])


def is_object_url(url: object) -> bool:
    """True for an object href such as ``http://host:8080/v1/objects/<Class>/<uuid>``."""
    if not isinstance(url, str):
        return False
    halves = url.split("/v1/")
    if len(halves) != 2:
        return False
    parts = halves[1].split("/")
    return len(parts) in (2, 3) and parts[0] == "objects" and _is_uuid(parts[-1])


def _is_uuid(text: str) -> bool:
    try:
        uuid_lib.UUID(text)
    except ValueError:
        return False
    return True


def check_batch_result(results: Optional[Sequence[dict[str, Any]]]) -> None:
    """The default batch callback: log every object or reference the server rejected.

    ``results`` is the server's answer to one batch request (a list of objects or
    references, each with a ``result`` that may hold ``errors``). Errors are logged
    at ERROR level on the ``wvorm.batch`` logger; the batch also keeps every
    rejected item in ``failed_objects`` / ``failed_references``.
    """
    if not results:
        return
    for item in results:
        errors = (item.get("result") or {}).get("errors") if isinstance(item, dict) else None
        if not errors or "error" not in errors:
            continue
        messages = "; ".join(
            str(e.get("message", e)) if isinstance(e, dict) else str(e)
            for e in errors["error"] or []
        )
        if "from" in item:
            logger.error(
                "Batch reference %s -> %s was rejected: %s",
                item.get("from"),
                item.get("to"),
                messages,
            )
        else:
            logger.error(
                "Batch object %s (class %s) was rejected: %s",
                item.get("id"),
                item.get("class"),
                messages,
            )

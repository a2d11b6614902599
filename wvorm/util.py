"""Helpers shared by the client components and user code (``weaviate.util`` in v3).

UUIDs (deterministic v5 ids, validation of ids, beacons and hrefs), vectors in the
shape the REST API takes, class-name capitalisation, the default batch callback, and
base64 encoding of media files for the ``near<Media>`` searches.
"""

from __future__ import annotations

import base64
import logging
import os
import re
import uuid as uuid_lib
from collections.abc import Sequence
from enum import Enum, EnumMeta
from typing import Any, BinaryIO, Optional, Union

# One home for input normalisation; re-exported here under their v3 names.
from wvorm._inputs import capitalize_first_letter, get_valid_uuid, get_vector
from wvorm.data.references.crud_references import beacon as generate_local_beacon
from wvorm.errors import (  # (v3's weaviate.util imported them, so v3 code may too)
    ResponseCannotBeDecodedException,
    SchemaValidationException,
    UnexpectedStatusCodeException,
)

__all__ = [
    "BaseEnum",
    "MetaEnum",
    "ResponseCannotBeDecodedException",
    "SchemaValidationException",
    "UUIDLike",
    "UnexpectedStatusCodeException",
    "capitalize_first_letter",
    "check_batch_result",
    "file_decoder_b64",
    "file_encoder_b64",
    "generate_local_beacon",
    "generate_uuid5",
    "get_domain_from_weaviate_url",
    "get_valid_uuid",
    "get_vector",
    "image_decoder_b64",
    "image_encoder_b64",
    "is_object_url",
    "is_weaviate_domain",
    "is_weaviate_object_url",
    "parse_version_string",
    "strip_newlines",
]

logger = logging.getLogger("wvorm.batch")  # check_batch_result reports batch item errors

UUIDLike = Union[str, uuid_lib.UUID]


class MetaEnum(EnumMeta):
    """v3's enum metaclass: ``x in SomeEnum`` asks whether ``x`` (a member, or a str) is
    the *name* of a member, instead of raising TypeError for a str."""

    def __contains__(cls, item: object) -> bool:
        name = item.name if isinstance(item, Enum) else item
        return isinstance(name, str) and name in cls.__members__


class BaseEnum(Enum, metaclass=MetaEnum):
    """Base of v3's enums (``HybridFusion``): ``"RANKED" in HybridFusion`` is True."""


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


def get_domain_from_weaviate_url(url: str) -> str:
    """The host of a beacon: ``"localhost"`` for ``weaviate://localhost/Article/<uuid>``."""
    return url[len("weaviate://") :].split("/")[0]


def is_weaviate_domain(url: str) -> bool:
    """True for a URL of a Weaviate-hosted cluster (weaviate.io, weaviate.cloud,
    semi.technology)."""
    lowered = url.lower()
    return any(domain in lowered for domain in ("weaviate.io", "semi.technology", "weaviate.cloud"))


def parse_version_string(ver_str: str) -> tuple[int, int]:
    """``(major, minor)`` of a version such as ``"v1.18.2"`` or ``"1.18"`` (the patch is
    ignored, as in v3); raises ValueError for anything else."""
    # (a bare major version counts as "x.0"; "1.x" is refused, as by v3)
    match = re.match(r"v?(\d+)\.(\d+)", ver_str if "." in ver_str else ver_str + ".0")
    if match is None:
        raise ValueError(
            f"Unable to parse a version from the input string: {ver_str}. Is it in the "
            "format '(v)x.y.z' (e.g. 'v1.18.2' or '1.18.0')?"
        )
    return int(match.group(1)), int(match.group(2))


def strip_newlines(s: str) -> str:
    """``s`` with each newline replaced by a blank (v3 used it on GraphQL strings; wvorm's
    builders escape newlines instead, so they keep their meaning)."""
    return s.replace("\n", " ")


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


# -- base64 files (the near<Media> searches take base64 text) ------------------------------

FileSource = Union[str, "os.PathLike[str]", BinaryIO]


def file_encoder_b64(file_or_file_path: FileSource) -> str:
    """The base64 text of a file's content: a path, or a file opened in binary mode
    (read from its current position).

    Raises ValueError when the path is not a file and TypeError for anything else.
    """
    if isinstance(file_or_file_path, (str, os.PathLike)):
        if not os.path.isfile(file_or_file_path):
            raise ValueError(f"No file found at location {os.fspath(file_or_file_path)}")
        with open(file_or_file_path, "rb") as file:
            content = file.read()
    elif callable(getattr(file_or_file_path, "read", None)):
        content = file_or_file_path.read()
        if not isinstance(content, bytes):  # a file opened in text mode
            raise TypeError(
                "file_or_file_path should be a file path or a file opened in binary read "
                f"mode ('rb'); reading it gave {type(content).__name__}, not bytes"
            )
    else:
        raise TypeError(
            "file_or_file_path should be a file path or a file opened in binary read mode "
            f"('rb'), got {type(file_or_file_path).__name__}"
        )
    return base64.b64encode(content).decode("utf-8")


def image_encoder_b64(image_or_image_path: FileSource) -> str:
    """The base64 text of an image file (a path or a binary file object); see
    :func:`file_encoder_b64`."""
    return file_encoder_b64(image_or_image_path)


def file_decoder_b64(encoded_file: str) -> bytes:
    """The bytes of base64 text (the inverse of :func:`file_encoder_b64`)."""
    return base64.b64decode(encoded_file.encode("utf-8"))


def image_decoder_b64(encoded_image: str) -> bytes:
    """The bytes of a base64-encoded image (the inverse of :func:`image_encoder_b64`)."""
    return file_decoder_b64(encoded_image)

"""Normalising what callers hand to the client components: names, uuids, vectors, JSON.

Used by :mod:`wvorm.schema`, :mod:`wvorm.data`, :mod:`wvorm.backup`,
:mod:`wvorm.cluster` and :mod:`wvorm.classification`, so each rule lives here once.
"""

from __future__ import annotations

import json
import os
import uuid as uuid_lib
from array import array
from collections.abc import Mapping
from typing import Any, Union

import requests

from wvorm.errors import UnexpectedStatusCodeException, UsageError

UUID = Union[str, uuid_lib.UUID]
"""A uuid: its text (or a beacon ending in it) or a ``uuid.UUID``."""

JsonSource = Union[dict[str, Any], str, "os.PathLike[str]"]
"""A dict, the path of a JSON file, or the http(s) URL of one."""

URL_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds for fetching a JSON document by URL


def capitalize_first_letter(name: str) -> str:
    """``name`` with its first letter upper-cased, as Weaviate stores class names.

    Only the first character changes (``"myClass"`` -> ``"MyClass"``), the way
    the server normalises class names itself.
    """
    if not isinstance(name, str):
        raise UsageError(f"A class name must be a str, got {type(name).__name__}: {name!r}")
    if not name:
        raise UsageError("A class name must not be empty")
    return name[0].upper() + name[1:]


def get_valid_uuid(uuid: UUID) -> str:
    """The canonical text of ``uuid`` (a ``uuid.UUID``, a uuid string, or a beacon/URL
    ending in one, such as ``weaviate://localhost/Article/<uuid>``).

    Raises ``TypeError`` for other types and ``ValueError`` for text that holds no uuid.
    """
    if isinstance(uuid, uuid_lib.UUID):
        return str(uuid)
    if not isinstance(uuid, str):
        raise UsageError(f"A uuid must be a str or uuid.UUID, got {type(uuid).__name__}: {uuid!r}")
    text = uuid.rstrip("/").rsplit("/", 1)[-1] if "/" in uuid else uuid
    try:
        return str(uuid_lib.UUID(text))
    except ValueError:
        raise UsageError(
            f"{uuid!r} is not a valid uuid; pass a uuid such as "
            "'fc7eb129-f138-457f-b727-1b29db191a67' (wvorm.util.generate_uuid5 makes one "
            "from any value)"
        ) from None


def get_vector(vector: Any) -> list[Any]:
    """``vector`` as the plain list the server expects.

    Accepts a list or tuple, or anything with ``tolist()`` (numpy arrays, torch
    tensors) or ``numpy()`` (TensorFlow tensors). Arrays are squeezed as in v3, so
    a ``(1, n)`` model output becomes one vector of ``n`` numbers.
    """
    if isinstance(vector, list):
        return vector
    if isinstance(vector, tuple):
        return list(vector)
    array: Any = (
        vector.numpy() if hasattr(vector, "numpy") and not hasattr(vector, "tolist") else vector
    )
    if hasattr(array, "tolist"):
        # squeeze as v3 did, so a (1, n) model output is sent as one vector
        converted = (array.squeeze() if hasattr(array, "squeeze") else array).tolist()
        if isinstance(converted, list):
            return converted
    raise UsageError(
        f"A vector must be a list of numbers, a tuple, a numpy array or a torch/TensorFlow "
        f"tensor, got {type(vector).__name__}"
    )


def is_multi_vector(vector: Any) -> bool:
    """Whether ``vector`` is a multi-vector: a non-empty sequence of vectors (lists,
    tuples, arrays), not of numbers."""
    return bool(len(vector)) and hasattr(vector[0], "__len__") and not isinstance(vector[0], str)


def same_vector(held: Any, sent: Any) -> bool:
    """Whether the server's vector ``held`` is ``sent`` (a vector or multi-vector, items
    maybe numpy scalars) as the server stores it: in float32. (A vector read back is
    float32, so 1/3 sent comes back as 0.33333334: the same vector.)"""
    values = get_vector(sent)
    if not values:
        return not held
    try:
        if is_multi_vector(values):
            return len(held) == len(values) and all(
                array("f", h) == array("f", get_vector(v)) for h, v in zip(held, values)
            )
        return array("f", held) == array("f", values)
    except TypeError:  # (None, or not numbers)
        return False


def holds_vectors(stored: Mapping[str, Any], vector: Any, vectors: Mapping[str, Any]) -> bool:
    """Whether ``stored`` (an object as REST returns it) holds ``vector`` (unless None)
    and each of the named ``vectors``, in float32."""
    if vector is not None and not same_vector(stored.get("vector"), vector):
        return False
    held = stored.get("vectors") or {}
    return all(same_vector(held.get(name), v) for name, v in vectors.items())


def load_json_object(source: JsonSource, what: str) -> dict[str, Any]:
    """The dict that ``source`` holds: the dict itself, a JSON file's or a URL's content.

    ``what`` names the argument in error messages (for example ``"schema"``).
    A dict is returned as is; callers copy before they change anything.
    """
    if isinstance(source, dict):
        return source
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        loaded = _fetch_json(source, what)
    elif isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        if not os.path.isfile(path):
            raise UsageError(
                f"{what} must be a dict, a JSON file path or an http(s) URL; "
                f"no file found at {path!r}"
            )
        with open(path, encoding="utf-8") as file:
            try:
                loaded = json.load(file)
            except ValueError as exc:
                raise UsageError(f"{what}: the file {path!r} is not valid JSON: {exc}") from exc
    else:
        raise UsageError(
            f"{what} must be a dict, a JSON file path or an http(s) URL, "
            f"got {type(source).__name__}"
        )
    if not isinstance(loaded, dict):
        raise UsageError(
            f"{what} loaded from {source!r} is a JSON {type(loaded).__name__}, not an object"
        )
    return loaded


def _fetch_json(url: str, what: str) -> Any:
    try:
        response = requests.get(url, timeout=URL_TIMEOUT)
    except requests.RequestException as exc:
        raise UsageError(f"{what}: could not download {url!r}: {exc}") from exc
    if response.status_code != 200:
        raise UnexpectedStatusCodeException(f"Download {what} from {url}", response)
    try:
        return response.json()
    except ValueError as exc:
        raise UsageError(f"{what}: the document at {url!r} is not valid JSON: {exc}") from exc


EXACT_JSON_INT = 2**53  # Weaviate parses JSON numbers as float64


def check_json(value: Any, where: str) -> None:
    """Refuse, before sending, a property value the server would not store as given:
    what JSON cannot carry (NaN, infinities, non-JSON types), text that is not valid
    Unicode (a lone surrogate becomes U+FFFD), and ints beyond ±2**53 (rounded)."""
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise UsageError(
                    f"{where} holds a lone surrogate {value[exc.start]!r} at index {exc.start}, "
                    "which is not a Unicode character (Weaviate would store U+FFFD instead); "
                    "decode the text properly first"
                ) from None
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if not -EXACT_JSON_INT <= value <= EXACT_JSON_INT:
            raise UsageError(
                f"{where} = {value} is beyond ±2**53, where Weaviate (which parses JSON numbers "
                "as float64) would store it rounded; store it as text, or keep it in range"
            )
    elif isinstance(value, float):
        if value - value != 0:
            raise UsageError(f"{where} = {value!r}: JSON holds finite numbers only")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise UsageError(f"{where} has a key {key!r} that is not a str")
            check_json(key, f"{where} key {key!r:.40}")
            check_json(item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            check_json(item, f"{where}[{i}]")
    else:
        raise UsageError(
            f"{where} is a {type(value).__name__} ({value!r:.60}), which JSON cannot carry; "
            "convert it first (str(uuid), datetime.isoformat(), base64 for bytes)"
        )

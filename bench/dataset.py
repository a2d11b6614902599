"""The benchmark data: objects with text and number properties and one vector each.

Generated once per run from a seed and reused by every contender, so all of them
send the same bytes' worth of work. Vectors hold float32 values (as an embedding
model's output, converted with ``tolist()``, would). Standard library only:
``bench/v3_import.py`` reads the data in the weaviate-client 3.26.7 virtualenv.

On disk (for the v3 subprocess): ``objects.jsonl`` holds one ``{"id", "properties"}``
per line, ``vectors.f32`` the vectors as native float32, ``meta.json`` the shape.
"""

from __future__ import annotations

import json
import random
import uuid
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLASS_NAME = "BenchObject"
DEFAULT_DIMS = 384

#: (name, Weaviate data type) of every property; names are valid Python identifiers
#: so that an ORM model can mirror them field for field.
PROPERTIES: tuple[tuple[str, str], ...] = (
    ("title", "text"),
    ("body", "text"),
    ("category", "text"),
    ("price", "number"),
    ("rating", "int"),
)

_CATEGORIES = (
    "books", "music", "garden", "kitchen", "toys", "sports",
    "tools", "travel", "health", "office", "games", "outdoor",
)  # fmt: skip


@dataclass
class Dataset:
    """N objects: ``ids[i]``, ``properties[i]`` and ``vectors[i]`` belong together."""

    ids: list[str]
    properties: list[dict[str, Any]]
    vectors: list[list[float]]
    dims: int

    def __len__(self) -> int:
        return len(self.ids)

    def head(self, count: int) -> Dataset:
        """The first ``count`` objects (the same Python objects, not copies)."""
        return Dataset(self.ids[:count], self.properties[:count], self.vectors[:count], self.dims)


def generate(count: int, dims: int = DEFAULT_DIMS, seed: int = 42) -> Dataset:
    """``count`` objects, the same for the same arguments (those :func:`stream` yields)."""
    ids: list[str] = []
    properties: list[dict[str, Any]] = []
    vectors: list[list[float]] = []
    for object_id, props, vector in stream(count, dims, seed):
        ids.append(object_id)
        properties.append(props)
        vectors.append(vector)
    return Dataset(ids, properties, vectors, dims)


def stream(
    count: int, dims: int = DEFAULT_DIMS, seed: int = 42
) -> Iterator[tuple[str, dict[str, Any], list[float]]]:
    """``(uuid, properties, vector)`` of ``count`` objects, one at a time, made as they
    are asked for: nothing of an object is kept once it is yielded, so a streaming
    import holds none of them. The same objects as :func:`generate`'s."""
    if count < 1 or dims < 1:
        raise ValueError(f"need count >= 1 and dims >= 1, got count={count}, dims={dims}")
    return _stream(count, dims, seed)


def _stream(count: int, dims: int, seed: int) -> Iterator[tuple[str, dict[str, Any], list[float]]]:
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = [
        "".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(2000)
    ]
    rnd = rng.random
    for _ in range(count):
        object_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        properties = {
            "title": " ".join(rng.choices(vocabulary, k=rng.randint(3, 8))),
            "body": " ".join(rng.choices(vocabulary, k=rng.randint(20, 40))),
            "category": rng.choice(_CATEGORIES),
            "price": round(rng.uniform(1.0, 1000.0), 2),
            "rating": rng.randint(1, 5),
        }
        # Round through float32, as model embeddings are.
        yield object_id, properties, array("f", [2.0 * rnd() - 1.0 for _ in range(dims)]).tolist()


def class_schema(class_name: str = CLASS_NAME, vector_index: str = "hnsw") -> dict[str, Any]:
    """The class every client contender imports into (no vectorizer: vectors are given)."""
    return {
        "class": class_name,
        "vectorizer": "none",
        "vectorIndexType": vector_index,
        "properties": [{"name": name, "dataType": [kind]} for name, kind in PROPERTIES],
    }


def write(dataset: Dataset, directory: Path) -> None:
    """Store ``dataset`` in ``directory`` (see the module docs for the layout)."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "objects.jsonl", "w", encoding="utf-8") as out:
        for object_id, props in zip(dataset.ids, dataset.properties):
            out.write(json.dumps({"id": object_id, "properties": props}) + "\n")
    with open(directory / "vectors.f32", "wb") as out:
        for vector in dataset.vectors:
            array("f", vector).tofile(out)
    meta = {"count": len(dataset), "dims": dataset.dims}
    (directory / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def read(directory: Path) -> Dataset:
    """The dataset :func:`write` stored in ``directory``."""
    meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
    count, dims = int(meta["count"]), int(meta["dims"])
    ids: list[str] = []
    properties: list[dict[str, Any]] = []
    with open(directory / "objects.jsonl", encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            ids.append(item["id"])
            properties.append(item["properties"])
    flat = array("f")
    with open(directory / "vectors.f32", "rb") as raw:
        flat.fromfile(raw, count * dims)
    vectors = [flat[i * dims : (i + 1) * dims].tolist() for i in range(count)]
    if len(ids) != count:
        raise ValueError(f"{directory}: meta.json counts {count} objects, objects.jsonl {len(ids)}")
    return Dataset(ids, properties, vectors, dims)

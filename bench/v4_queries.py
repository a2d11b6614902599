"""weaviate-client 4.24.1's queries, timed on request (runs in ``bench/.venv-v4``).

``bench/v4.py`` starts this script once per run in the v4 virtualenv and keeps it
alive, so that it can interleave v4's operations with wvorm's in its own process.
It connects (untimed) with ``weaviate.connect_to_custom`` over HTTP and gRPC, then
reads one JSON command per line on stdin and answers one JSON line each, on the
stdout it started with (anything else printing goes to stderr):

- ``{"op": "fetch", "limit": n, "vectors": bool}``: ``fetch_objects(limit=n,
  include_vector=...)``;
- ``{"op": "near", "index": i}``: ``query.near_vector`` with query vector ``i`` of
  the ``--vectors`` file (a JSON list of vectors), ``limit=10``, distance metadata;
- ``{"op": "iterate", "objects": n, "page_size": p, "trace": bool}``: the first ``n``
  objects of ``collection.iterator(cache_size=p)``, with tracemalloc when ``trace``;
- ``{"op": "quit"}``.

Only the operation itself is inside ``seconds``; the answer also carries what the
harness checks (counts, vector lengths, result ids, distances), computed after
the clock stops.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import weaviate  # type: ignore[import-not-found,unused-ignore]
from weaviate.classes.query import MetadataQuery  # type: ignore[import-not-found,unused-ignore]


def vector_lengths(objects: Any) -> list[int]:
    """``[shortest, longest]`` default-vector length over ``objects`` (0: none)."""
    lengths = [len(o.vector.get("default") or []) for o in objects]
    return [min(lengths), max(lengths)] if lengths else [0, 0]


def fetch(collection: Any, limit: int, vectors: bool) -> dict[str, Any]:
    started = time.perf_counter()
    objects = collection.query.fetch_objects(limit=limit, include_vector=vectors).objects
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "count": len(objects),
        "distinct_ids": len({o.uuid for o in objects}),
        "property_count": min((len(o.properties) for o in objects), default=0),
        "vector_lengths": vector_lengths(objects),
    }


def near(collection: Any, vector: list[float]) -> dict[str, Any]:
    started = time.perf_counter()
    objects = collection.query.near_vector(
        near_vector=vector, limit=10, return_metadata=MetadataQuery(distance=True)
    ).objects
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "ids": [str(o.uuid) for o in objects],
        "distances": [o.metadata.distance for o in objects],
        "property_count": min((len(o.properties) for o in objects), default=0),
    }


def iterate(collection: Any, objects: int, page_size: int, trace: bool) -> dict[str, Any]:
    iterator = iter(collection.iterator(cache_size=page_size))
    seen: set[str] = set()
    if trace:
        tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0] if trace else 0
    started = time.perf_counter()
    count = 0
    for item in iterator:
        count += 1
        if not trace:  # (a set of every id would count against the traced peak)
            seen.add(item.uuid)
        if count >= objects:
            break
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] - baseline if trace else None
    if trace:
        tracemalloc.stop()
    return {
        "seconds": seconds,
        "count": count,
        "distinct_ids": None if trace else len(seen),
        "peak_bytes": peak,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--http-port", required=True, type=int)
    parser.add_argument("--grpc-port", required=True, type=int)
    parser.add_argument("--collection", required=True)
    parser.add_argument("--vectors", required=True, type=Path)
    args = parser.parse_args(argv)

    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the library's own prints (if any) go to stderr
    sys.stdout = sys.stderr
    queries: list[list[float]] = json.loads(args.vectors.read_text(encoding="utf-8"))
    client = weaviate.connect_to_custom(
        http_host="127.0.0.1", http_port=args.http_port, http_secure=False,
        grpc_host="127.0.0.1", grpc_port=args.grpc_port, grpc_secure=False,
    )  # fmt: skip
    try:
        collection = client.collections.get(args.collection)
        answers.write(json.dumps({"ready": True, "client_version": weaviate.__version__}) + "\n")
        answers.flush()
        for line in sys.stdin:
            command = json.loads(line)
            op = command["op"]
            if op == "quit":
                break
            try:
                if op == "fetch":
                    answer = fetch(collection, int(command["limit"]), bool(command["vectors"]))
                elif op == "near":
                    answer = near(collection, queries[int(command["index"])])
                elif op == "iterate":
                    answer = iterate(
                        collection,
                        int(command["objects"]),
                        int(command["page_size"]),
                        bool(command["trace"]),
                    )
                else:
                    answer = {"error": f"unknown op {op!r}"}
            except Exception as exc:  # reported to the harness, which fails the contender
                answer = {"error": f"{type(exc).__name__}: {exc}"}
            answers.write(json.dumps(answer) + "\n")
            answers.flush()
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

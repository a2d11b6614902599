"""Import the benchmark data with weaviate-client 4.24.1's batch (runs in ``bench/.venv-v4``).

``bench/v4.py`` starts this script as a subprocess in the v4 virtualenv, once per
round. It reads the data written by :func:`bench.dataset.write` and connects before
the clock starts, times only the import (``with collection.batch.fixed_size(...)``
including its final flush; v4 sends batches over gRPC), and writes ``{"seconds",
"cpu_seconds", "objects", "failed", "client_version"}`` as JSON to ``--result``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# This script runs by path in another virtualenv: make `bench` importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import weaviate  # type: ignore[import-not-found,unused-ignore]

from bench import dataset


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--http-port", required=True, type=int)
    parser.add_argument("--grpc-port", required=True, type=int)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--collection", required=True)
    parser.add_argument("--batch-size", required=True, type=int)
    parser.add_argument("--workers", required=True, type=int)
    parser.add_argument("--result", required=True, type=Path)
    args = parser.parse_args(argv)

    data = dataset.read(args.data)
    client = weaviate.connect_to_custom(
        http_host="127.0.0.1", http_port=args.http_port, http_secure=False,
        grpc_host="127.0.0.1", grpc_port=args.grpc_port, grpc_secure=False,
    )  # fmt: skip
    try:
        collection = client.collections.get(args.collection)
        started, cpu_started = time.perf_counter(), time.process_time()
        with collection.batch.fixed_size(
            batch_size=args.batch_size, concurrent_requests=args.workers
        ) as batch:
            for object_id, properties, vector in zip(data.ids, data.properties, data.vectors):
                batch.add_object(properties=properties, uuid=object_id, vector=vector)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
        failed = len(collection.batch.failed_objects)
    finally:
        client.close()

    result = {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "objects": len(data),
        "failed": failed,
        "client_version": weaviate.__version__,
    }
    args.result.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

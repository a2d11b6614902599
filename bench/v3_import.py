"""Import the benchmark data with weaviate-client 3.26.7's batch (runs in ``bench/.venv-v3``).

``bench/run.py`` starts this script as a subprocess in the v3 virtualenv. It reads
the data written by :func:`bench.dataset.write` before the clock starts, times only
the import (``with client.batch`` including its final flush), and writes
``{"seconds", "cpu_seconds", "objects", "client_version"}`` as JSON to ``--result``
(a file, because v3's default callback prints the server's errors to stdout).
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
    parser.add_argument("--url", required=True)
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--class-name", required=True)
    parser.add_argument("--batch-size", required=True, type=int)
    parser.add_argument("--workers", required=True, type=int)
    parser.add_argument("--result", required=True, type=Path)
    args = parser.parse_args(argv)

    data = dataset.read(args.data)
    client = weaviate.Client(args.url)
    # v3's defaults otherwise (fixed-size batching, check_batch_result callback).
    client.batch.configure(batch_size=args.batch_size, num_workers=args.workers)

    started, cpu_started = time.perf_counter(), time.process_time()
    with client.batch as batch:
        for object_id, properties, vector in zip(data.ids, data.properties, data.vectors):
            batch.add_data_object(properties, args.class_name, uuid=object_id, vector=vector)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started

    result = {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "objects": len(data),
        "client_version": weaviate.__version__,
    }
    args.result.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

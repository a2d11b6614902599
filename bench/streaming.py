"""Streaming import memory (issue 10): the client's peak memory while ``client.batch``
imports N objects from a generator, for several N. It must stay flat as N grows.

Each (configuration, N) is measured in a fresh process (``python -m bench.streaming``,
run by :func:`section`), so that no peak of an earlier import counts: the process
connects, configures ``client.batch``, notes its resident memory (the baseline), and
adds the N objects that :func:`bench.dataset.stream` makes one at a time (never a list
of N) inside ``with client.batch as batch:``. Reported per run:

- **peak RSS**: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` after the import, the
  process's peak resident memory (everything: Python objects, the interpreter, the
  imported modules, C buffers of urllib3 / gRPC). This is the number the target is
  about: peak(N) / peak(smallest N) <= 1.25x;
- the baseline RSS before the first add, and the RSS at every tenth of the import
  (``/proc/self/statm``), which show where memory grows within one run;
- with ``--streaming-tracemalloc``, tracemalloc's peak of Python allocations during
  the import, in a *separate* process per run (tracemalloc slows the import about
  twice and its own bookkeeping would inflate the RSS of the measured run).

The harness then checks the server's count (N) and that the first and last objects
carry their vectors; a run that loses anything fails. The class has a flat vector
index: an HNSW index of a million vectors takes the 2-core server far longer to
build, and the client's memory does not depend on it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional

if __package__ in (None, ""):  # run as `python bench/streaming.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset
from bench.contenders import BENCH_DIR, wvorm_client
from bench.report import rate, table
from bench.server import ServerAdmin

STREAM_CLASS = "BenchStream"
TARGET_STREAMING_GROWTH = 1.25  # peak at a larger N over peak at the smallest N, at most
SAMPLES = 10  # RSS samples within one import
MiB = 2**20


@dataclass(frozen=True)
class StreamConfig:
    """How ``client.batch`` is configured: ``mode`` "dynamic" or "fixed" (batch_size
    objects per request, or dynamic batching starting there), ``workers`` its
    num_workers, ``transport`` "rest" (a plain ``wvorm.Client(url)``) or "grpc"
    (object batches over gRPC BatchObjects)."""

    mode: str
    workers: int
    transport: str = "rest"

    @property
    def label(self) -> str:
        return f"{self.mode}, {self.workers} worker(s), {self.transport}"

    @classmethod
    def parse(cls, text: str) -> StreamConfig:
        """``MODE:WORKERS[:TRANSPORT]``, such as ``dynamic:1`` or ``fixed:4:grpc``."""
        parts = text.split(":")
        if len(parts) not in (2, 3) or parts[0] not in ("dynamic", "fixed"):
            raise ValueError(f"expected MODE:WORKERS[:TRANSPORT], got {text!r}")
        transport = parts[2] if len(parts) == 3 else "rest"
        if transport not in ("rest", "grpc"):
            raise ValueError(f"transport must be rest or grpc, got {transport!r}")
        workers = int(parts[1])
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        return cls(parts[0], workers, transport)


@dataclass
class StreamRun:
    """One import of ``objects`` objects in a fresh process."""

    config: str
    objects: int
    seconds: Optional[float] = None
    cpu_seconds: Optional[float] = None
    baseline_rss_bytes: Optional[int] = None
    peak_rss_bytes: Optional[int] = None
    rss_samples: list[list[int]] = field(default_factory=list)  # [objects added, bytes]
    tracemalloc_peak_bytes: Optional[int] = None
    tracemalloc_seconds: Optional[float] = None
    server_count: Optional[int] = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


# -- the measured process ----------------------------------------------------------------


def current_rss() -> int:
    """This process's resident memory now, in bytes."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the peak so far is the best there is
        return peak_rss()


def peak_rss() -> int:
    """This process's peak resident memory so far, in bytes (ru_maxrss is KiB on Linux,
    bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def import_stream(args: argparse.Namespace) -> dict[str, Any]:
    """Import ``args.objects`` generated objects through ``client.batch``; the numbers."""
    config = StreamConfig.parse(args.config)
    client = wvorm_client(args.url, args.grpc_port if config.transport == "grpc" else None)
    try:
        batch = client.batch.configure(
            batch_size=args.batch_size, dynamic=config.mode == "dynamic", num_workers=config.workers
        )
        objects = dataset.stream(args.objects, args.dims, args.seed)
        step = max(1, args.objects // SAMPLES)
        samples: list[list[int]] = []
        first_id = last_id = ""
        if args.tracemalloc:
            tracemalloc.start()
        baseline = current_rss()
        traced_baseline = tracemalloc.get_traced_memory()[0] if args.tracemalloc else 0
        started, cpu_started = time.perf_counter(), time.process_time()
        with batch:
            for added, (object_id, properties, vector) in enumerate(objects, 1):
                batch.add_data_object(properties, STREAM_CLASS, uuid=object_id, vector=vector)
                if added == 1:
                    first_id = object_id
                if added % step == 0:
                    samples.append([added, current_rss()])
                last_id = object_id
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        traced_peak = None
        if args.tracemalloc:
            traced_peak = tracemalloc.get_traced_memory()[1] - traced_baseline
            tracemalloc.stop()
        failed = len(batch.failed_objects)
    finally:
        client.close()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "baseline_rss_bytes": baseline,
        "peak_rss_bytes": peak_rss(),
        "rss_samples": samples,
        "tracemalloc_peak_bytes": traced_peak,
        "failed_objects": failed,
        "first_id": first_id,
        "last_id": last_id,
    }


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The measured process: one import, its numbers written to ``--result`` as JSON."""
    parser = argparse.ArgumentParser(description="one streaming import (run by bench.run)")
    parser.add_argument("--url", required=True)
    parser.add_argument("--grpc-port", type=int)
    parser.add_argument("--config", required=True, help="MODE:WORKERS[:TRANSPORT]")
    parser.add_argument("--objects", type=int, required=True)
    parser.add_argument("--dims", type=int, default=dataset.DEFAULT_DIMS)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--result", required=True, type=Path)
    args = parser.parse_args(argv)
    result = import_stream(args)
    args.result.write_text(json.dumps(result), encoding="utf-8")
    return 0


# -- the harness side --------------------------------------------------------------------


def measure(
    admin: ServerAdmin,
    grpc_port: int,
    config: StreamConfig,
    objects: int,
    args: argparse.Namespace,
    traced: bool,
) -> dict[str, Any]:
    """One fresh process importing ``objects`` into a recreated class; checked."""
    admin.reset_class(dataset.class_schema(STREAM_CLASS, "flat"))
    with tempfile.TemporaryDirectory(prefix="wvorm-bench-stream-") as workdir:
        result_file = Path(workdir) / "result.json"
        command = [
            sys.executable, "-m", "bench.streaming", "--url", admin.url,
            "--grpc-port", str(grpc_port), "--config",
            f"{config.mode}:{config.workers}:{config.transport}",
            "--objects", str(objects), "--dims", str(args.dims), "--seed", str(args.seed),
            "--batch-size", str(args.batch_size), "--result", str(result_file),
            *(["--tracemalloc"] if traced else []),
        ]  # fmt: skip
        done = subprocess.run(
            command, cwd=BENCH_DIR.parent, capture_output=True, text=True, check=False
        )
        if done.returncode != 0 or not result_file.exists():
            raise RuntimeError(f"exited with code {done.returncode}:\n{done.stderr[-2000:]}")
        result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    count = admin.count(STREAM_CLASS)
    result["server_count"] = count
    problems = []
    if result["failed_objects"]:
        problems.append(f"{result['failed_objects']} in batch.failed_objects")
    if count != objects:
        problems.append(f"the server counts {count:,} objects, not {objects:,}")
    for object_id in (result["first_id"], result["last_id"]):
        if admin.vector_length(STREAM_CLASS, object_id) != args.dims:
            problems.append(f"object {object_id} lacks its {args.dims}-dim vector")
    if problems:
        raise RuntimeError("; ".join(problems))
    return result


def run_all(
    args: argparse.Namespace, admin: ServerAdmin, grpc_port: int
) -> dict[StreamConfig, list[StreamRun]]:
    configs = [StreamConfig.parse(text) for text in args.streaming_configs]
    runs: dict[StreamConfig, list[StreamRun]] = {config: [] for config in configs}
    try:
        for objects in args.streaming_sizes:
            for config in configs:
                run = StreamRun(config.label, objects)
                runs[config].append(run)
                print(f"[bench] streaming: {objects:,} objects, {config.label}", flush=True)
                try:
                    result = measure(admin, grpc_port, config, objects, args, traced=False)
                    run.seconds, run.cpu_seconds = result["seconds"], result["cpu_seconds"]
                    run.baseline_rss_bytes = result["baseline_rss_bytes"]
                    run.peak_rss_bytes = result["peak_rss_bytes"]
                    run.rss_samples = result["rss_samples"]
                    run.server_count = result["server_count"]
                    if args.streaming_tracemalloc:
                        traced = measure(admin, grpc_port, config, objects, args, traced=True)
                        run.tracemalloc_peak_bytes = traced["tracemalloc_peak_bytes"]
                        run.tracemalloc_seconds = traced["seconds"]
                except Exception as exc:
                    run.error = f"{type(exc).__name__}: {exc}"
                    print(f"[bench] streaming: FAILED: {run.error}", flush=True)
    finally:
        admin.delete_class(STREAM_CLASS)  # free the server for what follows
    return runs


def growth(runs: Sequence[StreamRun], attribute: str) -> dict[int, Optional[float]]:
    """``attribute`` at each larger N over its value at the smallest N."""
    base = getattr(runs[0], attribute) if runs and runs[0].ok else None
    out: dict[int, Optional[float]] = {}
    for run in runs[1:]:
        value = getattr(run, attribute) if run.ok else None
        out[run.objects] = value / base if value and base else None
    return out


def section(
    args: argparse.Namespace, admin: ServerAdmin, grpc_port: int
) -> tuple[dict[str, Any], str]:
    """Every configuration at every size, each in a fresh process; the peak ratios."""
    sizes = args.streaming_sizes
    runs = run_all(args, admin, grpc_port)
    lines = [
        f"== Streaming import memory (issue 10): client.batch from a generator, "
        f"{', '.join(f'{n:,}' for n in sizes)} objects, {args.dims}-dim vectors, "
        f"batch_size={args.batch_size}, flat index, each run in a fresh process ==",
    ]
    headers = ["configuration", "objects", "seconds", "obj/s", "baseline MiB", "peak RSS MiB",
               "RSS MiB at 10% / 50% / 100%"]  # fmt: skip
    if args.streaming_tracemalloc:
        headers.append("tracemalloc peak MiB")
    rows = []
    for config, config_runs in runs.items():
        for run in config_runs:
            if not run.ok:
                failed = [config.label, f"{run.objects:,}", "FAILED"]
                rows.append(failed + [""] * (len(headers) - len(failed)))
                continue
            samples = [run.rss_samples[i][1] for i in (0, len(run.rss_samples) // 2 - 1, -1)]
            row = [
                config.label, f"{run.objects:,}", f"{run.seconds or 0:.1f}",
                rate(run.objects / run.seconds if run.seconds else None),
                f"{(run.baseline_rss_bytes or 0) / MiB:.1f}",
                f"{(run.peak_rss_bytes or 0) / MiB:.1f}",
                " / ".join(f"{s / MiB:.1f}" for s in samples),
            ]  # fmt: skip
            if args.streaming_tracemalloc:
                row.append(f"{(run.tracemalloc_peak_bytes or 0) / MiB:.1f}")
            rows.append(row)
    lines.append(table(headers, rows))
    for config_runs in runs.values():
        for run in config_runs:
            if run.error:
                lines.append(f"  {run.config}, {run.objects:,} objects: {run.error}")
    result: dict[str, Any] = {"sizes": sizes, "target_growth": TARGET_STREAMING_GROWTH}
    configs_json = {}
    for config, config_runs in runs.items():
        peaks = growth(config_runs, "peak_rss_bytes")
        traced = growth(config_runs, "tracemalloc_peak_bytes")
        for objects, value in peaks.items():
            name = f"{config.label}: peak RSS({objects:,}) / peak RSS({sizes[0]:,})"
            if value is None:
                lines.append(f"{name}: n/a (a run failed)")
                continue
            verdict = "flat: OK" if value <= TARGET_STREAMING_GROWTH else "GROWS: BELOW TARGET"
            extra = f"; tracemalloc {traced[objects]:.2f}x" if traced.get(objects) else ""
            lines.append(
                f"{name}: {value:.2f}x (target <= {TARGET_STREAMING_GROWTH}x) {verdict}{extra}"
            )
        configs_json[config.label] = {
            "runs": [{**asdict(run), "ok": run.ok} for run in config_runs],
            "peak_rss_growth": {str(k): v for k, v in peaks.items()},
            "tracemalloc_growth": {str(k): v for k, v in traced.items()},
        }
    result["configs"] = configs_json
    return result, "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

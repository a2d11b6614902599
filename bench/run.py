"""Run wvorm's benchmarks against one embedded Weaviate server and report ratios.

    .venv/bin/python -m bench.run                      # 100,000 objects, 3 rounds
    .venv/bin/python -m bench.run --objects 5000 --rounds 1   # a quick check

Prints the command, a table per section and the ratios against their targets, and
writes everything to ``bench/results/<timestamp>.json``. See ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Optional

if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import dataset, streaming
from bench.contenders import BENCH_DIR, CLIENT_CONTENDERS, Contender, WvormBatch
from bench.report import rate, ratio_line, table, throughput_table
from bench.rounds import RunRecord, Summary, import_rounds, ratio
from bench.server import ServerAdmin

#: the parts of the v4 section (bench/v4.py), in the order they run
V4_PARTS = ("fetch", "near_vector", "iterate", "import_time", "batch")

RESULTS_DIR = BENCH_DIR / "results"
TARGET_VS_V3 = 1.0
TARGET_VS_CEILING = 0.9
TARGET_COMMIT_VS_BATCH = 0.9
TARGET_ALL_VS_RAW = 0.8
TARGET_ITERATE_GROWTH = 1.25  # peak at the largest N over peak at the smallest N, at most
TARGET_DECLARED_VS_BATCH = 0.9
TARGET_EMBEDDING_OVERHEAD = 1.10  # time a commit adds over its embedding function's, at most


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description="wvorm benchmarks (ratios, measured side by side)"
    )
    parser.add_argument("--objects", type=int, default=100_000, help="objects to import (100000)")
    parser.add_argument("--dims", type=int, default=dataset.DEFAULT_DIMS, help="vector size (384)")
    parser.add_argument("--batch-size", type=int, default=100, help="objects per request (100)")
    parser.add_argument("--workers", type=int, default=4, help="num_workers / connections (4)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--seed", type=int, default=42, help="data generator seed (42)")
    parser.add_argument(
        "--vector-index", choices=("hnsw", "flat"), default="hnsw",
        help="vector index of the benchmark classes (hnsw)",
    )  # fmt: skip
    parser.add_argument(
        "--sections", default="client,orm,v4",
        help="comma-separated: client, orm, v4, vectors, streaming (client,orm,v4)",
    )  # fmt: skip
    parser.add_argument(
        "--v4-parts", default=",".join(V4_PARTS),
        help=f"parts of the v4 section, comma-separated: {', '.join(V4_PARTS)} (all)",
    )  # fmt: skip
    parser.add_argument(
        "--contenders", default="wvorm,v3,ceiling",
        help="client contenders, comma-separated: wvorm, v3, ceiling (all)",
    )  # fmt: skip
    parser.add_argument(
        "--query-results", type=int, default=10_000, help="results hydrated by .all() (10000)"
    )
    parser.add_argument(
        "--query-repeats", type=int, default=7, help="alternating repeats of (e) (7)"
    )
    parser.add_argument(
        "--iterate-sizes", default="25000,50000,100000",
        help="object counts for the .iterate() memory test (25000,50000,100000)",
    )  # fmt: skip
    parser.add_argument(
        "--near-queries", type=int, default=200,
        help="sequential near-vector queries of the v4 section (200)",
    )  # fmt: skip
    parser.add_argument(
        "--iterate-page-size", type=int, default=100,
        help="page size of .iterate() and v4's iterator in the v4 section (100)",
    )  # fmt: skip
    parser.add_argument(
        "--streaming-sizes", default="100000,300000,1000000",
        help="object counts of the streaming import memory section (100000,300000,1000000)",
    )  # fmt: skip
    parser.add_argument(
        "--streaming-configs", default="dynamic:1,dynamic:4",
        help="client.batch set-ups of the streaming section, comma-separated "
        "MODE:WORKERS[:TRANSPORT], MODE dynamic or fixed, TRANSPORT rest or grpc "
        "(dynamic:1,dynamic:4)",
    )  # fmt: skip
    parser.add_argument(
        "--streaming-tracemalloc", action="store_true",
        help="also measure tracemalloc's peak in the streaming section (one more, slower, "
        "import per run)",
    )  # fmt: skip
    parser.add_argument(
        "--embed-cost", type=float, default=0.0005,
        help="CPU seconds the vectors section's stand-in embedding function spends per text "
        "(0.0005)",
    )  # fmt: skip
    parser.add_argument(
        "--profile", action="store_true",
        help="after the rounds, import once more with wvorm's client.batch under cProfile "
        "(every thread) and print where the time goes",
    )  # fmt: skip
    args = parser.parse_args(argv)
    args.sections = _choices(
        parser, "--sections", args.sections, {"client", "orm", "v4", "vectors", "streaming"}
    )
    args.v4_parts = _choices(parser, "--v4-parts", args.v4_parts, set(V4_PARTS))
    args.contenders = _choices(
        parser, "--contenders", args.contenders, {c.key for c in CLIENT_CONTENDERS}
    )
    try:
        args.iterate_sizes = sorted({int(s) for s in args.iterate_sizes.split(",") if s})
    except ValueError:
        parser.error(f"--iterate-sizes takes comma-separated integers, got {args.iterate_sizes!r}")
    try:
        args.streaming_sizes = sorted({int(s) for s in args.streaming_sizes.split(",") if s})
    except ValueError:
        parser.error(
            f"--streaming-sizes takes comma-separated integers, got {args.streaming_sizes!r}"
        )
    if not args.streaming_sizes or min(args.streaming_sizes) < streaming.SAMPLES:
        parser.error(f"--streaming-sizes must each be at least {streaming.SAMPLES}")
    args.streaming_configs = [c.strip() for c in args.streaming_configs.split(",") if c.strip()]
    for config in args.streaming_configs or [""]:
        try:
            streaming.StreamConfig.parse(config)
        except ValueError as exc:
            parser.error(f"--streaming-configs: {exc}")
    numbers = (
        "objects",
        "dims",
        "batch_size",
        "workers",
        "rounds",
        "query_results",
        "query_repeats",
        "near_queries",
        "iterate_page_size",
    )
    for name in numbers:
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def _choices(parser: argparse.ArgumentParser, flag: str, value: str, known: set[str]) -> list[str]:
    chosen = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(chosen) - known)
    if unknown or not chosen:
        choices = ", ".join(sorted(known))
        parser.error(f"{flag}: unknown {unknown or value!r}; choose from {choices}")
    return chosen


def environment() -> dict[str, Any]:
    def version(package: str) -> Optional[str]:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg(),
        "wvorm": version("wvorm"),
        "orjson": version("orjson"),  # wvorm encodes vectors with it when installed
        "requests": version("requests"),
    }


# -- sections --------------------------------------------------------------------------


def client_section(
    args: argparse.Namespace, data: dataset.Dataset, admin: ServerAdmin
) -> tuple[dict[str, Any], str]:
    """(a)-(c): wvorm's client.batch against weaviate-client 3.26.7 and the ceiling."""
    contenders: list[Contender] = [
        cls(data, dataset.CLASS_NAME, args.batch_size, args.workers)
        for key in args.contenders
        for cls in CLIENT_CONTENDERS
        if cls.key == key
    ]
    ready, broken = [], []
    for contender in contenders:
        try:
            contender.setup()
            ready.append(contender)
        except Exception as exc:
            error = f"setup failed: {type(exc).__name__}: {exc}"
            print(f"[bench] {contender.label}: {error}", flush=True)
            broken.append(Summary(contender.key, contender.label, [
                RunRecord(contender.key, 0, len(data), error=error)
            ]))  # fmt: skip
    try:
        schema = dataset.class_schema(dataset.CLASS_NAME, args.vector_index)
        summaries = import_rounds(ready, admin, schema, args.rounds) if ready else []
    finally:
        for contender in contenders:
            contender.close()
        admin.delete_class(dataset.CLASS_NAME)  # free the server for what follows
    summaries += broken
    by_key = {s.key: s for s in summaries}

    lines = [
        f"== Client batch import (issue 3): {len(data):,} objects, {data.dims}-dim vectors, "
        f"batch_size={args.batch_size}, num_workers={args.workers}, {args.rounds} round(s), "
        f"{args.vector_index} index ==",
        throughput_table(summaries, args.rounds),
        "",
    ]
    ratios: dict[str, Optional[float]] = {}
    wvorm = by_key.get("wvorm")
    for other, name, target in (
        ("v3", "wvorm / weaviate-client 3.26.7", TARGET_VS_V3),
        ("ceiling", "wvorm / ceiling", TARGET_VS_CEILING),
    ):
        if wvorm is None or other not in by_key:
            continue
        value = ratio(wvorm, by_key[other])
        ratios[f"wvorm/{other}"] = value
        missing = ", ".join(s.label for s in (wvorm, by_key[other]) if s.failed) + " failed"
        lines.append(ratio_line(name, value, target, missing))
    result = {
        "contenders": {s.key: s.as_json() for s in summaries},
        "ratios": ratios,
        "targets": {"wvorm/v3": TARGET_VS_V3, "wvorm/ceiling": TARGET_VS_CEILING},
    }
    return result, "\n".join(lines)


def orm_section(
    args: argparse.Namespace, data: dataset.Dataset, admin: ServerAdmin
) -> tuple[dict[str, Any], str]:
    """(d)-(f): the ORM against the client layer under it."""
    from bench import orm

    lines = ["== ORM (issue 4) =="]
    api, why = orm.load_api(args.vector_index)
    if api is None:
        lines.append(f"(d), (e), (f): {why}")
        return {"available": False, "error": why}, "\n".join(lines)
    result: dict[str, Any] = {"available": True}

    title = f"(d) Session add_all+commit vs client.batch with dicts, {len(data):,} objects"
    if api.session is None:
        lines.append(f"{title}: {api.session_error}")
        result["commit_vs_batch"] = {"error": api.session_error}
    else:
        summaries = orm.commit_vs_batch(
            api, data, admin, args.batch_size, args.workers, args.rounds
        )
        value = ratio(summaries[0], summaries[1])
        failed = ", ".join(s.label for s in summaries if s.failed) + " failed"
        lines += [
            title,
            throughput_table(summaries, args.rounds),
            ratio_line("Session / client.batch", value, TARGET_COMMIT_VS_BATCH, failed),
        ]
        result["commit_vs_batch"] = {
            "contenders": {s.key: s.as_json() for s in summaries},
            "ratio": value,
            "target": TARGET_COMMIT_VS_BATCH,
        }

    if api.query_error:
        lines.append(f"(e) .all() vs raw dicts, (f) .iterate() memory: {api.query_error}")
        result["all_vs_raw"] = result["iterate_memory"] = {"error": api.query_error}
        return result, "\n".join(lines)
    orm.ensure_loaded(api, data, admin, args.batch_size, args.workers)

    results = min(args.query_results, len(data))
    repeats = args.query_repeats
    try:
        compared = orm.all_vs_raw(api, admin.url, results, repeats)
    except Exception as exc:
        error = f"failed: {type(exc).__name__}: {exc}"
        lines.append(f"(e) .all() vs raw dicts: {error}")
        result["all_vs_raw"] = {"error": error}
    else:
        orm_median = compared.as_json()["orm_median_seconds"]
        raw_median = compared.as_json()["raw_median_seconds"]
        lines += [
            f"(e) .all() hydrating {results:,} models vs client.query.raw dicts "
            f"(same GraphQL, median of {repeats}): ORM {orm_median:.2f}s, raw {raw_median:.2f}s",
            ratio_line(".all() / raw dicts", compared.ratio, TARGET_ALL_VS_RAW),
        ]
        result["all_vs_raw"] = {**compared.as_json(), "target": TARGET_ALL_VS_RAW}

    sizes = [size for size in args.iterate_sizes if size <= len(data)]
    skipped = [size for size in args.iterate_sizes if size > len(data)]
    try:
        measured = orm.iterate_memory(api, admin.url, sizes) if sizes else []
    except Exception as exc:
        error = f"failed: {type(exc).__name__}: {exc}"
        lines.append(f"(f) .iterate() peak memory: {error}")
        result["iterate_memory"] = {"error": error}
        return result, "\n".join(lines)
    rows = [
        [f"{m.objects:,}", f"{m.peak_bytes / 2**20:.1f}", f"{m.seconds:.1f}",
         rate(m.objects / m.seconds if m.seconds else None)]
        for m in measured
    ]  # fmt: skip
    lines.append("(f) .iterate() peak Python memory (tracemalloc, which slows it down)")
    if rows:
        lines.append(table(["objects", "peak MiB", "seconds", "obj/s"], rows))
    if skipped:
        lines.append(f"  skipped {skipped}: more than the {len(data):,} objects imported")
    growth = (
        measured[-1].peak_bytes / measured[0].peak_bytes
        if len(measured) > 1 and measured[0].peak_bytes
        else None
    )
    if growth is not None:
        verdict = "flat: OK" if growth <= TARGET_ITERATE_GROWTH else "GROWS: BELOW TARGET"
        lines.append(
            f"peak at {measured[-1].objects:,} / peak at {measured[0].objects:,}: {growth:.2f}x "
            f"(target <= {TARGET_ITERATE_GROWTH}x) {verdict}"
        )
    result["iterate_memory"] = {
        "runs": [m.__dict__ for m in measured],
        "growth": growth,
        "target_growth": TARGET_ITERATE_GROWTH,
        "skipped_sizes": skipped,
    }
    return result, "\n".join(lines)


def vectors_section(
    args: argparse.Namespace, data: dataset.Dataset, admin: ServerAdmin
) -> tuple[dict[str, Any], str]:
    """(g) declared vector fields vs client.batch; (h) a client-side embedding function."""
    from bench import vectors

    first, second, overhead = vectors.run(
        data, admin, args.batch_size, args.workers, args.rounds, args.vector_index,
        args.embed_cost,
    )  # fmt: skip
    value = ratio(first[0], first[1])
    failed = ", ".join(s.label for s in first if s.failed) + " failed"
    lines = [
        "== Vectors (issue 9) ==",
        f"(g) Session commit of models with Vector({data.dims}) fields vs client.batch with "
        f"the same vectors, {len(data):,} objects",
        throughput_table(first, args.rounds),
        ratio_line(
            "Session (vector fields) / client.batch", value, TARGET_DECLARED_VS_BATCH, failed
        ),
        f"(h) the same commit with a client-side embedding function ({args.embed_cost * 1e3:g} "
        "ms of CPU per text) vs (g)'s commit",
        throughput_table(second, args.rounds),
    ]
    result: dict[str, Any] = {
        "declared_vs_batch": {
            "contenders": {s.key: s.as_json() for s in first},
            "ratio": value,
            "target": TARGET_DECLARED_VS_BATCH,
        },
        "embedding": {"contenders": {s.key: s.as_json() for s in second}},
    }
    if overhead is None:
        lines.append("added time / function time: n/a (a round failed)")
        return result, "\n".join(lines)
    function = statistics.median(overhead.function_seconds)
    verdict = "OK" if overhead.ratio <= TARGET_EMBEDDING_OVERHEAD else "ABOVE TARGET"
    lines.append(
        f"commit added {overhead.added:.2f}s for a function that took {function:.2f}s (medians): "
        f"{overhead.ratio:.2f}x (target <= {TARGET_EMBEDDING_OVERHEAD}x) {verdict}"
    )
    cpu = [s.median_cpu_seconds for s in second]
    if cpu[0] is not None and cpu[1] is not None:
        added_cpu = cpu[1] - cpu[0]
        result["embedding"]["added_client_cpu_seconds"] = added_cpu
        lines.append(
            f"client CPU added {added_cpu:.2f}s for the function's {function:.2f}s: "
            f"{added_cpu / function:.2f}x (the function is busy CPU, so this is the client's "
            "own share, without the server's noise)"
        )
    result["embedding"].update(overhead.as_json(), target=TARGET_EMBEDDING_OVERHEAD)
    return result, "\n".join(lines)


def profile_section(
    args: argparse.Namespace, data: dataset.Dataset, admin: ServerAdmin, stamp: str
) -> tuple[dict[str, Any], str]:
    """One more wvorm client.batch import under cProfile (every thread), untimed."""
    from bench.profiling import profile_all_threads, top_functions

    admin.reset_class(dataset.class_schema(dataset.CLASS_NAME, args.vector_index))
    contender = WvormBatch(data, dataset.CLASS_NAME, args.batch_size, args.workers)
    measured, stats = profile_all_threads(lambda: contender.run(admin.url))
    admin.delete_class(dataset.CLASS_NAME)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{stamp}-wvorm-batch.prof"
    stats.dump_stats(str(path))
    text = "\n".join([
        f"== Profile: wvorm client.batch, every thread ({measured.seconds:.1f}s wall, "
        f"{measured.cpu_seconds or 0:.1f}s client CPU, slowed by the profiler); {path} ==",
        top_functions(stats, "tottime", 25),
    ])  # fmt: skip
    result = {"file": str(path), "seconds": measured.seconds, "cpu_seconds": measured.cpu_seconds}
    return result, text


# -- main ------------------------------------------------------------------------------


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    command = shlex.join(sys.orig_argv) if hasattr(sys, "orig_argv") else shlex.join(sys.argv)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    print(f"command: {command}", flush=True)
    results: dict[str, Any] = {
        "command": command,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "settings": {k: v for k, v in vars(args).items()},
        "environment": environment(),
    }

    started = time.perf_counter()
    needs_data = bool({"client", "orm", "v4", "vectors"} & set(args.sections)) or args.profile
    data = dataset.generate(args.objects, args.dims, args.seed) if needs_data else None
    if data is not None:
        print(
            f"[bench] generated {len(data):,} objects in {time.perf_counter() - started:.1f}s",
            flush=True,
        )

    from wvorm.embedded import EmbeddedOptions, EmbeddedServer

    server = EmbeddedServer(EmbeddedOptions())
    server.start()
    reports: list[str] = []
    try:
        admin = ServerAdmin(server.url)
        results["environment"]["weaviate_server"] = admin.version()
        print(f"[bench] weaviate-server {admin.version()} at {server.url}", flush=True)
        if "client" in args.sections:
            assert data is not None
            results["client"], text = client_section(args, data, admin)
            reports.append(text)
        if "orm" in args.sections:
            assert data is not None
            results["orm"], text = orm_section(args, data, admin)
            reports.append(text)
        if "v4" in args.sections:
            from bench import v4

            assert data is not None
            ports = server.ports
            results["v4"], text = v4.section(args, data, admin, ports.http, ports.grpc)
            reports.append(text)
        if "vectors" in args.sections:
            assert data is not None
            results["vectors"], text = vectors_section(args, data, admin)
            reports.append(text)
        if "streaming" in args.sections:
            results["streaming"], text = streaming.section(args, admin, server.ports.grpc)
            reports.append(text)
        if args.profile:
            assert data is not None
            results["profile"], text = profile_section(args, data, admin, stamp)
            reports.append(text)
    finally:
        server.stop()
    results["environment"]["load_average_at_end"] = os.getloadavg()
    results["seconds"] = time.perf_counter() - started

    env = results["environment"]
    header = [
        "",
        f"command: {command}",
        f"python {env['python']}, {env['cpus']} CPUs, wvorm {env['wvorm']} "
        f"(orjson {env['orjson'] or 'not installed'}), "
        f"weaviate-server {env.get('weaviate_server')}; "
        f"load average {env['load_average_at_start'][0]:.1f} at start, "
        f"{env['load_average_at_end'][0]:.1f} at end",
        "Ratios compare medians measured side by side in this run; absolute numbers are not "
        "comparable across machines or runs.",
        "",
    ]
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{stamp}.json"
    out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    print("\n".join([*header, "\n\n".join(reports), "", f"results: {out}"]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

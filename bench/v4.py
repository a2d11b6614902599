"""wvorm against weaviate-client 4.24.1, both over gRPC, on one server and one data set.

The v4 side runs in ``bench/.venv-v4``: queries in one long-lived
``bench/v4_queries.py`` process (so that its calls interleave with wvorm's), batch
imports in ``bench/v4_import.py`` (one process per round). Every timing of v4 is
taken inside its process around the operation only. wvorm runs in this process on
a client made with ``Config(grpc_port=...)``; a client whose transport is not gRPC
fails the section.

Parts (see ``bench/README.md``): (1) fetch 10,000 objects with and without vectors,
(2) sequential near-vector latency, (3) batch import (flat and hnsw index), (4)
cursor iteration throughput and peak memory, (5) import time. Each measured call is
checked (counts, distinct ids, vector lengths, result counts, ids equal to v4's);
a contender whose answer is wrong fails, whatever its time.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, Callable, Optional

from bench import dataset
from bench.contenders import (
    BENCH_DIR,
    V4_VERSION,
    Contender,
    Measurement,
    WvormBatch,
    ensure_v4_venv,
    wvorm_client,
)
from bench.dataset import Dataset
from bench.orm import ORM_CLASS, OrmApi, SessionCommit, ensure_loaded, load_api
from bench.report import rate, ratio_line, table, throughput_table
from bench.rounds import import_rounds, ratio
from bench.server import ServerAdmin

V4 = f"weaviate-client {V4_VERSION}"
NEAR_LIMIT = 10
TARGETS = {
    "fetch": 1.0,  # v4 seconds / wvorm seconds, at least
    "near_client": 1.0,  # wvorm median / v4 median, at most
    "near_orm": 1.1,  # at most
    "batch_vs_v4": 1.0,  # wvorm obj/s / v4 obj/s, at least
    "commit_vs_batch": 0.9,  # at least
    "iterate": 1.0,  # v4 seconds / wvorm seconds, at least
    "iterate_growth": 1.25,  # peak at N / peak at N/2, at most
    "import_time": 1.0,  # wvorm seconds / weaviate seconds, at most
}

Side = Callable[[int], float]  # one call (the repeat's or query's index): timed seconds


class V4Worker:
    """The ``bench/v4_queries.py`` process: one JSON command in, one JSON answer out."""

    def __init__(self, python: Path, http_port: int, grpc_port: int, vectors: Path) -> None:
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        command = [
            str(python), str(BENCH_DIR / "v4_queries.py"),
            "--http-port", str(http_port), "--grpc-port", str(grpc_port),
            "--collection", ORM_CLASS, "--vectors", str(vectors),
        ]  # fmt: skip
        self._process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, text=True
        )
        self.version = str(self._read()["client_version"])

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            self._stderr.seek(0)
            tail = self._stderr.read().decode(errors="replace")[-2000:]
            raise RuntimeError(f"v4 worker exited ({self._process.poll()}):\n{tail}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"v4: {answer['error']}")
        return answer

    def call(self, **command: Any) -> dict[str, Any]:
        assert self._process.stdin is not None
        self._process.stdin.write(json.dumps(command) + "\n")
        self._process.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(RuntimeError, OSError):
                self.call(op="quit")
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
        self._stderr.close()


class V4Batch(Contender):
    """``collection.batch.fixed_size(batch_size, concurrent_requests=workers)`` of v4
    (gRPC), run by ``bench/v4_import.py`` in its venv, timed inside around the import."""

    key = "v4"
    label = f"{V4} batch.fixed_size"

    def __init__(self, data: Dataset, batch_size: int, workers: int, grpc_port: int) -> None:
        super().__init__(data, ORM_CLASS, batch_size, workers)
        self.grpc_port = grpc_port
        self._workdir = Path(tempfile.mkdtemp(prefix="wvorm-bench-v4-"))
        self._python = ensure_v4_venv()
        dataset.write(data, self._workdir / "data")

    def run(self, url: str) -> Measurement:
        result_file = self._workdir / "result.json"
        result_file.unlink(missing_ok=True)
        command = [
            str(self._python), str(BENCH_DIR / "v4_import.py"),
            "--http-port", url.rsplit(":", 1)[1], "--grpc-port", str(self.grpc_port),
            "--data", str(self._workdir / "data"), "--collection", self.class_name,
            "--batch-size", str(self.batch_size), "--workers", str(self.workers),
            "--result", str(result_file),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0 or not result_file.exists():
            raise RuntimeError(f"v4 import exited with {done.returncode}:\n{done.stderr[-2000:]}")
        result = json.loads(result_file.read_text(encoding="utf-8"))
        note = f"{result['failed']} in batch.failed_objects" if result["failed"] else ""
        return Measurement(float(result["seconds"]), float(result["cpu_seconds"]), note)

    def close(self) -> None:
        shutil.rmtree(self._workdir, ignore_errors=True)


# -- helpers ---------------------------------------------------------------------------


def grpc_client(url: str, grpc_port: int) -> Any:
    """A wvorm client whose typed queries go over gRPC, or RuntimeError."""
    return wvorm_client(url, grpc_port)


def interleave(
    sides: dict[str, Side], repeats: int
) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Call every side ``repeats`` times in a rotating order; seconds and errors per side.
    A side that raises once (wrong data included) is failed and not called again."""
    names = list(sides)
    seconds: dict[str, list[float]] = {name: [] for name in names}
    errors: dict[str, str] = {}
    for index in range(repeats):
        shift = index % len(names)
        for name in [*names[shift:], *names[:shift]]:
            if name in errors:
                continue
            try:
                seconds[name].append(sides[name](index))
            except Exception as exc:
                errors[name] = f"{type(exc).__name__}: {exc}"
                print(f"[bench] {name}: FAILED: {errors[name]}", flush=True)
    return seconds, errors


def expect(condition: bool, what: str) -> None:
    if not condition:
        raise RuntimeError(f"wrong answer: {what}")


def median(values: Sequence[float]) -> Optional[float]:
    return statistics.median(values) if values else None


def quotient(top: Optional[float], bottom: Optional[float]) -> Optional[float]:
    return None if top is None or not bottom else top / bottom


def ms(value: Optional[float]) -> str:
    return "-" if value is None else f"{value * 1000:.2f}"


def at_most_line(name: str, value: Optional[float], target: float, why: str = "") -> str:
    if value is None:
        return f"{name}: n/a{f' ({why})' if why else ''}"
    verdict = "OK" if value <= target else "ABOVE TARGET"
    return f"{name}: {value:.2f}x (target <= {target:g}x) {verdict}"


def query_vectors(count: int, dims: int, seed: int) -> list[list[float]]:
    rng = random.Random(seed + 1)
    return [array("f", [2 * rng.random() - 1 for _ in range(dims)]).tolist() for _ in range(count)]


def all_properties() -> tuple[Any, ...]:
    from wvorm import plan

    return tuple(plan.PropertySelect(name) for name, _ in dataset.PROPERTIES)


# -- (1) fetch ---------------------------------------------------------------------------


def fetch_part(
    api: OrmApi, client: Any, worker: V4Worker, limit: int, repeats: int, dims: int
) -> tuple[dict[str, Any], list[str]]:
    from wvorm import plan
    from wvorm.orm import state_of

    result: dict[str, Any] = {}
    rows: list[list[str]] = []
    verdicts: list[str] = []
    orm_name, raw_name = "wvorm ORM .all()", "wvorm transport.search"

    def sides_for(vectors: bool) -> dict[str, Side]:
        want = dims if vectors else 0

        def orm(_: int) -> float:
            query = api.model.query.using(client).limit(limit)
            query = query.with_vector() if vectors else query
            started = time.perf_counter()
            models = query.all()
            seconds = time.perf_counter() - started
            expect(len(models) == limit, f"{len(models)} models, not {limit}")
            expect(len({m.id for m in models}) == limit, "repeated ids")
            lengths = {len(state_of(m).vector or ()) for m in models}
            expect(lengths == {want}, f"vector lengths {sorted(lengths)}, not {want}")
            return seconds

        search = plan.SearchPlan(
            collection=ORM_CLASS,
            properties=all_properties(),
            limit=limit,
            metadata=plan.Metadata(vector=vectors),
        )

        def raw(_: int) -> float:
            started = time.perf_counter()
            answer = client.transport.search(search)
            seconds = time.perf_counter() - started
            expect(len(answer) == limit, f"{len(answer)} rows, not {limit}")
            expect(len({r["_additional"]["id"] for r in answer}) == limit, "repeated ids")
            lengths = {len(r["_additional"].get("vector") or ()) for r in answer}
            expect(lengths == {want}, f"vector lengths {sorted(lengths)}, not {want}")
            return seconds

        def v4(_: int) -> float:
            answer = worker.call(op="fetch", limit=limit, vectors=vectors)
            expect(answer["count"] == limit, f"{answer['count']} objects, not {limit}")
            expect(answer["distinct_ids"] == limit, "repeated ids")
            expect(answer["vector_lengths"] == [want, want], f"{answer['vector_lengths']}")
            expect(answer["property_count"] == len(dataset.PROPERTIES), "missing properties")
            return float(answer["seconds"])

        return {orm_name: orm, raw_name: raw, V4: v4}

    for vectors in (True, False):
        seconds, errors = interleave(sides_for(vectors), repeats)
        medians = {name: None if name in errors else median(s) for name, s in seconds.items()}
        what = "with vectors" if vectors else "without vectors"
        for name, value in medians.items():
            shown = "FAILED" if value is None else f"{value:.3f}"
            rows.append([f"{name}, {what}", shown, rate(limit / value if value else None)])
        value = quotient(medians[V4], medians[orm_name])
        client_value = quotient(medians[V4], medians[raw_name])
        verdicts += [
            ratio_line(f"ORM .all() vs v4, {what} (v4 s / wvorm s)", value, TARGETS["fetch"],
                       "; ".join(errors.values())),
            f"  (client level: transport.search vs v4, {what}: "
            f"{'n/a' if client_value is None else f'{client_value:.2f}x'}, no target)",
            *(f"  {name} FAILED: {error}" for name, error in errors.items()),
        ]  # fmt: skip
        result["with_vectors" if vectors else "without_vectors"] = {
            "seconds": seconds,
            "errors": errors,
            "median_seconds": medians,
            "ratio_v4_over_orm": value,
            "ratio_v4_over_client": client_value,
            "target": TARGETS["fetch"],
        }
    lines = [
        f"(1) fetch {limit:,} objects, all properties, median of {repeats} interleaved repeats",
        table(["contender", "median s", "obj/s"], rows),
        *verdicts,
    ]
    return result, lines


# -- (2) near vector ---------------------------------------------------------------------


def near_part(
    api: OrmApi, client: Any, worker: V4Worker, vectors: list[list[float]]
) -> tuple[dict[str, Any], list[str]]:
    from wvorm import plan

    ids: dict[str, dict[int, list[str]]] = {"client": {}, "orm": {}, "v4": {}}
    properties = all_properties()

    def check(name: str, index: int, got: list[str], distances: list[Any]) -> None:
        expect(len(got) == NEAR_LIMIT, f"{len(got)} results, not {NEAR_LIMIT}")
        expect(all(d is not None for d in distances), "a result without its distance")
        expect(list(distances) == sorted(distances), "results not ordered by distance")
        ids[name][index] = got

    def raw(index: int) -> float:
        search = plan.SearchPlan(
            collection=ORM_CLASS,
            properties=properties,
            search=plan.NearVector(vectors[index]),
            limit=NEAR_LIMIT,
            metadata=plan.Metadata(distance=True),
        )
        started = time.perf_counter()
        rows = client.transport.search(search)
        seconds = time.perf_counter() - started
        extra = [r["_additional"] for r in rows]
        check("client", index, [a["id"] for a in extra], [a.get("distance") for a in extra])
        return seconds

    def orm(index: int) -> float:
        started = time.perf_counter()
        hits = api.model.query.using(client).near_vector(vectors[index]).limit(NEAR_LIMIT).hits()
        seconds = time.perf_counter() - started
        check("orm", index, [str(h.object.id) for h in hits], [h.distance for h in hits])
        return seconds

    def v4(index: int) -> float:
        answer = worker.call(op="near", index=index)
        expect(answer["property_count"] == len(dataset.PROPERTIES), "missing properties")
        check("v4", index, answer["ids"], answer["distances"])
        return float(answer["seconds"])

    names = {"client": "wvorm transport.search(plan)", "orm": "wvorm ORM .hits()", "v4": V4}
    seconds, errors = interleave({names["client"]: raw, names["orm"]: orm, V4: v4}, len(vectors))
    rows = []
    medians: dict[str, Optional[float]] = {}
    for name, values in seconds.items():
        medians[name] = None if name in errors else median(values)
        p90 = statistics.quantiles(values, n=10)[-1] if len(values) >= 2 else None
        rows.append([name, "FAILED" if name in errors else ms(medians[name]), ms(p90)])
    for key in ("client", "orm"):  # the same ids as v4 for every query (same server, same index)
        differ = sum(1 for i, got in ids[key].items() if ids["v4"].get(i) != got)
        if differ and names[key] not in errors:
            errors[names[key]] = f"{differ} of {len(ids[key])} queries answered other ids than v4"
            medians[names[key]] = None
    client_value = quotient(medians[names["client"]], medians[V4])
    orm_value = quotient(medians[names["orm"]], medians[V4])
    lines = [
        f"(2) {len(vectors)} sequential near-vector queries, {NEAR_LIMIT} results each, "
        "all properties + distance, interleaved",
        table(["contender", "median ms", "p90 ms"], rows),
        at_most_line("wvorm client median / v4 median", client_value, TARGETS["near_client"],
                     errors.get(names["client"], "")),
        at_most_line("wvorm ORM median / v4 median", orm_value, TARGETS["near_orm"],
                     errors.get(names["orm"], "")),
    ]  # fmt: skip
    lines += [f"  {name} FAILED: {error}" for name, error in errors.items()]
    result = {
        "seconds": seconds,
        "errors": errors,
        "median_seconds": medians,
        "ratio_client_over_v4": client_value,
        "ratio_orm_over_v4": orm_value,
        "targets": {"client": TARGETS["near_client"], "orm": TARGETS["near_orm"]},
    }
    return result, lines


# -- (4) iterate -------------------------------------------------------------------------


def orm_iterate(
    api: OrmApi, client: Any, objects: int, page_size: int, trace: bool
) -> dict[str, Any]:
    iterator = iter(api.model.query.using(client).iterate(page_size=page_size))
    seen: set[Any] = set()
    if trace:
        tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0] if trace else 0
    started = time.perf_counter()
    count = 0
    for obj in iterator:
        count += 1
        if not trace:
            seen.add(obj.id)
        if count >= objects:
            break
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] - baseline if trace else None
    if trace:
        tracemalloc.stop()
    iterator.close()  # type: ignore[attr-defined]
    return {
        "seconds": seconds,
        "count": count,
        "distinct_ids": None if trace else len(seen),
        "peak_bytes": peak,
    }


def iterate_part(
    api: OrmApi, client: Any, worker: V4Worker, total: int, page_size: int, rounds: int
) -> tuple[dict[str, Any], list[str]]:
    orm_name = f"wvorm ORM .iterate(page_size={page_size})"
    v4_name = f"{V4} iterator(cache_size={page_size})"

    def checked(answer: dict[str, Any], objects: int) -> dict[str, Any]:
        expect(answer["count"] == objects, f"{answer['count']} objects, not {objects}")
        if answer["distinct_ids"] is not None:
            expect(answer["distinct_ids"] == objects, "repeated ids")
        return answer

    def orm(_: int) -> float:
        return float(checked(orm_iterate(api, client, total, page_size, False), total)["seconds"])

    def v4(_: int) -> float:
        answer = worker.call(op="iterate", objects=total, page_size=page_size, trace=False)
        return float(checked(answer, total)["seconds"])

    seconds, errors = interleave({orm_name: orm, v4_name: v4}, rounds)
    medians = {name: None if name in errors else median(s) for name, s in seconds.items()}
    sizes = sorted({max(total // 2, 1), total})
    peaks: dict[str, dict[int, int]] = {orm_name: {}, v4_name: {}}
    for size in sizes:  # traced passes (tracemalloc slows them; not timed for the ratio)
        for name in (orm_name, v4_name):
            if name in errors:
                continue
            try:
                if name == orm_name:
                    answer = orm_iterate(api, client, size, page_size, True)
                else:
                    answer = worker.call(
                        op="iterate", objects=size, page_size=page_size, trace=True
                    )
                peaks[name][size] = int(checked(answer, size)["peak_bytes"])
            except Exception as exc:
                errors[name] = f"{type(exc).__name__}: {exc}"
    rows = []
    growth: dict[str, Optional[float]] = {}
    for name in (orm_name, v4_name):
        value = medians[name]
        mib = [f"{peaks[name][s] / 2**20:.2f}" if s in peaks[name] else "-" for s in sizes]
        growth[name] = (
            quotient(float(peaks[name][sizes[-1]]), float(peaks[name][sizes[0]]))
            if len(peaks[name]) == len(sizes) == 2
            else None
        )
        rows.append(
            [
                name,
                "FAILED" if name in errors else f"{value:.2f}",
                rate(total / value if value else None),
                *mib,
                "-" if growth[name] is None else f"{growth[name]:.2f}",
            ]
        )
    value = quotient(medians[v4_name], medians[orm_name])
    lines = [
        f"(4) cursor iteration over all {total:,} objects (no vectors), median of {rounds}; "
        "peak Python memory by tracemalloc in separate passes",
        table(
            ["contender", "median s", "obj/s", *(f"peak MiB @{s:,}" for s in sizes), "peak growth"],
            rows,
        ),
        ratio_line(
            "ORM .iterate() vs v4 iterator (v4 s / wvorm s)",
            value,
            TARGETS["iterate"],
            errors.get(orm_name, "") or errors.get(v4_name, ""),
        ),
        at_most_line(
            f"wvorm peak growth {sizes[-1]:,} / {sizes[0]:,}",
            growth[orm_name],
            TARGETS["iterate_growth"],
        ),
    ]
    lines += [f"  {name} FAILED: {error}" for name, error in errors.items()]
    result = {
        "seconds": seconds,
        "errors": errors,
        "median_seconds": medians,
        "sizes": sizes,
        "peak_bytes": peaks,
        "peak_growth": growth,
        "ratio_v4_over_orm": value,
        "targets": {"ratio": TARGETS["iterate"], "growth": TARGETS["iterate_growth"]},
    }
    return result, lines


# -- (5) import time ---------------------------------------------------------------------


def import_part(v4_python: Path, repeats: int = 5) -> tuple[dict[str, Any], list[str]]:
    commands = {
        "python -c pass (wvorm venv)": [sys.executable, "-c", "pass"],
        "import wvorm": [sys.executable, "-c", "import wvorm"],
        "import wvorm + its gRPC modules": [
            sys.executable,
            "-c",
            "import wvorm, wvorm.transport, wvorm.grpc.messages, wvorm.grpc.channel",
        ],
        "python -c pass (v4 venv)": [str(v4_python), "-c", "pass"],
        "import weaviate": [str(v4_python), "-c", "import weaviate"],
    }

    def side(command: list[str]) -> Side:
        def run(_: int) -> float:
            started = time.perf_counter()
            done = subprocess.run(command, capture_output=True)
            seconds = time.perf_counter() - started
            expect(done.returncode == 0, done.stderr.decode(errors="replace")[-500:])
            return seconds

        return run

    seconds, errors = interleave({name: side(c) for name, c in commands.items()}, repeats)
    medians = {name: None if name in errors else median(s) for name, s in seconds.items()}
    value = quotient(medians["import wvorm"], medians["import weaviate"])
    grpc_value = quotient(medians["import wvorm + its gRPC modules"], medians["import weaviate"])
    rows = [[name, "FAILED" if medians[name] is None else ms(medians[name])] for name in commands]
    lines = [
        f"(5) import time: wall time of a fresh `python -c ...`, median of {repeats} interleaved",
        table(["command", "median ms"], rows),
        at_most_line("import wvorm / import weaviate", value, TARGETS["import_time"]),
        at_most_line(
            "import wvorm + gRPC modules / import weaviate", grpc_value, TARGETS["import_time"]
        ),
    ]
    lines += [f"  {name} FAILED: {error}" for name, error in errors.items()]
    result = {
        "seconds": seconds,
        "errors": errors,
        "median_seconds": medians,
        "ratio": value,
        "ratio_with_grpc": grpc_value,
        "target": TARGETS["import_time"],
    }
    return result, lines


# -- (3) batch import --------------------------------------------------------------------


def batch_part(
    data: Dataset, admin: ServerAdmin, grpc_port: int, batch_size: int, workers: int, rounds: int
) -> tuple[dict[str, Any], list[str]]:
    result: dict[str, Any] = {}
    lines: list[str] = []
    v4 = V4Batch(data, batch_size, workers, grpc_port)
    try:
        for index in ("flat", "hnsw"):
            api, why = load_api(index)
            if api is None or api.session is None:
                lines.append(f"(3) batch import, {index}: {why or (api and api.session_error)}")
                continue
            grpc_batch = WvormBatch(data, ORM_CLASS, batch_size, workers)
            grpc_batch.grpc_port, grpc_batch.label = grpc_port, "wvorm client.batch (gRPC)"
            rest_batch = WvormBatch(data, ORM_CLASS, batch_size, workers)
            rest_batch.key, rest_batch.label = "wvorm-rest", "wvorm client.batch (REST)"
            session = SessionCommit(api, data, batch_size, workers)
            session.grpc_port, session.label = grpc_port, "wvorm Session commit (gRPC)"
            contenders: list[Contender] = [grpc_batch, v4, session, rest_batch]
            summaries = import_rounds(contenders, admin, api.schema, rounds)
            by_key = {s.key: s for s in summaries}
            vs_v4 = ratio(by_key["wvorm"], by_key["v4"])
            rest_vs_v4 = ratio(by_key["wvorm-rest"], by_key["v4"])
            commit = ratio(by_key["orm"], by_key["wvorm"])
            failed = ", ".join(s.label for s in summaries if s.failed) + " failed"
            lines += [
                f"(3) batch import of {len(data):,} objects, {data.dims}-dim vectors, {index} "
                f"index, batch_size={batch_size}, {workers} workers / concurrent_requests",
                throughput_table(summaries, rounds),
                ratio_line(f"wvorm client.batch (gRPC) / v4 fixed_size ({index})", vs_v4,
                           TARGETS["batch_vs_v4"], failed),
                # (no target: with gRPC available wvorm batches over it; REST is the fallback)
                f"  (the REST fallback / v4 fixed_size ({index}): "
                f"{'n/a' if rest_vs_v4 is None else f'{rest_vs_v4:.2f}x'}, no target)",
                ratio_line(f"Session commit / wvorm client.batch, both gRPC ({index})", commit,
                           TARGETS["commit_vs_batch"], failed),
                "",
            ]  # fmt: skip
            result[index] = {
                "contenders": {s.key: s.as_json() for s in summaries},
                "ratio_wvorm_grpc_over_v4": vs_v4,
                "ratio_wvorm_rest_over_v4": rest_vs_v4,
                "ratio_commit_over_batch": commit,
                "targets": {
                    "wvorm/v4": TARGETS["batch_vs_v4"],
                    "commit/batch": TARGETS["commit_vs_batch"],
                },
            }
    finally:
        v4.close()
    return result, lines


# -- the section -------------------------------------------------------------------------


def section(
    args: Any, data: Dataset, admin: ServerAdmin, http_port: int, grpc_port: int
) -> tuple[dict[str, Any], str]:
    """Parts (1)-(5); queries first (on the ORM class loaded once), imports last."""
    lines = [
        f"== wvorm vs {V4} (both gRPC): {len(data):,} objects, {data.dims}-dim vectors, "
        f"{args.vector_index} index for the queries =="
    ]
    result: dict[str, Any] = {}
    api, why = load_api(args.vector_index)
    if api is None:
        return {"error": why}, "\n".join([*lines, why])
    v4_python = ensure_v4_venv()
    workdir = Path(tempfile.mkdtemp(prefix="wvorm-bench-v4q-"))
    vectors = query_vectors(args.near_queries, data.dims, args.seed)
    (workdir / "vectors.json").write_text(json.dumps(vectors), encoding="utf-8")
    client: Any = None
    worker: Optional[V4Worker] = None
    try:
        ensure_loaded(api, data, admin, args.batch_size, args.workers)
        client = grpc_client(admin.url, grpc_port)
        worker = V4Worker(v4_python, http_port, grpc_port, workdir / "vectors.json")
        result["v4_client_version"] = worker.version
        limit = min(args.query_results, len(data))
        parts: list[tuple[str, Callable[[], tuple[dict[str, Any], list[str]]]]] = [
            ("fetch", lambda: fetch_part(api, client, worker, limit, args.query_repeats,
                                         data.dims)),
            ("near_vector", lambda: near_part(api, client, worker, vectors)),
            ("iterate", lambda: iterate_part(api, client, worker, len(data),
                                             args.iterate_page_size, args.rounds)),
            ("import_time", lambda: import_part(v4_python)),
        ]  # fmt: skip
        for key, part in parts:
            if key not in args.v4_parts:
                continue
            print(f"[bench] v4 section: {key}", flush=True)
            try:
                result[key], part_lines = part()
            except Exception as exc:
                result[key] = {"error": f"{type(exc).__name__}: {exc}"}
                part_lines = [f"{key}: FAILED: {result[key]['error']}"]
            lines += [*part_lines, ""]
    except Exception as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        lines.append(f"FAILED: {result['error']}")
    finally:
        if worker is not None:
            worker.close()
        if client is not None:
            client.close()
        shutil.rmtree(workdir, ignore_errors=True)
    if "batch" in args.v4_parts:
        print("[bench] v4 section: batch import", flush=True)
        result["batch"], batch_lines = batch_part(
            data, admin, grpc_port, args.batch_size, args.workers, args.rounds
        )
        lines += batch_lines
    admin.delete_class(ORM_CLASS)
    return result, "\n".join(lines)

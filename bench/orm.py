"""The ORM benchmarks (issue 4), each against the client layer it sits on.

- (d) ``session.add_all(models); session.commit()`` against ``client.batch`` with
  the equivalent dicts (same batch size and workers), in alternating rounds;
- (e) ``Model.query...limit(n).all()`` hydrating models against the very same
  GraphQL text (``.build()``) sent with ``client.query.raw``, returning dicts;
- (f) peak Python memory (tracemalloc) of ``Model.query...iterate()`` over N objects
  at several N: it must stay flat as N grows.

Each part looks the ORM API up when it runs and, when that is not importable yet,
reports "not available yet: <error>" instead of failing the run.
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from bench.contenders import Contender, Measurement, WvormBatch, stopwatch, wvorm_client
from bench.dataset import Dataset
from bench.rounds import Summary, import_rounds
from bench.server import ServerAdmin

ORM_CLASS = "BenchOrmItem"


@dataclass
class OrmApi:
    """The ORM pieces the benchmarks use, or why each is missing."""

    model: Any  # the benchmark's WeaviateModel subclass
    schema: dict[str, Any]  # its class JSON
    state_of: Callable[[Any], Any]
    session: Optional[Callable[..., Any]]  # the Session class
    session_error: str
    query_error: str


def load_api(vector_index: str) -> tuple[Optional[OrmApi], str]:
    """The ORM API with the benchmark model defined, or ``(None, why)``."""
    try:
        from wvorm.orm import WeaviateModel, class_schema, state_of
    except ImportError as exc:
        return None, f"not available yet: {type(exc).__name__}: {exc}"

    class BenchOrmItem(  # mirrors bench.dataset.PROPERTIES field for field
        WeaviateModel, name=ORM_CLASS, vectorizer="none", vector_index_type=vector_index
    ):
        title: str
        body: str
        category: str
        price: float
        rating: int

    session: Optional[Callable[..., Any]] = None
    session_error = ""
    try:  # DESIGN.md's home for it is the top-level package; wvorm.orm while it lands
        import wvorm

        session = getattr(wvorm, "Session", None)
        if session is None:
            from wvorm.orm import Session  # type: ignore[attr-defined,unused-ignore]

            session = Session
    except ImportError as exc:
        session_error = f"not available yet: {type(exc).__name__}: {exc}"
    query_error = (
        "" if hasattr(BenchOrmItem, "query") else ("not available yet: WeaviateModel has no .query")
    )
    api = OrmApi(
        BenchOrmItem, class_schema(BenchOrmItem), state_of, session, session_error, query_error
    )
    return api, ""


def build_models(api: OrmApi, data: Dataset) -> list[Any]:
    """One model instance per object, carrying its uuid and vector."""
    models = []
    for object_id, properties, vector in zip(data.ids, data.properties, data.vectors):
        model = api.model(id=object_id, **properties)
        api.state_of(model).vector = vector
        models.append(model)
    return models


class SessionCommit(Contender):
    """``session.add_all(models); session.commit()``; the models are built untimed."""

    key = "orm"
    label = "wvorm Session add_all+commit"
    grpc_port: Optional[int] = None  # set: a gRPC client (see bench.contenders.wvorm_client)

    def __init__(self, api: OrmApi, data: Dataset, batch_size: int, workers: int) -> None:
        super().__init__(data, ORM_CLASS, batch_size, workers)
        self.api = api

    def models(self) -> list[Any]:
        """The objects to commit: fresh, never-saved ones each round."""
        return build_models(self.api, self.data)

    def run(self, url: str) -> Measurement:
        assert self.api.session is not None
        models = self.models()
        client = wvorm_client(url, self.grpc_port)
        try:
            session = self.api.session(client, batch_size=self.batch_size, num_workers=self.workers)
            with session, stopwatch() as times:
                session.add_all(models)
                session.commit()
        finally:
            client.close()
        return Measurement(times[0], times[1])


def commit_vs_batch(
    api: OrmApi, data: Dataset, admin: ServerAdmin, batch_size: int, workers: int, rounds: int
) -> list[Summary]:
    """(d): the Session against client.batch with the same dicts, in alternating rounds."""
    contenders: list[Contender] = [
        SessionCommit(api, data, batch_size, workers),
        WvormBatch(data, ORM_CLASS, batch_size, workers),
    ]
    contenders[1].label = "wvorm client.batch (dicts)"
    return import_rounds(contenders, admin, api.schema, rounds)


def ensure_loaded(
    api: OrmApi, data: Dataset, admin: ServerAdmin, batch_size: int, workers: int
) -> None:
    """Make the ORM class hold exactly ``data`` (after (d), or when (d) could not run)."""
    if admin.has_class(ORM_CLASS) and admin.count(ORM_CLASS) == len(data):
        return
    admin.reset_class(api.schema)
    WvormBatch(data, ORM_CLASS, batch_size, workers).run(admin.url)
    count = admin.count(ORM_CLASS)
    if count != len(data):
        raise RuntimeError(f"loading {ORM_CLASS} for the query benchmarks: {count} of {len(data)}")


@dataclass
class QueryComparison:
    """(e): seconds of each repetition, per side, and the ratio of the medians."""

    results: int
    orm_seconds: list[float]
    raw_seconds: list[float]
    graphql: str

    @property
    def ratio(self) -> float:
        """ORM throughput over raw-dict throughput (raw seconds / ORM seconds)."""
        return statistics.median(self.raw_seconds) / statistics.median(self.orm_seconds)

    def as_json(self) -> dict[str, Any]:
        return {
            "results": self.results,
            "orm_seconds": self.orm_seconds,
            "raw_seconds": self.raw_seconds,
            "orm_median_seconds": statistics.median(self.orm_seconds),
            "raw_median_seconds": statistics.median(self.raw_seconds),
            "ratio_orm_over_raw": self.ratio,
            "graphql": self.graphql,
        }


def all_vs_raw(api: OrmApi, url: str, results: int, repeats: int) -> QueryComparison:
    """(e): ``.all()`` into models against ``client.query.raw`` of the same GraphQL."""
    import wvorm

    client = wvorm.Client(url)
    try:
        query = api.model.query.using(client).limit(results)
        graphql = query.build()

        def orm() -> int:
            return len(query.all())

        def raw() -> int:
            answer = client.query.raw(graphql)
            if answer.get("errors"):
                raise RuntimeError(f"GraphQL errors: {answer['errors']}")
            return len(answer["data"]["Get"][ORM_CLASS])

        timings: dict[str, list[float]] = {"orm": [], "raw": []}
        sides: list[tuple[str, Callable[[], int]]] = [("orm", orm), ("raw", raw)]
        for index in range(repeats):
            for name, side in sides if index % 2 == 0 else reversed(sides):
                started = time.perf_counter()
                got = side()
                timings[name].append(time.perf_counter() - started)
                if got != results:
                    raise RuntimeError(f"{name} query returned {got} objects, expected {results}")
    finally:
        client.close()
    return QueryComparison(results, timings["orm"], timings["raw"], graphql)


@dataclass
class IterateMemory:
    """(f): one ``.iterate()`` pass over ``objects`` objects."""

    objects: int
    peak_bytes: int
    seconds: float


def iterate_memory(api: OrmApi, url: str, sizes: Sequence[int]) -> list[IterateMemory]:
    """(f): tracemalloc's peak while ``.iterate()`` streams ``size`` objects, per size."""
    import wvorm

    client = wvorm.Client(url)
    measured = []
    try:
        for size in sizes:
            iterator: Iterator[Any] = iter(api.model.query.using(client).iterate())
            seen = 0
            tracemalloc.start()
            baseline = tracemalloc.get_traced_memory()[0]
            started = time.perf_counter()
            try:
                for _ in iterator:
                    seen += 1
                    if seen >= size:
                        break
            finally:
                close = getattr(iterator, "close", None)
                if close is not None:
                    close()
                seconds = time.perf_counter() - started
                peak = tracemalloc.get_traced_memory()[1] - baseline
                tracemalloc.stop()
            if seen != size:
                raise RuntimeError(f".iterate() yielded {seen} objects, expected {size}")
            measured.append(IterateMemory(size, peak, seconds))
    finally:
        client.close()
    return measured

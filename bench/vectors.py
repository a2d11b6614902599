"""Declared vectors and client-side embedding (issue 9, ``--sections vectors``).

- (g) ``session.add_all(models); session.commit()`` of models whose 384-dim vector is
  a declared field (``Vector(384)``, set in the constructor, untimed) against
  ``client.batch`` with the same vectors as dicts, in rotating rounds;
- (h) the same commit with the vectors left out and computed at commit by a
  client-side embedding function (``Vector(384, embed=..., source=[...])``), against
  the commit of (g): what the commit adds beyond the function's own time.

The embedding function of (h) stands in for a model: it returns each object's vector
of the data set (so the server stores the same data in both) after spending
``--embed-cost`` seconds of CPU per text, and it measures its own time inside. The
added time is ``median(h) - median(g)``; the target is that it stays within the
function's own (median) time plus 10%.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Annotated, Any, Optional

from bench.contenders import Contender, Measurement, WvormBatch
from bench.dataset import Dataset
from bench.orm import SessionCommit
from bench.rounds import Summary, import_rounds
from bench.server import ServerAdmin

VECTOR_CLASS = "BenchVectorItem"


@dataclass
class EmbeddingClock:
    """The stand-in model: each text's vector from the data set, after ``cost`` seconds
    of CPU per text; ``seconds`` adds up the time spent inside the function."""

    vectors: dict[str, list[float]]
    cost: float
    seconds: float = 0.0
    calls: int = 0
    texts: int = 0

    def __call__(self, texts: list[str]) -> list[list[float]]:
        started = time.perf_counter()
        out = []
        for text in texts:
            until = time.perf_counter() + self.cost
            while time.perf_counter() < until:  # busy, as a model on the CPU is
                pass
            out.append(self.vectors[text])
        self.calls += 1
        self.texts += len(texts)
        self.seconds += time.perf_counter() - started
        return out


@dataclass
class VectorApi:
    """The two benchmark models (same class, same schema), their Session, and the
    objects' titles made unique (the embedding function looks vectors up by them)."""

    declared: Any  # vectors given in the constructor
    embedded: Any  # vectors computed at commit by ``clock``
    schema: dict[str, Any]
    session: Any
    clock: EmbeddingClock
    titles: list[str]


def load_api(data: Dataset, vector_index: str, embed_cost: float) -> VectorApi:
    """Define the models; the embedding function looks each vector up by a unique text."""
    from wvorm import Session, Vector, WeaviateModel
    from wvorm.orm import class_schema

    keys = [f"{i} {p['title']}" for i, p in enumerate(data.properties)]  # unique texts
    clock = EmbeddingClock(dict(zip(keys, data.vectors)), embed_cost)
    dims = data.dims

    class Declared(WeaviateModel, name=VECTOR_CLASS, vector_index_type=vector_index):
        title: str
        body: str
        category: str
        price: float
        rating: int
        embedding: Annotated[Optional[list[float]], Vector(dims)] = None

    class Embedded(WeaviateModel, name=VECTOR_CLASS, vector_index_type=vector_index):
        title: str
        body: str
        category: str
        price: float
        rating: int
        embedding: Annotated[
            Optional[list[float]], Vector(dims, embed=clock, source=["title"], batch_size=64)
        ] = None

    schema = class_schema(Declared)
    if class_schema(Embedded) != schema:
        raise RuntimeError("the two benchmark models compile to different classes")
    return VectorApi(Declared, Embedded, schema, Session, clock, keys)


class DeclaredCommit(SessionCommit):
    """(g): models with their vector in a declared field; built untimed."""

    key = "declared"
    label = "wvorm Session, Vector(384) fields"

    def __init__(self, api: VectorApi, data: Dataset, batch_size: int, workers: int) -> None:
        Contender.__init__(self, data, VECTOR_CLASS, batch_size, workers)
        self.api = self.vectors = api  # (SessionCommit.run reads api.session)

    def models(self) -> list[Any]:
        api = self.vectors
        return [
            api.declared(id=i, embedding=v, **{**p, "title": k})
            for i, p, v, k in zip(
                self.data.ids, self.data.properties, self.data.vectors, api.titles
            )
        ]


class EmbeddedCommit(DeclaredCommit):
    """(h): the same models without vectors; the commit calls the embedding function."""

    key = "embedded"
    label = "wvorm Session, Vector(384, embed=f)"

    def __init__(self, api: VectorApi, data: Dataset, batch_size: int, workers: int) -> None:
        super().__init__(api, data, batch_size, workers)
        self.function_seconds: list[float] = []

    def models(self) -> list[Any]:
        api = self.vectors
        return [
            api.embedded(id=i, **{**p, "title": k})
            for i, p, k in zip(self.data.ids, self.data.properties, api.titles)
        ]

    def run(self, url: str) -> Measurement:
        clock = self.vectors.clock
        before, texts_before = clock.seconds, clock.texts
        measured = super().run(url)
        if clock.texts - texts_before != len(self.data):
            raise RuntimeError(
                f"the function embedded {clock.texts - texts_before} texts, not {len(self.data)}"
            )
        spent = clock.seconds - before
        self.function_seconds.append(spent)
        measured.note = f"function {spent:.2f}s"
        return measured


class BatchWithTitles(WvormBatch):
    """``client.batch`` with the same dicts (titles made unique as the models' are)."""

    key = "batch"
    label = "wvorm client.batch (dicts, same vectors)"


@dataclass
class EmbeddingOverhead:
    """(h): commit seconds with the function and without, and the function's own time."""

    declared_seconds: list[float]
    embedded_seconds: list[float]
    function_seconds: list[float]

    @property
    def added(self) -> float:
        return statistics.median(self.embedded_seconds) - statistics.median(self.declared_seconds)

    @property
    def ratio(self) -> float:
        """Added seconds over the function's own seconds (target <= 1.10)."""
        return self.added / statistics.median(self.function_seconds)

    def as_json(self) -> dict[str, Any]:
        return {
            "declared_seconds": self.declared_seconds,
            "embedded_seconds": self.embedded_seconds,
            "function_seconds": self.function_seconds,
            "added_seconds": self.added,
            "ratio_added_over_function": self.ratio,
        }


def run(
    data: Dataset,
    admin: ServerAdmin,
    batch_size: int,
    workers: int,
    rounds: int,
    vector_index: str,
    embed_cost: float,
) -> tuple[list[Summary], list[Summary], Optional[EmbeddingOverhead]]:
    """(g) and (h): the summaries of each, and (h)'s overhead when every round passed."""
    api = load_api(data, vector_index, embed_cost)
    unique = Dataset(
        data.ids,
        [{**p, "title": k} for p, k in zip(data.properties, api.titles)],
        data.vectors,
        data.dims,
    )
    declared = DeclaredCommit(api, data, batch_size, workers)
    batch = BatchWithTitles(unique, VECTOR_CLASS, batch_size, workers)
    first = import_rounds([declared, batch], admin, api.schema, rounds)
    embedded = EmbeddedCommit(api, data, batch_size, workers)
    plain = DeclaredCommit(api, data, batch_size, workers)
    second = import_rounds([plain, embedded], admin, api.schema, rounds)
    if any(s.failed for s in second):
        return first, second, None
    overhead = EmbeddingOverhead(
        [r.seconds or 0.0 for r in second[0].records],
        [r.seconds or 0.0 for r in second[1].records],
        embedded.function_seconds,
    )
    return first, second, overhead

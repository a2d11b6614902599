"""Alternating rounds: every contender imports into a fresh class, in a rotating order.

Round ``r`` runs the contenders rotated by ``r`` (a b c, b c a, c a b, ...), so
slow drift of a shared machine (other jobs, the server's background work) spreads
over all of them; the summary takes each contender's median. After each import
the server's own count must equal the number of objects sent, and the first and
last objects must carry their vectors: a contender that loses anything fails,
whatever its time.
"""

from __future__ import annotations

import statistics
import traceback
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Optional

from bench.contenders import Contender
from bench.server import ServerAdmin


@dataclass
class RunRecord:
    """One contender's import in one round."""

    contender: str
    round: int
    objects: int
    seconds: Optional[float] = None
    cpu_seconds: Optional[float] = None
    server_count: Optional[int] = None
    error: str = ""
    note: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    @property
    def objects_per_second(self) -> Optional[float]:
        if not self.ok or not self.seconds:
            return None
        return self.objects / self.seconds

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "objects_per_second": self.objects_per_second}


@dataclass
class Summary:
    """A contender's result over all rounds: medians, or failed if any round failed."""

    key: str
    label: str
    records: list[RunRecord]

    @property
    def failed(self) -> bool:
        return not self.records or any(not r.ok for r in self.records)

    @property
    def median_rate(self) -> Optional[float]:
        if self.failed:
            return None
        return statistics.median(r.objects_per_second or 0.0 for r in self.records)

    @property
    def median_cpu_seconds(self) -> Optional[float]:
        cpu = [r.cpu_seconds for r in self.records if r.cpu_seconds is not None]
        return statistics.median(cpu) if cpu and not self.failed else None

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "failed": self.failed,
            "median_objects_per_second": self.median_rate,
            "median_client_cpu_seconds": self.median_cpu_seconds,
            "runs": [r.as_json() for r in self.records],
        }


def ratio(numerator: Summary, denominator: Summary) -> Optional[float]:
    """``numerator``'s median throughput over ``denominator``'s, None if either failed."""
    top, bottom = numerator.median_rate, denominator.median_rate
    if top is None or bottom is None or bottom == 0:
        return None
    return top / bottom


def import_rounds(
    contenders: Sequence[Contender],
    admin: ServerAdmin,
    schema: dict[str, Any],
    rounds: int,
) -> list[Summary]:
    """Run every contender ``rounds`` times, rotating the order; one summary each."""
    class_name = schema["class"]
    records: dict[str, list[RunRecord]] = {c.key: [] for c in contenders}
    for round_index in range(rounds):
        shift = round_index % len(contenders)
        for contender in [*contenders[shift:], *contenders[:shift]]:
            expected = len(contender.data)
            record = RunRecord(contender.key, round_index + 1, expected)
            admin.reset_class(schema)
            try:
                measured = contender.run(admin.url)
                record.seconds, record.cpu_seconds = measured.seconds, measured.cpu_seconds
                record.note = measured.note
            except Exception as exc:
                record.error = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
            try:
                record.server_count = admin.count(class_name)
            except Exception as exc:
                record.error = record.error or f"count failed: {exc}"
            if record.ok and record.server_count != expected:
                record.error = f"server holds {record.server_count} of {expected} objects"
            if record.ok:  # the vectors must have arrived too: look at the first and last
                data = contender.data
                for object_id in {data.ids[0], data.ids[-1]}:
                    length = admin.vector_length(class_name, object_id)
                    if length != data.dims:
                        record.error = (
                            f"object {object_id} has a vector of {length}, not {data.dims}"
                        )
            records[contender.key].append(record)
            print(f"[bench] round {record.round}: {_progress(contender, record)}", flush=True)
    return [Summary(c.key, c.label, records[c.key]) for c in contenders]


def _progress(contender: Contender, record: RunRecord) -> str:
    if not record.ok:
        return f"{contender.label}: FAILED ({record.error})"
    cpu = f", client CPU {record.cpu_seconds:.1f}s" if record.cpu_seconds is not None else ""
    return (
        f"{contender.label}: {record.objects} objects in {record.seconds:.1f}s "
        f"= {record.objects_per_second:,.0f} obj/s{cpu}"
    )

"""Plain-text tables and ratio lines for the benchmark's stdout report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from bench.rounds import Summary


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A left-aligned first column, right-aligned others, padded to the widest cell."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if index == 0 else cell.rjust(width)
            for index, (cell, width) in enumerate(zip(cells, widths))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def rate(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:,.0f}"


def seconds(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.1f}"


def throughput_table(summaries: Sequence[Summary], rounds: int) -> str:
    """Objects/s of every round and the median, plus the median client CPU seconds."""
    headers = [
        "contender", *(f"round {i + 1} obj/s" for i in range(rounds)),
        "median obj/s", "client CPU s",
    ]  # fmt: skip
    rows = []
    for summary in summaries:
        per_round = [rate(r.objects_per_second) if r.ok else "FAILED" for r in summary.records]
        per_round += ["-"] * (rounds - len(per_round))
        median = "FAILED" if summary.failed else rate(summary.median_rate)
        rows.append([summary.label, *per_round, median, seconds(summary.median_cpu_seconds)])
    lines = [table(headers, rows)]
    for summary in summaries:
        for record in summary.records:
            if record.error or record.note:
                lines.append(
                    f"  {summary.label}, round {record.round}: {record.error or record.note}"
                )
    return "\n".join(lines)


def ratio_line(name: str, value: Optional[float], target: float, why_missing: str = "") -> str:
    """``name: 1.23x (target >= 1.0x) OK`` or BELOW TARGET, or n/a with the reason."""
    if value is None:
        return f"{name}: n/a{f' ({why_missing})' if why_missing else ''}"
    verdict = "OK" if value >= target else "BELOW TARGET"
    return f"{name}: {value:.2f}x (target >= {target:.1f}x) {verdict}"

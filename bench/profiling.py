"""cProfile over every thread: wvorm's batch encodes in the caller's thread and sends
from worker threads, and before Python 3.12 cProfile only sees the thread that
enabled it.

:func:`profile_all_threads` profiles the calling thread and every thread started
while it runs (before 3.12: one ``cProfile.Profile`` per thread, merged at the end;
from 3.12 on one profile already covers every thread).
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import threading
from types import FrameType
from typing import Any, Callable, TypeVar

T = TypeVar("T")


def profile_all_threads(function: Callable[[], T]) -> tuple[T, pstats.Stats]:
    """Call ``function`` under cProfile in this and every new thread; its result and stats."""
    profiles: list[cProfile.Profile] = []
    lock = threading.Lock()

    def start_in_new_thread(frame: FrameType, event: str, arg: Any) -> None:
        # threading calls this once in each new thread; enabling a Profile there
        # replaces this hook with cProfile's own for that thread.
        profile = cProfile.Profile()
        with lock:
            profiles.append(profile)
        profile.enable()

    per_thread = sys.version_info < (3, 12)
    main = cProfile.Profile()
    profiles.append(main)
    if per_thread:
        threading.setprofile(start_in_new_thread)
    main.enable()
    try:
        result = function()
    finally:
        main.disable()
        if per_thread:
            threading.setprofile(None)  # type: ignore[arg-type,unused-ignore]
    for profile in profiles[1:]:
        profile.disable()  # a no-op for threads that ended; stats are kept
    stats = pstats.Stats(profiles[0])
    for profile in profiles[1:]:
        try:
            stats.add(profile)
        except TypeError:  # a thread that never ran any Python code
            continue
    return result, stats


def top_functions(stats: pstats.Stats, sort: str, limit: int) -> str:
    """The ``limit`` top rows of ``stats`` sorted by ``sort`` ("tottime", "cumulative")."""
    out = io.StringIO()
    stats.stream = out  # type: ignore[attr-defined]
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    return out.getvalue()

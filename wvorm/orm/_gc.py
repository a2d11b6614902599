"""Pausing the garbage collector around bulk allocation (hydrating a result,
planning and recording a flush)."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused(*, promote: bool) -> Iterator[None]:
    """No cyclic garbage collection during a loop that allocates per object.

    Hydration allocates several containers per object, all of which stay alive, and
    a flush plans and records one or two per object. Left to the collector, each
    would go through the young generations' passes, which find nothing to free, and
    trigger full passes over everything the program holds (a commit's models and
    their vectors): measured, that doubled the client time of reading 10,000 objects
    and tripled that of planning a commit of 20,000. So the collector is paused
    meanwhile, and with ``promote`` (for allocations that form no reference cycles)
    the survivors then move straight to the oldest generation: ``gc.freeze()`` +
    ``gc.unfreeze()`` does that without a pass. A program that froze objects itself
    (``gc.freeze()``, say before forking workers) keeps them frozen: while it holds
    frozen objects, wvorm only pauses.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if promote and _may_promote():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


# Whether the program held frozen objects when last checked, and when that was.
_program_freezes = False
_checked_at = float("-inf")
RECHECK_SECONDS = 1.0


def _may_promote() -> bool:
    """False while the program holds frozen objects of its own (unfreezing would undo that).

    Checked at most once every ``RECHECK_SECONDS``, because ``gc.get_freeze_count()``
    walks the frozen objects: free while there are none, milliseconds per call for a
    program that froze a large heap. Not remembered for good: a program that froze
    objects once and unfroze them (say around a fork) gets promotion back.
    """
    global _program_freezes, _checked_at
    now = time.monotonic()
    if now - _checked_at >= RECHECK_SECONDS:
        _program_freezes = gc.get_freeze_count() > 0
        _checked_at = now
    return not _program_freezes

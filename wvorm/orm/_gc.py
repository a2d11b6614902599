"""Pausing the garbage collector around bulk allocation (hydrating a result,
planning and recording a flush)."""

from __future__ import annotations

import gc
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
    (``gc.freeze()``, say before forking workers) keeps them frozen: from the first
    time that is seen, wvorm only pauses.
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


_program_freezes = False


def _may_promote() -> bool:
    """False once the program has frozen objects of its own (unfreezing would undo that).

    Sticky, because ``gc.get_freeze_count()`` walks the frozen objects: free while
    there are none, milliseconds per call for a program that froze a large heap.
    """
    global _program_freezes
    if not _program_freezes and gc.get_freeze_count():
        _program_freezes = True
    return not _program_freezes

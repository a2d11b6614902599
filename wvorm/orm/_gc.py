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
    ``gc.unfreeze()`` does that without a pass. (Skipped when the program froze
    objects itself, since unfreezing would undo that; then the young passes run as
    usual.)
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if promote and gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()

"""Client-side embedding: filling the vector fields declared with ``Vector(embed=...)``.

Before a flush is planned, :func:`embed_for_flush` computes the vectors that need
an embedding, calling each field's function with ``batch_size`` texts at a time:

- a new object whose vector is not set is embedded;
- a persistent object is embedded again when one of the vector's ``source`` fields
  changed (all of them must be loaded to build the text), unless its vector was
  assigned too;
- a vector this module computed is computed again when its text changed since (a
  commit that failed, then an edit); one the user assigned is never overwritten.

Nothing else is embedded, so an unchanged object costs no call. A call that raises
is retried one text at a time, so each failure names its object, until the same error
comes back ``GIVE_UP_AFTER`` times in a row (the function is down: the rest is not
tried); an object whose embedding failed is refused in the plan (``CommitError``)
and stays pending.
:func:`embed_texts` embeds query texts (``near_text``, ``hybrid``) the same way.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from wvorm._inputs import get_vector
from wvorm.errors import UsageError, brief
from wvorm.gql.filter import checked_vector
from wvorm.orm._mapping import VectorInfo, model_info
from wvorm.orm._state import dimension_error, state_of, vector_changes

if TYPE_CHECKING:
    from wvorm.orm._models import WeaviateModel

Job = tuple["WeaviateModel", VectorInfo, str]  # (object, vector field, text)
_PLAIN = frozenset((float, int))  # (not bool)


def embed_for_flush(
    new: Iterable[WeaviateModel], dirty: Iterable[tuple[WeaviateModel, set[str]]]
) -> dict[int, str]:
    """Embed what the flush needs (see the module docs); returns the reason for each
    object that could not be embedded, keyed by ``id(obj)``."""
    jobs: list[Job] = []
    failed: dict[int, str] = {}
    for obj in new:
        _collect(obj, None, jobs, failed)
    for obj, changed in dirty:
        _collect(obj, changed, jobs, failed)
    by_vector: dict[tuple[type, str], list[Job]] = {}
    for job in jobs:
        by_vector.setdefault((type(job[0]), job[1].field_name), []).append(job)
    for group in by_vector.values():
        _embed_group(group, failed)
    return failed


def embed_texts(vector: VectorInfo, texts: Sequence[str], what: str) -> list[list[float]]:
    """``texts`` embedded by ``vector``'s function (query texts); errors name ``what``."""
    assert vector.embed is not None
    try:
        vectors = _call(vector, list(texts))
    except Exception as exc:
        raise UsageError(
            f"{what}: the embedding function of {vector.field_name} failed: {brief(exc)}"
        ) from exc
    for values in vectors:
        error = dimension_error(values, vector.dimensions, vector.field_name)
        if error:
            raise UsageError(f"{what}: the embedding function's vector {error}")
    return vectors


def source_text(obj: WeaviateModel, vector: VectorInfo) -> str:
    """The text an object's vector is embedded from: its source fields' texts, joined by
    a newline (an empty or None field adds nothing)."""
    values = obj.__dict__
    return "\n".join(str(values[f]) for f in vector.source if values.get(f))


# ---------------------------------------------------------------------------


def _collect(
    obj: WeaviateModel, changed: set[str] | None, jobs: list[Job], failed: dict[int, str]
) -> None:
    """Add the embeddings ``obj`` needs to ``jobs`` (``changed``: None for a new object)."""
    info = model_info(type(obj))
    if not info.embedded:
        return
    state = state_of(obj)
    for vector in info.embedded:
        current = _held(obj, vector)
        ours = None if state.embedded is None else state.embedded.get(vector.vector_name)
        if ours is not None and ours[1] is current:
            needed = changed is None or bool(changed.intersection(vector.source))
            if not needed:
                continue
        elif changed is None:
            if current is not None:
                continue  # set by the user
        elif not changed.intersection(vector.source) or _assigned(obj, vector, current):
            continue
        missing = [f for f in vector.source if f not in obj.__dict__]
        if missing:
            edited = sorted((changed or set()).intersection(vector.source))
            failed[id(obj)] = (
                f"its {vector.field_name} must be embedded again, since {', '.join(edited)} "
                f"changed, but {', '.join(missing)} was not loaded: load every source field "
                "(or assign the vector yourself)"
            )
            continue
        text = source_text(obj, vector)
        if ours is not None and ours[1] is current and ours[0] == text:
            continue  # embedded from this very text already
        jobs.append((obj, vector, text))


def _held(obj: WeaviateModel, vector: VectorInfo) -> Any:
    state = state_of(obj)
    return state.vector if vector.vector_name is None else state.vectors.get(vector.vector_name)


def _assigned(obj: WeaviateModel, vector: VectorInfo, current: Any) -> bool:
    """Whether a persistent object's vector was assigned since it was loaded or saved."""
    if current is None:
        return False
    default, named = vector_changes(obj)
    return default is not None if vector.vector_name is None else vector.vector_name in named


GIVE_UP_AFTER = 3
"""Texts embedded one at a time that fail with the same error, in a row, after which
the function is taken to be down: the rest of the flush's texts are not tried."""


def _embed_group(group: list[Job], failed: dict[int, str]) -> None:
    """Embed one vector's jobs, ``batch_size`` texts per call; when a call fails, each
    of its texts alone (to name the culprits), until the same error repeats."""
    vector = group[0][1]
    size = vector.batch_size
    batches = deque(group[start : start + size] for start in range(0, len(group), size))
    repeated: list[str] = []  # the same error, text after text
    while batches:
        if len(repeated) >= GIVE_UP_AFTER:  # the function is down: try no more
            for job in (job for batch in batches for job in batch):
                failed[id(job[0])] = (
                    f"not embedded: the embedding function of {type(job[0]).__name__}."
                    f"{vector.field_name} failed {GIVE_UP_AFTER} times in a row with "
                    f"{repeated[-1]}; fix it and commit again"
                )
            return
        batch = batches.popleft()
        try:
            vectors = _call(vector, [text for _, _, text in batch])
        except Exception as exc:
            if len(batch) > 1:
                batches.extendleft([job] for job in reversed(batch))
            else:
                _fail(batch[0], _reason(exc), failed, repeated)
        else:
            _store(batch, vectors, failed)
            repeated.clear()


def _reason(exc: Exception) -> str:
    return str(exc) if isinstance(exc, UsageError) else brief(exc)  # (ours need no repr)


def _fail(job: Job, why: str, failed: dict[int, str], repeated: list[str]) -> None:
    obj, vector, _ = job
    failed[id(obj)] = (
        f"the embedding function of {type(obj).__name__}.{vector.field_name} failed: {why}"
    )
    if repeated and repeated[-1] != why:
        repeated.clear()
    repeated.append(why)


def _store(jobs: list[Job], vectors: list[list[float]], failed: dict[int, str]) -> None:
    """Put each computed vector in its object, checked against the declared dimensions."""
    vector = jobs[0][1]
    for (obj, _, text), values in zip(jobs, vectors):
        error = dimension_error(values, vector.dimensions, type(obj).__name__)
        if error:
            failed[id(obj)] = f"the embedding function's vector for {vector.field_name} {error}"
            continue
        state = state_of(obj)
        if vector.vector_name is None:
            state.vector = values
        else:
            state.vectors[vector.vector_name] = values
        if state.embedded is None:
            state.embedded = {}
        state.embedded[vector.vector_name] = (text, values)


def _call(vector: VectorInfo, texts: list[str]) -> list[list[float]]:
    """One call of the embedding function, its answer checked: one vector per text."""
    assert vector.embed is not None
    answer = vector.embed(texts)
    try:
        # (not get_vector(answer): it squeezes a 1 x n array into one flat vector)
        rows = answer.tolist() if hasattr(answer, "tolist") else list(answer)
        vectors = [get_vector(v) for v in rows]
    except (TypeError, ValueError) as exc:
        raise UsageError(
            f"it returned {brief(answer)}, not a list of vectors (one per text): {exc}"
        ) from None
    if len(vectors) != len(texts):
        raise UsageError(f"it returned {len(vectors)} vector(s) for {len(texts)} text(s)")
    for i, values in enumerate(vectors):
        # Finite numbers only, checked in C loops (this runs once per object); the
        # checked copy is only made for a vector that needs converting or naming.
        try:
            finite = math.isfinite(sum(array("d", values)))
        except TypeError:
            finite = False
        if not finite or not _PLAIN.issuperset(map(type, values)):
            vectors[i] = checked_vector(values, "its vector")
    return vectors

"""The flush plan: what one ``Session.flush()`` will send, computed from object state alone.

:func:`plan_flush` is pure: it reads the objects' state (:mod:`wvorm.orm._state`)
and returns a typed :class:`FlushPlan`, without any I/O, so every rule below is
testable without a server. :mod:`wvorm.orm._persistence` runs the plan through the
client; the Session then applies the outcome to its own state.

What a plan holds, in the order it is run:

1. **inserts** of new objects: properties, vector and named vectors;
2. **patches** of persistent objects: only the changed properties (a PATCH
   merges, so what was not loaded or not changed keeps its server value), with any
   changed vector;
3. **reference calls**, one request each: a changed single reference, or a list
   reference assigned without being loaded, is *replaced* as a whole (assignment
   means "this is the value", as for properties); beacons removed from a loaded
   list are *removed*;
4. **reference adds** through the batch: every beacon of a new object, and beacons
   added to a loaded list (compared as multisets with the snapshot; removing a
   beacon removes every copy, so copies that should stay are added again);
5. **deletes**.

Items that no server would take are **refused** in the plan, never sent: a value
that cannot be encoded, a vector whose length differs from the declared dimension,
and a new beacon to an object that was deleted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union
from uuid import UUID

from wvorm.errors import SessionError, UsageError
from wvorm.orm._mapping import ModelInfo, collection_name, model_info
from wvorm.orm._models import WeaviateModel, referenced_objects, to_properties
from wvorm.orm._state import describe, dimension_error, state_of, vector_changes

if TYPE_CHECKING:
    from wvorm.orm._identity import IdentityKey
    from wvorm.orm._types import PropertyInfo

Vector = list[float]


@dataclass(frozen=True, eq=False)
class ObjectWrite:
    """One object's properties (JSON-ready), vector and named vectors, to be written."""

    obj: WeaviateModel
    class_name: str
    properties: dict[str, Any]
    vector: Optional[Vector] = None
    vectors: Mapping[str, Vector] = field(default_factory=dict)


class Insert(ObjectWrite):
    """A new object to insert, with every property it holds."""


class Patch(ObjectWrite):
    """A persistent object's changed properties (None clears one) and changed vectors,
    sent as a PATCH, which merges."""


@dataclass(frozen=True, eq=False)
class ReferenceChange:
    """One reference write: ``source.field_name`` gains (``add``), loses (``remove``)
    or is set to (``replace``) ``targets``.

    ``targets`` are the referenced objects (for ``remove``, the one identity key
    removed; for ``replace``, every target, none to clear). ``readds`` is the
    ``remove`` an ``add`` restores a copy after: when that remove fails, the add
    is dropped (the server still holds every copy). CommitError lists these for
    failed references.
    """

    source: WeaviateModel
    field_name: str
    action: str
    targets: tuple[Union[WeaviateModel, IdentityKey], ...]
    readds: Optional[ReferenceChange] = field(default=None, repr=False)

    @property
    def target(self) -> Union[WeaviateModel, IdentityKey, None]:
        """The one target of an ``add`` or ``remove`` (None for an emptied replace)."""
        return self.targets[0] if self.targets else None

    def __repr__(self) -> str:
        sign = {"add": "+=", "remove": "-=", "replace": "="}[self.action]
        names = [
            describe(t) if isinstance(t, WeaviateModel) else f"{t[0].__name__}({t[1]})"
            for t in self.targets
        ]
        prop = model_info(type(self.source)).fields[self.field_name]
        if self.action == "replace" and prop.is_list:
            shown = f"[{', '.join(names)}]"
        else:
            shown = names[0] if names else "None"
        return f"<reference {describe(self.source)}.{self.field_name} {sign} {shown}>"


@dataclass(frozen=True, eq=False)
class Delete:
    """A persistent object to delete."""

    obj: WeaviateModel
    class_name: str


@dataclass(frozen=True)
class FlushPlan:
    """Everything one flush sends (see the module docs for the order and the rules)."""

    inserts: tuple[Insert, ...] = ()
    patches: tuple[Patch, ...] = ()
    reference_calls: tuple[ReferenceChange, ...] = ()
    reference_adds: tuple[ReferenceChange, ...] = ()
    deletes: tuple[Delete, ...] = ()
    refused: tuple[tuple[Any, str], ...] = ()
    updated: tuple[WeaviateModel, ...] = ()  # the persistent objects the plan brings up to date

    @property
    def is_empty(self) -> bool:
        """True when the flush has nothing to send, record or report."""
        return not (
            self.inserts
            or self.updated
            or self.patches
            or self.reference_calls
            or self.reference_adds
            or self.deletes
            or self.refused
        )

    def summary(self) -> str:
        """``3 inserts, 1 patch, 2 reference adds, ...`` (for logs)."""
        return ", ".join(
            f"{n} {singular if n == 1 else plural}"
            for n, singular, plural in (
                (len(self.inserts), "insert", "inserts"),
                (len(self.patches), "patch", "patches"),
                (
                    len(self.reference_calls),
                    "reference replace/remove",
                    "reference replaces/removes",
                ),
                (len(self.reference_adds), "reference add", "reference adds"),
                (len(self.deletes), "delete", "deletes"),
                (len(self.refused), "refused item", "refused items"),
            )
        )


def plan_flush(
    new: Sequence[WeaviateModel],
    dirty: Sequence[tuple[WeaviateModel, set[str]]],
    deleted: Sequence[WeaviateModel],
    refusals: Optional[Mapping[int, str]] = None,
) -> FlushPlan:
    """The plan that writes ``new`` objects, the ``changed`` fields of each dirty
    persistent object (``(obj, changed)``), and deletes ``deleted``. ``refusals``
    (keyed by ``id(obj)``) refuses those objects with the reason given (an embedding
    that failed), as a value that cannot be encoded is refused.

    Raises before anything is planned for programming errors: a reference field
    holding what it cannot (TypeError).
    """
    planner = _Planner(refusals or {})
    for obj in new:
        planner.insert(obj)
    for obj, changed in dirty:
        planner.patch(obj, changed)
    deletes = tuple(Delete(obj, collection_name(type(obj))) for obj in deleted)
    return FlushPlan(
        inserts=tuple(planner.inserts),
        patches=tuple(planner.patches),
        reference_calls=tuple(planner.calls),
        reference_adds=tuple(planner.adds),
        deletes=deletes,
        refused=tuple(planner.refused),
        updated=tuple(planner.updated),
    )


class _Planner:
    def __init__(self, refusals: Mapping[int, str]) -> None:
        self.refusals = refusals
        self.inserts: list[Insert] = []
        self.patches: list[Patch] = []
        self.calls: list[ReferenceChange] = []
        self.adds: list[ReferenceChange] = []
        self.refused: list[tuple[Any, str]] = []
        self.updated: list[WeaviateModel] = []

    def insert(self, obj: WeaviateModel) -> None:
        info = model_info(type(obj))
        state = state_of(obj)
        refs = [(p, referenced_objects(obj, p.field_name)) for p in info.references]
        try:
            self._check_refusal(obj)
            properties = to_properties(obj)
            _check_dimensions(obj, info, state.vector, state.vectors)
        except ValueError as exc:
            self.refused.append((obj, str(exc)))
            return  # its references wait with it
        vectors = dict(state.vectors)
        self.inserts.append(Insert(obj, info.name, properties, state.vector, vectors))
        for prop, targets in refs:
            for target in targets:
                self._add(ReferenceChange(obj, prop.field_name, "add", (target,)))

    def patch(self, obj: WeaviateModel, changed: set[str]) -> None:
        info = model_info(type(obj))
        vector, vectors = vector_changes(obj)
        changed_refs = [p for p in info.references if p.field_name in changed]
        targets_of = {p.field_name: referenced_objects(obj, p.field_name) for p in changed_refs}
        try:
            self._check_refusal(obj)
            # keep_none: a property set to None is cleared on the server
            properties = to_properties(obj, changed & info.property_names, keep_none=True)
            _check_dimensions(obj, info, vector, vectors)
        except ValueError as exc:
            self.refused.append((obj, str(exc)))
            return  # its reference changes wait with its property changes
        self.updated.append(obj)
        if properties or vector is not None or vectors:
            self.patches.append(Patch(obj, info.name, properties, vector, vectors))
        snapshot = state_of(obj).snapshot or {}
        for prop in changed_refs:
            self._plan_field(obj, prop, targets_of[prop.field_name], snapshot)

    def _check_refusal(self, obj: WeaviateModel) -> None:
        reason = self.refusals.get(id(obj)) if self.refusals else None
        if reason is not None:
            raise UsageError(reason)

    def _plan_field(
        self,
        obj: WeaviateModel,
        prop: PropertyInfo,
        targets: list[WeaviateModel],
        snapshot: Mapping[str, Any],
    ) -> None:
        """The writes that turn the server's beacons of one changed field into the current ones."""
        name = prop.field_name
        if not prop.is_list or name not in snapshot:
            # a single reference, or a list assigned without being loaded: replace it whole
            self._replace(obj, name, targets)
            return
        had: Counter[Any] = Counter(snapshot.get(name) or ())
        has: Counter[Any] = Counter((type(t), t.id) for t in targets)
        removes: dict[Any, ReferenceChange] = {}
        for key, count in had.items():
            if has[key] < count:
                removes[key] = change = ReferenceChange(obj, name, "remove", (key,))
                self.calls.append(change)
        wanted = {k: (n if k in removes else n - had[k]) for k, n in has.items()}
        for target in targets:
            key = (type(target), target.id)
            if wanted[key] > 0:
                wanted[key] -= 1
                self._add(ReferenceChange(obj, name, "add", (target,), removes.get(key)))

    def _replace(self, obj: WeaviateModel, name: str, targets: list[WeaviateModel]) -> None:
        change = ReferenceChange(obj, name, "replace", tuple(targets))
        deleted = [t for t in targets if state_of(t).deleted]
        if deleted:
            self.refused.append((change, _deleted_target(deleted[0])))
        else:
            self.calls.append(change)

    def _add(self, change: ReferenceChange) -> None:
        target = change.targets[0]
        assert isinstance(target, WeaviateModel)
        if state_of(target).deleted:
            self.refused.append((change, _deleted_target(target)))
        else:
            self.adds.append(change)


def _deleted_target(target: WeaviateModel) -> str:
    return (
        f"its target {describe(target)} was deleted; remove it from the reference, or "
        "session.add() it to create it again"
    )


def _check_dimensions(
    obj: WeaviateModel, info: ModelInfo, vector: Optional[Vector], vectors: Mapping[str, Vector]
) -> None:
    """Refuse a vector whose length differs from the one the model declares."""
    config = info.config
    checks: list[tuple[str, Optional[Vector], Optional[int]]] = [
        ("vector", vector, config.vector_dimensions)
    ]
    for name, named in vectors.items():
        declared = config.vectors.get(name)
        checks.append((f"vectors[{name!r}]", named, declared.dimensions if declared else None))
        if declared is None and config.vectors:
            raise UsageError(
                f"{describe(obj)} has a vector named {name!r}, but {type(obj).__name__} declares "
                f"only {', '.join(map(repr, config.vectors))}"
            )
    for label, value, dimensions in checks:
        error = dimension_error(value, dimensions, type(obj).__name__)
        if error:
            raise UsageError(f"{describe(obj)}: its {label} {error}")


def check_ids(objects: Iterable[tuple[IdentityKey, WeaviateModel]]) -> None:
    """Refuse an object whose id changed after the session began tracking it."""
    for key, obj in objects:
        if key[1] != obj.id:
            raise SessionError(
                f"{describe(obj)}: its id changed after it was added to the session (it was "
                f"{key[1]}). An object's id is its identity: set it back, or expunge the object "
                "and add one with the new id."
            )


def target_id(target: Union[WeaviateModel, IdentityKey]) -> UUID:
    """The uuid of a reference target (an instance or an identity key)."""
    return target.id if isinstance(target, WeaviateModel) else target[1]


def target_class(target: Union[WeaviateModel, IdentityKey]) -> str:
    """The class name of a reference target (an instance or an identity key)."""
    return collection_name(type(target) if isinstance(target, WeaviateModel) else target[0])

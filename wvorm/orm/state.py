"""Per-instance bookkeeping: what wvorm knows about a model instance beyond its field values.

Every ``WeaviateModel`` instance carries one :class:`ObjectState` in a private
attribute, so nothing here can clash with a user's fields. Read it with
``wvorm.orm.state_of(obj)``. The models module fills it when an object is loaded
(``mark_loaded``) and compares it for dirty tracking (``changed_fields``); the
Session extends it with whatever the unit of work needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional


class ObjectState:
    """The vector(s), load status and last-saved snapshot of one model instance.

    - ``vector``: the object's default vector, or None (let the vectorizer make one,
      or it was not loaded).
    - ``vectors``: named vectors, by vector name.
    - ``loaded_fields``: the field names read from the server, or None when every
      field is known (a new object, or one loaded in full). Fields outside it were
      not read: saving must not overwrite them ("unloaded is not empty").
    - ``snapshot``: each field's frozen value when the object was last loaded or
      saved (see ``PropertyInfo.freeze``), or None for an object never saved. A
      field whose current value freezes differently has changed.

    The object's uuid is not here: it is the model's ``id`` field.
    """

    __slots__ = ("loaded_fields", "snapshot", "vector", "vectors")

    def __init__(self) -> None:
        self.vector: Optional[list[float]] = None
        self.vectors: dict[str, list[float]] = {}
        self.loaded_fields: Optional[frozenset[str]] = None
        self.snapshot: Optional[Mapping[str, Any]] = None

    @property
    def is_persistent(self) -> bool:
        """True once the object was loaded from, or saved to, the server."""
        return self.snapshot is not None

    def is_loaded(self, field_name: str) -> bool:
        """Whether ``field_name`` holds what the server has (or the object is new)."""
        return self.loaded_fields is None or field_name in self.loaded_fields

    def __copy__(self) -> ObjectState:
        # A copied model must not share mutable state with its original.
        new = ObjectState()
        new.vector = None if self.vector is None else list(self.vector)
        new.vectors = {name: list(v) for name, v in self.vectors.items()}
        new.loaded_fields = self.loaded_fields
        new.snapshot = self.snapshot  # never mutated in place, only replaced
        return new

    def __deepcopy__(self, memo: dict[int, Any]) -> ObjectState:
        return self.__copy__()

    def __repr__(self) -> str:
        loaded = "all" if self.loaded_fields is None else sorted(self.loaded_fields)
        vectors = sorted(self.vectors)
        return (
            f"ObjectState(persistent={self.is_persistent}, loaded_fields={loaded}, "
            f"vector={'set' if self.vector is not None else None}, vectors={vectors})"
        )

"""The identity map: within one Session, one (model, uuid) is one Python object.

:class:`~wvorm.orm._session.Session` keeps every object it tracks (new, persistent
or marked for deletion) here; the unit of work and the query loader reach the
canonical instances through it. References are strong: an object the session
tracks stays alive until it is expunged, the session is closed, or (for a new
object) rolled back, so a change made to a loaded object is never dropped because
the caller let go of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Optional
from uuid import UUID

from wvorm.errors import SessionError
from wvorm.orm._models import WeaviateModel
from wvorm.orm._state import describe

IdentityKey = tuple[type[WeaviateModel], UUID]
"""``(model class, uuid)``: Weaviate scopes uuids by class, so the key holds both."""


def identity_key(obj: WeaviateModel) -> IdentityKey:
    """The identity-map key of ``obj``: its model class and its ``id``."""
    return type(obj), obj.id


def conflict(obj: WeaviateModel) -> SessionError:
    """The error for a second Python object with ``obj``'s class and uuid."""
    return SessionError(
        f"{describe(obj)} is already in this session as another Python object; one uuid is "
        "one object per session. Use session.merge(obj) to copy its values onto the "
        "session's object, or change the id of the new one."
    )


class IdentityMap:
    """The canonical instance of every ``(model, uuid)`` a session tracks."""

    __slots__ = ("_objects",)

    def __init__(self) -> None:
        self._objects: dict[IdentityKey, WeaviateModel] = {}

    def get(self, key: IdentityKey) -> Optional[WeaviateModel]:
        """The object stored under ``key``, or None."""
        return self._objects.get(key)

    def add(self, obj: WeaviateModel, key: Optional[IdentityKey] = None) -> IdentityKey:
        """Store ``obj`` under its key (``key``, when the caller has it already);
        another object with the same key is an error."""
        if key is None:
            key = (type(obj), obj.id)
        present = self._objects.setdefault(key, obj)
        if present is not obj:
            raise conflict(obj)
        return key

    def find(self, models: Iterable[type], uuid: UUID) -> Optional[WeaviateModel]:
        """The object with ``uuid`` of the first of ``models`` that holds one (a reference
        names only the uuid; its field names the classes it may point to)."""
        for model in models:
            found = self._objects.get((model, uuid))
            if found is not None:
                return found
        return None

    def remove(self, key: IdentityKey) -> None:
        """Forget the object stored under ``key`` (no error when there is none)."""
        self._objects.pop(key, None)

    def clear(self) -> None:
        self._objects.clear()

    def __contains__(self, key: object) -> bool:
        return key in self._objects

    def __iter__(self) -> Iterator[WeaviateModel]:
        return iter(list(self._objects.values()))  # a copy: callers may change the map

    def __len__(self) -> int:
        return len(self._objects)

    def items(self) -> list[tuple[IdentityKey, WeaviateModel]]:
        """A copy of the ``(key, object)`` pairs."""
        return list(self._objects.items())

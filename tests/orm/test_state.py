"""Object state without a server (wvorm.orm._state): loaded, unloaded, changed, vectors,
rollback, and the rule that an unloaded field is never read as a default."""

from __future__ import annotations

from typing import Optional
from uuid import uuid4

import pytest

import wvorm
from wvorm.orm import WeaviateModel, state_of
from wvorm.orm._models import new_instance, stub
from wvorm.orm._state import (
    changed_fields,
    is_dirty,
    mark_clean,
    mark_deleted,
    mark_loaded,
    refresh_from,
    restore,
    vector_changes,
)


class Shelf(WeaviateModel):
    label: str
    size: int = 0
    items: list[str] = []
    neighbour: Optional[Shelf] = None


def loaded(**values: object) -> Shelf:
    """A Shelf as the loader builds it: exactly ``values`` held, marked loaded."""
    obj = new_instance(Shelf, {"id": uuid4(), **values}, {"id", *values})
    mark_loaded(obj)
    return obj


def test_an_unloaded_field_raises_through_plain_attribute_access() -> None:
    shelf = loaded(label="a")
    with pytest.raises(wvorm.UnloadedFieldError, match=r"size was not loaded"):
        _ = shelf.size
    with pytest.raises(wvorm.UnloadedFieldError):
        getattr(shelf, "size", 0)  # no fallback to a default either
    assert not isinstance(wvorm.UnloadedFieldError("x"), AttributeError)
    assert shelf.model_dump() == {"id": shelf.id, "label": "a"}


def test_changes_of_a_partly_loaded_object() -> None:
    shelf = loaded(label="a", items=["x"])
    assert changed_fields(shelf) == set() and not is_dirty(shelf)
    shelf.items.append("y")
    shelf.size = 3  # assigned without being loaded: replaces the stored value
    assert changed_fields(shelf) == {"items", "size"}
    mark_clean(shelf)
    assert changed_fields(shelf) == set()
    assert state_of(shelf).loaded_fields == frozenset({"label", "items", "size"})


def test_vector_changes_compare_with_what_was_loaded_or_saved() -> None:
    shelf = loaded(label="a")
    state = state_of(shelf)
    assert vector_changes(shelf) == (None, {})
    state.vector = [1.0, 2.0]  # not loaded before: a change
    assert vector_changes(shelf) == ([1.0, 2.0], {}) and is_dirty(shelf)
    mark_clean(shelf)
    assert vector_changes(shelf) == (None, {})
    state.vector[0] = 5.0  # in place
    state.vectors["named"] = [1.0]
    assert vector_changes(shelf) == ([5.0, 2.0], {"named": [1.0]})


def test_rollback_restores_values_vectors_and_unloads_what_was_assigned() -> None:
    neighbour = stub(Shelf, uuid4())
    shelf = loaded(label="a", items=["x"], neighbour=neighbour)
    state_of(shelf).vector = [1.0]
    mark_loaded(shelf)
    shelf.label, shelf.size = "b", 4
    shelf.items.append("y")
    shelf.neighbour = None
    state_of(shelf).vector = [2.0]
    restore(shelf, lambda model, object_id: stub(model, object_id))
    assert (shelf.label, shelf.items) == ("a", ["x"])
    restored: Optional[Shelf] = shelf.__dict__["neighbour"]  # (mypy saw it set to None)
    assert restored is not None and restored.id == neighbour.id
    assert "size" not in shelf.__dict__ and state_of(shelf).vector == [1.0]
    assert changed_fields(shelf) == set()


def test_refresh_from_fills_only_what_was_not_loaded_unless_overwriting() -> None:
    held = loaded(label="local")
    held.label = "changed here"
    fresh = loaded(label="server", size=7)
    fresh.__dict__["id"] = held.id
    assert refresh_from(held, fresh, overwrite=False)
    assert (held.label, held.size) == ("changed here", 7)
    assert changed_fields(held) == {"label"}
    refresh_from(held, fresh, overwrite=True)
    assert held.label == "server" and changed_fields(held) == set()


def test_a_stub_is_persistent_with_nothing_loaded() -> None:
    shelf = stub(Shelf, uuid4())
    state = state_of(shelf)
    assert state.is_persistent and state.loaded_fields == frozenset()
    assert changed_fields(shelf) == set()
    with pytest.raises(wvorm.UnloadedFieldError, match="label"):
        _ = shelf.label


def test_deleted_objects_are_no_longer_persistent() -> None:
    shelf = loaded(label="a")
    mark_deleted(shelf)
    assert state_of(shelf).deleted and not state_of(shelf).is_persistent
    assert "deleted" in repr(state_of(shelf))

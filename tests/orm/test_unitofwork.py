"""The flush plan without a server (wvorm.orm._unitofwork): what a commit will send is a
pure function of object state."""

from __future__ import annotations

from typing import Optional
from uuid import uuid4

from wvorm.orm import NamedVector, WeaviateModel, state_of
from wvorm.orm._models import new_instance
from wvorm.orm._state import changed_fields, mark_clean, mark_deleted, mark_loaded
from wvorm.orm._unitofwork import plan_flush


class PTag(WeaviateModel, vectorizer="none"):
    name: str


class PDoc(WeaviateModel, vectorizer="none", vector_dimensions=2):
    title: str
    count: int = 0
    tags: list[PTag] = []
    main: Optional[PTag] = None


class PImage(WeaviateModel, vectors={"look": NamedVector(dimensions=2)}):
    caption: str


def persistent(obj: WeaviateModel) -> WeaviateModel:
    mark_clean(obj)
    return obj


def test_new_objects_are_inserts_with_their_beacons() -> None:
    a, b = PTag(name="a"), PTag(name="b")
    doc = PDoc(title="t", tags=[a, b], main=a)
    state_of(doc).vector = [1.0, 0.0]
    plan = plan_flush([a, b, doc], [], [])
    assert [i.obj for i in plan.inserts] == [a, b, doc]
    assert plan.inserts[2].properties == {"title": "t", "count": 0} and plan.inserts[2].vector
    assert [repr(c) for c in plan.reference_adds] == [
        f"<reference PDoc({doc.id}).tags += PTag({a.id})>",
        f"<reference PDoc({doc.id}).tags += PTag({b.id})>",
        f"<reference PDoc({doc.id}).main += PTag({a.id})>",
    ]
    assert plan.summary() == (
        "3 inserts, 0 patches, 0 reference replaces/removes, 3 reference adds, 0 deletes, "
        "0 refused items"
    )


def test_a_patch_holds_only_changes_and_vectors() -> None:
    doc = persistent(PDoc(title="t", count=1))
    assert isinstance(doc, PDoc)
    doc.count = 2
    state_of(doc).vector = [0.0, 1.0]
    plan = plan_flush([], [(doc, changed_fields(doc))], [])
    (patch,) = plan.patches
    assert patch.properties == {"count": 2} and patch.vector == [0.0, 1.0]
    image = persistent(PImage(caption="c"))
    state_of(image).vectors["look"] = [1.0, 1.0]
    (patch,) = plan_flush([], [(image, changed_fields(image))], []).patches
    assert patch.properties == {} and dict(patch.vectors) == {"look": [1.0, 1.0]}


def test_list_references_diff_as_multisets_and_restore_copies() -> None:
    a, b = persistent(PTag(name="a")), persistent(PTag(name="b"))
    assert isinstance(a, PTag) and isinstance(b, PTag)
    doc = persistent(PDoc(title="t", tags=[a, a, b]))
    assert isinstance(doc, PDoc)
    doc.tags = [a, b, PTag(name="c")]  # one copy of a removed, c added
    plan = plan_flush([], [(doc, changed_fields(doc))], [])
    calls = [repr(c) for c in plan.reference_calls]
    assert calls == [f"<reference PDoc({doc.id}).tags -= PTag({a.id})>"]
    adds = plan.reference_adds
    assert [c.targets[0] for c in adds][:1] == [a]  # the copy that stays is added back
    assert adds[0].readds is plan.reference_calls[0]
    assert len(adds) == 2


def test_an_unloaded_list_assigned_is_replaced_whole() -> None:
    doc = new_instance(PDoc, {"id": uuid4(), "title": "t"}, {"id", "title"})
    mark_loaded(doc)
    tag = PTag(name="only")
    doc.tags = [tag]
    plan = plan_flush([], [(doc, changed_fields(doc))], [])
    assert [c.action for c in plan.reference_calls] == ["replace"]
    assert plan.reference_calls[0].targets == (tag,) and plan.reference_adds == ()


def test_refusals_are_planned_not_sent() -> None:
    gone = persistent(PTag(name="gone"))
    assert isinstance(gone, PTag)
    mark_deleted(gone)
    doc = persistent(PDoc(title="t"))
    assert isinstance(doc, PDoc)
    doc.tags = [gone]
    wrong = PDoc(title="w")
    state_of(wrong).vector = [1.0, 2.0, 3.0]
    too_big = PDoc(title="b", count=2**53 + 1)
    plan = plan_flush([wrong, too_big], [(doc, changed_fields(doc))], [])
    reasons = [reason for _, reason in plan.refused]
    assert any("has 3 dimensions, but PDoc declares 2" in r for r in reasons)
    assert any("beyond ±2**53" in r for r in reasons)
    assert any(f"PTag({gone.id}) was deleted" in r for r in reasons)
    assert plan.inserts == () and plan.reference_adds == ()


def test_deletes() -> None:
    doc = persistent(PDoc(title="t"))
    plan = plan_flush([], [], [doc])
    assert [d.obj for d in plan.deletes] == [doc] and plan.deletes[0].class_name == "PDoc"

"""A stateful property test of vector fields and client-side embedding, on the real
server over every transport.

Hypothesis drives one session through random adds (with or without vectors of their
own), edits of the embedded text and of other fields, vector assignments, commits,
rollbacks and reloads (in a new session, with or without the vectors). Beside the ORM
the test keeps a plain model of what each object must hold once committed: its text,
its own vector, and whether its text vector was assigned by the user (else it is
``embed(text)``). It checks:

- after every commit, the server holds each object's text and both vectors, and the
  embedding function was called for exactly the texts that needed it: new objects
  without an assigned text vector, and stored objects whose text changed (not their
  other fields, not a text changed and changed back);
- after every step, each object's vector fields read what the model says (or raise
  UnloadedFieldError where they were not loaded).

``WVORM_STATEFUL_EXAMPLES=N`` runs N longer examples.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any, Optional
from uuid import UUID

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

import wvorm
from tests.support.embedder import embed
from wvorm import Session, UnloadedFieldError, Vector, WeaviateModel

DIMS = 8
embedded_texts: list[str] = []
STATS: Counter[str] = Counter()  # what the examples exercised (printed, and checked)


def embed_texts(texts: list[str]) -> list[list[float]]:
    embedded_texts.extend(texts)
    return [embed(t, DIMS) for t in texts]


class SNote(WeaviateModel):
    text: str
    stars: int = 0
    text_vec: Annotated[
        Optional[list[float]],
        Vector(DIMS, name="text", embed=embed_texts, source=["text"], batch_size=3),
    ] = None
    own_vec: Annotated[Optional[list[float]], Vector(2, name="own")] = None


EXAMPLES = int(os.environ.get("WVORM_STATEFUL_EXAMPLES") or 0)
SETTINGS = settings(
    max_examples=EXAMPLES or 40,
    stateful_step_count=40 if EXAMPLES else 25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TEXTS = st.sampled_from(["red apple", "green pear", "blue plum", "red"])
OWN = st.tuples(st.sampled_from([1.0, -1.0, 0.5]), st.sampled_from([1.0, 2.0]))
PINNED = st.tuples(*[st.sampled_from([0.25, -0.5, 1.0])] * DIMS)
PICK = st.integers(0, 1000)


@dataclass
class Expected:
    """What one object must hold in the session, and on the server once committed."""

    text: str
    stars: int
    own: Optional[tuple[float, ...]]
    pinned: Optional[tuple[float, ...]]  # a text vector the user assigned, else embed(text)
    stored: bool = False
    server_text: str = ""
    server_stars: int = 0
    server_own: Optional[tuple[float, ...]] = None
    server_pinned: Optional[tuple[float, ...]] = None
    # whether the session's object holds each vector (a reload without vectors: no),
    # now and as of the last commit or load (what a rollback returns to)
    has_text_vec: bool = True
    has_own: bool = True
    synced: tuple[bool, bool] = (True, True)

    def needs_embedding(self) -> bool:
        """The rule under test: new without an assigned vector, or stored with its text
        changed and its vector not assigned with the change."""
        if not self.stored:
            return self.pinned is None
        if self.text == self.server_text:
            return False
        return self.pinned is None or self.pinned == self.server_pinned


class VectorMachine(RuleBasedStateMachine):
    client: wvorm.Client

    def __init__(self) -> None:
        super().__init__()
        wvorm.drop_all(self.client, [SNote])
        wvorm.create_all(self.client, [SNote])
        self.session = Session(self.client)
        self.objects: dict[UUID, SNote] = {}
        self.expected: dict[UUID, Expected] = {}
        embedded_texts.clear()

    def teardown(self) -> None:
        self.session.close()

    def _pick(self, index: int) -> UUID:
        ids = sorted(self.objects)
        return ids[index % len(ids)]

    # -- steps ------------------------------------------------------------------------

    @initialize(texts=st.lists(TEXTS, min_size=1, max_size=3), pinned=st.none() | PINNED)
    def stored_objects(self, texts: list[str], pinned: Any) -> None:
        """Start from stored objects, so that most steps change what the server holds."""
        for i, text in enumerate(texts):
            self.add(text, None, pinned if i == 0 else None)
        self.commit()

    @rule(text=TEXTS, own=st.none() | OWN, pinned=st.none() | PINNED)
    def add(self, text: str, own: Any, pinned: Any) -> None:
        note = SNote(
            text=text,
            own_vec=None if own is None else list(own),
            text_vec=None if pinned is None else list(pinned),
        )
        self.session.add(note)
        self.objects[note.id] = note
        self.expected[note.id] = Expected(text, 0, own, pinned)

    @precondition(lambda self: self.objects)
    @rule(pick=PICK, text=TEXTS)
    def edit_text(self, pick: int, text: str) -> None:
        key = self._pick(pick)
        self.objects[key].text = text
        self.expected[key].text = text
        STATS["text edits"] += 1

    @precondition(lambda self: self.objects)
    @rule(pick=PICK, text=TEXTS)
    def edit_text_and_commit(self, pick: int, text: str) -> None:
        """(The sequence the rules are about, made likelier than chance makes it.)"""
        self.edit_text(pick, text)
        self.commit()

    @precondition(lambda self: self.objects)
    @rule(pick=PICK, stars=st.integers(0, 3))
    def edit_stars(self, pick: int, stars: int) -> None:
        key = self._pick(pick)
        self.objects[key].stars = stars
        self.expected[key].stars = stars

    @precondition(lambda self: self.objects)
    @rule(pick=PICK, own=OWN)
    def set_own(self, pick: int, own: tuple[float, ...]) -> None:
        key = self._pick(pick)
        self.objects[key].own_vec = list(own)
        self.expected[key].own = own
        self.expected[key].has_own = True

    @precondition(lambda self: self.objects)
    @rule(pick=PICK, pinned=PINNED)
    def pin_text_vector(self, pick: int, pinned: tuple[float, ...]) -> None:
        key = self._pick(pick)
        self.objects[key].text_vec = list(pinned)
        self.expected[key].pinned = pinned
        self.expected[key].has_text_vec = True

    @rule()
    def commit(self) -> None:
        due = Counter(e.text for e in self.expected.values() if e.needs_embedding())
        STATS["commits"] += 1
        STATS["re-embeddings"] += sum(
            e.stored and e.needs_embedding() for e in self.expected.values()
        )
        embedded_texts.clear()
        self.session.commit()
        assert Counter(embedded_texts) == due, (embedded_texts, due)
        for e in self.expected.values():
            if e.needs_embedding():
                e.pinned, e.has_text_vec = None, True
            e.stored = True
            e.server_text, e.server_stars = e.text, e.stars
            e.server_own, e.server_pinned = e.own, e.pinned
            e.synced = (e.has_text_vec, e.has_own)
        self._check_server()

    @rule()
    def rollback(self) -> None:
        STATS["rollbacks"] += 1
        self.session.rollback()
        for key in [k for k, e in self.expected.items() if not e.stored]:
            del self.objects[key], self.expected[key]
        for e in self.expected.values():
            e.text, e.stars = e.server_text, e.server_stars
            e.own, e.pinned = e.server_own, e.server_pinned
            e.has_text_vec, e.has_own = e.synced

    @precondition(lambda self: all(e.stored for e in self.expected.values()))
    @rule(vectors=st.booleans())
    def reload(self, vectors: bool) -> None:
        STATS["reloads"] += 1
        self.session.rollback()
        self.session.close()
        self.session = Session(self.client)
        query = self.session.query(SNote)
        if vectors:
            query = query.with_vector("text", "own")
        self.objects = {note.id: note for note in query.all()}
        assert set(self.objects) == set(self.expected)
        for e in self.expected.values():
            e.text, e.stars = e.server_text, e.server_stars
            e.own, e.pinned = e.server_own, e.server_pinned
            # (a stored object without an own vector reads as unloaded after a load
            # without vectors: wvorm cannot tell "none" from "not read")
            e.has_text_vec = e.has_own = vectors
            e.synced = (vectors, vectors)

    # -- checks -----------------------------------------------------------------------

    @invariant()
    def fields_hold_the_model(self) -> None:
        for key, note in self.objects.items():
            e = self.expected[key]
            assert (note.text, note.stars) == (e.text, e.stars)
            if e.has_own:
                assert note.own_vec == (None if e.own is None else list(e.own))
            else:
                with pytest.raises(UnloadedFieldError):
                    _ = note.own_vec
            if not e.has_text_vec:
                with pytest.raises(UnloadedFieldError):
                    _ = note.text_vec
            elif e.pinned is not None:
                assert note.text_vec == list(e.pinned)
            elif e.stored and e.text == e.server_text:
                assert note.text_vec is not None  # embed(text), as on the server
                assert max(abs(a - b) for a, b in zip(note.text_vec, embed(e.text, DIMS))) < 1e-6

    def _check_server(self) -> None:
        for key, e in self.expected.items():
            found = self.client.data_object.get_by_id(
                str(key), class_name="SNote", with_vector=True
            )
            assert found is not None
            assert found["properties"]["text"] == e.text
            vectors = found.get("vectors") or {}
            assert vectors.get("own") == (None if e.own is None else list(e.own))
            want = list(e.pinned) if e.pinned is not None else embed(e.text, DIMS)
            assert max(abs(a - b) for a, b in zip(vectors["text"], want)) < 1e-6


def test_vector_fields_state_machine(client: wvorm.Client) -> None:
    VectorMachine.client = client
    STATS.clear()
    run_state_machine_as_test(VectorMachine, settings=SETTINGS)
    print(f"\nvector state machine: {dict(STATS)}")
    assert STATS["re-embeddings"] and STATS["reloads"], "the examples missed the rules under test"

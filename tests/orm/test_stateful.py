"""A stateful property test of ``Session`` against the real server.

Hypothesis drives two sessions on one client through random sequences of adds,
changes (scalars, lists, list references, vectors, assignments of unloaded fields),
partial loads, queries, ``get``, ``merge``, ``delete``, ``expunge``, ``refresh``,
``rollback`` and ``commit``. Beside the ORM the test keeps a plain-Python model:

- ``server``: what Weaviate must hold, per object: properties, reference targets
  (a multiset of uuids, dangling ones included: Weaviate keeps a beacon to a
  deleted object) and vector;
- per session, a ``Shadow`` of every object it tracks (and of the untracked ones
  the test knows about): the field values it holds (absent = unloaded), the
  snapshot of what it loaded, its vector, and whether it is new or marked for
  deletion.

The rules of ``wvorm.orm._state`` and ``Session``'s docs are the specification.
After every step each tracked object must hold exactly its shadow's fields (an
unloaded one raises ``UnloadedFieldError``) and vector, and ``session.new`` /
``dirty`` / ``deleted`` must match. After every commit the server must hold the
model's contents, and every loaded object that nobody changed since must equal the
server's values for the fields it loaded.

Deterministic and bounded by default (CI); ``WVORM_STATEFUL_EXAMPLES=N`` runs N
examples of longer sequences, ``WVORM_STATEFUL_SEED=S`` explores with a seed
instead of the derandomized run.
"""

from __future__ import annotations

import copy
import os
import time
import uuid as uuid_module
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, Optional
from uuid import UUID

import pytest
from hypothesis import HealthCheck, seed, settings
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
from wvorm import (
    CommitError,
    FieldExpr,
    NoResultError,
    Session,
    SessionError,
    UnloadedFieldError,
    WeaviateModel,
    state_of,
)

# -- the models (module level, so that the forward reference resolves) -----------------


class Tag(WeaviateModel, vectorizer="none"):
    name: str


class Doc(WeaviateModel, vectorizer="none", vector_dimensions=3):
    title: str
    n: int = 0
    labels: list[str] = []
    tags: list[Tag] = []


MODELS: list[type[WeaviateModel]] = [Tag, Doc]
PROPS: dict[type[WeaviateModel], tuple[str, ...]] = {
    Tag: ("name",),
    Doc: ("title", "n", "labels"),
}
FIELDS: dict[type[WeaviateModel], tuple[str, ...]] = {Tag: ("name",), Doc: PROPS[Doc] + ("tags",)}
DOC_FIELD: dict[str, FieldExpr[Any]] = {"title": Doc.title, "n": Doc.n, "labels": Doc.labels}

Key = tuple[type[WeaviateModel], UUID]
Vec = tuple[float, ...]

# -- settings --------------------------------------------------------------------------

EXAMPLES = int(os.environ.get("WVORM_STATEFUL_EXAMPLES") or 0)
SEED = os.environ.get("WVORM_STATEFUL_SEED")
SETTINGS = settings(
    max_examples=EXAMPLES or 80,
    stateful_step_count=60 if EXAMPLES else 40,
    deadline=None,
    derandomize=SEED is None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

TITLES = st.sampled_from(["alpha", "beta", "gamma"])
NUMBERS = st.integers(-2, 2)
LABEL = st.sampled_from(["x", "y", "z"])
LABELS = st.lists(LABEL, max_size=3)
NAMES = st.sampled_from(["red", "green", "blue"])
VECTORS = st.tuples(*[st.sampled_from([1.0, -1.0, 0.5, 2.0])] * 3)
SESSION = st.sampled_from([0, 1])
PICK = st.integers(0, 10_000)
PICKS = st.lists(PICK, max_size=3)

STATS: Counter[str] = Counter()


# -- the model -------------------------------------------------------------------------


class Stored:
    """One object on the server: properties, reference targets (Doc.tags) and vector,
    with a version per field (bumped on every write, by any session)."""

    def __init__(
        self,
        model: type[WeaviateModel],
        props: dict[str, Any],
        tags: list[UUID],
        vector: Optional[Vec],
        version: int,
    ) -> None:
        self.model = model
        self.props = props
        self.tags = tags
        self.vector = vector
        self.versions = dict.fromkeys(FIELDS[model], version)


class Shadow:
    """What the test knows one Python model instance must look like.

    ``values``: the fields the instance holds (properties as plain copies, ``tags`` as
    the very target objects); ``snap``: the loaded fields' server values (``tags`` as
    a tuple of uuids), None while transient; ``saved``: the last loaded or written
    vector, None when unknown; ``seen``: per loaded field, the server version it
    reflects (-1: unknown). ``obj`` is None for a stub the session made for a
    reference target the test has not seen yet.
    """

    def __init__(
        self,
        model: type[WeaviateModel],
        uid: UUID,
        obj: Optional[WeaviateModel],
        values: dict[str, Any],
        snap: Optional[dict[str, Any]],
        *,
        vector: Optional[Vec] = None,
        saved: Optional[Vec] = None,
        explicit_id: bool = False,
    ) -> None:
        self.model = model
        self.uid = uid
        self.obj = obj
        self.values = values
        self.snap = snap
        self.vector = vector
        self.saved = saved
        self.explicit_id = explicit_id
        self.tracked = True
        self.pending_delete = False
        self.deleted = False  # a flush deleted it
        self.seen: dict[str, int] = {}

    @property
    def key(self) -> Key:
        return (self.model, self.uid)

    def changed(self) -> set[str]:
        if self.snap is None:
            return set(self.values)
        return {
            f for f, v in self.values.items() if f not in self.snap or frozen(f, v) != self.snap[f]
        }

    def vector_changed(self) -> bool:
        return self.vector is not None and self.vector != self.saved

    def dirty(self) -> bool:
        return bool(self.changed()) or self.vector_changed()

    def __repr__(self) -> str:
        status = "new" if self.snap is None else "persistent"
        flags = [status] + ["untracked"] * (not self.tracked) + ["deleted"] * self.deleted
        return f"<{self.model.__name__} {str(self.uid)[:8]} {' '.join(flags)} {self.values}>"


def frozen(field: str, value: Any) -> Any:
    """A field value as the snapshot keeps it (references as uuids)."""
    if field == "tags":
        return tuple(t.id for t in value)
    return copy.deepcopy(value)


def as_vector(value: Any) -> Optional[Vec]:
    if value is None:
        return None
    return tuple(float(x) for x in value)


def keep_first(items: Sequence[UUID], counts: Counter[UUID]) -> tuple[UUID, ...]:
    """``items`` keeping the first ``counts[k]`` copies of each key."""
    left = Counter(counts)
    out = []
    for item in items:
        if left[item] > 0:
            left[item] -= 1
            out.append(item)
    return tuple(out)


class SessionModel:
    """One Session and the shadows of the objects it tracks (and of loose ones: new
    objects not tracked yet, objects a flush deleted, objects that left it)."""

    def __init__(self, label: str, session: Session) -> None:
        self.label = label
        self.session = session
        self.held: dict[Key, Shadow] = {}
        self.loose: dict[int, Shadow] = {}

    def shadow_of(self, obj: WeaviateModel) -> Shadow:
        held = self.held.get((type(obj), obj.id))
        if held is not None and held.obj is obj:
            return held
        loose = self.loose.get(id(obj))
        assert loose is not None, f"model: {self.label} does not know {obj!r}"
        return loose

    def untrack(self, shadow: Shadow) -> None:
        del self.held[shadow.key]
        shadow.tracked = False
        shadow.pending_delete = False
        if shadow.obj is not None:
            self.loose[id(shadow.obj)] = shadow

    def track(self, shadow: Shadow) -> None:
        assert shadow.obj is not None
        self.loose.pop(id(shadow.obj), None)
        assert shadow.key not in self.held, f"model: {self.label} holds {shadow.key} already"
        shadow.tracked = True
        self.held[shadow.key] = shadow


class CommitOutcome:
    def __init__(self) -> None:
        self.error = False
        self.dups: list[Shadow] = []
        self.doomed: list[Shadow] = []


# -- the state machine -----------------------------------------------------------------


class SessionMachine(RuleBasedStateMachine):
    client: wvorm.Client  # set by the test function

    def __init__(self) -> None:
        super().__init__()
        self.server: dict[Key, Stored] = {}
        self.sms: list[SessionModel] = []
        self.clock = 0
        self.seq: dict[UUID, int] = {}
        STATS["sequences"] += 1

    # -- set-up ---------------------------------------------------------------------

    @initialize(
        tags=st.lists(NAMES, min_size=1, max_size=3),
        docs=st.lists(
            st.tuples(TITLES, NUMBERS, LABELS, PICKS, st.none() | VECTORS), min_size=1, max_size=3
        ),
        load=st.sampled_from(["nothing", "select", "all", "include"]),
    )
    def fresh_schema(
        self,
        tags: list[str],
        docs: list[tuple[str, int, list[str], list[int], Optional[Vec]]],
        load: str,
    ) -> None:
        """An empty schema, then a committed population from session A (so that every
        rule has persistent objects to work on), which session B may load."""
        wvorm.drop_all(self.client, MODELS)
        wvorm.create_all(self.client, MODELS)
        self.sms = [SessionModel(label, Session(self.client)) for label in ("A", "B")]
        for name in tags:
            self.add_tag(s=0, name=name)
        for title, n, labels, picks, vector in docs:
            self.add_doc(
                s=0, title=title, n=n, labels=labels, picks=picks, name="red", vector=vector
            )
        self.do_commit(self.sms[0])
        if load != "nothing":
            fields = {"title"} if load == "select" else None
            self.query_docs(
                s=1, fields=fields, include=load == "include", vector=False, populate=False
            )

    def teardown(self) -> None:
        for sm in self.sms:
            sm.session.expunge_all()  # unflushed work is meant to be dropped: no warning
            sm.session.close()

    # -- helpers --------------------------------------------------------------------

    def tick(self) -> int:
        self.clock += 1
        return self.clock

    def register(self, uid: UUID) -> UUID:
        self.seq.setdefault(uid, len(self.seq))
        return uid

    def ordered(self, shadows: Iterable[Shadow]) -> list[Shadow]:
        return sorted(shadows, key=lambda s: self.seq[s.uid])

    def held_of(self, sm: SessionModel, model: type[WeaviateModel]) -> list[Shadow]:
        return self.ordered(s for s in sm.held.values() if s.model is model and s.obj is not None)

    def pick(self, shadows: Sequence[Shadow], index: int) -> Optional[Shadow]:
        return shadows[index % len(shadows)] if shadows else None

    def doc(self, sm: SessionModel, index: int) -> Optional[Shadow]:
        return self.pick(self.held_of(sm, Doc), index)

    def new_tag(self, sm: SessionModel, name: str) -> Tag:
        """A new Tag that no session tracks yet (a commit's cascade inserts it)."""
        tag = Tag(name=name)
        self.register(tag.id)
        shadow = Shadow(Tag, tag.id, tag, {"name": name}, None)
        shadow.tracked = False
        sm.loose[id(tag)] = shadow
        return tag

    def tag_choice(self, sm: SessionModel, index: int, name: str) -> Tag:
        """A held tag of ``sm``, or (one time in n+1) a new one."""
        tags = self.held_of(sm, Tag)
        if index % (len(tags) + 1) == len(tags):
            return self.new_tag(sm, name)
        obj = tags[index % (len(tags) + 1)].obj
        assert isinstance(obj, Tag)
        return obj

    def is_deleted(self, sm: SessionModel, obj: WeaviateModel) -> bool:
        return sm.shadow_of(obj).deleted

    def resolve(self, sm: SessionModel, obj: WeaviateModel) -> Shadow:
        """The held shadow of a reference target the session handed out."""
        shadow = sm.held.get((type(obj), obj.id))
        assert shadow is not None, f"{sm.label}: {obj!r} is not in the session"
        if shadow.obj is None:
            shadow.obj = obj
        assert shadow.obj is obj, (
            f"{sm.label}: two Python objects for {type(obj).__name__} {obj.id}"
        )
        return shadow

    def stub(self, sm: SessionModel, uid: UUID) -> None:
        """The session holds (creates, if needed) its instance of Tag ``uid``."""
        if (Tag, uid) not in sm.held:
            sm.held[(Tag, uid)] = Shadow(Tag, uid, None, {}, {})

    def live_targets(self, sm: SessionModel, stored: Stored) -> list[UUID]:
        """The targets an ``include`` loads: those that exist, minus the ones the session
        marks for deletion."""
        return [
            u
            for u in stored.tags
            if (Tag, u) in self.server
            and not ((Tag, u) in sm.held and sm.held[(Tag, u)].pending_delete)
        ]

    def take_tags(self, sm: SessionModel, shadow: Shadow, expected: list[UUID]) -> None:
        """Record the tags the object now holds, loaded: the multiset must be ``expected``
        and each target the session's instance."""
        obj = shadow.obj
        assert isinstance(obj, Doc)
        tags = list(obj.__dict__["tags"])
        assert Counter(t.id for t in tags) == Counter(expected), (tags, expected)
        for tag in tags:
            self.resolve(sm, tag)
        shadow.values["tags"] = tags
        assert shadow.snap is not None
        shadow.snap["tags"] = tuple(t.id for t in tags)

    def detach(self, sm: SessionModel, shadow: Shadow) -> None:
        """``shadow`` left ``sm`` (refresh found it gone); a tag is also taken out of the
        session's reference lists, so no later cascade brings it back."""
        sm.untrack(shadow)
        if shadow.model is not Tag:
            return
        for doc in self.held_of(sm, Doc):
            assert isinstance(doc.obj, Doc)
            if "tags" not in doc.values:
                continue
            while any(t is shadow.obj for t in doc.values["tags"]):
                i = next(i for i, t in enumerate(doc.values["tags"]) if t is shadow.obj)
                doc.obj.tags.pop(i)
                doc.values["tags"].pop(i)

    # -- loading (the model of hydration) -------------------------------------------

    def load_into(
        self,
        sm: SessionModel,
        key: Key,
        actual: WeaviateModel,
        fields: Sequence[str],
        *,
        tags: Optional[list[UUID]],
        vector: Optional[Vec],
        vector_loaded: bool,
        overwrite: bool,
        dropped_pending: bool = False,
    ) -> None:
        """``actual`` is what the session returned for ``key`` after loading ``fields``
        (and ``tags``, the expected targets, when not None) from the server."""
        stored = self.server[key]
        shadow = sm.held.get(key)
        names: list[str]
        if shadow is None:
            assert not any(s.obj is actual for s in sm.loose.values())
            shadow = Shadow(key[0], key[1], actual, {}, {})
            sm.held[key] = shadow
            names = list(fields) + (["tags"] if tags is not None else [])
        else:
            if shadow.obj is None:
                shadow.obj = actual
            assert actual is shadow.obj, f"{sm.label}: a query returned another object for {key}"
            if shadow.snap is None:
                return  # a new object keeps its values
            loaded = list(fields) + (["tags"] if tags is not None else [])
            if overwrite:
                names = loaded
            else:
                names = [n for n in loaded if n not in shadow.snap and n not in shadow.values]
        assert shadow.snap is not None
        for name in names:
            if name == "tags":
                assert tags is not None
                self.take_tags(sm, shadow, tags)
                shadow.seen["tags"] = -1 if dropped_pending else stored.versions["tags"]
            else:
                shadow.values[name] = copy.deepcopy(stored.props[name])
                shadow.snap[name] = copy.deepcopy(stored.props[name])
                shadow.seen[name] = stored.versions[name]
        if vector_loaded and vector is not None and (overwrite or shadow.vector is None):
            shadow.vector = shadow.saved = vector

    def rest_read(self, sm: SessionModel, key: Key) -> Optional[Stored]:
        """What ``Session._read`` does besides building the object: stubs for targets."""
        stored = self.server.get(key)
        if stored is not None:
            for uid in stored.tags:
                self.stub(sm, uid)
        return stored

    def load_rest(self, sm: SessionModel, key: Key, actual: WeaviateModel, overwrite: bool) -> None:
        stored = self.server[key]
        self.load_into(
            sm,
            key,
            actual,
            PROPS[key[0]],
            tags=list(stored.tags) if key[0] is Doc else None,
            vector=stored.vector,
            vector_loaded=True,
            overwrite=overwrite,
        )

    def model_get(self, sm: SessionModel, key: Key, actual: Optional[WeaviateModel]) -> None:
        """``sm.session.get(*key)`` returned ``actual``."""
        shadow = sm.held.get(key)
        if shadow is not None:
            if shadow.pending_delete:
                assert actual is None
                return
            assert actual is not None
            if shadow.obj is None:
                shadow.obj = actual
            assert actual is shadow.obj
            self.load_unloaded(sm, shadow)
            return
        if self.rest_read(sm, key) is None:
            assert actual is None
            return
        assert actual is not None
        self.load_rest(sm, key, actual, overwrite=False)

    def load_unloaded(self, sm: SessionModel, shadow: Shadow) -> None:
        """A held persistent object the session fills in from the server (``get``, and
        ``merge`` into it): the fields it had not loaded, its own values kept."""
        fully = set(FIELDS[shadow.model]) <= set(shadow.values)
        if shadow.snap is not None and not fully and self.rest_read(sm, shadow.key) is not None:
            assert shadow.obj is not None
            self.load_rest(sm, shadow.key, shadow.obj, overwrite=False)

    # -- the commit model -----------------------------------------------------------

    def cascade(self, sm: SessionModel, roots: Iterable[Shadow]) -> None:
        """Untracked objects referenced by ``roots`` join the session (new ones to be
        inserted, loaded ones attached); deleted ones are not re-created."""
        for root in roots:
            for target in root.values.get("tags", ()):
                shadow = sm.shadow_of(target)
                if shadow.tracked or shadow.deleted:
                    continue
                sm.track(shadow)

    def plan_commit(self, sm: SessionModel) -> CommitOutcome:
        """Apply what ``sm.session.commit()`` must do to the model; say what fails."""
        out = CommitOutcome()
        held = self.ordered(sm.held.values())
        roots = [
            s
            for s in held
            if s.model is Doc and not s.pending_delete and (s.snap is None or "tags" in s.changed())
        ]
        self.cascade(sm, roots)
        held = self.ordered(sm.held.values())
        inserts = [s for s in held if s.snap is None]
        patches = [s for s in held if s.snap is not None and not s.pending_delete and s.dirty()]
        deletes = [s for s in held if s.pending_delete]
        version = self.tick()
        written: list[Shadow] = []
        for s in inserts:
            if s.explicit_id and s.key in self.server:
                out.error = True
                out.dups.append(s)
                continue
            props = {f: copy.deepcopy(s.values[f]) for f in PROPS[s.model]}
            self.server[s.key] = Stored(s.model, props, [], s.vector, version)
            written.append(s)
        for s in written:
            snap = {f: frozen(f, v) for f, v in s.values.items()}
            if s.model is Doc:
                current = [t.id for t in s.values["tags"]]
                refused: Counter[UUID] = Counter()
                for target in s.values["tags"]:
                    if self.is_deleted(sm, target):
                        refused[target.id] += 1
                        out.error = True
                    else:
                        self.server[s.key].tags.append(target.id)
                snap["tags"] = keep_first(current, Counter(current) - refused)
            s.snap = snap
            s.saved = s.vector
            s.seen = dict.fromkeys(FIELDS[s.model], version)
        for s in patches:
            stored = self.server.get(s.key)
            if stored is None:  # another session deleted it: the PATCH finds nothing
                out.error = True
                out.doomed.append(s)
                continue
            assert s.snap is not None
            changed = s.changed()
            new_snap = dict(s.snap)
            for f in sorted(changed & set(PROPS[s.model])):
                stored.props[f] = copy.deepcopy(s.values[f])
                stored.versions[f] = version
                new_snap[f] = frozen(f, s.values[f])
                s.seen[f] = version
            if s.vector_changed():
                stored.vector = s.vector
            if "tags" in changed and self.write_tags(sm, s, stored, new_snap, version):
                out.error = True
            s.snap = new_snap
            s.saved = s.vector
        for s in deletes:
            self.server.pop(s.key, None)
            sm.untrack(s)
            s.deleted = True
            s.snap = None
            s.saved = None
        return out

    def write_tags(
        self, sm: SessionModel, s: Shadow, stored: Stored, snap: dict[str, Any], version: int
    ) -> bool:
        """The reference writes of a changed ``tags`` field; True when some fail."""
        assert s.snap is not None
        targets = s.values["tags"]
        current = [t.id for t in targets]
        fresh_before = s.seen.get("tags") == stored.versions["tags"]
        loaded = "tags" in s.snap
        had, has = Counter(s.snap.get("tags") or ()), Counter(current)
        # Replaced whole when assigned without being loaded; else a diff of beacons.
        if not loaded:
            # refused for a deleted target; the server refuses a target that is gone
            if any(self.is_deleted(sm, t) for t in targets) or any(
                (Tag, u) not in self.server for u in current
            ):
                if not loaded:
                    snap.pop("tags", None)
                    s.seen.pop("tags", None)
                return True
            stored.tags = list(current)
            stored.versions["tags"] = version
            snap["tags"] = tuple(current)
            s.seen["tags"] = version
            return False
        removed = {k for k in had if has[k] < had[k]}
        wanted = {k: (n if k in removed else n - had[k]) for k, n in has.items()}
        stored.tags = [u for u in stored.tags if u not in removed]
        refused: Counter[UUID] = Counter()
        for target in targets:
            if wanted[target.id] > 0:
                wanted[target.id] -= 1
                if self.is_deleted(sm, target):
                    refused[target.id] += 1
                else:
                    stored.tags.append(target.id)
        snap["tags"] = keep_first(current, has - refused)
        stored.versions["tags"] = version
        s.seen["tags"] = version if fresh_before and not refused else -1
        return bool(refused)

    def do_commit(self, sm: SessionModel) -> None:
        out = self.plan_commit(sm)
        raised: Optional[CommitError] = None
        try:
            sm.session.commit()
        except CommitError as exc:
            raised = exc
        STATS["commits"] += 1
        if out.error:
            assert raised is not None, f"{sm.label}: commit should have raised CommitError"
            STATS["commit errors (expected)"] += 1
        elif raised is not None:
            raise raised
        for s in out.dups:  # refused inserts stay pending; let them go
            assert s.obj is not None
            sm.session.expunge(s.obj)
            sm.untrack(s)
        for s in out.doomed:  # changed objects another session deleted
            assert s.obj is not None
            with pytest.raises(NoResultError):
                sm.session.refresh(s.obj)
            self.detach(sm, s)
        self.check_server()

    # -- checks ---------------------------------------------------------------------

    def fetch(self, model: type[WeaviateModel]) -> dict[UUID, dict[str, Any]]:
        answer = self.client.data_object.get(
            class_name=model.__name__, with_vector=True, limit=10_000
        )
        assert answer is not None
        return {UUID(o["id"]): o for o in answer["objects"]}

    def check_server(self) -> None:
        """The server holds the model's objects, and every loaded, unchanged, up-to-date
        field of a tracked object equals the server's value."""
        rest: dict[Key, dict[str, Any]] = {}
        for model in MODELS:
            for uid, data in self.fetch(model).items():
                rest[(model, uid)] = data
        assert set(rest) == set(self.server), "objects on the server differ from the model"
        for key, stored in self.server.items():
            data = rest[key]
            props = data["properties"]
            for f in PROPS[key[0]]:
                assert props.get(f) == stored.props[f], (key, f, props, stored.props)
            if key[0] is Doc:
                beacons = [b["beacon"].rsplit("/", 1)[-1] for b in props.get("tags") or ()]
                assert Counter(UUID(b) for b in beacons) == Counter(stored.tags), key
            assert as_vector(data.get("vector")) == stored.vector, key
        for sm in self.sms:
            for s in sm.held.values():
                now = self.server.get(s.key)
                if s.obj is None or s.snap is None or now is None:
                    continue
                for f in s.snap:
                    if f not in s.values or frozen(f, s.values[f]) != s.snap[f]:
                        continue
                    if s.seen.get(f) != now.versions[f]:
                        continue  # another writer changed it since
                    props = rest[s.key]["properties"]
                    value = getattr(s.obj, f)
                    if f == "tags":
                        live = {u for u in now.tags if (Tag, u) in self.server}
                        live -= {k[1] for k, h in sm.held.items() if h.pending_delete}
                        server_tags = [
                            UUID(b["beacon"].rsplit("/", 1)[-1]) for b in props.get("tags") or ()
                        ]
                        assert Counter(t.id for t in value if t.id in live) == Counter(
                            u for u in server_tags if u in live
                        ), (sm.label, s, f)
                    else:
                        assert value == props.get(f), (sm.label, s, f, props)

    @invariant()
    def objects_match_their_shadows(self) -> None:
        STATS["steps"] += 1
        for sm in self.sms:
            session = sm.session
            for key, s in sm.held.items():
                if s.obj is None:
                    continue
                obj = s.obj
                assert obj in session, (sm.label, s)
                assert obj.id == key[1]
                for f in FIELDS[s.model]:
                    if f in s.values:
                        value = getattr(obj, f)
                        if f == "tags":
                            assert [id(t) for t in value] == [id(t) for t in s.values[f]], (
                                sm.label,
                                s,
                                value,
                            )
                        else:
                            assert value == s.values[f], (sm.label, s, f, value)
                    else:
                        with pytest.raises(UnloadedFieldError):
                            getattr(obj, f)
                state = state_of(obj)
                assert as_vector(state.vector) == s.vector, (sm.label, s, state.vector)
                assert state.is_persistent == (s.snap is not None), (sm.label, s)
                if s.snap is not None:
                    assert state.loaded_fields == frozenset(s.snap), (sm.label, s, state)
            new = {id(s.obj) for s in sm.held.values() if s.snap is None}
            assert {id(o) for o in session.new} == new, (sm.label, session.new)
            deleted = {id(s.obj) for s in sm.held.values() if s.pending_delete}
            assert {id(o) for o in session.deleted} == deleted, (sm.label, session.deleted)
            dirty = {
                id(s.obj)
                for s in sm.held.values()
                if s.snap is not None and not s.pending_delete and s.dirty()
            }
            assert {id(o) for o in session.dirty} == dirty, (sm.label, session.dirty)
            assert len(session) == len(sm.held), (sm.label, len(session), sm.held)
            for s in sm.loose.values():
                assert s.obj is not None and s.obj not in session
                if s.deleted:
                    assert state_of(s.obj).deleted

    # -- rules: adding --------------------------------------------------------------

    @rule(
        s=SESSION,
        title=TITLES,
        n=NUMBERS,
        labels=LABELS,
        picks=PICKS,
        name=NAMES,
        vector=st.none() | VECTORS,
    )
    def add_doc(
        self,
        s: int,
        title: str,
        n: int,
        labels: list[str],
        picks: list[int],
        name: str,
        vector: Optional[Vec],
    ) -> None:
        sm = self.sms[s]
        tags = [self.tag_choice(sm, p, name) for p in picks]
        doc = Doc(title=title, n=n, labels=list(labels), tags=list(tags))
        self.register(doc.id)
        if vector is not None:
            state_of(doc).vector = list(vector)
        values = {"title": title, "n": n, "labels": list(labels), "tags": list(tags)}
        shadow = Shadow(Doc, doc.id, doc, values, None, vector=vector)
        sm.session.add(doc)
        sm.held[shadow.key] = shadow
        self.cascade(sm, [shadow])

    @rule(s=SESSION, name=NAMES)
    def add_tag(self, s: int, name: str) -> None:
        sm = self.sms[s]
        tag = self.new_tag(sm, name)
        sm.session.add(tag)
        sm.track(sm.shadow_of(tag))

    @rule(s=SESSION, pick=PICK, title=TITLES)
    def add_existing_uuid_is_refused(self, s: int, pick: int, title: str) -> None:
        """A NEW object whose uuid exists on the server: commit refuses it (nothing is
        overwritten) and writes everything else."""
        sm = self.sms[s]
        on_server = sorted((k for k in self.server if k[0] is Doc), key=lambda k: self.seq[k[1]])
        if not on_server:
            return
        key = on_server[pick % len(on_server)]
        dup = Doc(id=key[1], title=title)
        if key in sm.held:  # the session holds that uuid: refused at once
            with pytest.raises(SessionError):
                sm.session.add(dup)
            assert dup not in sm.session
            STATS["adds of a held uuid refused"] += 1
            return
        shadow = Shadow(Doc, key[1], dup, {"title": title, "n": 0, "labels": [], "tags": []}, None)
        shadow.explicit_id = True
        sm.session.add(dup)
        sm.held[key] = shadow
        STATS["duplicate adds"] += 1
        self.do_commit(sm)

    # -- rules: changing ------------------------------------------------------------

    @rule(s=SESSION, pick=PICK, title=TITLES)
    def set_title(self, s: int, pick: int, title: str) -> None:
        self.assign(self.sms[s], self.doc(self.sms[s], pick), "title", title)

    @rule(s=SESSION, pick=PICK, n=NUMBERS)
    def set_n(self, s: int, pick: int, n: int) -> None:
        self.assign(self.sms[s], self.doc(self.sms[s], pick), "n", n)

    @rule(s=SESSION, pick=PICK, labels=LABELS)
    def assign_labels(self, s: int, pick: int, labels: list[str]) -> None:
        self.assign(self.sms[s], self.doc(self.sms[s], pick), "labels", list(labels))

    @rule(s=SESSION, pick=PICK, name=NAMES)
    def rename_tag(self, s: int, pick: int, name: str) -> None:
        sm = self.sms[s]
        self.assign(sm, self.pick(self.held_of(sm, Tag), pick), "name", name)

    def assign(self, sm: SessionModel, shadow: Optional[Shadow], field: str, value: Any) -> None:
        if shadow is None:
            return
        assert shadow.obj is not None
        setattr(shadow.obj, field, copy.deepcopy(value))
        shadow.values[field] = copy.deepcopy(value)

    @rule(s=SESSION, pick=PICK, label=LABEL)
    def append_label(self, s: int, pick: int, label: str) -> None:
        shadow = self.doc(self.sms[s], pick)
        if shadow is None:
            return
        assert isinstance(shadow.obj, Doc)
        if "labels" not in shadow.values:
            with pytest.raises(UnloadedFieldError):
                shadow.obj.labels.append(label)
            return
        shadow.obj.labels.append(label)
        shadow.values["labels"].append(label)

    @rule(s=SESSION, pick=PICK, tag=PICK, name=NAMES)
    def append_tag(self, s: int, pick: int, tag: int, name: str) -> None:
        sm = self.sms[s]
        shadow = self.doc(sm, pick)
        if shadow is None:
            return
        assert isinstance(shadow.obj, Doc)
        if "tags" not in shadow.values:
            with pytest.raises(UnloadedFieldError):
                shadow.obj.tags.append(Tag(name=name))
            return
        target = self.tag_choice(sm, tag, name)
        shadow.obj.tags.append(target)
        shadow.values["tags"].append(target)

    @rule(s=SESSION, pick=PICK, index=PICK)
    def remove_tag(self, s: int, pick: int, index: int) -> None:
        shadow = self.doc(self.sms[s], pick)
        if shadow is None or not shadow.values.get("tags"):
            return
        assert isinstance(shadow.obj, Doc)
        i = index % len(shadow.values["tags"])
        shadow.obj.tags.pop(i)
        shadow.values["tags"].pop(i)

    @rule(s=SESSION, pick=PICK, picks=PICKS, name=NAMES)
    def assign_tags(self, s: int, pick: int, picks: list[int], name: str) -> None:
        sm = self.sms[s]
        shadow = self.doc(sm, pick)
        if shadow is None:
            return
        assert isinstance(shadow.obj, Doc)
        tags = [self.tag_choice(sm, p, name) for p in picks]
        shadow.obj.tags = list(tags)
        shadow.values["tags"] = list(tags)

    @rule(s=SESSION, pick=PICK, vector=VECTORS)
    def set_vector(self, s: int, pick: int, vector: Vec) -> None:
        shadow = self.doc(self.sms[s], pick)
        if shadow is None:
            return
        assert shadow.obj is not None
        state_of(shadow.obj).vector = list(vector)
        shadow.vector = vector

    def dead_tags(self, sm: SessionModel) -> list[Shadow]:
        return self.ordered(
            s for s in sm.loose.values() if s.deleted and s.model is Tag and s.obj is not None
        )

    @precondition(lambda self: any(self.dead_tags(sm) for sm in self.sms))
    @rule(s=SESSION, pick=PICK, dead=PICK)
    def append_deleted_tag_is_refused(self, s: int, pick: int, dead: int) -> None:
        """A new reference to an object a flush deleted is refused at commit (the rest is
        written); taking it out again leaves nothing to write."""
        sm = self.sms[s]
        shadow = self.doc(sm, pick)
        target = self.pick(self.dead_tags(sm), dead)
        if shadow is None or target is None or "tags" not in shadow.values:
            return
        assert isinstance(shadow.obj, Doc) and isinstance(target.obj, Tag)
        shadow.obj.tags.append(target.obj)
        shadow.values["tags"].append(target.obj)
        STATS["references to deleted objects"] += 1
        self.do_commit(sm)
        tags = shadow.values.get("tags") if shadow.tracked else None
        if tags and tags[-1] is target.obj:
            shadow.obj.tags.pop()
            tags.pop()

    # -- rules: loading -------------------------------------------------------------

    @rule(
        s=SESSION,
        fields=st.none() | st.sets(st.sampled_from(PROPS[Doc]), min_size=1),
        include=st.booleans(),
        vector=st.booleans(),
        populate=st.booleans(),
    )
    def query_docs(
        self,
        s: int,
        fields: Optional[set[str]],
        include: bool,
        vector: bool,
        populate: bool,
    ) -> None:
        sm = self.sms[s]
        query = sm.session.query(Doc)
        names = sorted(fields) if fields is not None else list(PROPS[Doc])
        if fields is not None:
            query = query.select(*[DOC_FIELD[f] for f in names])
            STATS["partial loads"] += 1
        if include:
            query = query.include(Doc.tags)
        if vector:
            query = query.with_vector()
        if populate:
            query = query.populate_existing()
        found = query.all()
        STATS["queries"] += 1
        docs = [k for k in self.server if k[0] is Doc]
        expected = {k for k in docs if not (k in sm.held and sm.held[k].pending_delete)}
        by_key: dict[Key, WeaviateModel] = {(Doc, o.id): o for o in found}
        assert len(by_key) == len(found), "a query returned an object twice"
        assert set(by_key) == expected, (sm.label, set(by_key) ^ expected)
        if include:  # the loader adopts reference targets first
            for key in sorted(docs, key=lambda k: self.seq[k[1]]):
                for uid in self.live_targets(sm, self.server[key]):
                    self.adopt_tag(sm, uid, populate)
        for key in sorted(expected, key=lambda k: self.seq[k[1]]):
            stored = self.server[key]
            tags = self.live_targets(sm, stored) if include else None
            dropped = (
                include
                and tags is not None
                and len(tags) != len([u for u in stored.tags if (Tag, u) in self.server])
            )
            self.load_into(
                sm,
                key,
                by_key[key],
                names,
                tags=tags,
                vector=stored.vector,
                vector_loaded=vector,
                overwrite=populate,
                dropped_pending=dropped,
            )

    def adopt_tag(self, sm: SessionModel, uid: UUID, overwrite: bool) -> None:
        key: Key = (Tag, uid)
        stored = self.server[key]
        shadow = sm.held.get(key)
        if shadow is None:
            shadow = sm.held[key] = Shadow(Tag, uid, None, {}, {})
        if shadow.snap is None:
            return
        if overwrite or ("name" not in shadow.snap and "name" not in shadow.values):
            shadow.values["name"] = stored.props["name"]
            shadow.snap["name"] = stored.props["name"]
            shadow.seen["name"] = stored.versions["name"]

    @rule(s=SESSION, populate=st.booleans())
    def query_tags(self, s: int, populate: bool) -> None:
        sm = self.sms[s]
        query = sm.session.query(Tag)
        if populate:
            query = query.populate_existing()
        found = query.all()
        STATS["queries"] += 1
        expected = {
            k
            for k in self.server
            if k[0] is Tag and not (k in sm.held and sm.held[k].pending_delete)
        }
        by_key: dict[Key, WeaviateModel] = {(Tag, o.id): o for o in found}
        assert set(by_key) == expected, (sm.label, set(by_key) ^ expected)
        for key in sorted(expected, key=lambda k: self.seq[k[1]]):
            shadow = sm.held.get(key)
            if shadow is not None and shadow.obj is None:
                shadow.obj = by_key[key]
            self.adopt_tag(sm, key[1], populate)
            shadow = sm.held[key]
            if shadow.obj is None:
                shadow.obj = by_key[key]
            assert shadow.obj is by_key[key], (sm.label, key)

    @rule(s=SESSION, pick=PICK, tag=st.booleans())
    def get(self, s: int, pick: int, tag: bool) -> None:
        sm = self.sms[s]
        model: type[WeaviateModel] = Tag if tag else Doc
        uids = sorted((u for u in self.seq), key=lambda u: self.seq[u])
        if not uids:
            return
        key: Key = (model, uids[pick % len(uids)])
        actual = sm.session.get(model, key[1])
        STATS["gets"] += 1
        self.model_get(sm, key, actual)

    @rule(s=SESSION, pick=PICK)
    def refresh(self, s: int, pick: int) -> None:
        sm = self.sms[s]
        candidates = [
            x
            for x in self.ordered(sm.held.values())
            if x.obj is not None and x.snap is not None and not x.pending_delete
        ]
        shadow = self.pick(candidates, pick)
        if shadow is None:
            return
        assert shadow.obj is not None
        STATS["refreshes"] += 1
        if self.rest_read(sm, shadow.key) is None:
            with pytest.raises(NoResultError):
                sm.session.refresh(shadow.obj)
            self.detach(sm, shadow)
            return
        sm.session.refresh(shadow.obj)
        shadow.values = {}
        shadow.snap = {}
        shadow.vector = shadow.saved = None
        self.load_rest(sm, shadow.key, shadow.obj, overwrite=True)

    @rule(s=SESSION, pick=PICK)
    def unbound_query_matches_the_server(self, s: int, pick: int) -> None:
        """``Doc.query.using(client)`` (no session) reads what the model says."""
        found = Doc.query.using(self.client).include(Doc.tags).with_vector().all()
        STATS["queries"] += 1
        expected = {k[1]: v for k, v in self.server.items() if k[0] is Doc}
        assert {d.id for d in found} == set(expected)
        for d in found:
            stored = expected[d.id]
            assert (d.title, d.n, d.labels) == (
                stored.props["title"],
                stored.props["n"],
                stored.props["labels"],
            )
            live = [u for u in stored.tags if (Tag, u) in self.server]
            assert Counter(t.id for t in d.tags) == Counter(live)
            for t in d.tags:
                assert t.name == self.server[(Tag, t.id)].props["name"]
            assert as_vector(state_of(d).vector) == stored.vector

    # -- rules: merge ---------------------------------------------------------------

    @rule(
        s=SESSION,
        pick=PICK,
        fresh=st.booleans(),
        title=TITLES,
        n=st.none() | NUMBERS,
        labels=st.none() | LABELS,
        picks=st.none() | PICKS,
        name=NAMES,
        vector=st.none() | VECTORS,
    )
    def merge_doc(
        self,
        s: int,
        pick: int,
        fresh: bool,
        title: str,
        n: Optional[int],
        labels: Optional[list[str]],
        picks: Optional[list[int]],
        name: str,
        vector: Optional[Vec],
    ) -> None:
        """``session.merge(Doc(id=..., ...))``: the upsert; only the fields set explicitly
        change a stored (or held) object."""
        sm = self.sms[s]
        known = sorted((k for k in self.seq if (Doc, k) in self.server), key=self.seq.__getitem__)
        known += [x.uid for x in self.held_of(sm, Doc) if x.key not in self.server]
        uid = self.register(uuid_module.uuid4()) if fresh or not known else known[pick % len(known)]
        key: Key = (Doc, uid)
        target = sm.held.get(key)
        stored = self.server.get(key)
        explicit: dict[str, Any] = {"title": title}
        if n is not None:
            explicit["n"] = n
        if labels is not None:
            explicit["labels"] = list(labels)
        if picks is not None:
            chosen = [t.obj for t in self.held_of(sm, Tag) if isinstance(t.obj, Tag)]
            explicit["tags"] = [chosen[p % len(chosen)] for p in picks] if chosen else []
        # The merge walks the target's references (after the explicit ones replace them).
        if "tags" in explicit:
            walked: list[WeaviateModel] = list(explicit["tags"])
        elif target is not None:
            walked = list(target.values.get("tags", ()))
        else:
            walked = []
        # An unsaved tag in the walked list is copied in as new; if another doc of the
        # session holds that very tag, its uuid would then have two objects (not modelled).
        free = [t for t in walked if not sm.shadow_of(t).tracked and not self.is_deleted(sm, t)]
        others = [x for x in self.held_of(sm, Doc) if x.key != key]
        if any(e is t for t in free for x in others for e in x.values.get("tags", ())):
            return
        source = Doc(id=uid, **explicit)
        if vector is not None:
            state_of(source).vector = list(vector)
        result = sm.session.merge(source)
        STATS["merges"] += 1
        assert result is not source
        if target is not None:  # (a stub or partial load learns the server's values first)
            if target.obj is None:
                target.obj = result
            self.load_unloaded(sm, target)
        if target is None and stored is not None:  # looked up on the server
            self.rest_read(sm, key)
            if "tags" in explicit:
                self.load_into(
                    sm,
                    key,
                    result,
                    PROPS[Doc],
                    tags=None,
                    vector=stored.vector,
                    vector_loaded=True,
                    overwrite=False,
                )
                target = sm.held[key]
                assert target.snap is not None
                target.snap["tags"] = tuple(self.server_order(key))
                target.seen["tags"] = stored.versions["tags"]
            else:
                self.load_rest(sm, key, result, overwrite=False)
                target = sm.held[key]
        elif target is None:  # copied in as new
            values = {"title": title, "n": 0, "labels": [], "tags": []}
            target = Shadow(Doc, uid, result, values, None, explicit_id=True)
            sm.held[key] = target
        assert result is target.obj
        target.pending_delete = False
        for f, value in explicit.items():
            if f != "tags":
                target.values[f] = copy.deepcopy(value)
        if vector is not None:
            target.vector = vector
        if "tags" in explicit or "tags" in target.values:
            before = explicit["tags"] if "tags" in explicit else target.values["tags"]
            tags = list(result.__dict__["tags"])
            assert [t.id for t in tags] == [t.id for t in before]
            copies: dict[int, WeaviateModel] = {}
            for was, now in zip(before, tags):
                was_shadow = sm.shadow_of(was)
                if was_shadow.tracked or was_shadow.deleted:
                    # (a deleted object stays as it is: merge does not re-create it)
                    assert now is was, (sm.label, was_shadow)
                elif id(was) in copies:
                    assert now is copies[id(was)]
                else:  # an unsaved tag: a copy of it joins the session as new
                    assert now is not was and (Tag, now.id) not in sm.held
                    copies[id(was)] = now
                    sm.held[(Tag, now.id)] = Shadow(Tag, now.id, now, dict(was_shadow.values), None)
            target.values["tags"] = tags

    def server_order(self, key: Key) -> list[UUID]:
        """The order of the reference targets on the server (the model keeps a multiset)."""
        data = self.client.data_object.get_by_id(key[1], class_name=key[0].__name__)
        assert data is not None
        tags = data["properties"].get("tags") or ()
        order = [UUID(b["beacon"].rsplit("/", 1)[-1]) for b in tags]
        assert Counter(order) == Counter(self.server[key].tags)
        return order

    @rule(s=SESSION, pick=PICK, name=NAMES)
    def merge_tag(self, s: int, pick: int, name: str) -> None:
        sm = self.sms[s]
        known = sorted((k for k in self.seq if (Tag, k) in self.server), key=self.seq.__getitem__)
        if not known:
            return
        key: Key = (Tag, known[pick % len(known)])
        target = sm.held.get(key)
        result = sm.session.merge(Tag(id=key[1], name=name))
        STATS["merges"] += 1
        if target is not None:
            if target.obj is None:
                target.obj = result
            self.load_unloaded(sm, target)
        if target is None:
            self.rest_read(sm, key)
            self.load_rest(sm, key, result, overwrite=False)
            target = sm.held[key]
        if target.obj is None:
            target.obj = result
        assert result is target.obj
        target.pending_delete = False
        target.values["name"] = name

    # -- rules: deleting, expunging, ownership --------------------------------------

    @rule(s=SESSION, pick=PICK, tag=st.booleans())
    def delete(self, s: int, pick: int, tag: bool) -> None:
        sm = self.sms[s]
        candidates = [x for x in self.held_of(sm, Tag if tag else Doc) if not x.pending_delete]
        shadow = self.pick(candidates, pick)
        if shadow is None:
            return
        assert shadow.obj is not None
        sm.session.delete(shadow.obj)
        STATS["deletes"] += 1
        if shadow.snap is None:  # never written: simply dropped from the session
            sm.untrack(shadow)
        else:
            shadow.pending_delete = True

    @rule(s=SESSION, pick=PICK, move=st.booleans())
    def expunge_doc(self, s: int, pick: int, move: bool) -> None:
        """Expunge a doc; maybe add it to the other session, which then owns it (its
        pending changes or insert come along)."""
        sm, other = self.sms[s], self.sms[1 - s]
        # A doc holding references to sm's objects cannot move (they belong to sm), so
        # a move takes one whose references were not loaded.
        docs = [x for x in self.held_of(sm, Doc) if not move or "tags" not in x.values]
        shadow = self.pick(docs, pick)
        if shadow is None or shadow.pending_delete:
            return
        assert shadow.obj is not None
        sm.session.expunge(shadow.obj)
        sm.untrack(shadow)
        STATS["expunges"] += 1
        if not move:
            return
        if shadow.key in other.held:
            with pytest.raises(SessionError):
                other.session.add(shadow.obj)
            assert shadow.obj not in other.session
            STATS["moves refused (the other session holds that uuid)"] += 1
            return
        other.session.add(shadow.obj)
        del sm.loose[id(shadow.obj)]
        other.track(shadow)
        STATS["moves between sessions"] += 1

    @rule(s=SESSION, pick=PICK)
    def objects_belong_to_one_session(self, s: int, pick: int) -> None:
        sm, other = self.sms[s], self.sms[1 - s]
        shadow = self.pick(self.ordered(x for x in other.held.values() if x.obj), pick)
        if shadow is None:
            return
        assert shadow.obj is not None
        with pytest.raises(SessionError):
            sm.session.add(shadow.obj)
        with pytest.raises(SessionError):
            sm.session.delete(shadow.obj)
        assert shadow.obj not in sm.session
        STATS["foreign adds refused"] += 1

    @rule(s=SESSION, pick=PICK, title=TITLES)
    def add_referencing_a_foreign_object(self, s: int, pick: int, title: str) -> None:
        """A new doc referencing another session's tag: add refuses, and tracks nothing."""
        sm, other = self.sms[s], self.sms[1 - s]
        shadow = self.pick(self.held_of(other, Tag), pick)
        if shadow is None:
            return
        assert isinstance(shadow.obj, Tag)
        doc = Doc(title=title, tags=[shadow.obj])
        before = len(sm.session)
        with pytest.raises(SessionError):
            sm.session.add(doc)
        assert doc not in sm.session and len(sm.session) == before

    # -- rules: commit, rollback ----------------------------------------------------

    @rule(s=SESSION)
    def commit(self, s: int) -> None:
        self.do_commit(self.sms[s])

    @rule(s=SESSION)
    def rollback(self, s: int) -> None:
        sm = self.sms[s]
        sm.session.rollback()
        STATS["rollbacks"] += 1
        for shadow in self.ordered(sm.held.values()):
            if shadow.snap is None:
                sm.untrack(shadow)
        for shadow in self.ordered(sm.held.values()):
            shadow.pending_delete = False
            shadow.vector = shadow.saved
            assert shadow.snap is not None
            for f in sorted(shadow.changed()):
                if f not in shadow.snap:
                    del shadow.values[f]
                elif f == "tags":
                    assert isinstance(shadow.obj, Doc)
                    tags = list(shadow.obj.__dict__["tags"])
                    assert tuple(t.id for t in tags) == shadow.snap["tags"]
                    for t in tags:
                        self.stub(sm, t.id)
                        self.resolve(sm, t)
                    shadow.values["tags"] = tags
                else:
                    shadow.values[f] = copy.deepcopy(shadow.snap[f])


def test_session_state_machine(client: wvorm.Client) -> None:
    STATS.clear()
    SessionMachine.client = client
    machine: Any = SessionMachine
    if SEED is not None:
        machine = seed(int(SEED))(SessionMachine)
    started = time.monotonic()
    run_state_machine_as_test(machine, settings=SETTINGS)
    elapsed = time.monotonic() - started
    summary = ", ".join(f"{v} {k}" for k, v in sorted(STATS.items()))
    print(f"\nstateful session test: {elapsed:.1f} s: {summary}")

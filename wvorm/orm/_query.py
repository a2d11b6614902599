"""``Author.query``: the query DSL of model classes, returning typed instances.

A :class:`Query` is an immutable description: every method returns a new query,
so a base query can be shared and refined. Terminals (:meth:`Query.all`,
:meth:`~Query.first`, :meth:`~Query.one`, :meth:`~Query.get`, :meth:`~Query.count`,
:meth:`~Query.iterate`, :meth:`~Query.hits`, :meth:`~Query.group_by`,
:meth:`~Query.aggregate`) render it through the GraphQL builders of
:mod:`wvorm.gql` and run it on the query's client: the one given to
:meth:`~Query.using`, the session's (``session.query(Author)``), or the default
client of ``wvorm.connect``. Rows become instances in :mod:`wvorm.orm._loading`.

Everything a query is given is checked when it is given (filters by
:mod:`wvorm.orm._expressions`, searches by the builders' argument classes), so
mistakes fail where they are written, before any request.
"""

from __future__ import annotations

import copy
import queue
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import (
    TYPE_CHECKING,
    Any,
    Generic,
    Literal,
    Optional,
    Protocol,
    TypeVar,
    Union,
    cast,
    overload,
)
from uuid import UUID

from wvorm import plan
from wvorm._inputs import get_valid_uuid, get_vector, is_multi_vector
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import (
    FilterError,
    MultipleResultsError,
    NoResultError,
    QueryError,
    UnknownFieldError,
    UsageError,
    did_you_mean,
)
from wvorm.gql.filter import checked_vector, parse_move, threshold
from wvorm.gql.get import HybridFusion, fusion_name
from wvorm.orm._embedding import embed_texts
from wvorm.orm._expressions import (
    FieldExpr,
    Filter,
    ReferencePath,
    SortKey,
    and_,
    field_of,
)
from wvorm.orm._gc import gc_paused
from wvorm.orm._loading import (
    GRAPHQL_INT_MAX,
    GRAPHQL_INT_MIN,
    Adopt,
    Generated,
    Generation,
    Group,
    Hit,
    Include,
    IntGap,
    Loader,
    ResultIdentity,
)
from wvorm.orm._mapping import VectorInfo, collection_name, model_info
from wvorm.orm._models import WeaviateModel
from wvorm.orm._types import DATA_TYPES, PropertyInfo
from wvorm.plan.escape import graphql_int, string_list
from wvorm.plan.graphql import render_search

if TYPE_CHECKING:
    from wvorm.client import Client
    from wvorm.transport import SearchAnswer, Transport

__all__ = ["Aggregation", "Query", "SessionLike"]

M = TypeVar("M", bound=WeaviateModel)
UUIDLike = Union[str, UUID]
Concepts = Union[str, Sequence[str]]
Move = Union[tuple[Concepts, float], Mapping[str, Any]]
AnyVector = Union[Sequence[float], Sequence[Sequence[float]]]
Combination = Literal["sum", "average", "minimum", "manual_weights", "relative_score"]

DEFAULT_PAGE_SIZE = 100
READ_PAGE_SIZE = 1000  # objects per request when all() / hits() page through every match
MAXIMUM_RESULTS = 10_000  # the server's default QUERY_MAXIMUM_RESULTS (offset + limit cap)


class SessionLike(Protocol):
    """What a query needs of the Session it is bound to (``session.query(Model)``).

    A multi-tenant model is read from the session's ``tenant`` and a replicated one
    (replication_factor > 1) with its ``consistency_level``, unless the query sets
    its own; every loaded instance goes through ``_adopt``, which returns the
    session's canonical instance of that object (its identity map).
    """

    @property
    def tenant(self) -> Optional[str]: ...

    @property
    def consistency_level(self) -> Union[ConsistencyLevel, str, None]: ...

    def _adopt(self, obj: M, *, populate_existing: bool = False) -> Optional[M]: ...


@dataclass(frozen=True)
class _Search:
    """The query's one search operator, as a plan node."""

    node: plan.Search
    written: str  # how the user wrote it, for messages

    @property
    def is_near(self) -> bool:
        return isinstance(self.node, (plan.NearText, plan.NearVector, plan.NearObject))

    @property
    def has_threshold(self) -> bool:
        """A certainty or distance bounds the matches."""
        return getattr(self.node, "certainty", None) is not None or (
            getattr(self.node, "distance", None) is not None
        )

    def aggregated(self) -> Union[plan.NearText, plan.NearVector, plan.NearObject]:
        if not isinstance(self.node, (plan.NearText, plan.NearVector, plan.NearObject)):
            raise UsageError(f"{self.written} cannot be aggregated or counted")
        return self.node


@dataclass(frozen=True)
class Aggregation:
    """What :meth:`Query.aggregate` returns (per group when grouping).

    ``count`` is the number of objects; ``grouped_by`` the group's value (None
    without grouping); ``metrics`` maps each aggregated field name to its
    metrics, named in snake_case: ``mean``, ``maximum``, ``top_occurrences`` ...
    """

    count: int
    grouped_by: Any
    metrics: Mapping[str, Mapping[str, Any]]

    def __getitem__(self, field: Union[FieldExpr[Any], str]) -> Mapping[str, Any]:
        name = field.prop.field_name if isinstance(field, FieldExpr) else field
        try:
            return self.metrics[name]
        except KeyError:
            raise UnknownFieldError(
                f"{name!r} was not aggregated; aggregated: {', '.join(self.metrics)}"
            ) from None


_DATE_METRICS = ("maximum", "median", "minimum", "mode")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass
class _Node:
    """A model in the include tree, with the references loaded under it."""

    model: type[WeaviateModel]
    children: dict[str, tuple[PropertyInfo, dict[type[WeaviateModel], _Node]]]

    def walk(self) -> Iterator[_Node]:
        yield self
        for _, targets in self.children.values():
            for child in targets.values():
                yield from child.walk()

    def loader(self, fields: Optional[Sequence[str]] = None) -> Loader[Any]:
        includes = {
            name: Include(prop, {target: node.loader() for target, node in targets.items()})
            for name, (prop, targets) in self.children.items()
        }
        return Loader(self.model, fields, includes)


class Query(Generic[M]):
    """A query of one model class; build it up, then run a terminal.

    ::

        Article.query.where(Article.word_count > 1000).near_text("fashion").limit(5).all()

    Every method returns a new Query and leaves this one unchanged.
    """

    def __init__(self, model: type[M], *, client: Optional[Client] = None) -> None:
        model_info(model)  # a mapped model, compiled (fails here if it cannot map)
        self._model = model
        self._client = client
        self._session: Optional[SessionLike] = None
        self._filter: Optional[Filter] = None
        self._search: Optional[_Search] = None
        self._limit: Optional[int] = None
        self._offset: Optional[int] = None
        self._after: Optional[str] = None
        self._autocut: Optional[int] = None
        self._sort: tuple[SortKey, ...] = ()
        self._select: Optional[tuple[str, ...]] = None
        self._includes: tuple[ReferencePath[Any], ...] = ()
        self._tenant: Optional[str] = None
        self._consistency_level: Optional[ConsistencyLevel] = None
        self._vectors: Optional[tuple[str, ...]] = None  # () = the default vector
        self._populate_existing = False
        self._generate: Optional[plan.Generate] = None
        self._rerank: Optional[plan.Rerank] = None

    @property
    def model(self) -> type[M]:
        """The model class this query returns."""
        return self._model

    def _replace(self, **changes: Any) -> Query[M]:
        """A copy with some settings changed (the copy-on-write behind every method)."""
        new = copy.copy(self)
        for name, value in changes.items():
            assert hasattr(new, f"_{name}"), f"Query has no setting {name!r}"
            setattr(new, f"_{name}", value)
        return new

    def __repr__(self) -> str:
        return f"<Query {self._describe()}>"

    # -- binding ------------------------------------------------------------------------

    def using(self, client: Client) -> Query[M]:
        """This query on ``client`` instead of the default one (``wvorm.connect``)."""
        from wvorm.client import Client

        if not isinstance(client, Client):
            raise UsageError(f"using() takes a wvorm.Client, got {type(client).__name__}")
        return self._replace(client=client)

    def session(self, session: SessionLike) -> Query[M]:
        """This query bound to ``session`` (what ``session.query(Model)`` does): loaded
        objects join its identity map, and its tenant and consistency level apply."""
        return self._replace(session=session)

    def _resolve_client(self) -> Client:
        if self._client is not None:
            return self._client
        from wvorm.client import get_default_client

        return get_default_client()

    def _adopt(self, includes: bool) -> Optional[Adopt]:
        """What every loaded instance goes through: the session's identity map, or,
        when references are loaded without a session, one per result."""
        session = self._session
        if session is not None:
            overwrite = self._populate_existing
            return lambda obj: session._adopt(obj, populate_existing=overwrite)
        return ResultIdentity() if includes else None

    # -- filters ------------------------------------------------------------------------

    def where(self, *filters: Filter) -> Query[M]:
        """Keep the objects matching every filter (added to earlier ``where`` calls)::

        .where(Article.word_count > 1000, Article.tags.contains_any(["style"]))
        """
        given: tuple[object, ...] = filters  # checked: type checking may have been bypassed
        for i, condition in enumerate(given):
            if not isinstance(condition, Filter):
                hint = (
                    " (a bool: was a field compared outside a query, or is the mypy plugin "
                    "wvorm.mypy missing?)"
                    if isinstance(condition, bool)
                    else ""
                )
                raise FilterError(
                    f"{self._model.__name__}.query.where() argument {i} must be a filter such as "
                    f"{self._model.__name__}.<field> == value, got {type(condition).__name__} "
                    f"{condition!r}{hint}"
                )
            for root in condition.roots():
                if not issubclass(self._model, root):
                    raise FilterError(
                        f"{condition!r} filters {root.__name__}, but this query reads "
                        f"{self._model.__name__}; reach other classes through a reference "
                        f"field, e.g. {self._model.__name__}.<reference>.<field>"
                    )
        if not filters:
            return self
        combined = and_(*filters) if self._filter is None else and_(self._filter, *filters)
        return self._replace(filter=combined)

    # -- searches -----------------------------------------------------------------------

    def _with_search(self, search: _Search) -> Query[M]:
        if self._search is not None:
            raise UsageError(
                f"this {self._model.__name__} query already searches with "
                f"{self._search.written}; a query takes one search ({search.written} is a second)"
            )
        return self._replace(search=search)

    def near_text(
        self,
        concepts: Concepts,
        *,
        certainty: Optional[float] = None,
        distance: Optional[float] = None,
        move_to: Optional[Move] = None,
        move_away_from: Optional[Move] = None,
        autocorrect: Optional[bool] = None,
        target_vectors: Optional[Sequence[str]] = None,
    ) -> Query[M]:
        """Vector search by text through the class's ``text2vec-*`` vectorizer; on a
        vector declared with ``Vector(embed=...)``, the text is embedded here by that
        function (several concepts: the mean of their vectors) and searched with
        ``near_vector``.

        ``move_to`` / ``move_away_from`` are ``(concepts, force)`` or a dict
        ``{"concepts": ..., "objects": [obj or uuid, ...], "force": float}``.
        """
        what = f"near_text({concepts!r})"
        if autocorrect is not None and not isinstance(autocorrect, bool):
            raise UsageError(f"near_text() autocorrect must be a bool, got {autocorrect!r}")
        texts = tuple(string_list(concepts, "near_text() concepts"))
        targets = self._checked_targets(target_vectors, "near_text()")
        embedded = self._embedded_target(targets, what)
        if embedded is not None:
            if move_to is not None or move_away_from is not None or autocorrect is not None:
                raise UsageError(
                    f"{what}: move_to, move_away_from and autocorrect need a server "
                    f"vectorizer; {embedded.field_name} is embedded on the client"
                )
            vectors = embed_texts(embedded, texts, what)
            mean = [sum(values) / len(vectors) for values in zip(*vectors)]
            named = () if embedded.vector_name is None else (embedded.vector_name,)
            node: plan.Search = plan.NearVector(
                mean, **threshold(certainty, distance, "near_text()"), target_vectors=named
            )
            return self._with_search(_Search(node, what))
        node = plan.NearText(
            texts,
            **threshold(certainty, distance, "near_text()"),
            move_to=None if move_to is None else self._move(move_to, "move_to"),
            move_away=None
            if move_away_from is None
            else self._move(move_away_from, "move_away_from"),
            autocorrect=autocorrect,
            target_vectors=targets,
        )
        return self._with_search(_Search(node, what))

    def near_vector(
        self,
        vector: Union[AnyVector, Mapping[str, AnyVector]],
        *,
        certainty: Optional[float] = None,
        distance: Optional[float] = None,
        target_vectors: Optional[Union[Sequence[str], Mapping[str, float]]] = None,
        combination: Optional[Combination] = None,
    ) -> Query[M]:
        """Vector search near ``vector`` (a list, numpy array or tensor; a list of
        vectors for a multi-vector), or near one vector per target vector
        (``{"title": [...], "body": [...]}``).

        With several target vectors, ``combination`` says how their distances combine:
        ``"minimum"`` (the server's default), ``"sum"``, ``"average"``, or, with
        ``target_vectors={"title": 0.7, "body": 0.3}`` giving the weights,
        ``"manual_weights"`` (the default when weights are given) or
        ``"relative_score"``.
        """
        what = "near_vector()"
        per_target: tuple[tuple[str, plan.AnyVector], ...] = ()
        if isinstance(vector, Mapping):
            if not vector:
                raise UsageError(f"{what}: the vector per target is empty")
            per_target = tuple(
                (str(name), _checked_any_vector(v, f"{what} vector[{name!r}]"))
                for name, v in vector.items()
            )
            checked: plan.AnyVector = []
            if target_vectors is None:
                target_vectors = [name for name, _ in per_target]
        else:
            checked = _checked_any_vector(vector, f"{what} vector")
        names, weights, method = _targets_and_weights(target_vectors, combination, what)
        self._check_target_names(names, what)
        if per_target and set(names) != {name for name, _ in per_target}:
            raise UsageError(
                f"{what}: target_vectors {list(names)} differ from the vectors given for "
                f"{[name for name, _ in per_target]}; give one vector per target"
            )
        node = plan.NearVector(
            checked,
            **threshold(certainty, distance, what),
            target_vectors=names,
            vector_per_target=per_target,
            combination=method,
            weights=weights,
        )
        return self._with_search(_Search(node, "near_vector([...])"))

    def near_object(
        self,
        obj: Union[WeaviateModel, UUIDLike],
        *,
        certainty: Optional[float] = None,
        distance: Optional[float] = None,
        target_vectors: Optional[Sequence[str]] = None,
    ) -> Query[M]:
        """Vector search near a stored object (a model instance, or a uuid of this class)."""
        ref = self._object_ref(obj, "near_object")
        node = plan.NearObject(
            id=ref.get("id"),
            beacon=ref.get("beacon"),
            **threshold(certainty, distance, "near_object()"),
            target_vectors=self._checked_targets(target_vectors, "near_object()"),
        )
        written = f"near_object({getattr(obj, 'id', obj)!s})"
        return self._with_search(_Search(node, written))

    def bm25(
        self, query: str, *, properties: Optional[Sequence[Union[FieldExpr[str], str]]] = None
    ) -> Query[M]:
        """Keyword (BM25) search; ``properties`` limits it to these text fields
        (fields, or names with a boost such as ``"title^2"``)."""
        if not isinstance(query, str):
            raise UsageError(f"bm25() query must be a str, got {type(query).__name__}")
        names = None if properties is None else self._search_properties(properties, "bm25")
        return self._with_search(_Search(plan.BM25(query, names), f"bm25({query!r})"))

    def hybrid(
        self,
        query: str,
        *,
        alpha: Optional[float] = None,
        vector: Optional[AnyVector] = None,
        properties: Optional[Sequence[Union[FieldExpr[str], str]]] = None,
        fusion_type: Optional[HybridFusion] = None,
        target_vector: Optional[str] = None,
        max_vector_distance: Optional[float] = None,
    ) -> Query[M]:
        """Hybrid search: BM25 on ``query`` fused with a vector search. ``alpha`` weighs
        vector (1) against keyword (0) results; ``vector`` replaces the query's vector
        (on a vector declared with ``Vector(embed=...)`` the query is embedded here);
        ``target_vector`` names the vector to search; ``max_vector_distance`` drops
        vector matches farther than that."""
        if not isinstance(query, str):
            raise UsageError(f"hybrid() query must be a str, got {type(query).__name__}")
        if alpha is not None and (
            isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 <= alpha <= 1
        ):
            raise UsageError(f"hybrid() alpha must be a number from 0 to 1, got {alpha!r}")
        if target_vector is not None and (not isinstance(target_vector, str) or not target_vector):
            raise UsageError(f"hybrid() target_vector must be a vector name, got {target_vector!r}")
        if max_vector_distance is not None and (
            isinstance(max_vector_distance, bool)
            or not isinstance(max_vector_distance, (int, float))
            or max_vector_distance < 0
        ):
            raise UsageError(
                f"hybrid() max_vector_distance must be a number >= 0, got {max_vector_distance!r}"
            )
        targets = self._checked_targets(
            None if target_vector is None else [target_vector], "hybrid()"
        )
        what = f"hybrid({query!r})"
        if vector is None:
            embedded = self._embedded_target(targets, what)
            if embedded is not None:
                (vector,) = embed_texts(embedded, [query], what)
                if embedded.vector_name is not None:
                    targets = (embedded.vector_name,)
        fusion = None if fusion_type is None else fusion_name(fusion_type, "hybrid() fusion_type")
        node = plan.Hybrid(
            query,
            alpha=None if alpha is None else float(alpha),
            vector=None if vector is None else _checked_any_vector(vector, "hybrid() vector"),
            properties=None
            if properties is None
            else self._search_properties(properties, "hybrid"),
            fusion=fusion,
            target_vectors=targets,
            max_vector_distance=None if max_vector_distance is None else float(max_vector_distance),
        )
        return self._with_search(_Search(node, what))

    def _checked_targets(self, names: Optional[Sequence[str]], what: str) -> tuple[str, ...]:
        """Target vector names, each a valid name and, where the model declares named
        vectors, one of them."""
        return self._check_target_names(_target_vectors(names, what), what)

    def _check_target_names(self, targets: tuple[str, ...], what: str) -> tuple[str, ...]:
        declared = model_info(self._model).config.vectors
        for name in targets:
            if not _VECTOR_NAME.fullmatch(name):
                raise UsageError(f"{what}: {name!r} is not a vector name (letters, digits, _)")
            if declared and name not in declared:
                raise UsageError(
                    f"{what}: {self._model.__name__} has no vector named {name!r}"
                    f"{did_you_mean(name, declared)}; its vectors: {', '.join(declared)}"
                )
        return targets

    def _searched_vectors(self, targets: tuple[str, ...]) -> tuple[Optional[str], ...]:
        """The vectors a search with ``targets`` reads: those, or without any the one
        Weaviate picks (the default vector, or a class's only named vector)."""
        if targets:
            return targets
        config = model_info(self._model).config
        if len(config.vectors) == 1 and config.vectorizer is None:
            return tuple(config.vectors)
        return (None,)

    def _embedded_target(self, targets: tuple[str, ...], what: str) -> Optional[VectorInfo]:
        """The vector field a text search targets, when an embedding function fills it."""
        declared = {v.vector_name: v for v in model_info(self._model).vector_fields.values()}
        searched = self._searched_vectors(targets)
        embedded = [declared[n] for n in searched if n in declared and declared[n].embed]
        if not embedded:
            return None
        if len(searched) > 1:
            raise UsageError(
                f"{what}: {embedded[0].field_name} is embedded on the client, so the search "
                "takes it as its one target vector; search other targets separately"
            )
        return embedded[0]

    def _object_ref(self, obj: Union[WeaviateModel, UUIDLike], what: str) -> dict[str, str]:
        """``{"id": ...}`` for an object of this class, ``{"beacon": ...}`` for another."""
        if isinstance(obj, WeaviateModel):
            if isinstance(obj, self._model):
                return {"id": str(obj.id)}
            return {"beacon": f"weaviate://localhost/{collection_name(type(obj))}/{obj.id}"}
        if isinstance(obj, (str, UUID)):
            return {"id": get_valid_uuid(obj)}
        raise UsageError(f"{what} takes a model instance or a uuid, got {type(obj).__name__}")

    def _move(self, move: Move, what: str) -> plan.Move:
        """A move as the near-text parser takes it: ``(concepts, force)`` or a dict whose
        ``objects`` may be model instances or uuids."""
        if isinstance(move, tuple):
            if len(move) != 2:
                raise UsageError(f"{what} must be (concepts, force), got {move!r}")
            move = {"concepts": move[0], "force": move[1]}
        if not isinstance(move, Mapping):
            raise UsageError(
                f"{what} must be (concepts, force) or a dict with 'force' and 'concepts' and/or "
                f"'objects', got {type(move).__name__}"
            )
        if "objects" in move:
            objects = move["objects"]
            items = objects if isinstance(objects, (list, tuple)) else [objects]
            refs = [
                o if isinstance(o, Mapping) else self._object_ref(o, f"{what} objects")
                for o in items
            ]
            move = {**move, "objects": refs}
        return parse_move(move, what)

    def _search_properties(
        self, properties: Sequence[Union[FieldExpr[str], str]], what: str
    ) -> tuple[str, ...]:
        if isinstance(properties, str) or not isinstance(properties, Sequence):
            raise UsageError(f"{what}() properties must be a list of fields or names")
        info = model_info(self._model)
        names = []
        for item in properties:
            if isinstance(item, FieldExpr):
                if item.hops or not issubclass(self._model, item.root):
                    raise FilterError(
                        f"{what}() searches {self._model.__name__}'s own fields; "
                        f"{item.label} is not one"
                    )
                prop = item.prop
                boost = ""
            elif isinstance(item, str):
                name, _, boost = item.partition("^")
                found = info.fields.get(name) or info.by_name.get(name)
                if found is None:
                    raise FilterError(
                        f"{what}() property {item!r}: {self._model.__name__} has no field "
                        f"{name!r}; its fields: {', '.join(info.fields)}"
                    )
                prop = found
                boost = f"^{boost}" if boost else ""
            else:
                raise UsageError(f"{what}() properties must be fields or names, got {item!r}")
            if prop.base_type != "text":
                raise FilterError(
                    f"{what}() searches text; {self._model.__name__}.{prop.field_name} is "
                    f"{prop.data_type[0]}"
                )
            names.append(prop.name + boost)
        return tuple(names)

    # -- paging, order, shape -------------------------------------------------------------

    def limit(self, limit: int) -> Query[M]:
        """Return at most ``limit`` (>= 1) objects. Without a limit, ``all()`` and
        ``hits()`` return every match."""
        graphql_int(limit, "limit", 1)
        return self._replace(limit=limit)

    def offset(self, offset: int) -> Query[M]:
        """Skip the first ``offset`` (>= 0) objects."""
        graphql_int(offset, "offset", 0)
        return self._replace(offset=offset)

    def populate_existing(self) -> Query[M]:
        """In a session, overwrite the objects it already holds with the fresh server
        values of every field this query loads (local changes to them are lost), as
        SQLAlchemy's ``populate_existing``. Without it, held objects keep their values
        and only gain the fields they had not loaded."""
        return self._replace(populate_existing=True)

    def after(self, cursor: Union[WeaviateModel, UUIDLike]) -> Query[M]:
        """Cursor paging: the objects after this one (by uuid order). Weaviate takes it
        with ``limit`` only: no filter, search or sort."""
        uuid = str(cursor.id) if isinstance(cursor, WeaviateModel) else get_valid_uuid(cursor)
        return self._replace(after=uuid)

    def autocut(self, jumps: int) -> Query[M]:
        """Cut search results after ``jumps`` jumps in score or distance."""
        graphql_int(jumps, "autocut", 1)
        return self._replace(autocut=jumps)

    def sort(self, *keys: Union[SortKey, FieldExpr[Any]]) -> Query[M]:
        """Order by these fields (a field alone is ascending): ``.sort(A.name.desc(), A.age)``.
        Added to earlier ``sort`` calls."""
        sort_keys = []
        for key in keys:
            if isinstance(key, FieldExpr):
                key = key.asc()
            if not isinstance(key, SortKey):
                raise FilterError(f"sort() takes fields or field.asc() / field.desc(), got {key!r}")
            self._check_own(key.field, "sort")
            sort_keys.append(key)
        return self._replace(sort=self._sort + tuple(sort_keys))

    def select(self, *fields: FieldExpr[Any]) -> Query[M]:
        """Read only these properties (and the id). The others stay unloaded: the
        instances remember it, and saving them leaves those properties alone."""
        names = []
        for field in fields:
            if isinstance(field, ReferencePath):
                raise FilterError(
                    f"select() reads properties; {field._label} is a reference: "
                    f"load it with include({field._label})"
                )
            if not isinstance(field, FieldExpr):
                raise FilterError(f"select() takes fields such as Author.name, got {field!r}")
            self._check_own(field, "select")
            if field.prop.field_name != "id":
                names.append(field.prop.field_name)
        return self._replace(select=tuple(dict.fromkeys(names)))

    def include(self, *references: ReferencePath[Any]) -> Query[M]:
        """Load these references into the instances (with all the targets' properties).

        Nest with a path, ``include(Author.wrote_books.publisher)``, or with a
        reference of an included class, ``include(Author.wrote_books, Book.publisher)``
        (it is loaded under every included reference that points to Book).
        """
        for reference in references:
            if not isinstance(reference, ReferencePath):
                raise FilterError(
                    f"include() takes reference fields such as Author.wrote_books, got "
                    f"{reference!r}"
                )
        query = self._replace(includes=self._includes + tuple(references))
        query._include_tree()  # check now that every reference attaches somewhere
        return query

    def _include_tree(self) -> _Node:
        """The references to load, as a tree under this query's model (see include)."""
        root = _Node(self._model, {})
        for reference in self._includes:
            start, label = reference._root, reference._label
            if issubclass(self._model, start):
                anchors = [root]
            else:
                anchors = [n for n in root.walk() if n.model is start]
                if not anchors:
                    raise FilterError(
                        f"include({label}): no included reference of this "
                        f"{self._model.__name__} query points to {start.__name__}; "
                        f"include the reference that leads there first, or write the path "
                        f"from {self._model.__name__}"
                    )
            for anchor in anchors:
                node = anchor
                for hop, target in reference._hops:
                    node = _children(node, hop)[target]
                _children(node, reference._prop)
        return root

    def _check_own(self, field: FieldExpr[Any], what: str) -> None:
        if not issubclass(self._model, field.root):
            raise FilterError(
                f"{what}({field.label}): this query reads {self._model.__name__}, not "
                f"{field.root.__name__}"
            )

    def tenant(self, tenant: str) -> Query[M]:
        """Read this tenant of a multi-tenant class."""
        if not isinstance(tenant, str) or not tenant:
            raise UsageError(f"tenant must be a non-empty str, got {tenant!r}")
        return self._replace(tenant=tenant)

    def consistency_level(self, level: Union[ConsistencyLevel, str]) -> Query[M]:
        """Read with this consistency level (classes with replication_factor > 1 only)."""
        try:
            checked = ConsistencyLevel(level)
        except ValueError:
            raise UsageError(
                f"consistency_level must be ONE, QUORUM or ALL, got {level!r}"
            ) from None
        return self._replace(consistency_level=checked)

    def rerank(self, property: Union[FieldExpr[str], str], query: Optional[str] = None) -> Query[M]:
        """Rerank the results with the class's ``reranker-*`` module: by the text of
        ``property`` against ``query`` (None: the search's own query). Results come
        best first, each hit with its ``rerank_score``. The module reads every
        result, so the query needs a :meth:`limit` (and takes no sort)."""
        name = self._search_properties([property], "rerank")[0]
        if query is not None and (not isinstance(query, str) or not query):
            raise UsageError(f"rerank() query must be a non-empty str, got {query!r}")
        return self._replace(rerank=plan.Rerank(name, query))

    def with_vector(self, *names: str) -> Query[M]:
        """Also read the objects' vector (none given) or these named vectors; they land
        in ``wvorm.orm.state_of(obj).vector`` / ``.vectors`` and on hits."""
        for name in names:
            if not isinstance(name, str):
                raise UsageError(f"with_vector() takes vector names, got {name!r}")
        return self._replace(vectors=tuple(names))

    # -- rendering ----------------------------------------------------------------------

    def _effective_tenant(self) -> Optional[str]:
        if self._tenant is not None or self._session is None:
            return self._tenant
        config = model_info(self._model).config
        return self._session.tenant if config.multi_tenancy else None

    def _effective_consistency(self) -> Optional[ConsistencyLevel]:
        if self._consistency_level is not None or self._session is None:
            return self._consistency_level
        level = model_info(self._model).read_consistency(self._session.consistency_level)
        return None if level is None else ConsistencyLevel(level)

    def _loader(self) -> Loader[M]:
        return cast("Loader[M]", self._include_tree().loader(self._select))

    def _metadata(self, *, hits: bool = False) -> plan.Metadata:
        """The ``_additional`` fields to read: the id, vectors when asked, and for hits
        the times and the search's own metadata."""
        vector = self._vectors == ()
        vectors = self._vectors or ()
        if not hits:
            return plan.Metadata(vector=vector, vectors=vectors)
        near = self._search is not None and self._search.is_near
        keyword = self._search is not None and not near
        return plan.Metadata(
            vector=vector,
            vectors=vectors,
            creation_time=True,
            update_time=True,
            distance=near,
            certainty=near and self._certainty_defined(),
            score=keyword,
            explain_score=keyword,
        )

    def _certainty_defined(self) -> bool:
        """Whether the server gives a certainty for this near search: on one vector
        whose distance is cosine (Weaviate defines it for nothing else)."""
        node = None if self._search is None else self._search.node
        searched = self._searched_vectors(getattr(node, "target_vectors", ()))
        config = model_info(self._model).config
        if len(searched) > 1:
            return False
        name = searched[0]
        if name is not None and name in config.vectors:
            return config.vectors[name].distance in (None, "cosine")
        return config.distance in (None, "cosine")

    def _plan(self, loader: Loader[M], metadata: plan.Metadata) -> plan.SearchPlan:
        """This query as a typed plan, read through ``loader``."""
        properties, references = loader.select()
        consistency = self._effective_consistency()
        return plan.SearchPlan(
            collection=collection_name(self._model),
            properties=properties,
            references=references,
            metadata=metadata,
            filter=None if self._filter is None else self._filter.to_node(),
            search=None if self._search is None else self._search.node,
            sort=tuple(key.to_node() for key in self._sort),
            limit=self._limit,
            offset=self._offset,
            after=self._after,
            autocut=self._autocut,
            tenant=self._effective_tenant(),
            consistency_level=None if consistency is None else consistency.value,
            generate=self._generate,
            rerank=self._rerank,
        )

    def build(self) -> str:
        """The GraphQL text that :meth:`all` sends over GraphQL."""
        return render_search(self._plan(self._loader(), self._metadata()))

    # -- running ------------------------------------------------------------------------

    def _rows(self, loader: Loader[M], metadata: plan.Metadata) -> Iterator[list[dict[str, Any]]]:
        """The answer's rows, page by page: one request with a limit; without one, as many
        as it takes to read every match.

        A query without a filter, search or sort pages with Weaviate's cursor (by
        uuid), which reaches every object however many there are. A filtered and
        sorted query goes through :meth:`_sorted_rows`. Any other query pages by
        offset, which Weaviate serves up to ``QUERY_MAXIMUM_RESULTS`` (offset + limit,
        10,000 by default); beyond that it fails with an error that says so, never a
        silent cut.
        """
        transport = self._resolve_client().transport
        if self._rerank is not None and (self._limit is None or self._sort):
            raise UsageError(
                "rerank() orders one page of results by the module's scores: give the query "
                f"a limit (and no sort), e.g. {self._model.__name__}.query...limit(20)"
                ".rerank(...)"
            )
        if self._filter is not None and self._sort and self._search is None:
            yield self._sorted_rows(loader, metadata, transport)
            return
        if self._limit is not None or self._autocut is not None:
            # (autocut cuts the result itself: one request, as the server answers it)
            yield transport.search(self._plan(loader, metadata))
            return
        if (
            self._filter is None
            and self._search is None
            and not self._sort
            and self._offset is None
        ):
            cursor = self._after
            while True:
                page_query = self._replace(limit=READ_PAGE_SIZE, after=cursor)
                rows = transport.search(page_query._plan(loader, metadata))
                yield rows
                if len(rows) < READ_PAGE_SIZE:
                    return
                cursor = rows[-1]["_additional"]["id"]
        start = self._offset or 0
        while True:
            page_query = self._replace(limit=READ_PAGE_SIZE, offset=start)
            try:
                rows = transport.search(page_query._plan(loader, metadata))
            except QueryError as exc:
                if "QUERY_MAXIMUM_RESULTS" not in str(exc):
                    raise
                raise QueryError(
                    [
                        f"{self._describe()} matches more objects than Weaviate returns for one "
                        f"search or sorted query (QUERY_MAXIMUM_RESULTS, {MAXIMUM_RESULTS:,} by "
                        "default); give a limit, narrow the filter, or drop the sort and "
                        "search to read every match"
                    ],
                    exc.query,
                    exc.transport,
                ) from exc
            yield rows
            if len(rows) < READ_PAGE_SIZE:
                return
            start += len(rows)

    def _sorted_rows(
        self, loader: Loader[M], metadata: plan.Metadata, transport: Transport
    ) -> list[dict[str, Any]]:
        """The rows of a filtered, sorted query, in the right order.

        Weaviate 1.39 collects only the first ``offset + limit`` matches of a filter (in
        storage order) and sorts those, so ``.where(...).sort(...).limit(10)`` would
        sort ten arbitrary matches. Instead every match's id is read sorted (up to
        ``QUERY_MAXIMUM_RESULTS``, failing loudly beyond), the page is cut here, and the
        page's objects are read by id.
        """
        ids_query = self._replace(limit=MAXIMUM_RESULTS, offset=None)
        id_rows = transport.search(ids_query._plan(Loader(self._model, ()), plan.Metadata()))
        if len(id_rows) >= MAXIMUM_RESULTS:
            raise UsageError(
                f"{self._describe()} with sort matches {MAXIMUM_RESULTS:,} objects or more; "
                "Weaviate sorts a filtered result correctly only when it can collect every "
                "match (QUERY_MAXIMUM_RESULTS), so narrow the filter or drop the sort"
            )
        start = self._offset or 0
        end = None if self._limit is None else start + self._limit
        ids = [row["_additional"]["id"] for row in id_rows[start:end]]
        if not ids:
            return []
        id_field = cast("FieldExpr[UUID]", field_of(self._model, "id"))
        page_query = self._replace(
            filter=id_field.contains_any([UUID(i) for i in ids]),
            sort=(),
            limit=len(ids),
            offset=None,
        )
        rows = transport.search(page_query._plan(loader, metadata))
        by_id = {row["_additional"]["id"]: row for row in rows}
        return [by_id[i] for i in ids if i in by_id]  # (one deleted meanwhile: left out)

    def _exact_ints(self, rows: list[dict[str, Any]], loader: Loader[M]) -> list[dict[str, Any]]:
        """``rows``, with the ints that GraphQL could not render read again over REST.

        Weaviate's GraphQL API answers null for an int property beyond 32 bits (which a
        gRPC or REST writer may have stored), so over GraphQL a null int could be a lost
        value. A null item of an int list (or an int inside a nested object) is read
        again at once; a null single int is usually a real null, so a range filter
        first finds the objects that hold a wider int there, and only those are read.
        """
        client = self._resolve_client()
        if not rows or not loader.reads_ints:
            return rows
        if not client.transport.over_graphql(self._plan(loader, plan.Metadata())):
            return rows
        gaps = [gap for row in rows for gap in loader.int_gaps(row)]
        if not gaps:
            return rows
        wide = {(g.loader.model, g.row["_additional"]["id"]) for g in gaps if g.certain}
        by_class: dict[type[WeaviateModel], list[IntGap]] = {}
        for gap in gaps:
            if not gap.certain:
                by_class.setdefault(gap.loader.model, []).append(gap)
        for model, class_gaps in by_class.items():
            wide |= {(model, object_id) for object_id in self._wide_ints(model, class_gaps)}
        consistency = self._effective_consistency()
        for gap in gaps:
            model = gap.loader.model
            object_id = gap.row["_additional"]["id"]
            if (model, object_id) not in wide:
                continue
            stored = client.data_object.get_by_id(
                object_id,
                class_name=collection_name(model),
                consistency_level=consistency,
                tenant=self._tenant_of(model),
            )
            if stored is None:
                continue  # deleted since: the row is all there is
            properties = stored.get("properties") or {}
            for prop in gap.loader.int_properties:
                gap.row[prop.name] = properties.get(prop.name)
        return rows

    def _wide_ints(self, model: type[WeaviateModel], gaps: Sequence[IntGap]) -> set[str]:
        """The ids of ``gaps``' objects whose null single ints may hold an int beyond 32
        bits: those a range filter finds, and every one whose property has no index."""
        transport = self._resolve_client().transport
        indexed = {
            p.name: p
            for gap in gaps
            for p in gap.scalars
            if p.options.index_filterable is not False or p.options.index_range_filters
        }
        out = {
            g.row["_additional"]["id"]
            for g in gaps
            if any(p.name not in indexed for p in g.scalars)
        }
        ids = sorted({g.row["_additional"]["id"] for g in gaps} - out)
        ranges: list[plan.FilterNode] = []
        for name in sorted(indexed):
            ranges.append(plan.Condition((name,), "GreaterThan", "valueInt", GRAPHQL_INT_MAX))
            ranges.append(plan.Condition((name,), "LessThan", "valueInt", GRAPHQL_INT_MIN))
        for start in range(0, len(ids), READ_PAGE_SIZE):
            chunk = tuple(ids[start : start + READ_PAGE_SIZE])
            search = plan.SearchPlan(
                collection=collection_name(model),
                filter=plan.Logical(
                    "And",
                    (
                        plan.Condition(("id",), "ContainsAny", "valueText", chunk),
                        plan.Logical("Or", tuple(ranges)),
                    ),
                ),
                limit=len(chunk),
                tenant=self._tenant_of(model),
            )
            try:
                out |= {row["_additional"]["id"] for row in transport.search(search)}
            except QueryError:  # (the live schema has no index there after all)
                out |= set(chunk)
        return out

    def _tenant_of(self, model: type[WeaviateModel]) -> Optional[str]:
        """The tenant to read ``model``'s objects in (this query's, if it has tenants)."""
        return self._effective_tenant() if model_info(model).config.multi_tenancy else None

    def _instances(self, *, hits: bool) -> list[tuple[M, Mapping[str, Any]]]:
        """``(instance, _additional)`` of every row; objects a session has marked for
        deletion are left out."""
        loader = self._loader()
        return self._loaded(loader, self._rows(loader, self._metadata(hits=hits)))

    def _loaded(
        self, loader: Loader[M], pages: Iterable[list[dict[str, Any]]]
    ) -> list[tuple[M, Mapping[str, Any]]]:
        """``(instance, _additional)`` of the rows of ``pages``, read through ``loader``."""
        adopt = self._adopt(bool(loader.includes))
        load = loader.load
        out = []
        with gc_paused(promote=not loader.includes):
            for rows in pages:
                for row in self._exact_ints(rows, loader):
                    additional = row["_additional"]
                    obj = load(row, additional, adopt)
                    if obj is not None:
                        out.append((obj, additional))
        return out

    def all(self) -> list[M]:
        """Every matching object (all of them without a limit), as model instances."""
        return [obj for obj, _ in self._instances(hits=False)]

    def first(self) -> Optional[M]:
        """The first matching object, or None."""
        found = self._replace(limit=1).all()
        return found[0] if found else None

    def one(self) -> M:
        """The one matching object; raises NoResultError / MultipleResultsError otherwise."""
        limit = 2 if self._limit is None else min(self._limit, 2)
        found = self._replace(limit=limit).all()
        if not found:
            raise NoResultError(f"{self._describe()} found no object; expected exactly one")
        if len(found) > 1:
            raise MultipleResultsError(
                f"{self._describe()} found more than one object; expected exactly one"
            )
        return found[0]

    def get(self, uuid: UUIDLike) -> Optional[M]:
        """The object with this uuid (within this query's filters and tenant), or None."""
        id_field = cast("FieldExpr[UUID]", field_of(self._model, "id"))
        key = UUID(get_valid_uuid(uuid))
        return self.where(id_field == key).first()

    def _describe(self) -> str:
        parts = [f"{self._model.__name__}.query"]
        if self._filter is not None:
            parts.append(f"where{self._filter!r}")
        if self._search is not None:
            parts.append(self._search.written)
        return ".".join(parts)

    def hits(self) -> list[Hit[M]]:
        """Every matching object with its search metadata (see :class:`Hit`): distance
        and certainty for near searches, score and explain_score for bm25 and hybrid,
        creation and update time always, vectors when asked with :meth:`with_vector`."""
        return [Hit.of(obj, additional) for obj, additional in self._instances(hits=True)]

    def generate(
        self,
        single_prompt: Optional[str] = None,
        grouped_task: Optional[str] = None,
        grouped_properties: Optional[Sequence[str]] = None,
        provider: Optional[plan.GenerativeOpenAI] = None,
    ) -> Generation[M]:
        """Generative search with the class's ``generative-*`` module: ``single_prompt``
        is run for each matching object (``{title}`` is replaced by the object's
        ``title`` property: Weaviate property names), ``grouped_task`` once over all of
        them (over ``grouped_properties``, or every property). Each object comes back
        with its text (:class:`Generated`), with the grouped answer beside them.

        ``provider`` sets the module's options for this search only
        (``wvorm.GenerativeOpenAI(model=..., temperature=...)``, Weaviate's dynamic RAG).

        The model runs once per object, so the query needs a :meth:`limit`. An error
        of the module (for any object, or the grouped task) raises QueryError with its
        message, rather than giving None.
        """
        if provider is not None and not isinstance(provider, plan.GenerativeOpenAI):
            raise UsageError(
                f"generate() provider must be a wvorm.GenerativeOpenAI(...), got {provider!r}"
            )
        if single_prompt is None and grouped_task is None:
            raise UsageError("generate() needs single_prompt and/or grouped_task")
        for name, value in (("single_prompt", single_prompt), ("grouped_task", grouped_task)):
            if value is not None and (not isinstance(value, str) or not value):
                raise UsageError(f"generate(): {name} must be a non-empty str, got {value!r}")
        names = None
        if grouped_properties is not None:
            names = tuple(string_list(grouped_properties, "grouped_properties"))
        if self._limit is None:
            raise UsageError(
                "generate() runs the model once per object: give the query a limit, e.g. "
                f"{self._model.__name__}.query...limit(10).generate(...)"
            )
        query = self._replace(generate=plan.Generate(single_prompt, grouped_task, names, provider))
        loader = query._loader()
        search = query._plan(loader, query._metadata())
        rows = query._resolve_client().transport.search(search)  # (one request: a limit)
        generated = [row["_additional"].get("generate") or {} for row in rows]
        errors = [
            f"object {row['_additional'].get('id')}: {g['error']}"
            for row, g in zip(rows, generated)
            if g.get("error")
        ]
        if errors:
            raise QueryError(errors, query._describe() + ".generate(...)", "generative search")
        grouped = next((g["groupedResult"] for g in generated if g.get("groupedResult")), None)
        objects = [
            Generated(obj, (additional.get("generate") or {}).get("singleResult"))
            for obj, additional in query._loaded(loader, [rows])
        ]
        return Generation(objects, grouped)

    def iterate(self, page_size: int = DEFAULT_PAGE_SIZE) -> Iterator[M]:
        """Every object of the class, read ``page_size`` at a time with the cursor
        (``after``), so memory stays bounded however many there are.

        Weaviate's cursor cannot be combined with a filter, search, sort or offset;
        such a query raises ValueError (use :meth:`all` with ``limit`` / ``offset``).
        ``limit`` caps the total. Bound to a session, every object stays in its
        identity map (use a plain ``Model.query`` to stream a whole class).
        """
        graphql_int(page_size, "page_size", 1)
        refused = [
            name
            for name, present in (
                ("where", self._filter is not None),
                (self._search.written if self._search else "", self._search is not None),
                ("sort", bool(self._sort)),
                ("offset", self._offset is not None),
                ("autocut", self._autocut is not None),
            )
            if present
        ]
        if refused:
            raise UsageError(
                f"iterate() pages with Weaviate's cursor, which cannot be combined with "
                f"{', '.join(refused)}; drop them, or page with .limit(n).offset(k).all()"
            )
        return self._pages(page_size)

    def _pages(self, page_size: int) -> Iterator[M]:
        """The objects, page by page. A reader thread fetches the next page while this
        thread decodes the current one and turns it into instances, so the server's
        time overlaps ours. It reads one page ahead, no more (page k+2 is requested
        only once page k is done with), and leaves the decoding to this thread, so the
        memory held is one page of instances and the next page's answer, whatever the
        timing."""
        loader = self._loader()
        transport = self._resolve_client().transport
        metadata = self._metadata()
        pages: queue.SimpleQueue[Union[SearchAnswer, BaseException, None]] = queue.SimpleQueue()
        wanted = threading.Semaphore(1)  # pages the reader may read now (one ahead)
        stopped = threading.Event()

        def read() -> None:
            cursor, remaining = self._after, self._limit
            try:
                while True:
                    while not wanted.acquire(timeout=0.1):
                        if stopped.is_set():  # the iterating side stopped listening
                            return
                    size = page_size if remaining is None else min(page_size, remaining)
                    if size <= 0 or stopped.is_set():
                        break
                    plan = self._replace(limit=size, after=cursor)._plan(loader, metadata)
                    answer = transport.fetch(plan)
                    if remaining is not None:
                        remaining -= answer.count
                    cursor = answer.last_id or cursor
                    pages.put(answer)
                    if answer.count < size:
                        break
                    del answer  # (the iterating side holds it now)
            except BaseException as exc:  # raised again on the iterating side
                pages.put(exc)
                return
            pages.put(None)

        reader = threading.Thread(target=read, name="wvorm-iterate", daemon=True)
        reader.start()
        try:
            while True:
                wanted.release()  # done with the previous page: one more may be read
                item = pages.get()
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                adopt = self._adopt(bool(loader.includes))  # one result identity per page
                with gc_paused(promote=not loader.includes):
                    rows = self._exact_ints(item.rows(), loader)
                    page = [loader.load(row, row["_additional"], adopt) for row in rows]
                del item
                yield from (obj for obj in page if obj is not None)
                del page
        finally:
            stopped.set()

    def count(self) -> int:
        """How many objects match (the ``where`` filter, near search and tenant),
        counted by the server without reading them (``limit`` / ``offset`` apply).

        (A filter with ``within_geo_range`` is counted by reading the matching ids:
        Weaviate 1.39's Aggregate counts deleted objects inside a geo range.)"""
        if self._search is None and self._filter is not None and _has_geo(self._filter.to_node()):
            ids = Loader(self._model, ())
            return sum(len(rows) for rows in self._replace(sort=())._rows(ids, plan.Metadata()))
        rows = self._resolve_client().transport.aggregate(self._aggregate_plan())
        total = int(rows[0]["meta"]["count"]) if rows else 0
        if self._offset is not None and not (self._search and self._search.is_near):
            total = max(total - self._offset, 0)
        if self._limit is not None:
            total = min(total, self._limit)
        return total

    def _aggregate_plan(
        self, metrics: tuple[plan.Metric, ...] = (), group_by: Optional[str] = None
    ) -> plan.AggregatePlan:
        search = None if self._search is None else self._search.aggregated()
        limit = None
        if search is not None and self._limit is not None:
            limit = self._limit + (self._offset or 0)
        return plan.AggregatePlan(
            collection=collection_name(self._model),
            metrics=metrics,
            filter=None if self._filter is None else self._filter.to_node(),
            search=search,
            object_limit=limit,
            group_by=group_by,
            tenant=self._effective_tenant(),
        )

    def group_by(
        self, field: FieldExpr[Any], *, groups: int, objects_per_group: int
    ) -> list[Group[M]]:
        """Group the results of a near search by ``field``: at most ``groups`` groups of
        ``objects_per_group`` hits each, closest first."""
        if not isinstance(field, FieldExpr):
            raise FilterError(f"group_by() takes a property such as Author.name, got {field!r}")
        self._check_own(field, "group_by")
        if field.hops:
            raise FilterError(f"group_by({field.label}): Weaviate groups by own properties only")
        if self._search is None or not self._search.is_near:
            raise UsageError(
                "group_by() groups the results of a vector search: add near_text(...), "
                "near_vector(...) or near_object(...)"
            )
        loader = self._loader()
        limit = self._limit
        if limit is None and not self._search.has_threshold:
            # Weaviate groups only the `limit` nearest objects (100 by default): make the
            # pool every match, or refuse when the server cannot consider that many.
            matches = self._replace(search=None).count()
            if matches > MAXIMUM_RESULTS:
                raise UsageError(
                    f"group_by() without a limit would group all {matches:,} matches, more than "
                    f"Weaviate considers in one search ({MAXIMUM_RESULTS:,}); give "
                    "limit(n) (the number of nearest objects to group) or a distance"
                )
            limit = max(matches, 1)
        grouping = plan.GroupBy((field.prop.name,), groups, objects_per_group)
        for name, value in (("groups", groups), ("objects_per_group", objects_per_group)):
            graphql_int(value, name, 1)
        query_plan = replace(
            self._replace(limit=limit)._plan(loader, plan.Metadata()), group_by=grouping
        )
        rows = self._resolve_client().transport.search(query_plan)
        adopt = self._adopt(bool(loader.includes))
        self._exact_ints(
            [hit for row in rows for hit in row["_additional"]["group"].get("hits") or ()], loader
        )
        result = []
        for row in rows:
            data = row["_additional"]["group"]
            grouped = data.get("groupedBy") or {}
            loaded = [
                (loader.load(hit, hit["_additional"], adopt), hit) for hit in data.get("hits") or ()
            ]
            hits = [Hit.of(obj, hit["_additional"]) for obj, hit in loaded if obj is not None]
            result.append(
                Group(
                    value=grouped.get("value"),
                    path=list(grouped.get("path") or []),
                    count=int(data.get("count") or 0),
                    min_distance=data.get("minDistance"),
                    max_distance=data.get("maxDistance"),
                    hits=hits,
                )
            )
        return result

    @overload
    def aggregate(self, *fields: FieldExpr[Any], group_by: None = None) -> Aggregation: ...

    @overload
    def aggregate(self, *fields: FieldExpr[Any], group_by: FieldExpr[Any]) -> list[Aggregation]: ...

    def aggregate(
        self, *fields: FieldExpr[Any], group_by: Optional[FieldExpr[Any]] = None
    ) -> Union[Aggregation, list[Aggregation]]:
        """Statistics of the matching objects: the count, and per field the metrics its
        type has (numbers: mean, median, mode, minimum, maximum, sum; text: top
        occurrences; bool: totals and percentages; dates: minimum, maximum, median,
        mode). With ``group_by``, one :class:`Aggregation` per value of that field."""
        props: list[PropertyInfo] = []
        for field in [*fields, *([group_by] if group_by is not None else [])]:
            if not isinstance(field, FieldExpr):
                raise FilterError(f"aggregate() takes properties such as A.age, got {field!r}")
            self._check_own(field, "aggregate")
            if field.hops or field.prop.field_name == "id":
                raise FilterError(f"aggregate({field.label}): aggregate own properties only")
            if DATA_TYPES[field.prop.base_type].metrics is None:
                raise FilterError(
                    f"aggregate({field.label}): Weaviate cannot aggregate "
                    f"{field.prop.data_type[0]} properties"
                )
        metrics = []
        for field in fields:
            data_type = field.prop.base_type
            fields_wanted = DATA_TYPES[data_type].metrics
            assert fields_wanted is not None  # refused above
            metrics.append(plan.Metric(field.prop.name, data_type, fields_wanted))
            props.append(field.prop)
        group_name = None if group_by is None else group_by.prop.name
        rows = self._resolve_client().transport.aggregate(
            self._aggregate_plan(tuple(metrics), group_name)
        )
        results = [_aggregation(row, props) for row in rows]
        if group_by is not None:
            return results
        return results[0] if results else Aggregation(0, None, {p.field_name: {} for p in props})


def _has_geo(node: plan.FilterNode) -> bool:
    if isinstance(node, plan.Condition):
        return node.operator == "WithinGeoRange"
    return any(_has_geo(operand) for operand in node.operands)


def _children(node: _Node, prop: PropertyInfo) -> dict[type[WeaviateModel], _Node]:
    """The include-tree nodes under ``node``'s reference ``prop``, created as needed.

    Every target class of the reference is loaded (``[Target]`` in a path only picks
    the way on): a reference loaded in part would lose the rest when saved.
    """
    _, nodes = node.children.setdefault(prop.field_name, (prop, {}))
    targets = cast("tuple[type[WeaviateModel], ...]", prop.targets)  # always model classes
    for target in targets:
        nodes.setdefault(target, _Node(target, {}))
    return nodes


def _aggregation(row: Mapping[str, Any], props: Sequence[PropertyInfo]) -> Aggregation:
    metrics: dict[str, dict[str, Any]] = {}
    for prop in props:
        raw = row.get(prop.name) or {}
        values: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "topOccurrences":
                value = [(o["value"], o["occurs"]) for o in value or ()]
            elif prop.base_type == "date" and key in _DATE_METRICS and isinstance(value, str):
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            values[_snake(key)] = value
        metrics[prop.field_name] = values
    grouped = row.get("groupedBy") or {}
    return Aggregation(
        int((row.get("meta") or {}).get("count") or 0), grouped.get("value"), metrics
    )


_COMBINATIONS = {
    "sum": "sum",
    "average": "average",
    "minimum": "minimum",
    "manual_weights": "manualWeights",
    "relative_score": "relativeScore",
}


def _targets_and_weights(
    targets: Optional[Union[Sequence[str], Mapping[str, float]]],
    combination: Optional[str],
    what: str,
) -> tuple[tuple[str, ...], tuple[tuple[str, float], ...], Optional[str]]:
    """The target names, their weights and the combination's GraphQL name, checked."""
    weights: tuple[tuple[str, float], ...] = ()
    if isinstance(targets, Mapping):
        for name, weight in targets.items():
            if isinstance(weight, bool) or not isinstance(weight, (int, float)):
                raise UsageError(
                    f"{what} target_vectors[{name!r}] must be a weight, got {weight!r}"
                )
        weights = tuple((str(n), float(w)) for n, w in targets.items())
        names = tuple(n for n, _ in weights)
        if combination is None:
            combination = "manual_weights"
    else:
        names = _target_vectors(targets, what)
    if combination is None:
        return names, weights, None
    method = _COMBINATIONS.get(combination) if isinstance(combination, str) else None
    if method is None:
        raise UsageError(
            f"{what} combination must be one of {', '.join(map(repr, _COMBINATIONS))}, "
            f"got {combination!r}"
        )
    if not names:
        raise UsageError(f"{what} combination={combination!r} needs target_vectors")
    if method in ("manualWeights", "relativeScore") and not weights:
        raise UsageError(
            f"{what} combination={combination!r} needs a weight per target: "
            "target_vectors={'name': weight, ...}"
        )
    if weights and method not in ("manualWeights", "relativeScore"):
        raise UsageError(
            f"{what} combination={combination!r} takes no weights; give target_vectors as a "
            "list, or use 'manual_weights' / 'relative_score'"
        )
    return names, weights, method


def _checked_any_vector(value: Any, what: str) -> plan.AnyVector:
    """A vector, or a multi-vector (a non-empty list of vectors of one length), checked."""
    values = get_vector(value)
    if is_multi_vector(values):
        rows = [checked_vector(row, f"{what}[{i}]") for i, row in enumerate(values)]
        if len({len(row) for row in rows}) > 1:
            raise UsageError(f"{what}: the vectors of a multi-vector must have one length")
        return rows
    return checked_vector(values, what)


_VECTOR_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")  # (a GraphQL name, as Weaviate's)


def _target_vectors(names: Optional[Sequence[str]], what: str) -> tuple[str, ...]:
    """The named vectors a search targets (none: the default vector)."""
    return () if names is None else tuple(string_list(names, f"{what} target_vectors"))

"""The ORM half: models, schema compilation, the Session and the query DSL.

The modules are private; this package (and ``wvorm`` itself) exports the public
names. Each module imports only those listed above it (``_models`` reaches
``_query`` once, for ``Model.query``, declared there):

- ``_gc``: pausing the garbage collector around loops that allocate per object;
- ``_types``: the data-type registry (codecs, filter keys, operators, sorting,
  aggregate metrics per Weaviate type), :class:`Property`, :class:`GeoCoordinate`,
  :class:`PhoneNumber`, and the Python type → Weaviate type mapping;
- ``_mapping``: class options (:class:`ClassConfig`, :class:`NamedVector`), vector
  fields (:class:`Vector`) and the compiled :class:`ModelInfo` of each model;
- ``_state``: per-instance state and its rules: loaded, unloaded, changed, deleted;
- ``_expressions``: field expressions, reference paths, filters, sort keys;
- ``_models``: :class:`WeaviateModel` and its metaclass; instance ↔ properties;
- ``_embedding``: client-side embedding functions (``Vector(embed=...)``), run before a
  flush and for query texts;
- ``_identity``: the identity map; ``_loading``: rows → instances;
- ``_query``: the immutable :class:`Query` and its terminals;
- ``_unitofwork``: the flush plan, computed from state alone;
- ``_persistence``: runs a plan through the client and reports what happened;
- ``_session``: the :class:`Session` facade; ``_schema``: create_all / migrate.
"""

from __future__ import annotations

from wvorm.orm._expressions import FieldExpr, Filter, ReferencePath, SortKey, and_, or_
from wvorm.orm._loading import Generated, Generation, Group, Hit
from wvorm.orm._mapping import (
    ClassConfig,
    EmbeddingFunction,
    ModelInfo,
    NamedVector,
    Vector,
    collection_name,
    model_info,
)
from wvorm.orm._models import WeaviateModel
from wvorm.orm._persistence import CommitProgress
from wvorm.orm._query import Aggregation, Query
from wvorm.orm._schema import (
    MigrationPlan,
    class_schema,
    create_all,
    drop_all,
    migrate,
    schema_of,
)
from wvorm.orm._session import Session
from wvorm.orm._state import ObjectState, state_of
from wvorm.orm._types import GeoCoordinate, PhoneNumber, Property, PropertyInfo
from wvorm.plan import GenerativeOpenAI

__all__ = [
    "Aggregation",
    "ClassConfig",
    "CommitProgress",
    "EmbeddingFunction",
    "FieldExpr",
    "Filter",
    "Generated",
    "Generation",
    "GenerativeOpenAI",
    "GeoCoordinate",
    "Group",
    "Hit",
    "MigrationPlan",
    "ModelInfo",
    "NamedVector",
    "ObjectState",
    "PhoneNumber",
    "Property",
    "PropertyInfo",
    "Query",
    "ReferencePath",
    "Session",
    "SortKey",
    "Vector",
    "WeaviateModel",
    "and_",
    "class_schema",
    "collection_name",
    "create_all",
    "drop_all",
    "migrate",
    "model_info",
    "or_",
    "schema_of",
    "state_of",
]

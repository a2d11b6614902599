"""The ORM half: models, schema compilation, the Session and the query DSL.

- :mod:`~wvorm.orm.types`: the Python type → Weaviate data type mapping, value
  conversion, :class:`Property`, :class:`GeoCoordinate`, :class:`PhoneNumber`.
- :mod:`~wvorm.orm.models`: :class:`WeaviateModel`, its compiled metadata
  (:func:`model_info`) and instance ↔ properties conversion.
- :mod:`~wvorm.orm.state`: per-instance state (:class:`ObjectState`).
- :mod:`~wvorm.orm.schema`: :func:`schema_of`, :func:`create_all`,
  :func:`drop_all`, :func:`migrate`.
"""

from __future__ import annotations

from wvorm.orm.loading import Group, Hit
from wvorm.orm.models import (
    ClassConfig,
    ModelInfo,
    NamedVector,
    WeaviateModel,
    changed_fields,
    collection_name,
    from_properties,
    mark_clean,
    mark_loaded,
    model_info,
    natural_id,
    referenced_objects,
    state_of,
    to_properties,
)
from wvorm.orm.query import Aggregation, Query
from wvorm.orm.schema import (
    MigrationPlan,
    class_schema,
    create_all,
    drop_all,
    migrate,
    schema_of,
)
from wvorm.orm.session import Session
from wvorm.orm.state import ObjectState
from wvorm.orm.types import GeoCoordinate, PhoneNumber, Property, PropertyInfo

__all__ = [
    "Aggregation",
    "ClassConfig",
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
    "Session",
    "WeaviateModel",
    "changed_fields",
    "class_schema",
    "collection_name",
    "create_all",
    "drop_all",
    "from_properties",
    "mark_clean",
    "mark_loaded",
    "migrate",
    "model_info",
    "natural_id",
    "referenced_objects",
    "schema_of",
    "state_of",
    "to_properties",
]

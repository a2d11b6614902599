"""The GraphQL query builders behind ``client.query`` (v3's ``weaviate.gql``).

``client.query.get(...)`` / ``.aggregate(...)`` / ``.multi_get([...])`` return
builders whose ``with_*`` methods check their input at once; ``build()`` gives the
GraphQL text weaviate-client 3.26 gave for the same calls (spacing included) and
``do()`` runs it. Every user string goes through :mod:`wvorm.plan.escape`, so
quotes, backslashes and newlines are escaped correctly where v3 was wrong.
"""

from __future__ import annotations

from wvorm.gql.aggregate import AggregateBuilder
from wvorm.gql.base import GraphQL
from wvorm.gql.filter import NearObject, NearText, NearVector, Sort, Where
from wvorm.gql.get import AdditionalProperties, GetBuilder, HybridFusion, LinkTo
from wvorm.gql.multi_get import MultiGetBuilder
from wvorm.gql.query import Query

__all__ = [
    "AdditionalProperties",
    "AggregateBuilder",
    "GetBuilder",
    "GraphQL",
    "HybridFusion",
    "LinkTo",
    "MultiGetBuilder",
    "NearObject",
    "NearText",
    "NearVector",
    "Query",
    "Sort",
    "Where",
]

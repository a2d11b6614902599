"""Selection sets: what a ``Get`` or ``Aggregate`` query returns.

Used by :mod:`wvorm.gql.get` and :mod:`wvorm.gql.aggregate`. A selection item is
one of: a property name or raw v3-style fragment (``"ofAuthor { ... on Author {
name } }"``), a :class:`LinkTo` (the structured form of a reference), a mapping
``{field: sub-selection}`` (``{"hits": ["title", {"_additional": ["id"]}]}``),
or a list of items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any, Union

from wvorm.errors import UsageError
from wvorm.plan.escape import check_selection, graphql_name

# A sub-selection as the builders accept it. Its items nest (see the module docstring);
# they are checked when rendered, so the type stays loose enough for dict literals.
Selection = Union[str, "LinkTo", Mapping[str, Any], Sequence[Any]]


@dataclass
class LinkTo:
    """A cross-reference to follow: ``link_on { ... on linked_class { properties } }``.

    >>> str(LinkTo("ofAuthor", "Author", ["name"]))
    'ofAuthor{... on Author{name}}'
    """

    link_on: str
    linked_class: str
    properties: Sequence[Union[str, LinkTo]]

    def __post_init__(self) -> None:
        str(self)  # validate now, where the mistake was made

    def __str__(self) -> str:
        link_on = graphql_name(self.link_on, "LinkTo.link_on")
        linked_class = graphql_name(self.linked_class, "LinkTo.linked_class")
        inner = render_selection(self.properties, f"LinkTo({self.link_on!r}).properties")
        return f"{link_on}{{... on {linked_class}{{{inner}}}}}"


@dataclass
class AdditionalProperties:
    """The v3 flag form of ``_additional`` fields (``uuid`` selects ``id``)."""

    uuid: bool = False
    vector: bool = False
    creationTimeUnix: bool = False  # the server's field names
    lastUpdateTimeUnix: bool = False
    distance: bool = False
    certainty: bool = False
    score: bool = False
    explainScore: bool = False

    def names(self) -> list[str]:
        """The selected ``_additional`` field names, in declaration order."""
        return ["id" if f.name == "uuid" else f.name for f in fields(self) if getattr(self, f.name)]

    def __str__(self) -> str:
        """The ``_additional`` selection as v3 wrote it (empty when nothing is selected)."""
        names = self.names()
        return " _additional{" + " ".join(names) + "} " if names else ""


def render_selection(item: object, what: str) -> str:
    """The GraphQL text of one selection item (see the module docstring)."""
    if isinstance(item, str):
        return check_selection(item, what)
    if isinstance(item, LinkTo):
        return str(item)
    if isinstance(item, Mapping):
        if not item:
            raise UsageError(f"{what} is an empty mapping; it must select at least one field")
        parts = []
        for key, sub in item.items():
            field = check_selection(key, f"{what} key") if isinstance(key, str) else None
            if field is None:
                raise UsageError(f"{what} keys must be str, got {type(key).__name__}: {key!r}")
            parts.append(f"{field}{{{render_selection(sub, f'{what}[{key!r}]')}}}")
        return " ".join(parts)
    if isinstance(item, Sequence) and not isinstance(item, (bytes, bytearray)):
        if not item:
            raise UsageError(f"{what} is empty; it must select at least one field")
        return " ".join(render_selection(sub, f"{what}[{i}]") for i, sub in enumerate(item))
    raise UsageError(
        f"{what} must be a str, LinkTo, dict or list of those, got {type(item).__name__}: {item!r}"
    )

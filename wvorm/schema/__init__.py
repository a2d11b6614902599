"""``client.schema``: classes, properties, shards and tenants (REST ``/v1/schema``).

The v3 client's ``weaviate.schema`` surface, on a :class:`~wvorm.connection.Connection`.
Class definitions are sent to the server as given: every key it knows (named
vectors in ``vectorConfig``, ``replicationConfig``, ``multiTenancyConfig``,
``moduleConfig``, ...) passes through, and so does any key it does not know, so
the server, not the client, says what is wrong. Class names are capitalised as
the server stores them. A caller's dicts are never changed.

Submodules: :mod:`~wvorm.schema.definitions` (pure helpers on class dicts),
:mod:`~wvorm.schema.properties` (``client.schema.property``) and
:mod:`~wvorm.schema.tenants` (:class:`Tenant`, :class:`TenantActivityStatus`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from wvorm._inputs import JsonSource, capitalize_first_letter, load_json_object
from wvorm.errors import SchemaValidationException, UsageError, json_body
from wvorm.schema.definitions import is_sub_schema, merge_config, split_class_definition
from wvorm.schema.properties import Property
from wvorm.schema.tenants import Tenant, TenantActivityStatus

if TYPE_CHECKING:
    from wvorm.connection import Connection

__all__ = ["Property", "Schema", "Tenant", "TenantActivityStatus"]

logger = logging.getLogger("wvorm.schema")

SHARD_STATUSES = ("READY", "READONLY")


class Schema:
    """Create, read, change and delete classes; ``property`` adds properties."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.property = Property(connection)

    # -- classes ------------------------------------------------------------------------

    def create(self, schema: JsonSource) -> None:
        """Create every class of ``schema`` (``{"classes": [...]}``), references last.

        ``schema`` is a dict, or the path or http(s) URL of a JSON file. All classes
        are first created without their reference properties, then the references
        are added, so classes may refer to each other (``Author`` <-> ``Book``) in
        any order. Every class is checked before anything is sent.
        """
        loaded = load_json_object(schema, "schema")
        classes = loaded.get("classes")
        if not isinstance(classes, list):
            raise SchemaValidationException(
                "schema must be a dict with a 'classes' list, e.g. "
                "{'classes': [{'class': 'Article', 'properties': [...]}]}; "
                f"got keys {sorted(loaded)}"
            )
        self._create_classes([split_class_definition(c) for c in classes])

    def create_class(self, schema_class: JsonSource) -> None:
        """Create one class (a dict, or the path or URL of a JSON file holding one).

        Its reference properties are added after the class itself, so a class may
        refer to itself.
        """
        loaded = load_json_object(schema_class, "schema_class")
        self._create_classes([split_class_definition(loaded)])

    def _create_classes(self, plans: Sequence[tuple[dict[str, Any], list[dict[str, Any]]]]) -> None:
        for base, _ in plans:
            self._connection.call(
                "POST", "/schema", action=f"Create class {base['class']!r}", json=base
            )
            logger.debug("created class %s", base["class"])
        for base, references in plans:
            for reference in references:
                self.property.create(base["class"], reference)

    def get(self, class_name: Optional[str] = None, *, consistency: bool = True) -> dict[str, Any]:
        """The whole schema (``{"classes": [...]}``), or one class's definition.

        ``consistency=False`` (beyond v3) reads the copy of the node asked instead of
        the cluster's raft leader's: it answers while the cluster has no leader, but
        may lag a change made a moment ago.
        """
        headers = None if consistency else {"consistency": "false"}
        if class_name is None:
            schema: dict[str, Any] = self._connection.get_json(
                "/schema", "Get schema", headers=headers
            )
            return schema
        name = capitalize_first_letter(class_name)
        definition: dict[str, Any] = self._connection.get_json(
            f"/schema/{name}", f"Get class {name!r}", headers=headers
        )
        return definition

    def exists(self, class_name: str) -> bool:
        """True when the class exists."""
        name = capitalize_first_letter(class_name)
        response = self._connection.call(
            "GET", f"/schema/{name}", ok=(200, 404), action=f"Check if class {name!r} exists"
        )
        return response.status_code == 200

    def contains(self, schema: Optional[JsonSource] = None) -> bool:
        """Without ``schema``: True when any class exists. With it: True when every
        class of ``schema`` (a full schema or one class), with each of its property
        names, exists on the server."""
        loaded_schema = self.get()
        if schema is None:
            return bool(loaded_schema.get("classes"))
        return is_sub_schema(load_json_object(schema, "schema"), loaded_schema)

    def delete_class(self, class_name: str) -> None:
        """Delete a class and all its objects."""
        name = capitalize_first_letter(class_name)
        self._connection.call("DELETE", f"/schema/{name}", action=f"Delete class {name!r}")

    def delete_all(self) -> None:
        """Delete every class and all data."""
        for schema_class in self.get().get("classes") or []:
            self.delete_class(schema_class["class"])

    def update_config(self, class_name: str, config: dict[str, Any]) -> None:
        """Merge ``config`` into the class's current definition and save it.

        ``config`` is a part of the class definition from its top level, e.g.
        ``{"vectorIndexConfig": {"ef": 100}}``: nested dicts merge key by key, other
        values replace the current ones. The server refuses changes to settings
        that are immutable once a class exists.
        """
        if not isinstance(config, dict):
            raise UsageError(
                f"config must be a dict holding part of a class definition, e.g. "
                f"{{'vectorIndexConfig': {{'ef': 100}}}}, got {type(config).__name__}"
            )
        name = capitalize_first_letter(class_name)
        updated = merge_config(self.get(name), config)
        self._connection.call(
            "PUT", f"/schema/{name}", action=f"Update the config of class {name!r}", json=updated
        )

    # -- shards -------------------------------------------------------------------------

    def get_class_shards(self, class_name: str) -> list[dict[str, Any]]:
        """The class's shards on this node: ``[{"name": ..., "status": "READY"}, ...]``."""
        name = capitalize_first_letter(class_name)
        shards: list[dict[str, Any]] = self._connection.get_json(
            f"/schema/{name}/shards", f"Get the shards of class {name!r}", expected=list
        )
        return shards

    def update_class_shard(
        self, class_name: str, status: str, shard_name: Optional[str] = None
    ) -> Union[dict[str, Any], list[dict[str, Any]]]:
        """Set a shard's status (``"READY"`` or ``"READONLY"``); every shard when
        ``shard_name`` is None. Returns the server's answer: one dict for one shard,
        a list of them for all shards."""
        if not isinstance(status, str) or status.upper() not in SHARD_STATUSES:
            raise UsageError(f"status must be one of {SHARD_STATUSES}, got {status!r}")
        if shard_name is not None and not isinstance(shard_name, str):
            raise UsageError(f"shard_name must be a str or None, got {type(shard_name).__name__}")
        name = capitalize_first_letter(class_name)
        if shard_name is None:
            names = [shard["name"] for shard in self.get_class_shards(name)]
        else:
            names = [shard_name]
        results: list[dict[str, Any]] = []
        for shard in names:
            action = f"Update the status of shard {shard!r} of class {name!r}"
            response = self._connection.call(
                "PUT", f"/schema/{name}/shards/{shard}", action=action,
                json={"status": status.upper()},
            )  # fmt: skip
            results.append(json_body(response, action))
        return results if shard_name is None else results[0]

    # -- tenants ------------------------------------------------------------------------

    def add_class_tenants(self, class_name: str, tenants: Sequence[Union[Tenant, str]]) -> None:
        """Add tenants (``Tenant`` objects, or names for ``HOT`` tenants) to a
        multi-tenant class."""
        name = capitalize_first_letter(class_name)
        body = [t._to_weaviate_object() for t in _as_tenants(tenants)]
        self._connection.call(
            "POST", f"/schema/{name}/tenants", action=f"Add tenants to class {name!r}", json=body
        )

    def get_class_tenants(self, class_name: str) -> list[Tenant]:
        """The tenants of a multi-tenant class."""
        name = capitalize_first_letter(class_name)
        answer = self._connection.get_json(
            f"/schema/{name}/tenants", f"Get the tenants of class {name!r}", expected=list
        )
        return [Tenant._from_weaviate_object(t) for t in answer]

    def update_class_tenants(self, class_name: str, tenants: Sequence[Tenant]) -> None:
        """Set the activity status of existing tenants (e.g. ``HOT`` -> ``COLD``)."""
        name = capitalize_first_letter(class_name)
        body = [t._to_weaviate_object() for t in _as_tenants(tenants)]
        self._connection.call(
            "PUT", f"/schema/{name}/tenants", action=f"Update tenants of class {name!r}", json=body
        )

    def remove_class_tenants(self, class_name: str, tenants: Sequence[str]) -> None:
        """Delete tenants, given by name, and all their data."""
        if isinstance(tenants, str) or not all(isinstance(t, str) for t in tenants):
            raise UsageError(f"tenants must be a list of tenant names (str), got {tenants!r}")
        name = capitalize_first_letter(class_name)
        self._connection.call(
            "DELETE",
            f"/schema/{name}/tenants",
            action=f"Remove tenants from class {name!r}",
            json=list(tenants),
        )


def _as_tenants(tenants: Sequence[Union[Tenant, str]]) -> list[Tenant]:
    if isinstance(tenants, (str, Tenant)) or not isinstance(tenants, Sequence):
        raise UsageError(f"tenants must be a list of Tenant objects, got {tenants!r}")
    result: list[Tenant] = []
    for tenant in tenants:
        if isinstance(tenant, str):
            result.append(Tenant(tenant))
        elif isinstance(tenant, Tenant):
            result.append(tenant)
        else:
            raise UsageError(
                f"tenants must hold Tenant objects (or tenant names), got "
                f"{type(tenant).__name__}: {tenant!r}"
            )
    return result

"""``client.data_object``: create, read, update and delete single objects (REST ``/v1/objects``).

The v3 client's ``weaviate.data`` surface; ``client.data_object.reference`` handles
cross-references (:mod:`wvorm.data.references`). Every method that the server
lets take a ``consistency_level``, ``tenant`` or ``node_name`` takes it. Objects
are addressed by class and uuid (``/v1/objects/{class}/{id}``); without a class
the server's older ``/v1/objects/{id}`` path is used, which it still serves.
A caller's dicts are never changed. For many objects at once, use ``client.batch``.
"""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional

from wvorm._inputs import (
    UUID,
    JsonSource,
    capitalize_first_letter,
    check_json,
    get_valid_uuid,
    get_vector,
    load_json_object,
)
from wvorm.data.params import (
    SortSpec,
    include_param,
    paging_params,
    request_params,
    sort_params,
)
from wvorm.data.references import Reference
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import (
    ObjectAlreadyExistsException,
    ResponseCannotBeDecodedException,
    UnexpectedStatusCodeException,
    UsageError,
    json_body,
)

if TYPE_CHECKING:
    from wvorm.connection import Connection

__all__ = ["ConsistencyLevel", "DataObject", "Reference"]

Vector = Any
"""A list of numbers, a numpy array or tensor, or ``{name: vector}`` for named vectors."""


class DataObject:
    """Single-object operations; ``reference`` adds, replaces and deletes references."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.reference = Reference(connection)

    def create(
        self,
        data_object: JsonSource,
        class_name: str,
        uuid: Optional[UUID] = None,
        vector: Optional[Vector] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        tenant: Optional[str] = None,
    ) -> str:
        """Create an object and return its uuid.

        ``data_object`` holds the properties (a dict, or the path or URL of a JSON
        file). ``vector`` is the object's vector, or ``{name: vector}`` for a class
        with named vectors. Raises :class:`ObjectAlreadyExistsException` when an
        object with ``uuid`` exists already.
        """
        body = _object_body(data_object, class_name, uuid, vector, tenant)
        response = self._connection.post(
            "/objects", json=body, params=request_params(consistency_level)
        )
        action = f"Create object {body.get('id', '')} in class {body['class']!r}"
        if response.status_code == 200:
            created = json_body(response, action)
            if "id" not in created:
                raise ResponseCannotBeDecodedException(action, response, "an object with an id")
            return str(created["id"])
        if response.status_code == 422 and "already exists" in response.text:
            raise ObjectAlreadyExistsException(action, response)
        raise UnexpectedStatusCodeException(action, response)

    def update(
        self,
        data_object: JsonSource,
        class_name: str,
        uuid: UUID,
        vector: Optional[Vector] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        tenant: Optional[str] = None,
    ) -> None:
        """Merge ``data_object``'s properties into the object (PATCH): properties it
        does not name keep their values."""
        body = _object_body(data_object, class_name, uuid, vector, tenant)
        self._connection.call(
            "PATCH",
            _object_path(body["id"], body["class"]),
            ok=204,
            action=f"Update object {body['id']} of class {body['class']!r}",
            json=body,
            params=request_params(consistency_level),
        )

    def replace(
        self,
        data_object: JsonSource,
        class_name: str,
        uuid: UUID,
        vector: Optional[Vector] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        tenant: Optional[str] = None,
    ) -> None:
        """Replace the object's properties with ``data_object`` (PUT): properties it
        does not name are removed."""
        body = _object_body(data_object, class_name, uuid, vector, tenant)
        self._connection.call(
            "PUT",
            _object_path(body["id"], body["class"]),
            action=f"Replace object {body['id']} of class {body['class']!r}",
            json=body,
            params=request_params(consistency_level),
        )

    def get_by_id(
        self,
        uuid: UUID,
        additional_properties: Optional[list[str]] = None,
        with_vector: bool = False,
        class_name: Optional[str] = None,
        node_name: Optional[str] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        tenant: Optional[str] = None,
    ) -> Optional[dict[str, Any]]:
        """The object as a dict, or None when it does not exist."""
        return self.get(
            uuid=uuid,
            additional_properties=additional_properties,
            with_vector=with_vector,
            class_name=class_name,
            node_name=node_name,
            consistency_level=consistency_level,
            tenant=tenant,
        )

    def get(
        self,
        uuid: Optional[UUID] = None,
        additional_properties: Optional[list[str]] = None,
        with_vector: bool = False,
        class_name: Optional[str] = None,
        node_name: Optional[str] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        limit: Optional[int] = None,
        after: Optional[UUID] = None,
        offset: Optional[int] = None,
        sort: Optional[SortSpec] = None,
        tenant: Optional[str] = None,
    ) -> Optional[dict[str, Any]]:
        """One object (with ``uuid``), or a page of objects: ``{"objects": [...], ...}``.

        Returns None when the object (or, for a listing, the class) does not exist.
        ``limit``, ``offset``, ``after`` (a uuid cursor) and ``sort`` page a listing;
        ``sort`` is ``{"properties": ["name"], "order_asc": [True]}`` as in v3, or
        ``{"path": ["name"], "order": "desc"}`` (or a list of those) as in queries.
        """
        params = include_param(additional_properties, with_vector)
        params.update(request_params(consistency_level, tenant, node_name))
        name = capitalize_first_letter(class_name) if class_name is not None else None
        if uuid is not None:
            if any(v is not None for v in (limit, after, offset, sort)):
                raise UsageError(
                    "limit, after, offset and sort page a listing of objects; "
                    "leave them out when getting one object by uuid"
                )
            path = _object_path(get_valid_uuid(uuid), name)
            action = f"Get object {uuid}"
        else:
            path = "/objects"
            if name is not None:
                params["class"] = name
            params.update(
                paging_params(limit, offset, get_valid_uuid(after) if after is not None else None)
            )
            if sort is not None:
                params.update(sort_params(sort))
            action = "List objects" + (f" of class {name!r}" if name else "")
        response = self._connection.call("GET", path, ok=(200, 404), action=action, params=params)
        if response.status_code == 404:
            return None
        result: dict[str, Any] = json_body(response, action)
        return result

    def delete(
        self,
        uuid: UUID,
        class_name: Optional[str] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        tenant: Optional[str] = None,
    ) -> None:
        """Delete the object.

        The server treats deleting a missing object of a given class as done (204);
        without ``class_name`` it answers 404, raised as
        :class:`UnexpectedStatusCodeException`.
        """
        object_id = get_valid_uuid(uuid)
        name = capitalize_first_letter(class_name) if class_name is not None else None
        self._connection.call(
            "DELETE",
            _object_path(object_id, name),
            ok=204,
            action=f"Delete object {object_id}",
            params=request_params(consistency_level, tenant),
        )

    def exists(
        self,
        uuid: UUID,
        class_name: Optional[str] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        tenant: Optional[str] = None,
    ) -> bool:
        """True when the object exists (a HEAD request: nothing is transferred)."""
        object_id = get_valid_uuid(uuid)
        name = capitalize_first_letter(class_name) if class_name is not None else None
        response = self._connection.call(
            "HEAD",
            _object_path(object_id, name),
            ok=(204, 404),
            action=f"Check if object {object_id} exists",
            params=request_params(consistency_level, tenant),
        )
        return response.status_code == 204

    def validate(
        self,
        data_object: JsonSource,
        class_name: str,
        uuid: Optional[UUID] = None,
        vector: Optional[Vector] = None,
    ) -> dict[str, Any]:
        """Ask the server whether it would accept the object, without storing it.

        Returns ``{"valid": True, "error": None}`` or ``{"valid": False, "error":
        [{"message": ...}]}``. Without ``uuid`` a random one is used: the server
        needs an id to validate, and it does not affect the outcome.
        """
        body = _object_body(
            data_object, class_name, uuid if uuid is not None else uuid_lib.uuid4(), vector, None
        )
        action = f"Validate an object of class {body['class']!r}"
        response = self._connection.call(
            "POST", "/objects/validate", ok=(200, 422), action=action, json=body
        )
        if response.status_code == 422:
            answer = json_body(response, action)
            return {"error": answer.get("error"), "valid": False}
        return {"error": None, "valid": True}


def _object_body(
    data_object: JsonSource,
    class_name: str,
    uuid: Optional[UUID],
    vector: Optional[Vector],
    tenant: Optional[str],
) -> dict[str, Any]:
    """The JSON body of an object request; ``data_object`` is referenced, not changed."""
    properties = load_json_object(data_object, "data_object")
    check_json(properties, "data_object")
    body: dict[str, Any] = {
        "class": capitalize_first_letter(class_name),
        "properties": properties,
    }
    if uuid is not None:
        body["id"] = get_valid_uuid(uuid)
    if isinstance(vector, Mapping):
        body["vectors"] = {name: get_vector(v) for name, v in vector.items()}
    elif vector is not None:
        body["vector"] = get_vector(vector)
    if tenant is not None:
        body.update(request_params(tenant=tenant))
    return body


def _object_path(object_id: str, class_name: Optional[str]) -> str:
    return f"/objects/{class_name}/{object_id}" if class_name else f"/objects/{object_id}"

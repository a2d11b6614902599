"""``client.data_object.reference``: add, replace and delete one object's cross-references.

REST ``/v1/objects/{class}/{id}/references/{property}``. Pass the class names:
without ``from_class_name`` the server's older class-less path is used, and
without ``to_class_name`` the beacon names no class, so the server must look
the target up in every class.
"""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Optional, Union

from wvorm._inputs import UUID, capitalize_first_letter, get_valid_uuid
from wvorm.data.params import request_params
from wvorm.data.replication import ConsistencyLevel
from wvorm.errors import UnexpectedStatusCodeException, UsageError

if TYPE_CHECKING:
    from wvorm.connection import Connection


# (UUID, ConsistencyLevel and UnexpectedStatusCodeException: v3 code imports them from here)
__all__ = [
    "UUID",
    "ConsistencyLevel",
    "Reference",
    "UnexpectedStatusCodeException",
    "beacon",
    "get_valid_uuid",
    "parse_beacon",
]


def beacon(to_uuid: UUID, class_name: Optional[str] = None) -> dict[str, str]:
    """The reference ``{"beacon": "weaviate://localhost/<Class>/<uuid>"}`` to one object."""
    object_id = get_valid_uuid(to_uuid)
    if class_name is None:
        return {"beacon": f"weaviate://localhost/{object_id}"}
    return {"beacon": f"weaviate://localhost/{capitalize_first_letter(class_name)}/{object_id}"}


def parse_beacon(reference: Any) -> tuple[Optional[str], str]:
    """``(class name or None, uuid text)`` of a reference as the server answers it,
    ``{"beacon": "weaviate://localhost/<Class>/<uuid>", ...}`` (the inverse of :func:`beacon`)."""
    parts = str((reference or {}).get("beacon", "")).rstrip("/").split("/")
    return (parts[-2] if len(parts) >= 5 else None), parts[-1]


class Reference:
    """Changes the references one object holds in one reference property."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(
        self,
        from_uuid: UUID,
        from_property_name: str,
        to_uuid: UUID,
        from_class_name: Optional[str] = None,
        to_class_name: Optional[str] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        tenant: Optional[str] = None,
    ) -> None:
        """Append a reference to ``to_uuid`` to the property ``from_property_name``."""
        path = _references_path(from_uuid, from_property_name, from_class_name)
        self._connection.call(
            "POST",
            path,
            action=f"Add a reference ({path})",
            json=beacon(to_uuid, to_class_name),
            params=request_params(consistency_level, tenant),
        )

    def update(
        self,
        from_uuid: UUID,
        from_property_name: str,
        to_uuids: Union[UUID, Sequence[UUID]],
        from_class_name: Optional[str] = None,
        to_class_names: Union[str, Sequence[str], None] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        tenant: Optional[str] = None,
    ) -> None:
        """Replace every reference in ``from_property_name`` with references to ``to_uuids``.

        ``to_class_names`` is one class name for all targets, or one per uuid.
        """
        targets = [to_uuids] if isinstance(to_uuids, (str, uuid_lib.UUID)) else list(to_uuids)
        classes: list[Optional[str]]
        if to_class_names is None:
            classes = [None] * len(targets)
        elif isinstance(to_class_names, str):
            classes = [to_class_names] * len(targets)
        else:
            classes = list(to_class_names)
            if len(classes) != len(targets):
                raise UsageError(
                    f"to_class_names has {len(classes)} names but to_uuids has {len(targets)} "
                    "uuids; give one class name per uuid, or a single name for all"
                )
        path = _references_path(from_uuid, from_property_name, from_class_name)
        self._connection.call(
            "PUT",
            path,
            action=f"Replace references ({path})",
            json=[beacon(u, c) for u, c in zip(targets, classes)],
            params=request_params(consistency_level, tenant),
        )

    def delete(
        self,
        from_uuid: UUID,
        from_property_name: str,
        to_uuid: UUID,
        from_class_name: Optional[str] = None,
        to_class_name: Optional[str] = None,
        consistency_level: Optional[ConsistencyLevel] = None,
        tenant: Optional[str] = None,
    ) -> None:
        """Remove the reference to ``to_uuid`` from the property ``from_property_name``."""
        path = _references_path(from_uuid, from_property_name, from_class_name)
        self._connection.call(
            "DELETE",
            path,
            ok=204,
            action=f"Delete a reference ({path})",
            json=beacon(to_uuid, to_class_name),
            params=request_params(consistency_level, tenant),
        )


def _references_path(from_uuid: UUID, property_name: Any, class_name: Optional[str]) -> str:
    if not isinstance(property_name, str) or not property_name:
        raise UsageError(
            f"from_property_name must be the name of a reference property, got {property_name!r}"
        )
    object_id = get_valid_uuid(from_uuid)
    if class_name is None:
        return f"/objects/{object_id}/references/{property_name}"
    return f"/objects/{capitalize_first_letter(class_name)}/{object_id}/references/{property_name}"

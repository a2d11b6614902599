"""Tenants of multi-tenant classes: :class:`Tenant` and :class:`TenantActivityStatus`.

``client.schema.add_class_tenants`` / ``get_class_tenants`` / ``update_class_tenants``
take and return these, as the v3 client did.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Optional

from wvorm.errors import UsageError


class TenantActivityStatus(str, Enum):
    """The activity status of a tenant.

    The server (1.39) answers with the v3 names ``HOT``, ``COLD``, ``FROZEN``,
    ``FREEZING`` and ``UNFREEZING``; it also accepts the newer ``ACTIVE``,
    ``INACTIVE``, ``OFFLOADED``, ``OFFLOADING`` and ``ONLOADING``, which are
    aliases here (``TenantActivityStatus.ACTIVE is TenantActivityStatus.HOT``).
    Freezing (offloading) needs the ``offload-s3`` module on the server.
    """

    HOT = "HOT"
    """Active: the tenant's data is loaded and can be read and written."""
    COLD = "COLD"
    """Inactive: files stay on the node's disk, but reads and writes are refused."""
    FROZEN = "FROZEN"
    """Offloaded to cloud storage (needs the ``offload-s3`` module)."""
    FREEZING = "FREEZING"
    """Being offloaded."""
    UNFREEZING = "UNFREEZING"
    """Being loaded back from cloud storage."""

    ACTIVE = "HOT"
    INACTIVE = "COLD"
    OFFLOADED = "FROZEN"
    OFFLOADING = "FREEZING"
    ONLOADING = "UNFREEZING"

    @classmethod
    def _missing_(cls, value: object) -> Optional[TenantActivityStatus]:
        # The newer names, and any letter case: TenantActivityStatus("active") is HOT.
        if isinstance(value, str):
            return cls.__members__.get(value.upper())
        return None


@dataclass
class Tenant:
    """A tenant of a multi-tenant class: its name and activity status (``HOT`` by default)."""

    name: str
    activity_status: TenantActivityStatus = TenantActivityStatus.HOT

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise UsageError(f"A tenant name must be a non-empty str, got {self.name!r}")
        try:
            self.activity_status = TenantActivityStatus(self.activity_status)
        except ValueError:
            known = ", ".join(TenantActivityStatus.__members__)
            raise UsageError(
                f"Tenant {self.name!r}: unknown activity_status {self.activity_status!r}; "
                f"use one of {known}"
            ) from None

    def _to_weaviate_object(self) -> dict[str, str]:
        return {"name": self.name, "activityStatus": self.activity_status.value}

    @classmethod
    def _from_weaviate_object(cls, weaviate_object: dict[str, Any]) -> Tenant:
        return cls(
            name=weaviate_object["name"],
            activity_status=TenantActivityStatus(weaviate_object.get("activityStatus") or "HOT"),
        )

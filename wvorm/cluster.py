"""``client.cluster``: the nodes of the cluster and their shards (REST ``/v1/nodes``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from wvorm._inputs import capitalize_first_letter
from wvorm.errors import EmptyResponseException, UsageError

if TYPE_CHECKING:
    from wvorm.connection import Connection

NODE_OUTPUTS = ("minimal", "verbose")


class Cluster:
    """Reads the status of the cluster's nodes."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def get_nodes_status(
        self, class_name: Optional[str] = None, output: Optional[str] = None
    ) -> list[dict[str, Any]]:
        """Every node's status: name, version, health, object and shard counts.

        ``class_name`` limits the shards reported to one class. ``output`` is
        ``"minimal"`` (the server's default: no per-shard details) or ``"verbose"``.
        """
        if output is not None and output not in NODE_OUTPUTS:
            raise UsageError(f"output must be one of {NODE_OUTPUTS} or None, got {output!r}")
        path = "/nodes"
        action = "Get the nodes' status"
        if class_name is not None:
            name = capitalize_first_letter(class_name)
            path += f"/{name}"
            action += f" for class {name!r}"
        answer = self._connection.get_json(path, action, params={"output": output})
        nodes: Optional[list[dict[str, Any]]] = answer.get("nodes")
        if not nodes:
            raise EmptyResponseException(f"{action}: the server reported no nodes ({answer!r})")
        return nodes

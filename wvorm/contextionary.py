"""``client.contextionary``: the ``text2vec-contextionary`` module's REST extensions.

``extend`` teaches the module a new concept and ``get_concept_vector`` reads one
back (``/v1/modules/text2vec-contextionary/...``). The server must run that module;
otherwise it answers 404, raised as :class:`UnexpectedStatusCodeException`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from wvorm.errors import UsageError

if TYPE_CHECKING:
    from wvorm.connection import Connection

MODULE_PATH = "/modules/text2vec-contextionary"


class Contextionary:
    """Extends the contextionary module and reads concept vectors (v3's names)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def extend(self, concept: str, definition: str, weight: float = 1.0) -> None:
        """Add (or redefine) ``concept`` as ``definition``, ``weight`` (0 to 1) against
        the module's own meaning of it.

        >>> client.contextionary.extend("palantir", "spherical stone used to communicate")
        """
        for name, value in (("concept", concept), ("definition", definition)):
            if not isinstance(value, str) or not value:
                raise UsageError(f"{name} must be a non-empty str, got {value!r}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise UsageError(f"weight must be a float, got {weight!r}")
        if not 0.0 <= weight <= 1.0:
            raise UsageError(f"weight must be between 0.0 and 1.0, got {weight}")
        body = {"concept": concept, "definition": definition, "weight": float(weight)}
        self._connection.call(
            "POST",
            f"{MODULE_PATH}/extensions",
            action="Extend text2vec-contextionary",
            json=body,
        )

    def get_concept_vector(self, concept: str) -> dict[str, Any]:
        """The module's vector of ``concept`` (camelCase joins words), with its
        nearest neighbours, as the server returns it (``individualWords`` ...)."""
        if not isinstance(concept, str) or not concept:
            raise UsageError(f"concept must be a non-empty str, got {concept!r}")
        answer: dict[str, Any] = self._connection.get_json(
            f"{MODULE_PATH}/concepts/{quote(concept, safe='')}",
            f"Get the text2vec-contextionary vector of {concept!r}",
        )
        return answer

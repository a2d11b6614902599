"""``client.schema.property``: add a property to an existing class."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wvorm._inputs import JsonSource, capitalize_first_letter, load_json_object
from wvorm.errors import UnexpectedStatusCodeException
from wvorm.schema.definitions import check_property

if TYPE_CHECKING:
    from wvorm.connection import Connection


__all__ = ["Property", "UnexpectedStatusCodeException"]  # (the second: v3 code imports it here)


class Property:
    """Creates properties of classes (``POST /v1/schema/{class}/properties``)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def create(self, schema_class_name: str, schema_property: JsonSource) -> None:
        """Add ``schema_property`` to the class ``schema_class_name``.

        ``schema_property`` is a property dict (``{"name": ..., "dataType": [...]}``
        plus any other key the server knows), or the path or URL of a JSON file
        holding one. A reference property (a class name as ``dataType``) needs the
        target class to exist.

        >>> client.schema.property.create("Article", {"name": "tags", "dataType": ["text[]"]})
        """
        class_name = capitalize_first_letter(schema_class_name)
        loaded = load_json_object(schema_property, "schema_property")
        check_property(loaded, class_name)
        self._connection.call(
            "POST",
            f"/schema/{class_name}/properties",
            action=f"Add property {loaded['name']!r} to class {class_name!r}",
            json=loaded,
        )

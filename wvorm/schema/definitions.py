"""Pure functions on Weaviate class definitions (JSON dicts); no HTTP here.

:class:`wvorm.schema.Schema` uses them to create classes in two passes (so classes
that refer to each other can be created), to merge a partial config into a
class, and to tell whether a schema already holds another.
"""

from __future__ import annotations

from typing import Any

from wvorm._inputs import capitalize_first_letter
from wvorm.errors import SchemaValidationException, brief


def is_reference_data_type(data_type: str) -> bool:
    """True when ``data_type`` names a class, i.e. the property is a cross-reference.

    Weaviate's rule: primitive types (``text``, ``int``, ``geoCoordinates``,
    ``object[]``, ...) start with a lower-case letter, class names with an
    upper-case one; the server rejects a lower-case name it does not know as an
    "unknown primitive data type".
    """
    return data_type[:1].isupper()


def is_reference_property(schema_property: dict[str, Any]) -> bool:
    """True when the property's ``dataType`` names one or more classes."""
    return any(is_reference_data_type(t) for t in schema_property.get("dataType", []))


def split_class_definition(schema_class: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``(class without its reference properties, the reference properties)``.

    The first part can be created before any class it refers to exists; the
    references are added once every class is there. Every other key of the
    class is kept as given (unknown keys too: the server is the judge), the
    class name is capitalised as the server stores it, and ``schema_class`` is
    not changed. Raises :class:`SchemaValidationException` for a class the
    server could not read at all (no name, malformed properties).
    """
    if not isinstance(schema_class, dict):
        raise SchemaValidationException(
            f"A class definition must be a dict, got {type(schema_class).__name__}: "
            f"{schema_class!r}"
        )
    name = schema_class.get("class")
    if not isinstance(name, str) or not name:
        raise SchemaValidationException(
            f"A class definition needs a non-empty 'class' name, got {name!r} in "
            f"{brief(schema_class)}"
        )
    class_name = capitalize_first_letter(name)
    properties = schema_class.get("properties", [])
    if properties is None:
        properties = []
    if not isinstance(properties, list):
        raise SchemaValidationException(
            f"Class {class_name!r}: 'properties' must be a list of property dicts, "
            f"got {type(properties).__name__}"
        )
    primitives: list[dict[str, Any]] = []
    references: list[dict[str, Any]] = []
    for prop in properties:
        check_property(prop, class_name)
        (references if is_reference_property(prop) else primitives).append(prop)
    return {**schema_class, "class": class_name, "properties": primitives}, references


def check_property(schema_property: Any, class_name: str) -> None:
    """Raise :class:`SchemaValidationException` unless the property has a name and data type."""
    if not isinstance(schema_property, dict):
        raise SchemaValidationException(
            f"Class {class_name!r}: each property must be a dict, got "
            f"{type(schema_property).__name__}: {schema_property!r}"
        )
    name = schema_property.get("name")
    if not isinstance(name, str) or not name:
        raise SchemaValidationException(
            f"Class {class_name!r}: a property needs a non-empty 'name', got "
            f"{brief(schema_property)}"
        )
    data_type = schema_property.get("dataType")
    if (
        not isinstance(data_type, list)
        or not data_type
        or not all(isinstance(t, str) and t for t in data_type)
    ):
        raise SchemaValidationException(
            f"Class {class_name!r}, property {name!r}: 'dataType' must be a non-empty list "
            f"of type names such as ['text'] or ['Article'], got {data_type!r}"
        )


def merge_config(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """A new dict: ``base`` with ``update`` merged in, nested dicts merged key by key.

    A value in ``update`` replaces the one in ``base`` unless both are dicts, in
    which case they merge recursively. Neither argument is changed.
    """
    merged = dict(base)
    for key, value in update.items():
        current = merged.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            merged[key] = merge_config(current, value)
        else:
            merged[key] = value
    return merged


def is_sub_schema(sub_schema: dict[str, Any], schema: dict[str, Any]) -> bool:
    """True when every class of ``sub_schema`` (and each of its property names) is in ``schema``.

    ``sub_schema`` is a full schema (``{"classes": [...]}``) or a single class.
    Class names compare as the server stores them (first letter capitalised).
    """
    sub_classes = sub_schema.get("classes", [sub_schema])
    present: dict[str, set[str]] = {
        capitalize_first_letter(c["class"]): {p["name"] for p in c.get("properties") or []}
        for c in schema.get("classes") or []
    }
    for sub_class in sub_classes:
        if not isinstance(sub_class, dict) or not isinstance(sub_class.get("class"), str):
            raise SchemaValidationException(
                f"Each class of the schema to look for needs a 'class' name, got {sub_class!r}"
            )
        names = present.get(capitalize_first_letter(sub_class["class"]))
        if names is None:
            return False
        wanted = {p["name"] for p in sub_class.get("properties") or []}
        if not wanted <= names:
            return False
    return True

"""Models → Weaviate class definitions, and ``create_all`` / ``drop_all`` / ``migrate``.

:func:`schema_of` and :func:`class_schema` are pure: they turn compiled model
metadata (:func:`wvorm.orm._models.model_info`) into the JSON that
``client.schema.create`` takes. The other functions act on a server only through
``client.schema``; nothing here speaks HTTP.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional
from weakref import WeakKeyDictionary

from wvorm.errors import MigrationError, SchemaMismatchError, SchemaValidationException, UsageError
from wvorm.orm._mapping import ModelInfo, NamedVector, model_info
from wvorm.orm._models import WeaviateModel
from wvorm.orm._types import PropertyInfo

if TYPE_CHECKING:
    from wvorm.client import Client

logger = logging.getLogger("wvorm.orm.schema")

ModelClass = type[WeaviateModel]


# ---------------------------------------------------------------------------
# Compilation (pure)


def property_schema(prop: PropertyInfo, vectorizer_modules: Sequence[str] = ()) -> dict[str, Any]:
    """One property definition; ``vectorizer_modules`` receive its per-property module config."""
    out: dict[str, Any] = {"name": prop.name, "dataType": list(prop.data_type)}
    if prop.description:
        out["description"] = prop.description
    options = prop.options
    for key, value in (
        ("tokenization", options.tokenization),
        ("indexFilterable", options.index_filterable),
        ("indexSearchable", options.index_searchable),
        ("indexRangeFilters", options.index_range_filters),
    ):
        if value is not None:
            out[key] = value
    if prop.nested:
        out["nestedProperties"] = [property_schema(n) for n in prop.nested]
    module_options = options.vectorizer_options
    if module_options and vectorizer_modules:
        out["moduleConfig"] = {module: dict(module_options) for module in vectorizer_modules}
    return out


def _vector_schema(vector: NamedVector, info: ModelInfo) -> dict[str, Any]:
    module = dict(vector.module_config)
    if vector.source_properties is not None:
        module["properties"] = [
            info.fields[s].name if s in info.fields else s for s in vector.source_properties
        ]
    return {
        "vectorizer": {vector.vectorizer: module},
        **_index_schema(vector.vector_index_type, vector.vector_index_config, vector.distance),
    }


def _index_schema(
    index_type: Optional[str], index_config: Mapping[str, Any], distance: Optional[str]
) -> dict[str, Any]:
    """``vectorIndexType`` and ``vectorIndexConfig`` (``distance`` merged in), where set."""
    out: dict[str, Any] = {}
    if index_type is not None:
        out["vectorIndexType"] = index_type
    index = dict(index_config)
    if distance is not None:
        index["distance"] = distance
    if index:
        out["vectorIndexConfig"] = index
    return out


def class_schema(model: ModelClass) -> dict[str, Any]:
    """The class definition of one model, reference properties included."""
    info = model_info(model)
    config = info.config
    modules = config.vectorizer_modules
    out: dict[str, Any] = {"class": config.name}
    if config.description:
        out["description"] = config.description
    if config.vectorizer is not None:
        out["vectorizer"] = config.vectorizer
    if config.module_config:
        out["moduleConfig"] = dict(config.module_config)
    out.update(_index_schema(config.vector_index_type, config.vector_index_config, config.distance))
    if config.vectors:
        out["vectorConfig"] = {name: _vector_schema(v, info) for name, v in config.vectors.items()}
    if config.replication_factor is not None:
        out["replicationConfig"] = {"factor": config.replication_factor}
    if config.multi_tenancy is not None:
        out["multiTenancyConfig"] = {"enabled": config.multi_tenancy}
    if config.inverted_index_config:
        out["invertedIndexConfig"] = dict(config.inverted_index_config)
    out["properties"] = [property_schema(p, modules) for p in info.fields.values()]
    return out


def _unique_models(models: Iterable[ModelClass]) -> list[ModelClass]:
    """``models`` without repeats; two models claiming one class name is an error."""
    by_name: dict[str, ModelClass] = {}
    for model in models:
        if not (isinstance(model, type) and issubclass(model, WeaviateModel)):
            raise UsageError(f"expected WeaviateModel subclasses, got {model!r}")
        name = model_info(model).name
        other = by_name.setdefault(name, model)
        if other is not model:
            raise SchemaValidationException(
                f"{other.__qualname__} and {model.__qualname__} both map to class {name!r}; "
                "give one of them another name=..."
            )
    return list(by_name.values())


def schema_of(*models: ModelClass) -> dict[str, list[dict[str, Any]]]:
    """``{"classes": [...]}`` for ``models``, as ``client.schema.create`` takes it.

    Reference properties are included; ``client.schema.create`` adds them once
    every class exists, so models may refer to each other in any order.
    """
    return {"classes": [class_schema(m) for m in _unique_models(models)]}


def _check_targets(models: Sequence[ModelClass], existing: Iterable[str]) -> None:
    """Every reference target must be among ``models`` or already on the server."""
    known = {model_info(m).name for m in models} | set(existing)
    missing = [
        f"{model.__name__}.{prop.field_name} -> {target}"
        for model in models
        for prop in model_info(model).references
        for target in prop.data_type
        if target not in known
    ]
    if missing:
        raise SchemaValidationException(
            "references to classes that are neither passed in nor on the server: "
            f"{', '.join(missing)}; pass the target models too"
        )


def _live_classes(client: Client, *, consistency: bool = True) -> dict[str, dict[str, Any]]:
    schema = client.schema.get(consistency=consistency)
    return {c["class"]: c for c in schema.get("classes") or []}


# ---------------------------------------------------------------------------
# Operations on a server


# Per client, the models whose class was found on its server and matching: checked once
# per class per client, and forgotten by create_all / drop_all / migrate on that client.
_VERIFIED: WeakKeyDictionary[Client, set[ModelClass]] = WeakKeyDictionary()


def ensure_writable(client: Client, models: Iterable[ModelClass]) -> None:
    """Refuse to write ``models`` whose class is missing or differs from the live schema.

    Without this the server's auto-schema would create a missing class or property
    with guessed types (an ``int`` becomes ``number``), and the model's own filters
    would then fail. One schema request covers every model not yet verified on
    ``client``; a model passes once and is not checked again.
    """
    verified = _VERIFIED.setdefault(client, set())
    todo = [m for m in dict.fromkeys(models) if m not in verified]
    if not todo:
        return
    # The node's own copy first: it answers while a cluster elects a new raft leader
    # (asking the leader then stalls for the read timeout). Only when it differs from
    # the models is the leader asked, since the copy may lag a change just made.
    problems = _schema_problems(todo, _live_classes(client, consistency=False))
    if problems:
        problems = _schema_problems(todo, _live_classes(client))
    if problems:
        raise SchemaMismatchError(
            "cannot write these models, because the server's schema does not match them "
            "(nothing was written):\n" + "\n".join(f"  - {p}" for p in problems)
        )
    verified.update(todo)


def _schema_problems(todo: list[ModelClass], live: dict[str, dict[str, Any]]) -> list[str]:
    """What keeps each model of ``todo`` from being written to the ``live`` classes."""
    problems: list[str] = []
    for model in todo:
        info = model_info(model)
        server = live.get(info.name)
        if server is None:
            problems.append(
                f"class {info.name} (model {model.__name__}) does not exist on the server; "
                f"call wvorm.create_all(client, [{model.__name__}, ...]) first"
            )
            continue
        wanted = class_schema(model)
        on_server = {p["name"]: p for p in server.get("properties") or []}
        for prop in wanted["properties"]:
            live_prop = on_server.get(prop["name"])
            where = f"{info.name}.{prop['name']}"
            if live_prop is None:
                problems.append(
                    f"{where} is missing on the server; call wvorm.migrate(client, "
                    f"[{model.__name__}]) to add it"
                )
            elif _data_types(prop) != _data_types(live_prop):
                problems.append(
                    f"{where}: type {'|'.join(live_prop.get('dataType') or [])} on the server, "
                    f"{'|'.join(prop['dataType'])} in the model; the class must be migrated by "
                    "hand (wvorm.migrate lists what differs)"
                )
    return problems


def _forget_verified(client: Client) -> None:
    _VERIFIED.pop(client, None)


def create_all(client: Client, models: Iterable[ModelClass]) -> list[str]:
    """Create the classes of ``models`` that do not exist yet; return their names.

    Classes that already exist are left as they are (use :func:`migrate` to add
    what they lack). Nothing is created unless every model compiles and every
    reference target is among ``models`` or on the server.
    """
    unique = _unique_models(models)
    _forget_verified(client)
    live = _live_classes(client)
    _check_targets(unique, live)
    new = [class_schema(m) for m in unique if model_info(m).name not in live]
    if new:
        client.schema.create({"classes": new})
        logger.info("created classes %s", ", ".join(c["class"] for c in new))
    return [c["class"] for c in new]


def drop_all(client: Client, models: Iterable[ModelClass]) -> list[str]:
    """Delete the classes of ``models`` (and all their objects) that exist; return their names."""
    _forget_verified(client)
    live = _live_classes(client)
    dropped = []
    for model in _unique_models(models):
        name = model_info(model).name
        if name in live:
            client.schema.delete_class(name)
            dropped.append(name)
    if dropped:
        logger.info("dropped classes %s", ", ".join(dropped))
    return dropped


@dataclass(frozen=True)
class MigrationPlan:
    """What :func:`migrate` creates: whole classes, and properties of existing classes.

    ``str(plan)`` is a readable summary; ``applied`` tells whether it was carried out
    (False for a dry run).
    """

    new_classes: tuple[dict[str, Any], ...] = ()
    new_properties: tuple[tuple[str, dict[str, Any]], ...] = ()
    applied: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.new_classes and not self.new_properties

    def __str__(self) -> str:
        if self.is_empty:
            return "Schema migration: the server already matches the models; nothing to do."
        status = "applied" if self.applied else "dry run, nothing changed"
        lines = [f"Schema migration ({status}):"]
        for definition in self.new_classes:
            props = ", ".join(_describe_property(p) for p in definition.get("properties", []))
            lines.append(
                f"  + create class {definition['class']}" + (f": {props}" if props else "")
            )
        for class_name, prop in self.new_properties:
            lines.append(f"  + add property {class_name}.{_describe_property(prop)}")
        return "\n".join(lines)


def _describe_property(prop: Mapping[str, Any]) -> str:
    data_type = prop["dataType"]
    if data_type and data_type[0][:1].isupper():
        return f"{prop['name']} (-> {' | '.join(data_type)})"
    return f"{prop['name']} ({data_type[0]})"


def migrate(
    client: Client, models: Iterable[ModelClass], *, dry_run: bool = False
) -> MigrationPlan:
    """Bring the server's schema up to ``models`` by adding what is missing.

    Missing classes are created and missing properties added to existing classes.
    Anything else that differs (a property's type or explicitly set index options,
    a property or nested property on the server that the model lacks, the class's
    vectorizer, tenancy, replication factor or named vectors) cannot be changed in
    place: :class:`~wvorm.errors.MigrationError` lists every such difference and
    nothing is changed. With ``dry_run=True`` nothing is changed either; the
    returned plan says what would be done. Classes not among ``models`` are ignored.
    """
    unique = _unique_models(models)
    _forget_verified(client)
    live = _live_classes(client)
    _check_targets(unique, live)
    new_classes: list[dict[str, Any]] = []
    new_properties: list[tuple[str, dict[str, Any]]] = []
    refused: list[str] = []
    for model in unique:
        wanted = class_schema(model)
        server = live.get(wanted["class"])
        if server is None:
            new_classes.append(wanted)
            continue
        added, differences = _class_differences(model_info(model), wanted, server)
        new_properties.extend((wanted["class"], p) for p in added)
        refused.extend(differences)
    if refused:
        raise MigrationError(refused)
    plan = MigrationPlan(tuple(new_classes), tuple(new_properties), applied=not dry_run)
    if not dry_run:
        if new_classes:
            client.schema.create({"classes": new_classes})
        for class_name, prop in new_properties:
            client.schema.property.create(class_name, prop)
        if not plan.is_empty:
            logger.info("%s", plan)
    return plan


_OPTION_KEYS = ("tokenization", "indexFilterable", "indexSearchable", "indexRangeFilters")


def _data_types(prop: Mapping[str, Any]) -> Any:
    # The server migrates the deprecated string type to text; reference targets are a set.
    types = [{"string": "text", "string[]": "text[]"}.get(t, t) for t in prop.get("dataType") or []]
    return frozenset(types) if types and types[0][:1].isupper() else tuple(types)


def _property_differences(
    where: str, wanted: Mapping[str, Any], server: Mapping[str, Any]
) -> list[str]:
    if _data_types(wanted) != _data_types(server):
        return [
            f"{where}: type {'|'.join(server.get('dataType') or [])} on the server, "
            f"{'|'.join(wanted['dataType'])} in the model"
        ]
    differences = [
        f"{where}: {key} is {server.get(key)!r} on the server, {wanted[key]!r} in the model"
        for key in _OPTION_KEYS
        if key in wanted and server.get(key) != wanted[key]
    ]
    if "nestedProperties" in wanted:
        on_server = {p["name"]: p for p in server.get("nestedProperties") or []}
        for nested in wanted["nestedProperties"]:
            inner = on_server.pop(nested["name"], None)
            if inner is None:
                differences.append(
                    f"{where}.{nested['name']}: nested property missing on the server "
                    "(migrate cannot change an object property's shape)"
                )
            else:
                differences.extend(
                    _property_differences(f"{where}.{nested['name']}", nested, inner)
                )
        differences.extend(
            f"{where}.{name}: nested property on the server but not in the model"
            for name in on_server
        )
    return differences


def _class_differences(
    info: ModelInfo, wanted: Mapping[str, Any], server: Mapping[str, Any]
) -> tuple[list[dict[str, Any]], list[str]]:
    """(properties to add, differences migrate refuses) for a class that exists."""
    name = info.name
    on_server = {p["name"]: p for p in server.get("properties") or []}
    added: list[dict[str, Any]] = []
    refused: list[str] = []
    for prop in wanted["properties"]:
        live = on_server.pop(prop["name"], None)
        if live is None:
            added.append(prop)
        else:
            refused.extend(_property_differences(f"{name}.{prop['name']}", prop, live))
    refused.extend(
        f"{name}.{prop_name}: on the server but not in the model (migrate never removes a property)"
        for prop_name in on_server
    )
    config = info.config
    if config.vectorizer is not None and server.get("vectorizer", "none") != config.vectorizer:
        refused.append(
            f"{name}: vectorizer is {server.get('vectorizer')!r} on the server, "
            f"{config.vectorizer!r} in the model"
        )
    if config.multi_tenancy is not None:
        enabled = bool((server.get("multiTenancyConfig") or {}).get("enabled"))
        if enabled != config.multi_tenancy:
            refused.append(
                f"{name}: multi-tenancy is {'on' if enabled else 'off'} on the server, "
                f"{'on' if config.multi_tenancy else 'off'} in the model"
            )
    if config.replication_factor is not None:
        factor = (server.get("replicationConfig") or {}).get("factor", 1)
        if factor != config.replication_factor:
            refused.append(
                f"{name}: replication factor is {factor} on the server, "
                f"{config.replication_factor} in the model"
            )
    missing_vectors = sorted(set(config.vectors) - set(server.get("vectorConfig") or {}))
    refused.extend(f"{name}: named vector {v!r} is missing on the server" for v in missing_vectors)
    return added, refused

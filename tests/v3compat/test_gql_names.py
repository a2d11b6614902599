"""The names v3 code imports from ``weaviate.gql.*`` are at the same paths in
``wvorm.gql.*``, with v3's values and constructors."""

from __future__ import annotations

import importlib

import pytest

V3_PATHS = {
    "wvorm.gql": ["Query"],
    "wvorm.gql.query": ["Query", "PROPERTIES"],
    "wvorm.gql.filter": [
        "ALL_VALUE_TYPES", "VALUE_ARRAY_TYPES", "VALUE_LIST_TYPES", "VALUE_PRIMITIVE_TYPES",
        "VALUE_TYPES", "WHERE_OPERATORS", "Filter", "Where", "NearText", "NearVector",
        "NearObject", "NearImage", "NearVideo", "NearAudio", "NearDepth", "NearThermal",
        "NearIMU", "NearMedia", "MediaType", "Ask", "Sort", "GraphQL",
    ],
    "wvorm.gql.get": [
        "GetBuilder", "BM25", "Hybrid", "HybridFusion", "GroupBy", "LinkTo", "BaseEnum",
        "AdditionalProperties", "PROPERTIES", "AdditionalPropertiesException", "Ask",
        "ConsistencyLevel", "Filter", "GraphQL", "MediaType", "NearAudio", "NearDepth",
        "NearIMU", "NearImage", "NearObject", "NearText", "NearThermal", "NearVector",
        "NearVideo", "Sort", "UUID", "Where", "file_encoder_b64", "get_valid_uuid",
        "image_encoder_b64",
    ],
    "wvorm.gql.aggregate": [
        "AggregateBuilder", "Filter", "GraphQL", "MediaType", "NearAudio", "NearDepth",
        "NearIMU", "NearImage", "NearObject", "NearText", "NearThermal", "NearVector",
        "NearVideo", "Where", "file_encoder_b64",
    ],
    "wvorm.gql.multi_get": ["MultiGetBuilder", "GetBuilder", "GraphQL"],
}  # fmt: skip
NAMES = [(module, name) for module, names in V3_PATHS.items() for name in names]


@pytest.mark.parametrize(("module", "name"), NAMES, ids=[f"{m}.{n}" for m, n in NAMES])
def test_the_name_imports_from_its_v3_path(module: str, name: str) -> None:
    namespace: dict[str, object] = {}
    exec(f"from {module} import {name}", namespace)  # the statement a ported script runs
    assert namespace[name] is not None


def test_one_object_behind_each_name() -> None:
    """Re-imported names are the objects of their home module, not copies."""
    for module, names in V3_PATHS.items():
        loaded = importlib.import_module(module)
        for name in names:
            home = importlib.import_module("wvorm.gql.filter")
            if hasattr(home, name):
                assert getattr(loaded, name) is getattr(home, name), f"{module}.{name}"


def test_constants_have_v3s_values() -> None:
    from wvorm.gql import filter as f

    assert f.WHERE_OPERATORS == [
        "And", "ContainsAll", "ContainsAny", "Equal", "GreaterThan", "GreaterThanEqual",
        "IsNull", "LessThan", "LessThanEqual", "Like", "NotEqual", "Or", "WithinGeoRange",
    ]  # fmt: skip
    assert {
        "valueStringList", "valueTextList", "valueIntList", "valueNumberList",
        "valueBooleanList",
    } == f.VALUE_LIST_TYPES  # fmt: skip
    assert {
        "valueStringArray", "valueTextArray", "valueIntArray", "valueNumberArray",
        "valueBooleanArray",
    } == f.VALUE_ARRAY_TYPES  # fmt: skip
    assert {
        "valueString", "valueText", "valueInt", "valueNumber", "valueDate", "valueBoolean",
        "valueGeoRange",
    } == f.VALUE_PRIMITIVE_TYPES  # fmt: skip
    assert f.ALL_VALUE_TYPES == f.VALUE_LIST_TYPES | f.VALUE_ARRAY_TYPES | f.VALUE_PRIMITIVE_TYPES
    assert f.VALUE_TYPES == f.VALUE_ARRAY_TYPES | f.VALUE_PRIMITIVE_TYPES
    assert {m.name: m.value for m in f.MediaType} == {
        "IMAGE": "image", "AUDIO": "audio", "VIDEO": "video", "THERMAL": "thermal",
        "DEPTH": "depth", "IMU": "imu",
    }  # fmt: skip


def test_classes_a_v3_user_constructs() -> None:
    from wvorm.gql.filter import Filter, NearImage, NearMedia, NearObject, NearText, Where
    from wvorm.gql.get import (
        BM25,
        AdditionalProperties,
        GroupBy,
        Hybrid,
        HybridFusion,
        LinkTo,
    )

    link = LinkTo("ofAuthor", "Author", ["name", LinkTo("wroteFor", "Publication", ["name"])])
    assert str(link) == "ofAuthor{... on Author{name wroteFor{... on Publication{name}}}}"
    assert LinkTo(link_on="a", linked_class="B", properties=["c"]).link_on == "a"
    assert str(AdditionalProperties(uuid=True, certainty=True)) == " _additional{id certainty} "
    assert str(AdditionalProperties()) == ""
    assert HybridFusion.RANKED.value == "rankedFusion"
    assert HybridFusion.RELATIVE_SCORE.value == "relativeScoreFusion"
    assert HybridFusion("rankedFusion") is HybridFusion.RANKED
    # v3's enums answer `in` by member name (and never raise TypeError for a str)
    assert "RANKED" in HybridFusion and HybridFusion.RELATIVE_SCORE in HybridFusion
    assert "rankedFusion" not in HybridFusion and 3 not in HybridFusion
    assert BM25("q", None).query == "q"
    assert Hybrid("q", 0.5, None, None, None).alpha == 0.5
    assert GroupBy(("a",), 2, 3).objects_per_group == 3
    near = NearText({"concepts": "x"})
    assert isinstance(near, Filter) and near.content == {"concepts": "x"}
    assert str(Where({"path": ["a"], "operator": "Equal", "valueInt": 1})) == (
        'where: {path: ["a"] operator: Equal valueInt: 1} '
    )
    assert str(NearObject({"id": "fc7eb129-f138-457f-b727-1b29db191a67"}, True)).startswith(
        "nearObject: {id: "
    )
    assert isinstance(NearImage({"image": "AAAA"}), NearMedia)

"""The gRPC messages: generated from the pinned server, and built from plans (no server)."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from wvorm import plan
from wvorm.embedded import WEAVIATE_VERSION
from wvorm.grpc import _proto, messages

ROOT = Path(__file__).resolve().parent.parent


def test_the_messages_are_generated_from_the_pinned_server() -> None:
    assert _proto.WEAVIATE_VERSION == WEAVIATE_VERSION
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_grpc.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr


def test_float32_values_read_as_graphql_prints_them() -> None:
    stored = struct.unpack("<f", struct.pack("<f", 52.52))[0]
    assert stored != 52.52 and messages.float32_text(stored) == 52.52
    assert messages.float32_text(0.0) == 0.0


def test_filters_become_typed_messages() -> None:
    node = plan.Logical(
        "And",
        (
            plan.Condition(("id",), "Equal", "valueText", "u"),
            plan.Condition(("author", "Author", "age"), "ContainsAny", "valueInt", (1, 2**40)),
        ),
    )
    message = messages.filter_message(node)
    by_id, by_reference = message.filters
    assert by_id.target.property == "_id" and by_id.value_text == "u"
    hop = by_reference.target.multi_target
    assert (hop.on, hop.target_collection, hop.target.property) == ("author", "Author", "age")
    assert list(by_reference.value_int_array.values) == [1, 2**40]  # int64, exact


def test_a_search_plan_becomes_one_request() -> None:
    request = messages.search_request(
        plan.SearchPlan(
            "Book",
            properties=(plan.PropertySelect("title"), plan.PropertySelect("seat", "geo")),
            metadata=plan.Metadata(vector=True),
            search=plan.NearVector([0.5, 0.25]),
            limit=3,
            tenant="t",
        )
    )
    assert request.collection == "Book" and request.limit == 3 and request.tenant == "t"
    assert list(request.properties.non_ref_properties) == ["title", "seat"]
    assert request.metadata.vector and request.metadata.uuid
    (vector,) = request.near_vector.vectors
    assert struct.unpack("<2f", vector.vector_bytes) == (0.5, 0.25)

"""wvorm.util: the v3 helpers (uuids, beacons, the default batch callback)."""

from __future__ import annotations

import logging
import uuid

import pytest

from wvorm.util import (
    check_batch_result,
    generate_uuid5,
    get_valid_uuid,
    is_object_url,
    is_weaviate_object_url,
)

UUID = "28f3f61b-b524-45e0-9bbe-2c1550bf73d2"


@pytest.mark.parametrize(
    ("identifier", "namespace", "expected"),
    [  # values produced by weaviate-client 3.26.7's generate_uuid5
        ({"name": "Jane Doe"}, "Author", "c1f401b4-c7e6-5a27-9077-92bf21d97b2d"),
        ("hello", "", "9342d47a-1bab-5709-9869-c840b2eac501"),
        (42, "Book", "ca0bc16c-ea5b-5cbe-8239-e739b7298af7"),
    ],
)
def test_generate_uuid5_matches_v3(identifier: object, namespace: str, expected: str) -> None:
    assert generate_uuid5(identifier, namespace) == expected
    assert generate_uuid5(identifier, namespace) == generate_uuid5(identifier, namespace)


def test_generate_uuid5_separates_namespaces() -> None:
    assert generate_uuid5("x", "Author") != generate_uuid5("x", "Book")
    assert uuid.UUID(generate_uuid5("x")).version == 5


@pytest.mark.parametrize(
    "value",
    [
        UUID,
        UUID.upper(),
        uuid.UUID(UUID),
        f"weaviate://localhost/Book/{UUID}",
        f"weaviate://localhost/{UUID}",
        f"http://localhost:8080/v1/objects/Book/{UUID}",
        f"/v1/objects/{UUID}",
    ],
)
def test_get_valid_uuid_reads_ids_beacons_and_hrefs(value: object) -> None:
    assert get_valid_uuid(value) == UUID  # type: ignore[arg-type]


def test_get_valid_uuid_rejects_bad_input_with_the_value_named() -> None:
    with pytest.raises(ValueError, match="not-a-uuid"):
        get_valid_uuid("not-a-uuid")
    with pytest.raises(TypeError, match="int"):
        get_valid_uuid(12)  # type: ignore[arg-type]


def test_url_predicates() -> None:
    assert is_weaviate_object_url(f"weaviate://localhost/Book/{UUID}")
    assert is_weaviate_object_url(f"weaviate://localhost/{UUID}")
    assert not is_weaviate_object_url(f"http://localhost/{UUID}")
    assert not is_weaviate_object_url("weaviate://localhost/Book/nope")
    assert not is_weaviate_object_url(None)
    assert is_object_url(f"http://localhost:8080/v1/objects/Book/{UUID}")
    assert not is_object_url(f"http://localhost:8080/v1/schema/Book/{UUID}")
    assert not is_object_url(3)


def test_check_batch_result_logs_errors_and_never_prints(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    results = [
        {"class": "Book", "id": UUID, "result": {"status": "SUCCESS"}},
        {
            "class": "Book",
            "id": "ok-but-failed",
            "result": {"errors": {"error": [{"message": "vector lengths don't match"}]}},
        },
        {
            "from": "weaviate://localhost/Book/x/ofAuthor",
            "to": "weaviate://localhost/Author/y",
            "result": {"errors": {"error": [{"message": "property not found"}]}},
        },
    ]
    with caplog.at_level(logging.ERROR, logger="wvorm.batch"):
        check_batch_result(results)
    messages = [r.getMessage() for r in caplog.records if r.name == "wvorm.batch"]
    assert len(messages) == 2
    assert "ok-but-failed" in messages[0] and "vector lengths don't match" in messages[0]
    assert "ofAuthor" in messages[1] and "property not found" in messages[1]
    assert capsys.readouterr() == ("", "")
    check_batch_result(None)
    check_batch_result([])

"""wvorm.util: the v3 helpers (uuids, beacons, the default batch callback)."""

from __future__ import annotations

import base64
import binascii
import io
import logging
import uuid
from pathlib import Path
from typing import Any

import pytest

from wvorm.util import (
    check_batch_result,
    file_decoder_b64,
    file_encoder_b64,
    generate_local_beacon,
    generate_uuid5,
    get_domain_from_weaviate_url,
    get_valid_uuid,
    image_decoder_b64,
    image_encoder_b64,
    is_object_url,
    is_weaviate_domain,
    is_weaviate_object_url,
    parse_version_string,
    strip_newlines,
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


# -- base64 files ---------------------------------------------------------------------------

CONTENT = bytes(range(256)) * 3
ENCODED = base64.b64encode(CONTENT).decode()


@pytest.mark.parametrize("encoder", [file_encoder_b64, image_encoder_b64])
def test_encoders_read_a_path_or_a_binary_file(encoder: Any, tmp_path: Path) -> None:
    path = tmp_path / "media.bin"
    path.write_bytes(CONTENT)
    assert encoder(str(path)) == ENCODED
    assert encoder(path) == ENCODED  # (a pathlib.Path too, which v3 refused)
    with path.open("rb") as file:
        file.read(256)
        assert encoder(file) == base64.b64encode(CONTENT[256:]).decode()  # from where it is
    assert encoder(io.BytesIO(b"abc")) == "YWJj"
    with pytest.raises(ValueError, match=r"No file found at location .*missing"):
        encoder(str(tmp_path / "missing"))
    with pytest.raises(ValueError, match="No file found"):
        encoder(str(tmp_path))  # a directory
    text = tmp_path / "notes.txt"
    text.write_text("plain text")
    with text.open() as text_file, pytest.raises(TypeError, match="binary"):
        encoder(text_file)
    with pytest.raises(TypeError, match="file path or a file opened in binary"):
        encoder(CONTENT)


@pytest.mark.parametrize("decoder", [file_decoder_b64, image_decoder_b64])
def test_decoders_invert_the_encoders(decoder: Any) -> None:
    assert decoder(ENCODED) == CONTENT
    assert decoder("YWJj") == b"abc"
    with pytest.raises(binascii.Error):
        decoder("abc")  # (incorrect padding, as in v3)


def test_generate_local_beacon_matches_v3() -> None:
    upper = UUID.upper()
    assert generate_local_beacon(upper, "article") == {
        "beacon": f"weaviate://localhost/Article/{UUID}"
    }
    assert generate_local_beacon(uuid.UUID(UUID)) == {"beacon": f"weaviate://localhost/{UUID}"}
    with pytest.raises(ValueError):
        generate_local_beacon("nope")
    with pytest.raises(TypeError):
        generate_local_beacon(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("version", "expected"),
    [("v1.18.2", (1, 18)), ("1.18.0", (1, 18)), ("1", (1, 0)), ("12", (12, 0)), ("1.39", (1, 39))],
)
def test_parse_version_string_matches_v3(version: str, expected: tuple[int, int]) -> None:
    assert parse_version_string(version) == expected


@pytest.mark.parametrize("version", ["x", "1.x", "", "v"])
def test_parse_version_string_refuses_what_v3_refused(version: str) -> None:
    with pytest.raises(ValueError, match="Unable to parse a version"):
        parse_version_string(version)


def test_small_v3_url_and_text_helpers() -> None:
    assert get_domain_from_weaviate_url(f"weaviate://localhost/Article/{UUID}") == "localhost"
    assert get_domain_from_weaviate_url(f"weaviate://db.example:8080/{UUID}") == "db.example:8080"
    assert is_weaviate_domain("https://my-cluster.weaviate.network.WEAVIATE.CLOUD")
    assert is_weaviate_domain("https://x.semi.technology") and is_weaviate_domain("a.weaviate.io")
    assert not is_weaviate_domain("http://localhost:8080")
    assert strip_newlines("a\nb\n") == "a b "

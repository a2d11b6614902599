"""Answers that are not Weaviate's: a clear WvormError, never a KeyError or a JSON
decoding error from inside wvorm.

The real server never answers with an HTML page; a proxy or load balancer in front of
it does (a login page, a maintenance page). So a loopback HTTP server plays that
proxy: it answers every request with 200 and the same body (``answering``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import uuid4

import pytest

import wvorm
from tests.support.static_site import answering
from wvorm.errors import BatchError, ResponseCannotBeDecodedException, WvormError

HTML = b"<html><body><h1>Please sign in</h1></body></html>"


CALLS: dict[str, Callable[[wvorm.Client], Any]] = {
    "get_meta": lambda c: c.get_meta(),
    "schema.get": lambda c: c.schema.get(),
    "data_object.create": lambda c: c.data_object.create({"a": 1}, "Thing"),
    "data_object.get_by_id": lambda c: c.data_object.get_by_id(uuid4(), class_name="Thing"),
    "data_object.get": lambda c: c.data_object.get(class_name="Thing"),
    "query.raw": lambda c: c.query.raw("{ Get { Thing { a } } }"),
    "query.get.do": lambda c: c.query.get("Thing", ["a"]).do(),
    "batch.delete_objects": lambda c: c.batch.delete_objects(
        "Thing", {"path": ["a"], "operator": "Equal", "valueInt": 1}
    ),
    "cluster.get_nodes_status": lambda c: c.cluster.get_nodes_status(),
}


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(HTML, "text/html"), (b"[]", "application/json"), (b'"ok"', "application/json")],
    ids=["html-page", "json-array", "json-string"],
)
@pytest.mark.parametrize("name", list(CALLS))
def test_an_answer_that_is_not_weaviates_is_a_clear_error(
    name: str, body: bytes, content_type: str
) -> None:
    with answering(body, content_type) as url:
        client = wvorm.Client(url, startup_period=None)
        try:
            with pytest.raises(WvormError) as raised:
                CALLS[name](client)
        finally:
            client.close()
    message = str(raised.value)
    assert "HTTP 200" in message or "expected a JSON object" in message or "JSON" in message
    if body == HTML and isinstance(raised.value, ResponseCannotBeDecodedException):
        assert "Please sign in" in message and "text/html" in message
        assert isinstance(raised.value, ValueError)  # what response.json() raised before


def test_a_batch_answered_by_a_proxy_reports_every_object_it_sent() -> None:
    with answering(HTML, "text/html") as url:
        client = wvorm.Client(url, startup_period=None)
        try:
            # Regression: the batch read an answer without '"errors"' in it as a success
            # without parsing it, so a proxy's page lost every object silently.
            client.batch.configure(batch_size=2, num_workers=1, timeout_retries=0)
            unreadable = pytest.raises(BatchError, match=r"unreadable result.*Please sign in")
            with unreadable, client.batch as batch:
                for i in range(2):
                    batch.add_data_object({"a": i}, "Thing")
            failed = client.batch.failed_objects
        finally:
            client.close()
    assert len(failed) == 2
    assert all("unreadable result" in f.message and "Please sign in" in f.message for f in failed)

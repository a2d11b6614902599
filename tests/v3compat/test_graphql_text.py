"""wvorm's query builders write the GraphQL text weaviate-client 3.26.7 wrote.

``graphql_v3.json`` holds v3's ``build()`` text of every case in ``graphql_cases.py``
(``generate_v3_graphql.py`` writes it). Where v3's text is wrong, wvorm's is written
out below with what v3 gets wrong: these are the intentional differences (README,
"Differences from weaviate-client 3.x").
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import wvorm
from tests.v3compat.graphql_cases import CASES, DIFFERENCES
from wvorm.connection import Connection
from wvorm.gql import Query

V3 = json.loads(Path(__file__).with_name("graphql_v3.json").read_text())


@pytest.fixture
def query() -> Query:
    # Nothing listens on port 9, and building a query sends nothing.
    return Query(Connection("http://127.0.0.1:9", startup_period=None))


def test_the_recorded_texts_are_v3_3_26_7s_for_every_case() -> None:
    assert V3["weaviate-client"] == "3.26.7"
    assert set(V3["cases"]) == set(CASES), "run generate_v3_graphql.py again"
    assert set(V3["differences"]) == set(DIFFERENCES) == set(WVORM_TEXT)


@pytest.mark.parametrize("name", sorted(CASES))
def test_build_is_v3s_text(query: Query, name: str) -> None:
    assert CASES[name](query).build() == V3["cases"][name]


# case -> wvorm's text; the comment says what v3 (its text is in graphql_v3.json) gets wrong
WVORM_TEXT: dict[str, str] = {
    # v3 only escaped a quote not already preceded by a backslash, so `\"` and a final `\`
    # came out as `\"` and `\"`: the string ends early (a syntax error or another value).
    "where_text_quote_backslash": (
        '{Get{Article(where: {path: ["title"] operator: Equal '
        'valueText: "say \\\\\\"hi\\\\\\" \\\\"} ){title}}}'
    ),
    # v3 replaced a newline by a blank, so the filter compared with another text.
    "where_text_newline": (
        '{Get{Article(where: {path: ["title"] operator: Equal valueText: "line1\\nline2"} )'
        "{title}}}"
    ),
    # v3 did not escape a trailing backslash in a list item: `"c\"]` runs on.
    "where_text_array_quote": (
        '{Get{Article(where: {path: ["tags"] operator: ContainsAny '
        'valueText: ["a\\"b","c\\\\"]} ){title}}}'
    ),
    # v3 raised TypeError (it joined the bools as strings).
    "where_boolean_array": (
        '{Get{Article(where: {path: ["flags"] operator: ContainsAny '
        "valueBoolean: [true, false]} ){title}}}"
    ),
    # v3 raised TypeError (it joined the bools as strings).
    "where_boolean_list": (
        '{Get{Article(where: {path: ["flags"] operator: ContainsAll valueBoolean: [true]} )'
        "{title}}}"
    ),
    # v3 did not escape a valueDate at all: a quote ends the string.
    "where_date_quote": (
        '{Get{Article(where: {path: ["when"] operator: Equal '
        'valueDate: "2023\\" injected"} ){title}}}'
    ),
    # v3 did not escape backslashes in a bm25 query: `\d` and a final `\"` break it.
    "bm25_query_backslash": '{Get{Article(bm25:{query: "C:\\\\dir\\\\"}){title}}}',
    # v3 replaced a newline by a blank in a bm25 query.
    "bm25_query_newline": '{Get{Article(bm25:{query: "two\\nlines"}){title}}}',
    # v3 did not escape bm25 property names.
    "bm25_property_quote": '{Get{Article(bm25:{query: "x", properties: ["ti\\"tle"]}){title}}}',
    # v3 left an escaped quote unescaped: the query text ended at `\"`.
    "hybrid_query_backslash": '{Get{Article(hybrid:{query: "end\\\\\\""}){title}}}',
    # v3 sent `\n` as a newline escape and a newline as a blank.
    "generate_prompt_backslash_newline": (
        '{Get{Article{title _additional {generate(singleResult:{prompt:"Use \\\\n for\\n'
        'newlines: {title}"}){error singleResult} }}}}'
    ),
    # v3 did not escape a beacon.
    "near_object_beacon_quote": (
        '{Get{Article(nearObject: {beacon: "weaviate://localhost/x\\"y"} ){title}}}'
    ),
    # v3 did not escape a tenant name.
    "tenant_quote": '{Get{Article(tenant: "t\\"1"){title}}}',
    # v3 wrote non-ASCII concepts as \u escapes, an emoji as a surrogate pair, which the
    # server does not join: the concept reached the vectorizer garbled. wvorm sends the
    # characters themselves (in every string, not only concepts).
    "near_text_astral": '{Get{Article(nearText: {concepts: ["party 🎉"]} ){title}}}',
    # v3 dropped with_limit / with_object_limit unless a where, groupBy, near or tenant
    # argument was set too.
    "aggregate_limit_without_filter": "{Aggregate{Article(limit: 3){meta{count}}}}",
    # v3 ran two plain fields together (`titlebody`).
    "aggregate_fields_run_together": "{Aggregate{Article{title body}}}",
}


@pytest.mark.parametrize("name", sorted(WVORM_TEXT))
def test_build_where_v3_is_wrong(query: Query, name: str) -> None:
    built: Any = DIFFERENCES[name](query).build()
    assert built == WVORM_TEXT[name]
    assert built != V3["differences"][name]  # (else it is no difference: move it to CASES)


def test_the_specs_printed_query_is_what_build_gives(query: Query) -> None:
    """The spec shows ``build()``'s output of its builder example: wvorm prints exactly it."""
    spec = Path(__file__).resolve().parents[3] / "shared" / "spec" / "python-client-v3.md"
    printed = re.findall(r">>> '(\{Get\{.*\})'", spec.read_text())
    assert printed == [V3["cases"]["spec_builder_pattern"]]
    assert CASES["spec_builder_pattern"](query).build() == printed[0]


def test_every_text_parses_on_the_real_server(client: wvorm.Client) -> None:
    """v3's layout is odd (``){title}`` after ``limit: 20 ``, ``}groupBy:{``) but valid:
    the server may refuse a case's class, field or module, never its syntax."""
    client.schema.create_class(
        {"class": "Article", "vectorizer": "none", "properties": [{"name": "title",
                                                                  "dataType": ["text"]}]}
    )  # fmt: skip
    texts = {name: build(client.query).build() for name, build in {**CASES, **DIFFERENCES}.items()}
    syntax_errors = {}
    for name, text in texts.items():
        answer = client.query.raw(text)
        messages = [error["message"] for error in answer.get("errors") or []]
        if any("Syntax Error" in message for message in messages):
            syntax_errors[name] = messages
    assert not syntax_errors
    # and the v3 texts wvorm differs from include ones that do not parse (so the check bites)
    broken = client.query.raw(V3["differences"]["bm25_query_backslash"])
    assert "Syntax Error" in broken["errors"][0]["message"]

"""Every user string reaches Weaviate unchanged, and never changes the query around it.

The pure properties read the builders' output with an independent GraphQL lexer
(written from the GraphQL spec's lexical grammar, below), so a wrong escape shows
as a wrong token. The server property writes random texts and finds each again
through an ``Equal`` filter built by the builder.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import wvorm
from wvorm.connection import Connection
from wvorm.gql import GetBuilder, LinkTo, Query
from wvorm.plan.escape import check_selection, graphql_name, graphql_string

# -- a GraphQL lexer, from the spec (https://spec.graphql.org/October2021/#sec-Appendix-Grammar-Summary.Lexical-Tokens)

Token = tuple[str, str]  # (kind, text or decoded string value)

_IGNORED = " \t\n\r,\ufeff"
_PUNCTUATORS = "!$&()[]{}:=@|"
_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def _read_string(source: str, i: int) -> tuple[str, int]:
    """Decode the string literal whose opening quote is at ``source[i - 1]``."""
    out: list[str] = []
    while True:
        if i >= len(source):
            raise AssertionError("unterminated string")
        char = source[i]
        if char == '"':
            return "".join(out), i + 1
        if char in "\n\r":
            raise AssertionError(f"line terminator inside a string at {i}")
        if ord(char) < 0x20 and char != "\t":
            raise AssertionError(f"raw control character {char!r} inside a string at {i}")
        if char == "\\":
            escape = source[i + 1 : i + 2]
            if escape == "u":
                digits = source[i + 2 : i + 6]
                assert re.fullmatch(r"[0-9A-Fa-f]{4}", digits), f"bad \\u escape at {i}"
                out.append(chr(int(digits, 16)))
                i += 6
                continue
            assert escape in _ESCAPES, f"bad escape \\{escape} at {i}"
            out.append(_ESCAPES[escape])
            i += 2
            continue
        out.append(char)
        i += 1


def lex(source: str) -> list[Token]:
    """The tokens of ``source``; fails on anything the GraphQL grammar does not allow."""
    tokens: list[Token] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char in _IGNORED:
            i += 1
        elif char == "#":
            raise AssertionError(f"comment at {i} in {source!r}")
        elif source.startswith("...", i):
            tokens.append(("punct", "..."))
            i += 3
        elif char in _PUNCTUATORS:
            tokens.append(("punct", char))
            i += 1
        elif char == '"':
            assert not source.startswith('"""', i), "block strings are not emitted"
            value, i = _read_string(source, i + 1)
            tokens.append(("string", value))
        elif match := _NAME.match(source, i):
            tokens.append(("name", match.group()))
            i = match.end()
        elif match := _NUMBER.match(source, i):
            tokens.append(("number", match.group()))
            i = match.end()
        else:
            raise AssertionError(f"unexpected {char!r} at {i} in {source!r}")
    return tokens


def test_lexer_reads_the_spec_escapes() -> None:
    source = r'{a(b: "q\"\\\/\b\f\n\r\t\u00e9é😀") ...}'
    assert lex(source) == [
        ("punct", "{"),
        ("name", "a"),
        ("punct", "("),
        ("name", "b"),
        ("punct", ":"),
        ("string", 'q"\\/\b\f\n\r\té' + "é😀"),
        ("punct", ")"),
        ("punct", "..."),
        ("punct", "}"),
    ]
    for broken in ['"a', '"a\nb"', '"\\x"', '"\x01"', "a # c", '"""a"""']:
        with pytest.raises(AssertionError):
            lex(broken)


# -- pure properties ------------------------------------------------------------------------

# Every Unicode scalar value: all that UTF-8 can encode. Lone surrogates are not
# characters and cannot be sent as UTF-8 (graphql_string rejects them, tested below).
texts = st.text(st.characters(codec="utf-8"), max_size=60)
nasty = st.text(st.sampled_from('"\\\n\r\t\x00\x08\x0c\x1b\x7f\u2028\ufeff{}()[]#$:,é😀 a'))
any_text = st.one_of(texts, nasty)


@given(any_text)
def test_string_literal_round_trips(value: str) -> None:
    assert lex(graphql_string(value)) == [("string", value)]


@given(
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),
    texts,
)
def test_lone_surrogates_are_rejected(surrogates: str, text: str) -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        graphql_string(text + surrogates)


QUERY = Query(Connection("http://127.0.0.1:9", startup_period=None))  # never contacted

# Each place where a user string enters a Get query.
PLACES: dict[str, Callable[[GetBuilder, str], Any]] = {
    "where valueText": lambda b, s: b.with_where(
        {"path": ["title"], "operator": "Equal", "valueText": s}
    ),
    "where valueString": lambda b, s: b.with_where(
        {"path": "title", "operator": "Like", "valueString": s}
    ),
    "where valueDate": lambda b, s: b.with_where(
        {"path": "when", "operator": "Equal", "valueDate": s}
    ),
    "where array": lambda b, s: b.with_where(
        {"path": "tags", "operator": "ContainsAny", "valueTextArray": [s, s]}
    ),
    "where path": lambda b, s: b.with_where(
        {
            "operator": "Or",
            "operands": [{"path": ["ref", "Cls", s], "operator": "IsNull", "valueBoolean": True}],
        }
    ),
    "nearText concepts": lambda b, s: b.with_near_text({"concepts": [s, "x"]}),
    "nearText move": lambda b, s: b.with_near_text(
        {"concepts": "x", "moveTo": {"force": 0.5, "concepts": s}}
    ),
    "nearObject beacon": lambda b, s: b.with_near_object({"beacon": s}),
    "bm25 query": lambda b, s: b.with_bm25(s),
    "bm25 properties": lambda b, s: b.with_bm25("x", [s]),
    "hybrid query": lambda b, s: b.with_hybrid(s, alpha=0.5),
    "hybrid properties": lambda b, s: b.with_hybrid("x", properties=[s]),
    "sort path": lambda b, s: b.with_sort({"path": [s]}),
    "group_by path": lambda b, s: b.with_group_by([s], 1, 1),
    "tenant": lambda b, s: b.with_tenant(s),
    "generate prompt": lambda b, s: b.with_generate(single_prompt=s, grouped_task=s),
}


def _build(place: str, value: str) -> str:
    builder = QUERY.get("Article", ["title", LinkTo("ofAuthor", "Author", ["name"])])
    PLACES[place](builder, value)
    return builder.build()


def _shape(tokens: list[Token]) -> list[Token]:
    return [(kind, "" if kind == "string" else text) for kind, text in tokens]


@pytest.mark.parametrize("place", sorted(PLACES))
@given(value=any_text)
@settings(max_examples=40)
def test_user_strings_keep_the_query_shape(place: str, value: str) -> None:
    """The query with ``value`` has the same tokens as with a harmless placeholder,
    and ``value`` comes back out of it exactly."""
    tokens = lex(_build(place, value))
    reference = lex(_build(place, "placeholder"))
    assert _shape(tokens) == _shape(reference)
    strings = [text for kind, text in tokens]
    reference_strings = [text for kind, text in reference]
    assert strings == [value if text == "placeholder" else text for text in reference_strings]


@pytest.mark.parametrize("place", sorted(PLACES))
def test_user_strings_with_lone_surrogates_are_rejected(place: str) -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        _build(place, "ab\udc80")


@given(st.text(st.sampled_from("aZ_09- {}:."), max_size=8))
def test_names_are_exactly_graphql_names(value: str) -> None:
    if re.fullmatch(r"[_A-Za-z][_0-9A-Za-z]*", value):
        assert graphql_name(value) == value
        assert (
            QUERY.get("Article", "title").with_alias(value).build().startswith(f"{{Get{{{value}:")
        )
    else:
        with pytest.raises(ValueError, match="not a valid GraphQL name"):
            graphql_name(value)


selection_pieces = [
    "a",
    "b",
    " ",
    "\xa0",
    "\x0b",
    "{",
    "}",
    "(",
    ")",
    ":",
    '"',
    "\\",
    "#",
    "...",
    "\n",
    "1",
]


@given(st.lists(st.sampled_from(selection_pieces), max_size=12).map("".join))
def test_accepted_selections_stay_inside_their_braces(fragment: str) -> None:
    """A raw selection is either rejected, or lexes cleanly with balanced brackets, so it
    cannot close the class's selection set early or comment out the rest of the query."""
    try:
        check_selection(fragment)
    except ValueError:
        return
    depth = 0
    for kind, text in lex(fragment):
        if kind == "punct" and text in "{([":
            depth += 1
        elif kind == "punct" and text in "})]":
            depth -= 1
            assert depth >= 0
    assert depth == 0
    built = QUERY.get("Article", [fragment]).build()
    assert lex(built)[-3:] == [("punct", "}"), ("punct", "}"), ("punct", "}")]


# -- against the server ---------------------------------------------------------------------

# Weaviate cannot store lone surrogates (its JSON decoder turns them into U+FFFD), and
# the builder rejects them (above); every other character, NUL included, round-trips.
server_texts = st.text(st.characters(codec="utf-8"), max_size=40) | st.text(
    st.sampled_from('"\\\n\r\t\x00\x1b\x7f\u2028 a😀é'), max_size=20
)


@given(text=server_texts)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_equal_filter_finds_each_random_text(client: wvorm.Client, text: str) -> None:
    """Write random texts, then find each again with an Equal filter: exactly that object.

    ``field`` tokenization indexes the whole value, but after trimming surrounding
    whitespace (Go's unicode.IsSpace), so texts that differ only there would match
    each other. The text is framed with ``<`` ``>`` to keep every character significant.
    """
    connection = client._connection
    if connection.get("/schema/EscapeProbe").status_code != 200:
        created = connection.post(
            "/schema",
            json={
                "class": "EscapeProbe",
                "vectorizer": "none",
                "properties": [{"name": "text", "dataType": ["text"], "tokenization": "field"}],
            },
        )
        assert created.status_code == 200, created.text
    value = f"<{text}>"
    object_id = str(uuid.uuid5(uuid.NAMESPACE_URL, value))  # one object per distinct value
    written = connection.post(  # a batch upserts, so a repeated value is one object
        "/batch/objects",
        json={
            "objects": [{"class": "EscapeProbe", "id": object_id, "properties": {"text": value}}]
        },
    )
    assert written.status_code == 200, written.text
    assert not written.json()[0].get("result", {}).get("errors"), written.text

    result = (
        client.query.get("EscapeProbe", ["text"])
        .with_where({"path": ["text"], "operator": "Equal", "valueText": value})
        .with_additional("id")
        .do(raise_on_error=True)
    )
    found = result["data"]["Get"]["EscapeProbe"]
    assert [(hit["_additional"]["id"], hit["text"]) for hit in found] == [(object_id, value)]


def test_graphql_concat_separates_only_names_that_would_merge() -> None:
    from wvorm.plan.escape import graphql_concat

    assert graphql_concat(["meta{count}", "title {count}", "body", "wordCount {mean}"]) == (
        "meta{count}title {count}body wordCount {mean}"
    )
    assert graphql_concat(["limit: 5 ", "offset: 1 ", 'tenant: "t"', "autocut: 1"]) == (
        'limit: 5 offset: 1 tenant: "t"autocut: 1'
    )
    assert graphql_concat(["title", "", "body"]) == "title body"
    assert graphql_concat([]) == ""

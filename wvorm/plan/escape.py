"""The one place where Python values become GraphQL source text.

Every builder in :mod:`wvorm.gql` renders user input through these functions:
strings become escaped string literals, numbers become finite number literals,
class names and aliases are checked to be GraphQL names, and raw selection
fragments (v3 accepted ``"ofAuthor { ... on Author { name } }"``) are checked to
be balanced selections, so no user input can break or change the query around it.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from collections.abc import Iterable
from typing import Any, Callable, Union

from wvorm.errors import UsageError

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")

# The tokens a selection fragment may hold: names, punctuation, numbers and plain
# (single-line) string literals as used in field arguments. Comments (#) and block
# strings are not allowed: a comment would swallow the rest of the line.
_SELECTION_TOKEN = re.compile(
    r"""
      (?P<space>[ \t\n\r,\ufeff]+)
    | (?P<spread>\.\.\.)
    | (?P<open>[{(\[])
    | (?P<close>[})\]])
    | (?P<colon>:)
    | (?P<name>[_A-Za-z][_0-9A-Za-z]*)
    | (?P<number>-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
    | (?P<string>"(?:[^"\\\n\r]|\\.)*")
    """,
    re.VERBOSE,
)
_CLOSING = {"{": "}", "(": ")", "[": "]"}


def graphql_string(value: str, what: str = "value") -> str:
    """``value`` as a GraphQL string literal, quotes included.

    JSON's string escapes (``\\" \\\\ \\b \\f \\n \\r \\t \\uXXXX``) are all GraphQL
    escapes, so ``json.dumps`` gives a valid literal. Non-ASCII characters are kept
    as themselves rather than ``\\u``-escaped, because GraphQL's ``\\uXXXX`` cannot
    spell an astral character (Weaviate's parser does not join surrogate pairs).
    A lone surrogate cannot be sent as UTF-8 at all and is rejected.
    """
    if not isinstance(value, str):
        raise UsageError(f"{what} must be a str, got {type(value).__name__}: {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UsageError(
            f"{what} contains a lone surrogate {value[exc.start]!r} at index {exc.start}, "
            f"which is not a Unicode character and cannot be sent to Weaviate: {value!r:.200}. "
            "Decode the text properly (e.g. errors='replace') before querying."
        ) from None
    return json.dumps(value, ensure_ascii=False)


def graphql_name(value: str, what: str = "name") -> str:
    """``value`` unchanged if it is a GraphQL name (``[_A-Za-z][_0-9A-Za-z]*``), else an error."""
    if not isinstance(value, str):
        raise UsageError(f"{what} must be a str, got {type(value).__name__}: {value!r}")
    if not _NAME.fullmatch(value):
        raise UsageError(
            f"{what} {value!r} is not a valid GraphQL name: it must start with a letter or "
            "underscore and contain only letters, digits and underscores."
        )
    return value


def graphql_number(value: Any, what: str = "value") -> str:
    """A finite int or float as a GraphQL number literal (floats keep a decimal point)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise UsageError(f"{what} must be a number, got {type(value).__name__}: {value!r}")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    number = float(value)
    if not math.isfinite(number):
        raise UsageError(f"{what} must be a finite number, got {value!r}")
    return repr(number)


def graphql_float(value: Any, what: str = "value") -> str:
    """A finite number as a GraphQL float literal: ``1`` renders as ``1.0``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise UsageError(f"{what} must be a number, got {type(value).__name__}: {value!r}")
    return graphql_number(float(value), what)


def graphql_int(value: Any, what: str = "value", minimum: Union[int, None] = None) -> str:
    """An int (not a bool) as a GraphQL int literal, optionally at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise UsageError(f"{what} must be an int, got {type(value).__name__}: {value!r}")
    if minimum is not None and value < minimum:
        raise UsageError(f"{what} must be >= {minimum}, got {value!r}")
    return str(int(value))


def graphql_bool(value: Any, what: str = "value") -> str:
    """A bool as ``true`` / ``false``."""
    if not isinstance(value, bool):
        raise UsageError(f"{what} must be a bool, got {type(value).__name__}: {value!r}")
    return "true" if value else "false"


def graphql_list(values: Iterable[Any], render: Callable[[Any, str], str], what: str) -> str:
    """``[a, b, ...]`` with each item rendered by ``render(item, "what[i]")``."""
    items = [render(item, f"{what}[{i}]") for i, item in enumerate(values)]
    return "[" + ", ".join(items) + "]"


_WORD_CHAR = re.compile(r"[_0-9A-Za-z]")


def graphql_concat(parts: Iterable[str]) -> str:
    """Text pieces joined as v3 joined them (directly), with a blank added only where two
    names would otherwise run together into one (the aggregated fields ``title`` and
    ``body`` must not become ``titlebody``)."""
    text = ""
    for part in parts:
        if text and part and _WORD_CHAR.match(text[-1]) and _WORD_CHAR.match(part[0]):
            text += " "
        text += part
    return text


def string_list(
    value: Union[str, Iterable[str]], what: str, allow_empty: bool = False
) -> list[str]:
    """A str or an iterable of str as a new list; raises if it holds anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (bytes, dict)) or not isinstance(value, Iterable):
        raise UsageError(f"{what} must be a str or a list of str, got {type(value).__name__}")
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise UsageError(f"{what}[{i}] must be a str, got {type(item).__name__}: {item!r}")
    if not items and not allow_empty:
        raise UsageError(f"{what} must not be empty")
    return items


def check_selection(fragment: str, what: str = "selection") -> str:
    """``fragment`` unchanged if it is a well-formed piece of a GraphQL selection set.

    Accepts what v3 accepted as raw property strings (``"title"``,
    ``"ofAuthor { ... on Author { name } }"``, ``"_additional { id distance }"``)
    and rejects anything that would break the query around it: unbalanced
    brackets, comments, block strings, or characters GraphQL does not allow there.
    """
    if not isinstance(fragment, str):
        raise UsageError(f"{what} must be a str, got {type(fragment).__name__}: {fragment!r}")
    stack: list[str] = []
    position = 0
    has_field = False
    while position < len(fragment):
        match = _SELECTION_TOKEN.match(fragment, position)
        if match is None:
            raise UsageError(
                f"{what} {fragment!r} is not a valid GraphQL selection: unexpected "
                f"{fragment[position]!r} at index {position}. Property names must be GraphQL "
                "names (letters, digits, underscores); nested selections use { } braces."
            )
        kind = match.lastgroup
        token = match.group()
        if kind == "open":
            stack.append(_CLOSING[token])
        elif kind == "close":
            if not stack or stack.pop() != token:
                raise UsageError(
                    f"{what} {fragment!r} is not a valid GraphQL selection: unbalanced "
                    f"{token!r} at index {position}."
                )
        elif kind == "string":
            try:  # GraphQL's single-line string escapes are JSON's
                graphql_string(json.loads(token, strict=False), what)
            except json.JSONDecodeError as exc:
                raise UsageError(
                    f"{what} {fragment!r} holds an invalid string literal {token}: {exc.msg}"
                ) from None
        elif kind == "name" and not stack:
            has_field = True
        position = match.end()
    if stack:
        raise UsageError(
            f"{what} {fragment!r} is not a valid GraphQL selection: "
            f"{len(stack)} bracket(s) not closed."
        )
    if not has_field:
        raise UsageError(f"{what} {fragment!r} selects no field.")
    return fragment.strip()

"""Property-based tests (hypothesis) of every value type and every filter, on the real server.

Values: random values of every mapped type (``Kitchen`` of ``tests/orm/test_schema``:
text, int up to and beyond int64, number with NaN, infinities, subnormals and -0.0,
bool, aware and naive dates, uuid, blob, geoCoordinates, phoneNumber, nested objects,
enums and every array form) are written through a ``Session`` commit, through
``client.data_object.create`` and through ``client.batch`` (the v3 surface), then read
back through the ORM query on the client's transport and through REST ``get_by_id``.
Each value must read back equal, or be refused before anything is sent with a wvorm
error that names the field. What the test expects is decided up front
(:func:`refusals`): a value the server could hold must never be refused.

Filters: a random dataset of ``Probe`` objects and random filters (every operator on
every filterable type, operands often taken from the dataset, combined with ``&``,
``|`` and ``~``) run through the ORM (``all`` and ``count``), the v3 builder
(``client.query.get(...).with_where``), a dry-run ``client.batch.delete_objects`` (v3
where dict, REST) and a dry-run ``client.batch.delete_matching`` (the plan, over gRPC
or REST); each must give exactly the ids that :func:`comparison`, a plain-Python model
of Weaviate's semantics, gives.

Weaviate 1.39 semantics the oracle models (several surprise):

- ``field`` tokenization trims surrounding whitespace (Go's ``unicode.IsSpace``) from
  values and operands alike, so ``" a"`` equals ``"a"``, and ``""`` equals ``" "``. Yet
  ``IsNull`` holds for ``""`` and not for ``" "`` (nor for ``[""]``).
- ``word`` tokenization lower-cases and splits on every character that is not a letter
  or digit; ``Equal`` then means "holds every token of the operand", but ``NotEqual``
  "holds none of them": ``words != "alpha beta"`` is not ``~(words == "alpha beta")``,
  and an object holding only "alpha" matches neither.
- Otherwise ``NotEqual`` is exactly ``~Equal``: it matches nulls, and on an array it
  means "no item equals" (``[0, 1] != 0`` does not hold), while the other comparisons
  on an array mean "some item compares so". ``ContainsNone`` and ``Not`` match nulls
  too; an empty array is null.
- ``Like``: ``*`` any run, ``?`` one character, anything else literally, matched
  against the trimmed value, case-sensitively.
- Text orders by code point; dates compare as instants whatever their offset;
  ``-0.0`` equals ``0.0``.
- Dates are indexed as int64 nanoseconds (Go's ``UnixNano``), so filters on dates
  before 1677-09-21 or after 2262-04-11 match wrongly (``when > 2100`` matches year
  1600): wvorm refuses such operands, and the oracle makes no call on objects that
  hold such dates (they read back exactly, and sort correctly).
- ``Aggregate`` (so ``count()``) with ``WithinGeoRange`` counts deleted objects; wvorm
  counts those filters by reading ids. Geo distances near the radius are not called
  (the server keeps float32 coordinates).
- GraphQL's ``Int`` is 32-bit: Weaviate answers null for a wider stored int (and
  accepts a wider ``valueInt`` operand). wvorm reads such objects again over REST
  (``Query._exact_ints``), so int64 values read back equal over GraphQL too, and a
  Session writes them whatever its transport.
- Phone numbers are parsed by the server, so an unparseable one is the one refusal
  that comes from the server (a ``CommitError`` naming the property).

Deterministic and bounded by default (CI); ``WVORM_PROPERTY_EXAMPLES=N`` runs N
examples per test, ``WVORM_PROPERTY_SEED=S`` explores with a seed instead of the
derandomized run.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Optional
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

import wvorm
from tests.orm import conftest as orm_fixtures
from tests.orm.conftest import without_graphql
from tests.orm.test_schema import Address, Article, Kitchen, Mood, every_type_kitchen
from wvorm import (
    CommitError,
    FieldExpr,
    Filter,
    GeoCoordinate,
    PhoneNumber,
    Property,
    Session,
    WeaviateModel,
    create_all,
)
from wvorm._inputs import EXACT_JSON_INT
from wvorm.errors import FilterError, UsageError, WvormError
from wvorm.orm._expressions import INDEXED_DATES
from wvorm.orm._models import from_properties, to_properties
from wvorm.orm._types import (
    unchecked,
)

# The ORM suite's fixtures: ``client`` runs each test over gRPC, GraphQL, and gRPC
# against a server with GraphQL disabled.
client = orm_fixtures.client
server_without_graphql = orm_fixtures.server_without_graphql

# -- settings --------------------------------------------------------------------------

EXAMPLES = int(os.environ.get("WVORM_PROPERTY_EXAMPLES") or 0)
SEED = os.environ.get("WVORM_PROPERTY_SEED")


def examples(default: int) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Hypothesis settings: ``default`` examples (or WVORM_PROPERTY_EXAMPLES), derandomized
    unless WVORM_PROPERTY_SEED is set."""
    configured = settings(
        max_examples=EXAMPLES or default,
        deadline=None,
        derandomize=SEED is None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )

    def apply(test: Callable[..., None]) -> Callable[..., None]:
        test = configured(test)
        return seed(int(SEED))(test) if SEED is not None else test

    return apply


def transport_of(client: wvorm.Client) -> str:
    return client.transport.name  # "gRPC" or "GraphQL"


def delete_objects(client: wvorm.Client, class_name: str, ids: list[UUID]) -> None:
    """Remove one example's objects (the class stays: schema changes are slow)."""
    if ids:
        client.batch.delete_objects(
            class_name,
            {"path": ["id"], "operator": "ContainsAny", "valueText": [str(i) for i in ids]},
        )


# -- values: strategies ----------------------------------------------------------------

# Each example holds storable values in every field but one, which may hold anything:
# a value the server cannot store (and wvorm must refuse) is then the only one.
SURROGATE = "a\udc80b"  # not a Unicode character: cannot be sent unchanged
STORABLE_TEXTS = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.text(st.sampled_from('"\\\n\r\t\x00\x1b\x7f\u2028\ufeff *?é😀'), max_size=8),
    st.sampled_from(["", " "]),
)
TEXTS = STORABLE_TEXTS | st.just(SURROGATE)
WIDE_INTS = [
    2**31,
    -(2**31) - 1,
    EXACT_JSON_INT,
    -EXACT_JSON_INT,
    EXACT_JSON_INT + 1,
    2**63 - 1,
    -(2**63),
    2**63,
]
STORABLE_INTS = st.integers(-(2**31), 2**31 - 1)  # (GraphQL's Int)
INTS = st.one_of(STORABLE_INTS, st.sampled_from(WIDE_INTS), st.integers(-(2**64), 2**64))
STORABLE_FLOATS = st.floats(allow_nan=False, allow_infinity=False)  # subnormals, -0.0
FLOATS = st.floats()
# Offsets to the microsecond: RFC 3339 has whole minutes only
MINUTE_OFFSETS = st.builds(
    timezone, st.integers(-(23 * 60 + 59), 23 * 60 + 59).map(lambda m: timedelta(minutes=m))
)
OFFSETS = MINUTE_OFFSETS | st.builds(
    timezone, st.timedeltas(-timedelta(hours=23, minutes=59), timedelta(hours=23, minutes=59))
)
STORABLE_DATES = st.datetimes(timezones=st.none() | MINUTE_OFFSETS)
DATES = st.datetimes(timezones=st.none() | OFFSETS)
STORABLE_BLOBS = st.binary(min_size=1, max_size=12)
BLOBS = st.binary(max_size=12)
GEOS = st.builds(GeoCoordinate, latitude=st.floats(-90, 90), longitude=st.floats(-180, 180))
PARSEABLE_PHONES = [
    PhoneNumber(input="+31 20 1234567"),  # no default country
    PhoneNumber(input="020 1234567", default_country="nl"),
    PhoneNumber(input="(650) 253-0000", default_country="US"),
]
UNPARSEABLE_PHONES = [PhoneNumber(input=""), PhoneNumber(input="not a number")]


def small_lists(items: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(items, max_size=3)


def kitchen_values(wild: bool) -> dict[str, st.SearchStrategy[Any]]:
    """Per Kitchen field, its values: storable ones, or (``wild``) any at all."""
    text = TEXTS if wild else STORABLE_TEXTS
    ints = INTS if wild else STORABLE_INTS
    # int64 values now and then: GraphQL answers null for them, so they are read again
    wide = (
        INTS
        if wild
        else st.tuples(st.integers(0, 5), STORABLE_INTS, st.sampled_from(WIDE_INTS[:4])).map(
            lambda t: t[2] if t[0] == 5 else t[1]
        )
    )
    floats = FLOATS if wild else STORABLE_FLOATS
    dates = DATES if wild else STORABLE_DATES
    blobs = BLOBS if wild else STORABLE_BLOBS
    phones = PARSEABLE_PHONES + (UNPARSEABLE_PHONES if wild else [])
    addresses = st.builds(Address, street=text, number=ints, photo=st.none() | blobs)
    return {
        "text": text,
        "count": wide,
        "ratio": floats,
        "flag": st.booleans(),
        "when": st.none() | dates,
        "ref_id": st.none() | st.uuids(),
        "data": st.none() | blobs,
        "texts": small_lists(text),
        "counts": small_lists(wide),
        "ratios": small_lists(floats),
        "flags": small_lists(st.booleans()),
        "whens": small_lists(dates),
        "ids": small_lists(st.uuids()),
        "place": st.none() | GEOS,
        "phone": st.sampled_from([None, *phones]),
        "address": st.none() | addresses,
        "addresses": small_lists(addresses),
        "mood": st.sampled_from(Mood),
        "moods": small_lists(st.sampled_from(Mood)),
    }


STORABLE, WILD = kitchen_values(wild=False), kitchen_values(wild=True)


@st.composite
def kitchens(draw: st.DrawFn) -> Kitchen:
    """A Kitchen (every mapped type) with random values (references aside): storable
    ones but in one field, which may hold anything."""
    wild = draw(st.sampled_from(sorted(WILD)))
    values = {name: draw(WILD[name] if name == wild else STORABLE[name]) for name in STORABLE}
    return every_type_kitchen(**values)


# -- values: what must happen ------------------------------------------------------------


def _int_refused(value: int) -> bool:
    return not -EXACT_JSON_INT <= value <= EXACT_JSON_INT  # REST parses float64: rounded


def _date_refused(value: datetime) -> bool:
    """An offset RFC 3339 cannot write is converted to UTC, which may leave years 1-9999."""
    offset = value.utcoffset()
    if offset is None or not (offset.seconds % 60 or offset.microseconds):
        return False
    try:
        value.astimezone(timezone.utc)
    except OverflowError:
        return True
    return False


def _refused(value: Any) -> bool:
    """Whether wvorm must refuse ``value`` (of any field, nested ones walked) before sending."""
    if isinstance(value, (list, tuple)):
        return any(_refused(item) for item in value)
    if isinstance(value, Address):
        return any(_refused(item) for _, item in value)
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int):
        return _int_refused(value)
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, str):
        return "\udc80" in value or re.search("[\ud800-\udfff]", value) is not None
    if isinstance(value, bytes):
        return value == b""
    if isinstance(value, datetime):
        return _date_refused(value)
    return False


def refusals(kitchen: Kitchen) -> set[str]:
    """The fields of ``kitchen`` that wvorm must refuse before sending anything."""
    return {name for name, value in kitchen if name != "id" and _refused(value)}


def server_refusals(kitchen: Kitchen) -> set[str]:
    """The fields that only the server can refuse: phone numbers it cannot parse."""
    return {"phone"} if kitchen.phone in UNPARSEABLE_PHONES else set()


def _as_read(value: Any) -> Any:
    """``value`` as it reads back: a naive datetime is UTC (wvorm's documented rule)."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    if isinstance(value, list):
        return [_as_read(item) for item in value]
    return value


def expected_values(kitchen: Kitchen) -> dict[str, Any]:
    """The fields that must read back (references aside), as they read back."""
    return {name: _as_read(value) for name, value in kitchen if name != "related"}


def read_values(obj: Optional[Kitchen]) -> dict[str, Any]:
    assert obj is not None, "the object was written, but does not read back"
    return {name: value for name, value in obj if name != "related"}


def assert_reads_back(client: wvorm.Client, kitchen: Kitchen, how: str) -> None:
    """``kitchen`` reads back equal through the ORM query and through REST."""
    expected = expected_values(kitchen)
    queried = Kitchen.query.using(client).get(kitchen.id)
    assert read_values(queried) == expected, f"{how}, read by the ORM over {transport_of(client)}"
    stored = client.data_object.get_by_id(kitchen.id, class_name="Kitchen")
    assert stored is not None, f"{how}: not stored"
    rest = from_properties(Kitchen, stored["properties"], uuid=stored["id"])
    assert read_values(rest) == expected, f"{how}, read over REST"


def assert_not_stored(client: wvorm.Client, object_id: UUID, how: str) -> None:
    assert client.data_object.get_by_id(object_id, class_name="Kitchen") is None, (
        f"{how}: refused, but stored all the same"
    )


def names_a_field(message: str, fields: set[str]) -> bool:
    return any(re.search(rf"\b{re.escape(field)}\b", message) for field in fields)


# -- values: the tests -----------------------------------------------------------------


def test_values_round_trip_or_are_refused_before_sending(client: wvorm.Client) -> None:
    """Every value written through a Session commit, ``data_object.create`` and
    ``client.batch`` reads back equal on the client's transport and over REST, or is
    refused before sending with a wvorm error naming the field."""
    create_all(client, [Kitchen, Article])

    @examples(100)
    @given(kitchen=kitchens())
    def check(kitchen: Kitchen) -> None:
        written: list[UUID] = []
        try:
            check_session(kitchen, written)
            check_data_object(kitchen, written)
            check_batch(kitchen, written)
        finally:
            delete_objects(client, "Kitchen", written)

    def check_session(kitchen: Kitchen, written: list[UUID]) -> None:
        refused = refusals(kitchen)
        server_refused = server_refusals(kitchen)
        with Session(client) as session:
            session.add(kitchen)
            try:
                session.commit()
            except CommitError as error:
                session.rollback()
                message = str(error)
                assert refused or server_refused, f"a storable value was refused: {message}"
                assert names_a_field(message, {f"Kitchen.{f}" for f in refused} | server_refused)
                assert_not_stored(client, kitchen.id, "Session")
                return
        written.append(kitchen.id)
        assert not refused, f"{sorted(refused)} should have been refused"
        assert not server_refused, "the server stored a phone number it cannot parse"
        assert_reads_back(client, kitchen, "Session")

    def check_data_object(kitchen: Kitchen, written: list[UUID]) -> None:
        # v3 writers may store any int64 that JSON carries exactly; it must read back
        # over GraphQL too
        copy = another(kitchen)
        refused = refusals(copy)
        try:
            properties = to_properties(copy)
        except UsageError as error:
            assert refused and names_a_field(str(error), {f"Kitchen.{f}" for f in refused})
            properties = raw_properties(copy)
        else:
            assert not refused, f"{sorted(refused)} should have been refused"
        try:
            client.data_object.create(properties, "Kitchen", uuid=copy.id)
        except UsageError as error:  # refused before sending: the v3 checks (data/)
            assert refused - {"data"}, f"a storable value was refused: {error}"
            assert names_a_field(str(error), refused), str(error)
            assert_not_stored(client, copy.id, "data_object.create")
            return
        except WvormError as error:  # the server refused (v3 sends dicts unchecked)
            assert refused | server_refusals(copy), f"a storable value was refused: {error}"
            assert names_a_field(str(error), refused | server_refusals(copy)), str(error)
            assert_not_stored(client, copy.id, "data_object.create")
            return
        written.append(copy.id)
        assert not refused, f"data_object.create stored {sorted(refused)}"
        assert not server_refusals(copy)
        assert_reads_back(client, copy, "data_object.create")

    def check_batch(kitchen: Kitchen, written: list[UUID]) -> None:
        copy = another(kitchen)
        if refusals(copy) or server_refusals(copy):
            return  # (the batch's refusals: the v3 regression test)
        properties = to_properties(copy)
        with client.batch as batch:
            batch.add_data_object(properties, "Kitchen", uuid=copy.id)
        assert not client.batch.failed_objects, client.batch.failed_objects
        written.append(copy.id)
        assert_reads_back(client, copy, "client.batch")

    check()


def another(kitchen: Kitchen) -> Kitchen:
    """A new Kitchen with ``kitchen``'s values (and a new id)."""
    return Kitchen.model_validate({**dict(kitchen), "id": uuid4()})


def raw_properties(kitchen: Kitchen) -> dict[str, Any]:
    """``kitchen``'s properties in JSON form, the fields the ORM refuses included as
    they are (what a v3 user might hand to ``data_object.create``)."""
    out: dict[str, Any] = {}
    for name, _ in kitchen:
        try:
            out |= to_properties(kitchen, [name])
        except UsageError:
            with unchecked():
                out |= to_properties(kitchen, [name])
    return out


# -- filters: the model and its values -------------------------------------------------


class Probe(WeaviateModel, vectorizer="none", inverted_index_config={"indexNullState": True}):
    """One property per filterable type. ``text`` / ``texts`` compare exactly (field
    tokenization), ``words`` through word tokenization."""

    text: Annotated[Optional[str], Property(tokenization="field")] = None
    texts: Annotated[list[str], Property(tokenization="field")] = []
    words: Annotated[Optional[str], Property(tokenization="word")] = None
    number: Annotated[Optional[int], Property(index_range_filters=True)] = None
    numbers: list[int] = []
    ratio: Optional[float] = None
    ratios: list[float] = []
    flag: Optional[bool] = None
    flags: list[bool] = []
    when: Optional[datetime] = None
    whens: list[datetime] = []
    ref: Optional[UUID] = None
    refs: list[UUID] = []
    place: Optional[GeoCoordinate] = None


UTC = timezone.utc
PLUS_TWO = timezone(timedelta(hours=2))
# Small pools, so that comparisons hit; each holds the edges of its type
PROBE_TEXTS = st.sampled_from(
    ["", " ", "a", "A", "b", "ab", "aB", "a b", " a", "a*", "*", "?", "a?c", "é", "E", "😀",
     '"q"', "\\", "%", "a.b", "[a]", "a\nb", "\x00"]
) | st.text("ab*? é", max_size=3)  # fmt: skip
PROBE_WORDS = st.sampled_from(
    ["alpha", "Alpha beta", "beta-gamma", "GAMMA", "alpha alpha", "", "delta_x", "é Ü", "x1 y2"]
)
PROBE_INTS = st.integers(-3, 3) | st.sampled_from([2**31, -(2**31) - 1, 2**40, -EXACT_JSON_INT])
PROBE_FLOATS = st.sampled_from([-1.5, -0.0, 0.0, 0.5, 1.0, 2.5, 1e-300, 5e-324, 1e300])
PROBE_DATES = st.sampled_from(
    [
        datetime(2020, 1, 1, tzinfo=UTC),
        datetime(2020, 1, 1, 2, tzinfo=PLUS_TWO),  # the same instant
        datetime(2020, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(2019, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2020, 1, 1, 1),  # naive: UTC
        datetime(1, 1, 1, tzinfo=UTC),
    ]
)
PROBE_UUIDS = st.sampled_from(
    [UUID(int=0), UUID(int=1), UUID(int=2**128 - 1), UUID("8c1a4a7e-0d4c-4f6b-9b7e-1d2b3c4d5e6f")]
)
PROBE_PLACES = st.sampled_from(
    [
        GeoCoordinate(latitude=52.366667, longitude=4.9),  # Amsterdam
        GeoCoordinate(latitude=52.370216, longitude=4.895168),  # ~500 m away
        GeoCoordinate(latitude=51.9225, longitude=4.47917),  # Rotterdam, ~57 km
        GeoCoordinate(latitude=-33.8688, longitude=151.2093),  # Sydney
        GeoCoordinate(latitude=0, longitude=179.9),
        GeoCoordinate(latitude=0, longitude=-179.9),  # across the date line
    ]
)
PROBE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "text": PROBE_TEXTS,
    "words": PROBE_WORDS,
    "number": PROBE_INTS,
    "ratio": PROBE_FLOATS,
    "flag": st.booleans(),
    "when": PROBE_DATES,
    "ref": PROBE_UUIDS,
    "place": PROBE_PLACES,
}
LIST_OF = {"texts": "text", "numbers": "number", "ratios": "ratio", "flags": "flag"}
LIST_OF |= {"whens": "when", "refs": "ref"}


@st.composite
def probes(draw: st.DrawFn) -> Probe:
    values: dict[str, Any] = {}
    for name, strategy in PROBE_VALUES.items():
        values[name] = draw(st.none() | strategy)
    for name, item in LIST_OF.items():
        values[name] = draw(st.lists(PROBE_VALUES[item], max_size=3))
    return Probe(**values)


# -- filters: the oracle -----------------------------------------------------------------

Maybe = Optional[bool]  # None: too close to call (a geo distance on the boundary)
Predicate = Callable[[Probe], Maybe]

GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"  # noqa: E501


def field_token(value: str) -> str:
    """``field`` tokenization: the text without surrounding whitespace (maybe empty)."""
    return value.strip(GO_SPACE)


def word_tokens(value: str) -> list[str]:
    """``word`` tokenization: lower-cased runs of letters and digits."""
    return [t.lower() for t in re.findall(r"[^\W_]+", value)]


def comparable(field: str, value: Any) -> Any:
    """A stored value or operand as the index compares it: dates as instants, text as
    its field token."""
    if isinstance(value, datetime):
        return _as_read(value)
    if isinstance(value, str) and field != "words":
        return field_token(value)
    return value


def like(pattern: str) -> re.Pattern[str]:
    """Weaviate's Like: ``*`` any run, ``?`` one character, everything else literally."""
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.DOTALL)


def items_of(probe: Probe, field: str) -> list[Any]:
    """The values a filter on ``field`` compares: [] for null."""
    value = getattr(probe, field)
    values = value if isinstance(value, list) else [] if value is None else [value]
    if field == "words":
        return [t for v in values for t in word_tokens(v)]
    return [comparable(field, v) for v in values]


def is_null(probe: Probe, field: str) -> bool:
    """What ``IsNull`` sees: None, an empty list, and an empty text (but not " ")."""
    return getattr(probe, field) in (None, [], "")


COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "Equal": lambda v, q: bool(v == q),
    "GreaterThan": lambda v, q: bool(v > q),
    "GreaterThanEqual": lambda v, q: bool(v >= q),
    "LessThan": lambda v, q: bool(v < q),
    "LessThanEqual": lambda v, q: bool(v <= q),
}


def unindexed(value: Any) -> bool:
    """A date Weaviate's index cannot hold (int64 nanoseconds): filters on it are wrong."""
    return isinstance(value, datetime) and not (
        INDEXED_DATES[0] <= _as_read(value) <= INDEXED_DATES[1]
    )


def comparison(field: str, operator: str, operand: Any) -> Predicate:
    """The oracle of one condition (see the module docstring); None (no call) for an
    object holding a date the index cannot hold."""
    decide = _comparison(field, operator, operand)
    if field not in ("when", "whens") or operator == "IsNull":
        return decide

    def check(p: Probe) -> Maybe:
        value = getattr(p, field)
        if any(unindexed(v) for v in (value if isinstance(value, list) else [value])):
            return None
        return decide(p)

    return check


def _comparison(field: str, operator: str, operand: Any) -> Predicate:
    if field == "words":
        tokens = word_tokens(operand) if isinstance(operand, str) else []
        if operator == "Equal":
            return lambda p: bool(tokens) and set(tokens) <= set(items_of(p, field))
        if operator == "NotEqual":
            return lambda p: not set(tokens) & set(items_of(p, field))
        raise AssertionError(operator)
    if operator == "IsNull":
        return lambda p: is_null(p, field) == operand
    if operator in ("ContainsAny", "ContainsAll", "ContainsNone"):
        wanted = [comparable(field, v) for v in operand]
        if operator == "ContainsAny":
            return lambda p: any(w in items_of(p, field) for w in wanted)
        if operator == "ContainsAll":
            return lambda p: all(w in items_of(p, field) for w in wanted)
        return lambda p: not any(w in items_of(p, field) for w in wanted)
    if operator == "Like":
        regex = like(field_token(operand))
        return lambda p: any(regex.fullmatch(v) for v in items_of(p, field))
    if operator == "NotEqual":
        equal = _comparison(field, "Equal", operand)
        return lambda p: not equal(p)
    value = comparable(field, operand)
    compare = COMPARE[operator]
    return lambda p: any(compare(v, value) for v in items_of(p, field))


EARTH_RADIUS = 6_371_000.0  # metres: what Weaviate's geo index uses


def distance(a: GeoCoordinate, b: GeoCoordinate) -> float:
    """The haversine distance in metres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))


def within(center: GeoCoordinate, max_distance: float) -> Predicate:
    def check(p: Probe) -> Maybe:
        if p.place is None:
            return False
        d = distance(center, p.place)
        if abs(d - max_distance) <= 1 + max_distance * 1e-3:
            return None  # float32 coordinates: too close to the boundary to call
        return d < max_distance

    return check


def and_(predicates: list[Predicate]) -> Predicate:
    def check(p: Probe) -> Maybe:
        results = [f(p) for f in predicates]
        return False if False in results else None if None in results else True

    return check


def or_(predicates: list[Predicate]) -> Predicate:
    def check(p: Probe) -> Maybe:
        results = [f(p) for f in predicates]
        return True if True in results else None if None in results else False

    return check


def not_(predicate: Predicate) -> Predicate:
    def check(p: Probe) -> Maybe:
        result = predicate(p)
        return None if result is None else not result

    return check


@dataclass(frozen=True)
class Case:
    """A filter and its oracle."""

    filter: Filter
    matches: Predicate

    def __repr__(self) -> str:
        return repr(self.filter)


# -- filters: strategies -----------------------------------------------------------------

ORDERED = ("text", "number", "ratio", "when", "ref")
SCALAR_OPERATORS = ["Equal", "NotEqual", "GreaterThan", "GreaterThanEqual", "LessThan"]
SCALAR_OPERATORS += ["LessThanEqual"]
CONTAINS = ["ContainsAny", "ContainsAll", "ContainsNone"]
METHODS: dict[str, Callable[[FieldExpr[Any], Any], Filter]] = {
    "Equal": lambda f, v: f == v,
    "NotEqual": lambda f, v: f != v,
    "GreaterThan": lambda f, v: f > v,
    "GreaterThanEqual": lambda f, v: f >= v,
    "LessThan": lambda f, v: f < v,
    "LessThanEqual": lambda f, v: f <= v,
    "Like": lambda f, v: f.like(v),
    "ContainsAny": lambda f, v: f.contains_any(v),
    "ContainsAll": lambda f, v: f.contains_all(v),
    "ContainsNone": lambda f, v: f.contains_none(v),
    "IsNull": lambda f, v: f.is_null(v),
}


Seen = dict[str, list[Any]]  # per item field ("text", "number", ...): values in the dataset


def seen_values(dataset: list[Probe]) -> Seen:
    """The values the dataset holds, per item field, so that operands often hit."""
    seen: Seen = {name: [] for name in [*PROBE_VALUES, "words"]}
    for probe in dataset:
        for name in [*PROBE_VALUES, "words"]:
            value = getattr(probe, name)
            if value is not None:
                seen[name].append(value)
        for name, item in LIST_OF.items():
            seen[item].extend(getattr(probe, name))
    return seen


def operands(item: str, seen: Seen) -> st.SearchStrategy[Any]:
    """An operand for a field of ``item``'s type: one the dataset holds, or any of the
    pool (dates the index cannot hold are refused: see the regression test)."""
    present = [v for v in seen[item] if not unindexed(v)]
    pool = PROBE_VALUES[item].filter(lambda v: not unindexed(v))
    return st.sampled_from(present) | pool if present else pool


@st.composite
def patterns(draw: st.DrawFn, seen: Seen) -> str:
    """A Like pattern: a text of the dataset (or the pool) with wildcards put in."""
    text = draw(operands("text", seen))
    chars = [draw(st.sampled_from([c, c, "?", "*", c + "*"])) for c in text]
    return "".join(chars) or draw(st.sampled_from(["*", "?", ""]))


@st.composite
def conditions(draw: st.DrawFn, seen: Seen) -> Case:
    """One condition: a field, an operator that applies to it, an operand."""
    field = draw(st.sampled_from(["words", "place", *PROBE_VALUES.keys(), *LIST_OF]))
    expression: FieldExpr[Any] = getattr(Probe, field)
    if field == "place":
        center = draw(operands("place", seen))
        max_distance = draw(st.sampled_from([0.0, 600.0, 60_000.0, 1_000_000.0, 30_000_000.0]))
        return Case(expression.within_geo_range(center, max_distance), within(center, max_distance))
    if field == "words":
        operator = draw(st.sampled_from(["Equal", "NotEqual"]))
        words: str = draw(
            st.sampled_from(seen["words"]) | PROBE_WORDS if seen["words"] else PROBE_WORDS
        )
        tokens = word_tokens(words)
        if tokens:  # (a subset of the tokens, in any case)
            picked = draw(st.lists(st.sampled_from(tokens), min_size=1, max_size=2, unique=True))
            words = " ".join(t.upper() if draw(st.booleans()) else t for t in picked)
        else:
            words = "alpha"  # (an operand without a token: no filter to compare with)
        return Case(METHODS[operator](expression, words), comparison(field, operator, words))
    item = LIST_OF.get(field, field)
    operators = ["Equal", "NotEqual", "IsNull", *CONTAINS]
    if item in ORDERED:
        operators += SCALAR_OPERATORS[2:]
    if item == "text":
        operators.append("Like")
    operator = draw(st.sampled_from(operators))
    if operator == "IsNull":
        operand: Any = draw(st.booleans())
    elif operator in CONTAINS:
        operand = draw(st.lists(operands(item, seen), min_size=1, max_size=3))
    elif operator == "Like":
        operand = draw(patterns(seen))
    else:
        operand = draw(operands(item, seen))
    return Case(METHODS[operator](expression, operand), comparison(field, operator, operand))


@st.composite
def filters(draw: st.DrawFn, seen: Seen, depth: int = 2) -> Case:
    """A condition (half the time), or ``&`` / ``|`` of two or three filters, or ``~`` of one."""
    shape = draw(
        st.sampled_from(["leaf", "leaf", "leaf", "and", "or", "not"] if depth else ["leaf"])
    )
    if shape == "leaf":
        return draw(conditions(seen))
    if shape == "not":
        inner = draw(filters(seen, depth - 1))
        return Case(~inner.filter, not_(inner.matches))
    parts = draw(st.lists(filters(seen, depth - 1), min_size=2, max_size=3))
    if shape == "and":
        return Case(wvorm.and_(*(c.filter for c in parts)), and_([c.matches for c in parts]))
    return Case(wvorm.or_(*(c.filter for c in parts)), or_([c.matches for c in parts]))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Probe], list[Case]]:
    """A dataset, and filters whose operands it often holds."""
    dataset = draw(st.lists(probes(), max_size=6))
    seen = seen_values(dataset)
    return dataset, draw(st.lists(filters(seen), min_size=1, max_size=4))


def check_ids(found: set[UUID], dataset: list[Probe], case: Case, how: str) -> None:
    """``found`` holds every object the oracle says matches and none it says does not."""
    verdicts = {p.id: case.matches(p) for p in dataset}
    must = {i for i, v in verdicts.items() if v is True}
    must_not = {i for i, v in verdicts.items() if v is False}
    by_id = {p.id: p for p in dataset}
    missing = [by_id[i] for i in must - found]
    extra = [by_id[i] for i in found & must_not]
    assert not missing and not extra, (
        f"{how}: {case!r}\n  missing (should match): {missing}\n  extra (should not): {extra}"
    )


def test_filters_agree_with_a_python_oracle(client: wvorm.Client) -> None:
    """Random filters on random data give the oracle's ids through the ORM (all and
    count), the v3 builder and the filter encoder of batch deletes."""
    create_all(client, [Probe])
    graphql = not without_graphql(client)

    @examples(100)
    @given(scenario=scenarios())
    def check(scenario: tuple[list[Probe], list[Case]]) -> None:
        dataset, cases = scenario
        with client.batch as batch:
            for probe in dataset:
                batch.add_data_object(to_properties(probe), "Probe", uuid=probe.id)
        assert not client.batch.failed_objects, client.batch.failed_objects
        try:
            for case in cases:
                check_case(dataset, case)
        finally:
            delete_objects(client, "Probe", [p.id for p in dataset])

    def check_case(dataset: list[Probe], case: Case) -> None:
        query = Probe.query.using(client).where(case.filter)
        found = {p.id for p in query.select(Probe.text).all()}
        check_ids(found, dataset, case, f"the ORM over {transport_of(client)}")
        assert query.count() == len(found), f"count() of {case!r}"
        where = case.filter.to_where()
        deleted = client.batch.delete_objects("Probe", where, output="verbose", dry_run=True)
        matched = {UUID(o["id"]) for o in deleted["results"]["objects"] or ()}
        check_ids(matched, dataset, case, "a dry-run batch delete (v3 where, REST)")
        result = client.batch.delete_matching("Probe", case.filter.to_node(), dry_run=True)
        matched = {UUID(o.uuid) for o in result.objects}
        check_ids(matched, dataset, case, f"a dry-run batch delete over {transport_of(client)}")
        if graphql:
            answer = (
                client.query.get("Probe", ["text"])
                .with_where(where)
                .with_additional("id")
                .with_limit(100)
                .do(raise_on_error=True)
            )
            rows = answer["data"]["Get"]["Probe"] or []
            check_ids({UUID(r["_additional"]["id"]) for r in rows}, dataset, case, "the v3 builder")

    check()


# -- regressions (each found by the properties above) -------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ratio", math.nan),
        ("ratios", [1.0, -math.inf]),
        ("text", SURROGATE),
        ("texts", ["ok", SURROGATE]),
        ("data", b""),
        ("address", Address(street="s", photo=b"")),
        ("when", datetime(1, 1, 1, tzinfo=timezone(timedelta(seconds=30)))),
    ],
)
def test_unstorable_values_are_refused_before_sending_regression(
    client: wvorm.Client, field: str, value: Any
) -> None:
    """Bugs: NaN and infinities crashed a gRPC batch worker (protobuf's ValueError) or
    raised a plain ValueError naming no field over REST; a lone surrogate was stored as
    U+FFFD over REST and crashed gRPC with ``TypeError: function takes exactly 5
    arguments``; an empty blob went to the server, which refused it. Now each is a
    CommitError naming the field, and nothing is sent."""
    create_all(client, [Kitchen, Article])
    kitchen = every_type_kitchen(**{field: value})
    with Session(client) as session:
        session.add(kitchen)
        with pytest.raises(CommitError, match=rf"Kitchen\.{field}: cannot convert"):
            session.commit()
        session.rollback()
    assert client.data_object.get_by_id(kitchen.id, class_name="Kitchen") is None


def test_v3_writes_refuse_what_json_cannot_carry_exactly_regression(client: wvorm.Client) -> None:
    """Bugs: ``data_object.create`` let ``requests.InvalidJSONError`` (not a WvormError)
    escape for NaN, stored a lone surrogate as U+FFFD and an int beyond 2**53 rounded;
    a gRPC ``client.batch`` raised ``TypeError: function takes exactly 5 arguments``
    for a lone surrogate, and a REST ``client.batch`` stored U+FFFD and rounded ints.
    Now each is a UsageError before sending."""
    create_all(client, [Kitchen, Article])
    cases: list[tuple[dict[str, Any], str]] = [
        ({"text": "x", "ratio": math.nan}, r"\['ratio'\] = nan"),
        ({"text": SURROGATE}, r"\['text'\] holds a lone surrogate"),
        ({"text": "x", "counts": [1, EXACT_JSON_INT + 1]}, r"\['counts'\]\[1\] = 9007199254740993"),
        ({"text": "x", "address": {"street": SURROGATE}}, r"\['address'\]\['street'\]"),
    ]
    for properties, words in cases:
        object_id = uuid4()
        with pytest.raises(UsageError, match=words):
            client.data_object.create(properties, "Kitchen", uuid=object_id)
        assert client.data_object.get_by_id(object_id, class_name="Kitchen") is None
    # client.batch, over gRPC and REST (REST batches stored U+FFFD and rounded ints)
    for properties, words in cases[1:]:
        object_id = uuid4()
        with pytest.raises(UsageError, match=words), client.batch as batch:
            batch.add_data_object(properties, "Kitchen", uuid=object_id)
        assert client.data_object.get_by_id(object_id, class_name="Kitchen") is None
    with client.batch as batch:  # what merely looks alike is sent
        batch.add_data_object({"text": "\\ud800 😀", "counts": [2**53]}, "Kitchen", uuid=uuid4())
    assert not batch.failed_objects


def test_dates_with_an_offset_in_seconds_are_written_as_utc_regression(
    client: wvorm.Client,
) -> None:
    """Bug: an offset that is not a whole number of minutes was written as
    ``+00:00:30``, which RFC 3339 (and so the server) refuses. Now it is written as the
    same instant in UTC, and reads back equal."""
    create_all(client, [Kitchen, Article])
    odd = timezone(timedelta(seconds=30, microseconds=5))
    when = datetime(2020, 5, 6, 7, 8, 9, 123456, tzinfo=odd)
    kitchen = every_type_kitchen(when=when, whens=[when, datetime(2000, 1, 1, tzinfo=odd)])
    with Session(client) as session:
        session.add(kitchen)
        session.commit()
    assert_reads_back(client, kitchen, "Session")


def test_a_phone_number_without_default_country_reads_back_equal_regression(
    client: wvorm.Client,
) -> None:
    """Bug: Weaviate answers ``defaultCountry: ""`` (GraphQL and gRPC) for a phone
    number written without one, so it read back unequal (None != ""). Now "" is None."""
    create_all(client, [Kitchen, Article])
    kitchen = every_type_kitchen(phone=PhoneNumber(input="+31 20 1234567"))
    with Session(client) as session:
        session.add(kitchen)
        session.commit()
    assert_reads_back(client, kitchen, "Session")
    assert PhoneNumber(input="1", default_country="") == PhoneNumber(input="1")


def test_a_nested_int64_commits_once_regression(client: wvorm.Client) -> None:
    """Bug: over gRPC, a Session wrote a nested int beyond 32 bits, then raised a bare
    UsageError while taking the snapshot of what it wrote (outside the int64 check's
    context), leaving the object pending, so the next commit failed as "already
    exists". Now the commit succeeds, on every transport."""
    create_all(client, [Kitchen, Article])
    kitchen = every_type_kitchen(address=Address(street="s", number=2**40))
    with Session(client) as session:
        session.add(kitchen)
        session.commit()
        assert not session.new and not session.dirty
        session.commit()  # nothing left to write
    assert_reads_back(client, kitchen, "Session")


class Wide(WeaviateModel, vectorizer="none"):
    """Ints that may be wider than GraphQL's 32 bits, in every shape."""

    maybe: Optional[int] = None
    always: int = 0
    unindexed: Annotated[Optional[int], Property(index_filterable=False)] = None
    many: list[int] = []
    address: Optional[Address] = None


def test_int64_written_by_others_reads_back_over_graphql_regression(
    client: wvorm.Client,
) -> None:
    """Bug: Weaviate's GraphQL API answers null for a stored int beyond 32 bits, so over
    GraphQL an int64 written by a gRPC or v3 client read back as None (Optional
    field), as "the server holds null" (required field), or failed validation (a list
    item). Now those objects are read again over REST; real nulls stay None."""
    create_all(client, [Wide])
    wide, narrow, empty = uuid4(), uuid4(), uuid4()
    big = 2**40
    client.data_object.create(
        {"maybe": -big, "always": big, "unindexed": big, "many": [1, big],
         "address": {"street": "s", "number": big}},
        "Wide",
        uuid=wide,
    )  # fmt: skip
    client.data_object.create({"maybe": 3, "always": 4, "many": [5]}, "Wide", uuid=narrow)
    client.data_object.create({"always": 0, "many": [7]}, "Wide", uuid=empty)
    expected = {
        wide: Wide(
            id=wide, maybe=-big, always=big, unindexed=big, many=[1, big],
            address=Address(street="s", number=big),
        ),
        narrow: Wide(id=narrow, maybe=3, always=4, many=[5]),
        empty: Wide(id=empty, many=[7]),  # (maybe and unindexed: real nulls)
    }  # fmt: skip
    query = Wide.query.using(client)
    assert {w.id: w for w in query.all()} == expected
    assert {w.id: w for w in query.iterate(page_size=2)} == expected
    assert {w.id: w for w in query.where(Wide.always >= 0).all()} == expected
    assert query.get(wide) == expected[wide]
    (partial,) = query.select(Wide.maybe, Wide.always).where(Wide.id == wide).all()
    assert (partial.maybe, partial.always) == (-big, big)


def test_int64_reads_back_where_grpc_loads_over_graphql_regression(
    client: wvorm.Client,
) -> None:
    """Bug (found in review): a gRPC client loads a multi-target reference over GraphQL,
    but only a GraphQL client read the objects that GraphQL answered null for again,
    so there an int beyond 32 bits read as null, on the object and on those included."""
    if without_graphql(client):
        pytest.skip("multi-target references load over GraphQL only")
    create_all(client, [Kitchen, Article])
    big = 2**40
    other = every_type_kitchen(count=big, counts=[1, big])
    kitchen = every_type_kitchen(count=-big, related=[other, Article(title="t", content="c")])
    with Session(client) as session:
        session.add(kitchen)
        session.commit()
    loaded = Kitchen.query.using(client).include(Kitchen.related).get(kitchen.id)
    assert loaded is not None and loaded.count == -big
    (included,) = [r for r in loaded.related if isinstance(r, Kitchen)]
    assert (included.count, included.counts) == (big, [1, big])


def test_a_geo_filtered_count_ignores_deleted_objects_regression(client: wvorm.Client) -> None:
    """Bug: Weaviate 1.39's Aggregate counts deleted objects inside a geo range, so
    ``count()`` of a ``within_geo_range`` filter disagreed with ``len(all())`` after a
    delete. Now such a count reads the matching ids."""
    create_all(client, [Probe])
    amsterdam = GeoCoordinate(latitude=52.366667, longitude=4.9)
    probes = [Probe(place=amsterdam), Probe(place=amsterdam), Probe(text="kept", place=amsterdam)]
    with Session(client) as session:
        session.add_all(probes)
        session.commit()
    delete_objects(client, "Probe", [p.id for p in probes[:2]])
    query = Probe.query.using(client).where(Probe.place.within_geo_range(amsterdam, 600))
    assert query.count() == len(query.all()) == 1
    assert query.limit(5).count() == 1 and query.offset(1).count() == 0


@pytest.mark.parametrize(
    "build",
    [
        lambda: Probe.when > datetime(9999, 12, 31, tzinfo=UTC),
        lambda: Probe.when == datetime(1600, 1, 1),
        lambda: Probe.whens.contains_any([datetime(2020, 1, 1), datetime(2263, 1, 1)]),
        lambda: Probe.ratio > math.nan,
        lambda: Probe.ratios.contains_any([1.0, math.inf]),
        lambda: Probe.ratio < 10**400,
        lambda: Probe.text == SURROGATE,
        lambda: Probe.text.like("a*" + SURROGATE),
        lambda: Probe.texts.contains_all([SURROGATE]),
        lambda: Probe.place.within_geo_range((math.nan, 0.0), 10),
    ],
)
def test_filter_operands_the_server_cannot_compare_are_refused_regression(
    build: Callable[[], Filter],
) -> None:
    """Bugs: a date operand beyond what Weaviate's date index holds (int64 nanoseconds:
    1677-09-21 to 2262-04-11) matched wrongly (``when > 9999-12-31`` matched 2020);
    a NaN operand was sent over gRPC; a lone surrogate failed inside protobuf or the
    GraphQL renderer. Now each is a FilterError where the filter is written."""
    with pytest.raises(FilterError, match="Probe"):
        build()
    assert (
        (Probe.when > datetime(2262, 4, 11, tzinfo=UTC))
        .to_where()["valueDate"]
        .startswith("2262-04-11")
    )


class Keyed(WeaviateModel, vectorizer="none", natural_key="key"):
    key: int


def test_a_natural_key_beyond_32_bits_gives_an_id_regression() -> None:
    """Bug: deriving a natural-key id encoded the key with the write checks, outside
    any transport's context, so a model with an int key beyond 32 bits could not even
    be constructed. Now the id is derived whatever the transport (the write checks)."""
    assert Keyed(key=2**40).id == Keyed(key=2**40).id != Keyed(key=2**40 + 1).id

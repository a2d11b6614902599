"""Write ``graphql_v3.json``: weaviate-client 3.26.7's ``build()`` text of every case in
``graphql_cases.py``.

Not run by the suite (v3 is not installed there). After changing ``graphql_cases.py``,
run it by hand in a virtualenv that has v3, from the project root, and commit the
result::

    python -m venv /tmp/v3venv && /tmp/v3venv/bin/pip install weaviate-client==3.26.7
    /tmp/v3venv/bin/python -m tests.v3compat.generate_v3_graphql

No server is needed: v3's builders only read ``server_version`` from their connection
(to decide on deprecation warnings), so a stand-in object serves. For the cases in
``DIFFERENCES`` the file records v3's text, or the exception v3 raised.
"""

from __future__ import annotations

import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import weaviate.gql  # type: ignore[import-not-found]

from tests.v3compat.graphql_cases import CASES, DIFFERENCES, Case

OUTPUT = Path(__file__).with_name("graphql_v3.json")


class StandInConnection:
    """What v3's builders read from a connection when building (nothing is sent)."""

    server_version = "1.39.3"


def v3_text(build_case: Case) -> str:
    query: Any = weaviate.gql.Query(StandInConnection())
    return str(build_case(query).build())


def v3_text_or_error(build_case: Case) -> str:
    try:
        return v3_text(build_case)
    except Exception as exc:  # v3's failure is what is recorded
        return f"{type(exc).__name__}: {exc}"


def main() -> None:
    result = {
        "weaviate-client": version("weaviate-client"),
        "cases": {name: v3_text(build_case) for name, build_case in CASES.items()},
        "differences": {name: v3_text_or_error(c) for name, c in DIFFERENCES.items()},
    }
    OUTPUT.write_text(json.dumps(result, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"wrote {len(CASES)} cases and {len(DIFFERENCES)} differences to {OUTPUT}")


if __name__ == "__main__":
    main()

"""``python -m wvorm install``: install the pinned weaviate-server and print its path."""

from __future__ import annotations

import sys

from wvorm.embedded import EmbeddedOptions, find_or_install_binary
from wvorm.errors import WeaviateStartUpError


def main(argv: list[str]) -> int:
    """Run the command line; returns the exit code."""
    if argv != ["install"]:
        print("usage: python -m wvorm install", file=sys.stderr)
        return 2
    try:
        print(find_or_install_binary(EmbeddedOptions()))
    except WeaviateStartUpError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

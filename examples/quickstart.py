"""Quickstart: start an embedded Weaviate server and talk to it.

Run it with ``scripts/quickstart`` (which installs everything first) or, once set
up, ``.venv/bin/python examples/quickstart.py``.
"""

from __future__ import annotations

import wvorm


def main() -> None:
    # No URL: wvorm starts a local weaviate-server on free ports with a temporary
    # data directory, and stops it when the block ends.
    with wvorm.connect() as client:
        meta = client.get_meta()
        print(f"Weaviate {meta['version']} is running at {client.url}")


if __name__ == "__main__":
    main()

"""The harness's own view of the server: reset a class, count its objects, read the version.

Plain HTTP through ``requests``, so that the referee never depends on the client
being measured.
"""

from __future__ import annotations

import time
from typing import Any

import requests


class ServerAdmin:
    """Administrative calls against one Weaviate server at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self._http = requests.Session()

    def _check(self, response: requests.Response, action: str) -> requests.Response:
        if response.status_code >= 300:
            raise RuntimeError(f"{action}: HTTP {response.status_code}: {response.text[:500]}")
        return response

    def version(self) -> str:
        """The server's version string."""
        meta = self._check(self._http.get(f"{self.url}/v1/meta", timeout=30), "GET /v1/meta")
        return str(meta.json().get("version", "?"))

    def reset_class(self, schema: dict[str, Any]) -> None:
        """Delete the class (if present) and create it again from ``schema``, empty."""
        name = schema["class"]
        response = self._http.delete(f"{self.url}/v1/schema/{name}", timeout=300)
        if response.status_code not in (200, 400, 404):  # 400/404: it did not exist
            self._check(response, f"DELETE class {name}")
        self._check(
            self._http.post(f"{self.url}/v1/schema", json=schema, timeout=300),
            f"create class {name}",
        )
        # A new class is usable once its shard answers; the first count proves it.
        deadline = time.monotonic() + 60
        while self.count(name) != 0:
            if time.monotonic() > deadline:
                raise RuntimeError(f"class {name} was recreated but is not empty")
            time.sleep(0.5)

    def vector_length(self, name: str, object_id: str) -> int:
        """The length of the stored vector of one object (0 when it has none)."""
        response = self._check(
            self._http.get(
                f"{self.url}/v1/objects/{name}/{object_id}",
                params={"include": "vector"},
                timeout=30,
            ),
            f"GET object {object_id}",
        )
        return len(response.json().get("vector") or [])

    def has_class(self, name: str) -> bool:
        """True when class ``name`` exists."""
        return self._http.get(f"{self.url}/v1/schema/{name}", timeout=30).status_code == 200

    def delete_class(self, name: str) -> None:
        """Delete the class if it exists."""
        self._http.delete(f"{self.url}/v1/schema/{name}", timeout=300)

    def count(self, name: str) -> int:
        """The number of objects in class ``name``, from GraphQL Aggregate meta count."""
        query = {"query": f"{{ Aggregate {{ {name} {{ meta {{ count }} }} }} }}"}
        response = self._check(
            self._http.post(f"{self.url}/v1/graphql", json=query, timeout=300), "Aggregate count"
        )
        body = response.json()
        if body.get("errors"):
            raise RuntimeError(f"Aggregate count of {name} failed: {body['errors']}")
        return int(body["data"]["Aggregate"][name][0]["meta"]["count"])

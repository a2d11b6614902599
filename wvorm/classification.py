"""``client.classification``: schedule and follow classifications (REST ``/v1/classifications``).

A classification fills a class's reference properties (``classify_properties``)
for the objects that lack them, from the objects that have them:

- ``knn``: the k nearest labelled objects by vector vote. It needs only
  objects with vectors (given explicitly or by any vectorizer).
- ``zeroshot``: each object gets a reference to the nearest object of the
  target class; it needs vectors on both classes (explicit ones do).
- ``text2vec-contextionary`` (contextual) needs the ``text2vec-contextionary``
  module and its inference container, which cannot run here, so wvorm does not
  offer a helper for it; the builder still sends any ``with_type(...)`` and
  ``with_settings(...)`` the server knows.

>>> client.classification.schedule() \\
...     .with_type("knn").with_class_name("Article") \\
...     .with_based_on_properties(["summary"]).with_classify_properties(["hasCategory"]) \\
...     .with_settings({"k": 3}).with_wait_for_completion().do()
"""

from __future__ import annotations

import copy
import time
from typing import TYPE_CHECKING, Any

from wvorm._inputs import capitalize_first_letter, get_valid_uuid
from wvorm.errors import UsageError, json_body

if TYPE_CHECKING:
    from wvorm.connection import Connection

POLL_INTERVAL = 0.5  # seconds between status checks while waiting for completion
REQUIRED_FIELDS = ("type", "class", "basedOnProperties", "classifyProperties")


class Classification:
    """Schedules classifications and reads their status."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def schedule(self) -> ConfigBuilder:
        """A builder for a new classification; ``.do()`` starts it."""
        return ConfigBuilder(self._connection, self)

    def get(self, classification_uuid: str) -> dict[str, Any]:
        """The classification's record: ``status``, ``meta`` (counts, times), its settings."""
        classification_id = get_valid_uuid(classification_uuid)
        record: dict[str, Any] = self._connection.get_json(
            f"/classifications/{classification_id}",
            f"Get classification {classification_id}",
        )
        return record

    def is_complete(self, classification_uuid: str) -> bool:
        """True when the classification has completed."""
        return self._status(classification_uuid) == "completed"

    def is_failed(self, classification_uuid: str) -> bool:
        """True when the classification has failed (``get(...)["error"]`` says why)."""
        return self._status(classification_uuid) == "failed"

    def is_running(self, classification_uuid: str) -> bool:
        """True while the classification runs."""
        return self._status(classification_uuid) == "running"

    def _status(self, classification_uuid: str) -> str:
        status: str = self.get(classification_uuid).get("status", "")
        return status


class ConfigBuilder:
    """Collects a classification's settings (v3 builder names); :meth:`do` starts it."""

    def __init__(self, connection: Connection, classification: Classification) -> None:
        self._connection = connection
        self._classification = classification
        self._config: dict[str, Any] = {}
        self._wait_for_completion = False

    def with_type(self, classification_type: str) -> ConfigBuilder:
        """``"knn"``, ``"zeroshot"`` or ``"text2vec-contextionary"``."""
        self._config["type"] = classification_type
        return self

    def with_class_name(self, class_name: str) -> ConfigBuilder:
        """The class whose objects are classified."""
        self._config["class"] = capitalize_first_letter(class_name)
        return self

    def with_classify_properties(self, classify_properties: list[str]) -> ConfigBuilder:
        """The reference properties to fill in."""
        self._config["classifyProperties"] = _names(classify_properties, "classify_properties")
        return self

    def with_based_on_properties(self, based_on_properties: list[str]) -> ConfigBuilder:
        """The properties the classification is based on."""
        self._config["basedOnProperties"] = _names(based_on_properties, "based_on_properties")
        return self

    def with_k(self, k: int) -> ConfigBuilder:
        """kNN: how many neighbours vote (the same as ``with_settings({"k": k})``)."""
        return self.with_settings({"k": k})

    def with_settings(self, settings: dict[str, Any]) -> ConfigBuilder:
        """Type-specific settings, merged into any given before (e.g. ``{"k": 3}``)."""
        if not isinstance(settings, dict):
            raise UsageError(f"settings must be a dict, got {type(settings).__name__}")
        self._config.setdefault("settings", {}).update(copy.deepcopy(settings))
        return self

    def with_source_where_filter(self, where_filter: dict[str, Any]) -> ConfigBuilder:
        """Classify only the objects that match this where filter."""
        return self._filter("sourceWhere", where_filter)

    def with_training_set_where_filter(self, where_filter: dict[str, Any]) -> ConfigBuilder:
        """kNN: learn only from the labelled objects that match this where filter."""
        return self._filter("trainingSetWhere", where_filter)

    def with_target_where_filter(self, where_filter: dict[str, Any]) -> ConfigBuilder:
        """Zero-shot: choose only among target objects that match this where filter."""
        return self._filter("targetWhere", where_filter)

    def with_wait_for_completion(self) -> ConfigBuilder:
        """Make :meth:`do` return only once the classification has stopped running."""
        self._wait_for_completion = True
        return self

    def _filter(self, key: str, where_filter: dict[str, Any]) -> ConfigBuilder:
        if not isinstance(where_filter, dict):
            raise UsageError(f"A where filter must be a dict, got {type(where_filter).__name__}")
        self._config.setdefault("filters", {})[key] = copy.deepcopy(where_filter)
        return self

    def _validate(self) -> None:
        missing = [field for field in REQUIRED_FIELDS if field not in self._config]
        if missing:
            raise UsageError(
                f"The classification is missing {missing}: set them with with_type, "
                "with_class_name, with_based_on_properties and with_classify_properties"
            )
        if self._config["type"] == "knn" and "k" not in self._config.get("settings", {}):
            raise UsageError('A knn classification needs k: call .with_settings({"k": 3})')

    def do(self) -> dict[str, Any]:
        """Start the classification and return its record (the final one when waiting).

        A failed classification is returned, not raised, as in v3: check
        ``record["status"]`` (``"completed"`` or ``"failed"``) and ``record["error"]``.
        """
        self._validate()
        action = f"Start a {self._config['type']} classification of class {self._config['class']!r}"
        record: dict[str, Any] = json_body(
            self._connection.call(
                "POST", "/classifications", ok=201, action=action, json=self._config
            ),
            action,
        )
        if not self._wait_for_completion:
            return record
        while record.get("status") == "running":
            time.sleep(POLL_INTERVAL)
            record = self._classification.get(record["id"])
        return record


def _names(names: Any, argument: str) -> list[str]:
    if (
        isinstance(names, str)
        or not isinstance(names, list)
        or not all(isinstance(n, str) and n for n in names)
    ):
        raise UsageError(f"{argument} must be a list of property names, got {names!r}")
    return list(names)

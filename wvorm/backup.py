"""``client.backup``: create and restore backups (REST ``/v1/backups/{backend}``).

The backend is a server module: ``filesystem`` (``backup-filesystem``, for one
node), ``s3``, ``gcs`` or ``azure``. Backup ids are lower-cased, as the server
allows only ``a-z``, ``0-9``, ``_`` and ``-``; class names are capitalised.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, Union

from wvorm._inputs import capitalize_first_letter
from wvorm.errors import BackupFailedException, UsageError, json_body

if TYPE_CHECKING:
    from wvorm.connection import Connection

logger = logging.getLogger("wvorm.backup")

POLL_INTERVAL = 0.5  # seconds between status checks while waiting for completion
FAILED_STATUSES = frozenset({"FAILED", "CANCELED"})

ClassNames = Union[str, list[str], None]


class Backup:
    """Starts backups and restores, and reads their status."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def create(
        self,
        backup_id: str,
        backend: str,
        include_classes: ClassNames = None,
        exclude_classes: ClassNames = None,
        wait_for_completion: bool = False,
    ) -> dict[str, Any]:
        """Back up every class, or only ``include_classes``, or all but ``exclude_classes``.

        Returns the server's answer (``id``, ``backend``, ``path``, ``classes``,
        ``status``). With ``wait_for_completion`` it returns once the backup has
        succeeded, with the final status merged in, and raises
        :class:`BackupFailedException` when it fails.
        """
        backup_id, backend = _checked_target(backup_id, backend)
        body = {"id": backup_id, **_class_filter(include_classes, exclude_classes)}
        action = f"Create backup {backup_id!r}"
        answer: dict[str, Any] = json_body(
            self._connection.call("POST", f"/backups/{backend}", action=action, json=body),
            action,
        )
        if wait_for_completion:
            return self._wait(answer, lambda: self.get_create_status(backup_id, backend), "Backup")
        return answer

    def get_create_status(self, backup_id: str, backend: str) -> dict[str, Any]:
        """The status of a backup: ``STARTED``, ``TRANSFERRING``, ..., ``SUCCESS`` or ``FAILED``."""
        backup_id, backend = _checked_target(backup_id, backend)
        status: dict[str, Any] = self._connection.get_json(
            f"/backups/{backend}/{backup_id}", f"Get the status of backup {backup_id!r}"
        )
        return status

    def restore(
        self,
        backup_id: str,
        backend: str,
        include_classes: ClassNames = None,
        exclude_classes: ClassNames = None,
        wait_for_completion: bool = False,
    ) -> dict[str, Any]:
        """Restore the classes of a backup (or only some); the classes must not exist.

        Returns like :meth:`create`, and raises :class:`BackupFailedException` when
        a waited-for restore fails.
        """
        backup_id, backend = _checked_target(backup_id, backend)
        body = {"config": {}, **_class_filter(include_classes, exclude_classes)}
        action = f"Restore backup {backup_id!r}"
        answer: dict[str, Any] = json_body(
            self._connection.call(
                "POST", f"/backups/{backend}/{backup_id}/restore", action=action, json=body
            ),
            action,
        )
        if wait_for_completion:
            return self._wait(
                answer, lambda: self.get_restore_status(backup_id, backend), "Restore of backup"
            )
        return answer

    def get_restore_status(self, backup_id: str, backend: str) -> dict[str, Any]:
        """The status of a restore, as :meth:`get_create_status` gives it for a backup."""
        backup_id, backend = _checked_target(backup_id, backend)
        status: dict[str, Any] = self._connection.get_json(
            f"/backups/{backend}/{backup_id}/restore",
            f"Get the restore status of backup {backup_id!r}",
        )
        return status

    @staticmethod
    def _wait(answer: dict[str, Any], get_status: Any, what: str) -> dict[str, Any]:
        result = dict(answer)
        while True:
            status = get_status()
            result.update(status)
            state = status.get("status")
            if state == "SUCCESS":
                return result
            if state in FAILED_STATUSES:
                raise BackupFailedException(
                    f"{what} {result.get('id')!r} on backend {result.get('backend')!r} ended "
                    f"{state}: {status.get('error') or 'the server gave no reason'}"
                )
            logger.debug("%s %s: %s", what, result.get("id"), state)
            time.sleep(POLL_INTERVAL)


# The backup modules Weaviate ships; v3 refuses any other name before sending.
BACKENDS = ("filesystem", "s3", "gcs", "azure")


def _checked_target(backup_id: Any, backend: Any) -> tuple[str, str]:
    if not isinstance(backup_id, str) or not backup_id:
        raise UsageError(f"backup_id must be a non-empty str, got {backup_id!r}")
    if not isinstance(backend, str) or backend.lower() not in BACKENDS:
        # (UsageError is a ValueError, the type v3 raises here)
        raise UsageError(
            f"'backend' must have one of these values: {', '.join(BACKENDS)} (the server's "
            f"backup-<backend> module), got {backend!r}"
        )
    return backup_id.lower(), backend.lower()


def _class_list(classes: ClassNames, name: str) -> list[str]:
    if classes is None:
        return []
    if isinstance(classes, str):
        classes = [classes]
    if not isinstance(classes, list) or not all(isinstance(c, str) and c for c in classes):
        raise UsageError(
            f"{name} must be a class name, a list of class names or None, got {classes!r}"
        )
    return [capitalize_first_letter(c) for c in classes]


def _class_filter(include_classes: ClassNames, exclude_classes: ClassNames) -> dict[str, Any]:
    """The ``include``/``exclude`` part of a backup or restore request body."""
    include = _class_list(include_classes, "include_classes")
    exclude = _class_list(exclude_classes, "exclude_classes")
    if include and exclude:
        raise UsageError("Give include_classes or exclude_classes, not both")
    return {"include": include, "exclude": exclude}

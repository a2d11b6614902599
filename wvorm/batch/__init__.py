"""``client.batch``: import objects and references in bulk (the v3 ``Batch``).

- :mod:`wvorm.batch.batch`: the :class:`Batch` users talk to (modes, threads, back-pressure).
- :mod:`wvorm.batch.sender`: one request, retried until answered; per-item results.
- :mod:`wvorm.batch.items`: items encoded once; the records of what failed.
- :mod:`wvorm.batch.where`: the REST form of a ``where`` filter (``delete_objects``).
"""

from __future__ import annotations

from wvorm.batch.batch import Batch, Shard
from wvorm.batch.items import FailedObject, FailedReference
from wvorm.batch.sender import WeaviateErrorRetryConf

__all__ = ["Batch", "FailedObject", "FailedReference", "Shard", "WeaviateErrorRetryConf"]

"""The v3 module path ``weaviate.exceptions``; every error lives in :mod:`wvorm.errors`.

All of v3's names are here (``WeaviateBaseError`` is :class:`~wvorm.errors.WvormError`,
``ERROR_CODE_EXPLANATION`` too), with wvorm's own errors.
"""

from __future__ import annotations

from wvorm.errors import *  # noqa: F403
from wvorm.errors import __all__ as __all__

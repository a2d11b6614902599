"""The v3 module path ``weaviate.exceptions``; every error lives in :mod:`wvorm.errors`."""

from __future__ import annotations

from wvorm.errors import *  # noqa: F403
from wvorm.errors import __all__ as __all__

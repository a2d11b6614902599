"""Files that mypy checks to keep the typed API honest (they also run under pytest)."""

"""wvorm's benchmark harness: throughput ratios measured side by side in one run.

Run ``python -m bench.run --help``; see ``bench/README.md``. This package imports
only the standard library at the top level, because ``bench/v3_import.py`` runs
inside a separate virtualenv (``bench/.venv-v3``) that has weaviate-client 3.26.7
but not wvorm.
"""

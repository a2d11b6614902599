"""Real local services the test suite runs Weaviate against.

- :mod:`tests.support.embedder`: a deterministic embedding service speaking Weaviate's
  ``text2vec-transformers`` inference API and OpenAI's ``/v1/embeddings``.
- :mod:`tests.support.oidc`: a real OpenID Connect provider (nanoidp, in its own
  virtualenv) for the password, client-credentials and refresh-token flows.
"""

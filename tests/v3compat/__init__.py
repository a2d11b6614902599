"""Checks that wvorm reproduces weaviate-client 3.26 where a user can see it."""

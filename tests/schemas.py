"""Test data shared by several test modules."""

from __future__ import annotations

from typing import Any

# The spec's schema.create example (python-client-v3.md, "client.schema.create"), verbatim.
# Tests must not change it: copy it first.
SPEC_SCHEMA: dict[str, Any] = {
    "classes": [
        {
            "class": "Publication",
            "description": "A publication with an online source",
            "properties": [
                {"dataType": ["text"], "description": "Name of the publication", "name": "name"},
                {
                    "dataType": ["Article"],
                    "description": "The articles this publication has",
                    "name": "hasArticles",
                },
                {
                    "dataType": ["geoCoordinates"],
                    "description": "Geo location of the HQ",
                    "name": "headquartersGeoLocation",
                },
            ],
        },
        {
            "class": "Article",
            "description": "A written text, for example a news article or blog post",
            "properties": [
                {"dataType": ["text"], "description": "Title of the article", "name": "title"},
                {
                    "dataType": ["text"],
                    "description": "The content of the article",
                    "name": "content",
                },
            ],
        },
        {
            "class": "Author",
            "description": "The writer of an article",
            "properties": [
                {"dataType": ["text"], "description": "Name of the author", "name": "name"},
                {
                    "dataType": ["Article"],
                    "description": "Articles this author wrote",
                    "name": "wroteArticles",
                },
                {
                    "dataType": ["Publication"],
                    "description": "The publication this author writes for",
                    "name": "writesFor",
                },
            ],
        },
    ]
}

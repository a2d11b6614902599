"""The model API as the type checker sees it: ``mypy`` checks every ``assert_type`` here.

Lines marked ``# type: ignore[...]`` must stay errors for mypy: with
``warn_unused_ignores`` (strict mode) mypy fails if one of them starts to pass.
Under pytest the same code runs and checks the runtime agrees.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Optional
from uuid import UUID, uuid4

import pytest
from pydantic import Field, ValidationError
from typing_extensions import assert_type

from wvorm.orm import (
    GeoCoordinate,
    ModelInfo,
    ObjectState,
    PhoneNumber,
    Property,
    PropertyInfo,
    Vector,
    WeaviateModel,
    model_info,
    state_of,
)
from wvorm.orm._models import from_properties, to_properties


class Publication(WeaviateModel):
    """A publication with an online source"""

    name: str
    headquarters: Optional[GeoCoordinate] = None


class Article(WeaviateModel, vectorizer="text2vec-transformers"):
    """A written text"""

    title: Annotated[str, Property(tokenization="word")]
    word_count: int = Field(0, alias="wordCount")
    published: Optional[datetime] = None
    tags: list[str] = []
    author: Optional[Author] = None


class Author(WeaviateModel, natural_key="name"):
    name: str
    phone: Optional[PhoneNumber] = None
    wrote_articles: list[Article] = []
    writes_for: Optional[Publication] = None


def test_constructors_and_fields_are_typed() -> None:
    article = Article(title="t", word_count=3, tags=["a"])
    assert_type(article, Article)
    assert_type(article.id, UUID)
    assert_type(article.title, str)
    assert_type(article.word_count, int)
    assert_type(article.published, Optional[datetime])
    assert_type(article.tags, list[str])
    assert_type(article.author, Optional[Author])

    author = Author(name="Jane", wrote_articles=[article], id=uuid4())
    assert_type(author.wrote_articles, list[Article])
    assert_type(author.writes_for, Optional[Publication])
    geo = GeoCoordinate(latitude=1.0, longitude=2.0)
    assert_type(Publication(name="p", headquarters=geo).headquarters, Optional[GeoCoordinate])
    assert_type(PhoneNumber(input="06", default_country="NL").default_country, Optional[str])


def test_wrong_constructor_arguments_are_type_errors() -> None:
    with pytest.raises(ValidationError):
        Article(title=1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Author()  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Author(name="x", wrote_articles=[Publication(name="p")])  # type: ignore[list-item]


def test_helpers_are_typed() -> None:
    info = model_info(Article)
    assert_type(info, ModelInfo)
    assert_type(info.field("title"), PropertyInfo)
    loaded = from_properties(Article, {"title": "t"}, uuid=uuid4())
    assert_type(loaded, Article)
    assert_type(to_properties(loaded), dict[str, Any])
    assert_type(state_of(loaded), ObjectState)
    assert_type(state_of(loaded).vector, Optional[list[float]])


class Embedded(WeaviateModel):
    text: str
    embedding: Annotated[Optional[list[float]], Vector(2)] = None


class Tokens(WeaviateModel):
    tokens: Annotated[Optional[list[list[float]]], Vector(2, name="tokens")] = None


def test_vector_fields_are_typed_attributes() -> None:
    doc = Embedded(text="t", embedding=[0.5, 0.5])
    assert_type(doc.embedding, Optional[list[float]])
    doc.embedding = [1.0, 0.0]
    assert doc.embedding == [1.0, 0.0] and state_of(doc).vector == [1.0, 0.0]
    with pytest.raises(ValidationError):
        Embedded(text="t", embedding="not a vector")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        doc.embedding = "not a vector"  # type: ignore[assignment]
    tokens = Tokens(tokens=[[1.0, 0.0]])
    assert_type(tokens.tokens, Optional[list[list[float]]])
    with pytest.raises(ValidationError):
        tokens.tokens = [1.0, 0.0]  # type: ignore[list-item]

"""Every mapped type: written through a Session, read through a query, equal again."""

from __future__ import annotations

from typing import Literal, Optional

import wvorm
from tests.orm.test_schema import Article, Kitchen, every_type_kitchen
from wvorm import Session, WeaviateModel, create_all


class Tagged(WeaviateModel):
    """Literal and Optional values."""

    size: Literal["small", "large"] = "small"
    note: Optional[str] = None


def test_every_type_round_trips_through_session_and_query(client: wvorm.Client) -> None:
    create_all(client, [Kitchen, Article, Tagged])
    other = Kitchen(text="the other kitchen")
    article = Article(title="A title", content="Some content")
    original = every_type_kitchen(related=[other, article])  # a multi-target reference
    tagged = [Tagged(size="large", note="n"), Tagged()]
    with Session(client) as session:
        session.add(original)  # cascades to both referenced objects
        session.add_all(tagged)
        session.commit()

    loaded = Kitchen.query.using(client).include(Kitchen.related).get(original.id)
    assert loaded is not None and loaded is not original
    assert loaded == original
    assert sorted(type(r).__name__ for r in loaded.related) == ["Article", "Kitchen"]
    assert {r.id for r in loaded.related} == {other.id, article.id}
    assert loaded.phone is not None and loaded.phone.valid is True  # parsed by the server
    back = {t.id: t for t in Tagged.query.using(client).all()}
    assert back == {t.id: t for t in tagged}

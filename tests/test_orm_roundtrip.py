"""Every mapped type: written through a Session, read through a query, equal again."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal, Optional
from uuid import UUID

import wvorm
from tests.test_orm_schema import Address, Article, Kitchen, Mood
from wvorm import GeoCoordinate, PhoneNumber, Session, WeaviateModel, create_all


class Tagged(WeaviateModel):
    """Literal and Optional values."""

    size: Literal["small", "large"] = "small"
    note: Optional[str] = None


def test_every_type_round_trips_through_session_and_query(client: wvorm.Client) -> None:
    create_all(client, [Kitchen, Article, Tagged])
    other = Kitchen(text="the other kitchen")
    article = Article(title="A title", content="Some content")
    original = Kitchen(
        text='Ünïcode "quotes" \\ and\nnewlines \U0001f600',
        count=-3,
        ratio=2.5,
        flag=True,
        when=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc),
        ref_id=UUID(int=5),
        data=b"\x00\x01binary\xff",
        texts=["a", "b"],
        counts=[1, 2],
        ratios=[0.25],
        flags=[False],
        whens=[datetime(2020, 1, 1, tzinfo=timezone.utc)],
        ids=[UUID(int=9)],
        place=GeoCoordinate(latitude=52.366667, longitude=4.9),
        phone=PhoneNumber(input="020 1234567", default_country="nl"),
        address=Address(street="Main", number=4, photo=b"jpg"),
        addresses=[Address(street="A")],
        mood=Mood.SAD,
        moods=[Mood.HAPPY, Mood.SAD],
        related=[other, article],  # a multi-target reference
    )
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

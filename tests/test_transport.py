"""Choosing the transport, servers without GraphQL, and gRPC errors, on real servers."""

from __future__ import annotations

import logging
import sys
import time
from typing import TYPE_CHECKING, Annotated, Optional

import pytest

import wvorm
from tests.conftest import API_KEYS, OIDC_TOKEN_LIFETIME, ServerFactory
from tests.orm.conftest import transport_client
from wvorm import Session, WeaviateModel
from wvorm.embedded import EmbeddedServer

if TYPE_CHECKING:
    from tests.support.oidc import OIDCProvider
from wvorm.errors import (
    AuthenticationFailedException,
    GraphQLDisabledError,
    GrpcUnavailableError,
    QueryError,
    WeaviateConnectionError,
)


class TNote(WeaviateModel, vector_dimensions=2):
    text: str
    rank: int = 0
    score: Annotated[Optional[float], wvorm.Property(index_filterable=True)] = None


def write_notes(client: wvorm.Client, n: int = 5) -> list[TNote]:
    wvorm.create_all(client, [TNote])
    notes = [TNote(text=f"n{i}", rank=i) for i in range(n)]
    with Session(client) as session:
        for i, note in enumerate(notes):
            wvorm.state_of(note).vector = [1.0, float(i)]
            session.add(note)
        session.commit()
    return notes


def test_the_choice_is_logged_once_at_info(
    weaviate_server: EmbeddedServer, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="wvorm.transport"):
        grpc_client = transport_client(weaviate_server, "grpc")
        _ = grpc_client.transport, grpc_client.transport
        plain = wvorm.Client(weaviate_server.url)
        assert plain.transport.name == "GraphQL"
    messages = [r.getMessage() for r in caplog.records if r.name == "wvorm.transport"]
    assert len(messages) == 2
    assert "over gRPC at 127.0.0.1:" in messages[0] or "over gRPC at localhost:" in messages[0]
    assert "over GraphQL (not gRPC: no gRPC port configured" in messages[1]
    grpc_client.close()
    plain.close()


def test_v3_names_and_embedded_servers_enable_grpc(weaviate_server: EmbeddedServer) -> None:
    config = wvorm.Config(grpc_port_experimental=weaviate_server.ports.grpc)
    with wvorm.Client(weaviate_server.url, additional_config=config) as client:
        assert client.transport.name == "gRPC"
    with wvorm.Client(embedded_options=wvorm.EmbeddedOptions()) as embedded:
        assert embedded.transport.name == "gRPC"


def test_an_unreachable_grpc_port_falls_back_or_fails_loudly(
    weaviate_server: EmbeddedServer,
) -> None:
    dead_port = weaviate_server.ports.gossip  # a port that does not speak gRPC
    auto = wvorm.Config(grpc_port=dead_port, connection_config=wvorm.ConnectionConfig())
    with wvorm.Client(weaviate_server.url, additional_config=auto, timeout_config=(1, 5)) as c:
        assert c.transport.name == "GraphQL"
    forced = wvorm.Config(grpc_port=dead_port, transport="grpc")
    url = weaviate_server.url
    with wvorm.Client(url, additional_config=forced, timeout_config=(1, 5)) as c:  # noqa: SIM117
        with pytest.raises(GrpcUnavailableError, match=r"does not answer.*wvorm\[grpc\]"):
            _ = c.transport
    odd = wvorm.Config(transport="rest")
    with wvorm.Client(weaviate_server.url, additional_config=odd) as c:  # noqa: SIM117
        with pytest.raises(wvorm.UsageError, match="transport"):
            _ = c.transport


def test_a_server_without_graphql_works_over_grpc(server_factory: ServerFactory) -> None:
    server = server_factory(additional_env_vars={"DISABLE_GRAPHQL": "true"})
    with transport_client(server, "grpc") as client:
        notes = write_notes(client)
        query = TNote.query.using(client)
        assert sorted(n.text for n in query.all()) == [n.text for n in notes]
        assert query.where(TNote.rank >= 3).count() == 2
        assert query.aggregate(TNote.rank)[TNote.rank]["sum"] == 10
        nearest = query.near_vector([1.0, 4.0]).limit(1).one()
        assert nearest.id == notes[4].id
        assert sorted(n.rank for n in query.iterate(page_size=2)) == [n.rank for n in notes]
    with transport_client(server, "graphql") as client:  # noqa: SIM117 (py3.9 syntax)
        with pytest.raises(GraphQLDisabledError, match=r"DISABLE_GRAPHQL.*wvorm\[grpc\]"):
            TNote.query.using(client).all()


def test_grpc_errors_carry_the_servers_message(client_grpc: wvorm.Client) -> None:
    write_notes(client_grpc, 2)

    class Missing(WeaviateModel):
        name: str

    with pytest.raises(QueryError, match=r"gRPC query failed: .*Missing") as unknown:
        Missing.query.using(client_grpc).all()
    assert unknown.value.transport == "gRPC"
    assert "Get" in unknown.value.query  # the query, described as GraphQL text

    class TNoteElsewhere(WeaviateModel, name="TNote"):
        text: str
        colour: str = ""

    with pytest.raises(QueryError, match="colour"):
        TNoteElsewhere.query.using(client_grpc).where(TNoteElsewhere.colour == "red").all()


def test_grpc_auth_failure_is_an_authentication_error(api_key_server: EmbeddedServer) -> None:
    good = wvorm.AuthApiKey(next(iter(API_KEYS)))
    config = wvorm.Config(grpc_port=api_key_server.ports.grpc, transport="grpc")
    with wvorm.Client(api_key_server.url, auth_client_secret=good, additional_config=config) as c:
        write_notes(c, 1)
        assert len(TNote.query.using(c).all()) == 1
        c.connection._auth = type(c.connection._auth)(  # a key the server never issued
            wvorm.AuthApiKey("wrong-key"), c.url, c.connection._session, c.timeout_config
        )
        with pytest.raises(AuthenticationFailedException, match="UNAUTHENTICATED"):
            TNote.query.using(c).all()


def test_a_server_stopped_mid_session_is_a_connection_error(
    server_factory: ServerFactory,
) -> None:
    server = server_factory()
    client = transport_client(server, "grpc")
    client.connection.config.session_pool_max_retries = 1
    write_notes(client, 1)
    server.stop()
    with pytest.raises(WeaviateConnectionError, match=r"gRPC Search .* unavailable"):
        TNote.query.using(client).all()
    client.close()


def test_grpc_reaches_a_restarted_server_as_soon_as_rest_does(
    server_factory: ServerFactory,
) -> None:
    # Regression: after failed attempts gRPC waits longer and longer (up to 120 s) before
    # it reconnects, failing every call meanwhile; a Session commit after a server
    # restart failed its look-ups with "connection refused" although REST had
    # reconnected. The channel's reconnect backoff is capped.
    server = server_factory()
    client = transport_client(server, "grpc")
    config = client.connection.config
    write_notes(client, 3)
    server.stop(cleanup=False)
    config.session_pool_max_retries = 0
    down_until = time.monotonic() + 8  # gRPC's own backoff grows 1, 1.6, 2.6, 4.1, 6.6 s...
    while time.monotonic() < down_until:
        with pytest.raises(WeaviateConnectionError):
            TNote.query.using(client).all()
        time.sleep(0.5)
    server.start()
    assert client.get_meta()["version"]  # REST is back at once
    config.session_pool_max_retries = 3  # the default: 0.2 + 0.4 + 0.8 s of backoff
    assert len(TNote.query.using(client).all()) == 3
    client.close()


@pytest.fixture
def client_grpc(weaviate_server: EmbeddedServer) -> wvorm.Client:
    from tests.conftest import delete_all_classes

    delete_all_classes(weaviate_server.url)
    return transport_client(weaviate_server, "grpc")


def test_both_transports_read_the_same_values(weaviate_server: EmbeddedServer) -> None:
    from tests.conftest import delete_all_classes

    delete_all_classes(weaviate_server.url)
    with transport_client(weaviate_server, "grpc") as grpc_client:
        wvorm.create_all(grpc_client, [TNote])
        note = TNote(text="t", rank=7, score=0.1)
        wvorm.state_of(note).vector = [0.1, 0.2]  # not float32-exact
        with Session(grpc_client) as session:
            session.add(note)
            session.commit()
        with transport_client(weaviate_server, "graphql") as graphql_client:
            hits = [
                TNote.query.using(c).with_vector().near_vector([0.1, 0.2]).hits()
                for c in (grpc_client, graphql_client)
            ]
    (over_grpc,), (over_graphql,) = hits
    assert over_grpc.object == over_graphql.object
    assert over_grpc.vector == over_graphql.vector  # the stored float32 values, both ways
    assert over_grpc.vector is not None and abs(over_grpc.vector[0] - 0.1) < 1e-7
    assert over_grpc.distance == over_graphql.distance
    assert over_grpc.creation_time == over_graphql.creation_time


def test_object_batches_go_over_grpc_and_report_rejections(client_grpc: wvorm.Client) -> None:
    wvorm.create_all(client_grpc, [TNote])
    with client_grpc.batch as batch:
        good = batch.add_data_object({"text": "a", "rank": 1}, "TNote", vector=[1.0, 2.0])
        bad = batch.add_data_object({"text": "b", "rank": "x"}, "TNote", vector=[1.0, 2.0])
    assert batch._use_grpc  # queued as gRPC entries
    (failed,) = client_grpc.batch.failed_objects
    assert failed.uuid == bad and "rank" in failed.message
    assert failed.data_object == {"text": "b", "rank": "x"} and failed.vector == [1.0, 2.0]
    stored = TNote.query.using(client_grpc).with_vector().get(good)
    assert stored is not None and stored.rank == 1
    assert wvorm.state_of(stored).vector == [1.0, 2.0]
    with pytest.raises(wvorm.UsageError, match="NaN"):
        client_grpc.batch.add_data_object({"text": "c"}, "TNote", vector=[float("nan"), 1.0])


def test_a_closed_client_says_so_over_grpc(weaviate_server: EmbeddedServer) -> None:
    client = transport_client(weaviate_server, "grpc")
    client.close()
    with pytest.raises(WeaviateConnectionError, match="client is closed"):
        TNote.query.using(client).all()


@pytest.mark.parametrize("dry_run", [True, False])
def test_delete_by_filter_answers_alike_on_both_transports(
    weaviate_server: EmbeddedServer, dry_run: bool
) -> None:
    from tests.conftest import delete_all_classes
    from wvorm import plan

    answers = []
    status = "DRYRUN" if dry_run else "SUCCESS"
    for transport in ("grpc", "graphql"):
        delete_all_classes(weaviate_server.url)
        with transport_client(weaviate_server, transport) as client:
            notes = write_notes(client, 4)
            node = plan.Condition(("rank",), "GreaterThanEqual", "valueInt", 2)
            answer = client.batch.delete_matching("TNote", node, dry_run=dry_run)
            assert TNote.query.using(client).count() == (4 if dry_run else 2)
        expected = sorted((str(n.id), status) for n in notes[2:])
        assert sorted((o.uuid, o.status) for o in answer.objects) == expected
        answers.append(answer)
    over_grpc, over_rest = answers
    assert over_grpc.matches == over_rest.matches == 2
    assert (over_grpc.successful, over_grpc.failed) == (over_rest.successful, over_rest.failed)


def test_a_session_commits_over_grpc_as_client_batch_does(client_grpc: wvorm.Client) -> None:
    # regression: the session's own batch engine was built without the gRPC channel
    with Session(client_grpc) as session:
        notes = write_notes(client_grpc, 1)
        session.add(TNote(text="more", rank=2))
        session.commit()
        engine = session._batch_engine()
        assert engine._use_grpc is True
    assert TNote.query.using(client_grpc).count() == len(notes) + 1


def test_grpc_calls_carry_oidc_tokens_and_renew_them(
    oidc_server: EmbeddedServer, oidc_provider: OIDCProvider
) -> None:
    credentials = wvorm.AuthClientPassword(oidc_provider.username, oidc_provider.password)
    config = wvorm.Config(grpc_port=oidc_server.ports.grpc, transport="grpc")
    with wvorm.Client(
        oidc_server.url, auth_client_secret=credentials, additional_config=config
    ) as c:
        write_notes(c, 2)
        assert TNote.query.using(c).count() == 2
        time.sleep(OIDC_TOKEN_LIFETIME + 1)  # the token expires between two gRPC calls
        assert len(TNote.query.using(c).all()) == 2


def test_without_the_grpc_extra_queries_use_graphql_and_say_why(
    weaviate_server: EmbeddedServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setitem(sys.modules, "wvorm.grpc.channel", None)  # as if grpcio were missing
    config = wvorm.Config(grpc_port=weaviate_server.ports.grpc)
    url = weaviate_server.url
    with (
        caplog.at_level(logging.INFO, logger="wvorm.transport"),
        wvorm.Client(url, additional_config=config) as client,
    ):
        assert client.transport.name == "GraphQL"
        assert client.batch._grpc_channel() is None
    assert "the grpc extra is not installed" in caplog.text

"""Embedded mode against the real weaviate-server binary: start, stop, no orphans, install."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tarfile
import textwrap
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

import wvorm
import wvorm.embedded as embedded
from tests.support.static_site import serve_directory
from wvorm.embedded import EmbeddedOptions, EmbeddedServer, port_is_free
from wvorm.errors import ServerBinaryNotFound, WeaviateEmbeddedInvalidVersion, WeaviateStartUpError


def process_gone(pid: int, within: float = 10.0) -> bool:
    """True once ``pid`` no longer exists (or is only a zombie awaiting its parent)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def ports_free(ports: Sequence[int], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(port_is_free(p) for p in ports):
            return True
        time.sleep(0.1)
    return False


def test_client_starts_and_stops_embedded_server() -> None:
    client = wvorm.Client(embedded_options=EmbeddedOptions())
    server = client.embedded_server
    assert server is not None and server.pid is not None
    pid = server.pid
    assert client.is_ready() and client.is_live()
    assert client.get_meta()["version"] == embedded.WEAVIATE_VERSION
    assert not any(port_is_free(p) for p in (server.ports.http, server.ports.grpc))
    scratch = server.log_path.parent
    client.close()
    assert process_gone(pid)
    assert ports_free(server.ports.all)
    assert not scratch.exists(), "the temporary data directory is deleted on close"


def test_with_block_stops_server_and_two_run_side_by_side() -> None:
    with (
        wvorm.Client(embedded_options=EmbeddedOptions()) as first,
        wvorm.Client(embedded_options=EmbeddedOptions()) as second,
    ):
        assert first.url != second.url
        first._connection.post("/schema", json={"class": "OnlyOnFirst"})  # independent servers
        classes = [c["class"] for c in second._connection.get_json("/schema", "schema")["classes"]]
        assert "OnlyOnFirst" not in classes
        servers = [first.embedded_server, second.embedded_server]
    for server in servers:
        assert server is not None
        assert not server.is_running()
        assert ports_free(server.ports.all)


def test_given_data_path_survives_restart(tmp_path: Path) -> None:
    server = EmbeddedServer(EmbeddedOptions(persistence_data_path=str(tmp_path / "data")))
    with server:
        with wvorm.Client(server.url) as client:
            client._connection.post("/schema", json={"class": "Kept"})
        server.restart()
        with wvorm.Client(server.url) as client:
            classes = [c["class"] for c in client._connection.get_json("/schema", "s")["classes"]]
    assert classes == ["Kept"]
    assert (tmp_path / "data").exists(), "a caller's data directory is never deleted"


def test_connect_without_url_starts_embedded_server() -> None:
    client = wvorm.connect()
    try:
        assert client.embedded_server is not None
        assert client.get_meta()["version"] == embedded.WEAVIATE_VERSION
    finally:
        client.close()


SCRIPT = """
import sys, wvorm
client = wvorm.Client(embedded_options=wvorm.EmbeddedOptions())
server = client.embedded_server
print(server.pid, *server.ports.all, flush=True)
if sys.argv[1] == "hang":
    sys.stdin.read()
"""


@pytest.mark.parametrize("ending", ["exit", "kill"])
def test_no_orphan_when_interpreter_exits_or_is_killed(ending: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, "hang" if ending == "kill" else "exit"],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    pid, *ports = (int(v) for v in process.stdout.readline().split())
    if ending == "kill":
        assert not process_gone(pid, within=0.5)
        process.send_signal(signal.SIGKILL)  # no atexit: the parent-death signal must act
    process.wait(timeout=60)
    assert process_gone(pid, within=30)
    assert ports_free(ports)


def test_start_failure_reports_log_tail() -> None:
    with socket.socket() as taken:  # a gRPC port clash is fatal for the server
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        grpc_port = taken.getsockname()[1]
        with pytest.raises(WeaviateStartUpError) as caught:
            EmbeddedServer(EmbeddedOptions(grpc_port=grpc_port)).start()
    message = str(caught.value)
    assert "exited with code" in message
    assert "address already in use" in message, message


def test_missing_binary_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(embedded.BINARY_ENV_VAR, str(tmp_path / "nope"))
    with pytest.raises(ServerBinaryNotFound, match=embedded.BINARY_ENV_VAR):
        wvorm.Client(embedded_options=EmbeddedOptions())


def test_invalid_version_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WeaviateEmbeddedInvalidVersion, match="latest"):
        EmbeddedServer(EmbeddedOptions(binary_path=str(tmp_path), version="latest")).start()


# -- the download path (no Go): a local HTTP server serves a release archive we build --


@pytest.fixture(scope="module")
def release_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An HTTP server on loopback with a release archive holding the real binary."""
    site = tmp_path_factory.mktemp("releases")
    binary = embedded.find_or_install_binary(EmbeddedOptions())
    version = embedded.WEAVIATE_VERSION
    archive = site / f"v{version}" / embedded._archive_name(version)
    archive.parent.mkdir()
    with tarfile.open(archive, "w:gz", compresslevel=1) as tar:
        tar.add(binary, arcname="weaviate")
        readme = site / "README.md"
        readme.write_text("release notes\n")
        tar.add(readme, arcname="README.md")
    with serve_directory(site) as url:
        yield url


@pytest.fixture
def no_go(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(embedded.BINARY_ENV_VAR, raising=False)
    monkeypatch.setattr("wvorm.embedded.shutil.which", lambda name: None)


@pytest.mark.usefixtures("no_go")
def test_without_go_the_release_archive_is_downloaded(
    release_site: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(embedded, "RELEASE_URL", release_site + "/v{version}/{archive}")
    options = EmbeddedOptions(binary_path=str(tmp_path / "cache"))
    with wvorm.Client(embedded_options=options) as client:
        assert client.get_meta()["version"] == embedded.WEAVIATE_VERSION
    installed = tmp_path / "cache" / f"weaviate-v{embedded.WEAVIATE_VERSION}" / "weaviate-server"
    assert installed.exists() and os.access(installed, os.X_OK)


@pytest.mark.usefixtures("no_go")
def test_version_may_be_an_archive_url(release_site: str, tmp_path: Path) -> None:
    version = embedded.WEAVIATE_VERSION
    url = f"{release_site}/v{version}/{embedded._archive_name(version)}"
    with EmbeddedServer(EmbeddedOptions(binary_path=str(tmp_path), version=url)) as server:
        assert server.pid is not None


@pytest.mark.usefixtures("no_go")
def test_without_go_and_archive_the_error_says_how_to_install(
    release_site: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(embedded, "RELEASE_URL", release_site + "/missing/{archive}")
    with pytest.raises(ServerBinaryNotFound) as caught:
        EmbeddedServer(EmbeddedOptions(binary_path=str(tmp_path))).start()
    message = str(caught.value)
    assert "go install github.com/weaviate/weaviate/cmd/weaviate-server@v" in message
    assert "binary_path" in message and embedded.BINARY_ENV_VAR in message
    assert "status 404" in message


def test_install_command_prints_the_cached_binary() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wvorm", "install"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert Path(result.stdout.strip()).name == "weaviate-server"
    assert textwrap.dedent(result.stderr) == "", "a second run builds nothing and says nothing"


def test_server_started_in_a_short_lived_thread_outlives_it() -> None:
    """Regression: the parent-death signal once fired when the starting thread ended."""
    started: list[EmbeddedServer] = []
    thread = threading.Thread(target=lambda: started.append(EmbeddedServer().start()))
    thread.start()
    thread.join()
    server = started[0]
    try:
        time.sleep(1)
        assert server.is_running()
        with wvorm.Client(server.url) as client:
            assert client.is_ready()
    finally:
        server.stop()

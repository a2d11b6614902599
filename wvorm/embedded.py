"""Embedded mode: install a ``weaviate-server`` binary and run it as a child process.

Used by ``wvorm.Client(embedded_options=...)``, ``wvorm.connect()`` and the test
fixtures. The binary is found, in order, at ``$WVORM_WEAVIATE_BINARY``, at
``binary_path`` when that is a file, or in the cache
(``~/.cache/wvorm/weaviate-v<version>/weaviate-server``); a missing one is built
with ``go install`` (the server is an ordinary Go program) or, without Go,
downloaded from the release archive, as the v3 client did.

Every port the server binds (HTTP, gRPC, gossip, data, raft, raft RPC) is chosen
free at start-up unless the caller fixed it. The process is stopped on
:meth:`EmbeddedServer.stop`, at interpreter exit, and, through the kernel's
parent-death signal, even when the Python process is killed.

``python -m wvorm install`` installs the pinned server and prints its path.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import io
import logging
import os
import platform
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Optional, TypeVar

import requests

from wvorm.errors import (
    ServerBinaryNotFound,
    WeaviateEmbeddedInvalidVersion,
    WeaviateStartUpError,
)

logger = logging.getLogger("wvorm.embedded")
T = TypeVar("T")

#: The one pinned server version; the installer, the fixtures and CI use it.
WEAVIATE_VERSION = "1.39.3"
GO_MODULE = "github.com/weaviate/weaviate/cmd/weaviate-server"
BINARY_ENV_VAR = "WVORM_WEAVIATE_BINARY"
RELEASE_URL = "https://github.com/weaviate/weaviate/releases/download/v{version}/{archive}"
DEFAULT_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "wvorm"
DEFAULT_BINARY_PATH = str(DEFAULT_CACHE)  # v3's name for EmbeddedOptions.binary_path's default
BINARY_NAME = "weaviate-server"


@dataclass
class EmbeddedOptions:
    """How to run an embedded server (the v3 names, with free ports by default).

    ``persistence_data_path``: data directory; a temporary one (deleted on stop)
    when None. ``binary_path``: a cache directory for installed binaries, or the
    path of an existing ``weaviate-server`` executable. ``version``: a release
    such as "1.39.0", or the URL of a release archive (.tar.gz or .zip).
    ``port`` / ``grpc_port``: fixed ports, or None to choose free ones.
    ``additional_env_vars`` override the server environment (modules, auth...).
    """

    persistence_data_path: Optional[str] = None
    binary_path: str = DEFAULT_BINARY_PATH
    version: str = WEAVIATE_VERSION
    port: Optional[int] = None
    hostname: str = "127.0.0.1"
    additional_env_vars: Optional[dict[str, str]] = None
    grpc_port: Optional[int] = None
    startup_timeout: float = 120.0
    node_name: str = "node-0"


@dataclass(frozen=True)
class ServerPorts:
    """Every port one server binds."""

    http: int
    grpc: int
    gossip: int  # the data port is gossip + 1
    raft: int  # the raft RPC port is raft + 1

    @property
    def all(self) -> tuple[int, ...]:
        """Each bound port, for checks that nothing is left listening."""
        return (self.http, self.grpc, self.gossip, self.gossip + 1, self.raft, self.raft + 1)


# -- ports --------------------------------------------------------------------------


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` (closed connections may linger)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: a connection in TIME_WAIT does not count, a listener does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def choose_ports(http: Optional[int] = None, grpc: Optional[int] = None) -> ServerPorts:
    """Free ports for one server, keeping the fixed ones the caller gave.

    Gossip and raft need a free neighbour (port + 1) too. The sockets stay bound
    until all ports are picked, so one call never returns the same port twice.
    """
    held: list[socket.socket] = []

    def grab(pair: bool) -> int:
        for _ in range(200):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
            held.append(sock)
            if not pair:
                return port
            neighbour = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                neighbour.bind(("127.0.0.1", port + 1))
            except OSError:
                neighbour.close()
                continue
            held.append(neighbour)
            return port
        raise WeaviateStartUpError("Could not find free loopback ports for the embedded server.")

    try:
        return ServerPorts(
            http=http if http is not None else grab(False),
            grpc=grpc if grpc is not None else grab(False),
            gossip=grab(True),
            raft=grab(True),
        )
    finally:
        for sock in held:
            sock.close()


def get_random_port() -> int:
    """A free loopback port (v3's name; the embedded server picks its own by default)."""
    return choose_ports().grpc


# -- installing the binary ------------------------------------------------------------


def _progress(message: str) -> None:
    # Installing takes minutes; like pip, we talk to the terminal, not to a logger
    # that is silent by default.
    print(f"[wvorm] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def _install_lock(directory: Path) -> Iterator[None]:
    """One installer at a time per cache directory, across processes."""
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _is_archive_url(version: str) -> bool:
    return version.startswith(("http://", "https://"))


def _normalized_version(version: str) -> str:
    plain = version[1:] if version.startswith("v") else version
    parts = plain.split(".")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise WeaviateEmbeddedInvalidVersion(
            f"EmbeddedOptions(version={version!r}) is not a release like {WEAVIATE_VERSION!r} "
            "or the URL of a release archive (.tar.gz / .zip). Pin an exact version."
        )
    return plain


def _manual_install_help(version: str, cache_file: Path) -> str:
    return (
        f"To install it by hand, run\n"
        f"    GOBIN={cache_file.parent} go install {GO_MODULE}@v{version}\n"
        f"(Go from https://go.dev/dl/), or point EmbeddedOptions(binary_path=...) or the "
        f"{BINARY_ENV_VAR} environment variable at an existing weaviate-server binary."
    )


def find_or_install_binary(options: EmbeddedOptions) -> Path:
    """The server executable for ``options``, installing it into the cache if needed."""
    from_env = os.environ.get(BINARY_ENV_VAR)
    if from_env:
        return _existing_executable(Path(from_env), f"${BINARY_ENV_VAR}")
    configured = Path(options.binary_path).expanduser()
    if configured.is_file():
        return _existing_executable(configured, "EmbeddedOptions.binary_path")
    if _is_archive_url(options.version):
        digest = hashlib.sha256(options.version.encode()).hexdigest()[:16]
        target = configured / f"weaviate-url-{digest}" / BINARY_NAME
        with _install_lock(target.parent):
            if not target.exists():
                _download_archive(options.version, target)
        return target
    version = _normalized_version(options.version)
    target = configured / f"weaviate-v{version}" / BINARY_NAME
    if target.exists():
        return target
    with _install_lock(target.parent):
        if target.exists():  # another process installed it while we waited
            return target
        if shutil.which("go"):
            _go_install(version, target)
        else:
            _progress("Go is not installed; downloading the release archive instead.")
            try:
                _download_archive(
                    RELEASE_URL.format(version=version, archive=_archive_name(version)), target
                )
            except WeaviateStartUpError as exc:
                raise ServerBinaryNotFound(
                    f"No weaviate-server {version} at {target}, Go is not installed, and the "
                    f"release archive could not be downloaded ({exc}).\n"
                    + _manual_install_help(version, target)
                ) from exc
    return target


def _existing_executable(path: Path, source: str) -> Path:
    if not path.is_file() or not os.access(path, os.X_OK):
        raise ServerBinaryNotFound(
            f"{source} points at {str(path)!r}, which is not an executable file. Point it at a "
            f"weaviate-server binary, or unset it to install version {WEAVIATE_VERSION} into "
            f"{DEFAULT_CACHE}."
        )
    return path


def _go_install(version: str, target: Path) -> None:
    """Build the server with ``go install`` into a scratch dir, then move it in place."""
    scratch = Path(tempfile.mkdtemp(prefix="wvorm-gobin-", dir=target.parent))
    command = ["go", "install", "-v", f"{GO_MODULE}@v{version}"]
    env = {**os.environ, "GOBIN": str(scratch), "CGO_ENABLED": "0", "GOFLAGS": "-mod=mod"}
    _progress(
        f"Building weaviate-server v{version} with Go (the first build takes 10-30 minutes; "
        f"later runs reuse {target})."
    )
    started = time.monotonic()
    tail: list[str] = []
    with subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        downloaded = compiled = 0
        last_report = started
        for line in process.stdout:
            tail = [*tail[-30:], line.rstrip()]
            if line.startswith("go: downloading"):
                downloaded += 1
            else:
                compiled += 1
            now = time.monotonic()
            if now - last_report >= 15:
                last_report = now
                _progress(
                    f"  ... {int(now - started)}s: {downloaded} modules downloaded, "
                    f"{compiled} packages built"
                )
        code = process.wait()
    built = scratch / BINARY_NAME
    if code != 0 or not built.exists():
        shutil.rmtree(scratch, ignore_errors=True)
        raise ServerBinaryNotFound(
            f"`{' '.join(command)}` failed with exit code {code}:\n"
            + "\n".join(tail)
            + "\n"
            + _manual_install_help(version, target)
        )
    os.replace(built, target)
    shutil.rmtree(scratch, ignore_errors=True)
    _progress(f"Built {target} in {int(time.monotonic() - started)}s.")


def _archive_name(version: str) -> str:
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine)
    if sys.platform == "darwin":
        return f"weaviate-v{version}-darwin-all.zip"
    if sys.platform.startswith("linux") and arch:
        return f"weaviate-v{version}-linux-{arch}.tar.gz"
    raise ServerBinaryNotFound(
        f"Weaviate publishes no release archive for {sys.platform}/{machine}. "
        + _manual_install_help(version, DEFAULT_CACHE / f"weaviate-v{version}" / BINARY_NAME)
    )


def _download_archive(url: str, target: Path) -> None:
    """Download a release archive and extract its server executable to ``target``."""
    _progress(f"Downloading {url}")
    try:
        with requests.get(url, stream=True, timeout=(10, 60)) as response:
            if response.status_code != 200:
                raise WeaviateStartUpError(f"GET {url} answered status {response.status_code}")
            buffer = io.BytesIO()
            for chunk in response.iter_content(chunk_size=1 << 20):
                buffer.write(chunk)
    except requests.RequestException as exc:
        raise WeaviateStartUpError(f"Could not download {url}: {exc}") from exc
    buffer.seek(0)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    with open(partial, "wb") as out:
        _extract_server(buffer, url, out)
    partial.chmod(0o755)
    os.replace(partial, target)
    _progress(f"Installed {target}")


def _extract_server(archive: IO[bytes], url: str, out: IO[bytes]) -> None:
    # Release archives hold the server as "weaviate" next to licence files.
    wanted = ("weaviate", BINARY_NAME)
    if url.endswith(".zip"):
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if Path(name).name in wanted:
                    out.write(zipped.read(name))
                    return
    else:
        try:
            with tarfile.open(fileobj=archive, mode="r:*") as tarred:
                for member in tarred.getmembers():
                    if member.isfile() and Path(member.name).name in wanted:
                        source = tarred.extractfile(member)
                        assert source is not None
                        shutil.copyfileobj(source, out)
                        return
        except tarfile.TarError as exc:
            raise WeaviateStartUpError(f"{url} is not a readable .tar.gz archive: {exc}") from exc
    raise WeaviateStartUpError(f"The archive at {url} holds no 'weaviate' executable.")


# -- running the server ---------------------------------------------------------------


class _Launcher:
    """Spawns every server from one long-lived daemon thread.

    The kernel's parent-death signal (``setpriv --pdeathsig``) fires when the thread
    that spawned the child exits, not the process. Spawning from the caller's thread
    would kill a server started in a short-lived thread the moment that thread ends.
    This thread lives as long as the interpreter, so the signal means "Python died".
    """

    def __init__(self) -> None:
        self._requests: queue.Queue[tuple[Callable[[], Any], Future[Any]]] = queue.Queue()
        self._thread: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    def run(self, spawn: Callable[[], T]) -> T:
        """Call ``spawn`` on the launcher thread and return its result."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._serve, name="wvorm-server-launcher", daemon=True
                )
                self._thread.start()
        done: Future[T] = Future()
        self._requests.put((spawn, done))
        return done.result()

    def _serve(self) -> None:
        while True:
            spawn, done = self._requests.get()
            try:
                done.set_result(spawn())
            except BaseException as exc:  # handed to the caller's thread
                done.set_exception(exc)


_launcher = _Launcher()

_running: set[EmbeddedServer] = set()
_running_lock = threading.Lock()


def _stop_all_at_exit() -> None:
    with _running_lock:
        servers = list(_running)
    for server in servers:
        server.stop()


atexit.register(_stop_all_at_exit)


@dataclass(eq=False)
class EmbeddedServer:
    """One ``weaviate-server`` child process on loopback.

    ``start()`` launches it and waits for readiness; ``stop()`` ends it and deletes
    a temporary data directory; ``restart()`` keeps data and ports. Pass
    ``cluster_env`` to join it to other nodes (see the test fixtures).
    """

    options: EmbeddedOptions = field(default_factory=EmbeddedOptions)
    ports: ServerPorts = field(init=False)
    cluster_env: dict[str, str] = field(default_factory=dict)
    _process: Optional[subprocess.Popen[bytes]] = field(default=None, init=False, repr=False)
    _workdir: Optional[Path] = field(default=None, init=False, repr=False)
    _log: Optional[IO[bytes]] = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.ports = choose_ports(self.options.port, self.options.grpc_port)

    @property
    def url(self) -> str:
        """The HTTP base URL, e.g. ``http://127.0.0.1:43121``."""
        return f"http://{self.options.hostname}:{self.ports.http}"

    @property
    def data_path(self) -> Path:
        """The persistence directory."""
        if self.options.persistence_data_path is not None:
            return Path(self.options.persistence_data_path).expanduser()
        return self._scratch() / "data"

    @property
    def log_path(self) -> Path:
        """The file that collects the server's output."""
        return self._scratch() / "server.log"

    @property
    def pid(self) -> Optional[int]:
        """The server's process id while it runs."""
        return self._process.pid if self._process is not None else None

    def _scratch(self) -> Path:
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix=f"wvorm-weaviate-{self.ports.http}-"))
        return self._workdir

    def environment(self) -> dict[str, str]:
        """The server's environment: loopback cluster settings, then the caller's overrides."""
        node = self.options.node_name
        env = {
            **os.environ,
            "PERSISTENCE_DATA_PATH": str(self.data_path),
            "CLUSTER_HOSTNAME": node,
            "CLUSTER_IN_LOCALHOST": "true",
            "CLUSTER_BIND_ADDR": "127.0.0.1",
            "CLUSTER_ADVERTISE_ADDR": "127.0.0.1",
            "CLUSTER_GOSSIP_BIND_PORT": str(self.ports.gossip),
            "CLUSTER_DATA_BIND_PORT": str(self.ports.gossip + 1),
            "RAFT_PORT": str(self.ports.raft),
            "RAFT_INTERNAL_RPC_PORT": str(self.ports.raft + 1),
            "RAFT_JOIN": f"{node}:{self.ports.raft}",
            "RAFT_BOOTSTRAP_EXPECT": "1",
            "GRPC_PORT": str(self.ports.grpc),
            "GO_PROFILING_DISABLE": "true",
            "DISABLE_TELEMETRY": "true",
            "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "true",
            "DEFAULT_VECTORIZER_MODULE": "none",
            "API_BASED_MODULES_DISABLED": "true",
            "LOG_FORMAT": "text",
        }
        if not self.cluster_env:
            # A lone node on loopback needs no slack in its raft timeouts: with the
            # default multiplier it spends ~7 s trying to join itself before it leads.
            env["RAFT_TIMEOUTS_MULTIPLIER"] = "1"
        env.update(self.cluster_env)
        env.update(self.options.additional_env_vars or {})
        return env

    def launch(self) -> None:
        """Start the process without waiting for readiness (clusters start nodes together)."""
        if self.is_running():
            return
        binary = find_or_install_binary(self.options)
        self.data_path.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - held open while the server runs
        command = [
            str(binary), "--scheme", "http", "--host", self.options.hostname,
            "--port", str(self.ports.http), "--read-timeout=600s", "--write-timeout=600s",
        ]  # fmt: skip
        if sys.platform.startswith("linux") and shutil.which("setpriv"):
            # The kernel stops the server if this Python process dies without cleaning up.
            command = ["setpriv", "--pdeathsig", "TERM", "--", *command]
        env, log = self.environment(), self._log
        self._process = _launcher.run(
            lambda: subprocess.Popen(
                command,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a Ctrl-C in the terminal is ours to handle, not its
            )
        )
        with _running_lock:
            _running.add(self)
        logger.info("Started weaviate-server pid %s at %s", self._process.pid, self.url)

    def wait_until_ready(self) -> None:
        """Poll ``/v1/.well-known/ready``; raise with the log's tail if the server fails."""
        deadline = time.monotonic() + self.options.startup_timeout
        url = f"{self.url}/v1/.well-known/ready"
        while True:
            process = self._process
            if process is None or process.poll() is not None:
                code = None if process is None else process.returncode
                self.stop(cleanup=False)
                raise WeaviateStartUpError(
                    f"weaviate-server exited with code {code} during start-up.\n"
                    f"Last lines of {self.log_path}:\n{self.log_tail()}"
                )
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                self.stop(cleanup=False)
                raise WeaviateStartUpError(
                    f"weaviate-server was not ready at {self.url} within "
                    f"{self.options.startup_timeout}s.\nLast lines of {self.log_path}:\n"
                    f"{self.log_tail()}"
                )
            time.sleep(0.1)

    def start(self) -> EmbeddedServer:
        """Launch the server and wait until it is ready; returns ``self``."""
        self.launch()
        self.wait_until_ready()
        return self

    def is_running(self) -> bool:
        """True while the process is alive."""
        return self._process is not None and self._process.poll() is None

    def stop(self, cleanup: bool = True) -> None:
        """Stop the process (TERM, then KILL after 20 s); ``cleanup`` deletes temporary files."""
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
            logger.info("Stopped weaviate-server pid %s", process.pid)
        with _running_lock:
            _running.discard(self)
        if self._log is not None:
            self._log.close()
            self._log = None
        if cleanup and self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def restart(self) -> None:
        """Stop and start again with the same data directory and ports."""
        self.stop(cleanup=False)
        self.start()

    def log_tail(self, lines: int = 30) -> str:
        """The last ``lines`` lines the server wrote."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> EmbeddedServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def join_cluster(nodes: list[EmbeddedServer]) -> None:
    """Set the raft and gossip settings that join ``nodes`` into one cluster."""
    join = ",".join(f"{n.options.node_name}:{n.ports.raft}" for n in nodes)
    for index, node in enumerate(nodes):
        node.cluster_env.update(RAFT_JOIN=join, RAFT_BOOTSTRAP_EXPECT=str(len(nodes)))
        if index > 0:
            node.cluster_env["CLUSTER_JOIN"] = f"127.0.0.1:{nodes[0].ports.gossip}"


__all__ = [
    "WEAVIATE_VERSION",
    "EmbeddedOptions",
    "EmbeddedServer",
    "ServerPorts",
    "choose_ports",
    "find_or_install_binary",
    "join_cluster",
    "port_is_free",
]

"""Contenders: ways of importing the same data into the same class, timed alike.

The client batch (issue 3) is measured three ways:

- :class:`WvormBatch`: ``client.batch`` of wvorm (in this process);
- :class:`V3Batch`: weaviate-client 3.26.7 in its own virtualenv (a subprocess,
  timed inside around the import only);
- :class:`Ceiling`: request bodies serialised before the clock, POSTed straight to
  ``/v1/batch/objects`` over ``workers`` connections: what the server takes when
  the client costs nothing.

Every contender uses the same batch size and number of workers. ``setup()`` does
the untimed preparation (virtualenv, data files, serialising) once; ``run()``
imports everything into an existing, empty class and returns a :class:`Measurement`.
Whether the objects really arrived is checked by the runner, not here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import requests

from bench import dataset
from bench.dataset import Dataset

BENCH_DIR = Path(__file__).resolve().parent
V3_VERSION = "3.26.7"
V3_VENV = BENCH_DIR / ".venv-v3"
V4_VERSION = "4.24.1"
V4_VENV = BENCH_DIR / ".venv-v4"

JsonEncoder = Callable[[Any], bytes]


def fast_json_encoder() -> tuple[JsonEncoder, str]:
    """orjson when installed (only untimed serialising uses this), else the stdlib."""
    try:
        import orjson
    except ImportError:
        encoder = json.JSONEncoder(separators=(",", ":"))
        return (lambda value: encoder.encode(value).encode()), "json"
    return orjson.dumps, "orjson"


@dataclass
class Measurement:
    """One timed import: wall seconds and the client process's CPU seconds."""

    seconds: float
    cpu_seconds: Optional[float]
    note: str = ""


@contextmanager
def stopwatch() -> Iterator[list[float]]:
    """Yields a list that holds ``[wall seconds, process CPU seconds]`` after the block."""
    times: list[float] = []
    started, cpu_started = time.perf_counter(), time.process_time()
    yield times
    times.extend((time.perf_counter() - started, time.process_time() - cpu_started))


class Contender(ABC):
    """One way of importing ``data`` into ``class_name``."""

    key: str  # short name used in results and on the command line
    label: str  # what the table shows

    def __init__(self, data: Dataset, class_name: str, batch_size: int, workers: int) -> None:
        self.data = data
        self.class_name = class_name
        self.batch_size = batch_size
        self.workers = workers

    def setup(self) -> None:  # noqa: B027 - optional hook
        """Untimed preparation, done once before the first round."""

    @abstractmethod
    def run(self, url: str) -> Measurement:
        """Import every object into the (empty, existing) class at ``url``."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Free what setup() made."""


def wvorm_client(url: str, grpc_port: Optional[int] = None) -> Any:
    """A wvorm client; with ``grpc_port``, one whose transport must be gRPC (else
    RuntimeError): its typed queries and, from wvorm 6add644 on, its object batches
    go over gRPC. Without, REST and GraphQL."""
    import wvorm

    if grpc_port is None:
        return wvorm.Client(url)
    client = wvorm.Client(url, additional_config=wvorm.Config(grpc_port=grpc_port))
    name = client.transport.name
    if name != "gRPC":
        client.close()
        raise RuntimeError(f"wvorm chose the {name} transport, not gRPC (port {grpc_port})")
    return client


class WvormBatch(Contender):
    """wvorm's ``client.batch`` (fixed-size batching, ``num_workers`` threads); over
    gRPC when ``grpc_port`` is set (see :func:`wvorm_client`)."""

    key = "wvorm"
    label = "wvorm client.batch"
    grpc_port: Optional[int] = None

    def run(self, url: str) -> Measurement:
        client = wvorm_client(url, self.grpc_port)
        try:
            batch = client.batch.configure(batch_size=self.batch_size, num_workers=self.workers)
            data, class_name = self.data, self.class_name
            with stopwatch() as times, batch:
                for object_id, properties, vector in zip(data.ids, data.properties, data.vectors):
                    batch.add_data_object(properties, class_name, uuid=object_id, vector=vector)
            failed = len(batch.failed_objects)
        finally:
            client.close()
        note = f"{failed} in batch.failed_objects" if failed else ""
        return Measurement(times[0], times[1], note)


def ensure_venv(venv: Path, version: str) -> Path:
    """The python of ``venv`` with ``weaviate-client==version``, created on first use."""
    python = venv / "bin" / "python"
    probe = f"import sys, weaviate; sys.exit(weaviate.__version__ != {version!r})"
    installed = python.exists() and (
        subprocess.run([python, "-c", probe], capture_output=True).returncode == 0
    )
    if installed:
        return python
    print(f"[bench] creating {venv} with weaviate-client=={version}", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"weaviate-client=={version}"], check=True
    )
    return python


def ensure_v3_venv() -> Path:
    """The python of ``bench/.venv-v3`` with weaviate-client 3.26.7, created on first use."""
    return ensure_venv(V3_VENV, V3_VERSION)


def ensure_v4_venv() -> Path:
    """The python of ``bench/.venv-v4`` with weaviate-client 4.24.1, created on first use."""
    return ensure_venv(V4_VENV, V4_VERSION)


class V3Batch(Contender):
    """weaviate-client 3.26.7's ``client.batch``, run by ``bench/v3_import.py`` in its venv."""

    key = "v3"
    label = f"weaviate-client {V3_VERSION}"

    _python: Path
    _workdir: Optional[Path] = None

    def setup(self) -> None:
        self._python = ensure_v3_venv()
        self._workdir = Path(tempfile.mkdtemp(prefix="wvorm-bench-"))
        dataset.write(self.data, self._workdir / "data")

    def run(self, url: str) -> Measurement:
        assert self._workdir is not None, "setup() first"
        result_file = self._workdir / "result.json"
        result_file.unlink(missing_ok=True)
        command = [
            str(self._python), str(BENCH_DIR / "v3_import.py"),
            "--url", url, "--data", str(self._workdir / "data"),
            "--class-name", self.class_name, "--batch-size", str(self.batch_size),
            "--workers", str(self.workers), "--result", str(result_file),
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0 or not result_file.exists():
            raise RuntimeError(
                f"v3 import exited with code {done.returncode}:\n{done.stderr[-2000:]}"
            )
        result = json.loads(result_file.read_text(encoding="utf-8"))
        # v3's default callback prints every rejected object to stdout.
        errors = done.stdout.count("'message'")
        note = f"v3 printed {errors} error(s)" if errors else ""
        return Measurement(float(result["seconds"]), float(result["cpu_seconds"]), note)

    def close(self) -> None:
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None


class Ceiling(Contender):
    """Pre-serialised bodies POSTed over ``workers`` connections (one Session per thread)."""

    key = "ceiling"
    label = "ceiling (raw POST)"

    _bodies: list[bytes]

    def setup(self) -> None:
        encode, _ = fast_json_encoder()
        data, size = self.data, self.batch_size
        self._bodies = [
            encode(
                {
                    "objects": [
                        {
                            "class": self.class_name,
                            "id": data.ids[i],
                            "properties": data.properties[i],
                            "vector": data.vectors[i],
                        }
                        for i in range(start, min(start + size, len(data)))
                    ]
                }
            )
            for start in range(0, len(data), size)
        ]

    def run(self, url: str) -> Measurement:
        endpoint = f"{url}/v1/batch/objects"
        headers = {"Content-Type": "application/json"}
        local = threading.local()
        sessions: list[requests.Session] = []

        def post(body: bytes) -> None:
            session: Optional[requests.Session] = getattr(local, "session", None)
            if session is None:
                session = local.session = requests.Session()
                sessions.append(session)
            response = session.post(endpoint, data=body, headers=headers, timeout=600)
            # The same cheap check wvorm makes before it parses an answer.
            if response.status_code != 200 or b'"errors"' in response.content:
                raise RuntimeError(
                    f"POST /v1/batch/objects: HTTP {response.status_code}: {response.text[:300]}"
                )

        with stopwatch() as times, ThreadPoolExecutor(self.workers) as pool:
            for _ in pool.map(post, self._bodies):
                pass
        for session in sessions:
            session.close()
        return Measurement(times[0], times[1])

    def close(self) -> None:
        self._bodies = []


CLIENT_CONTENDERS: tuple[type[Contender], ...] = (WvormBatch, V3Batch, Ceiling)

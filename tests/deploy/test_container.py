"""The image, the compose stack and the CI workflows, checked without a Docker engine.

- ``hadolint`` on the Dockerfile; ``.dockerignore`` lets through everything the Dockerfile copies.
- ``docker-entrypoint.sh`` run for real with stand-ins for ``storebridge`` / ``dramatiq``: it wipes
  the multiprocess directory's *contents* (an emptyDir is a mount point) before a daemon or worker
  starts, never for the exporter, and hands every other role to ``storebridge``.
- The worker pods' metrics exporter serving samples written by another process.
- ``docker-compose.yml`` against the Compose specification, the workflows against GitHub's schema
  (``check-jsonschema``), and the compose Prometheus configuration through ``promtool``.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.deploy.chart import RULES_FILE
from tests.deploy.tools import ROOT

ENTRYPOINT = ROOT / "docker-entrypoint.sh"
EXPORTER = ROOT / "monitoring" / "metrics_exporter.py"
COMPOSE = ROOT / "docker-compose.yml"
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
PythonTool = Callable[[str], tuple[list[str], dict[str, str]]]


def run_tool(command: list[str], env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=120, check=False
    )


def test_the_dockerfile_is_hadolint_clean(python_tool: PythonTool) -> None:
    command, env = python_tool("hadolint")
    done = run_tool(command, env, str(ROOT / "Dockerfile"))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_build_context_holds_everything_the_dockerfile_copies() -> None:
    allowed = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    copied = []
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY ") and "--from=" not in line:
            copied += line.split()[1:-1]
    assert copied
    for source in copied:
        assert source in allowed, f"{source} is copied but excluded by .dockerignore"
        assert (ROOT / source).exists(), source


def test_the_image_runs_as_the_chart_s_non_root_user_with_a_per_role_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER 10001:10001" in dockerfile
    assert 'CMD ["docker-entrypoint.sh", "healthcheck"]' in dockerfile
    values = yaml.safe_load((ROOT / "helm" / "storebridge" / "values.yaml").read_text())
    assert values["podSecurityContext"]["runAsUser"] == 10001
    assert "--require-hashes" in dockerfile and "requirements.lock" in dockerfile


@pytest.fixture
def fake_bin(tmp_path: Path) -> Path:
    """``storebridge`` and ``dramatiq`` stand-ins that print their arguments and the directory."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("storebridge", "dramatiq"):
        script = bin_dir / name
        listing = 'ls -A "${PROMETHEUS_MULTIPROC_DIR:-/nonexistent}" 2>/dev/null | wc -l'
        script.write_text(f'#!/bin/sh\necho "{name} $*"\n{listing}\n')
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return bin_dir


def entrypoint(fake_bin: Path, directory: Path, *args: str) -> list[str]:
    env = {"PATH": f"{fake_bin}:/usr/bin:/bin", "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    done = subprocess.run(["sh", str(ENTRYPOINT), *args], capture_output=True, text=True, env=env, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("daemon",), "storebridge daemon"),
        (("dramatiq", "workers.actors", "--queues", "normal"), "dramatiq workers.actors --queues normal"),
        (("worker",), "storebridge worker"),
    ],
)
def test_the_entrypoint_wipes_the_metrics_directory_before_a_daemon_or_worker_starts(
    args: tuple[str, ...], expected: str, fake_bin: Path, tmp_path: Path
) -> None:
    directory = tmp_path / "prom"
    directory.mkdir()
    (directory / "counter_123.db").write_bytes(b"stale")
    (directory / "sub").mkdir()
    out = entrypoint(fake_bin, directory, *args)
    assert out[0] == expected
    assert out[1].strip() == "0"  # emptied before the process started
    assert directory.is_dir()  # the mount point itself stays


def test_one_shot_roles_go_to_storebridge_and_keep_the_directory(fake_bin: Path, tmp_path: Path) -> None:
    directory = tmp_path / "prom"
    directory.mkdir()
    (directory / "counter_1.db").write_bytes(b"x")
    out = entrypoint(fake_bin, directory, "enqueue", "--registered", "--older-than", "6h")
    assert out[0] == "storebridge enqueue --registered --older-than 6h"
    assert (directory / "counter_1.db").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_exporter_serves_what_other_processes_wrote_and_their_cpu(tmp_path: Path) -> None:
    # Given a process that wrote a counter in multiprocess mode and is still alive
    directory = tmp_path / "prom"
    directory.mkdir()
    writer = subprocess.Popen(
        [sys.executable, "-c",
         "import prometheus_client as p, sys, time\n"
         "p.Counter('storebridge_registrations', 'x', ['outcome']).labels('created').inc(3)\n"
         "print('ready', flush=True); time.sleep(30)"],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}, stdout=subprocess.PIPE,
    )  # fmt: skip
    port = _free_port()
    exporter = subprocess.Popen(
        [sys.executable, str(EXPORTER)],
        env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "EXPORTER_HOST": "127.0.0.1",
             "EXPORTER_PORT": str(port)},
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == b"ready"
        body = ""
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        # Then the exporter adds it up, and reports the directory and the writer's CPU and memory
        assert 'storebridge_registrations_total{outcome="created"} 3.0' in body
        assert "storebridge_multiproc_files 1.0" in body
        assert f'storebridge_worker_cpu_seconds_total{{pid="{writer.pid}"}}' in body
        assert f'storebridge_worker_resident_memory_bytes{{pid="{writer.pid}"}}' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
            assert response.status == 200
    finally:
        for process in (exporter, writer):
            process.terminate()
            process.wait(timeout=10)
        if writer.stdout is not None:
            writer.stdout.close()


def test_compose_file_follows_the_compose_specification(python_tool: PythonTool) -> None:
    command, env = python_tool("check-jsonschema")
    done = run_tool(command, env, "--builtin-schema", "vendor.compose-spec", str(COMPOSE))
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_every_role_and_the_observation_stack() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert {"daemon", "worker-normal", "worker-batch", "postgres", "redis", "minio", "prometheus", "grafana",
            "loki", "sandbox"} <= set(services)  # fmt: skip
    assert services["worker-normal"]["deploy"]["replicas"] == 2
    assert services["postgres"]["image"].startswith("postgres:15") and "healthcheck" in services["postgres"]
    assert services["redis"]["image"].startswith("redis:7") and "--appendonly" in services["redis"]["command"]
    assert services["sandbox"]["profiles"] == ["sandbox"]
    # The rules are the chart's file (one copy), the dashboards are the repository's.
    mounts = services["prometheus"]["volumes"]
    assert f"./{RULES_FILE.relative_to(ROOT)}:/etc/prometheus/rules/prometheus-rules.yaml:ro" in mounts
    assert "./dashboards:/var/lib/grafana/dashboards:ro" in services["grafana"]["volumes"]
    provider = yaml.safe_load(
        (ROOT / "monitoring" / "grafana" / "provisioning" / "dashboards" / "dashboards.yaml").read_text()
    )
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_the_compose_prometheus_configuration_passes_promtool(
    prometheus_bin_dir: Path, tmp_path: Path
) -> None:
    config = yaml.safe_load((ROOT / "monitoring" / "prometheus" / "prometheus.yml").read_text())
    assert config["rule_files"] == ["/etc/prometheus/rules/prometheus-rules.yaml"]
    config["rule_files"] = [str(RULES_FILE)]  # the file the compose volume mounts there
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    done = subprocess.run(
        [str(prometheus_bin_dir / "promtool"), "check", "config", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    jobs = {job["job_name"] for job in config["scrape_configs"]}
    assert {"storebridge-daemon", "storebridge-worker"} <= jobs


def test_workflows_follow_github_s_schema(python_tool: PythonTool) -> None:
    assert {p.name for p in WORKFLOWS} >= {"ci.yml", "deploy.yml"}
    command, env = python_tool("check-jsonschema")
    done = run_tool(command, env, "--builtin-schema", "vendor.github-workflows", *map(str, WORKFLOWS))
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_pipeline_covers_lint_types_tests_scans_image_chart_and_three_deploys() -> None:
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    text = json.dumps(ci)
    for needle in ("ruff check", "mypy", "--cov", "bandit", "pip-audit", "trivy", "helm lint --strict",
                   "helm package", "requirements.lock"):  # fmt: skip
        assert needle in text, needle
    deploy = (ROOT / ".github" / "workflows" / "deploy.yml").read_text()
    needles = (
        'main) echo "environment=dev"',
        'release/*) echo "environment=staging"',
        'v*) echo "environment=production"',
        "--atomic",
        "storebridge smoke",
        "helm rollback",
    )
    for needle in needles:
        assert needle in deploy, needle

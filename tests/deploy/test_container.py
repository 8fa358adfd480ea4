"""The image, the compose stack and the CI workflows, checked without a Docker engine.

- ``hadolint`` on the Dockerfile, ``shellcheck`` on the shell scripts it and CI run;
  ``.dockerignore`` lets through everything the Dockerfile copies.
- ``docker-entrypoint.sh`` run for real with stand-ins for ``storebridge`` / ``dramatiq``: it wipes
  the multiprocess directory's *contents* (an emptyDir is a mount point) before a daemon or worker
  starts, and hands every other role to ``storebridge`` (the worker's own ``/health`` and
  ``/metrics`` are tested in ``tests/workers/test_worker_endpoints.py``).
- ``docker-compose.yml`` against the Compose specification, the workflows against GitHub's schema
  (``check-jsonschema``), and the compose Prometheus configuration through ``promtool``.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.deploy.chart import RULES_FILE
from tests.deploy.tools import ROOT

ENTRYPOINT = ROOT / "docker-entrypoint.sh"
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


def test_the_entrypoint_and_the_ci_script_are_shellcheck_clean(python_tool: PythonTool) -> None:
    command, env = python_tool("shellcheck")
    done = run_tool(command, env, str(ENTRYPOINT), str(ROOT / ".ci" / "run"))
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
        inside = any(source == kept or source.startswith(kept + "/") for kept in allowed)
        assert inside, f"{source} is copied but excluded by .dockerignore"
        assert (ROOT / source).exists(), source


def test_the_image_runs_as_the_chart_s_non_root_user_with_a_per_role_healthcheck() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "USER 10001:10001" in dockerfile
    assert 'CMD ["docker-entrypoint.sh", "healthcheck"]' in dockerfile
    values = yaml.safe_load((ROOT / "helm" / "storebridge" / "values.yaml").read_text())
    assert values["podSecurityContext"]["runAsUser"] == 10001
    assert "--require-hashes" in dockerfile
    assert "requirements.lock" in dockerfile


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


def test_compose_file_follows_the_compose_specification(python_tool: PythonTool) -> None:
    command, env = python_tool("check-jsonschema")
    done = run_tool(command, env, "--builtin-schema", "vendor.compose-spec", str(COMPOSE))
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_runs_every_role_and_the_observation_stack() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert {"daemon", "worker-normal", "worker-batch", "postgres", "redis", "minio", "prometheus", "grafana",
            "loki", "sandbox"} <= set(services)  # fmt: skip
    assert services["worker-normal"]["deploy"]["replicas"] == 2
    assert services["postgres"]["image"].startswith("postgres:15")
    assert "healthcheck" in services["postgres"]
    assert services["redis"]["image"].startswith("redis:7")
    assert "--appendonly" in services["redis"]["command"]
    assert services["sandbox"]["profiles"] == ["sandbox"]
    # The rules are the chart's file (one copy), the dashboards are the repository's.
    mounts = services["prometheus"]["volumes"]
    assert f"./{RULES_FILE.relative_to(ROOT)}:/etc/prometheus/rules/prometheus-rules.yaml:ro" in mounts
    assert "./dashboards:/var/lib/grafana/dashboards:ro" in services["grafana"]["volumes"]
    provider = yaml.safe_load(
        (ROOT / "monitoring" / "grafana" / "provisioning" / "dashboards" / "dashboards.yaml").read_text()
    )
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_the_sandbox_profile_hands_the_containers_what_the_sandbox_hands_out() -> None:
    # Given what `Sandbox.environment()` gives every local run (tests, demo, benchmarks)
    from storebridge.sandbox import Sandbox

    wanted = set(Sandbox().environment())
    env_file = dict(
        line.split("=", 1)
        for line in (ROOT / "monitoring" / "compose" / "sandbox.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    passed = yaml.safe_load(COMPOSE.read_text())["x-storebridge"]["environment"]
    # Then the env file sets every one of those variables and compose passes each to the
    # containers, except the SSRF guard's image settings: they name the sandbox's own loopback
    # origin, which means nothing in another container
    image_guard = {"IMAGE_ALLOWED_HOSTS", "IMAGE_ALLOWED_NETWORKS", "IMAGE_ALLOWED_PORTS"}
    assert wanted - image_guard <= set(env_file)
    assert wanted - image_guard <= set(passed)
    # And the category map is where the Dockerfile copies the sandbox's map
    copied = {
        line.split()[-1]: line.split()[1]
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.startswith("COPY ") and "--from" not in line
    }
    assert copied[env_file["CATEGORY_MAP_FILE"]] == "storebridge/sandbox/naver/category_map.csv"


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

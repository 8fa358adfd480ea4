"""yamllint over every YAML file this project ships for deployment and monitoring.

Helm templates are not YAML until rendered; test_helm_chart.py lints what they render to.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml

from tests.deploy.chart import CHART
from tests.deploy.tools import ROOT

CONFIG = ROOT / ".yamllint.yaml"


def shipped_yaml() -> list[Path]:
    files = [
        *CHART.glob("*.yaml"),
        *(CHART / "files").glob("*.yaml"),
        *(ROOT / "monitoring").rglob("*.yaml"),
        *(ROOT / "monitoring").rglob("*.yml"),
        *(ROOT / ".github" / "workflows").glob("*.yml"),
        ROOT / "docker-compose.yml",
    ]
    return sorted(p for p in files if p.exists())


def test_every_shipped_yaml_file_is_clean_for_yamllint(
    python_tool: Callable[[str], tuple[list[str], dict[str, str]]],
) -> None:
    command, env = python_tool("yamllint")
    files = shipped_yaml()
    assert len(files) >= 10
    relative = [str(p.relative_to(ROOT)) for p in files]  # yamllint's `ignore` patterns are relative
    done = subprocess.run(
        [*command, "--strict", "-c", str(CONFIG), *relative],
        capture_output=True, text=True, env={**_environ(), **env}, timeout=120, check=False, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_rendered_chart_output_is_clean_for_yamllint(
    python_tool: Callable[[str], tuple[list[str], dict[str, str]]],
    helm_bin: list[str],
    helm_home: Path,
    tmp_path: Path,
) -> None:
    from tests.deploy.chart import PROMETHEUS_OPERATOR_API, Case, template

    case = Case(
        "everything-on",
        files=("values-production.yaml",),
        sets=("canary.enabled=true", "canary.image.tag=0.2.0", "metrics.podMonitor.enabled=true"),
        api_versions=(PROMETHEUS_OPERATOR_API,),
    )
    out = tmp_path / "rendered.yaml"
    out.write_text(template(helm_bin, helm_home, case))
    assert list(yaml.safe_load_all(out.read_text()))
    command, env = python_tool("yamllint")
    done = subprocess.run(
        [*command, "--strict", "-c", str(CONFIG), str(out)],
        capture_output=True, text=True, env={**_environ(), **env}, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def _environ() -> dict[str, str]:
    import os

    return dict(os.environ)

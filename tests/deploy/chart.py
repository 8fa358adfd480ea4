"""Rendering the Helm chart with the real ``helm`` CLI, and walking what it rendered."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.tools import ROOT, helm_environment

CHART = ROOT / "helm" / "storebridge"
RULES_FILE = CHART / "files" / "prometheus-rules.yaml"
ENVIRONMENT_FILES = ("values-dev.yaml", "values-staging.yaml", "values-production.yaml")
PROMETHEUS_OPERATOR_API = "monitoring.coreos.com/v1"
POD_TEMPLATE_KINDS = {"Deployment", "Job", "CronJob", "Pod"}


class RenderError(Exception):
    """``helm template`` refused the values (schema violation, ``required`` ...)."""


@dataclass(frozen=True)
class Case:
    """One rendering: values files, ``--set`` pairs, extra API versions, a release name."""

    name: str
    files: tuple[str, ...] = ()
    sets: tuple[str, ...] = ()
    api_versions: tuple[str, ...] = ()
    release: str = "sb"


def template(helm: list[str], home: Path, case: Case, kube_version: str = "1.30.0") -> str:
    """``helm template`` output for a case; raises ``RenderError`` with helm's message."""
    command = [*helm, "template", case.release, str(CHART), "--namespace", "storebridge",
               "--kube-version", kube_version]  # fmt: skip
    for file in case.files:
        command += ["-f", str(CHART / file)]
    for pair in case.sets:
        command += ["--set", pair]
    for api in case.api_versions:
        command += ["--api-versions", api]
    done = subprocess.run(
        command, capture_output=True, text=True, env=helm_environment(home), timeout=60, check=False
    )
    if done.returncode != 0:
        raise RenderError(done.stderr)
    return done.stdout


def documents(rendered: str) -> list[dict[str, Any]]:
    """Every non-empty YAML document."""
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a workload or bare Pod."""
    kind = doc["kind"]
    if kind == "Pod":
        return doc["spec"]  # type: ignore[no-any-return]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]  # type: ignore[no-any-return]
    return doc["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def pod_templates(docs: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(object, pod spec) for every object that starts pods."""
    for doc in docs:
        if doc["kind"] in POD_TEMPLATE_KINDS:
            yield doc, pod_spec(doc)


def env_of(container: dict[str, Any]) -> dict[str, str]:
    """The literal ``env`` entries of a container."""
    return {e["name"]: e.get("value", "") for e in container.get("env", []) if "value" in e}


def component(doc: dict[str, Any]) -> str:
    return doc["metadata"]["labels"]["app.kubernetes.io/component"]  # type: ignore[no-any-return]

"""Dashboards and alert rules as data: every PromQL expression they hold, and the metric names known."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.deploy.chart import RULES_FILE
from tests.deploy.tools import ROOT

DASHBOARDS = sorted((ROOT / "dashboards").glob("*.json"))
METRICS_DOC = ROOT / "docs" / "METRICS.md"
POD_METRICS = ROOT / "workers" / "pod_metrics.py"
#: Grafana's variables, replaced by what a 1-second-scrape test Prometheus can evaluate.
GRAFANA_SUBSTITUTIONS = {
    "$__rate_interval": "1m",
    "$__interval": "15s",
    "$__range": "5m",
    "$api": ".*",
    "$queue": "normal|batch",
}
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")


@dataclass(frozen=True)
class Query:
    """One expression: where it comes from and its text as Grafana or Prometheus holds it."""

    source: str
    title: str
    expr: str

    @property
    def promql(self) -> str:
        """The expression with Grafana's variables replaced (alerts have none)."""
        text = self.expr
        for variable, value in GRAFANA_SUBSTITUTIONS.items():
            text = text.replace(variable, value)
        return text


def load_dashboard(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def panels(dashboard: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])


def dashboard_queries() -> list[Query]:
    out = []
    for path in DASHBOARDS:
        dashboard = load_dashboard(path)
        for panel in panels(dashboard):
            for target in panel.get("targets", []):
                out.append(Query(path.name, f"{panel['title']} [{target['refId']}]", target["expr"]))
    return out


def alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES_FILE.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


def alert_queries() -> list[Query]:
    return [Query(RULES_FILE.name, rule["alert"], rule["expr"]) for rule in alert_rules()]


def known_metric_names() -> set[str]:
    """Names in docs/METRICS.md and workers/pod_metrics.py, with histogram and counter suffixes; plus up."""
    base = set(re.findall(r"`((?:storebridge|dramatiq)_[a-z_]+)`", METRICS_DOC.read_text()))
    base |= set(re.findall(r'"(storebridge_[a-z_]+)"', POD_METRICS.read_text()))
    names = {"up"}
    for name in base:
        names.add(name)
        names.update(name + suffix for suffix in (*HISTOGRAM_SUFFIXES, "_total"))
    return names

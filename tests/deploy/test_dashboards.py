"""Grafana dashboards: importable as they are, every query valid PromQL over documented metrics.

The queries' *data* is proven by test_observability_e2e.py against a real Prometheus.
"""

from __future__ import annotations

from typing import Any

import promql_parser
import pytest

from tests.deploy.observability import (
    DASHBOARDS,
    Query,
    alert_queries,
    dashboard_queries,
    known_metric_names,
    load_dashboard,
    panels,
)

REQUIRED_PANELS = {
    # the seed's panels
    "API requests per second",
    "Registration success rate (1 h)",
    "Queue depth",
    "Rate-limit remaining",
    # the issue's additions
    "Throughput against the ceiling",
    "429 responses",
    "Failures and reviews by outcome",
    "Items by state",
    "Domeggook daily quota used",
    "Intake lag",
    "Limiter wait p95",
    "Worker CPU",
    "Worker memory",
}


def metric_names(expr: Any) -> set[str]:
    """Every metric a parsed expression selects."""
    names: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            names.add(node.name)
        elif isinstance(node, promql_parser.MatrixSelector):
            visit(node.vector_selector)
        for attribute in ("expr", "lhs", "rhs", "param"):
            child = getattr(node, attribute, None)
            if child is not None and not isinstance(child, str | int | float):
                visit(child)
        for arg in getattr(node, "args", None) or []:
            visit(arg)

    visit(expr)
    return names


def test_there_is_an_overview_and_an_item_flow_dashboard() -> None:
    assert {p.name for p in DASHBOARDS} == {"storebridge-overview.json", "storebridge-item-flow.json"}


@pytest.mark.parametrize("path", DASHBOARDS, ids=lambda p: p.name)
def test_dashboards_import_anywhere_with_the_datasource_as_a_variable(path: Any) -> None:
    dashboard = load_dashboard(path)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert "__inputs" not in dashboard  # nothing to map on import
    assert "id" not in dashboard or dashboard["id"] is None
    ids = []
    for panel in panels(dashboard):
        ids.append(panel["id"])
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}", panel["title"]
    assert len(ids) == len(set(ids))


def test_dashboard_uids_and_titles_are_unique() -> None:
    dashboards = [load_dashboard(p) for p in DASHBOARDS]
    assert len({d["uid"] for d in dashboards}) == len(dashboards)
    assert len({d["title"] for d in dashboards}) == len(dashboards)
    assert all(len(d["uid"]) <= 40 for d in dashboards)


def test_panels_do_not_overlap() -> None:
    for path in DASHBOARDS:
        cells: set[tuple[int, int]] = set()
        for panel in panels(load_dashboard(path)):
            g = panel["gridPos"]
            assert g["x"] + g["w"] <= 24, panel["title"]
            area = {(x, y) for x in range(g["x"], g["x"] + g["w"]) for y in range(g["y"], g["y"] + g["h"])}
            assert not area & cells, (path.name, panel["title"])
            cells |= area


def test_the_overview_has_every_panel_the_issue_asks_for() -> None:
    overview = next(load_dashboard(p) for p in DASHBOARDS if p.name == "storebridge-overview.json")
    titles = {p["title"] for p in panels(overview)}
    assert titles >= REQUIRED_PANELS, REQUIRED_PANELS - titles


@pytest.mark.parametrize(
    "query", [*dashboard_queries(), *alert_queries()], ids=lambda q: f"{q.source}:{q.title}"
)
def test_every_expression_parses_and_uses_only_documented_metrics(query: Query) -> None:
    expr = promql_parser.parse(query.promql)
    names = metric_names(expr)
    assert names, query.expr
    unknown = names - known_metric_names()
    assert not unknown, f"{query.title}: {unknown} are not in docs/METRICS.md or workers/pod_metrics.py"


def test_the_committed_dashboards_are_the_built_ones() -> None:
    import subprocess
    import sys

    from tests.deploy.tools import ROOT

    done = subprocess.run(
        [sys.executable, str(ROOT / "dashboards" / "build.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr

"""Alert rules: valid for promtool, unit-tested with ``promtool test rules``, each with a runbook."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.deploy.chart import RULES_FILE
from tests.deploy.observability import alert_rules
from tests.deploy.tools import ROOT

RULE_TESTS = ROOT / "monitoring" / "rules-tests" / "alerts.test.yaml"
OPERATIONS = ROOT / "docs" / "OPERATIONS.md"

#: The alerts the issue asks for, by the alert that covers each.
REQUIRED = {
    "success rate low": "StoreBridgeSuccessRateLow",
    "error rate high": "StoreBridgeApiErrorRateHigh",
    "queue growing": "StoreBridgeQueueGrowing",
    "any 429": "StoreBridgeRateLimited",
    "budget under-used while a backlog waits": "StoreBridgeBudgetUnderused",
    "daily quota near its end": "StoreBridgeDomeggookQuotaNearlyUsed",
    "a product whose update keeps failing": "StoreBridgeSyncKeepsFailing",
    "daemon down": "StoreBridgeDaemonDown",
    "workers down": "StoreBridgeWorkersDown",
    "multiprocess directory problems": "StoreBridgeMultiprocDirProblem",
}


def test_promtool_accepts_the_rules(prometheus_bin_dir: Path) -> None:
    done = subprocess.run(
        [str(prometheus_bin_dir / "promtool"), "check", "rules", str(RULES_FILE)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_alert_behaves_as_its_unit_tests_say(prometheus_bin_dir: Path) -> None:
    done = subprocess.run(
        [str(prometheus_bin_dir / "promtool"), "test", "rules", str(RULE_TESTS)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout + done.stderr


def test_every_alert_the_issue_lists_exists_and_every_alert_is_unit_tested() -> None:
    names = {rule["alert"] for rule in alert_rules()}
    assert set(REQUIRED.values()) <= names
    tested = set(re.findall(r"alertname: (\w+)", RULE_TESTS.read_text()))
    assert names <= tested, names - tested


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda r: r["alert"])
def test_every_alert_has_a_severity_and_a_runbook_section(rule: dict[str, object]) -> None:
    labels = rule["labels"]
    annotations = rule["annotations"]
    assert isinstance(labels, dict)
    assert labels["severity"] in {"critical", "warning", "info"}
    assert isinstance(annotations, dict)
    assert annotations["summary"]
    assert annotations["description"]
    anchor = str(annotations["runbook_url"]).rsplit("#", 1)[1]
    headings = {
        re.sub(r"[^a-z0-9 -]", "", line.lstrip("#").strip().lower()).replace(" ", "-")
        for line in OPERATIONS.read_text().splitlines()
        if line.startswith("#")
    }
    assert anchor in headings, f"docs/OPERATIONS.md has no heading for #{anchor}"

"""Build dashboards/*.json: the committed dashboards are this file's output.

    .venv/bin/python dashboards/build.py           # rewrite the JSON files
    .venv/bin/python dashboards/build.py --check   # exit 1 if a committed file differs

Plain dictionaries in Grafana 11's dashboard JSON model (schemaVersion 39); the Prometheus data
source is the `datasource` variable, so the files import anywhere as they are. Metric names:
docs/METRICS.md and workers/pod_metrics.py. tests/deploy/test_dashboards.py runs --check.
"""

# ruff: noqa: E501 - PromQL expressions and panel descriptions read best unbroken
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DS = {"type": "prometheus", "uid": "${datasource}"}


def templating(extra=()):
    return {
        "list": [
            {
                "name": "datasource",
                "label": "Prometheus",
                "type": "datasource",
                "query": "prometheus",
                "current": {},
                "hide": 0,
                "refresh": 1,
                "regex": "",
                "options": [],
            },
            *extra,
        ]
    }


_id = [0]


def panel(
    title, targets, kind="timeseries", unit="short", w=12, h=8, desc="", thresholds=None, min_=None, max_=None
):
    _id[0] += 1
    defaults = {"unit": unit}
    if min_ is not None:
        defaults["min"] = min_
    if max_ is not None:
        defaults["max"] = max_
    if thresholds:
        defaults["thresholds"] = {
            "mode": "absolute",
            "steps": [{"color": c, "value": v} for v, c in thresholds],
        }
    p = {
        "id": _id[0],
        "type": kind,
        "title": title,
        "description": desc,
        "datasource": DS,
        "gridPos": {"h": h, "w": w, "x": 0, "y": 0},
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": {},
        "targets": [
            {"refId": chr(65 + i), "datasource": DS, "expr": e, "legendFormat": legend, "range": True}
            for i, (e, legend) in enumerate(targets)
        ],
    }
    if kind == "stat":
        p["options"] = {
            "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
            "colorMode": "background",
            "graphMode": "area",
        }
    return p


def layout(panels):
    x = y = 0
    rowh = 0
    for p in panels:
        g = p["gridPos"]
        if p["type"] == "row":
            if x:
                y += rowh
                x = 0
                rowh = 0
            g.update(x=0, y=y, w=24, h=1)
            y += 1
            continue
        if x + g["w"] > 24:
            x = 0
            y += rowh
            rowh = 0
        g["x"], g["y"] = x, y
        x += g["w"]
        rowh = max(rowh, g["h"])
    return panels


def row(title):
    _id[0] += 1
    return {
        "id": _id[0],
        "type": "row",
        "title": title,
        "collapsed": False,
        "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0},
        "panels": [],
    }


def dashboard(uid, title, desc, panels, extra_vars=(), links=()):
    return {
        "uid": uid,
        "title": title,
        "description": desc,
        "tags": ["storebridge"],
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "timepicker": {},
        "annotations": {"list": []},
        "links": list(links),
        "templating": templating(extra_vars),
        "panels": layout(panels),
    }


RI = "$__rate_interval"
SUCCESS = "created|adopted|updated|price_stock|unchanged|suspended|resumed"
overview = dashboard(
    "storebridge-overview",
    "StoreBridge / Overview",
    "Operator overview: is StoreBridge up, keeping up, inside the rate limits and succeeding? Metrics: docs/METRICS.md.",
    [
        row("Health"),
        panel(
            "Registration success rate (1 h)",
            [("max(storebridge_registration_success_rate)", "success rate")],
            "stat",
            "percentunit",
            6,
            5,
            "Successes / finished syncs over the last hour, from product_events (P1 < 70 %, P2 < 85 %).",
            [(None, "red"), (0.70, "orange"), (0.85, "green")],
            0,
            1,
        ),
        panel(
            "Daemon and worker targets up",
            [('sum by (job) (up{job=~"storebridge-daemon|storebridge-worker"})', "{{job}}")],
            "stat",
            "short",
            6,
            5,
            "Scrape targets answering (P0 when the daemon is down).",
        ),
        panel(
            "Intake lag",
            [("max(storebridge_intake_lag_seconds)", "oldest entry")],
            "stat",
            "s",
            6,
            5,
            "Age of the oldest intake entry not handed off (alert at 1 h).",
            [(None, "green"), (600, "orange"), (3600, "red")],
        ),
        panel(
            "Domeggook daily quota used",
            [("max(storebridge_domeggook_daily_used) / max(storebridge_domeggook_daily_limit)", "used")],
            "stat",
            "percentunit",
            6,
            5,
            "Calls counted today (KST) against the configured daily limit (DOMEGGOOK_DAILY_LIMIT, 15,000 by default); ordinary work stops about 1/15 short of it (14,000 of 15,000) and waits for midnight KST.",
            [(None, "green"), (0.9, "orange"), (14000 / 15000, "red")],
            0,
            1,
        ),
        row("Naver holds"),
        panel(
            "Naver operator holds",
            [("max by (reason, instance) (storebridge_naver_operator_hold)", "{{reason}} {{instance}}")],
            unit="short",
            h=6,
            desc="1 while a worker pod's Naver calls are held by a fault an operator must fix (naver.ip_not_allowed: register the egress IP; naver.credentials_refused: check the client id, secret and clock); 0 once a call goes through. Items wait, nothing is parked: see OPERATIONS.md.",
            thresholds=[(None, "green"), (1, "red")],
            min_=0,
            max_=1,
        ),
        panel(
            "Limiter pauses",
            [("max by (api) (storebridge_rate_limit_paused_seconds)", "{{api}}")],
            unit="s",
            h=6,
            desc="Time left of a pause every process observes, per limiter bucket: seconds after a 429, a quota period (an hour) on every naver bucket when Naver's gateway quota is used up (alert above a minute).",
        ),
        row("Throughput and limits"),
        panel(
            "API requests per second",
            [(f"sum by (api) (rate(storebridge_api_requests_total[{RI}]))", "{{api}}")],
            unit="reqps",
            desc="HTTP answers received per API.",
        ),
        panel(
            "Throughput against the ceiling",
            [
                (f"sum by (api) (rate(storebridge_limiter_wait_seconds_count[{RI}]))", "{{api}} calls/s"),
                ("max by (api) (storebridge_rate_limit_rate_per_second)", "{{api}} ceiling"),
            ],
            unit="reqps",
            desc="Calls started per limiter bucket next to its effective pacing rate (after the 0.95 factor, headers and 429 penalties).",
        ),
        panel(
            "Rate-limit remaining",
            [("max by (api) (storebridge_rate_limit_remaining)", "{{api}}")],
            desc="Calls a bucket could start now without waiting (0 or 1 at burst 1): for dashboards only, alert on utilisation.",
        ),
        panel(
            "429 responses",
            [
                (
                    f'sum by (api, endpoint) (increase(storebridge_api_requests_total{{status="429"}}[{RI}]))',
                    "{{api}} {{endpoint}}",
                )
            ],
            unit="short",
            desc="Any 429 is an alert: StoreBridge paces below the published limits.",
        ),
        panel(
            "Queue depth",
            [("max by (queue) (storebridge_queue_depth)", "{{queue}}")],
            desc="Messages not acknowledged per Dramatiq queue; intake entries not handed off.",
        ),
        panel(
            "Limiter wait p95",
            [
                (
                    f"histogram_quantile(0.95, sum by (le, api) (rate(storebridge_limiter_wait_seconds_bucket[{RI}])))",
                    "{{api}}",
                )
            ],
            unit="s",
            desc="Time waiting for a shared rate-limit slot.",
        ),
        row("Outcomes"),
        panel(
            "Registrations by outcome",
            [(f"sum by (outcome) (rate(storebridge_registrations_total[{RI}]))", "{{outcome}}")],
            unit="ops",
        ),
        panel(
            "Failures and reviews by outcome",
            [
                (
                    f'sum by (outcome) (increase(storebridge_registrations_total{{outcome=~"manual_review|failed|retry|deferred"}}[{RI}]))',
                    "{{outcome}}",
                )
            ],
            desc="Syncs that did not succeed. Reasons by code: `storebridge status` (not a metric label).",
        ),
        panel(
            "Items by state",
            [("max by (state) (storebridge_items)", "{{state}}")],
            "bargauge",
            w=12,
            desc="Products per state in PostgreSQL.",
        ),
        panel(
            "API 5xx ratio",
            [
                (
                    f'sum by (api) (rate(storebridge_api_requests_total{{status=~"5.."}}[{RI}])) / sum by (api) (rate(storebridge_api_requests_total[{RI}]))',
                    "{{api}}",
                )
            ],
            unit="percentunit",
            desc="P0 above 5 %.",
        ),
        row("Workers"),
        panel(
            "Worker CPU",
            [(f"sum by (instance) (rate(storebridge_worker_cpu_seconds_total[{RI}]))", "{{instance}}")],
            unit="percentunit",
            desc="CPU of the Dramatiq processes per worker pod (`storebridge worker` reads /proc).",
        ),
        panel(
            "Worker memory",
            [("sum by (instance) (storebridge_worker_resident_memory_bytes)", "{{instance}}")],
            unit="bytes",
            desc="Resident memory of the Dramatiq processes per worker pod.",
        ),
        panel(
            "Messages processed",
            [(f"sum by (queue_name) (rate(dramatiq_messages_total[{RI}]))", "{{queue_name}}")],
            unit="ops",
        ),
        panel(
            "Messages in progress", [("sum by (queue_name) (dramatiq_messages_inprogress)", "{{queue_name}}")]
        ),
    ],
    links=[
        {
            "title": "Per-item flow",
            "type": "link",
            "url": "/d/storebridge-item-flow",
            "icon": "dashboard",
            "targetBlank": False,
        }
    ],
)
api_var = {
    "name": "api",
    "label": "API",
    "type": "query",
    "datasource": DS,
    "query": {"query": "label_values(storebridge_api_requests_total, api)", "refId": "api"},
    "definition": "label_values(storebridge_api_requests_total, api)",
    "includeAll": True,
    "multi": True,
    "allValue": ".*",
    "current": {"text": "All", "value": "$__all"},
    "refresh": 2,
    "hide": 0,
    "options": [],
    "sort": 1,
}
queue_var = {
    "name": "queue",
    "label": "Queue",
    "type": "custom",
    "query": "normal,batch",
    "includeAll": True,
    "multi": True,
    "allValue": "normal|batch",
    "current": {"text": "All", "value": "$__all"},
    "hide": 0,
    "options": [
        {"text": "All", "value": "$__all", "selected": True},
        {"text": "normal", "value": "normal", "selected": False},
        {"text": "batch", "value": "batch", "selected": False},
    ],
}
flow = dashboard(
    "storebridge-item-flow",
    "StoreBridge / Item flow",
    "Drill-down along one item's path: intake -> Dramatiq queue -> Domeggook fetch -> images -> Naver write -> outcome.",
    [
        row("1. Intake"),
        panel(
            "Intake backlog and lag",
            [
                ('max(storebridge_queue_depth{queue="intake"})', "entries"),
                ("max(storebridge_intake_lag_seconds)", "lag (s)"),
            ],
            w=12,
        ),
        panel(
            "Enqueued into Dramatiq",
            [
                (
                    f'sum by (queue_name) (rate(dramatiq_messages_total{{queue_name=~"$queue"}}[{RI}]))',
                    "{{queue_name}}",
                )
            ],
            unit="ops",
            w=12,
        ),
        row("2. Queues and workers"),
        panel(
            "Queue depth", [('max by (queue) (storebridge_queue_depth{queue=~"$queue"})', "{{queue}}")], w=8
        ),
        panel(
            "Message duration p95",
            [
                (
                    f'histogram_quantile(0.95, sum by (le, actor_name) (rate(dramatiq_message_duration_milliseconds_bucket{{queue_name=~"$queue"}}[{RI}]))) / 1000',
                    "{{actor_name}}",
                )
            ],
            unit="s",
            w=8,
        ),
        panel(
            "Message errors and retries",
            [
                (
                    f'sum by (queue_name) (rate(dramatiq_message_errors_total{{queue_name=~"$queue"}}[{RI}]))',
                    "errors {{queue_name}}",
                ),
                (
                    f'sum by (queue_name) (rate(dramatiq_message_retries_total{{queue_name=~"$queue"}}[{RI}]))',
                    "retries {{queue_name}}",
                ),
            ],
            unit="ops",
            w=8,
        ),
        panel(
            "Sweeper re-drives",
            [(f"sum by (state) (increase(storebridge_sweeper_redriven_total[{RI}]))", "{{state}}")],
            w=24,
            h=6,
            desc="Stalled items the daemon's sweeper put back on the intake stream, by the state they stalled in "
            "(NO_ROW: handed to a worker, never got a product row). Non-zero means messages were lost "
            "(a worker killed mid-message) or work stalls: see OPERATIONS.md.",
        ),
        row("3. Upstream APIs"),
        panel(
            "Requests by endpoint and status",
            [
                (
                    f'sum by (api, endpoint, status) (rate(storebridge_api_requests_total{{api=~"$api"}}[{RI}]))',
                    "{{api}} {{endpoint}} {{status}}",
                )
            ],
            unit="reqps",
            w=12,
        ),
        panel(
            "Request duration p95",
            [
                (
                    f'histogram_quantile(0.95, sum by (le, api, endpoint) (rate(storebridge_api_request_duration_seconds_bucket{{api=~"$api"}}[{RI}])))',
                    "{{api}} {{endpoint}}",
                )
            ],
            unit="s",
            w=12,
        ),
        panel(
            "Limiter wait p50 / p95",
            [
                (
                    f"histogram_quantile(0.5, sum by (le, api) (rate(storebridge_limiter_wait_seconds_bucket[{RI}])))",
                    "p50 {{api}}",
                ),
                (
                    f"histogram_quantile(0.95, sum by (le, api) (rate(storebridge_limiter_wait_seconds_bucket[{RI}])))",
                    "p95 {{api}}",
                ),
            ],
            unit="s",
            w=12,
        ),
        panel(
            "Budget utilisation",
            [
                (
                    f"sum by (api) (rate(storebridge_limiter_wait_seconds_count[{RI}])) / max by (api) (storebridge_rate_limit_rate_per_second)",
                    "{{api}}",
                )
            ],
            unit="percentunit",
            w=12,
            desc="Calls started / pacing rate per bucket (P2 above 90 %; under 50 % with a backlog is an alert too).",
        ),
        row("4. Outcome"),
        panel(
            "Outcomes",
            [(f"sum by (outcome) (increase(storebridge_registrations_total[{RI}]))", "{{outcome}}")],
            w=12,
        ),
        panel(
            "Success rate from counters (1 h)",
            [
                (
                    f'sum(increase(storebridge_registrations_total{{outcome=~"{SUCCESS}"}}[1h])) / sum(increase(storebridge_registrations_total{{outcome=~"{SUCCESS}|manual_review|failed"}}[1h]))',
                    "success rate",
                )
            ],
            unit="percentunit",
            w=12,
            min_=0,
            max_=1,
        ),
        panel(
            "Items in flight and stuck",
            [
                (
                    'max by (state) (storebridge_items{state=~"PENDING|VALIDATED|UPLOADING|REGISTERING|UNKNOWN|UPDATING|RETRYING"})',
                    "{{state}}",
                )
            ],
            w=12,
        ),
        panel(
            "Manual review and failed",
            [('max by (state) (storebridge_items{state=~"MANUAL_REVIEW|FAILED"})', "{{state}}")],
            w=12,
        ),
    ],
    extra_vars=[api_var, queue_var],
    links=[
        {
            "title": "Overview",
            "type": "link",
            "url": "/d/storebridge-overview",
            "icon": "dashboard",
            "targetBlank": False,
        }
    ],
)
stale = []
for name, d in (("storebridge-overview.json", overview), ("storebridge-item-flow.json", flow)):
    text = json.dumps(d, indent=2, ensure_ascii=False) + "\n"
    if "--check" in sys.argv:
        if (HERE / name).read_text() != text:
            stale.append(name)
    else:
        (HERE / name).write_text(text)
if stale:
    sys.exit(f"stale: {', '.join(stale)} (run dashboards/build.py)")

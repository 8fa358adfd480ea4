"""Generate helm/storebridge/values.schema.json: types from values.yaml, constraints stated here.

    .venv/bin/python helm/gen_values_schema.py            # rewrite the schema
    .venv/bin/python helm/gen_values_schema.py --check    # exit 1 if the committed one differs

tests/deploy/test_helm_chart.py runs --check, so values.yaml, this file and the schema agree.
"""

import copy
import json
import sys
from pathlib import Path

import yaml

CHART = Path(__file__).resolve().parent / "storebridge"
values = yaml.safe_load((CHART / "values.yaml").read_text())
FREE_MAPS = {
    "commonLabels",
    "commonAnnotations",
    "annotations",
    "podAnnotations",
    "podLabels",
    "nodeSelector",
    "extraConfig",
    "labels",
    "resources",
    "requests",
    "limits",
}


def infer(v, key=None):
    if isinstance(v, bool):
        return {"type": "boolean"}
    if isinstance(v, int):
        return {"type": "integer"}
    if isinstance(v, float):
        return {"type": "number"}
    if isinstance(v, str):
        return {"type": "string"}
    if isinstance(v, list):
        return {"type": "array"}
    if isinstance(v, dict):
        if key in FREE_MAPS:
            return {"type": "object"}
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {k: infer(x, k) for k, x in v.items()},
        }
    raise TypeError(v)


schema = infer(values)
P = schema["properties"]


def at(*path):
    s = schema
    for k in path:
        s = s["properties"][k]
    return s


label_map = {"type": "object", "additionalProperties": {"type": "string"}}
for k in ("commonLabels", "commonAnnotations"):
    P[k] = dict(label_map)
at("serviceAccount")["properties"]["annotations"] = dict(label_map)
at("serviceAccount", "irsaRoleArn")["pattern"] = r"^(arn:aws[a-z-]*:iam::[0-9]{12}:role/.+)?$"
at("image", "pullPolicy")["enum"] = ["Always", "IfNotPresent", "Never"]
at("image", "repository")["minLength"] = 1
at("image", "digest")["pattern"] = r"^(sha256:[a-f0-9]{64})?$"
P["imagePullSecrets"] = {
    "type": "array",
    "items": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
}
# config: known keys typed, everything an upper-case environment name with a string value
cfg = at("config")
cfg["additionalProperties"] = False
cfg["patternProperties"] = {}
for v in cfg["properties"].values():
    v["type"] = "string"
NUMERIC = set()
num = r"^[0-9]+(\.[0-9]+)?$"
integer = r"^[0-9]+$"
for k in (
    "DOMEGGOOK_MAX_TPS",
    "NAVER_MAX_TPS",
    "NAVER_SEARCH_GRACE_S",
    "PRICE_MARGIN_PERCENT",
    "INTAKE_CLAIM_IDLE_S",
    "WORKER_TIME_LIMIT_S",
    "RETRY_BACKOFF_BASE",
):
    cfg["properties"][k]["pattern"] = num
    NUMERIC.add(k)
for k in (
    "DOMEGGOOK_DAILY_LIMIT",
    "PRICE_MARGIN_FIXED_WON",
    "DATABASE_POOL_SIZE",
    "DATABASE_MAX_OVERFLOW",
    "REDIS_MAX_CONNECTIONS",
    "INTAKE_BATCH_SIZE",
    "MAX_RETRIES",
):
    cfg["properties"][k]["pattern"] = integer
    NUMERIC.add(k)
cfg["properties"]["INTAKE_BATCH_SIZE"]["pattern"] = r"^([1-9]|[1-9][0-9]|100)$"
cfg["properties"]["INTAKE_BATCH_SIZE"].update(minimum=1, maximum=100)
for k in NUMERIC:  # `--set config.NAVER_MAX_TPS=4` gives a number; quoted in the ConfigMap either way
    cfg["properties"][k]["type"] = ["string", "number"]
    cfg["properties"][k].setdefault("minimum", 0)
cfg["properties"]["ENVIRONMENT"]["enum"] = ["development", "test", "staging", "production"]
cfg["properties"]["DOMEGGOOK_MARKET"]["enum"] = ["dome", "supply"]
cfg["properties"]["RATE_LIMIT_MODE"]["enum"] = ["global", "local", "none"]
cfg["properties"]["LOG_LEVEL"]["enum"] = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
cfg["properties"]["LOG_FORMAT"]["enum"] = ["json", "text"]
cfg["properties"]["REDIS_NAMESPACE"]["minLength"] = 1
cfg["properties"]["S3_BUCKET"]["minLength"] = 3
del cfg["patternProperties"]
P["extraConfig"] = {
    "type": "object",
    "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
    "additionalProperties": {"type": "string"},
}
P["shutdownTimeoutSeconds"].update(minimum=1, maximum=3600)
P["limiterMaxWaitSeconds"].update(minimum=0, maximum=600)
P["preStopSleepSeconds"].update(minimum=0, maximum=60)
P["prometheusMultiprocDir"]["pattern"] = r"^/[^ ]+$"
P["tmpSizeLimit"]["pattern"] = r"^[0-9]+(Ki|Mi|Gi)?$"
P["podAntiAffinityPreset"]["enum"] = ["soft", "hard", "none"]
at("topologySpread", "whenUnsatisfiable")["enum"] = ["ScheduleAnyway", "DoNotSchedule"]
at("topologySpread", "maxSkew")["minimum"] = 1
P["nodeSelector"] = dict(label_map)
P["tolerations"] = {"type": "array", "items": {"type": "object"}}
P["extraEnv"] = {"type": "array", "items": {"type": "object", "required": ["name"]}}
# Restricted pod security: the defaults may be extended, never weakened.
psc = at("podSecurityContext")
psc["properties"]["runAsNonRoot"]["const"] = True
psc["properties"]["runAsUser"]["minimum"] = 1
psc["properties"]["seccompProfile"]["properties"]["type"]["enum"] = ["RuntimeDefault", "Localhost"]
psc["required"] = ["runAsNonRoot", "seccompProfile"]
csc = at("containerSecurityContext")
csc["properties"]["runAsNonRoot"]["const"] = True
csc["properties"]["allowPrivilegeEscalation"]["const"] = False
csc["properties"]["readOnlyRootFilesystem"]["const"] = True
csc["properties"]["capabilities"]["properties"]["drop"] = {
    "type": "array",
    "contains": {"const": "ALL"},
    "items": {"type": "string"},
}
csc["properties"]["seccompProfile"]["properties"]["type"]["enum"] = ["RuntimeDefault", "Localhost"]
csc["required"] = ["runAsNonRoot", "allowPrivilegeEscalation", "readOnlyRootFilesystem", "capabilities"]
resources = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "requests": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
        "limits": {"type": "object", "additionalProperties": {"type": ["string", "number"]}},
    },
}
pdb_min = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^([0-9]+%?)?$"}]}
pdb_max = {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": r"^[0-9]+%?$"}]}
d = at("daemon")
d["properties"]["replicaCount"].update(
    minimum=0,
    maximum=2,
    description="1 is enough; 2 are safe; more add nothing (intake is one stream, gauges are cluster-wide)",
)
d["properties"]["port"].update(minimum=1, maximum=65535)
d["properties"]["resources"] = resources
d["properties"]["service"]["properties"]["type"]["enum"] = ["ClusterIP", "NodePort", "LoadBalancer"]
d["properties"]["service"]["properties"]["port"].update(minimum=1, maximum=65535)
d["properties"]["pdb"]["properties"]["minAvailable"] = pdb_min
d["properties"]["pdb"]["properties"]["maxUnavailable"] = pdb_max
d["properties"]["podLabels"] = dict(label_map)
d["properties"]["podAnnotations"] = dict(label_map)
d["properties"]["livenessProbe"]["properties"]["path"]["enum"] = ["/metrics", "/health"]
for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
    for v in d["properties"][probe]["properties"].values():
        if v["type"] == "integer":
            v["minimum"] = 1
w = at("worker")
w["properties"]["metrics"]["properties"]["port"].update(minimum=1, maximum=65535)
qschema = w["properties"]["queues"]["properties"]["normal"]
qschema["properties"]["processes"].update(minimum=1, maximum=64)
qschema["properties"]["threads"].update(minimum=1, maximum=64)
qschema["properties"]["prefetch"].update(minimum=0)
qschema["properties"]["replicaCount"].update(minimum=0)
qschema["properties"]["resources"] = resources
qschema["properties"]["pdb"]["properties"]["minAvailable"] = pdb_min
qschema["properties"]["pdb"]["properties"]["maxUnavailable"] = pdb_max
qschema["properties"]["podLabels"] = dict(label_map)
qschema["properties"]["podAnnotations"] = dict(label_map)
a = qschema["properties"]["autoscaling"]["properties"]
a["minReplicas"]["minimum"] = 1
a["maxReplicas"]["minimum"] = 1
a["targetCPUUtilizationPercentage"].update(minimum=1, maximum=100)
a["queueDepth"]["properties"]["averageValue"]["minimum"] = 1
w["properties"]["queues"]["properties"] = {"normal": copy.deepcopy(qschema), "batch": copy.deepcopy(qschema)}
c = at("canary")
c["properties"]["queue"]["enum"] = ["normal", "batch"]
c["properties"]["processes"].update(minimum=1, maximum=64)
c["properties"]["threads"].update(minimum=1, maximum=64)
c["properties"]["resources"] = resources
c["properties"]["image"]["properties"]["digest"]["pattern"] = r"^(sha256:[a-f0-9]{64})?$"
m = at("migrations")
m["properties"]["resources"] = resources
m["properties"]["backoffLimit"]["minimum"] = 0
m["properties"]["activeDeadlineSeconds"]["minimum"] = 1
e = at("enqueue")
e["properties"]["resources"] = resources
e["properties"]["concurrencyPolicy"]["enum"] = ["Forbid", "Replace", "Allow"]
e["properties"]["jobs"] = {
    "type": "array",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "schedule", "queue"],
        "properties": {
            "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 30},
            "schedule": {
                "type": "string",
                "pattern": r"^(@(hourly|daily|weekly|monthly|yearly)|(\S+\s+){4}\S+)$",
            },
            "queue": {"type": "string", "enum": ["normal", "batch"]},
            "args": {"type": "array", "items": {"type": "string"}},
            "itemIds": {
                "type": "array",
                "items": {
                    "oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": r"^[0-9]+$"}]
                },
            },
            "suspend": {"type": "boolean"},
        },
    },
}
for mon in ("serviceMonitor", "podMonitor", "prometheusRule"):
    at("metrics", mon)["properties"]["labels"] = dict(label_map)
for k in ("relabelings", "metricRelabelings"):
    at("metrics", "serviceMonitor")["properties"][k] = {"type": "array", "items": {"type": "object"}}
for k in ("interval", "scrapeTimeout"):
    at("metrics", "serviceMonitor", k)["pattern"] = r"^[0-9]+(ms|s|m|h)$"
at("metrics", "podMonitor", "interval")["pattern"] = r"^[0-9]+(ms|s|m|h)$"
schema = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "StoreBridge Helm chart values",
    **schema,
}
text = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
target = CHART / "values.schema.json"
if "--check" in sys.argv:
    sys.exit(0 if target.read_text() == text else 1)
target.write_text(text)

"""The Helm chart, rendered by the real ``helm`` CLI and validated by ``kubernetes-validate``.

Given every environment's values file and the edge cases (autoscaling, an existing Secret, the
canary, the Prometheus Operator objects, a long release name), when the chart is rendered, then
every object is valid for the Kubernetes versions EKS supports, every pod runs under the Restricted
Pod Security Standard with probes where something long-running listens, and values that break the
schema are refused before anything is rendered.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from storebridge.cli import build_parser
from storebridge.commands.worker import dramatiq_commands
from storebridge.config import ConfigError, Settings, load_settings
from tests.deploy.chart import (
    CHART,
    ENVIRONMENT_FILES,
    PROMETHEUS_OPERATOR_API,
    RULES_FILE,
    Case,
    RenderError,
    by_kind,
    component,
    documents,
    env_of,
    pod_templates,
    template,
)
from tests.deploy.tools import helm_environment

#: EKS standard and extended support at the time of writing.
KUBERNETES_VERSIONS = ("1.29.0", "1.30.0", "1.31.0", "1.32.0")
LONG_RELEASE = "storebridge-production-ap-northeast-2-blue-green-release-with-a-long-name"

CASES = (
    Case("defaults"),
    *(Case(file.removeprefix("values-").removesuffix(".yaml"), files=(file,)) for file in ENVIRONMENT_FILES),
    *(
        Case(
            f"{file.removeprefix('values-').removesuffix('.yaml')}-with-operator",
            files=(file,),
            api_versions=(PROMETHEUS_OPERATOR_API,),
        )
        for file in ENVIRONMENT_FILES
    ),
    Case(
        "autoscaling-on",
        sets=(
            "worker.queues.normal.autoscaling.enabled=true",
            "worker.queues.batch.autoscaling.enabled=true",
            "worker.queues.batch.autoscaling.queueDepth.enabled=true",
        ),
    ),
    Case("existing-secret", sets=("secrets.existingSecret=storebridge-external",)),
    Case("canary-on", sets=("canary.enabled=true", "canary.image.tag=0.2.0-rc1", "canary.threads=2")),
    Case(
        "monitoring-on",
        sets=(
            "metrics.serviceMonitor.enabled=true",
            "metrics.podMonitor.enabled=true",
            "metrics.prometheusRule.enabled=true",
        ),
        api_versions=(PROMETHEUS_OPERATOR_API,),
    ),
    Case(
        "id-file-cronjob-and-hard-anti-affinity",
        sets=(
            "enqueue.jobs[0].name=bestsellers",
            "enqueue.jobs[0].schedule=*/30 * * * *",
            "enqueue.jobs[0].queue=normal",
            "enqueue.jobs[0].itemIds={46072413,51234567}",
            "podAntiAffinityPreset=hard",
            "daemon.replicaCount=2",
            "commonAnnotations.team=sre",
        ),
    ),
    Case("long-release-name", release=LONG_RELEASE[:53]),
    Case(
        "worker-metrics-off-batch-off",
        sets=("worker.metrics.enabled=false", "worker.queues.batch.enabled=false"),
    ),
)


@pytest.fixture(scope="module")
def rendered(helm_bin: list[str], helm_home: Path) -> dict[str, list[dict[str, Any]]]:
    """Every case rendered once: name -> documents."""
    return {case.name: documents(template(helm_bin, helm_home, case)) for case in CASES}


@pytest.fixture(scope="module")
def rendered_files(
    rendered: dict[str, list[dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory
) -> list[Path]:
    directory = tmp_path_factory.mktemp("rendered")
    paths = []
    for name, docs in rendered.items():
        path = directory / f"{name}.yaml"
        path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
        paths.append(path)
    return paths


def test_the_chart_lints_strictly_with_every_values_file(helm_bin: list[str], helm_home: Path) -> None:
    for extra in ((), *(("-f", str(CHART / file)) for file in ENVIRONMENT_FILES)):
        done = subprocess.run(
            [*helm_bin, "lint", "--strict", str(CHART), *extra],
            capture_output=True, text=True, env=helm_environment(helm_home), timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, (extra, done.stdout, done.stderr)
        assert "[WARNING]" not in done.stdout, done.stdout
        assert "[ERROR]" not in done.stdout, done.stdout


@pytest.mark.parametrize("kube_version", KUBERNETES_VERSIONS)
def test_every_rendered_object_is_valid_for_each_eks_kubernetes_version(
    kube_version: str, rendered_files: list[Path], python_tool: Any
) -> None:
    command, env = python_tool("kubernetes-validate")
    done = subprocess.run(
        [*command, "-k", kube_version, "--strict", "--quiet", *map(str, rendered_files)],
        capture_output=True, text=True, env={**_os_environ(), **env}, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    # CRDs (ServiceMonitor, PodMonitor, PrometheusRule) have no schema there: warnings, nothing else.
    for line in (done.stdout + done.stderr).splitlines():
        assert "Couldn't find schema for kind" in line, line
        assert "monitoring.coreos.com/v1" in line, line


def test_every_pod_runs_under_the_restricted_pod_security_standard(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    checked = 0
    for name, docs in rendered.items():
        for doc, spec in pod_templates(docs):
            where = f"{name}: {doc['kind']} {doc['metadata']['name']}"
            pod = spec["securityContext"]
            assert pod["runAsNonRoot"] is True, where
            assert pod["runAsUser"] != 0, where
            assert pod["seccompProfile"]["type"] == "RuntimeDefault", where
            assert spec["automountServiceAccountToken"] is False, where
            volumes = {v["name"]: v for v in spec.get("volumes", [])}
            for container in spec["containers"]:
                sc = container["securityContext"]
                assert sc["allowPrivilegeEscalation"] is False, where
                assert sc["readOnlyRootFilesystem"] is True, where
                assert sc["runAsNonRoot"] is True, where
                assert sc["capabilities"]["drop"] == ["ALL"], where
                assert sc["seccompProfile"]["type"] == "RuntimeDefault", where
                assert "resources" in container, where
                assert container["resources"]["limits"]["memory"], where
                mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
                if container["name"] != "health":  # the helm test pod writes nothing
                    assert "emptyDir" in volumes[mounts["/tmp"]], where
                checked += 1
    assert checked > 50


def test_daemon_and_worker_pods_wipe_and_share_one_multiprocess_directory(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for name, docs in rendered.items():
        for doc, spec in pod_templates(docs):
            if component(doc) not in {"daemon", "worker"}:
                continue
            volumes = {v["name"]: v for v in spec["volumes"]}
            for container in spec["containers"]:
                mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
                env = env_of(container)
                directory = env["PROMETHEUS_MULTIPROC_DIR"]
                assert env["dramatiq_prom_db"] == directory, name
                assert "emptyDir" in volumes[mounts[directory]["name"]], name
                # The entrypoint wipes the directory for these roles before the process starts.
                assert container["args"][0] in {"daemon", "worker"}, container["args"]


def test_probes_watch_what_each_long_running_pod_serves(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for name, docs in rendered.items():
        for doc in by_kind(docs, "Deployment"):
            spec = doc["spec"]["template"]["spec"]
            containers = {c["name"]: c for c in spec["containers"]}
            if component(doc) == "daemon":
                daemon = containers["daemon"]
                port = daemon["ports"][0]
                assert port["name"] == "http"
                assert port["containerPort"] == 8000
                # Startup and readiness need the dependencies (/health); liveness only the event
                # loop (/metrics), so a Redis or PostgreSQL outage does not restart-loop the daemon.
                for probe in ("startupProbe", "readinessProbe"):
                    assert daemon[probe]["httpGet"] == {"path": "/health", "port": "http"}, (name, probe)
                assert daemon["livenessProbe"]["httpGet"] == {"path": "/metrics", "port": "http"}, name
            else:
                # Decision (OPERATIONS.md "Probes"): `storebridge worker` serves its own /health
                # (its queue group alive) and /metrics; no sidecar, no shared process namespace.
                assert set(containers) == {"worker"}, name
                assert "shareProcessNamespace" not in spec, name
                worker = containers["worker"]
                if name == "worker-metrics-off-batch-off":
                    assert env_of(worker)["WORKER_METRICS_PORT"] == "0"
                    assert "ports" not in worker
                    assert "livenessProbe" not in worker
                    continue
                assert worker["ports"] == [{"name": "metrics", "containerPort": 9191, "protocol": "TCP"}]
                assert env_of(worker)["WORKER_METRICS_PORT"] == "9191"
                for probe in ("livenessProbe", "readinessProbe"):
                    assert worker[probe]["httpGet"] == {"path": "/health", "port": "metrics"}, name


def test_rollouts_never_drop_capacity_and_stops_are_given_enough_time(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for name, docs in rendered.items():
        config = by_kind(docs, "ConfigMap")[0]["data"]
        shutdown_s = int(config["SHUTDOWN_TIMEOUT_S"])
        longest_limiter_wait_s = 30  # ARCHITECTURE.md "Stopping": an in-process slot wait, <= 30 s
        for doc in by_kind(docs, "Deployment"):
            assert doc["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}, name
            spec = doc["spec"]["template"]["spec"]
            assert spec["terminationGracePeriodSeconds"] >= shutdown_s + longest_limiter_wait_s, name
            for container in spec["containers"]:
                if container["name"] in {"daemon", "worker"}:
                    assert container["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep", name
            assert spec.get("affinity", {}).get("podAntiAffinity") or name.startswith("dev"), name


def test_workers_run_one_dramatiq_group_per_queue_with_explicit_processes_and_threads(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["production"]
    workers = {
        d["metadata"]["labels"]["storebridge.io/queue"]: d
        for d in by_kind(docs, "Deployment")
        if component(d) == "worker"
    }
    assert set(workers) == {"normal", "batch"}
    config = by_kind(docs, "ConfigMap")[0]["data"]
    for queue, (processes, threads) in {"normal": ("2", "4"), "batch": ("1", "2")}.items():
        container = workers[queue]["spec"]["template"]["spec"]["containers"][0]
        # The CLI, so every worker pod runs the start-up checks and serves /health and /metrics
        assert container["args"] == ["worker", "--queues", queue]
        env = env_of(container)
        assert (env["WORKER_PROCESSES"], env[f"WORKER_{queue.upper()}_THREADS"]) == (processes, threads)
        # And the pod's environment gives exactly this one Dramatiq group, explicit in every count
        settings = Settings.model_validate({**config, **env})
        (command,) = dramatiq_commands(settings, (queue,)).values()
        assert command[command.index("--queues") + 1] == queue
        assert command[command.index("--processes") + 1] == processes
        assert command[command.index("--threads") + 1] == threads
        assert command[command.index("--worker-shutdown-timeout") + 1] == "30000"


def test_autoscaling_replaces_fixed_replicas_and_can_follow_queue_depth(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["autoscaling-on"]
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in by_kind(docs, "HorizontalPodAutoscaler")}
    for deployment in by_kind(docs, "Deployment"):
        if component(deployment) == "worker":
            assert "replicas" not in deployment["spec"]
            assert deployment["metadata"]["name"] in hpas
    metrics = {m["type"]: m for m in hpas["sb-storebridge-worker-batch"]["spec"]["metrics"]}
    assert metrics["Resource"]["resource"]["name"] == "cpu"
    assert metrics["External"]["external"]["metric"] == {
        "name": "storebridge_queue_depth",
        "selector": {"matchLabels": {"queue": "batch"}},
    }
    assert "External" not in {m["type"] for m in hpas["sb-storebridge-worker-normal"]["spec"]["metrics"]}
    assert not by_kind(rendered["defaults"], "HorizontalPodAutoscaler")


def test_an_existing_secret_replaces_the_rendered_one_everywhere(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["existing-secret"]
    assert not by_kind(docs, "Secret")
    for doc, spec in pod_templates(docs):
        annotations = doc.get("spec", {}).get("template", {}).get("metadata", {}).get("annotations", {})
        assert "checksum/secret" not in annotations
        for container in spec["containers"]:
            refs = [e["secretRef"]["name"] for e in container.get("envFrom", []) if "secretRef" in e]
            refs += [
                e["valueFrom"]["secretKeyRef"]["name"]
                for e in container.get("env", [])
                if "secretKeyRef" in e.get("valueFrom", {})
            ]
            assert set(refs) <= {"storebridge-external"}, (doc["metadata"]["name"], refs)
    migrate = next(d for d in by_kind(docs, "Job") if component(d) == "migrate")
    env = migrate["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "storebridge-external", "key": "DATABASE_URL"} in [
        e["valueFrom"]["secretKeyRef"] for e in env if "valueFrom" in e
    ]


def test_the_migration_runs_before_install_and_upgrade_with_its_own_hook_secret(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["defaults"]
    migrate = next(d for d in by_kind(docs, "Job") if component(d) == "migrate")
    assert migrate["metadata"]["annotations"]["helm.sh/hook"] == "pre-install,pre-upgrade"
    assert migrate["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    hook_secret = next(
        s for s in by_kind(docs, "Secret") if s["metadata"]["name"] == migrate["metadata"]["name"]
    )
    assert int(hook_secret["metadata"]["annotations"]["helm.sh/hook-weight"]) < int(
        migrate["metadata"]["annotations"]["helm.sh/hook-weight"]
    )


def test_the_default_cronjob_keeps_every_listing_true_without_overlapping_runs(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    cronjob = by_kind(rendered["defaults"], "CronJob")[0]
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"
    assert cronjob["spec"]["timeZone"] == "Asia/Seoul"
    args = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args == ["enqueue", "--queue", "batch", "--registered", "--older-than", "6h"]
    custom = by_kind(rendered["id-file-cronjob-and-hard-anti-affinity"], "CronJob")[0]
    container = custom["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][-2:] == ["--file", "/etc/storebridge/enqueue/ids.txt"]
    ids = next(
        c
        for c in by_kind(rendered["id-file-cronjob-and-hard-anti-affinity"], "ConfigMap")
        if "ids.txt" in c["data"]
    )
    assert ids["data"]["ids.txt"].split() == ["46072413", "51234567"]


def test_the_canary_takes_a_share_of_its_queue_with_its_own_image_and_selector(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    deployments = {d["metadata"]["name"]: d for d in by_kind(rendered["canary-on"], "Deployment")}
    canary = deployments["sb-storebridge-worker-normal-canary"]
    stable = deployments["sb-storebridge-worker-normal"]
    assert canary["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":0.2.0-rc1")
    assert stable["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":0.1.0")
    canary_selector = canary["spec"]["selector"]["matchLabels"]
    stable_selector = stable["spec"]["selector"]["matchLabels"]
    assert canary_selector["storebridge.io/track"] == "canary"
    assert stable_selector["storebridge.io/track"] == "stable"
    assert canary["spec"]["template"]["spec"]["containers"][0]["args"] == ["worker", "--queues", "normal"]
    # The queue's metrics Service selects both tracks, so the canary's pods are scraped too.
    service = next(
        s
        for s in by_kind(rendered["canary-on"], "Service")
        if s["metadata"]["name"] == "sb-storebridge-worker-normal-metrics"
    )
    assert "storebridge.io/track" not in service["spec"]["selector"]


def test_operator_objects_render_only_when_enabled_and_the_crds_exist(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    on = rendered["monitoring-on"]
    assert [d["kind"] for d in on if d["apiVersion"] == PROMETHEUS_OPERATOR_API] == [
        "PodMonitor",
        "PrometheusRule",
        "ServiceMonitor",
    ] or sorted(d["kind"] for d in on if d["apiVersion"] == PROMETHEUS_OPERATOR_API) == [
        "PodMonitor",
        "PrometheusRule",
        "ServiceMonitor",
    ]
    monitor = by_kind(on, "ServiceMonitor")[0]
    jobs = {e["port"]: e["relabelings"][0]["replacement"] for e in monitor["spec"]["endpoints"]}
    assert jobs == {"http": "storebridge-daemon", "metrics": "storebridge-worker"}
    # staging/production enable them, but without the CRDs nothing is rendered.
    assert not [d for d in rendered["production"] if d["apiVersion"] == PROMETHEUS_OPERATOR_API]
    assert (
        len([d for d in rendered["production-with-operator"] if d["apiVersion"] == PROMETHEUS_OPERATOR_API])
        == 2
    )


def test_the_prometheus_rule_is_the_rules_file_itself(rendered: dict[str, list[dict[str, Any]]]) -> None:
    rule = by_kind(rendered["monitoring-on"], "PrometheusRule")[0]
    assert rule["spec"] == yaml.safe_load(RULES_FILE.read_text())


def test_config_changes_roll_every_pod(helm_bin: list[str], helm_home: Path) -> None:
    def checksums(*sets: str) -> set[str]:
        docs = documents(template(helm_bin, helm_home, Case("x", sets=sets)))
        return {
            d["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
            for d in by_kind(docs, "Deployment")
        }

    before, after = checksums(), checksums("config.NAVER_MAX_TPS=4")
    assert len(before) == 1
    assert len(after) == 1
    assert before != after


def test_names_fit_kubernetes_limits_whatever_the_release_name(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for docs in rendered.values():
        for doc in docs:
            limit = 52 if doc["kind"] == "CronJob" else 63
            assert len(doc["metadata"]["name"]) <= limit, doc["metadata"]["name"]
            assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", doc["metadata"]["name"])


def test_every_object_carries_the_standard_labels(rendered: dict[str, list[dict[str, Any]]]) -> None:
    for docs in rendered.values():
        for doc in docs:
            labels = doc["metadata"]["labels"]
            for key in ("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component",
                        "app.kubernetes.io/managed-by", "helm.sh/chart"):  # fmt: skip
                assert key in labels, (doc["kind"], doc["metadata"]["name"], key)
            selector = doc.get("spec", {}).get("selector", {})
            selector = selector.get("matchLabels", selector) if isinstance(selector, dict) else {}
            assert "app.kubernetes.io/version" not in selector
            assert "helm.sh/chart" not in selector


@pytest.mark.parametrize("file", [None, *ENVIRONMENT_FILES])
def test_each_environment_gives_pods_a_configuration_storebridge_accepts(
    file: str | None, helm_bin: list[str], helm_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the ConfigMap and a Secret with every key (an existing Secret must carry the same keys)
    sets = (
        "secrets.existingSecret=",
        "secrets.DOMEGGOOK_API_KEY=k",
        "secrets.NAVER_CLIENT_SECRET=$2a$04$SandboxStoreBridgeSale",
        "secrets.DATABASE_URL=postgresql://sb:pw@db:5432/storebridge",
        "secrets.REDIS_URL=redis://redis:6379/0",
        "config.NAVER_CLIENT_ID=id",
        "config.STORE_AS_PHONE=02-1234-5678",
    )
    docs = documents(template(helm_bin, helm_home, Case("cfg", files=(file,) if file else (), sets=sets)))
    config = by_kind(docs, "ConfigMap")[0]["data"]
    secret = next(s for s in by_kind(docs, "Secret") if s["metadata"]["name"].endswith("-secrets"))
    import base64

    environment = {**config, **{k: base64.b64decode(v).decode() for k, v in secret["data"].items()}}
    daemon = next(d for d in by_kind(docs, "Deployment") if component(d) == "daemon")
    environment.update(env_of(daemon["spec"]["template"]["spec"]["containers"][0]))
    # When StoreBridge loads exactly that environment
    for name in list(_os_environ()):
        if name.isupper() and name not in {"PATH", "HOME"}:
            monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    try:
        settings = load_settings()
    except ConfigError as exc:  # pragma: no cover - the failure message names the variable
        pytest.fail(f"{file}: {exc}")
    # Then it is valid and the runtime knobs are the chart's
    settings.require_credentials()
    assert settings.daemon_port == 8000
    assert settings.prometheus_multiproc_dir == "/var/run/storebridge/prometheus"


SCHEMA_VIOLATIONS = {
    "zero threads": ("worker.queues.normal.threads=0",),
    "a typo in a worker key": ("worker.queues.normal.thread=4",),
    "an unknown queue for the canary": ("canary.queue=urgent",),
    "privilege escalation": ("containerSecurityContext.allowPrivilegeEscalation=true",),
    "a writable root filesystem": ("containerSecurityContext.readOnlyRootFilesystem=false",),
    "root": ("podSecurityContext.runAsNonRoot=false",),
    "an unknown log level": ("config.LOG_LEVEL=LOUD",),
    "a batch larger than getItemView allows": ("config.INTAKE_BATCH_SIZE=500",),
    "a negative rate": ("config.NAVER_MAX_TPS=-1",),
    "an unknown config key (use extraConfig)": ("config.NAVER_MAX_TPZ=2",),
    "three daemons": ("daemon.replicaCount=3",),
    "a cronjob without a schedule": ("enqueue.jobs[0].name=x", "enqueue.jobs[0].queue=batch"),
    "a bad schedule": ("enqueue.jobs[0].schedule=hourly",),
    "a non-ARN IRSA role": ("serviceAccount.irsaRoleArn=storebridge-role",),
    "a pdb percentage typo": ("worker.queues.batch.pdb.maxUnavailable=one",),
}


@pytest.mark.parametrize("sets", SCHEMA_VIOLATIONS.values(), ids=SCHEMA_VIOLATIONS.keys())
def test_values_that_break_the_schema_are_refused(
    sets: tuple[str, ...], helm_bin: list[str], helm_home: Path
) -> None:
    with pytest.raises(RenderError, match="values don't meet the specifications of the schema"):
        template(helm_bin, helm_home, Case("bad", sets=sets))


def test_a_canary_without_an_image_is_refused(helm_bin: list[str], helm_home: Path) -> None:
    with pytest.raises(RenderError, match=r"canary\.image\.tag or canary\.image\.digest is required"):
        template(helm_bin, helm_home, Case("bad", sets=("canary.enabled=true",)))


def test_every_value_is_documented_and_in_the_schema() -> None:
    values_text = (CHART / "values.yaml").read_text()
    documented = set(re.findall(r"^\s*## @param ([\w.\[\]-]+) ", values_text, flags=re.MULTILINE))
    schema = yaml.safe_load((CHART / "values.schema.json").read_text())
    values = yaml.safe_load(values_text)
    missing_doc, missing_schema = [], []
    for path, _node in _leaves(values):
        if not any(path == d or path.startswith(d + ".") for d in documented):
            missing_doc.append(path)
        if not _in_schema(schema, path.split(".")):
            missing_schema.append(path)
    assert not missing_doc, f"values without a ## @param line: {missing_doc}"
    assert not missing_schema, f"values without a schema entry: {missing_schema}"
    for param in documented:
        assert _lookup(values, param.split(".")), f"@param {param} names no value"


def _leaves(node: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Dotted paths of every leaf; empty maps and lists count as leaves."""
    if isinstance(node, dict) and node:
        out = []
        for key, value in node.items():
            out += _leaves(value, f"{prefix}.{key}" if prefix else str(key))
        return out
    return [(prefix, node)]


def _in_schema(schema: dict[str, Any], parts: list[str]) -> bool:
    node = schema
    for part in parts:
        properties = node.get("properties", {})
        if part in properties:
            node = properties[part]
        else:  # a free map (labels, annotations, resources) accepts any key
            return bool(node.get("type") == "object" and node.get("additionalProperties", True) is not False)
    return True


def _lookup(values: dict[str, Any], parts: list[str]) -> bool:
    node: Any = values
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _os_environ() -> dict[str, str]:
    import os

    return dict(os.environ)


def test_the_committed_schema_is_the_generated_one() -> None:
    import sys

    done = subprocess.run(
        [sys.executable, str(CHART.parent / "gen_values_schema.py"), "--check"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, "values.schema.json is stale: run helm/gen_values_schema.py"


@pytest.mark.parametrize(
    "case",
    [
        Case("notes-defaults"),
        Case("notes-production", files=("values-production.yaml",)),
        Case("notes-canary", sets=("canary.enabled=true", "canary.image.tag=0.2.0")),
    ],
    ids=lambda c: c.name,
)
def test_notes_tell_the_operator_how_to_reach_health_metrics_and_roll_back(
    case: Case, helm_bin: list[str], helm_home: Path, tmp_path: Path
) -> None:
    # `helm template` does not render NOTES.txt: render it through a copy of the chart instead.
    import shutil

    chart = tmp_path / "storebridge"
    shutil.copytree(CHART, chart)
    (chart / "files" / "NOTES.txt").write_text((chart / "templates" / "NOTES.txt").read_text())
    (chart / "templates" / "zz-notes.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\n"
        'data:\n  notes: {{ tpl (.Files.Get "files/NOTES.txt") . | quote }}\n'
    )
    command = [*helm_bin, "template", case.release, str(chart), "--show-only", "templates/zz-notes.yaml",
               "--kube-version", "1.30.0"]  # fmt: skip
    for file in case.files:
        command += ["-f", str(chart / file)]
    for pair in case.sets:
        command += ["--set", pair]
    done = subprocess.run(
        command, capture_output=True, text=True, env=helm_environment(helm_home), check=False
    )
    assert done.returncode == 0, done.stderr
    notes = yaml.safe_load(done.stdout)["data"]["notes"]
    assert "port-forward svc/sb-storebridge-daemon 8000:8000" in notes
    assert "curl -s http://127.0.0.1:8000/health" in notes
    assert "/metrics" in notes
    assert "helm -n default rollback sb" in notes
    assert ("CANARY" in notes) == case.name.endswith("canary")
    assert ("(HPA)" in notes) == case.name.endswith("production")


def test_every_cronjob_uses_only_options_storebridge_enqueue_has(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    for name, docs in rendered.items():
        for cronjob in by_kind(docs, "CronJob"):
            args = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"]
            assert args[0] == "enqueue"
            # Parsed as the command parses them: a bad value (duration, count, queue) exits here
            parsed, unknown = build_parser().parse_known_args(args)
            assert not unknown, f"{name}: {cronjob['metadata']['name']} uses {unknown}"
            sources = (
                parsed.registered,
                parsed.item_nos,
                parsed.file,
                parsed.keyword,
                parsed.category,
                parsed.seller,
            )
            assert any(sources), args

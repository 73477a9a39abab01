"""`qianzhao ops status | doctor` against a local HTTP server answering with recorded Kubernetes 1.3x API shapes:
a rollout stuck with a crash-looping pod, a service one migration behind, a stream with too few replicas, a lagging
consumer, dead letters waiting and a missing Secret are each found, with their fix."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest
from qianzhao.common import ops
from qianzhao.common.cli import app
from typer.testing import CliRunner

NS = "qianzhao"


def container(name: str, image: str = "registry.local/qianzhao/qianzhao@sha256:1f2e") -> dict:
    return {"name": name, "image": image, "resources": {}}


def deployment(name: str, desired: int, ready: int, updated: int) -> dict:
    labels = {"app.kubernetes.io/name": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": NS, "generation": 3, "labels": labels},
            "spec": {"replicas": desired, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {"containers": [container(name)]}}},
            "status": {"observedGeneration": 3, "replicas": desired, "readyReplicas": ready,
                       "updatedReplicas": updated, "availableReplicas": ready}}


def pod(name: str, app_name: str, restarts: int, waiting: str | None = None) -> dict:
    state = {"waiting": {"reason": waiting, "message": "back-off 5m0s restarting failed container"}} if waiting \
        else {"running": {"startedAt": "2026-12-03T01:00:00Z"}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": NS,
                                                             "labels": {"app.kubernetes.io/name": app_name}},
            "spec": {"containers": [container(app_name)]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": app_name, "ready": waiting is None, "restartCount": restarts, "image": "x", "imageID": "x",
                 "state": state}]}}


READY = {"ready": True, "checks": {"database": "ok", "migrations": "ok: at head 0008", "nats": "ok"}}
BEHIND = {"ready": False, "checks": {"database": "ok", "nats": "ok",
                                     "migrations": "behind: at 0005, this code needs 0006 (run `qianzhao migrate`)"}}
METRICS = ('# TYPE qz_outbox_pending_rows gauge\nqz_outbox_pending_rows{service="%s"} 3.0\n'
           '# TYPE qz_outbox_oldest_age_seconds gauge\nqz_outbox_oldest_age_seconds{service="%s"} 1.5\n')
JSZ = {"server_id": "N", "account_details": [{"name": "$G", "stream_detail": [
    {"name": "QZ_PROJECTS", "config": {"num_replicas": 1}, "state": {"messages": 1200, "bytes": 900000},
     "consumer_detail": [{"name": "coordination-projects", "num_pending": 5400, "num_redelivered": 12}]},
    {"name": "QZ_GRIEVANCES", "config": {"num_replicas": 3}, "state": {"messages": 300, "bytes": 20000},
     "consumer_detail": [{"name": "coordination-grievances", "num_pending": 0, "num_redelivered": 0}]},
    {"name": "QZ_DEADLETTER", "config": {"num_replicas": 3}, "state": {"messages": 2, "bytes": 900}}]}]}

ROUTES = {
    f"/apis/apps/v1/namespaces/{NS}/deployments": (200, {"apiVersion": "apps/v1", "kind": "DeploymentList",
                                                        "metadata": {}, "items": [
        deployment("projects", 3, 3, 3), deployment("grievances", 3, 1, 2), deployment("coordination", 3, 3, 3),
        deployment("gateway", 3, 3, 3)]}),
    f"/apis/apps/v1/namespaces/{NS}/statefulsets": (200, {"apiVersion": "apps/v1", "kind": "StatefulSetList",
                                                         "metadata": {}, "items": []}),
    f"/api/v1/namespaces/{NS}/pods": (200, {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [
        pod("projects-7d9-a", "projects", 0), pod("grievances-5c4-b", "grievances", 17, "CrashLoopBackOff"),
        pod("coordination-6f8-c", "coordination", 1), pod("gateway-59b-d", "gateway", 0)]}),
    f"/api/v1/namespaces/{NS}/secrets": (200, {"apiVersion": "v1", "kind": "SecretList", "metadata": {}, "items": [
        {"metadata": {"name": "qianzhao-db", "namespace": NS}, "type": "Opaque"}]}),
    f"/api/v1/namespaces/{NS}/services/projects:4001/proxy/readyz": (200, READY),
    f"/api/v1/namespaces/{NS}/services/grievances:4002/proxy/readyz": (503, BEHIND),
    f"/api/v1/namespaces/{NS}/services/coordination:4003/proxy/readyz": (200, READY),
    f"/api/v1/namespaces/{NS}/services/gateway:4000/proxy/readyz": (200, {"status": "ready", "subgraphs": {}}),
    f"/api/v1/namespaces/{NS}/services/nats-headless:monitor/proxy/jsz": (200, JSZ),
    f"/apis/apps/v1/namespaces/{NS}/deployments/projects": (200, deployment("projects", 3, 3, 3)),
    f"/api/v1/namespaces/{NS}/pods/migrate-pod-1/log": (200, "alembic: relation \"projects\" is locked\n"),
    **{f"/api/v1/namespaces/{NS}/services/{s}:{p}/proxy/metrics": (200, METRICS % (s, s))
       for s, p in ops.SERVICES.items()},
}


JOBS_PATH = f"/apis/batch/v1/namespaces/{NS}/jobs"
NOT_FOUND = (404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})
JOBS: dict[str, dict] = {}  # the Jobs the recorded API server was asked to create, by name
CALLS: list[tuple[str, str]] = []


def job_answer(path: str) -> tuple[int, dict] | None:
    """A created Job as the API server reports it: an image tagged `broken` fails, any other succeeds."""
    if not path.startswith(JOBS_PATH + "/"):
        return None
    name = path.removeprefix(JOBS_PATH + "/").removesuffix("/status")
    if name not in JOBS:
        return NOT_FOUND
    job = json.loads(json.dumps(JOBS[name]))
    image = job["spec"]["template"]["spec"]["containers"][0]["image"]
    job["status"] = ({"failed": 5, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}
                     if "broken" in image else {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]})
    return 200, job


class Recorded(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        path = unquote(self.path.split("?")[0])
        CALLS.append(("POST", path))
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        if path == JOBS_PATH:
            JOBS[body["metadata"]["name"]] = body
            return self.answer(201, body)
        return self.answer(*NOT_FOUND)

    def do_DELETE(self):  # noqa: N802
        path = unquote(self.path.split("?")[0])
        CALLS.append(("DELETE", path))
        JOBS.pop(path.removeprefix(JOBS_PATH + "/"), None)
        self.rfile.read(int(self.headers.get("content-length") or 0))
        return self.answer(200, {"kind": "Status", "apiVersion": "v1", "status": "Success"})

    def do_GET(self):  # noqa: N802
        path = unquote(self.path.split("?")[0])
        CALLS.append(("GET", path))
        status, body = job_answer(path) or ROUTES.get(path, NOT_FOUND)
        return self.answer(status, body)

    def answer(self, status, body):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "text/plain" if isinstance(body, str) else "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def kubeconfig(tmp_path: Path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorded)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "recorded",
        "clusters": [{"name": "recorded", "cluster": {"server": f"http://127.0.0.1:{server.server_port}"}}],
        "users": [{"name": "operator", "user": {"token": "t"}}],
        "contexts": [{"name": "recorded", "context": {"cluster": "recorded", "user": "operator"}}]}))
    yield str(path)
    server.shutdown()


def test_status_reads_rollouts_readiness_streams_and_outbox_lag(kubeconfig):
    found = ops.status(ops.api(kubeconfig=kubeconfig), NS)
    grievances = next(w for w in found.workloads if w.name == "grievances")
    assert (grievances.ready, grievances.desired, grievances.restarts) == (1, 3, 17)
    assert grievances.crash_looping == ["grievances-5c4-b"]
    assert found.readiness["grievances"]["checks"]["migrations"].startswith("behind")
    assert found.outbox["projects"] == {"pending_rows": 3.0, "oldest_age_seconds": 1.5}
    assert {s["name"]: s["replicas"] for s in found.streams} == {"QZ_PROJECTS": 1, "QZ_GRIEVANCES": 3,
                                                                 "QZ_DEADLETTER": 3}
    assert found.secrets == {"qianzhao-db": True, "qianzhao-nats": False}


def test_doctor_names_each_problem_with_its_fix(kubeconfig):
    result = CliRunner().invoke(app, ["ops", "doctor", "--kubeconfig", kubeconfig, "--json"])
    assert result.exit_code == 1, result.output
    failed = {f["check"]: f for f in json.loads(result.output) if not f["ok"]}
    assert set(failed) == {"secret qianzhao-nats", "deployment grievances", "grievances /readyz",
                           "stream QZ_PROJECTS", "consumer coordination-projects", "dead letters"}
    assert "crash-looping: grievances-5c4-b" in failed["deployment grievances"]["detail"]
    assert "migration" in failed["grievances /readyz"]["fix"]
    assert "--replicas 3" in failed["stream QZ_PROJECTS"]["fix"]
    human = CliRunner().invoke(app, ["ops", "status", "--kubeconfig", kubeconfig])
    assert human.exit_code == 0 and "QZ_PROJECTS" in human.output and "grievances" in human.output


def test_migrate_runs_the_job_for_the_running_image_and_waits(kubeconfig, monkeypatch):
    JOBS.clear()
    CALLS.clear()
    result = CliRunner().invoke(app, ["ops", "migrate", "--kubeconfig", kubeconfig, "--json"])
    assert result.exit_code == 0, result.output
    done = json.loads(result.output)
    assert done["outcome"] == "succeeded" and done["image"] == "registry.local/qianzhao/qianzhao@sha256:1f2e"
    [job] = JOBS.values()
    assert job["metadata"]["name"] == done["job"] and done["job"].startswith("qianzhao-migrate-")
    assert job["spec"]["template"]["spec"]["containers"][0]["args"] == ["qianzhao", "migrate"]
    again = CliRunner().invoke(app, ["ops", "migrate", "--kubeconfig", kubeconfig, "--json"])
    assert json.loads(again.output)["job"] == done["job"] and len(JOBS) == 1  # the finished Job is reused
    assert [c for c in CALLS if c[0] == "POST"] == [("POST", JOBS_PATH)]


def test_a_failed_migration_shows_its_log_and_exits_1(kubeconfig, monkeypatch):
    JOBS.clear()
    pods = {"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": [pod("migrate-pod-1", "migrate", 4)]}
    monkeypatch.setitem(ROUTES, f"/api/v1/namespaces/{NS}/pods", (200, pods))
    result = CliRunner().invoke(app, ["ops", "migrate", "--kubeconfig", kubeconfig, "--image",
                                      "registry.local/qianzhao/qianzhao:broken"])
    assert result.exit_code == 1
    assert ": failed" in result.output and "is locked" in result.output


def test_the_job_ops_creates_is_the_one_the_manifests_declare():
    import yaml

    declared = yaml.safe_load((Path(__file__).resolve().parents[3] / "deploy/k8s/base/migrations.yaml").read_text())
    built = ops.migration_job("qianzhao-migrate", "qianzhao")
    assert built["spec"] == declared["spec"]

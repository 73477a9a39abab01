"""`qianzhao ops status | doctor | migrate | dead-letters`: the operator's view of a deployed platform.

Everything is read through the API server (the official `kubernetes` client): rollouts and pod restarts from the
apps and core APIs; each service's `/readyz` (migration head, NATS) and `/metrics` (outbox lag), and NATS's `/jsz`
(streams, consumers), through the API server's service proxy, so nothing needs a port-forward. `migrate` runs the
migration Job for the image the services run; `dead-letters` lists and replays what consumers gave up on (on NATS,
as the `admin` user).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field

from kubernetes import client, config

SERVICES = {"projects": 4001, "grievances": 4002, "coordination": 4003, "gateway": 4000}
SUBGRAPHS = ("projects", "grievances", "coordination")
_METRIC = re.compile(r'^(qz_outbox_(?:pending_rows|oldest_age_seconds))\{[^}]*\}\s+([0-9.eE+-]+)$', re.M)


@dataclass
class Workload:
    kind: str
    name: str
    desired: int
    ready: int
    updated: int
    restarts: int
    images: list[str]
    crash_looping: list[str] = field(default_factory=list)


@dataclass
class Status:
    namespace: str
    workloads: list[Workload]
    readiness: dict[str, dict | str]
    outbox: dict[str, dict[str, float]]
    streams: list[dict]
    consumers: list[dict]
    secrets: dict[str, bool]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


@dataclass
class Finding:
    check: str
    ok: bool
    detail: str
    fix: str = ""


def api(context: str | None = None, kubeconfig: str | None = None) -> client.ApiClient:
    """An API client for `context` (default: the current one) of `kubeconfig` (default: ~/.kube/config)."""
    return config.new_client_from_config(config_file=kubeconfig, context=context)


def _proxy(core: client.CoreV1Api, namespace: str, service: str, port: int | str, path: str) -> str:
    """GET `path` (with its query) on a service port through the API server's service proxy; a non-2xx answer
    raises ApiException with its body (a 503 /readyz says why)."""
    route, _, query = path.lstrip("/").partition("?")
    params = [tuple(pair.split("=", 1)) for pair in query.split("&") if pair]
    api_client = core.api_client
    method, url, headers, body, post = api_client.param_serialize(
        "GET", f"/api/v1/namespaces/{namespace}/services/{service}:{port}/proxy/{route}", query_params=params,
        auth_settings=["BearerToken"])
    response = api_client.call_api(method, url, header_params=headers, body=body, post_params=post)
    data = response.read()
    if not 200 <= response.status < 300:
        raise client.ApiException(status=response.status, reason=response.reason, body=data.decode())
    return data.decode()


def status(api_client: client.ApiClient, namespace: str) -> Status:
    apps, core = client.AppsV1Api(api_client), client.CoreV1Api(api_client)
    pods = core.list_namespaced_pod(namespace).items
    workloads = []
    for kind, items in (("Deployment", apps.list_namespaced_deployment(namespace).items),
                        ("StatefulSet", apps.list_namespaced_stateful_set(namespace).items)):
        for w in items:
            selector = w.spec.selector.match_labels or {}
            mine = [p for p in pods if selector.items() <= (p.metadata.labels or {}).items()]
            statuses = [s for p in mine for s in (p.status.container_statuses or [])]
            looping = [p.metadata.name for p in mine for s in (p.status.container_statuses or [])
                       if s.state and s.state.waiting and s.state.waiting.reason == "CrashLoopBackOff"]
            workloads.append(Workload(
                kind=kind, name=w.metadata.name, desired=w.spec.replicas or 0, ready=w.status.ready_replicas or 0,
                updated=w.status.updated_replicas or 0, restarts=sum(s.restart_count or 0 for s in statuses),
                images=sorted({c.image for c in w.spec.template.spec.containers}), crash_looping=looping))
    readiness: dict[str, dict | str] = {}
    outbox: dict[str, dict[str, float]] = {}
    for name, port in SERVICES.items():
        try:
            readiness[name] = json.loads(_proxy(core, namespace, name, port, "/readyz"))
        except client.ApiException as exc:  # 503: not ready, and its body says why
            try:
                readiness[name] = json.loads(exc.body)
            except (TypeError, ValueError):
                readiness[name] = f"unreachable: HTTP {exc.status}"
        except Exception as exc:  # noqa: BLE001  (an unreachable service is what the operator needs to see)
            readiness[name] = f"unreachable: {exc.__class__.__name__}"
        if name in SUBGRAPHS:
            try:
                found = dict(_METRIC.findall(_proxy(core, namespace, name, port, "/metrics")))
                outbox[name] = {k.removeprefix("qz_outbox_"): float(v) for k, v in found.items()}
            except Exception:  # noqa: BLE001
                outbox[name] = {}
    streams, consumers = [], []
    try:
        jsz = json.loads(_proxy(core, namespace, "nats-headless", "monitor", "/jsz?streams=true&consumers=true"))
        for account in jsz.get("account_details", []):
            for s in account.get("stream_detail", []):
                streams.append({"name": s["name"], "replicas": s["config"].get("num_replicas", 1),
                                "messages": s["state"]["messages"], "bytes": s["state"]["bytes"]})
                for c in s.get("consumer_detail", []):
                    consumers.append({"stream": s["name"], "name": c["name"], "pending": c.get("num_pending", 0),
                                      "redelivered": c.get("num_redelivered", 0)})
    except Exception:  # noqa: BLE001
        pass
    secrets = {}
    names = {s.metadata.name for s in core.list_namespaced_secret(namespace).items}
    for wanted in ("qianzhao-db", "qianzhao-nats"):
        secrets[wanted] = any(n == wanted or n.startswith(wanted + "-") for n in names)
    return Status(namespace, workloads, readiness, outbox, streams, consumers, secrets)


def doctor(s: Status, *, stream_replicas: int = 3, outbox_age_limit: float = 300) -> list[Finding]:
    """Each check passed or failed, with the fix for a failure."""
    out = []
    for name, present in s.secrets.items():
        out.append(Finding(f"secret {name}", present, "present" if present else "missing",
                           "" if present else f"kubectl -n {s.namespace} create secret generic {name} … (README)"))
    for w in s.workloads:
        rolled = w.ready >= w.desired and w.updated >= w.desired
        out.append(Finding(f"{w.kind.lower()} {w.name}", rolled and not w.crash_looping,
                           f"{w.ready}/{w.desired} ready, {w.updated} updated, {w.restarts} restarts"
                           + (f", crash-looping: {', '.join(w.crash_looping)}" if w.crash_looping else ""),
                           "" if rolled and not w.crash_looping else
                           f"kubectl -n {s.namespace} logs {w.crash_looping[0] if w.crash_looping else w.name} "
                           "--previous; kubectl rollout status"))
    for name, ready in s.readiness.items():
        if isinstance(ready, str):
            out.append(Finding(f"{name} /readyz", False, ready, "check its pods and NetworkPolicies"))
            continue
        detail = json.dumps(ready.get("checks", ready), ensure_ascii=False)
        behind = any(word in str(ready.get("checks", {}).get("migrations", "")) for word in ("behind", "unmigrated"))
        ok = ready.get("ready", ready.get("status") == "ready") is True and not behind
        out.append(Finding(f"{name} /readyz", ok, detail, "" if ok else
                           "a migration is pending: run the migration Job (README, Upgrades)" if behind else
                           "see the failing check"))
    for stream in s.streams:
        ok = stream["replicas"] >= stream_replicas
        out.append(Finding(f"stream {stream['name']}", ok, f"{stream['replicas']} replicas, "
                           f"{stream['messages']} messages",
                           "" if ok else f"QZ_NATS_STREAM_REPLICAS={stream_replicas}: restart its service, or "
                           f"`nats stream edit {stream['name']} --replicas {stream_replicas}`"))
        if stream["name"] == "QZ_DEADLETTER":
            waiting = stream["messages"]
            out.append(Finding("dead letters", waiting == 0, f"{waiting} waiting",
                               "" if not waiting else "qianzhao ops dead-letters list; fix the cause, then "
                               "qianzhao ops dead-letters replay SEQ"))
    for c in s.consumers:
        lagging = c["pending"] > 1000
        out.append(Finding(f"consumer {c['name']}", not lagging, f"{c['pending']} pending, {c['redelivered']} "
                           "redelivered", "" if not lagging else "scale its service or look for a slow handler"))
    for name, figures in s.outbox.items():
        age = figures.get("oldest_age_seconds", 0.0)
        out.append(Finding(f"{name} outbox", age <= outbox_age_limit, f"{figures.get('pending_rows', 0):.0f} "
                           f"pending, oldest {age:.0f} s", "" if age <= outbox_age_limit else
                           "the relay cannot publish: check NATS and the service's NATS credentials"))
    return out


# --- migrate --------------------------------------------------------------------------------------------------
DATABASE_KEYS = {"QZ_PROJECTS_DATABASE_URL": "projects-url", "QZ_GRIEVANCES_DATABASE_URL": "grievances-url",
                 "QZ_COORDINATION_DATABASE_URL": "coordination-url"}


def migration_job(name: str, image: str) -> dict:
    """The Job deploy/k8s/base/migrations.yaml declares, for `image` (a test keeps the two equal)."""
    hardened = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
    return {
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/name": "qianzhao-migrate",
                                              "app.kubernetes.io/part-of": "qianzhao"}},
        "spec": {"backoffLimit": 4, "ttlSecondsAfterFinished": 3600, "template": {
            "metadata": {"labels": {"app.kubernetes.io/name": "qianzhao-migrate"}},
            "spec": {"restartPolicy": "OnFailure", "automountServiceAccountToken": False,
                     "securityContext": {"runAsNonRoot": True, "runAsUser": 10001,
                                         "seccompProfile": {"type": "RuntimeDefault"}},
                     "containers": [{
                         "name": "migrate", "image": image, "args": ["qianzhao", "migrate"],
                         "env": [{"name": env, "valueFrom": {"secretKeyRef": {"name": "qianzhao-db", "key": key}}}
                                 for env, key in DATABASE_KEYS.items()],
                         "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                                       "limits": {"cpu": "1", "memory": "256Mi"}},
                         "securityContext": hardened}]}}},
    }


def running_image(api_client: client.ApiClient, namespace: str) -> str:
    """The image the services run (the projects Deployment's): the one whose migrations must be applied."""
    deployment = client.AppsV1Api(api_client).read_namespaced_deployment("projects", namespace)
    return deployment.spec.template.spec.containers[0].image


def migrate(api_client: client.ApiClient, namespace: str, *, image: str | None = None, timeout: float = 600,
            poll: float = 2.0) -> dict:
    """Run the migration Job for `image` (default: the running one) and wait: `qianzhao-migrate-<hash of image>`,
    so re-running for the same image reuses a finished Job and a failed one is replaced."""
    batch, core = client.BatchV1Api(api_client), client.CoreV1Api(api_client)
    image = image or running_image(api_client, namespace)
    name = f"qianzhao-migrate-{hashlib.sha256(image.encode()).hexdigest()[:10]}"
    try:
        existing = batch.read_namespaced_job_status(name, namespace)
    except client.ApiException as exc:
        if exc.status != 404:
            raise
        existing = None
    if existing is not None and (existing.status.failed or 0) and not existing.status.succeeded:
        batch.delete_namespaced_job(name, namespace, propagation_policy="Background")
        existing = None
    if existing is None:
        batch.create_namespaced_job(namespace, migration_job(name, image))
    deadline = time.monotonic() + timeout
    while True:
        job = batch.read_namespaced_job_status(name, namespace)
        if job.status.succeeded:
            return {"job": name, "image": image, "outcome": "succeeded"}
        failed = any(c.type == "Failed" and c.status == "True" for c in job.status.conditions or [])
        if failed or time.monotonic() > deadline:
            pods = core.list_namespaced_pod(namespace, label_selector=f"job-name={name}").items
            log = core.read_namespaced_pod_log(pods[-1].metadata.name, namespace, tail_lines=30) if pods else ""
            return {"job": name, "image": image, "outcome": "failed" if failed else "timed out", "log": log}
        time.sleep(poll)


# --- dead letters ---------------------------------------------------------------------------------------------
async def dead_letters(js, consumer: str | None = None) -> list[dict]:
    """Every dead letter waiting (oldest first), or only `consumer`'s: its sequence, consumer, event and error."""
    from nats.js.errors import NotFoundError

    from .events import DLQ_STREAM

    info = await js.stream_info(DLQ_STREAM)
    out = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            msg = await js.get_msg(DLQ_STREAM, seq)
        except NotFoundError:  # replayed (deleted) in the meantime
            continue
        name = msg.subject.removeprefix("qz.deadletter.")
        if consumer and name != consumer:
            continue
        headers = msg.headers or {}
        try:
            event = json.loads(msg.data)
        except ValueError:
            event = {}
        out.append({"seq": seq, "consumer": name, "type": event.get("type"), "id": event.get("id"),
                    "time": event.get("time"), "subject": headers.get("Qz-Original-Subject"),
                    "deliveries": int(headers.get("Qz-Deliveries", 0) or 0), "error": headers.get("Qz-Error")})
    return out


async def replay_dead_letter(js, seq: int) -> dict:
    """Publish dead letter `seq` again on its original subject, then delete it. The consumer that gave up handles
    it afresh (a dead-lettered event never reached its inbox); every other reader of the stream already has it and
    skips it by its CloudEvent id."""
    from nats.js.errors import NotFoundError

    from .events import DLQ_STREAM

    try:
        msg = await js.get_msg(DLQ_STREAM, seq)
    except NotFoundError:
        raise LookupError(f"no dead letter {seq} in {DLQ_STREAM}") from None
    original = (msg.headers or {}).get("Qz-Original-Subject")
    if not original:
        raise LookupError(f"dead letter {seq} does not name its original subject")
    event = json.loads(msg.data)
    ack = await js.publish(original, msg.data, headers={"Nats-Msg-Id": f"replay:{event.get('id')}:{seq}:{time.time_ns()}"})
    await js.delete_msg(DLQ_STREAM, seq)
    return {"seq": seq, "id": event.get("id"), "subject": original, "stream": ack.stream, "new_seq": ack.seq}

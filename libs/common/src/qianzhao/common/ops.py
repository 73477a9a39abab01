"""`qianzhao ops status | doctor`: the operator's view of a deployed platform through the Kubernetes API.

Everything is read through the API server (the official `kubernetes` client): rollouts and pod restarts from the
apps and core APIs; each service's `/readyz` (migration head, NATS) and `/metrics` (outbox lag), and NATS's `/jsz`
(streams, consumers), through the API server's service proxy, so nothing needs a port-forward.
"""

from __future__ import annotations

import json
import re
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
                               "" if not waiting else "qianzhao events tail --type '*' on QZ_DEADLETTER, fix the "
                               "cause, then qianzhao events replay"))
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

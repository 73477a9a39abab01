"""deploy/k8s renders with kustomize and validates strictly against the Kubernetes schemas; probes and ports agree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
K8S_VERSIONS = ["1.30.0", "1.33.0", "1.37.0"]
SUBGRAPHS = {"projects": 4001, "grievances": 4002, "coordination": 4003}


def kubectl() -> str:
    local = Path(sys.executable).parent / "kubectl"
    return str(local) if local.exists() else shutil.which("kubectl")


def render(overlay: str) -> str:
    return subprocess.run([kubectl(), "kustomize", str(ROOT / "deploy/k8s/overlays" / overlay)], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module", params=["dev", "prod"])
def rendered(request, tmp_path_factory) -> tuple[str, Path, list[dict]]:
    text = render(request.param)
    path = tmp_path_factory.mktemp("k8s") / f"{request.param}.yaml"
    path.write_text(text)
    return request.param, path, [d for d in yaml.safe_load_all(text) if d]


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_manifests_validate_strictly(rendered, version):
    _, path, _ = rendered
    result = subprocess.run([str(Path(sys.executable).parent / "kubernetes-validate"), "--strict", "--quiet",
                             "-k", version, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def by_kind(docs: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_every_service_is_deployed_probed_and_reachable(rendered):
    overlay, _, docs = rendered
    deployments, services = by_kind(docs, "Deployment"), by_kind(docs, "Service")
    assert set(deployments) == {*SUBGRAPHS, "gateway"}
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        container = pod["containers"][0]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert "requests" in container["resources"]
        port = container["ports"][0]["containerPort"]
        assert services[name]["spec"]["ports"][0]["port"] == port
        assert services[name]["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
        if name in SUBGRAPHS:
            assert port == SUBGRAPHS[name]
            env = {e["name"]: e for e in container["env"]}
            assert env["QZ_DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == f"{name}-url"
    gateway_args = " ".join(deployments["gateway"]["spec"]["template"]["spec"]["containers"][0]["args"])
    for name, port in SUBGRAPHS.items():
        assert f"{name}=http://{name}:{port}/graphql" in gateway_args


def test_everything_lives_in_the_overlay_namespace(rendered):
    overlay, _, docs = rendered
    expected = "qianzhao-dev" if overlay == "dev" else "qianzhao"
    for doc in docs:
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["name"] == expected
        else:
            assert doc["metadata"]["namespace"] == expected, doc["metadata"]


def test_nats_is_a_three_node_jetstream_cluster(rendered):
    _, _, docs = rendered
    nats = by_kind(docs, "StatefulSet")["nats"]
    assert nats["spec"]["replicas"] == 3
    conf = by_kind(docs, "ConfigMap")["nats-config"]["data"]["nats.conf"]
    assert "jetstream" in conf and conf.count("nats://nats-") == 3


def test_prod_scales_out_and_dev_stays_small(rendered):
    overlay, _, docs = rendered
    hpas = by_kind(docs, "HorizontalPodAutoscaler")
    assert set(hpas) == {*SUBGRAPHS, "gateway"}
    minimum = {h["spec"]["minReplicas"] for h in hpas.values()}
    assert minimum == ({3} if overlay == "prod" else {1})


def test_traces_are_sampled_parent_based_and_prod_keeps_one_new_trace_in_ten(rendered):
    overlay, _, docs = rendered
    config = by_kind(docs, "ConfigMap")["qianzhao-config"]["data"]
    assert config["OTEL_EXPORTER_OTLP_ENDPOINT"].startswith("http")
    assert config["OTEL_TRACES_SAMPLER"] == "parentbased_traceidratio"
    assert float(config["OTEL_TRACES_SAMPLER_ARG"]) == (0.1 if overlay == "prod" else 1.0)

"""Traces an operator can follow, measured with a real OTLP/HTTP receiver beside the processes of `qianzhao up`.

An idle platform (relays polling every second, every scheduler every two seconds) exports fewer than one span a
second; a grievance escalated to coordination through the gateway is one trace: gateway → grievances → its SQL →
the relay's publish → coordination's consumer → its SQL → coordination's own publish, each span the child of the
one that caused it; a filing's one-statement insert, sent on the driver, has its SQL span like the ORM's.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections import Counter

from qianzhao.common.otlp_receiver import OtlpReceiver, ReceivedSpan, render
from qianzhao.common.testing import UpPlatform, dev_token

IDLE_SECONDS = 20
CLIENT_SPAN = "b7ad6b7169203331"  # the caller's own span: the gateway's server span is its child
FILING = {"channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": "91520000MA6DM1RE5W",
          "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
          "regionCode": "520102", "category": "SITUATION_REPORT", "title": "厂房用电报装迟迟未办",
          "description": "企业反映用电报装两个月未办理。", "topics": ["UTILITIES"]}
PERSONAL = ("13812345678", "张三", "91520000MA6DM1RE5W", "贵州黔茶科技有限公司")
MUTATION = "mutation {name}($input: {type}!) {{ {field}(input: $input) {{ grievance {{ id version }} userErrors {{ code }} }} }}"


class Console:
    """A county officer's console calling the gateway, each operation in a trace of its own.

    urllib, not httpx: services run in this test process by other tests instrument httpx, whose span would replace
    the console's `traceparent`."""

    def __init__(self, url: str):
        self.url = url
        self.token = dev_token("COUNTY", "520102")

    def mutate(self, name: str, field: str, input_type: str, input_: dict) -> tuple[dict, str]:
        trace_id = uuid.uuid4().hex
        query = MUTATION.format(name=name, type=input_type, field=field)
        request = urllib.request.Request(self.url, method="POST", data=json.dumps(
            {"query": query, "variables": {"input": input_}}).encode(), headers={
            "authorization": f"Bearer {self.token}", "content-type": "application/json",
            "traceparent": f"00-{trace_id}-{CLIENT_SPAN}-01"})
        with urllib.request.urlopen(request, timeout=15) as response:
            body = json.load(response)
        payload = body["data"][field]
        assert payload["userErrors"] == [], body
        return payload["grievance"], trace_id


def wait_for(predicate, what: str, explain, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}:\n{explain()}")


def one(spans: list[ReceivedSpan], service: str, name: str) -> ReceivedSpan:
    found = [s for s in spans if s.service == f"qianzhao-{service}" and s.name == name]
    assert len(found) == 1, f"{len(found)} spans {service}: {name} in\n{render(spans)}"
    return found[0]


def ancestors(span: ReceivedSpan, by_id: dict[str, ReceivedSpan]) -> list[ReceivedSpan]:
    chain = []
    while span.parent_id in by_id:
        span = by_id[span.parent_id]
        chain.append(span)
    return chain


def sql_under(parent: ReceivedSpan, spans: list[ReceivedSpan], by_id: dict[str, ReceivedSpan]) -> list[str]:
    """The statements traced beneath `parent` (in its own process)."""
    return [s.attributes["db.statement"] for s in spans if "db.statement" in s.attributes
            and s.service == parent.service and parent in ancestors(s, by_id)]


def test_one_trace_from_request_through_nats_to_the_reaction_and_quiet_when_idle(tmp_path):
    with OtlpReceiver() as receiver:
        platform = UpPlatform(tmp_path / "data", env={
            "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100",
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "1.0",
            "OTEL_RESOURCE_ATTRIBUTES": "service.version=trace-test,deployment.environment.name=ci",
            "QZ_DEADLINE_CHECK_SECONDS": "2", "QZ_OVERDUE_CHECK_SECONDS": "2", "QZ_STALL_CHECK_SECONDS": "2"})
        try:
            time.sleep(2)  # start-up settles
            start = time.time_ns()
            time.sleep(IDLE_SECONDS + 1)  # and a moment for the last export
            idle = [s for s in receiver.spans if start <= s.start_ns <= start + IDLE_SECONDS * 10**9]
            assert len(idle) < IDLE_SECONDS, Counter((s.service, s.name) for s in idle).most_common(10)

            console = Console(f"http://127.0.0.1:{platform.ports['gateway']}/graphql")
            g, filed = console.mutate("File", "fileGrievance", "FileGrievanceInput", FILING)
            g, accepted = console.mutate("Accept", "acceptGrievance", "AcceptGrievanceInput",
                                         {"id": g["id"], "expectedVersion": g["version"]})
            g, escalated = console.mutate("Escalate", "escalateGrievanceToCoordination",
                                          "EscalateGrievanceToCoordinationInput",
                                          {"id": g["id"], "expectedVersion": g["version"], "reason": "用电增容需省能源局协调"})
            wait_for(lambda: any(s.name == "publish qz.coordination.case.submitted"
                                 for s in receiver.trace(escalated)), "coordination's own publish",
                     lambda: render(receiver.trace(escalated)) + "\n" + "".join(platform.lines[-40:]))
            time.sleep(0.5)  # the spans ending after it (the consumer's, the relay run's)
            check_escalation(receiver.trace(escalated), receiver.spans)
            check_driver_sql(receiver.trace(filed), receiver.trace(accepted))
            for span in receiver.spans:
                assert span.resource["service.version"] == "trace-test", span
                assert span.resource["service.namespace"] == "qianzhao", span
                assert not any(p in str(v) for v in span.attributes.values() for p in PERSONAL), span
        finally:
            platform.stop()


def check_escalation(spans: list[ReceivedSpan], everything: list[ReceivedSpan]) -> None:
    by_id = {s.span_id: s for s in spans}
    tree = render(spans)
    assert all(s.parent_id in by_id or s.parent_id == CLIENT_SPAN for s in spans), tree
    [root] = [s for s in spans if s.parent_id == CLIENT_SPAN]
    assert (root.service, root.kind) == ("qianzhao-gateway", "SERVER"), tree

    operation = one(spans, "gateway", "mutation Escalate")
    fetch = one(spans, "gateway", "fetch grievances")
    assert fetch.attributes["subgraph.name"] == "grievances"
    assert fetch.attributes["graphql.operation.name"] == "Escalate"
    assert by_id[fetch.parent_id].name == "plan step 0" and by_id[fetch.parent_id].parent_id == operation.span_id
    assert not any("variables" in k or "document" in k for s in spans for k in s.attributes), tree

    [served] = [s for s in spans if s.service == "qianzhao-grievances" and s.kind == "SERVER"]
    assert served.parent_id == fetch.span_id, tree
    statements = sql_under(served, spans, by_id)
    assert any(st.startswith("UPDATE grievances") for st in statements), statements
    assert any("INSERT INTO outbox" in st for st in statements), statements  # the driver-level append

    publish = one(spans, "grievances", "publish qz.grievances.grievance.escalated")
    assert publish.kind == "PRODUCER" and served in ancestors(publish, by_id), tree
    assert publish.attributes["messaging.system"] == "nats"
    [(_, run_id)] = publish.links  # the relay run that published it: a trace of its own
    [run] = [s for s in everything if s.span_id == run_id]
    assert (run.name, run.parent_id, run.service) == ("outbox relay", None, "qianzhao-grievances")
    assert int(run.attributes["qz.background.result"]) >= 1

    process = one(spans, "coordination", "process qz.grievances.grievance.escalated")
    assert process.kind == "CONSUMER" and process.parent_id == publish.span_id, tree
    assert process.attributes["messaging.consumer.group.name"] == "coordination-grievances"
    reaction = sql_under(process, spans, by_id)
    assert any(st.startswith("INSERT INTO coordination_cases") for st in reaction), reaction
    assert any("INSERT INTO outbox" in st for st in reaction), reaction
    own = one(spans, "coordination", "publish qz.coordination.case.submitted")
    assert process in ancestors(own, by_id), tree
    assert {s.service for s in spans} == {"qianzhao-gateway", "qianzhao-grievances", "qianzhao-coordination"}


def check_driver_sql(filed: list[ReceivedSpan], accepted: list[ReceivedSpan]) -> None:
    """The filing's one statement (row, history and event; sent on the driver) is traced like ORM statements."""
    by_id = {s.span_id: s for s in filed}
    [served] = [s for s in filed if s.service == "qianzhao-grievances" and s.kind == "SERVER"]
    [insert] = [s for s in filed if s.attributes.get("db.statement", "").startswith("WITH new AS (INSERT INTO grievances")]
    assert served in ancestors(insert, by_id) and insert.kind == "CLIENT", render(filed)
    [orm] = [s for s in accepted if s.attributes.get("db.statement", "").startswith("UPDATE grievances")]
    assert set(insert.attributes) == set(orm.attributes)
    assert insert.attributes["db.name"] == orm.attributes["db.name"] == "qianzhao_grievances"

"""GraphQL subscriptions at the gateway, with real services, NATS and PostgreSQL: a change arrives over the
graphql-transport-ws WebSocket and over SSE with fields from two subgraphs; a subscriber elsewhere gets nothing;
bad, missing and expiring tokens close the connection with the protocol's codes."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
import pytest_asyncio
import websockets
from graphql import parse
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import dev_token, eventually, reset_nats
from qianzhao.gateway.settings import GatewaySettings
from qianzhao.gateway.testing import running_platform

pytestmark = pytest.mark.asyncio(loop_scope="module")

COUNTY = dev_token("COUNTY", "520102")
ELSEWHERE = dev_token("COUNTY", "520103")
PROTOCOL = ["graphql-transport-ws"]
CREATE = ("mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id version } "
          "userErrors { code } } }")
SUBMIT = ("mutation($i: SubmitProjectInput!) { submitProject(input: $i) { project { id status } "
          "userErrors { code } } }")
CHANGES = """subscription($f: ChangeFilter) { projectChanged(filter: $f) {
  eventType regionCode
  project { id name status grievanceCount } } }"""


def draft(name: str) -> dict:
    return {"name": name, "regionCode": "520102", "chainCode": "AGR_TEA", "board": "PREFECTURE",
            "totalInvestment": "120000000.00", "investmentMode": "SOLE"}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def platform(databases, nats_server):
    await reset_nats(nats_server.url)
    settings = GatewaySettings(subscription_init_timeout_seconds=1.0)
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url,
                                gateway_settings=settings) as p:
        p.ws_url = p.gateway_url.replace("http://", "ws://")
        yield p


async def connect(platform, token: str | None):
    ws = await websockets.connect(platform.ws_url, subprotocols=PROTOCOL)
    await ws.send(orjson.dumps({"type": "connection_init",
                                "payload": {"authorization": f"Bearer {token}"} if token else {}}).decode())
    return ws


async def receive(ws, timeout: float = 15) -> dict:
    return orjson.loads(await asyncio.wait_for(ws.recv(), timeout))


async def test_a_change_arrives_over_the_websocket_with_fields_from_two_subgraphs(platform):
    mine, other = await connect(platform, COUNTY), await connect(platform, ELSEWHERE)
    try:
        for ws in (mine, other):
            assert await receive(ws) == {"type": "connection_ack"}
            await ws.send(orjson.dumps({"id": "s1", "type": "subscribe", "payload": {
                "query": CHANGES, "variables": {"f": {"eventTypes": ["created", "submitted"]}}}}).decode())
        await asyncio.sleep(1.0)  # the hub's consumers start with the first subscription
        created = await platform.graphql(CREATE, {"i": draft("订阅推送项目")}, token=COUNTY)
        project = created["data"]["createProject"]["project"]
        first = await receive(mine)
        assert first == {"id": "s1", "type": "next", "payload": {"data": {"projectChanged": {
            "eventType": "created", "regionCode": "520102",
            "project": {"id": project["id"], "name": "订阅推送项目", "status": "DRAFT", "grievanceCount": 0}}}}}
        await platform.graphql(SUBMIT, {"i": {"id": project["id"], "expectedVersion": project["version"]}},
                               token=COUNTY)
        second = await receive(mine)
        assert second["payload"]["data"]["projectChanged"]["eventType"] == "submitted"
        assert second["payload"]["data"]["projectChanged"]["project"]["status"] == "SUBMITTED"
        with pytest.raises(TimeoutError):  # another county's officer is never sent a record it may not read
            await receive(other, timeout=2)
        await mine.send(orjson.dumps({"type": "ping"}).decode())
        assert await receive(mine) == {"type": "pong"}
        await mine.send(orjson.dumps({"id": "s1", "type": "subscribe", "payload": {"query": CHANGES}}).decode())
        with pytest.raises(websockets.ConnectionClosed) as closed:  # an id in use
            await receive(mine)
        assert closed.value.rcvd.code == 4409
    finally:
        await mine.close()
        await other.close()


async def test_sse_delivers_the_same_changes(platform):
    async with httpx.AsyncClient(timeout=30) as http:
        async with http.stream("POST", platform.gateway_url, json={"query": CHANGES},
                               headers={"authorization": f"Bearer {COUNTY}", "accept": "text/event-stream"}) as s:
            assert s.status_code == 200 and s.headers["content-type"].startswith("text/event-stream")
            await asyncio.sleep(1.0)
            await platform.graphql(CREATE, {"i": draft("事件流项目")}, token=COUNTY)
            lines = s.aiter_lines()
            while await asyncio.wait_for(anext(lines), 15) != "event: next":
                pass
            data = orjson.loads((await anext(lines)).removeprefix("data: "))
    change = data["data"]["projectChanged"]
    assert change["eventType"] == "created" and change["project"]["name"] == "事件流项目"


async def test_tokens_open_and_close_the_connection(platform):
    from qianzhao.common.auth import Principal, Role, issue_token
    from qianzhao.common.settings import PlatformSettings

    for token, code in (("not-a-token", 4403), (None, 4403)):
        ws = await connect(platform, token)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await receive(ws)
        assert closed.value.rcvd.code == code
    silent = await websockets.connect(platform.ws_url, subprotocols=PROTOCOL)  # no connection_init
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await receive(silent)
    assert closed.value.rcvd.code == 4408
    short = issue_token(PlatformSettings(), Principal(subject="brief", role=Role.COUNTY, region_code="520102"),
                        ttl_minutes=0.05)  # three seconds
    ws = await connect(platform, short)
    assert await receive(ws) == {"type": "connection_ack"}
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await receive(ws, timeout=10)
    assert closed.value.rcvd.code == 4403 and "expired" in closed.value.rcvd.reason
    plain = await httpx.AsyncClient().post(platform.gateway_url, json={"query": CHANGES},
                                           headers={"authorization": f"Bearer {COUNTY}"})
    assert plain.status_code == 400 and "graphql-transport-ws" in plain.json()["errors"][0]["message"]


async def test_the_javascript_graphql_ws_client_receives_a_change(platform):
    """The `graphql-ws` client of the gateway's npm lockfile (services/gateway/compose), as a console uses it."""
    from qianzhao.gateway.node import ensure_node_modules, node_executable

    folder = await asyncio.to_thread(ensure_node_modules)
    proc = await asyncio.create_subprocess_exec(
        node_executable(), str(folder / "subscribe.cjs"), cwd=folder, stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    proc.stdin.write(orjson.dumps({"url": platform.ws_url, "token": COUNTY, "count": 1, "query": CHANGES,
                                   "variables": {"f": {"eventTypes": ["created"]}}}))
    proc.stdin.close()
    try:
        assert (await asyncio.wait_for(proc.stdout.readline(), 30)).strip() == b"ready"
        await asyncio.sleep(1.0)
        await platform.graphql(CREATE, {"i": draft("前端订阅项目")}, token=COUNTY)
        result = orjson.loads(await asyncio.wait_for(proc.stdout.readline(), 30))
        assert await asyncio.wait_for(proc.wait(), 30) == 0
    finally:
        if proc.returncode is None:
            proc.kill()
    change = result["data"]["projectChanged"]
    assert change["eventType"] == "created" and change["project"]["name"] == "前端订阅项目"


async def test_the_python_gql_client_subscribes_and_mutates_over_one_websocket(platform):
    """gql's WebsocketsTransport (graphql-transport-ws), as another government system's Python code would use it: one
    connection carries the subscription and the mutation whose change it then receives."""
    from gql import Client, GraphQLRequest, gql
    from gql.transport.exceptions import TransportConnectionFailed
    from gql.transport.websockets import WebsocketsTransport

    transport = WebsocketsTransport(url=platform.ws_url, init_payload={"authorization": f"Bearer {COUNTY}"},
                                    subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])
    async with Client(transport=transport) as session:
        changes = session.subscribe(GraphQLRequest(CHANGES, variable_values={"f": {"eventTypes": ["created"]}}))
        first = asyncio.ensure_future(anext(changes))
        await asyncio.sleep(1.0)
        created = await session.execute(GraphQLRequest(CREATE, variable_values={"i": draft("Python客户端项目")}))
        change = (await asyncio.wait_for(first, 30))["projectChanged"]
        await changes.aclose()
    assert change["eventType"] == "created" and change["project"] == {
        "id": created["createProject"]["project"]["id"], "name": "Python客户端项目", "status": "DRAFT",
        "grievanceCount": 0}
    refused = WebsocketsTransport(url=platform.ws_url, init_payload={"authorization": "Bearer not-a-token"},
                                  subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL])
    with pytest.raises(TransportConnectionFailed) as failed:  # refused at connection init, as the protocol says
        async with Client(transport=refused) as session:
            await session.execute(gql("{ me { role } }"))
    assert failed.value.__cause__.rcvd.code == 4403


RESUMABLE = """subscription($after: String) { projectChanged(filter: {eventTypes: ["created"]}, after: $after) {
  cursor project { name } } }"""


async def subscribe(platform, token: str, query: str, variables: dict | None = None):
    ws = await connect(platform, token)
    assert await receive(ws) == {"type": "connection_ack"}
    await ws.send(orjson.dumps({"id": "r", "type": "subscribe",
                                "payload": {"query": query, "variables": variables or {}}}).decode())
    await asyncio.sleep(1.0)
    return ws


async def next_change(ws, field: str) -> dict:
    message = await receive(ws)
    assert message["type"] == "next", message
    return message["payload"]["data"][field]


async def test_a_reconnecting_subscriber_resumes_after_its_cursor_without_a_gap(platform):
    ws = await subscribe(platform, COUNTY, RESUMABLE)
    await platform.graphql(CREATE, {"i": draft("断线前项目")}, token=COUNTY)
    first = await next_change(ws, "projectChanged")
    assert first["project"]["name"] == "断线前项目" and first["cursor"].startswith("QZ_PROJECTS:")
    await ws.close()  # the connection (or the whole gateway) goes away; changes go on
    for name in ("断线期间一", "断线期间二"):
        await platform.graphql(CREATE, {"i": draft(name)}, token=COUNTY)
    ws = await subscribe(platform, COUNTY, RESUMABLE, {"after": first["cursor"]})
    try:
        missed = [(await next_change(ws, "projectChanged"))["project"]["name"] for _ in range(2)]
        assert missed == ["断线期间一", "断线期间二"]  # every change since the cursor, in order
        await platform.graphql(CREATE, {"i": draft("重连之后")}, token=COUNTY)
        assert (await next_change(ws, "projectChanged"))["project"]["name"] == "重连之后"  # then live
    finally:
        await ws.close()
    bad = await subscribe(platform, COUNTY, RESUMABLE, {"after": "QZ_GRIEVANCES:3"})
    message = await receive(bad)
    assert message["type"] == "error" and message["payload"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    await bad.close()


GRIEVANCES = "subscription { grievanceChanged { eventType grievance { number creditCode } } }"
OWN, OTHER = "91520000MA6DM1RE5W", "91520200MA6DQ0002H"
FILE = ("mutation($i: FileGrievanceInput!) { fileGrievance(input: $i) { grievance { number } "
        "userErrors { code message } } }")


def grievance(code: str, region: str) -> dict:
    return {"channel": "HOTLINE_CALL", "enterpriseName": "贵州黔茶科技有限公司", "creditCode": code,
            "ownership": "PRIVATE", "size": "SMALL", "contactName": "张三", "contactPhone": "13812345678",
            "regionCode": region, "category": "SITUATION_REPORT", "title": "厂房用电报装迟迟未办",
            "description": "企业反映用电报装两个月未办理。", "topics": ["UTILITIES"]}


async def test_an_enterprise_subscriber_receives_only_its_own_grievances(platform):
    own = dev_token("ENTERPRISE", "520102", credit_code=OWN)
    other = dev_token("ENTERPRISE", "520201", credit_code=OTHER)
    ws = await subscribe(platform, own, GRIEVANCES)
    try:
        theirs = await platform.graphql(FILE, {"i": grievance(OTHER, "520201")}, token=other)
        mine = await platform.graphql(FILE, {"i": grievance(OWN, "520102")}, token=own)
        assert theirs["data"]["fileGrievance"]["userErrors"] == [] == mine["data"]["fileGrievance"]["userErrors"]
        change = await next_change(ws, "grievanceChanged")
        assert change == {"eventType": "received", "grievance": {
            "number": mine["data"]["fileGrievance"]["grievance"]["number"], "creditCode": OWN}}
        with pytest.raises(TimeoutError):
            await receive(ws, timeout=2)
    finally:
        await ws.close()


async def test_a_burst_is_read_in_one_operation_per_reader_and_each_record_as_that_reader_may_see_it(platform):
    """Events that reach the hub together are read with one operation per reader (one aliased root field each),
    through the planner with the reader's token: a county officer's batch has null for a project elsewhere."""
    from qianzhao.gateway.subscriptions import Subscriber, plan, reader_of

    ids = []
    for name, token in (("一并读取甲", COUNTY), ("一并读取乙", COUNTY), ("别处项目", ELSEWHERE)):
        region = "520102" if token == COUNTY else "520103"
        created = await platform.ok(CREATE, {"i": draft(name) | {"regionCode": region}}, token=token)
        ids.append(created["createProject"]["project"]["id"])
    app = platform.gateway_app
    hub, gateway = app.state.hub, app.state.gateway

    async def alone() -> bool:  # no earlier test's subscriber left, so nobody else's reads are counted below
        return not hub.subscribers and not hub.resuming

    await eventually(alone, what="earlier subscribers gone")
    document = parse(CHANGES)
    p = plan(document, document.definitions[0], {})
    headers = {"authorization": f"Bearer {COUNTY}"}
    sub = Subscriber(p, asyncio.Queue(10), gateway, headers, reader_of(p, headers, None))
    operations = hub.read_operations
    reads = [hub._read(sub, {"id": f"burst-{i}", "subject": pid}) for i, pid in enumerate(ids)]
    assert hub._read(sub, {"id": "burst-0", "subject": ids[0]}) is reads[0]  # the same event's read is shared
    records = await asyncio.gather(*reads)
    assert hub.read_operations == operations + 1
    assert [r and r["name"] for r in records] == ["一并读取甲", "一并读取乙", None]
    assert records[0] == {"id": ids[0], "name": "一并读取甲", "status": "DRAFT", "grievanceCount": 0}

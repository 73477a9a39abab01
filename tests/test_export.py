"""`POST /export.xlsx` through the real gateway: every page of a list a caller may see becomes a workbook row under
Chinese-first headers; jurisdiction, authentication and errors are the API's own."""

from __future__ import annotations

import io

import httpx
from openpyxl import load_workbook
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import dev_token
from qianzhao.gateway.testing import running_platform

NANMING, HUAXI = "520102", "520111"
COUNTY = dev_token("COUNTY", NANMING)
ELSEWHERE = dev_token("COUNTY", "520302")
CREATE = """mutation($i: CreateProjectInput!) { createProject(input: $i) { project { id } userErrors { message } } }"""
LIST = """query Pool($after: String) { projects(first: 2, after: $after) { pageInfo { hasNextPage endCursor }
  nodes { number name totalInvestment region { name } leadDepartment { name } preconditions } } }"""


async def test_a_list_exports_every_page_with_chinese_headers_and_the_callers_jurisdiction(databases, nats_server):
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url) as platform:
        for i in range(5):
            created = (await platform.ok(CREATE, {"i": {
                "name": f"茶叶精深加工项目{i}", "regionCode": NANMING, "chainCode": "AGR_TEA", "board": "PREFECTURE",
                "totalInvestment": f"{i + 1}000000.00", "investmentMode": "SOLE", "leadDepartment": "agriculture_rural",
                "preconditions": ["LAND", "PLANNING"] if i == 0 else []}}, token=COUNTY))
            assert created["createProject"]["userErrors"] == []
        url = platform.gateway_url.rsplit("/graphql", 1)[0] + "/export.xlsx"
        async with httpx.AsyncClient(timeout=60) as http:
            answer = await http.post(url, json={"query": LIST}, headers={"authorization": f"Bearer {COUNTY}"})
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
            sheet = load_workbook(io.BytesIO(answer.content)).active
            rows = list(sheet.iter_rows(values_only=True))
            assert rows[0] == ("项目编号 number", "项目名称 name", "总投资 totalInvestment",
                               "所在行政区划 region.name", "牵头部门 leadDepartment.name",
                               "前期工作 preconditions")  # the descriptions' Chinese terms, then the field path
            assert len(rows) == 1 + 5 and answer.headers["x-qz-export-rows"] == "5"  # all three pages
            assert {r[1] for r in rows[1:]} == {f"茶叶精深加工项目{i}" for i in range(5)}
            first = next(r for r in rows[1:] if r[1] == "茶叶精深加工项目0")
            assert first[3] == "南明区" and first[5] == "LAND；PLANNING"

            elsewhere = await http.post(url, json={"query": LIST}, headers={"authorization": f"Bearer {ELSEWHERE}"})
            assert len(list(load_workbook(io.BytesIO(elsewhere.content)).active.iter_rows())) == 1  # headers only

            refused = await http.post(url, json={"query": LIST}, headers={"authorization": "Bearer nope"})
            assert refused.status_code == 401 and refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            no_list = await http.post(url, json={"query": "{ me { role } }"}, headers={"authorization": f"Bearer {COUNTY}"})
            assert no_list.status_code == 400 and "no list" in no_list.json()["errors"][0]["message"]
            wrong = await http.post(url, json={"query": "{ projects { nodes { nope } } }"},
                                    headers={"authorization": f"Bearer {COUNTY}"})
            assert wrong.status_code == 400
            assert wrong.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"

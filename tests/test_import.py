"""`qianzhao import` through the real gateway: the template a clerk fills in, a dry run that reports every bad cell
by file row and column and writes nothing, an all-or-nothing import, re-importing the same file changing nothing,
CSV with Chinese headers and Chinese enum labels, and the caller's jurisdiction."""

from __future__ import annotations

import asyncio
from datetime import date

from openpyxl import load_workbook
from qianzhao.common.cli import app
from qianzhao.common.registry import installed_services
from qianzhao.common.testing import dev_token
from qianzhao.gateway.testing import running_platform
from typer.testing import CliRunner

NANMING = "520102"
COUNTY = dev_token("COUNTY", NANMING)
COUNT = """{ projectStats(dateField: SIGNED, period: {from: "2023-01-01", to: "2023-12-31"}) {
  total { count contractInvestment } } }"""


def row(n: int, **kw) -> dict:
    return {"externalRef": f"TZ-{n}", "name": f"台账项目{n}", "regionCode": f"{NANMING} 南明区", "chainCode": "AGR_TEA",
            "board": "PREFECTURE", "totalInvestment": 1_000_000 * n, "investmentMode": "SOLE",
            "compiledOn": date(2022, 3, n), "status": "SIGNED", "signedOn": date(2023, 4, n), "investorName": "某公司",
            "contractInvestment": 900_000 * n} | kw


def fill(template, rows: list[dict], target) -> None:
    book = load_workbook(template)
    sheet = book.worksheets[0]
    names = [c.value for c in sheet[2]]
    for r, values in enumerate(rows, start=3):
        for name, value in values.items():
            sheet.cell(r, names.index(name) + 1, value)
    book.save(target)


async def cli(*args: str, token: str = COUNTY, url: str = ""):
    result = await asyncio.to_thread(CliRunner().invoke, app, [*args, "--gateway", url, "--token", token])
    return result.exit_code, result.stdout


async def test_a_filled_in_template_is_checked_whole_then_imported_once(databases, nats_server, tmp_path):
    template = tmp_path / "projects.xlsx"
    assert CliRunner().invoke(app, ["import", "template", "projects", "--out", str(template)]).exit_code == 0
    bad = tmp_path / "bad.xlsx"
    fill(template, [row(1), row(2, totalInvestment="很多", regionCode="529999"), row(3, signedOn=None),
                    row(4, status="FINISHED")], bad)
    good = tmp_path / "good.xlsx"
    fill(template, [row(1), row(2), row(3)], good)
    async with running_platform(installed_services(), databases=databases, nats_url=nats_server.url) as platform:
        url = platform.gateway_url
        code, out = await cli("import", "projects", str(bad), "--dry-run", url=url)
        assert code == 1
        lines = sorted(line.split("\t")[:2] for line in out.strip().splitlines())
        # cells the reader refuses (an amount, an enum) and the rows the service refuses, each by file row and column
        assert lines == [["row 4", "总投资*"], ["row 5", "签约日期"], ["row 6", "项目状态*"]], out
        fixed = tmp_path / "fixed.xlsx"
        fill(template, [row(1), row(2, regionCode="529999"), row(3, signedOn=None)], fixed)
        code, out = await cli("import", "projects", str(fixed), url=url)
        assert code == 1 and "row 4\t所在地*\t529999" in out and "row 5\t签约日期" in out, out
        assert (await platform.ok(COUNT, token=COUNTY))["projectStats"]["total"]["count"] == 0  # nothing written

        code, _ = await cli("import", "projects", str(good), url=url)
        assert code == 0
        total = (await platform.ok(COUNT, token=COUNTY))["projectStats"]["total"]
        assert total == {"count": 3, "contractInvestment": "5400000.00"}
        code, _ = await cli("import", "projects", str(good), url=url)  # the same file again changes nothing
        assert code == 0 and (await platform.ok(COUNT, token=COUNTY))["projectStats"]["total"]["count"] == 3

        csv = tmp_path / "trips.csv"
        csv.write_text("外部编号,层级,地区,领导职务,目的地,开始日期,结束日期,省外招商\n"
                       "T-1,县级党政主要负责同志,520102,区委书记,深圳,2023/05/06,2023-05-08,是\n", encoding="utf-8")
        code, out = await cli("import", "investment-trips", str(csv), url=url)
        assert code == 0, out
        elsewhere = tmp_path / "elsewhere.csv"
        elsewhere.write_text("externalRef,level,regionCode,leaderTitle,destination,startOn,endOn\n"
                             "T-2,COUNTY,520111,区委书记,上海,2023-05-06,2023-05-08\n", encoding="utf-8")
        code, out = await cli("import", "investment-trips", str(elsewhere), url=url)
        assert code == 1 and "FORBIDDEN" in out  # jurisdiction applies: a county imports its own records only

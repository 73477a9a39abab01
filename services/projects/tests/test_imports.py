"""Importing the bureau's project register: real dates and stages, every problem of every row at once with nothing
written, idempotent by externalRef, the same events as the mutations, and period statistics over the real dates."""

from __future__ import annotations

from projects_support import GUIYANG, INVESTOR, NANMING, YUNYAN, counts, outbox, tok

IMPORT = """mutation($i: ImportProjectsInput!) { importProjects(input: $i) {
  imported unchanged checked dryRun userErrors { field code message } } }"""


def row(ref: str, **extra) -> dict:
    return {"externalRef": ref, "name": f"导入项目{ref}", "regionCode": NANMING, "chainCode": "AGR_TEA",
            "board": "PREFECTURE", "totalInvestment": "50000000", "investmentMode": "SOLE",
            "compiledOn": "2022-03-01", "status": "LISTED", "listedOn": "2022-04-01", **extra}


SIGNED = {"status": "SIGNED", "signedOn": "2023-05-20", "investorName": "某茶业有限公司",
          "investorCreditCode": INVESTOR, "contractInvestment": "48000000"}


async def run(svc, rows, dry=False, token=None):
    return (await svc.ok(IMPORT, {"i": {"rows": rows, "dryRun": dry}}, token=token or tok()))["importProjects"]


async def test_an_import_is_all_or_nothing_reports_every_problem_and_is_idempotent(svc):
    good = [row("A-1"), row("A-2", **SIGNED), row("A-3", status="IN_PRODUCTION", signedOn="2022-06-01",
                                                  investorName="某公司", contractInvestment="1000",
                                                  constructionStartedOn="2022-08-01",
                                                  productionStartedOn="2023-10-01", listedOn=None)]
    bad = [row("B-1", regionCode="529999"), row("B-2", status="SIGNED"),
           row("B-3", signedOn="2021-01-01"), row("A-1"),
           row("B-4", compiledOn="2024-05-01", listedOn=None), row("B-5", listedOn="2022-01-01")]
    before = await counts(svc)
    refused = await run(svc, good + bad)
    assert refused["imported"] == 0 and refused["dryRun"] is False
    found = {(tuple(e["field"]), e["code"]) for e in refused["userErrors"]}
    assert found == {(("input", "rows", "3", "regionCode"), "BAD_USER_INPUT"),
                     (("input", "rows", "4", "signedOn"), "BAD_USER_INPUT"),
                     (("input", "rows", "4", "investorName"), "BAD_USER_INPUT"),
                     (("input", "rows", "4", "contractInvestment"), "BAD_USER_INPUT"),
                     (("input", "rows", "5", "signedOn"), "BAD_USER_INPUT"),
                     (("input", "rows", "6", "externalRef"), "BAD_USER_INPUT"),
                     (("input", "rows", "7", "compiledOn"), "BAD_USER_INPUT"),  # after the clock's today
                     (("input", "rows", "8", "listedOn"), "BAD_USER_INPUT")}, refused["userErrors"]
    assert await counts(svc) == before  # nothing written

    dry = await run(svc, good, dry=True)
    assert (dry["imported"], dry["checked"], dry["dryRun"], dry["userErrors"]) == (0, 3, True, [])
    assert await counts(svc) == before

    done = await run(svc, good)
    assert (done["imported"], done["unchanged"], done["userErrors"]) == (3, 0, []), done["userErrors"]
    again = await run(svc, good + [row("A-4")])
    assert (again["imported"], again["unchanged"]) == (1, 3)
    created = await outbox(svc, "created")
    assert len(created) == 4 and {e["data"]["status"] for e in created} == {"LISTED", "SIGNED", "IN_PRODUCTION"}

    listing = await svc.ok("""{ projects(filter: {search: "导入项目A-2"}) { nodes { status compiledOn signedOn year
        externalRef importedAt demo history { action } } } }""", token=tok())
    (signed,) = listing["projects"]["nodes"]
    assert signed["status"] == "SIGNED" and signed["compiledOn"] == "2022-03-01" and signed["year"] == 2022
    assert signed["externalRef"] == "A-2" and signed["importedAt"] and signed["demo"] is False
    assert [h["action"] for h in signed["history"]] == ["IMPORTED"]


async def test_imported_dates_drive_period_statistics_and_jurisdiction_applies(svc):
    rows = [row("P-1"), row("P-2", compiledOn="2023-02-01", listedOn="2023-03-01"), row("P-3", **SIGNED),
            row("P-4", **(SIGNED | {"signedOn": "2022-07-01"}))]
    result = await run(svc, rows, token=tok("COUNTY", NANMING))
    assert result["imported"] == 4, result["userErrors"]
    elsewhere = await run(svc, [row("P-5", regionCode=YUNYAN)], token=tok("COUNTY", NANMING))
    assert [e["code"] for e in elsewhere["userErrors"]] == ["FORBIDDEN"]
    stats = """query($f: ProjectStatsDateField!) { projectStats(dateField: $f,
        period: {from: "2023-01-01", to: "2023-12-31"}, compareTo: PREVIOUS_YEAR) {
        total { count contractInvestment previous { count contractInvestment } } } }"""
    signed = (await svc.ok(stats, {"f": "SIGNED"}, token=tok("PREFECTURE", GUIYANG)))["projectStats"]["total"]
    assert signed["count"] == 1 and signed["contractInvestment"] == "48000000.00"
    assert signed["previous"]["count"] == 1
    compiled = (await svc.ok(stats, {"f": "COMPILED"}, token=tok()))["projectStats"]["total"]
    assert compiled["count"] == 1 and compiled["previous"]["count"] == 3


TRIPS = """mutation($i: ImportInvestmentTripsInput!) { importInvestmentTrips(input: $i) {
  imported unchanged userErrors { field code } } }"""


async def test_trips_are_imported_once_and_counted_year_on_year(svc):
    def trip(ref, start, **extra):
        return {"externalRef": ref, "level": "PREFECTURE", "regionCode": GUIYANG, "leaderTitle": "市委书记",
                "destination": "深圳", "startOn": start, "endOn": start, **extra}

    rows = [trip("T-1", "2023-04-02"), trip("T-2", "2023-05-02"), trip("T-3", "2022-04-02"),
            trip("T-4", "2023-06-01", outsideProvince=False)]
    done = (await svc.ok(TRIPS, {"i": {"rows": rows}}, token=tok()))["importInvestmentTrips"]
    assert (done["imported"], done["userErrors"]) == (4, [])
    bad = (await svc.ok(TRIPS, {"i": {"rows": rows + [trip("T-5", "2023-01-05", regionCode=NANMING)]}},
                        token=tok()))["importInvestmentTrips"]
    assert bad["userErrors"] == [{"field": ["input", "rows", "4", "regionCode"], "code": "BAD_USER_INPUT"}]
    # the deprecated startFrom/startTo still answer as before: the year before built in
    stats = """{ investmentTripStats(startFrom: "2023-01-01", startTo: "2023-12-31", outsideProvince: true) {
        total { count previousCount changePercent } } }"""
    total = (await svc.ok(stats, token=tok()))["investmentTripStats"]["total"]
    assert total == {"count": 2, "previousCount": 1, "changePercent": "100.0"}

"""Importing the coordination register: each case at its tier, day and stage, naming its major project by the
pool's number; all or nothing, idempotent by externalRef; counted by the day it was raised."""

from __future__ import annotations

from coordination_helpers import NANMING, PROVINCE, counts, event_types, know_project, token

IMPORT = """mutation($i: ImportCoordinationCasesInput!) { importCoordinationCases(input: $i) {
  imported unchanged userErrors { field code } } }"""


async def test_cases_are_imported_at_their_tier_and_stage_and_counted_by_the_day_they_were_raised(svc):
    major = await know_project(svc)
    minor = await know_project(svc, major=False)
    number, minor_number = f"XM-{NANMING}-2025-{major[:5]}", f"XM-{NANMING}-2025-{minor[:5]}"

    def case(ref, **kw):
        return {"externalRef": ref, "projectNumber": number, "regionCode": NANMING, "title": "用地指标不足",
                "description": "二期用地指标未落实", "category": "FACTOR_GUARANTEE", "factorSubtype": "LAND",
                "tier": "PROVINCE", "submittedOn": "2025-03-02", "status": "IN_PROGRESS"} | kw

    rows = [case("C-1"), case("C-2", status="RESOLVED", resolvedOn="2025-05-01", solution="省级统筹解决指标"),
            case("C-3", tier="COUNTY", status="SUBMITTED", submittedOn="2024-11-11")]
    before = await counts(svc)
    refused = (await svc.ok(IMPORT, {"i": {"rows": rows + [
        case("C-4", projectNumber=minor_number), case("C-5", projectNumber="XM-0"),
        case("C-6", status="RESOLVED"), case("C-7", regionCode="520100", tier="COUNTY")]}},
        token=PROVINCE))["importCoordinationCases"]
    assert {(tuple(e["field"][2:]), e["code"]) for e in refused["userErrors"]} == {
        (("3", "projectNumber"), "BAD_USER_INPUT"), (("4", "projectNumber"), "NOT_FOUND"),
        (("5", "resolvedOn"), "BAD_USER_INPUT"), (("5", "solution"), "BAD_USER_INPUT"),
        (("6", "tier"), "BAD_USER_INPUT")}, refused["userErrors"]
    assert await counts(svc) == before
    done = (await svc.ok(IMPORT, {"i": {"rows": rows}}, token=PROVINCE))["importCoordinationCases"]
    assert (done["imported"], done["userErrors"]) == (3, [])
    again = (await svc.ok(IMPORT, {"i": {"rows": rows}}, token=PROVINCE))["importCoordinationCases"]
    assert (again["imported"], again["unchanged"]) == (0, 3)
    stats = """{ coordinationStats(filter: {tiers: [PROVINCE]}, period: {from: "2025-01-01", to: "2025-12-31"}) {
        total { collected resolved inProgress } } }"""
    figures = (await svc.ok(stats, token=PROVINCE))["coordinationStats"]
    assert figures["total"] == {"collected": 2, "resolved": 1, "inProgress": 1}
    types = await event_types(svc)
    assert types.count("submitted") == 3 and types.count("resolved") == 1
    county = (await svc.ok(IMPORT, {"i": {"rows": [case("C-8", regionCode="520103")]}},
                           token=token("COUNTY", NANMING)))["importCoordinationCases"]
    assert county["userErrors"][0]["code"] == "FORBIDDEN"

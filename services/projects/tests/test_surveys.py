"""Field surveys (实地调研): recorded by the province with symposiums and findings, every problem of a form at once,
visible to the counties visited, linked to the projects compiled from them."""

from __future__ import annotations

from projects_support import GUIYANG, HONGHUAGANG, NANMING, YUNYAN, create, mutate, ok, tok

SURVEY = """id number agency region { code } counties { code } symposiums { heldOn county { code }
  participants { unit count } } findings { heading text } projects { id } version"""
WHOLE = {
    "title": "2022年招商项目实地调研", "agency": "贵州省社会科学院", "regionCode": "520000",
    "counties": [NANMING, YUNYAN, HONGHUAGANG], "startOn": "2022-04-01", "endOn": "2022-05-31",
    "symposiums": [{"heldOn": "2022-04-12", "countyCode": NANMING,
                    "participants": [{"unit": "南明区投资促进局", "count": 3}, {"unit": "区发展改革局", "count": 2}]}],
    "findings": [{"heading": "PROJECT_FEASIBILITY", "text": "茶产业精深加工具备条件"},
                 {"heading": "INDUSTRY_BASE", "text": "茶园面积稳定"}],
}


async def test_a_survey_is_recorded_seen_by_the_counties_visited_and_linked_to_projects(svc):
    survey = await ok(svc, "recordFieldSurvey", WHOLE, tok(), result="survey", fields=SURVEY)
    assert survey["number"].startswith("DY-2022-") and survey["version"] == 1
    assert [f["heading"] for f in survey["findings"]] == ["INDUSTRY_BASE", "PROJECT_FEASIBILITY"]  # heading order
    assert survey["symposiums"][0]["participants"][0] == {"unit": "南明区投资促进局", "count": 3}
    listing = "query($c: String) { fieldSurveys(filter: { countyCode: $c }) { totalCount nodes { number } } }"
    for token, county, seen in [(tok("COUNTY", NANMING), None, 1), (tok("PREFECTURE", GUIYANG), None, 1),
                                (tok("COUNTY", "520111"), None, 0), (tok(), HONGHUAGANG, 1), (tok(), "520111", 0)]:
        data = await svc.ok(listing, {"c": county}, token=token)
        assert data["fieldSurveys"]["totalCount"] == seen, (token, county)
    p = await create(svc)
    linked = await ok(svc, "linkSurveyProjects", {"id": survey["id"], "expectedVersion": 1, "projectIds": [p["id"]]},
                      tok(), result="survey", fields=SURVEY)
    assert linked["projects"] == [{"id": p["id"]}] and linked["version"] == 2
    stale = await mutate(svc, "linkSurveyProjects", {"id": survey["id"], "expectedVersion": 1,
                                                     "projectIds": [p["id"]]}, tok(), result="survey", fields="id")
    assert stale["userErrors"][0]["code"] == "CONFLICT"


async def test_a_survey_form_comes_back_with_every_problem_and_counties_cannot_record(svc):
    bad = WHOLE | {"counties": [NANMING, "520300"], "endOn": "2022-03-01",
                   "symposiums": [{"heldOn": "2022-06-01", "countyCode": YUNYAN, "participants": []}],
                   "projectIds": ["01890000-0000-7000-8000-000000000000"]}
    refused = await mutate(svc, "recordFieldSurvey", bad, tok(), result="survey", fields="id")
    fields = {tuple(e["field"]) for e in refused["userErrors"]}
    assert fields == {("input", "counties", "1"), ("input", "endOn"), ("input", "symposiums", "0", "countyCode"),
                      ("input", "symposiums", "0", "heldOn"), ("input", "symposiums", "0", "participants"),
                      ("input", "projectIds")}, refused["userErrors"]
    county = await mutate(svc, "recordFieldSurvey", WHOLE, tok("COUNTY", NANMING), result="survey", fields="id")
    assert county["userErrors"][0]["code"] == "FORBIDDEN"

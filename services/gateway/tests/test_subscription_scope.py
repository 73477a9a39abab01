"""The hub's prefilter: the one division outside which no event can concern a subscription, and the divisions an
event's subscriptions are looked up under — a superset of what each subscriber may read, never less."""

from __future__ import annotations

from graphql import parse
from qianzhao.common.auth import Principal, Role
from qianzhao.gateway.subscriptions import plan, scope_of, scopes_of

NANMING, GUIYANG, ZUNYI = "520102", "520100", "520300"


def _plan(field: str, region: str | None = None):
    flt = f'(filter: {{regionCode: "{region}"}})' if region else ""
    document = parse(f"subscription {{ {field}{flt} {{ eventId }} }}")
    return plan(document, document.definitions[0], {})


def officer(role: Role, region: str) -> Principal:
    return Principal(subject="x", role=role, region_code=region)


def test_a_subscription_is_filed_under_the_narrowest_division_it_can_concern():
    county, prefecture = officer(Role.COUNTY, NANMING), officer(Role.PREFECTURE, GUIYANG)
    province = officer(Role.PROVINCE, "520000")
    department = Principal(subject="d", role=Role.DEPARTMENT, department="energy")
    projects = _plan("projectChanged")
    assert scope_of(projects, county) == NANMING  # officers read exactly their region's projects
    assert scope_of(projects, prefecture) == GUIYANG
    assert scope_of(projects, province) is None and scope_of(projects, department) is None
    assert scope_of(projects, None) is None
    assert scope_of(_plan("projectChanged", GUIYANG), county) == NANMING  # the narrower of filter and region
    assert scope_of(_plan("projectChanged", NANMING), prefecture) == NANMING
    assert scope_of(_plan("projectChanged", ZUNYI), county) == ZUNYI  # disjoint: the filter (reads decide)
    # grievances and cases are also read by the units they are dispatched to, wherever they lie: only a filter
    for field in ("grievanceChanged", "coordinationCaseChanged"):
        assert scope_of(_plan(field), county) is None
        assert scope_of(_plan(field, GUIYANG), county) == GUIYANG


def test_an_event_is_matched_under_its_division_and_every_one_above_it():
    assert scopes_of(NANMING) == [None, NANMING, GUIYANG, "520000"]
    assert scopes_of(GUIYANG) == [None, GUIYANG, "520000"]
    assert scopes_of("520000") == [None, "520000"]
    assert scopes_of(None) == [None] and scopes_of("999999") == [None]

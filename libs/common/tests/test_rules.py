"""Pure rules of libs/common: regions, jurisdiction, tokens, working days."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from qianzhao.common import regions
from qianzhao.common.auth import Principal, Role, TokenVerifier, issue_token
from qianzhao.common.errors import ApiError
from qianzhao.common.settings import PlatformSettings
from qianzhao.common.workdays import add_working_days, is_working_day, working_days_between


def test_region_table_is_complete():
    table = regions.all_regions()
    levels = [r.level for r in table.values()]
    assert len(table) == 98
    assert levels.count(regions.RegionLevel.PREFECTURE) == 9
    assert levels.count(regions.RegionLevel.COUNTY) == 88
    assert regions.require("522301").name == "兴义市"
    assert [r.code for r in regions.ancestors("522301")] == ["522300", "520000"]
    assert regions.parent_tier("520102").code == "520100"
    assert regions.parent_tier("520000") is None


@pytest.mark.parametrize(("outer", "inner", "expected"), [
    ("520000", "520102", True), ("520100", "520102", True), ("520102", "520102", True),
    ("520103", "520102", False), ("520200", "520102", False), ("522300", "522301", True),
    ("520100", "520000", False),
])
def test_containment(outer, inner, expected):
    assert regions.contains(outer, inner) is expected
    assert Principal("x", Role.PREFECTURE if outer.endswith("00") else Role.COUNTY,
                     outer).covers_region(inner) is (expected or outer == "520000")


def test_non_officers_cover_no_region():
    assert not Principal("e", Role.ENTERPRISE, credit_code="91520000MA6DM1RE5L").covers_region("520102")
    assert not Principal("d", Role.DEPARTMENT, department="自然资源厅").covers_region("520102")
    assert Principal("s", Role.SERVICE).covers_region("520102")


def test_tokens_round_trip_and_reject_tampering():
    settings = PlatformSettings()
    verifier = TokenVerifier(settings)
    token = issue_token(settings, Principal("u1", Role.COUNTY, "520102"))
    p = verifier.verify(token)
    assert (p.subject, p.role, p.region_code) == ("u1", Role.COUNTY, "520102")
    head, body, sig = token.split(".")
    with pytest.raises(ApiError) as err:
        verifier.verify(f"{head}.{body}.{sig[::-1]}")
    assert err.value.extensions == {"code": "UNAUTHENTICATED"}
    with pytest.raises(ApiError):
        verifier.verify(issue_token(settings, Principal("u1", Role.COUNTY, "520102"), ttl_minutes=-5))


def test_enterprise_tokens_need_a_valid_credit_code():
    settings = PlatformSettings()
    bad = issue_token(settings, Principal("e", Role.ENTERPRISE, credit_code="91520000MA6DM1RE5X"))
    with pytest.raises(ApiError):
        TokenVerifier(settings).verify(bad)


def test_working_days_follow_the_official_calendar():
    assert not is_working_day(datetime(2023, 10, 2).date())  # National Day
    assert is_working_day(datetime(2023, 10, 7).date())  # make-up Saturday
    eve = datetime(2023, 9, 27, 2, 0, tzinfo=UTC)  # Wednesday before Mid-Autumn + National Day
    assert add_working_days(eve, 1) == datetime(2023, 9, 28, 16, 0, tzinfo=UTC)  # end of 28 Sep, Shanghai
    assert add_working_days(eve, 2) == datetime(2023, 10, 7, 16, 0, tzinfo=UTC)
    assert add_working_days(eve, 5) == datetime(2023, 10, 10, 16, 0, tzinfo=UTC)
    assert working_days_between(eve, datetime(2023, 10, 10, 3, 0, tzinfo=UTC)) == 5


def test_shanghai_date_decides_the_day():
    late = datetime(2023, 9, 28, 17, 0, tzinfo=UTC)  # already 29 Sep (holiday) in Shanghai
    assert add_working_days(late, 1) == datetime(2023, 10, 7, 16, 0, tzinfo=UTC)

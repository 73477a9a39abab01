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
    assert not Principal("d", Role.DEPARTMENT, department="natural_resources").covers_region("520102")
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


def _signed(claims: dict, *, ttl: float = 600) -> str:
    import time

    import jwt

    settings = PlatformSettings()
    base = {"iss": settings.jwt_issuer, "aud": settings.jwt_audience, "exp": int(time.time() + ttl)}
    return jwt.encode(base | claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize("claims", [
    {"sub": "c", "role": "COUNTY"},  # no region: never widened to the province
    {"sub": "c", "role": "COUNTY", "region": ""},
    {"sub": "c", "role": "COUNTY", "region": None},
    {"sub": "c", "role": "COUNTY", "region": "520000"},  # the province's code on a county token
    {"sub": "c", "role": "COUNTY", "region": "520100"},  # a prefecture's
    {"sub": "f", "role": "PREFECTURE"},
    {"sub": "f", "role": "PREFECTURE", "region": "520102"},  # a county's
    {"sub": "f", "role": "PREFECTURE", "region": 520100},  # wrong type
    {"sub": "f", "role": "PREFECTURE", "region": ["520100"]},
    {"sub": "p", "role": "PROVINCE"},
    {"sub": "p", "role": "PROVINCE", "region": "520100"},
    {"sub": "c", "role": "county", "region": "520102"},
    {"sub": "c", "role": ["COUNTY"], "region": "520102"},
    {"sub": "", "role": "COUNTY", "region": "520102"},
    {"sub": 7, "role": "COUNTY", "region": "520102"},
    {"sub": "x" * 201, "role": "COUNTY", "region": "520102"},
    {"sub": "c\x00", "role": "COUNTY", "region": "520102"},
    {"sub": "c", "role": "COUNTY", "region": "520102", "name": {"a": 1}},
    {"sub": "d", "role": "DEPARTMENT"},
    {"sub": "d", "role": "DEPARTMENT", "department": ""},
    {"sub": "d", "role": "DEPARTMENT", "department": 3},
    {"sub": "d", "role": "DEPARTMENT", "department": "自然资原厅"},  # a name (with a typo), not a registry code
    {"sub": "d", "role": "DEPARTMENT", "department": "natural_resources", "region": "999999"},
    {"sub": "e", "role": "ENTERPRISE"},
    {"sub": "e", "role": "ENTERPRISE", "credit_code": 91520000},
    {"sub": "e", "role": "ENTERPRISE", "credit_code": "91520000MA6DM1RE5W", "region": 520100},
])
def test_malformed_principals_are_refused(claims):
    with pytest.raises(ApiError) as err:
        TokenVerifier(PlatformSettings()).verify(_signed(claims))
    assert err.value.extensions == {"code": "UNAUTHENTICATED"}


@pytest.mark.parametrize(("claims", "ttl"), [
    ({"sub": "c", "role": "COUNTY", "region": "520102"}, 10 * 86400),  # beyond the longest token life
])
def test_implausible_expiry_is_refused(claims, ttl):
    with pytest.raises(ApiError) as err:
        TokenVerifier(PlatformSettings()).verify(_signed(claims, ttl=ttl))
    assert "longer than" in err.value.message


@pytest.mark.parametrize("exp", ["soon", True, None, [1]])
def test_expiry_of_the_wrong_type_is_refused(exp):
    with pytest.raises(ApiError) as err:
        TokenVerifier(PlatformSettings()).verify(_signed({"sub": "c", "role": "COUNTY", "region": "520102",
                                                          "exp": exp}))
    assert err.value.extensions == {"code": "UNAUTHENTICATED"}
    assert "jwt" not in err.value.message.lower() or "well-formed JWT" in err.value.message


@pytest.mark.parametrize(("claims", "expected"), [
    ({"sub": "c", "role": "COUNTY", "region": "520102"}, ("COUNTY", "520102", None, None)),
    ({"sub": "f", "role": "PREFECTURE", "region": "520100"}, ("PREFECTURE", "520100", None, None)),
    ({"sub": "p", "role": "PROVINCE", "region": "520000"}, ("PROVINCE", "520000", None, None)),
    ({"sub": "d", "role": "DEPARTMENT", "department": "natural_resources"}, ("DEPARTMENT", "520000", "natural_resources", None)),
    ({"sub": "e", "role": "ENTERPRISE", "credit_code": "91520000MA6DM1RE5W", "department": "natural_resources"},
     ("ENTERPRISE", "520000", None, "91520000MA6DM1RE5W")),  # a claim of another role is not carried
])
def test_well_formed_principals(claims, expected):
    p = TokenVerifier(PlatformSettings()).verify(_signed(claims))
    assert (p.role.value, p.region_code, p.department, p.credit_code) == expected

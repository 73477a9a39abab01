"""Input rules of a project's fields; each failure is a BAD_USER_INPUT userError naming its field."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from qianzhao.common import departments, regions
from qianzhao.common.errors import DomainError, ErrorCode
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError

NDRC_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
NON_NEGATIVE = ("total_investment", "expected_annual_output", "expected_annual_tax", "land_mu", "energy_tce",
                "water_tonnes", "power_kwh", "contract_investment")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def bad(field: str, message: str) -> DomainError:
    return DomainError(ErrorCode.BAD_USER_INPUT, message, camel(field))


def ndrc_code(value: str | None) -> str | None:
    """National investment project code (全国投资项目统一代码): `YYYY-RRRRRR-II-TT-NNNNNN`, 24 characters.

    The 20-digit compact form is accepted and normalised to the hyphenated one.
    """
    if value is None or not value.strip():
        return None
    raw = value.strip()
    if re.fullmatch(r"\d{20}", raw):
        raw = f"{raw[:4]}-{raw[4:10]}-{raw[10:12]}-{raw[12:14]}-{raw[14:]}"
    match = NDRC_RE.match(raw)
    if not match:
        raise bad("ndrc_code", f"{value!r} is not a national investment project code (YYYY-RRRRRR-II-TT-NNNNNN)")
    year, region, _industry, kind, _seq = match.groups()
    if not 2014 <= int(year) <= 2100:
        raise bad("ndrc_code", f"Project code year {year} is out of range")
    if region.startswith("52") and regions.get(region) is None:
        raise bad("ndrc_code", f"Project code region {region} is not a Guizhou division")
    if kind not in ("01", "02", "03", "04"):
        raise bad("ndrc_code", f"Project code type {kind} must be 01 审批, 02 核准, 03 备案 or 04 其他")
    return raw


def credit_code(value: str, field: str = "investor_credit_code") -> str:
    """Unified social credit code (统一社会信用代码), check digit included."""
    try:
        return uscc.validate(value.strip().upper())
    except ValidationError as exc:
        raise bad(field, f"{value!r} is not a valid unified social credit code: {exc}") from None


def project_region(code: str) -> regions.Region:
    region = regions.get(code)
    if region is None:
        raise bad("region_code", f"Unknown region code {code}")
    if region.level is regions.RegionLevel.PROVINCE:
        raise bad("region_code", "A project is located in a prefecture or a county, not the province as a whole")
    return region


def clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Trim strings and check value ranges of whatever fields are present."""
    out = dict(fields)
    for key, value in fields.items():
        if isinstance(value, str) and key not in ("ndrc_code",):
            out[key] = value.strip()
    if "name" in out:
        if not out["name"]:
            raise bad("name", "Project name must not be empty")
        if len(out["name"]) > 200:
            raise bad("name", "Project name is longer than 200 characters")
    for key in NON_NEGATIVE:
        value = out.get(key)
        if value is not None:
            if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
                raise bad(key, "Must be a non-negative amount")
            if value >= Decimal("1e16"):
                raise bad(key, "Amount is too large")
            out[key] = value.quantize(Decimal("0.01"))
    rate = out.get("expected_return_rate")
    if rate is not None and not (Decimal(-100) <= rate <= Decimal(1000)):
        raise bad("expected_return_rate", "Return rate is a percentage between -100 and 1000")
    if "ndrc_code" in out:
        out["ndrc_code"] = ndrc_code(out["ndrc_code"])
    if "region_code" in out:
        project_region(out["region_code"])
    if out.get("lead_department"):
        out["lead_department"] = departments.require(out["lead_department"], "leadDepartment")
    for contact in out.get("contacts") or []:
        if not contact.get("name"):
            raise bad("contacts", "Every contact needs a name")
    return out

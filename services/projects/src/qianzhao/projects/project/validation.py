"""Input rules of a project's fields; each failure is a BAD_USER_INPUT userError naming its field."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from qianzhao.common import departments, regions
from qianzhao.common.errors import DomainError, ErrorCode, Problems
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


def _name(value: str) -> None:
    if not value:
        raise bad("name", "Project name must not be empty")
    if len(value) > 200:
        raise bad("name", "Project name is longer than 200 characters")


def _amount(key: str, value: Any) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise bad(key, "Must be a non-negative amount")
    if value >= Decimal("1e16"):
        raise bad(key, "Amount is too large")
    return value.quantize(Decimal("0.01"))


def _rate(value: Decimal) -> None:
    if not (Decimal(-100) <= value <= Decimal(1000)):
        raise bad("expected_return_rate", "Return rate is a percentage between -100 and 1000")


def _contacts(contacts: list[dict]) -> None:
    for i, contact in enumerate(contacts):
        if not contact.get("name"):
            raise bad(f"contacts.{i}.name", "Every contact needs a name")


def clean(fields: dict[str, Any], problems: Problems | None = None) -> dict[str, Any]:
    """Trim strings and check value ranges of whatever fields are present; every problem is reported together
    (into `problems` when the caller collects more of its own, else raised here)."""
    own = problems is None
    problems = Problems() if own else problems
    out = {k: v.strip() if isinstance(v, str) and k != "ndrc_code" else v for k, v in fields.items()}
    if "name" in out:
        problems.check(_name, out["name"])
    for key in NON_NEGATIVE:
        if out.get(key) is not None:
            out[key] = problems.check(_amount, key, out[key])
    if out.get("expected_return_rate") is not None:
        problems.check(_rate, out["expected_return_rate"])
    if "ndrc_code" in out:
        out["ndrc_code"] = problems.check(ndrc_code, out["ndrc_code"])
    if "region_code" in out:
        problems.check(project_region, out["region_code"])
    if out.get("lead_department"):
        out["lead_department"] = problems.check(departments.require, out["lead_department"], "leadDepartment")
    problems.check(_contacts, out.get("contacts") or [])
    if own:
        problems.raise_any()
    return out

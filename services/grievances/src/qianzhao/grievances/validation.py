"""Input normalisation shared by grievances and the arrears ledger: credit codes and phone numbers."""

from __future__ import annotations

import phonenumbers
from qianzhao.common import regions
from qianzhao.common.errors import DomainError, ErrorCode
from stdnum.cn import uscc


def credit_code(value: str, field: str = "creditCode") -> str:
    """A valid unified social credit code (统一社会信用代码), compacted and upper-cased."""
    try:
        return uscc.validate(value)
    except Exception:
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"{value!r} is not a valid unified social credit code",
                          field) from None


def phone(value: str, field: str = "contactPhone") -> str:
    """A valid Chinese phone number (mobile or landline with area code) in E.164 form."""
    try:
        parsed = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"{value!r} is not a valid phone number", field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def region(code: str, field: str = "regionCode") -> str:
    if regions.get(code) is None:
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"Unknown region code {code}", field)
    return code


def text(value: str | None, field: str, *, max_len: int | None = None, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise DomainError(ErrorCode.BAD_USER_INPUT, f"{field} must not be empty", field)
        return None
    if max_len and len(value) > max_len:
        raise DomainError(ErrorCode.BAD_USER_INPUT, f"{field} is longer than {max_len} characters", field)
    return value

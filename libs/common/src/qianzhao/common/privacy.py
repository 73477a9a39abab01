"""Personal contact data never leaves a service in an event: phone numbers and resident id numbers typed into
free text are masked when the event is built, in every service (DESIGN §7)."""

from __future__ import annotations

import re
from typing import Any

# mainland mobiles (optionally +86), landlines with an area code, 18-digit resident ids, and any other long run
# of digits written with separators, as people type them in free text
PERSONAL_NUMBER = re.compile(
    r"(?<![\dA-Za-z])(?:\+?86[- ]?)?(?:1[3-9]\d{9}|\d{17}[\dXx]|\d{15}|0\d{2,3}[- ]?\d{7,8}|\d{3,4}[- ]\d{3,4}[- ]\d{4})"
    r"(?![\dA-Za-z])")
MASK = "***"

# payload fields that hold what people typed (snake_case and the GraphQL camelCase names)
FREE_TEXT_KEYS = frozenset({
    "reason", "summary", "title", "description", "comment", "note", "notes", "content", "decision", "solution",
    "message", "reply", "resolution", "feedback_comment", "feedbackComment", "support_requested",
    "supportRequested", "feedback_text", "feedbackText", "proposed_solution", "proposedSolution", "evidence",
    "market_prospects", "marketProspects", "policy_support", "policySupport", "name", "progress",
    "rejection_reason", "rejectionReason", "closure_reason", "closureReason", "delist_comment", "delistComment",
    "return_reason", "returnReason", "conditions", "policies_delivered", "policiesDelivered",
})


def scrub(text: str) -> str:
    """The text with anything that looks like a phone or resident id number masked."""
    return PERSONAL_NUMBER.sub(MASK, text)


def scrub_payload(value: Any, key: str | None = None) -> Any:
    """A copy of an event payload whose free-text fields (at any depth) are scrubbed."""
    if isinstance(value, dict):
        return {k: scrub_payload(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_payload(v, key) for v in value]
    if isinstance(value, str) and key in FREE_TEXT_KEYS:
        return scrub(value)
    return value


def mask_phone(e164: str) -> str:
    """+8613812345678 → 138****5678 (keeps the operator prefix and last four digits)."""
    digits = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"

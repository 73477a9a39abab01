"""Phone and resident id numbers typed into free text never reach an event (common privacy)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel
from qianzhao.common.events import EventSpec
from qianzhao.common.privacy import scrub, scrub_payload


@pytest.mark.parametrize("text", [
    "请联系13812345678", "电话 +86 138-1234-5678 谢谢", "座机0851-12345678", "座机 085112345678",
    "身份证52010219900101123X", "身份证520102199001011234", "tel 138 1234 5678",
])
def test_personal_numbers_are_masked(text):
    masked = scrub(text)
    assert "***" in masked and not any(run in masked for run in ("1234", "5678"))


@pytest.mark.parametrize("text", ["XM-520102-2024-00042", "年产5000吨", "2024-05-01", "投资120000000.00元",
                                  "ZTC-2024-000123"])
def test_record_numbers_dates_and_amounts_are_kept(text):
    assert scrub(text) == text


def test_only_free_text_fields_are_scrubbed_at_any_depth():
    payload = {"number": "13812345678", "reason": "打13812345678", "items": [{"note": "0851-12345678"}],
               "amount": "13812345678.00"}
    assert scrub_payload(payload) == {"number": "13812345678", "reason": "打***", "items": [{"note": "***"}],
                                      "amount": "13812345678.00"}


def test_every_event_is_built_scrubbed():
    class Said(BaseModel):
        comment: str
        code: str

    spec = EventSpec(service="probe", aggregate="note", name="said", model=Said)
    event = spec.build(subject="x", data={"comment": "回电13912345678", "code": "13912345678"},
                       time=datetime.now(UTC), region_code=None)
    assert event.data == {"comment": "回电***", "code": "13912345678"}

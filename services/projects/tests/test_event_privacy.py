"""No phone or resident id number typed into a project reaches its events."""

from __future__ import annotations

from projects_support import draft, ok, tok
from sqlalchemy import text

PERSONAL = ("13812345678", "0851-12345678", "52010219900101123X")


async def test_project_events_carry_no_personal_numbers(svc):
    p = await ok(svc, "createProject", draft(name="茶园项目13812345678",
                                             summary="联系0851-12345678，身份证52010219900101123X"))
    await ok(svc, "submitProject", {"id": p["id"], "expectedVersion": p["version"],
                                    "comment": "已电话13812345678确认"}, token=tok("COUNTY", "520102"))
    async with svc.runtime.engine.connect() as conn:
        rows = [r[0] for r in (await conn.execute(text("SELECT event::text FROM outbox"))).all()]
    assert len(rows) >= 2 and all(n not in row for row in rows for n in PERSONAL), rows
    assert any("***" in row for row in rows)

"""Client errors are one log line at INFO, never an ERROR with a traceback (they are the caller's, not ours)."""

from __future__ import annotations

import logging

from probe.service import PROBE as SERVICE
from qianzhao.common.testing import dev_token, running_service

CREATE = 'mutation { createNote(text: "hello", regionCode: "520102") { note { id } userErrors { code } } }'


class Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_a_forbidden_read_is_logged_as_one_info_line(databases, nats_server):
    seen, root = Records(), logging.getLogger()
    async with running_service(SERVICE, database_url=databases.fresh(SERVICE), nats_url=nats_server.url) as svc:
        data = await svc.ok(CREATE, token=dev_token("COUNTY", "520102"))
        note_id = data["createNote"]["note"]["id"]
        root.addHandler(seen)  # after start-up, which sets the root handlers
        try:
            body = await svc.graphql("query($id: ID!) { note(id: $id) { id } }", {"id": note_id},
                                     token=dev_token("COUNTY", "520103"))
        finally:
            root.removeHandler(seen)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert not [r for r in seen.records if r.levelno >= logging.ERROR or r.exc_info]
    lines = [r.getMessage() for r in seen.records if r.name == "qianzhao.api"]
    assert len(lines) == 1 and "FORBIDDEN" in lines[0] and "note" in lines[0] and "\n" not in lines[0]

"""The probe service: notes in a region, created through GraphQL, emitting `qianzhao.probe.note.created.v2`."""

from __future__ import annotations

import uuid
from pathlib import Path

import strawberry
from pydantic import BaseModel
from qianzhao.common.api import UserError, federation_schema, user_errors
from qianzhao.common.db import declarative_base
from qianzhao.common.errors import DomainError, ErrorCode, forbidden
from qianzhao.common.events import EventSpec
from qianzhao.common.ids import new_id, parse_id
from qianzhao.common.service_app import ServiceDefinition
from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column
from strawberry.types import Info

Base = declarative_base()


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    text: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6))


class NoteCreated(BaseModel):
    id: str
    text: str


NOTE_CREATED = EventSpec("probe", "note", "created", NoteCreated)


@strawberry.federation.type(keys=["id"], name="Note")
class NoteType:
    id: strawberry.ID
    text: str
    region_code: str

    @classmethod
    def of(cls, n: Note) -> NoteType:
        return cls(id=strawberry.ID(str(n.id)), text=n.text, region_code=n.region_code)

    @classmethod
    async def resolve_reference(cls, info: Info, id: strawberry.ID) -> NoteType | None:
        return await load_visible(info, id)


async def load_visible(info: Info, id: str) -> NoteType | None:
    ctx = info.context
    principal = ctx.user()

    async def batch(keys):
        rows = (await ctx.session.execute(select(Note).where(Note.id.in_(keys)))).scalars().all()
        found = {r.id: r for r in rows}
        return [found.get(k) for k in keys]

    note = await ctx.loader("note", batch).load(parse_id(id))
    if note is None:
        return None
    if not principal.covers_region(note.region_code):
        raise forbidden(f"Note {id} is outside your jurisdiction")
    return NoteType.of(note)


@strawberry.type
class CreateNotePayload:
    note: NoteType | None
    user_errors: list[UserError]


@strawberry.type
class Query:
    @strawberry.field
    async def note(self, info: Info, id: strawberry.ID) -> NoteType | None:
        return await load_visible(info, id)


@strawberry.type
class Mutation:
    @strawberry.mutation
    async def create_note(self, info: Info, text: str, region_code: str) -> CreateNotePayload:
        ctx = info.context
        ctx.user().require_officer()
        try:
            async with ctx.uow() as uow:
                if not text.strip():
                    raise DomainError(ErrorCode.BAD_USER_INPUT, "text must not be empty", "text")
                if not uow.principal.covers_region(region_code):
                    raise DomainError(ErrorCode.FORBIDDEN, "outside your jurisdiction", "regionCode")
                note = Note(text=text, region_code=region_code)
                uow.session.add(note)
                await uow.session.flush()
                uow.record(aggregate_type="note", aggregate_id=note.id, action="CREATED", changes={"text": text})
                uow.emit(NOTE_CREATED, subject=note.id, region_code=region_code,
                         data={"id": str(note.id), "text": text})
        except DomainError as exc:
            return CreateNotePayload(note=None, user_errors=user_errors(exc))
        return CreateNotePayload(note=NoteType.of(note), user_errors=[])


PROBE = ServiceDefinition(
    name="probe", port=0, title="probe", app_factory="", migrations=Path(__file__).parent / "migrations",
    schema=lambda: federation_schema(query=Query, mutation=Mutation, types=[NoteType]), events=[NOTE_CREATED],
)

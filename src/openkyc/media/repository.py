from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select

from openkyc.db.repository import Repository
from openkyc.media.models import MediaKey, MediaObject


class MediaObjectRepository(Repository[MediaObject]):
    model = MediaObject

    async def for_session(self, session_id: uuid.UUID) -> Sequence[MediaObject]:
        statement = (
            select(MediaObject)
            .where(MediaObject.session_id == session_id)
            .order_by(
                MediaObject.attempt, MediaObject.kind, MediaObject.index, MediaObject.created_at
            )
        )
        return (await self.session.scalars(statement)).all()

    async def find_slot(
        self, session_id: uuid.UUID, kind: str, attempt: int, index: int
    ) -> Sequence[MediaObject]:
        statement = select(MediaObject).where(
            MediaObject.session_id == session_id,
            MediaObject.kind == kind,
            MediaObject.attempt == attempt,
            MediaObject.index == index,
        )
        return (await self.session.scalars(statement)).all()

    async def latest_attempt(self, session_id: uuid.UUID, kind: str) -> int | None:
        statement = select(func.max(MediaObject.attempt)).where(
            MediaObject.session_id == session_id, MediaObject.kind == kind
        )
        value = await self.session.scalar(statement)
        return int(value) if value is not None else None

    async def of_attempt(
        self, session_id: uuid.UUID, kind: str, attempt: int
    ) -> Sequence[MediaObject]:
        statement = (
            select(MediaObject)
            .where(
                MediaObject.session_id == session_id,
                MediaObject.kind == kind,
                MediaObject.attempt == attempt,
            )
            .order_by(MediaObject.index, MediaObject.created_at)
        )
        return (await self.session.scalars(statement)).all()

    async def count_for_session(self, session_id: uuid.UUID) -> int:
        statement = select(func.count()).where(MediaObject.session_id == session_id)
        return int(await self.session.scalar(statement) or 0)

    async def known_keys(self, storage_keys: Sequence[str]) -> set[str]:
        statement = select(MediaObject.storage_key).where(MediaObject.storage_key.in_(storage_keys))
        return set((await self.session.scalars(statement)).all())

    async def delete_objects(self, objects: Sequence[MediaObject]) -> None:
        ids = [obj.id for obj in objects]
        if ids:
            await self.session.execute(delete(MediaObject).where(MediaObject.id.in_(ids)))

    async def delete_for_session(self, session_id: uuid.UUID) -> None:
        await self.session.execute(delete(MediaObject).where(MediaObject.session_id == session_id))


class MediaKeyRepository(Repository[MediaKey]):
    model = MediaKey

    async def get_for_session(self, session_id: uuid.UUID) -> MediaKey | None:
        return await self.session.get(MediaKey, session_id)

    async def delete_for_session(self, session_id: uuid.UUID) -> None:
        await self.session.execute(delete(MediaKey).where(MediaKey.session_id == session_id))

"""A person as other pages name them: id, username and full name."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hub.storage.models import User


class PersonRef(BaseModel):
    id: int
    username: str
    name: str = Field(description="full name, or the username when none is given")

    @classmethod
    def of(cls, user: User) -> PersonRef:
        return cls(id=user.id, username=user.username, name=user.full_name or user.username)

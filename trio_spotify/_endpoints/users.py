"""`spotify.users`: the current user's profile and top items, other users, following users."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, cast, overload

from ..types import Artist, Paging, PrivateUser, Track, User
from ._base import Group
from ._checks import check_choice, check_id, check_ids

__all__ = ["Users"]

#: What `time_range` may be.
TimeRange = Literal["short_term", "medium_term", "long_term"]
_TIME_RANGES = frozenset({"short_term", "medium_term", "long_term"})


class Users(Group):
    """User operations. Every method is a checkpoint; see `Group` for errors."""

    async def me(self) -> PrivateUser:
        """The current user's profile (`GET /me`)."""
        return cast(PrivateUser, await self._call("get-current-users-profile"))

    async def get(self, user_id: str) -> User:
        """A user's public profile (`GET /users/{user_id}`); deprecated."""
        return cast(
            User,
            await self._call(
                "get-users-profile", segments={"user_id": check_id(user_id, "user", "user_id")}
            ),
        )

    @overload
    async def top(
        self,
        type: Literal["artists"],
        *,
        time_range: TimeRange | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Paging[Artist]: ...
    @overload
    async def top(
        self,
        type: Literal["tracks"],
        *,
        time_range: TimeRange | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Paging[Track]: ...
    async def top(
        self,
        type: Literal["artists", "tracks"],
        *,
        time_range: TimeRange | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Paging[Artist] | Paging[Track]:
        """A page of the current user's top artists or tracks (`GET /me/top/{type}`):
        `Paging[Artist]` for `"artists"`, `Paging[Track]` for `"tracks"`."""
        kind = check_choice(type, ("artists", "tracks"), "type")
        if time_range is not None:
            check_choice(time_range, _TIME_RANGES, "time_range")
        params = {
            "time_range": time_range,
        }
        answer = await self._call(
            "get-users-top-artists-and-tracks",
            segments={"type": kind},
            params=params,
            page=(limit, offset),
        )
        return cast("Paging[Artist] | Paging[Track]", answer)

    async def follow(self, ids: Iterable[str]) -> None:
        """Follow users (`PUT /me/following`), 50 per request, in order; deprecated."""
        user_ids = check_ids(ids, "user")
        await self._chunked_write("follow-artists-users", user_ids, params={"type": "user"})

    async def unfollow(self, ids: Iterable[str]) -> None:
        """Unfollow users (`DELETE /me/following`), 50 per request, in order; deprecated."""
        user_ids = check_ids(ids, "user")
        await self._chunked_write("unfollow-artists-users", user_ids, params={"type": "user"})

    async def is_following(self, ids: Iterable[str]) -> list[bool]:
        """Whether the current user follows each user (`GET /me/following/contains`), 50 per
        request, in input order; deprecated."""
        return await self._chunked_read(
            "check-current-user-follows",
            check_ids(ids, "user"),
            key=None,
            params={"type": "user"},
        )

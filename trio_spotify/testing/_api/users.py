"""The emulator's users: the current user's profile and top items, other users' profiles."""

from __future__ import annotations

import hashlib
import random

from .._call import ApiHandler, Call
from .._reply import ApiError, Reply, bad_request
from ._render import public_user

__all__ = ["HANDLERS"]


def _me(call: Call) -> Reply:
    obj = public_user(call, call.user.user_id)
    obj["account_id"] = hashlib.sha256(call.user.user_id.encode()).hexdigest()[:22]
    if call.has_scope("user-read-private"):
        obj["country"] = "SE"
        obj["product"] = "premium"
        obj["explicit_content"] = {"filter_enabled": False, "filter_locked": False}
    if call.has_scope("user-read-email"):
        obj["email"] = f"{call.user.user_id}@example.com"
    return 200, obj


def _user_profile(call: Call) -> Reply:
    user_id = call.path("user_id")
    if not call.emulator.known_user(user_id):
        raise ApiError(404, "Resource not found")
    return 200, public_user(call, user_id)


def _top(call: Call) -> Reply:
    kind = call.path("type")
    if kind not in ("artists", "tracks"):
        raise ApiError(404, "Service not found")
    time_range = call.query.get("time_range", "medium_term")
    if time_range not in ("short_term", "medium_term", "long_term"):
        raise bad_request("Invalid time range")
    catalog = call.catalog
    rng = random.Random(f"{catalog.seed}/top/{call.user.user_id}/{kind}/{time_range}")
    if kind == "artists":
        pool = rng.sample(range(catalog.size.artists), min(50, catalog.size.artists))
        return 200, call.page_list(pool, catalog.artist)
    tracks = [catalog.track_at(rng.randrange(10**6)) for _ in range(50)]
    return 200, call.page_list(list(dict.fromkeys(tracks)), catalog.track)


HANDLERS: dict[str, ApiHandler] = {
    "get-current-users-profile": _me,
    "get-users-top-artists-and-tracks": _top,
    "get-users-profile": _user_profile,
}

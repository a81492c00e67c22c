"""The emulator's player: devices, playback state, the commands that change it, the queue
and the listening history.

Each user has three devices and a `PlayerState` (`.._state`). Progress runs on the
emulator's clock while playing. Commands need an active device (404 `NO_ACTIVE_DEVICE`
otherwise; `device_id` makes one active) and fail as Spotify's do, with a `reason`
(`ALREADY_PAUSED`, `NO_NEXT_TRACK`, ...). Only tracks enter the history.
"""

from __future__ import annotations

from typing import Any

from .._call import ApiHandler, Call
from .._catalog_ids import EPISODE, TRACK
from .._reply import ApiError, Reply, bad_request
from .._state import Device, PlayerState, UserState
from ._render import context_object, iso_ms, render_uri

__all__ = ["HANDLERS"]


def _player_error(status: int, reason: str, message: str) -> ApiError:
    return ApiError(status, f"Player command failed: {message}", reason)


def _progress(call: Call, user: UserState) -> int:
    player = user.player
    progress = player.progress_ms
    if player.is_playing:
        progress += int((call.emulator.clock() - player.progress_clock) * 1000)
    current = player.current
    if current is not None:
        progress = min(progress, render_uri(call, current)["duration_ms"])
    return max(progress, 0)


def _set_progress(call: Call, user: UserState, progress: int) -> None:
    user.player.progress_ms = progress
    user.player.progress_clock = call.emulator.clock()


def _device_json(player: PlayerState, device: Device) -> dict[str, Any]:
    return {
        "id": device.id,
        "is_active": device.id == player.active_device,
        "is_private_session": False,
        "is_restricted": False,
        "name": device.name,
        "type": device.type,
        "volume_percent": device.volume_percent,
        "supports_volume": device.supports_volume,
    }


def _playing_state(call: Call, with_device: bool) -> Reply:
    user = call.user
    player = user.player
    current = player.current
    if current is None:
        return 204, None
    item = render_uri(call, current)
    obj: dict[str, Any] = {
        "timestamp": call.emulator.now_ms(),
        "progress_ms": _progress(call, user),
        "is_playing": player.is_playing,
        "item": item,
        "currently_playing_type": item["type"],
        "actions": {"disallows": {"resuming": player.is_playing, "pausing": not player.is_playing}},
    }
    # Spotify sends `context: null` when the playback has none (a list of `uris`).
    obj["context"] = context_object(player.context_uri) if player.context_uri else None
    if with_device:
        device = player.device(player.active_device or "")
        assert device is not None
        obj["device"] = _device_json(player, device)
        obj["repeat_state"] = player.repeat_state
        obj["shuffle_state"] = player.shuffle_state
        # Spotify sends it (undocumented); the emulator has no smart shuffle.
        obj["smart_shuffle"] = False
    return 200, obj


def _active(call: Call, device_id: str | None = None) -> UserState:
    user = call.user
    player = user.player
    device_id = device_id or call.query.get("device_id")
    if device_id:
        if player.device(device_id) is None:
            raise ApiError(404, "Device not found")
        player.active_device = device_id
    if player.active_device is None:
        raise _player_error(404, "NO_ACTIVE_DEVICE", "No active device found")
    return user


def _context_items(call: Call, context_uri: str) -> list[str]:
    kind, spotify_id = call.parse_uri(context_uri, ("album", "playlist", "artist", "show"))
    catalog = call.catalog
    if kind == "playlist":
        playlist = call.emulator.playlist(spotify_id)
        if playlist is None:
            raise ApiError(404, "Resource not found")
        return [e.uri for e in playlist.entries]
    ref = call.resolve(spotify_id, kind)
    if kind == "album":
        return [f"spotify:track:{catalog.id_of(TRACK, t)}" for t in catalog.album_tracks(ref.index)]
    if kind == "show":
        return [
            f"spotify:episode:{catalog.id_of(EPISODE, e)}" for e in catalog.show_episodes(ref.index)
        ]
    tracks = catalog.artist_top_tracks(ref.index)
    return [f"spotify:track:{catalog.id_of(TRACK, t)}" for t in tracks]


def _play(call: Call) -> Reply:
    user = _active(call)
    player = user.player
    body = call.json_object()
    if "context_uri" in body or "uris" in body:
        if "context_uri" in body:
            if not isinstance(body["context_uri"], str):
                raise bad_request("context_uri must be a string")
            items = _context_items(call, body["context_uri"])
            context: str | None = body["context_uri"]
        else:
            uris = body["uris"]
            if not isinstance(uris, list) or not uris or not all(isinstance(u, str) for u in uris):
                raise bad_request("uris must be a non-empty array of strings")
            for uri in uris:
                kind, spotify_id = call.parse_uri(uri, ("track", "episode"))
                call.resolve(spotify_id, kind)
            items, context = list(uris), None
        if not items:
            raise _player_error(403, "UNKNOWN", "Restriction violated")
        position = 0
        offset = body.get("offset")
        if isinstance(offset, dict):
            if isinstance(offset.get("position"), int):
                position = offset["position"]
            elif isinstance(offset.get("uri"), str):
                if offset["uri"] not in items:
                    raise bad_request("Can't have offset for context type: the uri is not in it")
                position = items.index(offset["uri"])
            if not 0 <= position < len(items):
                raise bad_request("Offset out of range")
        player.items, player.position, player.context_uri = items, position, context
        start = body.get("position_ms", 0)
        if not isinstance(start, int) or start < 0:
            raise bad_request("position_ms must be a non-negative integer")
        _set_progress(call, user, start)
    elif player.current is None:
        raise _player_error(403, "UNKNOWN", "Restriction violated")
    else:
        _set_progress(call, user, _progress(call, user))
    player.is_playing = True
    return 204, None


def _pause(call: Call) -> Reply:
    user = _active(call)
    if not user.player.is_playing:
        raise _player_error(403, "ALREADY_PAUSED", "Already paused")
    _set_progress(call, user, _progress(call, user))
    user.player.is_playing = False
    return 204, None


def _remember(call: Call, user: UserState) -> None:
    current = user.player.current
    if current is not None and current.startswith("spotify:track:"):
        user.history.append((current, call.emulator.now_ms(), user.player.context_uri))


def _next(call: Call) -> Reply:
    user = _active(call)
    player = user.player
    if player.current is None:
        raise _player_error(403, "NO_NEXT_TRACK", "No next track")
    _remember(call, user)
    if player.queue:
        player.items.insert(player.position + 1, player.queue.pop(0))
        player.position += 1
    elif player.position + 1 < len(player.items):
        player.position += 1
    elif player.repeat_state == "context":
        player.position = 0
    else:
        raise _player_error(403, "NO_NEXT_TRACK", "No next track")
    _set_progress(call, user, 0)
    return 204, None


def _previous(call: Call) -> Reply:
    user = _active(call)
    player = user.player
    if player.current is None or player.position == 0:
        raise _player_error(403, "NO_PREV_TRACK", "No previous track")
    _remember(call, user)
    player.position -= 1
    _set_progress(call, user, 0)
    return 204, None


def _seek(call: Call) -> Reply:
    user = _active(call)
    position = call.int_param("position_ms", -1, -1)
    if position < 0:
        raise bad_request("Missing required parameter: position_ms")
    if user.player.current is None:
        raise _player_error(403, "NOT_PLAYING_TRACK", "Nothing is playing")
    _set_progress(call, user, position)
    return 204, None


def _repeat(call: Call) -> Reply:
    user = _active(call)
    state = call.query.get("state")
    if state not in ("track", "context", "off"):
        raise bad_request("Invalid state: must be track, context or off")
    user.player.repeat_state = state
    return 204, None


def _volume(call: Call) -> Reply:
    user = _active(call)
    volume = call.int_param("volume_percent", -1, -1, 100)
    if volume < 0:
        raise bad_request("Missing required parameter: volume_percent")
    device = user.player.device(user.player.active_device or "")
    assert device is not None
    if not device.supports_volume:
        raise _player_error(403, "VOLUME_CONTROL_DISALLOW", "Cannot control device volume")
    device.volume_percent = volume
    return 204, None


def _shuffle(call: Call) -> Reply:
    user = _active(call)
    state = call.query.get("state")
    if state not in ("true", "false"):
        raise bad_request("Invalid state: must be true or false")
    user.player.shuffle_state = state == "true"
    return 204, None


def _transfer(call: Call) -> Reply:
    body = call.json_object()
    devices = body.get("device_ids")
    if not isinstance(devices, list) or len(devices) != 1 or not isinstance(devices[0], str):
        raise bad_request("device_ids must hold exactly one device id")
    user = call.user
    if user.player.device(devices[0]) is None:
        raise ApiError(404, "Device not found")
    if user.player.is_playing:
        _set_progress(call, user, _progress(call, user))
    user.player.active_device = devices[0]
    play = body.get("play")
    if play is True and user.player.current is not None:
        user.player.is_playing = True
    return 204, None


def _devices(call: Call) -> Reply:
    player = call.user.player
    return 200, {"devices": [_device_json(player, d) for d in player.devices]}


def _queue(call: Call) -> Reply:
    player = call.user.player
    current = player.current
    upcoming = player.queue + player.items[player.position + 1 : player.position + 21]
    return 200, {
        # `null` when nothing plays, as Spotify sends it.
        "currently_playing": render_uri(call, current) if current is not None else None,
        "queue": [render_uri(call, u) for u in upcoming[:20]],
    }


def _add_to_queue(call: Call) -> Reply:
    uri = call.query.get("uri")
    if not uri:
        raise bad_request("Missing required parameter: uri")
    kind, spotify_id = call.parse_uri(uri, ("track", "episode"))
    call.resolve(spotify_id, kind)
    user = _active(call)
    user.player.queue.append(uri)
    return 204, None


def _recently_played(call: Call) -> Reply:
    limit = call.limit()
    after = call.query.get("after")
    before = call.query.get("before")
    if after is not None and before is not None:
        raise bad_request("Only one of after and before may be given")
    history = sorted(call.user.history, key=lambda h: h[1], reverse=True)
    try:
        if after is not None:
            newer = [h for h in history if h[1] > int(after)]
            page = newer[-limit:]
        else:
            bound = int(before) if before is not None else None
            page = [h for h in history if bound is None or h[1] < bound][:limit]
    except ValueError:
        raise bad_request("after and before must be Unix timestamps in milliseconds") from None
    catalog = call.catalog
    items = []
    for uri, played, context in page:
        ref = catalog.resolve(uri.rsplit(":", 1)[1])
        assert ref is not None
        entry: dict[str, Any] = {
            "track": catalog.track(ref.index),
            "played_at": iso_ms(played),
            "context": context_object(context) if context is not None else None,
        }
        items.append(entry)
    older = bool(page) and any(h[1] < page[-1][1] for h in history)
    cursors = {"after": str(page[0][1]), "before": str(page[-1][1])} if page else {}
    return 200, {
        "href": call.href(),
        "limit": limit,
        "next": call.href(before=page[-1][1], after=None, limit=limit) if older else None,
        "cursors": cursors,
        # A cursor page of the history has no `total` on Spotify.
        "items": items,
    }


HANDLERS: dict[str, ApiHandler] = {
    "get-information-about-the-users-current-playback": lambda call: _playing_state(call, True),
    "transfer-a-users-playback": _transfer,
    "get-a-users-available-devices": _devices,
    "get-the-users-currently-playing-track": lambda call: _playing_state(call, False),
    "start-a-users-playback": _play,
    "pause-a-users-playback": _pause,
    "skip-users-playback-to-next-track": _next,
    "skip-users-playback-to-previous-track": _previous,
    "seek-to-position-in-currently-playing-track": _seek,
    "set-repeat-mode-on-users-playback": _repeat,
    "set-volume-for-users-playback": _volume,
    "toggle-shuffle-for-users-playback": _shuffle,
    "get-recently-played": _recently_played,
    "get-queue": _queue,
    "add-to-queue": _add_to_queue,
}

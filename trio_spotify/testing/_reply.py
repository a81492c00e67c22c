"""What a Web API request answers: `Reply` (a handler's status and body) or `ApiError`
(Spotify's error object), as JSON."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

__all__ = ["BEARER_CHALLENGE", "JSON_TYPE", "ApiError", "Reply", "bad_request"]

#: The media type of every JSON answer.
JSON_TYPE = "application/json; charset=utf-8"

#: The `WWW-Authenticate` challenge of a 401 without a more precise one.
BEARER_CHALLENGE = 'Bearer realm="spotify"'

#: A handler's answer: status and JSON body (`None` for no body).
Reply = tuple[int, Any]


class ApiError(Exception):
    """Answer with Spotify's error object `{"error": {"status", "message"[, "reason"]}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.reason = reason
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """Spotify's error object for this error."""
        error: dict[str, Any] = {"status": self.status, "message": self.message}
        if self.reason is not None:
            error["reason"] = self.reason
        return {"error": error}

    def response(self) -> Response:
        """The answer: the error object, with this error's status and headers; a 401
        always with a bearer challenge (RFC 6750 §3), `Bearer realm="spotify"` unless the
        error names a more precise one."""
        headers = dict(self.headers)
        if self.status == 401:
            headers.setdefault("WWW-Authenticate", BEARER_CHALLENGE)
        return Response(
            json.dumps(self.body()),
            status_code=self.status,
            media_type=JSON_TYPE,
            headers=headers,
        )


def bad_request(message: str) -> ApiError:
    """A 400 with `message`, Spotify's answer to a malformed request."""
    return ApiError(400, message)

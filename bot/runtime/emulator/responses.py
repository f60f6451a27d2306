"""JSON responses and API errors the way Discord sends them.

discord.py parses a body as JSON only when ``Content-Type`` is exactly ``application/json``
(``http.py: json_or_text``); aiohttp's ``json_response`` appends ``; charset=utf-8`` and the
client would then see a plain string. Every answer therefore goes through :func:`json_response`.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    all_headers = {"Content-Type": "application/json"}
    all_headers.update(headers or {})
    return web.Response(status=status, body=json.dumps(data).encode(), headers=all_headers)


def no_content() -> web.Response:
    return web.Response(status=204)


class ApiError(Exception):
    """Raised by route handlers; the server middleware turns it into Discord's error body."""

    def __init__(
        self, status: int, code: int, message: str, errors: dict[str, Any] | None = None
    ) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body

    def response(self) -> web.Response:
        return json_response(self.body(), status=self.status)


def unknown(kind: str) -> ApiError:
    """404 for an unknown object, with Discord's JSON error code."""
    codes = {
        "Channel": 10003,
        "Guild": 10004,
        "Member": 10007,
        "Message": 10008,
        "User": 10013,
        "Webhook": 10015,
        "Application": 10002,
        "Attachment": 10049,
        "interaction": 10062,
        "application command": 10063,
    }
    return ApiError(404, codes[kind], f"Unknown {kind}")


def invalid_form(field: str, message: str, code: str = "BASE_TYPE_REQUIRED") -> ApiError:
    """400 50035 Invalid Form Body with one nested field error."""
    errors: dict[str, Any] = {"_errors": [{"code": code, "message": message}]}
    for part in reversed(field.split(".")):
        errors = {part: errors}
    return ApiError(400, 50035, "Invalid Form Body", errors)


MISSING_ACCESS = (403, 50001, "Missing Access")
MISSING_PERMISSIONS = (403, 50013, "Missing Permissions")
ALREADY_ACKNOWLEDGED = (400, 40060, "Interaction has already been acknowledged.")
UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")
INVALID_WEBHOOK_TOKEN = (401, 50027, "Invalid Webhook Token")
UNAUTHORIZED = (401, 0, "401: Unauthorized")
EMPTY_MESSAGE = (400, 50006, "Cannot send an empty message")
EDIT_OTHERS_MESSAGE = (403, 50005, "Cannot edit a message authored by another user")
TOO_LARGE = (413, 40005, "Request entity too large")

"""One exception class per failure kind of the Exterior Creation API.

Messages never contain the API key: they are built from the status, the path and the API's own
message only.
"""

from __future__ import annotations


class ApiError(Exception):
    """Base of every API failure. `status` is the HTTP status when there was one."""

    # Whether the API certainly did not act on the request (so a paid call may be retried).
    certainly_not_acted = False

    def __init__(self, message: str, *, status: int | None = None, api_message: str | None = None):
        super().__init__(message)
        self.status = status
        self.api_message = api_message


class AuthenticationError(ApiError):
    """401/403: the API key or user id was refused."""

    certainly_not_acted = True


class OutOfCreditsError(ApiError):
    """The account has no photos (credits) left."""

    certainly_not_acted = True


class InvalidRequestError(ApiError):
    """400/422: the API refused the request; `api_message` says why."""

    certainly_not_acted = True


class NotFoundError(ApiError):
    """404: unknown generation (or wrong base URL)."""

    certainly_not_acted = True


class RateLimitedError(ApiError):
    """429: too many requests; `retry_after` seconds when the API said so."""

    certainly_not_acted = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the API failed; a paid call may or may not have been carried out."""


class ApiConnectionError(ApiError):
    """The API could not be reached, or the connection broke.

    `established` is False when no connection was ever made: then the API certainly did not act.
    """

    def __init__(self, message: str, *, established: bool, **kwargs):
        super().__init__(message, **kwargs)
        self.established = established

    @property
    def certainly_not_acted(self) -> bool:  # type: ignore[override]
        return not self.established


class ApiTimeoutError(ApiConnectionError):
    """No answer in time. After the request was sent, the outcome is unknown."""


class MalformedResponseError(ApiError):
    """The API answered something we cannot read (not JSON, missing or mistyped fields)."""

"""`ExteriorClient`: the Exterior Creation API over the app's one aiohttp session.

Retry policy: `get` is idempotent and retried on 429, 5xx, timeouts and connection errors.
`generate` and `generate-variation` spend a paid credit and carry no idempotency key, so they are
retried only when the API certainly did not act: a 429, or a connection that was never established.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from bot.api import errors
from bot.api.models import (
    GenerateResult,
    GenerationState,
    VariationResult,
    parse_generate,
    parse_state,
    parse_variation,
)
from bot.domain import RoomType

log = logging.getLogger(__name__)

PREFIX = "/api/create_exterior"
_CREDITS_WORDS = re.compile(r"credit|no photos? (left|remaining)|not enough photos", re.I)


class Secret:
    """Holds the API key; its repr and str never show it."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


class ExteriorClient:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        api_key: str,
        user_id: str,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_max: float = 30.0,
        retry_after_cap: float = 120.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ):
        self._session = session
        self.base_url = base_url.rstrip("/")
        self._api_key = Secret(api_key)
        self.user_id = user_id
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            connect=connect_timeout,
            sock_connect=connect_timeout,
            sock_read=read_timeout,
        )
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.retry_after_cap = retry_after_cap
        self._sleep = sleep
        self.requests_sent = 0  # every HTTP request, retries included (benchmarks read it)

    def __repr__(self) -> str:
        return f"ExteriorClient(base_url={self.base_url!r}, user_id={self.user_id!r})"

    # -- the three endpoints -------------------------------------------------------------------

    async def generate(
        self,
        *,
        image_url: str,
        mask_url: str,
        room_type: RoomType,
        width: int,
        height: int,
        webhook: str | None = None,
    ) -> GenerateResult:
        body: dict[str, Any] = {
            "user_id": self.user_id,
            "image_url": image_url,
            "mask_url": mask_url,
            "room_type": RoomType(room_type).value,
            "width": int(width),
            "height": int(height),
        }
        if webhook:
            body["webhook"] = webhook
        return parse_generate(await self._call("generate", body, paid=True))

    async def generate_variation(
        self,
        *,
        generation_id: str,
        original_url: str,
        room_type: RoomType,
        mask_url: str | None = None,
        webhook: str | None = None,
    ) -> VariationResult:
        body: dict[str, Any] = {
            "user_id": self.user_id,
            "generation_id": generation_id,
            "original_url": original_url,
            "room_type": RoomType(room_type).value,
        }
        if mask_url:
            body["mask_url"] = mask_url
        if webhook:
            body["webhook"] = webhook
        return parse_variation(await self._call("generate-variation", body, paid=True))

    async def get(self, generation_id: str) -> GenerationState:
        body = {"user_id": self.user_id, "generation_id": generation_id}
        return parse_state(await self._call("get", body, paid=False))

    # -- transport -----------------------------------------------------------------------------

    async def _call(self, endpoint: str, body: dict[str, Any], *, paid: bool) -> Any:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(self._retryable_paid if paid else self._retryable_get),
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._post_once(endpoint, body)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _post_once(self, endpoint: str, body: dict[str, Any]) -> Any:
        path = f"{PREFIX}/{endpoint}"
        headers = {"x-api-key": self._api_key.reveal(), "Accept": "application/json"}
        started = time.monotonic()
        self.requests_sent += 1
        try:
            async with self._session.post(
                self.base_url + path, json=body, headers=headers, timeout=self._timeout
            ) as resp:
                text = await resp.text()
                status, retry_after = resp.status, resp.headers.get("Retry-After")
        except aiohttp.ConnectionTimeoutError as exc:
            raise errors.ApiTimeoutError(
                f"{endpoint}: could not connect to {self.base_url} in time", established=False
            ) from exc
        except (aiohttp.ServerTimeoutError, TimeoutError) as exc:
            raise errors.ApiTimeoutError(
                f"{endpoint}: no answer from {self.base_url} in time", established=True
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            raise errors.ApiConnectionError(
                f"{endpoint}: cannot connect to {self.base_url} ({exc.os_error.strerror or exc})",
                established=False,
            ) from exc
        except aiohttp.ClientError as exc:
            raise errors.ApiConnectionError(
                f"{endpoint}: connection to {self.base_url} broke ({type(exc).__name__})",
                established=True,
            ) from exc
        log.debug("POST %s -> %s in %.0f ms", path, status, (time.monotonic() - started) * 1000)
        if status >= 400:
            # an API that echoes the key back must not put it into our logs
            text = text.replace(self._api_key.reveal(), "***")
            raise _http_error(endpoint, status, text, retry_after)
        try:
            return json.loads(text)
        except ValueError:
            raise errors.MalformedResponseError(
                f"{endpoint}: response is not JSON ({_snippet(text)!r})", status=status
            ) from None

    # -- retry decisions -----------------------------------------------------------------------

    def _retryable_get(self, exc: BaseException) -> bool:
        if isinstance(exc, errors.RateLimitedError):
            return (exc.retry_after or 0) <= self.retry_after_cap
        return isinstance(exc, errors.ServerError | errors.ApiConnectionError)

    def _retryable_paid(self, exc: BaseException) -> bool:
        if isinstance(exc, errors.RateLimitedError):
            return (exc.retry_after or 0) <= self.retry_after_cap
        return isinstance(exc, errors.ApiConnectionError) and not exc.established

    def _wait(self, state: RetryCallState) -> float:
        # Full jitter on an exponential curve, but never sooner than the API's Retry-After.
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (state.attempt_number - 1))
        delay = random.uniform(ceiling / 2, ceiling)
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, errors.RateLimitedError) and exc.retry_after is not None:
            delay = max(delay, exc.retry_after)
        return delay

    @staticmethod
    def _log_retry(state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else 0
        log.warning("API call failed (%s); retry %d in %.1f s", exc, state.attempt_number, wait)


def _snippet(text: str, limit: int = 200) -> str:
    return " ".join(text.split())[:limit]


def _api_message(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        return _snippet(text)
    if isinstance(data, dict):
        for key in ("message", "error", "detail", "msg"):
            if isinstance(data.get(key), str):
                return _snippet(data[key])
    return _snippet(text)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _http_error(endpoint: str, status: int, text: str, retry_after: str | None) -> errors.ApiError:
    message = _api_message(text)
    described = f"{endpoint}: HTTP {status}" + (f": {message}" if message else "")
    kw = {"status": status, "api_message": message or None}
    if status == 401:
        return errors.AuthenticationError(described, **kw)
    if status == 402 or (400 <= status < 500 and status != 429 and _CREDITS_WORDS.search(message)):
        return errors.OutOfCreditsError(described, **kw)
    if status == 403:
        return errors.AuthenticationError(described, **kw)
    if status == 404:
        return errors.NotFoundError(described, **kw)
    if status == 429:
        return errors.RateLimitedError(described, retry_after=parse_retry_after(retry_after), **kw)
    if status >= 500:
        return errors.ServerError(described, **kw)
    return errors.InvalidRequestError(described, **kw)

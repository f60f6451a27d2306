"""`exterior-bot doctor`: checks the configuration and what it reaches, one line per check."""

from __future__ import annotations

import sys
import uuid

import aiohttp
import yarl

from bot.api import errors
from bot.api.network import unreachable_reason
from bot.runtime.config import ConfigError, Settings
from bot.runtime.core import open_core
from storage import StorageError

OK, BAD, NOTE = "ok  ", "FAIL", "note"
DISCORD_API = "https://discord.com/api/v10"


def _line(status: str, text: str) -> None:
    print(f"[{status}] {text}", file=sys.stderr, flush=True)


async def doctor(settings: Settings) -> int:
    problems = 0
    if settings.sandbox:
        _line(OK, "IACREA_API_KEY not set: using the built-in sandbox API (results are fake)")
    else:
        _line(OK, f"API {settings.base_url} as user {settings.user_id}")
    try:
        async with open_core(
            settings, webhook_port=None if settings.public_url else 0, resume=False
        ) as core:
            _line(OK, f"database {core.db.describe()} (schema {await core.db.schema_version()})")
            problems += await _check_api(core)
            problems += await _check_public_url(core)
            problems += await _check_discord(core)
    except ConfigError as exc:
        _line(BAD, str(exc))
        return 1
    except StorageError as exc:
        where = "PostgreSQL" if settings.database_url else settings.db_path
        _line(BAD, f"database {where}: {exc}")
        return 1
    except OSError as exc:
        _line(BAD, f"cannot start: {exc}")
        return 1
    _line(OK if not problems else BAD, "all good" if not problems else f"{problems} problem(s)")
    return 0 if not problems else 1


async def _check_api(core) -> int:
    try:
        await core.client.get(str(uuid.uuid4()))
    except (errors.NotFoundError, errors.InvalidRequestError):
        if core.sandbox is not None:
            _line(OK, "built-in sandbox API answering (no key needed)")
        else:
            _line(OK, "API reachable and the key accepted")
        return 0
    except errors.AuthenticationError as exc:
        _line(BAD, f"API refused IACREA_API_KEY / IACREA_USER_ID ({exc.api_message or exc})")
        return 1
    except errors.ApiError as exc:
        _line(BAD, f"API not usable: {exc}")
        return 1
    _line(OK, "API reachable")
    return 0


async def _check_discord(core) -> int:
    """One REST call with the token, as `run` does first: a garbage token is caught here."""
    settings = core.settings
    if not settings.discord_token:
        api = "run on the built-in sandbox" if settings.sandbox else "use your API key"
        _line(
            NOTE,
            "DISCORD_TOKEN not set: the bot is not configured yet (see README's Discord "
            f"section); CLI commands need no token and {api}",
        )
        return 0
    base = settings.discord_api_base_url or DISCORD_API
    headers = {"Authorization": f"Bot {settings.discord_token}"}
    try:
        async with core.session.get(
            f"{base}/users/@me", headers=headers, timeout=aiohttp.ClientTimeout(total=10)
        ) as resp:
            body = await resp.json(content_type=None) if resp.status == 200 else {}
            status = resp.status
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        where = yarl.URL(base)
        _line(
            BAD,
            f"cannot reach Discord at {where.host}:{where.port} to check DISCORD_TOKEN "
            f"({unreachable_reason(exc)})",
        )
        return 1
    if status == 401:
        _line(BAD, "Discord refused DISCORD_TOKEN: copy it again (Bot -> Reset Token)")
        return 1
    if status != 200:
        _line(BAD, f"Discord answered HTTP {status} when checking DISCORD_TOKEN")
        return 1
    _line(OK, f"DISCORD_TOKEN accepted: the bot is {body.get('username', '?')} ({body.get('id')})")
    return 0


async def _check_public_url(core) -> int:
    url = core.settings.public_url
    if not url:
        mode = "webhooks on loopback" if core.sandbox else "polling (no webhooks)"
        _line(OK, f"EXTERIOR_PUBLIC_URL not set: {mode}")
        return 0
    # Our webhook server now listens on EXTERIOR_WEBHOOK_PORT: this proves the public URL
    # really leads to it (a proxy or port mapping in between).
    try:
        async with core.session.get(f"{url}/healthz", timeout=aiohttp.ClientTimeout(total=10)) as r:
            ok = r.status == 200
    except (aiohttp.ClientError, TimeoutError) as exc:
        _line(BAD, f"EXTERIOR_PUBLIC_URL {url} is not reachable ({type(exc).__name__})")
        return 1
    _line(OK if ok else BAD, f"EXTERIOR_PUBLIC_URL {url}/healthz answered")
    return 0 if ok else 1

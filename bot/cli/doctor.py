"""`exterior-bot doctor`: checks the configuration and what it reaches, one line per check."""

from __future__ import annotations

import secrets
import sys
import uuid

import aiohttp
import yarl
from aiohttp import web

from bot.api import errors
from bot.api.client import ExteriorClient
from bot.api.network import unreachable_reason
from bot.api.sandbox.server import running_sandbox
from bot.runtime.config import SANDBOX_API_KEY, SANDBOX_USER_ID, Settings
from bot.runtime.core import database_advice, sandbox_config
from bot.runtime.web import cannot_listen
from bot.tracking.health import EVIDENCE, CallbackState, missing_sentence, verdict
from storage import (
    DatabaseUnavailableError,
    GenerationRepository,
    StorageError,
    open_database,
)

OK, BAD, NOTE = "ok  ", "FAIL", "note"
DISCORD_API = "https://discord.com/api/v10"
TIMEOUT = 5.0  # seconds per check: a doctor answers quickly or says what did not answer


def _line(status: str, text: str) -> None:
    print(f"[{status}] {text}", file=sys.stderr, flush=True)


async def doctor(settings: Settings) -> int:
    """Every check runs, whatever failed before it; each says its verdict once, at its end."""
    async with aiohttp.ClientSession() as session:
        problems = sum(
            [
                await _check_database(settings),
                await _check_api(settings, session),
                await _check_webhook_port(settings, session),
                await _check_discord(settings, session),
            ]
        )
    _line(OK if not problems else BAD, "all good" if not problems else f"{problems} problem(s)")
    return 0 if not problems else 1


async def _check_database(settings: Settings) -> int:
    try:
        db = await open_database(settings.database)
    except DatabaseUnavailableError as exc:
        _line(BAD, database_advice(exc))
        return 1
    except StorageError as exc:
        where = "PostgreSQL" if settings.database_url else settings.db_path
        _line(BAD, f"database {where}: {exc}")
        return 1
    try:
        _line(OK, f"database {db.describe()} (schema {await db.schema_version()})")
        return await _check_callbacks(settings, GenerationRepository(db))
    finally:
        await db.close()


async def _check_callbacks(settings: Settings, generations: GenerationRepository) -> int:
    """What the latest generations that asked the API for a callback say (health.py): a line
    only once there is something to tell."""
    state = verdict(await generations.callback_outcomes(EVIDENCE))
    where = f"{settings.public_url or f'http://127.0.0.1:{settings.webhook_port}'}/callbacks/"
    if state is CallbackState.MISSING:
        _line(BAD, missing_sentence(where))
        return 1
    if state is CallbackState.ARRIVING:
        _line(OK, f"callbacks to {where} are arriving")
    return 0


async def _check_api(settings: Settings, session: aiohttp.ClientSession) -> int:
    if settings.sandbox:
        _line(OK, "IACREA_API_KEY not set: using the built-in sandbox API (results are fake)")
        async with running_sandbox(sandbox_config(settings)) as sandbox:
            return await _ask_api(_client(session, sandbox.url, SANDBOX_API_KEY, SANDBOX_USER_ID))
    client = _client(session, settings.base_url, settings.api_key or "", settings.user_id or "")
    return await _ask_api(client, f"{settings.base_url} as user {settings.user_id}")


def _client(session, base_url: str, key: str, user: str) -> ExteriorClient:
    # One try with short timeouts: a doctor says "unreachable" in seconds, without retry noise.
    return ExteriorClient(
        session,
        base_url=base_url,
        api_key=key,
        user_id=user,
        connect_timeout=TIMEOUT,
        read_timeout=TIMEOUT,
        max_attempts=1,
    )


async def _ask_api(client: ExteriorClient, where: str | None = None) -> int:
    """`where` names the API and user in each verdict; None is the built-in sandbox."""
    at = f" ({where})" if where else ""
    try:
        await client.get(str(uuid.uuid4()))
    except (errors.NotFoundError, errors.InvalidRequestError):
        if where is None:
            _line(OK, "built-in sandbox API answering (no key needed)")
        else:
            _line(OK, f"API reachable and the key accepted{at}")
        return 0
    except errors.AuthenticationError as exc:
        _line(BAD, f"API refused IACREA_API_KEY / IACREA_USER_ID ({exc.api_message or exc}){at}")
        return 1
    except errors.ApiError as exc:
        _line(BAD, f"API not usable{at}: {exc}")
        return 1
    _line(OK, f"API reachable{at}")
    return 0


async def _check_webhook_port(settings: Settings, session: aiohttp.ClientSession) -> int:
    """`run` listens on EXTERIOR_WEBHOOK_PORT: prove it can, and that EXTERIOR_PUBLIC_URL leads
    to it (a proxy or port mapping in between) while a stand-in listens there."""
    host = settings.webhook_host if settings.public_url else "127.0.0.1"
    mark = secrets.token_hex(8)
    app = web.Application()
    app.router.add_get("/healthz", lambda _: web.json_response({"ok": True, "doctor": mark}))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, settings.webhook_port).start()
    except OSError as exc:
        await runner.cleanup()
        fix = "set EXTERIOR_WEBHOOK_PORT to a free port (or stop the bot that holds it)"
        _line(BAD, f"webhook server: {cannot_listen(host, settings.webhook_port, exc, fix)}")
        return 1
    try:
        port = runner.addresses[0][1]
        _line(OK, f"webhook port {host}:{port} can be listened on (EXTERIOR_WEBHOOK_PORT)")
        return await _check_public_url(settings, session, mark)
    finally:
        await runner.cleanup()


async def _check_public_url(settings: Settings, session: aiohttp.ClientSession, mark: str) -> int:
    url = settings.public_url
    if not url:
        mode = "webhooks on loopback" if settings.sandbox else "polling (no webhooks)"
        _line(OK, f"EXTERIOR_PUBLIC_URL not set: {mode}")
        return 0
    try:
        async with session.get(f"{url}/healthz", timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as r:
            body = await r.json(content_type=None) if r.status == 200 else {}
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        _line(BAD, f"EXTERIOR_PUBLIC_URL {url} is not reachable ({unreachable_reason(exc)})")
        return 1
    if isinstance(body, dict) and body.get("doctor") == mark:
        _line(OK, f"EXTERIOR_PUBLIC_URL {url} leads to this machine's webhook port")
        return 0
    _line(BAD, f"EXTERIOR_PUBLIC_URL {url}/healthz is answered by something else than this bot")
    return 1


async def _check_discord(settings: Settings, session: aiohttp.ClientSession) -> int:
    """One REST call with the token, as `run` does first: a garbage token is caught here."""
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
        async with session.get(
            f"{base}/users/@me", headers=headers, timeout=aiohttp.ClientTimeout(total=TIMEOUT)
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

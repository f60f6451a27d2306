"""`exterior-bot sandbox`: the sandbox API as a standalone server, until Ctrl-C or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from dataclasses import replace

from bot.api.sandbox.server import running_sandbox
from bot.cli.errors import EXIT_USAGE, CliError
from bot.runtime.config import Settings
from bot.runtime.core import sandbox_config
from bot.runtime.web import cannot_listen


async def serve(settings: Settings, args) -> int:
    config = sandbox_config(settings)
    if args.failure_ratio is not None:
        config = replace(config, failure_ratio=args.failure_ratio)
    if args.processing_seconds is not None:
        config = replace(config, processing_seconds=args.processing_seconds)
    # Anyone who can reach it could make it fetch or post to any address: this machine only,
    # unless asked.
    config = replace(config, remote_urls=args.allow_remote_urls)
    stack = contextlib.AsyncExitStack()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        sandbox = await stack.enter_async_context(running_sandbox(config, args.host, args.port))
    except OSError as exc:
        fix = "pass --port N with a free port"
        raise CliError(cannot_listen(args.host, args.port, exc, fix), EXIT_USAGE) from None
    async with stack:
        print(
            f"sandbox API on {sandbox.url}\n"
            f"  IACREA_BASE_URL={sandbox.url}\n"
            f"  IACREA_API_KEY={config.api_key}\n"
            f"  IACREA_USER_ID={config.user_id}\n"
            f"  {config.credits} photos; generations take "
            f"{config.starting_seconds + config.processing_seconds:g} s; "
            f"{'fetches any URL' if config.remote_urls else 'fetches from this machine only'}; "
            "Ctrl-C stops it",
            file=sys.stderr,
            flush=True,
        )
        await stop.wait()
    return 0

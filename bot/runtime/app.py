"""`ExteriorBot` and `exterior-bot run`: the Discord side, wired onto the shared core."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import logging
import signal
import sys
from collections.abc import Iterator

import aiohttp
import discord
import yarl
from discord.ext import commands

from bot.api.network import unreachable_reason
from bot.runtime.config import Settings
from bot.runtime.core import Core, open_core
from cogs.shared.actions import Actions
from storage import COMMAND_TREE_HASH, MetaRepository

log = logging.getLogger(__name__)
EXTENSIONS = (
    "cogs.commands.exterior",
    "cogs.cards.results",
    "cogs.preview.previews",
    "cogs.cards.actions",
    "cogs.admin.commands",
    "cogs.cards.share",
    "cogs.cards.queue",
    "cogs.cards.client",
)
PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    attach_files=True,
    embed_links=True,
    read_message_history=True,
)


def _hide_modal_submissions(record: logging.LogRecord) -> bool:
    """discord.py logs every gateway event at DEBUG; a submitted modal may hold a server's
    API key (/exterior-admin credentials), so its contents never reach a log."""
    args = record.args if isinstance(record.args, tuple) else ()
    for arg in args:
        modal = discord.InteractionType.modal_submit.value
        if isinstance(arg, dict) and (arg.get("d") or {}).get("type") == modal:
            record.args = tuple("{a modal submission, not logged}" if a is arg else a for a in args)
    return True


logging.getLogger("discord.gateway").addFilter(_hide_modal_submissions)


class ExteriorBot(commands.AutoShardedBot):
    """One process runs the shards DISCORD_SHARD_IDS of DISCORD_SHARD_COUNT (default: all the
    shards Discord advises). Results are posted over REST by whichever process holds the
    generation's lease, whatever shard its guild is on (docs/deploy.md says why)."""

    def __init__(self, core: Core, *, guild_ready_timeout: float = 2.0):
        # No voice here: discord.py's "PyNaCl/davey is not installed" warnings are noise.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        settings = core.settings
        super().__init__(
            shard_count=settings.shard_count,
            shard_ids=list(settings.shard_ids) if settings.shard_ids is not None else None,
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),  # nothing privileged
            help_command=None,
            guild_ready_timeout=guild_ready_timeout,
            allowed_mentions=discord.AllowedMentions(everyone=False, roles=False, users=False),
        )
        self.core = core
        self.actions = Actions()  # how cogs and buttons reach one another (cogs/shared/actions.py)
        self.synced: bool | None = None  # whether this start pushed the command tree

    async def setup_hook(self) -> None:
        from cogs.i18n import Translator
        from cogs.shared.buttons import DYNAMIC_ITEMS

        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except commands.ExtensionError:
                log.exception("failed to load %s", extension)
                raise
        self.add_dynamic_items(*DYNAMIC_ITEMS)
        await self.tree.set_translator(Translator())
        self.tree.on_error = self.on_app_command_error
        self.synced = await self.sync_commands_if_changed()
        # Subscribed (in cog_load) before resuming, so no finished event can be missed.
        await self.core.tracker.resume()
        if self.core.sandbox is None:  # a wrong key is told at start, not by a paid command
            await self.core.service.check_api_key()
        log.info("invite: %s", self.invite_url())

    async def launch_shard(self, gateway, shard_id: int, *, initial: bool = False) -> None:
        # Stopped (SIGTERM) while shards connect: discord.py retries a failed shard every 5 s
        # (through this method), on a closed session, forever; a stopped bot stops trying.
        if not self.is_closed():
            await super().launch_shard(gateway, shard_id, initial=initial)

    async def on_ready(self) -> None:
        log.info(
            "logged in as %s (%s) in %d server(s), shards %s of %s",
            self.user,
            self.user.id,
            len(self.guilds),
            sorted(self.shards),
            self.shard_count,
        )

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: discord.app_commands.AppCommandError
    ) -> None:
        from cogs.i18n.errors import reply_error

        original = getattr(error, "original", error)
        name = interaction.command.qualified_name if interaction.command else "?"
        log.error("/%s failed", name, exc_info=original)
        await reply_error(interaction, original)

    def invite_url(self) -> str:
        return discord.utils.oauth_url(
            self.application_id, permissions=PERMISSIONS, scopes=("bot", "applications.commands")
        )

    async def sync_commands_if_changed(self) -> bool:
        guild_id = self.core.settings.discord_guild_id
        guild = discord.Object(guild_id) if guild_id else None
        if guild:
            self.tree.copy_global_to(guild=guild)
        # with the localisations: a changed catalogue must re-sync too
        translator = self.tree.translator
        payload = [
            await c.get_translated_payload(self.tree, translator)
            if translator
            else c.to_dict(self.tree)
            for c in self.tree.get_commands(guild=guild)
        ]
        digest = hashlib.sha256(
            json.dumps([guild_id, payload], sort_keys=True, default=str).encode()
        ).hexdigest()
        meta = MetaRepository(self.core.db)
        if await meta.get(COMMAND_TREE_HASH) == digest:
            log.info("slash commands unchanged; not syncing")
            return False
        await self.tree.sync(guild=guild)
        await meta.set(COMMAND_TREE_HASH, digest)
        log.info("slash commands synced %s", f"to server {guild_id}" if guild else "globally")
        return True


def point_discord_at(settings: Settings) -> None:
    """Send REST and the gateway to a Discord-protocol emulator (the tests, the playground)."""
    if settings.discord_api_base_url:
        discord.http.Route.BASE = settings.discord_api_base_url
    if settings.discord_gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway_url)


@contextlib.contextmanager
def discord_pointed_at(api_url: str, gateway_url: str) -> Iterator[None]:
    """discord.py's two process-wide class attributes pointed at an emulator, then restored
    (one emulator per process at a time)."""
    route, ws = discord.http.Route, discord.gateway.DiscordWebSocket
    saved = route.BASE, ws.DEFAULT_GATEWAY
    route.BASE, ws.DEFAULT_GATEWAY = api_url, yarl.URL(gateway_url)
    try:
        yield
    finally:
        route.BASE, ws.DEFAULT_GATEWAY = saved


async def run_bot(settings: Settings) -> int:
    if not settings.discord_token:
        print("error: DISCORD_TOKEN is not set; see README's Discord section", file=sys.stderr)
        return 2
    point_discord_at(settings)
    async with open_core(settings, resume=False) as core:
        if core.sandbox is not None:
            log.warning("IACREA_API_KEY is not set: using the built-in sandbox (fake results)")
            if settings.database_url:
                log.warning(
                    "with EXTERIOR_DATABASE_URL and no IACREA_API_KEY each process has its own "
                    "sandbox: run one `exterior-bot sandbox` and point IACREA_* at it"
                )
        bot = ExteriorBot(core)
        stop = asyncio.Event()
        closing: list[asyncio.Task] = []

        def on_signal() -> None:
            stop.set()
            closing.append(asyncio.ensure_future(bot.close()))

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, on_signal)
        try:
            async with bot:
                if await _log_in(bot, settings.discord_token, stop):
                    await bot.connect()
        except discord.LoginFailure:
            print(
                "error: Discord refused DISCORD_TOKEN; copy the bot token again from the "
                "Developer Portal (Bot -> Reset Token)",
                file=sys.stderr,
            )
            return 2
        except discord.PrivilegedIntentsRequired:
            print("error: Discord requires an intent this bot did not ask for", file=sys.stderr)
            return 2
    log.info("stopped cleanly")
    return 0


async def _log_in(bot: ExteriorBot, token: str, stop: asyncio.Event) -> bool:
    """Log in, waiting out a network that is not there yet (the host down, DNS failing):
    one line per attempt, retried with backoff until it works or a signal stops us."""
    delay = 2.0
    for attempt in itertools.count(1):
        try:
            await bot.login(token)
            return True
        except aiohttp.ClientConnectorError as exc:
            # Each attempt opens a session on the client's connector: close both, start afresh.
            await bot.http.close()
            bot.http.connector = discord.utils.MISSING
            log.warning(
                "cannot reach Discord at %s:%s (%s); attempt %d, retrying in %g s",
                exc.host, exc.port, unreachable_reason(exc), attempt, delay,
            )  # fmt: skip
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        if stop.is_set():
            return False
        delay = min(delay * 2, 60.0)
    return False

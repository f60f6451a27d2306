"""A Discord API + gateway emulator that the unmodified discord.py client connects to.

It stands in for Discord as the sandbox stands in for the API: the end-to-end tests run the real
bot against it, and `exterior-bot playground` shows it in a browser (``bot.runtime.playground``).
It knows nothing of the bot (tests/unit/test_import_rules.py: it imports no room of ours) and
nothing of discord.py: a client is pointed at it with ``bot.runtime.app.point_discord_at``
(another process: ``emulator.env()``).

Writing an end-to-end test (fixtures in ``tests/e2e/conftest.py``)::

    @pytest.mark.asyncio
    async def test_hello(emulator, bot_runner):
        bot = commands.Bot(command_prefix="!", intents=discord.Intents.default(),
                           guild_ready_timeout=0.1)

        @bot.tree.command()
        async def hello(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("hi")

        await bot_runner.start(bot)                        # login + gateway + on_ready
        handle = await emulator.slash_command("hello")     # INTERACTION_CREATE over the gateway
        ack = await handle.wait_ack()                       # the callback the bot sent
        assert ack.type == 4 and handle.original["content"] == "hi"
        assert emulator.messages_in(emulator.channel)[-1]["content"] == "hi"

``emulator`` is started on 127.0.0.1 with one guild (``emulator.guild``), a text channel
(``emulator.channel``), a member (``emulator.user``) and the bot (``emulator.bot_user``);
discord.py's ``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY`` point at it for the test.
Inject with ``slash_command``/``click_button``/``select_option``/``submit_modal``/
``user_message``; break things with ``fail_next`` (a status, or ``kind=`` reset, malformed,
timeout, hold: see ``faults.py``), ``reconnect_gateway``, ``ack_deadline``,
``attachment_url_lifetime``, ``set_bot_permissions``; inspect ``requests``, ``messages_in``,
``wait_for_message``, ``ack_latencies`` and the ``InteractionHandle``; follow what happens with
``observers`` (``observers.py``: messages created, edited, deleted, modals opened, requests
refused). A subprocess bot gets ``emulator.env()``.
Clicks wait ``reaction_time`` (0.1 s) after the message's last change, like a human would, so
a bot has registered a fresh non-persistent view before it is used. Messages and modals are
checked against Discord's component rules (``components_v2.py``: Components V2 layouts with
``IS_COMPONENTS_V2``, Label/FileUpload modals); ``submit_modal`` can upload files, and
``html.page`` draws messages as a page to look at (``tests/e2e/show_cards.py``).
"""

from .emulator import DiscordEmulator
from .interactions import CallbackRecord, InteractionHandle
from .world import WorldNames

__all__ = ["CallbackRecord", "DiscordEmulator", "InteractionHandle", "WorldNames"]

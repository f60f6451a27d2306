"""A result as a message: its pictures (downloaded, fitted to the channel) and its card.

Shared by the first delivery, `/exterior show` and Share, so a result looks the same wherever
it is posted.
"""

from __future__ import annotations

import discord

from bot.domain import Generation
from bot.images.errors import NoResultImages
from cogs.cards import card as cards
from cogs.shared import media

RESULT_MAX_BYTES = 64 * 1024 * 1024


async def result_files(core, gen: Generation, channel) -> list[discord.File]:
    limit = getattr(getattr(channel, "guild", None), "filesize_limit", media.DEFAULT_LIMIT)
    files = []
    for index, url in enumerate(gen.result_urls[:10]):
        data = await core.downloads.fetch(url, "result", max_bytes=RESULT_MAX_BYTES)
        suffix = "jpg" if data[:3] == b"\xff\xd8\xff" else "png"
        data, name = await media.fit(data, f"exterior-{gen.id}-{index}.{suffix}", limit)
        files.append(media.file(data, name))
    if not files:
        raise NoResultImages()
    return files


async def result_view(
    core, gen: Generation, files: list[discord.File], *, family: str | None = None
) -> discord.ui.LayoutView:
    parent = await core.service.get(gen.parent_id) if gen.parent_id else None
    client = core.client_links is not None and core.client_links.available
    return cards.result_card(
        gen, [f.filename for f in files], sandbox=core.sandbox is not None, parent=parent,
        family=family, studio=core.drafts.studio_reachable, client=client,
    )  # fmt: skip

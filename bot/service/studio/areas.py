"""The regions the studio's "Select area" offers for a draft's photo: its label map as a PNG
(bot.images.regions), computed the first time a page asks for it and kept while it may be
asked for again (a reload, a second tab, a variation of the same photo).

One computation at a time: each takes a core for about half a second on a 12-MP photo, and a
burst of pages opening should queue, not starve the bot of both cores. Kept per photo (the
drafts' SHA-256), in a small least-recently-used table: a map is a few kilobytes.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict

from bot.domain import Draft
from bot.images.regions import label_png, regions_of

KEEP = 64  # label maps kept; a draft lives 15 minutes, a studio link 30


class RegionMaps:
    def __init__(self, keep: int = KEEP) -> None:
        self.keep = keep
        self._maps: OrderedDict[str, bytes] = OrderedDict()
        self._one_at_a_time = asyncio.Lock()
        self.computed = 0  # how many maps were computed (not served from the table)

    async def png(self, draft: Draft) -> bytes:
        """The label map of `draft`'s photo (grey PNG, value = region), in the photo's frame."""
        key = draft.photo_sha256
        found = self._take(key)
        if found is not None:
            return found
        async with self._one_at_a_time:
            found = self._take(key)  # asked for twice at once: the first one computed it
            if found is not None:
                return found
            found = await asyncio.to_thread(_compute, draft.photo)
            self.computed += 1
            self._maps[key] = found
            while len(self._maps) > self.keep:
                self._maps.popitem(last=False)
            return found

    def _take(self, key: str) -> bytes | None:
        found = self._maps.get(key)
        if found is not None:
            self._maps.move_to_end(key)
        return found


def _compute(photo: bytes) -> bytes:
    return label_png(regions_of(photo))

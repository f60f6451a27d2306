"""Pictures in and out: decoding with caps, the checks every mask passes, masks nobody draws
(a suggested area, a painted copy), fetching pictures safely, and Before / after.

Callers outside compose the modules: `decode` (photos and mask files), `masks` (suggested and
painted masks), `downloads` (URLs someone else gave us), `compare` (side by side).
"""

from bot.images.decode import ImageError, prepare_pair, prepare_photo

__all__ = ["ImageError", "prepare_pair", "prepare_photo"]

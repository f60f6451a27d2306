"""What a suggested area found, as the preview tells it: "open lawn, about 40 % of the photo",
and whether the suggestion is sure enough to lead with Generate."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Found:
    kind: str  # "lawn" or "ground"
    share: float  # of the photo, 0..1 (the ground found, not the pool drawn on it)
    sure: bool

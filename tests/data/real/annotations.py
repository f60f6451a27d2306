"""Hand-made ground truths: polygons of the open ground, chosen by looking at each photo.

    .venv/bin/python tests/data/real/annotations.py   # rewrites NAME.mask.png for each NAME

Coordinates are fractions of the photo's width and height (so they survive a resize). Each
entry: polygons of open ground to fill white, then polygons to cut out black again (tree
trunks, a bench, anything standing on the lawn). The rule for every photo: lawn and bare open
ground count; paths (paved or worn), trees, shrubs, hedges, buildings and sky do not. The
photos taken from the U.S. Fish and Wildlife Service's repositories are annotated in
annotations_usfws.py, in a terser notation, and merged here; so are the park and meadow
views (Humus cube maps, Poly Haven panoramas) of annotations_parks.py.
"""

from __future__ import annotations

from pathlib import Path

from annotations_parks import PARKS
from annotations_usfws import USFWS
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent

Polygon = list[tuple[float, float]]


def _px(points: list[tuple[int, int]], width: int, height: int) -> Polygon:
    """Points read off a view `width` x `height` → fractions."""
    return [(x / width, y / height) for x, y in points]


# desire-path: read off an 800x600 view
_W, _H = 800, 600
ANNOTATIONS: dict[str, tuple[list[Polygon], list[Polygon]]] = {
    "desire-path": (
        [
            _px(
                [
                    (135, 302),
                    (230, 287),
                    (330, 279),
                    (420, 273),
                    (500, 270),
                    (505, 274),
                    (488, 292),
                    (470, 310),
                    (455, 330),
                    (440, 350),
                    (420, 372),
                    (400, 390),
                    (360, 398),
                    (320, 398),
                    (262, 388),
                    (228, 374),
                    (203, 360),
                    (196, 347),
                    (214, 327),
                    (240, 312),
                    (200, 306),
                    (160, 306),
                ],
                _W,
                _H,
            ),
            _px(
                [
                    (536, 271),
                    (600, 268),
                    (700, 268),
                    (800, 270),
                    (800, 600),
                    (575, 600),
                    (560, 560),
                    (555, 520),
                    (550, 480),
                    (548, 440),
                    (540, 400),
                    (525, 360),
                    (518, 330),
                    (521, 300),
                ],
                _W,
                _H,
            ),
        ],
        [
            _px([(350, 290), (382, 290), (380, 376), (346, 376)], _W, _H),
            _px([(600, 285), (640, 285), (642, 307), (598, 307)], _W, _H),
            _px([(652, 268), (684, 268), (680, 336), (648, 336)], _W, _H),
        ],
    ),
    # bunker-entrance: read off an 800x600 view. Flat, leaf-covered bare ground in front of a
    # bunker door in a wood; the banks either side and the mossy log on the right are out.
    "bunker-entrance": (
        [
            _px(
                [
                    (60, 470),
                    (65, 440),
                    (95, 418),
                    (180, 416),
                    (345, 416),
                    (460, 416),
                    (545, 412),
                    (620, 410),
                    (690, 414),
                    (718, 442),
                    (737, 475),
                    (745, 505),
                    (800, 507),
                    (800, 600),
                    (40, 600),
                    (48, 530),
                    (55, 490),
                ],
                _W,
                _H,
            ),
        ],
        [
            _px([(745, 512), (800, 503), (800, 534), (742, 530)], _W, _H),
        ],
    ),
    # meadow-forest-edge: read off an 800x600 view. A wild meadow (tussocks, pale dry
    # patches) up to a spruce and pine forest; the forest edge is out.
    "meadow-forest-edge": (
        [
            _px(
                [
                    (0, 182),
                    (50, 190),
                    (100, 196),
                    (200, 200),
                    (300, 203),
                    (400, 205),
                    (500, 208),
                    (550, 210),
                    (600, 213),
                    (650, 215),
                    (700, 222),
                    (750, 228),
                    (800, 235),
                    (800, 600),
                    (0, 600),
                ],
                _W,
                _H,
            ),
        ],
        [],
    ),
    # meadow-bushes-overcast: read off an 800x600 view. The same meadow looking the other
    # way under a bright, cloudy sky; the forest, the far tree line and the bushes on the
    # right (560-720) are out.
    "meadow-bushes-overcast": (
        [
            _px(
                [
                    (0, 230),
                    (100, 226),
                    (200, 222),
                    (300, 218),
                    (350, 213),
                    (400, 210),
                    (450, 206),
                    (500, 204),
                    (550, 205),
                    (560, 214),
                    (600, 220),
                    (660, 219),
                    (690, 214),
                    (720, 210),
                    (800, 207),
                    (800, 600),
                    (0, 600),
                ],
                _W,
                _H,
            ),
        ],
        [],
    ),
    **USFWS,
    **PARKS,
}


def draw(size: tuple[int, int], fill: list[Polygon], cut: list[Polygon]) -> Image.Image:
    mask = Image.new("L", size, 0)
    pen = ImageDraw.Draw(mask)
    for polygons, value in ((fill, 255), (cut, 0)):
        for polygon in polygons:
            pen.polygon([(x * size[0], y * size[1]) for x, y in polygon], fill=value)
    return mask


def main() -> None:
    for name, (fill, cut) in ANNOTATIONS.items():
        with Image.open(HERE / f"{name}.jpg") as photo:
            size = photo.size
        draw(size, fill, cut).save(HERE / f"{name}.mask.png", optimize=True)
        print(f"{name}.mask.png {size[0]}x{size[1]}")


if __name__ == "__main__":
    main()

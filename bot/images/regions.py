"""The regions of a photo a person can pick with one tap ("Select area" in the studio).

A region is what a person names when they point: the lawn, the patio, the path, a hedge. It is
built bottom-up on a copy of at most `SIDE` pixels a side: SLIC superpixels (about 300 pixels
each, following colour edges), merged over their adjacency graph, cheapest pair first, until
every remaining pair of neighbours is really different (and at most `MAX_REGIONS` are left).
The price of joining two neighbours:

- their boundary's contrast: along the boundary they share, how different the superpixels
  either side of it look (small superpixels average texture and JPEG grain out). A lawn that
  darkens slowly with distance has no strong edge inside it; a lawn against a path, a trunk or
  a hedge has one all along;
- plus a fifth of the difference of the two regions' mean colours: a long, soft boundary does
  not join two different surfaces.

Colours are compared as CIE94 differences on CIELAB, lightness counted half (kL = 2, as for
textured surfaces). Shade: when the darker side is the brighter side with less light (the same
chromaticity), the difference is what is left once both are lit alike plus `SHADE_COST` -- so
a lawn half in a tree's shadow is one lawn, while a dark hedge of the lawn's own hue is not
free to join it. Specks (under `MIN_SHARE` of the photo) join their closest neighbour first:
nobody has to tap every fallen leaf.

`find_regions(image)` / `regions_of(data)` give the label map (uint8, 0..count-1, at the copy's
size); `label_png` encodes it as a grey PNG whose pixel values are the labels. Deterministic:
the same photo gives the same map. About 0.3-0.5 s for a 12-MP JPEG on one core
(`python -m benchmarks.images regions`)."""

from __future__ import annotations

import heapq
import io
import math

import numpy as np
from PIL import Image
from skimage.color import rgb2lab
from skimage.segmentation import slic

SIDE = 640  # the copy's longer side: fine enough for edges the studio snaps to, and fast
COMPACTNESS = 10.0  # SLIC's balance of shape and colour (its usual value)
SUPERPIXEL = 300  # pixels per superpixel (about 1000 of them on 640 x 480)
MIN_SHARE = 0.002  # regions smaller than this share of the photo are specks: merged first
STOP_COST = 10.5  # merging stops when the cheapest pair costs more than this ...
MAX_REGIONS = 60  # ... and no more than this many regions are left
MEAN_WEIGHT = 0.2  # the weight of the mean colours' difference beside the boundary's
SHADE_COST = 6.0  # a shadow's edge: what a change of light alone costs
KL = 2.0  # lightness counts half: shade darkens a surface more than it changes its hue


def working_copy(image: Image.Image, side: int = SIDE) -> np.ndarray:
    """RGB uint8 array of `image` with its longer side at most `side`, in the image's own
    pixel frame (no EXIF turn: the studio's mask is in that frame too)."""
    return _resized(image.convert("RGB"), _fit(image.size, side))


def regions_of(data: bytes, side: int = SIDE) -> np.ndarray:
    """`find_regions` of an encoded photo (one the bot has already checked). A JPEG is decoded
    at a reduced scale, no less than twice the copy: most of the speed on a 12-MP photo."""
    with Image.open(io.BytesIO(data)) as image:
        target = _fit(image.size, side)
        if image.format == "JPEG":
            image.draft("RGB", (target[0] * 2, target[1] * 2))
        rgb = image.convert("RGB")
    return _regions(_resized(rgb, target))


def find_regions(image: Image.Image, side: int = SIDE) -> np.ndarray:
    """The label map of `image` (uint8, 0..count-1) at its working copy's size."""
    return _regions(working_copy(image, side))


def _regions(rgb: np.ndarray) -> np.ndarray:
    height, width = rgb.shape[:2]
    pieces = slic(
        rgb, n_segments=max(1, height * width // SUPERPIXEL), compactness=COMPACTNESS,
        start_label=0,
    ).astype(np.int64)  # fmt: skip
    count = int(pieces.max()) + 1
    flat = pieces.ravel()
    sizes = np.bincount(flat, minlength=count).astype(np.float64)
    lab = rgb2lab(rgb).reshape(-1, 3)
    sums = np.stack([np.bincount(flat, lab[:, c], count) for c in range(3)], axis=1)
    pairs, lengths = _touching(pieces, count)
    low, high = np.divmod(pairs, count)
    colours = (sums / np.maximum(sizes, 1)[:, None]).tolist()
    # superpixels are small: the difference of two neighbours' colours is the local contrast
    # across their boundary, with texture and JPEG grain averaged out
    pairs_list = zip(low.tolist(), high.tolist(), strict=True)
    contrast = np.array([_difference(colours[a], colours[b]) for a, b in pairs_list])
    root = _merge(sizes, sums, low, high, contrast * lengths, lengths, height * width)
    _, labels = np.unique(root, return_inverse=True)
    return labels.astype(np.uint8)[pieces]


def label_png(labels: np.ndarray) -> bytes:
    """The label map as a grey 8-bit PNG (value = label), small and lossless."""
    out = io.BytesIO()
    Image.fromarray(labels.astype(np.uint8), mode="L").save(out, format="PNG", optimize=True)
    return out.getvalue()


def _resized(rgb: Image.Image, size: tuple[int, int]) -> np.ndarray:
    if rgb.size != size:
        rgb = rgb.resize(size, Image.Resampling.BOX if size[0] < rgb.width else Image.BILINEAR)
    return np.asarray(rgb)


def _fit(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _touching(pieces: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Every pair of touching superpixels (as `low * count + high`) and the length of their
    shared boundary (pixel sides)."""
    keys = []
    for a, b in ((pieces[:, :-1], pieces[:, 1:]), (pieces[:-1], pieces[1:])):
        cut = a != b
        keys.append(np.minimum(a[cut], b[cut]) * count + np.maximum(a[cut], b[cut]))
    pairs, lengths = np.unique(np.concatenate(keys), return_counts=True)
    return pairs, lengths.astype(np.float64)


def _relit(dark: list[float], light: float) -> tuple[float, float, float]:
    """CIELAB colour `dark` as it would look with lightness `light`, its chromaticity kept
    (what a shadow changes is roughly the amount of light): a and b scale with (L + 16)."""
    ratio = (light + 16) / (dark[0] + 16)
    return light, dark[1] * ratio, dark[2] * ratio


def _delta94(p, q) -> float:
    """CIE94 difference of two CIELAB colours (lightness counted 1/KL), made symmetric: the
    chroma weights use the two colours' mean chroma."""
    dl = (p[0] - q[0]) / KL
    c1, c2 = math.hypot(p[1], p[2]), math.hypot(q[1], q[2])
    dc = c1 - c2
    dh2 = max((p[1] - q[1]) ** 2 + (p[2] - q[2]) ** 2 - dc * dc, 0.0)
    c = (c1 + c2) / 2
    return math.sqrt(dl * dl + (dc / (1 + 0.045 * c)) ** 2 + dh2 / (1 + 0.015 * c) ** 2)


def _difference(p, q) -> float:
    """How different two surfaces look: their CIE94 difference or, if less, what is left once
    the darker is lit like the brighter, plus SHADE_COST: a lawn half in shade is one lawn,
    but a shadow's edge is not free (a dark hedge of the lawn's hue stays apart)."""
    dark, bright = (p, q) if p[0] < q[0] else (q, p)
    return min(_delta94(p, q), _delta94(_relit(dark, bright[0]), bright) + SHADE_COST)


def _merge(sizes, sums, low, high, contrast_sums, lengths, area: int) -> np.ndarray:
    """Agglomerate superpixels cheapest pair first; the root superpixel of each.

    A pair's price is the mean contrast along its whole shared boundary (boundaries add up
    as regions merge) plus MEAN_WEIGHT times the difference of the two regions' mean colours;
    a speck's price is a hundredth of that, so specks go first."""
    count = len(sizes)
    size = sizes.tolist()
    total = sums.tolist()  # colour sums: a merged region's mean colour is their ratio
    alive, version, parent = [True] * count, [0] * count, list(range(count))
    near: list[dict[int, list[float]]] = [{} for _ in range(count)]
    for a, b, s, n in zip(
        low.tolist(), high.tolist(), contrast_sums.tolist(), lengths.tolist(), strict=True
    ):
        near[a][b] = near[b][a] = [s, n]
    speck = MIN_SHARE * area

    def mean(r: int) -> list[float]:
        return [v / size[r] for v in total[r]]

    def price(a: int, b: int) -> float:
        s, n = near[a][b]
        found = s / n + MEAN_WEIGHT * _difference(mean(a), mean(b))
        return found * 0.01 if min(size[a], size[b]) < speck else found

    heap = [(price(a, b), a, b, 0, 0) for a in range(count) for b in near[a] if a < b]
    heapq.heapify(heap)
    left = count
    while heap:
        cost, a, b, va, vb = heapq.heappop(heap)
        if not (alive[a] and alive[b]) or version[a] != va or version[b] != vb:
            continue  # one of the two has changed since this price was written
        if cost > STOP_COST and left <= MAX_REGIONS:
            break
        # b joins a: sizes, colour sums and the boundaries with b's neighbours add up
        size[a] += size[b]
        total[a] = [x + y for x, y in zip(total[a], total[b], strict=True)]
        alive[b], parent[b] = False, a
        for other, (s, n) in near[b].items():
            del near[other][b]
            if other == a:
                continue
            shared = near[a].get(other)
            if shared is None:
                near[a][other] = near[other][a] = [s, n]
            else:
                shared[0] += s
                shared[1] += n
        near[b] = {}
        version[a] += 1
        left -= 1
        for other in near[a]:
            x, y = min(a, other), max(a, other)
            heapq.heappush(heap, (price(x, y), x, y, version[x], version[y]))
    roots = np.arange(count)
    for i in range(count):
        while parent[roots[i]] != roots[i]:
            roots[i] = parent[roots[i]]
    return roots

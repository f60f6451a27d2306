"""Hand-made ground truths of the park and meadow views (Humus cube maps, Poly Haven panoramas).

Merged into annotations.py, which draws them (run it to rebuild every NAME.mask.png). Same rule as
there: lawn and bare open ground are white; paths (paved, gravel or worn), trees and trunks,
shrubs, hedges, steps, buildings, water, sky, people and objects are black. Each polygon is a
string of "x,y" points read off an 800-px-wide view of the photo (height as the photo's aspect
gives: 600 for 4:3, 1067 for 3:4), turned into fractions by `pts`.
"""

from __future__ import annotations


def pts(spec: str, height: float = 600, width: float = 800) -> list[tuple[float, float]]:
    """'x,y x,y ...' read off a `width` x `height` view → fractions of the photo."""
    points = [tuple(float(v) for v in pair.split(",")) for pair in spec.split()]
    return [(x / width, y / height) for x, y in points]


_PORTRAIT = 800 * 4 / 3  # an 800-px-wide view of a 3:4 photo

PARKS: dict[str, tuple[list, list]] = {
    # A wide, dry autumn lawn (football pitch) up to a fence and a tree line; the goal frame
    # stands on the edge. The fence posts end at the lawn's edge.
    "autumn-park-goalposts": (
        [pts("0,229 100,228 250,229 400,226 550,224 700,224 800,226 800,600 0,600")],
        [],
    ),
    # The same lawn towards a white house and red and yellow autumn trees.
    "autumn-park-house": (
        [pts("0,245 200,246 400,247 600,248 800,248 800,600 0,600")],
        [],
    ),
    # Portrait view of the same lawn; the shade on the grass in front of the trees is lawn.
    "autumn-park-portrait": (
        [pts("0,402 200,400 400,398 600,400 800,403 800,1067 0,1067", _PORTRAIT)],
        [],
    ),
    # Leaf-covered lawn in low sun behind a big trunk; bushes and a path at the back are out.
    "vondelpark-sun-leaves": (
        [
            pts(
                "0,305 180,300 280,318 330,312 380,295 420,275 470,268 520,268 580,272"
                " 640,282 700,290 760,295 800,298 800,600 0,600"
            )
        ],
        [pts("175,290 276,290 278,450 262,458 258,488 168,490 176,465")],
    ),
    # A paved path crosses under trees; the leaf-covered lawn in front of it is the open ground.
    "vondelpark-leaf-lawn-path": (
        [
            pts(
                "0,348 100,348 140,345 200,342 250,332 300,322 400,313 500,307 600,303"
                " 700,300 800,298 800,600 0,600"
            )
        ],
        [],
    ),
    # A lawn with scattered gum trees and their long shadows; the trunks are cut out.
    "gum-trees-long-shadows": (
        [
            pts(
                "0,265 100,263 200,262 300,258 400,254 450,250 500,244 550,238 600,236"
                " 650,232 700,225 760,222 800,224 800,600 0,600"
            )
        ],
        [
            pts("6,255 32,255 33,298 5,298"),
            pts("122,255 147,255 148,294 120,294"),
            pts("455,245 495,245 497,298 452,298"),
            pts("648,225 682,225 682,245 648,245"),
            pts("773,215 800,215 800,243 772,243"),
        ],
    ),
    # A sloping lawn under gum trees against the sky and a valley of trees.
    "gum-trees-mound": (
        [
            pts(
                "0,200 100,208 150,213 200,220 250,228 300,236 350,239 400,242 450,250"
                " 500,254 550,259 600,264 650,267 700,272 750,275 800,278 800,600 0,600"
            )
        ],
        [
            pts("22,195 56,195 58,298 20,298"),
            pts("133,200 162,200 163,278 132,278"),
            pts("258,200 302,200 302,296 258,296"),
            pts("426,230 450,230 450,277 426,277"),
            pts("553,240 588,240 588,290 553,290"),
            pts("630,250 652,250 652,300 630,300"),
            pts("656,250 690,250 690,292 656,292"),
            pts("700,250 732,250 726,302 698,302"),
            pts("765,250 800,250 760,320 730,320"),
        ],
    ),
    # A city park: a gravel path curving in front, a second path across the middle, a far
    # lawn full of people in front of a building. People, bins and the trunk are cut out.
    "humus-park-lawn-paths": (
        [
            pts(
                "30,300 100,296 200,292 250,290 300,284 350,276 400,262 450,250 500,246"
                " 550,242 600,236 700,234 800,234 800,600 345,600 320,550 295,500 265,450"
                " 235,400 190,365 120,335 60,315"
            ),
            pts(
                "0,216 800,212 800,222 650,221 560,224 500,229 420,231 380,256 300,266"
                " 250,272 200,276 100,280 0,285"
            ),
        ],
        [
            pts("88,226 200,226 200,254 88,254"),
            pts("212,220 236,220 236,292 212,292"),
            pts("245,248 345,248 345,292 245,292"),
            pts("90,258 136,258 136,300 90,300"),
            pts("238,228 274,228 274,252 238,252"),
            pts("300,228 360,228 360,246 300,246"),
            pts("418,230 442,230 442,256 418,256"),
            pts("452,222 502,222 502,262 452,262"),
            pts("458,244 532,244 532,288 458,288"),
            pts("525,226 760,226 760,263 525,263"),
            pts("548,200 578,200 578,332 548,332"),
        ],
    ),
    # Dappled shade under rows of trees; the wide gravel path on the right is out.
    "humus-park-shaded-lawn": (
        [
            pts(
                "0,207 200,205 400,203 460,200 500,210 555,250 610,300 635,350 660,400"
                " 690,450 710,500 740,550 760,600 0,600"
            ),
            pts("740,195 800,195 800,232 770,228"),
        ],
        [
            pts("392,200 437,200 446,545 388,545"),
            pts("140,200 158,200 158,282 140,282"),
            pts("190,200 213,200 213,337 190,337"),
            pts("256,200 271,200 271,242 256,242"),
            pts("321,200 333,200 333,247 321,247"),
            pts("430,200 446,200 446,282 430,282"),
            pts("534,215 549,215 549,252 534,252"),
            pts("158,218 197,218 197,247 158,247"),
            pts("268,243 302,243 302,264 268,264"),
            pts("78,203 132,203 132,222 78,222"),
        ],
    ),
    # Portrait view of the tussocky meadow (a third face of the Meadow cube map).
    "meadow-forest-portrait": (
        [
            pts(
                "0,339 100,338 200,336 300,334 400,333 500,332 600,330 700,329 800,328"
                " 800,1067 0,1067",
                _PORTRAIT,
            )
        ],
        [],
    ),
    # A gravel terrace before steps up to a yellow house: only the two lawn strips between
    # the hedges and the gravel are open ground; gravel, steps and hedges are out.
    "gravel-terrace-stairs": (
        [
            pts("0,241 60,240 125,243 125,250 100,255 95,262 62,265 60,274 0,274"),
            pts(
                "580,248 620,246 700,244 760,243 800,245 800,284 700,285 640,287 632,275"
                " 600,266 582,262"
            ),
        ],
        [],
    ),
    # The same gravel terrace looking along a lawn strip below a wall with creepers.
    "gravel-terrace-hedge": (
        [
            pts(
                "495,258 520,252 600,250 700,252 800,253 800,300 750,296 700,288 650,281"
                " 600,275 550,268 500,262"
            ),
            pts("338,252 360,238 420,233 450,238 470,248 445,256 400,262 338,265"),
        ],
        [],
    ),
}

"""The real-photo evaluation set (tests/data/real) is well formed: not a test of any IoU."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
ALLOWED = ("CC0", "public domain", "CC BY 2.0", "CC BY 3.0", "CC BY 4.0", "CC BY-SA 2.0",
           "CC BY-SA 3.0", "CC BY-SA 4.0")  # fmt: skip
MAX_SIDE = 1700
MAX_TOTAL = 12 * 2**20

photos = sorted(REAL.glob("*.jpg"))


def provenance_rows() -> dict[str, str]:
    """file name → its row in PROVENANCE.md's table."""
    rows = {}
    for line in (REAL / "PROVENANCE.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 5 and re.match(r"^[\w.-]+\.(jpg|png)$", cells[0]):
            rows[cells[0]] = line
    return rows


def test_there_are_photos():
    assert photos, "tests/data/real holds no photo"


@pytest.mark.parametrize("photo", photos, ids=lambda p: p.stem)
def test_every_photo_has_a_binary_mask_of_its_size(photo: Path):
    truth = photo.with_suffix(".mask.png")
    assert truth.exists(), f"{truth.name} is missing"
    with Image.open(photo) as image, Image.open(truth) as mask:
        assert image.format == "JPEG" and image.mode == "RGB"
        assert max(image.size) <= MAX_SIDE
        assert mask.mode == "L" and mask.size == image.size
        values = set(np.unique(np.asarray(mask)).tolist())
    assert values <= {0, 255}, f"{truth.name} is not binary: {sorted(values)[:8]}"
    assert values == {0, 255}, f"{truth.name} is all one colour"


def test_no_stray_files_and_the_set_stays_small():
    known = {".jpg", ".png", ".md", ".py"}
    files = [f for f in REAL.iterdir() if f.is_file()]
    assert {f.suffix for f in files} <= known
    for mask in REAL.glob("*.mask.png"):
        assert mask.with_name(mask.name.replace(".mask.png", ".jpg")).exists()
    assert sum(f.stat().st_size for f in files) < MAX_TOTAL


def test_provenance_lists_every_file_with_an_allowed_licence():
    rows = provenance_rows()
    for f in [*photos, *REAL.glob("*.mask.png")]:
        assert f.name in rows, f"PROVENANCE.md does not list {f.name}"
        licence = rows[f.name].strip().strip("|").split("|")[3]
        assert any(a.lower() in licence.lower() for a in ALLOWED), (f.name, licence)

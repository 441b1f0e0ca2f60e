"""A real hand over half the mouth, at three angles: does a mouth rule generalise (issue 18)?

A check, not a derived kind (it counts in no figure, no bound is chosen on it): the truth
set's ``half_mouth_hand`` variants draw four straight, flat fingers from the side; real hands
come from the side, diagonally and from below. This pastes one real hand, traced once by eye
as a polygon (``HAND``) from a truth-set photo (``vladmandic human stock-emotions-b-6.jpg``,
test split, a hand from below over the subject's right half of the mouth), over half the mouth
of each pinned clean source face (its ``lossless_png`` camera variant: the clean crop):
scaled to the face's inter-ocular distance, its colour moved to the face's cheek in CIELAB
(its texture, creases and nails kept), turned by 0 (from below, as photographed), 45 and 80
degrees (from the side), on either side of the mouth; the hand's fingers cross the mouth line
at 0.1 of the way from the mouth's centre to the covered corner. It prints, per split and
angle, how many composites ``enrollment-strict`` qualifies (each is a must-not face: a hand
over half the mouth).

    python benchmarks/real_hand_check.py [--out DIR]

Needs the gathered photos (``FACECURATOR_TRUTHSET``) and the detection cache of
``verdict_quality.py`` (the composites are detected and cached like any image). Results:
docs/local-detector-fingers.md.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import verdict_quality as vq  # noqa: E402
from benchmarks.truthset.detections import Runner, default_cache_dir, match_face  # noqa: E402
from benchmarks.truthset.labels import gathered_root  # noqa: E402

PHOTO = "vladmandic__human/samples/in/stock-emotions-b-6.jpg"
#: The hand's outline in the photo (1024 x 1280 px), traced by eye: the pinky, the wrist, the
#: thumb, the index finger, the middle and ring fingers' tips.
HAND = [
    (307, 545), (295, 590), (290, 660), (285, 720), (290, 800), (320, 860), (380, 900), (460, 900),
    (490, 840), (520, 790), (560, 750), (600, 725), (610, 710), (590, 703), (560, 720), (510, 750),
    (475, 765), (460, 720), (445, 650), (435, 590), (420, 530), (405, 485), (392, 500), (375, 465),
    (360, 460), (357, 480), (350, 492), (335, 490), (330, 520), (322, 555),
]  # fmt: skip
#: The photo's eye centres and the point where the fingers' axis crosses its mouth line.
EYES = ((338.0, 366.0), (484.0, 366.0))
CROSSING = (382.0, 505.0)
ANGLES = (0, 45, 80)


def _hand() -> tuple[object, object]:
    from PIL import Image, ImageDraw, ImageFilter

    root = gathered_root()
    path = None if root is None else root / PHOTO
    if path is None or not path.is_file():
        raise SystemExit(f"the hand's photo {PHOTO} is not here (FACECURATOR_TRUTHSET): nothing to check")
    photo = Image.open(path).convert("RGB")
    mask = Image.new("L", photo.size, 0)
    ImageDraw.Draw(mask).polygon(HAND, fill=255)
    return photo, mask.filter(ImageFilter.GaussianBlur(1.5))


def _to_cheek(hand: np.ndarray, inside: np.ndarray, cheek: np.ndarray) -> np.ndarray:
    """The hand's pixels with their mean CIELAB moved to the cheek's."""
    import cv2

    lab = cv2.cvtColor(hand, cv2.COLOR_RGB2LAB).astype(np.float64)
    ref = cv2.cvtColor(cheek, cv2.COLOR_RGB2LAB).astype(np.float64).reshape(-1, 3).mean(axis=0)
    lab += ref - lab[inside].mean(axis=0)
    out: np.ndarray = cv2.cvtColor(np.clip(lab, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
    return out


def composite(
    img: object, marks: list[tuple[float, float]], hand: tuple[object, object], angle: int, side: int
) -> object:
    """``img`` with the hand over half its mouth: the subject's right corner (``side`` 1) or
    left (-1); ``angle`` 0 = from below, 80 = nearly from the side."""
    from PIL import Image

    photo, mask = hand
    assert isinstance(photo, Image.Image) and isinstance(mask, Image.Image) and isinstance(img, Image.Image)
    r_eye, l_eye, _, m_r, m_l = (np.array(p, dtype=np.float64) for p in marks[:5])
    scale = float(np.linalg.norm(l_eye - r_eye)) / float(np.linalg.norm(np.subtract(EYES[1], EYES[0])))
    roll = math.degrees(math.atan2(l_eye[1] - r_eye[1], l_eye[0] - r_eye[0]))
    anchor = np.array(CROSSING)
    if side < 0:
        photo, mask = (
            photo.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
            mask.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
        )
        anchor[0] = photo.width - 1 - anchor[0]
    # only the hand's bounding box, scaled, on a canvas large enough to turn it
    x0, y0, x1, y1 = mask.getbbox() or (0, 0, photo.width, photo.height)
    photo, mask = photo.crop((x0, y0, x1, y1)), mask.crop((x0, y0, x1, y1))
    anchor = (anchor - (x0, y0)) * scale
    w, h = max(1, round(photo.width * scale)), max(1, round(photo.height * scale))
    photo, mask = (
        photo.resize((w, h), Image.Resampling.LANCZOS),
        mask.resize((w, h), Image.Resampling.LANCZOS),
    )
    pad = w + h
    canvas, cmask = Image.new("RGB", (w + 2 * pad, h + 2 * pad)), Image.new("L", (w + 2 * pad, h + 2 * pad))
    canvas.paste(photo, (pad, pad))
    cmask.paste(mask, (pad, pad))
    anchor = anchor + pad
    turn = -angle * side - roll
    canvas = canvas.rotate(turn, center=tuple(anchor), resample=Image.Resampling.BICUBIC)
    cmask = cmask.rotate(turn, center=tuple(anchor), resample=Image.Resampling.BICUBIC)
    mouth = (m_r + m_l) / 2
    target = mouth + 0.1 * ((m_r if side > 0 else m_l) - mouth)
    offset = tuple(int(v) for v in np.round(target - anchor))
    base = np.asarray(img.convert("RGB"))
    iod = float(np.linalg.norm(l_eye - r_eye))
    cy, cx = int(r_eye[1] + 0.5 * iod), int(r_eye[0])
    cheek = base[
        max(0, cy) : max(1, cy + int(0.3 * iod)), max(0, cx - int(0.1 * iod)) : max(1, cx + int(0.2 * iod))
    ]
    inside = np.asarray(cmask) > 128
    coloured = _to_cheek(np.asarray(canvas), inside, cheek if cheek.size else base)
    layer, lmask = Image.new("RGB", img.size), Image.new("L", img.size)
    layer.paste(Image.fromarray(coloured), offset)
    lmask.paste(cmask, offset)
    return Image.composite(layer, img.convert("RGB"), lmask)


def main() -> int:
    from PIL import Image

    from facecurator.domain.rules import ImageContext

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=default_cache_dir() / "real_hand")
    args = ap.parse_args()
    hand = _hand()
    args.out.mkdir(parents=True, exist_ok=True)
    res = vq.run(splits=("tune", "test"), cache_dir=default_cache_dir())
    strict = vq.load_presets()["enrollment-strict"]
    bases = [
        o
        for o in res.outcomes
        if o.label.variant == "lossless_png" and o.face is not None and o.face.landmarks
    ]
    runner = Runner(default_cache_dir())
    counts: dict[tuple[str, int], list[int]] = {}
    try:
        for o in bases:
            assert o.label.path is not None and o.face is not None and o.face.landmarks is not None
            img = Image.open(o.label.path)
            for angle in ANGLES:
                for side in (1, -1):
                    path = args.out / f"{o.label.path.stem}_a{angle}_s{side}.png"
                    if not path.is_file():
                        composite(img, list(o.face.landmarks), hand, angle, side).save(path)  # type: ignore[attr-defined]
                    found = runner.detect(path)
                    index = match_face((o.label.face_x, o.label.face_y), found)
                    c = counts.setdefault((o.label.split, angle), [0, 0, 0])
                    c[0] += 1
                    if index is not None:
                        c[1] += 1
                        c[2] += strict.evaluate(found.faces[index], ImageContext(face_count=1)).qualified
    finally:
        runner.close()
    print(f"a real hand over half the mouth ({len(bases)} clean source faces, both sides)")
    for (split, angle), (made, found_n, qualified) in sorted(counts.items()):
        line = f"{made} made, {found_n} found, enrollment-strict qualifies {qualified}"
        print(f"  {split:4s} {angle:2d} deg: {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

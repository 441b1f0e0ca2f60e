"""Derived variants with REAL hands over the mouth and over one eye (issue 18).

The drawn hands of the other kinds (``mouth_hand``, ``eye_hand``: blobs of the cheek's colour;
``half_mouth_hand``: four straight, flat fingers from the side) are stylised. These paste a
real hand, cut out of a gathered photo, over a clean face:

==================  ==============================================================  ===================
variant             what is pasted                                                  label set to 1
==================  ==============================================================  ===================
real_hand_below     a real hand raised from below (its wrist-to-knuckle axis        nose_mouth_occluded
                    within 15 degrees of the face's up), over the mouth
real_hand_diagonal  the same hand at 35-55 degrees from the face's up               nose_mouth_occluded
real_hand_side      the same hand at 75-95 degrees (from the side, fingers across)  nose_mouth_occluded
real_hand_eye       a real hand at 30-110 degrees from the side over one eye         eyes_occluded
==================  ==============================================================  ===================

The hands (``hands.json`` beside this file: the photo's origin, commit, licence and sha256, the
hand's wrist and middle-finger knuckle, and its outline) were cut out of permissively licensed
photos gathered into the truth set's ``photos/`` folder (never committed): the hand's 21
landmarks of mediapipe's hand model, a prior mask of thick finger segments and the palm's
hull, refined by GrabCut on the photo's own colours, the forearm cut 0.35 finger widths beyond
the wrist, the largest region's outline simplified to 1-2 px: our own work, committed as
coordinates. **Each split has its own hands**: tune from ``WasmEdge/mediapipe-rs`` (Google's
gesture samples: 5 hands of 4 photos), test from ``google-ai-edge/mediapipe-samples`` (3 hands)
and ``tensorflow/tfjs-models`` (2 hands), all Apache-2.0.

Pasting: the hand is scaled so its wrist-to-knuckle length is 1.2-1.5 IOD, turned to the
variant's angle (which side it comes from: random), its colour moved to the face's cheek in
CIELAB (mean L*, a*, b* of the hand = the cheek patch's; its texture, creases, nails and
shading kept), its edge softened by ~1 px. Its place is searched (seeded) until it covers
what the label says and spares the rest: over the mouth, the mouth's centre, one corner and
the line between them (0.08 IOD above and below) are under the hand and both eyes (a disc of
0.25 IOD) are not; over an eye, that eye's disc is under it and the other eye's and the mouth
are not. Up to four of the split's hands are tried (seeded order; a V sign's gap or spread fingers can
leave the mouth seen wherever they go). A face where no place satisfies this in 400 tries of
each gets the last hand centred on the target and
is recorded in ``PLACEMENT_MISSES`` (none on the pinned faces of either split: checked when
the kind was made, and by the tests on a synthetic face).

Without the hands' photos (CI's machine has no gathered photos) these variants are not made:
``available(split)`` is False and ``derive.py`` leaves them out of every face's plan.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import numpy as np

from benchmarks.truthset.variants import _HIDDEN_EYES, Points, Variant, _centre, _frame

if TYPE_CHECKING:
    from PIL import Image

#: The hands: origin, split, axis (wrist, middle-finger knuckle) and outline in photo pixels.
HANDS_JSON: Final = Path(__file__).resolve().parent / "hands.json"
#: The hand's wrist-to-knuckle length, IOD (an adult's ~10 cm against ~6.3 cm between the eyes).
SCALE_IOD: Final = (1.2, 1.5)
#: Tries of the placement search, for each of at most HANDS_TRIED hands of the split.
TRIES: Final = 400
HANDS_TRIED: Final = 4
#: Placements that met no try's conditions in this process (the tests assert none).
PLACEMENT_MISSES: list[str] = []


@dataclass(frozen=True)
class Hand:
    """One cut-out hand of a gathered photo."""

    file: str
    source: str
    split: str
    hand: int
    wrist: tuple[float, float]
    knuckle: tuple[float, float]
    outline: tuple[tuple[int, int], ...]


@functools.cache
def all_hands() -> tuple[Hand, ...]:
    """Every hand of ``hands.json`` (whether its photo is here or not)."""
    rows = json.loads(HANDS_JSON.read_text(encoding="utf-8"))
    return tuple(
        Hand(
            file=r["file"],
            source=r["source"],
            split=r["split"],
            hand=int(r["hand"]),
            wrist=(float(r["wrist"][0]), float(r["wrist"][1])),
            knuckle=(float(r["knuckle"][0]), float(r["knuckle"][1])),
            outline=tuple((int(x), int(y)) for x, y in r["outline"]),
        )
        for r in rows
    )


def _photo(hand: Hand) -> Path | None:
    from benchmarks.truthset.labels import gathered_root

    root = gathered_root()
    path = None if root is None else root / hand.file
    return path if path is not None and path.is_file() else None


def hands(split: str) -> tuple[Hand, ...]:
    """The hands of ``split`` whose photo is on this machine."""
    return tuple(h for h in all_hands() if h.split == split and _photo(h) is not None)


def available(split: str) -> bool:
    """Can the real-hand variants be made for a face of ``split`` (its hands' photos are here)?"""
    return bool(hands(split))


@functools.lru_cache(maxsize=16)
def _cut(hand: Hand) -> tuple[np.ndarray, np.ndarray]:
    """(RGB pixels, alpha 0..1) of the hand's bounding box, in photo pixels."""
    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageOps

    path = _photo(hand)
    assert path is not None
    with PILImage.open(path) as opened:
        photo = ImageOps.exif_transpose(opened).convert("RGB")
    mask = PILImage.new("L", photo.size, 0)
    ImageDraw.Draw(mask).polygon([(float(x), float(y)) for x, y in hand.outline], fill=255)
    box = mask.getbbox() or (0, 0, photo.width, photo.height)
    rgb = np.asarray(photo.crop(box), dtype=np.float64)
    alpha = np.asarray(mask.crop(box), dtype=np.float64) / 255.0
    return rgb, alpha


def _to_cheek(rgb: np.ndarray, alpha: np.ndarray, cheek: np.ndarray) -> np.ndarray:
    """The hand's pixels with their mean CIELAB moved to the cheek patch's (texture kept)."""
    import cv2

    lab = cv2.cvtColor(np.clip(rgb, 0, 255).astype(np.uint8), cv2.COLOR_RGB2LAB).astype(np.float64)
    ref = cv2.cvtColor(cheek.reshape(1, -1, 3).astype(np.uint8), cv2.COLOR_RGB2LAB).astype(np.float64)
    inside = alpha > 0.5
    lab += ref.reshape(-1, 3).mean(axis=0) - lab[inside].mean(axis=0)
    out: np.ndarray = cv2.cvtColor(np.clip(np.rint(lab), 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)
    return out.astype(np.float64)


def _cheek_patch(arr: np.ndarray, pts: Points, ied: float) -> np.ndarray:
    """The pixels of both cheeks (between each eye and its mouth corner)."""
    patches = []
    for eye, corner in (("right_eye", "mouth_right"), ("left_eye", "mouth_left")):
        c = (pts[eye] + pts[corner]) / 2
        r = max(2, int(0.15 * ied))
        cy, cx = int(c[1]), int(c[0])
        patches.append(arr[max(0, cy - r) : cy + r, max(0, cx - r) : cx + r].reshape(-1, 3))
    out = np.concatenate(patches)
    return out if len(out) else np.array([[200.0, 160.0, 140.0]])


def _turned(hand: Hand, scale: float, angle: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(RGB, alpha, wrist position) of the hand scaled and turned so its wrist-to-knuckle axis
    points at ``angle`` (degrees, image coordinates: 0 = right, -90 = up)."""
    import cv2

    rgb, alpha = _cut(hand)
    xs = [p[0] for p in hand.outline]
    ys = [p[1] for p in hand.outline]
    origin = np.array([min(xs), min(ys)], dtype=np.float64)
    wrist = np.array(hand.wrist) - origin
    axis = np.subtract(hand.knuckle, hand.wrist)
    own = math.degrees(math.atan2(axis[1], axis[0]))
    turn = own - angle  # cv2 turns counter-clockwise for positive angles (y down)
    h, w = alpha.shape
    m = cv2.getRotationMatrix2D((float(wrist[0]), float(wrist[1])), turn, scale)
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], dtype=np.float64) @ m.T
    lo = np.floor(corners.min(axis=0))
    hi = np.ceil(corners.max(axis=0))
    m[:, 2] -= lo
    size = (int(hi[0] - lo[0]) + 1, int(hi[1] - lo[1]) + 1)
    out_rgb = cv2.warpAffine(rgb, m, size, flags=cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC)
    out_alpha = cv2.warpAffine(alpha, m, size, flags=cv2.INTER_LINEAR)
    return out_rgb, np.clip(out_alpha, 0.0, 1.0), m[:, :2] @ wrist + m[:, 2]


def _disc(centre: np.ndarray, radius: float, n: int = 12) -> list[np.ndarray]:
    return [centre] + [
        centre + radius * np.array([math.cos(2 * math.pi * k / n), math.sin(2 * math.pi * k / n)])
        for k in range(n)
    ]


def _covered(alpha: np.ndarray, offset: np.ndarray, points: list[np.ndarray]) -> list[bool]:
    """Whether each point (face image coordinates) is under the hand placed at ``offset``."""
    h, w = alpha.shape
    out = []
    for p in points:
        x, y = round(p[0] - offset[0]), round(p[1] - offset[1])
        out.append(0 <= x < w and 0 <= y < h and alpha[y, x] > 0.9)
    return out


def _place(
    alpha: np.ndarray,
    target: np.ndarray,
    must: list[np.ndarray],
    spare: list[np.ndarray],
    rng: np.random.Generator,
    reach: float,
) -> np.ndarray | None:
    """An offset (top-left of the hand in the face image) where every ``must`` point is under
    the hand and no ``spare`` point is; None if none of ``TRIES`` seeded tries is."""
    # the hand's own pixels, as offsets from its wrist: a random pixel of the hand goes on target
    ys, xs = np.nonzero(alpha > 0.9)
    if len(xs) == 0:
        return None
    for _ in range(TRIES):
        k = int(rng.integers(len(xs)))
        jitter = rng.uniform(-reach, reach, 2)
        offset = target + jitter - np.array([xs[k], ys[k]], dtype=np.float64)
        if all(_covered(alpha, offset, must)) and not any(_covered(alpha, offset, spare)):
            return offset
    return None


def _paste(
    img: Image.Image, pts: Points, rng: np.random.Generator, *, over: str, angles: tuple[float, float]
) -> tuple[Image.Image, bool]:
    """The face with a real hand of its split over the mouth (``over`` = "mouth") or one eye
    ("eye"); the bool says whether the placement met the label's conditions."""
    from PIL import Image as PILImage

    split = "test" if float(pts["split_test"][0]) > 0.5 else "tune"
    choices = hands(split)
    order = [choices[int(k)] for k in rng.permutation(len(choices))]
    _mid, u, v, ied = _frame(pts)
    side = 1.0 if pts["hand_eye"][0] > 0 else -1.0  # +1: from the subject's left
    tilt = float(rng.uniform(*angles))
    up = math.degrees(math.atan2(-v[1], -v[0]))
    # the axis turned from the face's up towards the side the hand comes from (from the
    # subject's left, the image's right for a frontal face, its axis points along -u)
    along = math.degrees(math.atan2(-side * u[1], -side * u[0]))
    delta = ((along - up + 180.0) % 360.0) - 180.0
    angle = up + math.copysign(tilt, delta)
    scale_iod = float(rng.uniform(*SCALE_IOD))
    eyes = [pts["right_eye"], pts["left_eye"]]
    mouth = pts["mouth"]
    if over == "mouth":
        corner = pts["mouth_left"] if side > 0 else pts["mouth_right"]
        must = [
            mouth + t * (corner - mouth) + s * 0.08 * ied * v for t in (0.0, 0.5, 1.0) for s in (-1, 0, 1)
        ]
        spare = [p for e in eyes for p in _disc(e, 0.25 * ied)]
        target = mouth + 0.5 * (corner - mouth)
    else:
        eye = pts["left_eye"] if side > 0 else pts["right_eye"]
        other = pts["right_eye"] if side > 0 else pts["left_eye"]
        must = _disc(eye, 0.25 * ied)
        spare = [*_disc(other, 0.15 * ied), mouth, pts["mouth_left"], pts["mouth_right"]]
        target = eye
    # the split's hands in a seeded order: the first that can be placed (a V sign's gap or
    # spread fingers may leave the mouth seen wherever they go)
    placed = None
    for hand in order[:HANDS_TRIED]:
        length = float(np.hypot(*np.subtract(hand.knuckle, hand.wrist)))
        rgb, alpha, _wrist = _turned(hand, scale_iod * ied / max(length, 1.0), angle)
        offset = _place(alpha, target, must, spare, rng, 0.3 * ied)
        if offset is not None:
            placed = (rgb, alpha, offset)
            break
    ok = placed is not None
    if placed is None:  # the last hand's centre on the target (counted: ``PLACEMENT_MISSES``)
        PLACEMENT_MISSES.append(f"{hand.file}#{hand.hand} {over}")
        placed = (rgb, alpha, target - np.array(alpha.shape[::-1], dtype=np.float64) / 2)
    rgb, alpha, offset = placed
    arr = np.asarray(img.convert("RGB"), dtype=np.float64)
    coloured = _to_cheek(rgb, alpha, _cheek_patch(arr, pts, ied))
    # soften the cut edge by ~1 px of the face (the outline was traced at the photo's scale)
    import cv2

    soft = cv2.GaussianBlur(alpha, (0, 0), max(0.6, 0.01 * ied))
    h, w = arr.shape[:2]
    ox, oy = round(offset[0]), round(offset[1])
    y0, y1 = max(0, oy), min(h, oy + soft.shape[0])
    x0, x1 = max(0, ox), min(w, ox + soft.shape[1])
    if y1 > y0 and x1 > x0:
        a = soft[y0 - oy : y1 - oy, x0 - ox : x1 - ox, None]
        arr[y0:y1, x0:x1] = a * coloured[y0 - oy : y1 - oy, x0 - ox : x1 - ox] + (1 - a) * arr[y0:y1, x0:x1]
    return PILImage.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8)), ok


def _mouth(
    angles: tuple[float, float],
) -> Callable[[Image.Image, Points, np.random.Generator], tuple[Image.Image, tuple[float, float]]]:
    def make(
        img: Image.Image, pts: Points, rng: np.random.Generator
    ) -> tuple[Image.Image, tuple[float, float]]:
        out, _ok = _paste(img, pts, rng, over="mouth", angles=angles)
        return out, _centre(pts)

    return make


def _eye(img: Image.Image, pts: Points, rng: np.random.Generator) -> tuple[Image.Image, tuple[float, float]]:
    out, _ok = _paste(img, pts, rng, over="eye", angles=(30.0, 110.0))
    return out, _centre(pts)


_MOUTH_LABELS: Final = {"nose_mouth_occluded": True, "mask": None}
#: The real-hand variants (``derive.VARIANTS`` includes them; made only where ``available``).
HAND_VARIANTS: Final = (
    Variant("real_hand_below", ".png", _MOUTH_LABELS, _mouth((0.0, 15.0)), available=available),
    Variant("real_hand_diagonal", ".png", _MOUTH_LABELS, _mouth((35.0, 55.0)), available=available),
    Variant("real_hand_side", ".png", _MOUTH_LABELS, _mouth((75.0, 95.0)), available=available),
    Variant(
        "real_hand_eye",
        ".png",
        {"eyes_occluded": True, "clear_glasses": None, **_HIDDEN_EYES},
        _eye,
        available=available,
    ),
)

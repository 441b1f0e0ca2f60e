"""The local blur scale is calibrated as docs/local-detector.md says (issue 20, item 4).

Not only "blurred > 25 > sharp": the documented knots are the code's knots, and
every number of the documentation's blur table (the Crete value ``c`` and the
score of each named corpus face, the ranges over the portraits and over the
other faces, and the calibration argument "25 sits midway between the blurriest
sharp face and the least blurry blurred face") is what the detector measures on
the corpus. When the blur measure changes, the table must be re-measured: this
test reads it from the documentation, so the two cannot drift apart.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facecurator.detect import measures

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "local-detector.md"

#: "(c = 0.30 → 0), (0.647 → 25), (0.90 → 100)"
_KNOTS = re.compile(
    r"knots \*\*\(c = ([\d.]+) → ([\d.]+)\), \(([\d.]+) → ([\d.]+)\), \(([\d.]+) → ([\d.]+)\)\*\*"
)
#: "| blur/motion_h25_john2.jpg (25 px horizontal motion) | 0.833 | **80.3** |"
_ROW = re.compile(r"^\| (\S+\.(?:jpg|jpeg|png|webp))\b[^|]*\| ([\d.]+) \| \**([\d.]+)\** \|$")
#: "| the 17 faces of people/ and single/ (range) | 0.35–0.52 | 3.3–16.0 |"
_RANGE = re.compile(r"^\| ([^|]*?) \| ([\d.]+)–([\d.]+) \| ([\d.]+)–([\d.]+) \|$")
#: "midway between the blurriest sharp face of the corpus (c = 0.610, pose/...) and the
#: least blurry blurred face (c = 0.683, blur/motion_blur_real.jpg)"
_MIDWAY = re.compile(
    r"blurriest sharp face of the corpus \(c = ([\d.]+), (\S+?),"
    r".*?least blurry blurred face \(c = ([\d.]+), (\S+?)\)"
)


def _blur_section() -> str:
    text = DOC.read_text(encoding="utf-8")
    start = text.find("### Blur")
    assert start >= 0, f"{DOC}: no '### Blur' section"
    end = text.find("\n### ", start + 1)
    return text[start : end if end > 0 else None]


def _prose() -> str:
    """The blur section with line breaks and indentation collapsed (sentences wrap)."""
    return " ".join(_blur_section().split())


def _unit(number: str) -> float:
    """One unit in the last decimal written ("0.833" -> 0.001, "80.3" -> 0.1, "0" -> 1)."""
    decimals = len(number.split(".")[1]) if "." in number else 0
    return 10.0**-decimals + 1e-9


def test_documented_knots_are_the_code_knots() -> None:
    found = _KNOTS.search(_prose())
    assert found, f"{DOC}: the blur knots '(c = … → 0), (… → 25), (… → 100)' are not written"
    numbers = [float(g) for g in found.groups()]
    documented = tuple(zip(numbers[0::2], numbers[1::2], strict=True))
    assert documented == tuple((float(c), float(s)) for c, s in measures.BLUR_KNOTS)
    for c, score in documented:
        assert measures.blur_from_crete(c) == pytest.approx(score)
    # linear between the knots, clipped outside
    (c0, s0), (c1, s1), _ = documented
    assert measures.blur_from_crete((c0 + c1) / 2) == pytest.approx((s0 + s1) / 2)
    assert measures.blur_from_crete(0.0) == 0.0 and measures.blur_from_crete(1.0) == 100.0


def test_the_rule_boundary_is_midway_between_the_documented_faces() -> None:
    found = _MIDWAY.search(_prose())
    assert found, f"{DOC}: the calibration sentence (blurriest sharp / least blurry blurred face) is missing"
    sharp_c, blurred_c = float(found.group(1)), float(found.group(3))
    knot_25 = next(c for c, score in measures.BLUR_KNOTS if score == 25.0)
    assert sharp_c < knot_25 < blurred_c
    assert knot_25 == pytest.approx((sharp_c + blurred_c) / 2, abs=0.0015)


@pytest.fixture(scope="module")
def corpus_faces(corpus_dir: Path) -> dict[str, list[tuple[float, float]]]:
    """(crete, blur) of every face of every decodable corpus image (cached detections)."""
    from benchmarks import verdict_quality as vq

    runner = vq.Runner(vq.default_cache_dir())
    faces: dict[str, list[tuple[float, float]]] = {}
    try:
        for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file() and p.name != "MANIFEST.csv"):
            detected = runner.detect(path)
            rel = path.relative_to(corpus_dir).as_posix()
            faces[rel] = [
                (float((f.raw or {})["crete"]), f.blur.value) for f in detected.faces if f.blur is not None
            ]
    finally:
        runner.close()
    return faces


@pytest.mark.corpus
def test_documented_blur_of_each_named_face(corpus_faces: dict[str, list[tuple[float, float]]]) -> None:
    rows = [m for line in _blur_section().splitlines() if (m := _ROW.match(line.strip()))]
    assert len(rows) >= 5, f"{DOC}: the blur table's per-image rows are missing"
    for row in rows:
        rel, c_text, blur_text = row.groups()
        assert rel in corpus_faces, f"{DOC}: {rel} is not a corpus image"
        assert len(corpus_faces[rel]) == 1, f"{rel}: {len(corpus_faces[rel])} faces"
        crete, blur = corpus_faces[rel][0]
        assert crete == pytest.approx(float(c_text), abs=_unit(c_text)), f"{rel}: c {crete} vs {c_text}"
        assert blur == pytest.approx(float(blur_text), abs=_unit(blur_text)), (
            f"{rel}: blur {blur} vs {blur_text}"
        )


@pytest.mark.corpus
def test_documented_blur_ranges(corpus_faces: dict[str, list[tuple[float, float]]]) -> None:
    ranges = {
        m.group(1): m.groups()[1:]
        for line in _blur_section().splitlines()
        if (m := _RANGE.match(line.strip()))
    }
    portraits = next((v for k, v in ranges.items() if "people/ and single/" in k), None)
    others = next((v for k, v in ranges.items() if "other faces but blur/" in k), None)
    assert portraits and others, f"{DOC}: the two range rows of the blur table are missing ({list(ranges)})"
    groups = {
        "portraits": [
            f for rel, fs in corpus_faces.items() if rel.split("/")[0] in ("people", "single") for f in fs
        ],
        "others": [
            f
            for rel, fs in corpus_faces.items()
            if rel.split("/")[0] not in ("people", "single", "blur")
            for f in fs
        ],
    }
    count = re.search(r"the (\d+) faces of people/", next(k for k in ranges if "people/ and single/" in k))
    if count:
        assert len(groups["portraits"]) == int(count.group(1))
    for name, documented in (("portraits", portraits), ("others", others)):
        c_lo, c_hi, b_lo, b_hi = documented
        cs = [c for c, _ in groups[name]]
        bs = [b for _, b in groups[name]]
        assert min(cs) == pytest.approx(float(c_lo), abs=_unit(c_lo)), (name, min(cs))
        assert max(cs) == pytest.approx(float(c_hi), abs=_unit(c_hi)), (name, max(cs))
        assert min(bs) == pytest.approx(float(b_lo), abs=_unit(b_lo)), (name, min(bs))
        assert max(bs) == pytest.approx(float(b_hi), abs=_unit(b_hi)), (name, max(bs))


@pytest.mark.corpus
def test_calibration_faces_are_the_extremes(corpus_faces: dict[str, list[tuple[float, float]]]) -> None:
    found = _MIDWAY.search(_prose())
    assert found
    sharp_c, sharp_rel, blurred_c, blurred_rel = found.groups()
    sharp = [c for rel, fs in corpus_faces.items() if not rel.startswith("blur/") for c, _ in fs]
    blurred = [c for rel, fs in corpus_faces.items() if rel.startswith("blur/") for c, _ in fs]
    assert max(sharp) == pytest.approx(float(sharp_c), abs=_unit(sharp_c))
    assert corpus_faces[sharp_rel][0][0] == max(sharp), f"{sharp_rel} is not the blurriest sharp face"
    assert min(blurred) == pytest.approx(float(blurred_c), abs=_unit(blurred_c))
    assert corpus_faces[blurred_rel][0][0] == min(blurred), (
        f"{blurred_rel} is not the least blurry blurred face"
    )

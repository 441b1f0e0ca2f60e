"""``facecurator report``, streamed: the first image is written before the last one is read.

The catalog is walked a page of images at a time
(:func:`facecurator.services.review.iter_review`), so memory stays flat whatever
the catalog's size, and the summary is counted as the rows go by. JSON is
compact by default (one line per image); ``--pretty`` indents it.
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from typing import IO, Any

from facecurator.cli.text import clean
from facecurator.services.browse import SummaryCounter
from facecurator.services.review import ReviewedImage

CSV_HEADER = (
    "source",
    "status",
    "error",
    "face",
    "x",
    "y",
    "w",
    "h",
    "confidence",
    "pitch",
    "yaw",
    "roll",
    "blur",
    "blur_scale",
    "glasses",
    "qualified",
    "reasons",
    "decision",
)


def write_json(
    out: IO[str],
    images: Iterable[ReviewedImage],
    *,
    head: dict[str, Any],
    tail: dict[str, Any] | None = None,
    pretty: bool = False,
) -> dict[str, int]:
    """``{**head, "images": [...], "summary": {...}, **tail}`` written as the images stream.

    ``tail`` values may be callables, evaluated after the last image (e.g. the paid
    calls). Returns the summary.
    """
    indent = 1 if pretty else None
    separators = (",", ": ") if pretty else (",", ":")

    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)

    counter = SummaryCounter()
    out.write("{")
    for key, value in head.items():
        out.write(f"{dump(key)}:{dump(value)},")
    out.write('"images":[')
    first = True
    for image in images:
        counter.add(image)
        out.write(("\n" if first else ",\n") + dump(image.to_json()))
        if first:
            out.flush()  # the first byte leaves at once, not when a buffer fills
            first = False
    out.write(f'\n],"summary":{dump(counter.counts)}')
    for key, value in (tail or {}).items():
        out.write(f",{dump(key)}:{dump(value() if callable(value) else value)}")
    out.write("}\n")
    out.flush()
    return counter.counts


def write_csv(out: IO[str], images: Iterable[ReviewedImage]) -> dict[str, int]:
    """One CSV row per face (one per image without faces), streamed; returns the summary."""
    counter = SummaryCounter()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    first = True
    for image in images:
        counter.add(image)
        if not image.faces:
            writer.writerow([image.row.uri, image.row.status, image.row.error or "", *[""] * 15])
        for face in image.faces:
            f = face.face
            writer.writerow(
                [
                    image.row.uri,
                    image.row.status,
                    "",
                    face.row.index,
                    round(f.box.x, 1),
                    round(f.box.y, 1),
                    round(f.box.w, 1),
                    round(f.box.h, 1),
                    f.confidence if f.confidence is not None else "",
                    *(_pose_cells(f.pose)),
                    f.blur.value if f.blur else "",
                    f.blur.scale if f.blur else "",
                    f.glasses or "",
                    face.verdict.qualified,
                    "; ".join(face.verdict.reasons),
                    face.decision,
                ]
            )
        if first:
            out.flush()
            first = False
    out.flush()
    return counter.counts


def write_text(out: IO[str], images: Iterable[ReviewedImage]) -> dict[str, int]:
    """One tab-separated line per face (per image that could not be read), control characters
    escaped (:mod:`facecurator.cli.text`); the summary on stderr."""
    counter = SummaryCounter()
    for image in images:
        counter.add(image)
        if image.row.status != "ok":
            out.write(f"{clean(image.row.uri)}\t{image.row.status}\t{clean(image.row.error)}\n")
            continue
        for face in image.faces:
            verdict = "qualified" if face.verdict.qualified else "unqualified"
            why = clean("; ".join(face.verdict.reasons))
            out.write(f"{clean(image.row.uri)}\tface {face.row.index}\t{verdict}\t{face.decision}\t{why}\n")
    out.flush()
    print(" ".join(f"{key}={value}" for key, value in counter.counts.items()), file=sys.stderr)
    return counter.counts


def _pose_cells(pose: Any) -> tuple[Any, Any, Any]:
    if pose is None:
        return ("", "", "")
    return (round(pose.pitch, 2), round(pose.yaw, 2), round(pose.roll, 2))

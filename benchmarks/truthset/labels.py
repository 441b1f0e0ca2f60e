"""The truth set's labels (``benchmarks/truthset/labels.csv``) and where its photos live.

One row per labelled face; the format is described in ``benchmarks/truthset/README.md``.
Attribute values are ``True`` (present), ``False`` (absent) or ``None`` (cannot tell).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

REPO: Final = Path(__file__).resolve().parent.parent.parent
LABELS_CSV: Final = Path(__file__).resolve().parent / "labels.csv"

#: Every labelled attribute, in the column order of labels.csv.
ATTRIBUTES: Final = (
    "sunglasses",
    "clear_glasses",
    "mask",
    "left_eye_closed",
    "right_eye_closed",
    "eyes_occluded",
    "nose_mouth_occluded",
    "blurred",
    "compressed",
    "upscaled",
    "underexposed",
    "overexposed",
    "pitch_over30",
    "yaw_over30",
    "roll_over30",
    "not_photo",
)
#: A face with any of these at 1 must never qualify for an enrollment gallery;
#: with all of them at 0 it is "clean".
MUST_NOT_FLAGS: Final = tuple(a for a in ATTRIBUTES if a != "clear_glasses")
COLUMNS: Final = ("set", "file", "source", "split", "face_x", "face_y", *ATTRIBUTES, "notes")
SETS: Final = ("corpus", "gathered", "derived")
#: ``tune``: thresholds may be chosen on it; ``test``: only reported (looked at through twelve
#: rounds of issue 18); ``test2``: a fresh held-out part from sources in neither (session 13,
#: notes ``fresh18``), only reported, apart, so that ``test`` keeps its meaning and figures.
SPLITS: Final = ("tune", "test", "test2")


@dataclass(frozen=True)
class Label:
    """One labelled face."""

    set: str
    file: str
    source: str
    split: str
    face_x: float
    face_y: float
    attrs: Mapping[str, bool | None]
    notes: str = ""
    #: derived variants: the label row they come from and the variant's name
    origin: str = ""
    variant: str = ""
    #: set by :func:`resolve` (the image file on this machine)
    path: Path | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """Unique id of the face: set, file and centre."""
        return f"{self.set}:{self.file}@{self.face_x:.2f},{self.face_y:.2f}"

    @property
    def must_not(self) -> bool:
        return any(self.attrs.get(a) is True for a in MUST_NOT_FLAGS)

    @property
    def clean(self) -> bool:
        return all(self.attrs.get(a) is False for a in MUST_NOT_FLAGS)

    @property
    def flags(self) -> tuple[str, ...]:
        """The must-not flags set on this face."""
        return tuple(a for a in MUST_NOT_FLAGS if self.attrs.get(a) is True)

    def to_row(self) -> dict[str, str]:
        row = {
            "set": self.set,
            "file": self.file,
            "source": self.source,
            "split": self.split,
            "face_x": f"{self.face_x:.2f}",
            "face_y": f"{self.face_y:.2f}",
            "notes": self.notes,
        }
        for a in ATTRIBUTES:
            value = self.attrs.get(a)
            row[a] = "" if value is None else str(int(value))
        return row


def _flag(value: str, where: str) -> bool | None:
    value = value.strip()
    if value == "":
        return None
    if value in ("0", "1"):
        return value == "1"
    raise ValueError(f"{where}: attribute must be 0, 1 or empty, got {value!r}")


def read_labels(path: Path) -> list[Label]:
    """Rows of a labels CSV (labels.csv, labels_corpus.csv or labels_gathered.csv).

    Raises:
        ValueError: a row with a bad value, naming the file and line.
    """
    labels = []
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(missing)}")
        for line, row in enumerate(reader, start=2):
            where = f"{path}:{line}"
            if not (row.get("file") or "").strip():
                continue
            if row["set"] not in SETS or row["split"] not in SPLITS:
                raise ValueError(f"{where}: bad set {row['set']!r} or split {row['split']!r}")
            try:
                x, y = float(row["face_x"]), float(row["face_y"])
            except ValueError:
                raise ValueError(f"{where}: face_x/face_y must be numbers") from None
            if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
                raise ValueError(f"{where}: face_x/face_y must be fractions of the image (0-1)")
            labels.append(
                Label(
                    set=row["set"],
                    file=row["file"],
                    source=row["source"],
                    split=row["split"],
                    face_x=x,
                    face_y=y,
                    attrs={a: _flag(row[a], f"{where} {a}") for a in ATTRIBUTES},
                    notes=row.get("notes") or "",
                )
            )
    return labels


def write_labels(path: Path, labels: Iterable[Label]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, COLUMNS)
        writer.writeheader()
        for label in labels:
            writer.writerow(label.to_row())


def corpus_root() -> Path:
    """``FACECURATOR_CORPUS``, default ``../shared/corpus`` beside the repository."""
    return Path(os.environ.get("FACECURATOR_CORPUS", REPO.parent / "shared" / "corpus"))


def gathered_root() -> Path | None:
    """Folder of the gathered photos (``file`` is relative to it), or None when absent.

    ``FACECURATOR_TRUTHSET`` (its ``photos/`` folder, or itself if it has none), else
    ``../truthset/photos`` beside the repository, else ``../shared/truthset/photos``.
    """
    env = os.environ.get("FACECURATOR_TRUTHSET")
    if env:
        candidates = [Path(env) / "photos", Path(env)]
    else:
        candidates = [REPO.parent / "truthset" / "photos", REPO.parent / "shared" / "truthset" / "photos"]
    for folder in candidates:
        if folder.is_dir() and any(folder.iterdir()):
            return folder
    return None


def resolve(labels: Iterable[Label]) -> tuple[list[Label], list[Label]]:
    """(labels whose image exists on this machine, with ``path`` set; the missing ones)."""
    from dataclasses import replace

    roots = {"corpus": corpus_root(), "gathered": gathered_root()}
    found, missing = [], []
    for label in labels:
        root = roots.get(label.set)
        path = label.path if label.path is not None else (root / label.file if root else None)
        if path is not None and path.is_file():
            found.append(replace(label, path=path))
        else:
            missing.append(label)
    return found, missing


#: What to run when gathered photos are missing (printed by the benchmarks and by ``main``).
RESTORE_HINT: Final = (
    "restore them from the git mirrors with: python -m benchmarks.truthset.restore "
    "[--mirrors /work/.mirror] [--out ../truthset] (it names the repositories to fetch)"
)


def missing_note(missing: Sequence[Label]) -> str | None:
    """A line on the labelled photos not on this machine, pointing to the restore when gathered ones are."""
    if not missing:
        return None
    gathered = sum(1 for lb in missing if lb.set == "gathered")
    note = f"{len(missing)} labelled faces' photos are not on this machine (skipped)"
    if gathered:
        note += f", {gathered} of them gathered photos: {RESTORE_HINT}"
    return note


def check(labels: Sequence[Label]) -> list[str]:
    """Problems of a label set: a source in both splits (in any set), a face labelled twice."""
    problems = []
    split_of: dict[str, str] = {}
    seen: set[str] = set()
    for label in labels:
        if split_of.setdefault(label.source, label.split) != label.split:
            problems.append(f"source {label.source} is in both splits ({label.set}:{label.file})")
        if label.key in seen:
            problems.append(f"face labelled twice: {label.key}")
        seen.add(label.key)
    return problems


def _has(attribute: str) -> Callable[[Label], bool]:
    return lambda label: label.attrs.get(attribute) is True


def split_table(labels: Sequence[Label]) -> str:
    """Faces, clean and must-not faces and each flag's count per split (to balance the split)."""
    lines = [f"{'':22s} " + " ".join(f"{s:>6s}" for s in SPLITS)]
    rows: list[tuple[str, Callable[[Label], bool]]] = [
        ("faces", lambda lb: True),
        ("clean", lambda lb: lb.clean),
        ("must-not", lambda lb: lb.must_not),
    ]
    rows += [(a, _has(a)) for a in ATTRIBUTES]
    for name, pred in rows:
        counts = [sum(1 for lb in labels if lb.split == s and pred(lb)) for s in SPLITS]
        lines.append(f"{name:22s} " + " ".join(f"{c:6d}" for c in counts))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Merge label files into labels.csv (checked), or check and summarise one."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("inputs", nargs="*", type=Path, help="labels_corpus.csv, labels_gathered.csv, ...")
    parser.add_argument("--out", type=Path, default=None, help="write the merged labels here")
    args = parser.parse_args(argv)
    labels: list[Label] = []
    for path in args.inputs or [LABELS_CSV]:
        labels += read_labels(path)
    problems = check(labels)
    for problem in problems:
        print(f"problem: {problem}")
    print(split_table(labels))
    note = missing_note(resolve(labels)[1])
    if note:
        print(note)
    from benchmarks.truthset.restore import PHOTO_SOURCES, read_manifest

    listed = {row.file for row in read_manifest(PHOTO_SOURCES)}
    unlisted = sorted({lb.file for lb in labels if lb.set == "gathered" and lb.file not in listed})
    if unlisted:
        print(
            f"warning: {len(unlisted)} gathered photos have no row in {PHOTO_SOURCES.name} (the restore "
            f"cannot bring them back; add file, source, repo_path, commit, sha256): {', '.join(unlisted[:5])}"
        )
    if args.out and not problems:
        order = {s: i for i, s in enumerate(SETS)}
        write_labels(args.out, sorted(labels, key=lambda lb: (order[lb.set], lb.file, lb.face_y, lb.face_x)))
        print(f"wrote {len(labels)} labels to {args.out}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())

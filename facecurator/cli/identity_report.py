"""``facecurator report --identities``: the identity checks of a gallery.

Text: one line per person (faces, consistent, outliers with their distance and
the photo they most resemble elsewhere), then near-identical photos and
probable double enrollments. ``--json``: one object (see README). ``--csv``:
one row per embedded face.
"""

from __future__ import annotations

import csv
import sys
from typing import Any

from facecurator.cli.common import EXIT_OK, print_json
from facecurator.domain.rules import RuleSet
from facecurator.services.catalog import Catalog
from facecurator.services.identity import gallery_identities, threshold_of

CSV_COLUMNS = (
    "face_id",
    "face",
    "person",
    "distance",
    "consistent",
    "enrolled",
    "duplicate_of",
    "nearest_face",
    "nearest_person",
    "nearest_distance",
    "outlier",
    "duplicate_group",
    "duplicate_kept",
    "double_enrollment_with",
)


def print_identities(
    catalog: Catalog, rules: RuleSet, source_root: str | None, *, as_json: bool, as_csv: bool
) -> int:
    found = gallery_identities(catalog, source_root=source_root, threshold=threshold_of(rules))
    report = found.report
    faces = sorted(report.faces.values(), key=lambda f: (f.person, found.labels.get(f.key, "")))
    if as_json:
        data: dict[str, Any] = {"catalog": str(catalog.path), **found.to_json()}
        data["faces"] = [{"id": f.key, "face": found.labels.get(f.key), **f.to_json()} for f in faces]
        print_json(data)
        return EXIT_OK
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(CSV_COLUMNS)
        for f in faces:
            near = f.nearest or ("", "", None)
            writer.writerow(
                [
                    f.key,
                    found.labels.get(f.key, ""),
                    f.person,
                    "" if f.distance is None else f"{f.distance:.4f}",
                    _cell(f.consistent),
                    _cell(f.enrolled),
                    f.duplicate_of or "",
                    near[0],
                    near[1],
                    "" if near[2] is None else f"{near[2]:.4f}",
                    _cell(f.outlier),
                    "" if f.duplicate_group is None else f.duplicate_group,
                    _cell(f.duplicate_kept),
                    "; ".join(f.double_enrollment),
                ]
            )
        return EXIT_OK
    if not found.embedded:
        print(
            "no face embeddings in the catalog: scan with --identities first "
            "(facecurator scan SOURCE --identities)",
            file=sys.stderr,
        )
        return EXIT_OK
    for person in report.persons.values():
        if not person.has_identity:
            print(
                f"{person.person}\t{person.faces} faces\tno identity: its photos do not agree on one person"
            )
            continue
        print(f"{person.person}\t{person.faces} faces\t{person.consistent} consistent")
        for key in person.outliers:
            f = report.faces[key]
            line = f"  outlier {found.labels.get(key)}\tdistance {f.distance:.2f} > {report.threshold:g}"
            if f.nearest:
                line += f"\tmost like {f.nearest[0]} ({f.nearest[1]}, {f.nearest[2]:.2f})"
            print(line)
    for group in report.duplicates:
        names = [found.labels.get(k, str(k)) for k in group]
        print(f"near-identical\tkeep {names[0]}\tduplicates: {', '.join(names[1:])}")
    for pair in report.double_enrollments:
        print(
            f"probable double enrollment\t{pair.person_a} = {pair.person_b}\t"
            f"distance {pair.distance:.2f}; closest {pair.closest[0]} ~ {pair.closest[1]} "
            f"({pair.closest[2]:.2f})"
        )
    print(
        f"{found.embedded} of {found.faces} faces embedded; {len(report.persons)} persons; "
        f"{sum(len(p.outliers) for p in report.persons.values())} outliers; "
        f"{len(report.duplicates)} duplicate groups; {len(report.double_enrollments)} double enrollments",
        file=sys.stderr,
    )
    return EXIT_OK


def _cell(value: bool | None) -> str:
    return "" if value is None else str(value).lower()

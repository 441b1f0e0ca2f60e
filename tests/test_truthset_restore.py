"""Restoring the truth set's photos from git mirrors (benchmarks/truthset/restore.py).

A real git repository is built in tmp_path (two commits, one image deleted at HEAD,
mirrored bare as the fetch tool leaves it) with a manifest naming its images; the
restore is run as a user would and the files on disk are checked byte for byte.
No network, no /work paths.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from benchmarks.truthset import restore as rs
from benchmarks.truthset.labels import LABELS_CSV, read_labels

GIT_ID = ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]


def _git(cwd: Path, *args: str) -> str:
    out = subprocess.run(["git", *GIT_ID, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def _image(colour: tuple[int, int, int], fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (24, 16), colour).save(buf, fmt)
    return buf.getvalue()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def mirror(tmp_path: Path) -> dict[str, object]:
    """mirrors/acme+faces/repo (bare): commit 1 adds a.png and old/b.jpg, commit 2 deletes old/b.jpg."""
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q")
    a, b = _image((200, 30, 30), "PNG"), _image((30, 30, 200), "JPEG")
    (work / "a.png").write_bytes(a)
    (work / "old").mkdir()
    (work / "old" / "b.jpg").write_bytes(b)
    _git(work, "add", ".")
    _git(work, "commit", "-q", "-m", "one")
    first = _git(work, "rev-parse", "HEAD")
    _git(work, "rm", "-q", "old/b.jpg")
    _git(work, "commit", "-q", "-m", "two")
    head = _git(work, "rev-parse", "HEAD")
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    subprocess.run(
        ["git", "clone", "-q", "--bare", str(work), str(mirrors / "acme+faces" / "repo")],
        check=True,
        capture_output=True,
    )
    return {"mirrors": mirrors, "a": a, "b": b, "first": first, "head": head}


def _rows(m: dict[str, object]) -> list[rs.Source]:
    a, b = m["a"], m["b"]
    assert isinstance(a, bytes) and isinstance(b, bytes)
    return [
        rs.Source("acme__faces/a.png", "github:acme/faces", "a.png", str(m["head"]), _sha(a)),
        # pinned at HEAD, where the file was deleted: found in the commit before
        rs.Source("acme__faces/old/b.jpg", "github:acme/faces", "old/b.jpg", str(m["head"]), _sha(b)),
    ]


def test_restore_writes_the_pinned_bytes_and_a_second_run_skips(
    mirror: dict[str, object], tmp_path: Path
) -> None:
    rows = _rows(mirror)
    manifest = tmp_path / "manifest.csv"
    rs.write_manifest(manifest, rows)
    assert rs.read_manifest(manifest) == rows
    out = tmp_path / "truthset"
    done = rs.restore(rs.read_manifest(manifest), Path(str(mirror["mirrors"])), out / "photos")
    assert done.ok and sorted(done.written) == ["acme__faces/a.png", "acme__faces/old/b.jpg"]
    assert (out / "photos" / "acme__faces" / "a.png").read_bytes() == mirror["a"]
    assert (out / "photos" / "acme__faces" / "old" / "b.jpg").read_bytes() == mirror["b"]
    assert done.other_commit == {"acme__faces/old/b.jpg": mirror["first"]}
    assert rs.write_sources(out / "SOURCES.csv", rows).endswith("2 rows")
    assert rs.read_manifest(out / "SOURCES.csv") == rows

    again = rs.restore(rows, Path(str(mirror["mirrors"])), out / "photos")
    assert again.ok and again.written == [] and sorted(again.skipped) == sorted(r.file for r in rows)
    assert "up to date" in rs.write_sources(out / "SOURCES.csv", rows)


def test_a_wrong_sha256_is_reported_and_not_written(mirror: dict[str, object], tmp_path: Path) -> None:
    good, bad = _rows(mirror)
    bad = rs.Source(bad.file, bad.source, bad.repo_path, str(mirror["first"]), "0" * 64)
    out = tmp_path / "photos"
    done = rs.restore([good, bad], Path(str(mirror["mirrors"])), out)
    assert done.written == [good.file]
    assert list(done.failed) == [bad.file] and "sha256 differs" in done.failed[bad.file]
    assert not (out / bad.file).exists()
    # a damaged copy already on disk is replaced by the mirror's bytes
    (out / good.file).write_bytes(b"damaged")
    assert rs.restore([good], Path(str(mirror["mirrors"])), out).written == [good.file]
    assert (out / good.file).read_bytes() == mirror["a"]


def test_a_missing_mirror_is_named_with_the_fetch_to_run(
    mirror: dict[str, object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [*_rows(mirror), rs.Source("other__x/c.jpg", "github:other/x", "c.jpg", "1" * 40, "2" * 64)]
    unknown_path = rs.Source("acme__faces/none.jpg", "github:acme/faces", "none.jpg", "3" * 40, "4" * 64)
    done = rs.restore([*rows, unknown_path], Path(str(mirror["mirrors"])), tmp_path / "photos")
    assert done.no_mirror == {"other/x": ["other__x/c.jpg"]}
    assert "in no commit of the mirror" in done.failed["acme__faces/none.jpg"]
    assert not done.ok
    rs.report(done, 4)
    printed = capsys.readouterr().out
    assert "missing mirror: fetch github:other/x  (1 files)" in printed
    assert "failed: acme__faces/none.jpg" in printed
    assert "2/4 photos in place (2 written, 0 already there), 1 without a mirror, 1 failed" in printed


def test_a_clone_with_a_work_tree_is_a_mirror_too(mirror: dict[str, object], tmp_path: Path) -> None:
    clone = tmp_path / "clones" / "acme+faces" / "repo"
    bare = Path(str(mirror["mirrors"])) / "acme+faces" / "repo"
    subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True, capture_output=True)
    assert rs.git_dir(tmp_path / "clones", "acme/faces") == clone / ".git"
    assert rs.restore(_rows(mirror), tmp_path / "clones", tmp_path / "photos").ok


def test_the_manifest_refuses_a_path_leaving_its_folder(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    rs.write_manifest(manifest, [rs.Source("../x.jpg", "github:a/b", "x.jpg", "1" * 40, "2" * 64)])
    with pytest.raises(ValueError, match="bad file"):
        rs.read_manifest(manifest)


def test_every_gathered_label_has_a_restore_row() -> None:
    """labels.csv's gathered photos are all in photo_sources.csv (else the restore cannot bring them back)."""
    listed = {row.file for row in rs.read_manifest(rs.PHOTO_SOURCES)}
    gathered = {lb.file for lb in read_labels(LABELS_CSV) if lb.set == "gathered"}
    assert gathered <= listed, (
        f"gathered photos of labels.csv without a row in benchmarks/truthset/photo_sources.csv "
        f"(add file, source, repo_path, commit, sha256): {sorted(gathered - listed)[:10]}"
    )
    identity = rs.read_manifest(rs.IDENTITY_SOURCES)
    assert all(r.file.startswith(("people/", "multi/")) for r in identity)
    assert len({r.file for r in identity}) == len(identity)


def test_the_real_hands_photos_have_restore_rows_and_no_photo_is_listed_twice() -> None:
    """hands.json's photos (the real-hand derived variants) are restored with the rest: without
    them a fresh machine silently made no real-hand variant (session 17: "0 missing" while
    hand_variants.available() was False for every split)."""
    import json

    from benchmarks.truthset.hand_variants import HANDS_JSON

    rows = rs.read_manifest(rs.PHOTO_SOURCES)
    by_file = {r.file: r for r in rows}
    assert len(by_file) == len(rows), "a photo listed twice in photo_sources.csv"
    hands = json.loads(HANDS_JSON.read_text(encoding="utf-8"))
    assert {h["split"] for h in hands} >= {"tune", "test"}
    for hand in hands:
        row = by_file.get(hand["file"])
        assert row is not None, f"{hand['file']}: no row in photo_sources.csv"
        assert (row.source, row.commit, row.sha256) == (hand["source"], hand["commit"], hand["sha256"])


def test_missing_gathered_photos_point_to_the_restore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.truthset.labels import missing_note, resolve

    monkeypatch.setenv("FACECURATOR_TRUTHSET", str(tmp_path / "absent"))
    gathered = [lb for lb in read_labels(LABELS_CSV) if lb.set == "gathered"][:3]
    found, missing = resolve(gathered)
    assert found == [] and len(missing) == 3
    note = missing_note(missing)
    assert note is not None and "3 of them gathered photos" in note
    assert "python -m benchmarks.truthset.restore" in note
    assert missing_note([]) is None

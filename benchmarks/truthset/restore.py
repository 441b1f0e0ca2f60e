"""Restore the truth set's gathered photos (and the identity benchmark's extra photos) from git mirrors.

The photos may not be committed; what is committed is where each came from:
``photo_sources.csv`` (the gathered photos of ``labels.csv`` and the real hands' photos of
``hands.json``) and ``identity_sources.csv`` (``benchmarks/identity.py --extra``), columns
``file, source, repo_path, commit, sha256``.
Each photo is read from the git objects of a local mirror of its repository
(``MIRRORS/<owner>+<repo>/repo``, a bare git directory or a clone with ``.git``, as the
``fetch`` tool leaves them) at the pinned commit; when that commit or path is not in the
mirror (another snapshot, the file deleted or moved since), from any commit of the mirror
that has the path with the same sha256. Nothing is downloaded::

    python -m benchmarks.truthset.restore [--mirrors /work/.mirror] [--out ../truthset]

writes ``OUT/photos/<file>`` and ``OUT/SOURCES.csv``, and ``OUT/identity/<file>`` and
``OUT/identity/SOURCES.csv``. Files already there with the right sha256 are skipped, a
blob whose sha256 differs is never written. It prints the repositories with no mirror
(one ``fetch github:owner/repo`` each), the files that failed, and a count; exit 1 when
anything is missing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final, TextIO

HERE: Final = Path(__file__).resolve().parent
REPO: Final = HERE.parent.parent
PHOTO_SOURCES: Final = HERE / "photo_sources.csv"
IDENTITY_SOURCES: Final = HERE / "identity_sources.csv"
COLUMNS: Final = ("file", "source", "repo_path", "commit", "sha256")
#: (manifest, folder under OUT its files go to, folder under OUT its SOURCES.csv goes to)
MANIFESTS: Final = ((PHOTO_SOURCES, "photos", "."), (IDENTITY_SOURCES, "identity", "identity"))


@dataclass(frozen=True)
class Source:
    """One photo of a manifest: ``file`` (relative to its folder) from ``repo_path`` at ``commit``."""

    file: str
    source: str
    repo_path: str
    commit: str
    sha256: str

    @property
    def repository(self) -> str:
        """``owner/repo`` of a ``github:owner/repo`` source."""
        return self.source.removeprefix("github:")


@dataclass
class Outcome:
    """What a restore did, per file."""

    written: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: repository -> the files it would give
    no_mirror: dict[str, list[str]] = field(default_factory=dict)
    #: file -> why (not in the mirror, or only with another sha256)
    failed: dict[str, str] = field(default_factory=dict)
    #: files written from another commit than the pinned one: file -> that commit
    other_commit: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.no_mirror and not self.failed

    def merge(self, other: Outcome) -> None:
        self.written += other.written
        self.skipped += other.skipped
        for repo, files in other.no_mirror.items():
            self.no_mirror.setdefault(repo, []).extend(files)
        self.failed.update(other.failed)
        self.other_commit.update(other.other_commit)


def read_manifest(path: Path) -> list[Source]:
    """Rows of a sources manifest.

    Raises:
        ValueError: a missing column, a source that is not ``github:owner/repo``, or a file
            path that would leave its folder.
    """
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(missing)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            src = Source(**{c: (row[c] or "").strip() for c in COLUMNS})
            parts = Path(src.file).parts
            if not src.source.startswith("github:") or src.repository.count("/") != 1:
                raise ValueError(f"{path}:{line}: source must be github:owner/repo, got {src.source!r}")
            if not parts or Path(src.file).is_absolute() or ".." in parts:
                raise ValueError(f"{path}:{line}: bad file {src.file!r}")
            rows.append(src)
    return rows


def write_manifest(path: Path, rows: Iterable[Source]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow([r.file, r.source, r.repo_path, r.commit, r.sha256])


def git_dir(mirrors: Path, repository: str) -> Path | None:
    """The git directory of ``owner/repo``'s mirror, or None when there is none."""
    base = mirrors / repository.replace("/", "+") / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "objects").is_dir() and (candidate / "HEAD").is_file():
            return candidate
    return None


def _git(gitdir: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        ["git", f"--git-dir={gitdir}", *args],
        capture_output=True,
        check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )


def _blob(gitdir: Path, rev: str, path: str) -> bytes | None:
    """The file ``path`` at ``rev``, or None when the mirror has no such commit or path."""
    found = _git(gitdir, "cat-file", "blob", f"{rev}:{path}")
    return found.stdout if found.returncode == 0 else None


def find_photo(gitdir: Path, src: Source) -> tuple[bytes | None, str, str]:
    """(the bytes with ``src.sha256``, the commit they came from, why not when None).

    The pinned commit first; then every commit of the mirror that touched the path
    (``git log --all -- path``), each distinct blob tried once.
    """
    data = _blob(gitdir, src.commit, src.repo_path)
    if data is not None and hashlib.sha256(data).hexdigest() == src.sha256:
        return data, src.commit, ""
    other = [] if data is None else [hashlib.sha256(data).hexdigest()]
    log = _git(gitdir, "log", "--all", "--format=%H", "--", src.repo_path)
    tried: set[str] = set()
    for commit in log.stdout.decode().split():
        # a commit that deleted the path has none: its parent is covered by the log's next commit
        blob = (
            _git(gitdir, "rev-parse", "--verify", "-q", f"{commit}:{src.repo_path}").stdout.decode().strip()
        )
        if not blob or blob in tried:
            continue
        tried.add(blob)
        data = _blob(gitdir, commit, src.repo_path)
        if data is None:
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest == src.sha256:
            return data, commit, ""
        other.append(digest)
    if other:
        shown = ", ".join(sorted(set(d[:12] for d in other)))
        return None, "", f"sha256 differs (mirror has {shown}…, manifest {src.sha256[:12]}…)"
    return None, "", f"{src.repo_path} is in no commit of the mirror (pinned {src.commit[:12]})"


def _sha256_of(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def restore(rows: Sequence[Source], mirrors: Path, folder: Path) -> Outcome:
    """Write every row's photo to ``folder/<file>`` from the mirrors (see the module's docstring)."""
    outcome = Outcome()
    gitdirs: dict[str, Path | None] = {}
    for src in rows:
        target = folder / src.file
        if _sha256_of(target) == src.sha256:
            outcome.skipped.append(src.file)
            continue
        if src.repository not in gitdirs:
            gitdirs[src.repository] = git_dir(mirrors, src.repository)
        gitdir = gitdirs[src.repository]
        if gitdir is None:
            outcome.no_mirror.setdefault(src.repository, []).append(src.file)
            continue
        data, commit, why = find_photo(gitdir, src)
        if data is None:
            outcome.failed[src.file] = why
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(data)
        partial.replace(target)
        outcome.written.append(src.file)
        if commit != src.commit:
            outcome.other_commit[src.file] = commit
    return outcome


def write_sources(path: Path, rows: Sequence[Source]) -> str:
    """Write SOURCES.csv beside the photos unless one with more columns (a gatherer's) is there."""
    if path.is_file():
        with path.open(newline="", encoding="utf-8") as fh:
            header = next(csv.reader(fh), [])
        if tuple(header) != COLUMNS:
            return f"{path} kept (its columns are not the manifest's)"
        if read_manifest(path) == list(rows):
            return f"{path}: up to date ({len(rows)} rows)"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_manifest(path, rows)
    return f"{path}: {len(rows)} rows"


def default_out() -> Path:
    """Where labels.py looks first: ``FACECURATOR_TRUTHSET``, else ``../truthset`` beside the repository."""
    env = os.environ.get("FACECURATOR_TRUTHSET")
    return Path(env) if env else REPO.parent / "truthset"


def report(outcome: Outcome, total: int, out: TextIO | None = None) -> None:
    """Print which repositories to fetch, which files failed, and the count."""
    stream = out or sys.stdout
    for repo, files in sorted(outcome.no_mirror.items()):
        print(f"missing mirror: fetch github:{repo}  ({len(files)} files)", file=stream)
    for file, why in sorted(outcome.failed.items()):
        print(f"failed: {file}: {why}", file=stream)
    for file, commit in sorted(outcome.other_commit.items()):
        print(f"from another commit ({commit[:12]}, same sha256): {file}", file=stream)
    missing = sum(len(f) for f in outcome.no_mirror.values())
    print(
        f"{len(outcome.written) + len(outcome.skipped)}/{total} photos in place "
        f"({len(outcome.written)} written, {len(outcome.skipped)} already there), "
        f"{missing} without a mirror, {len(outcome.failed)} failed",
        file=stream,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Restore the gathered photos and the identity photos from local git mirrors."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument(
        "--mirrors", type=Path, default=Path("/work/.mirror"), help="MIRRORS/<owner>+<repo>/repo"
    )
    parser.add_argument("--out", type=Path, default=None, help="default: FACECURATOR_TRUTHSET or ../truthset")
    args = parser.parse_args(argv)
    out = args.out or default_out()
    total, outcome = 0, Outcome()
    for manifest, folder, sources_dir in MANIFESTS:
        rows = read_manifest(manifest)
        done = restore(rows, args.mirrors, out / folder)
        outcome.merge(done)
        total += len(rows)
        print(write_sources(out / sources_dir / "SOURCES.csv", rows))
    report(outcome, total)
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Child process: one machine of a shared scan (tests/test_shared_scan.py).

Usage: ``python scan_worker.py CATALOG_URL FOLDER CALLS_LOG LEASE_S``. Scans FOLDER into the
server catalog with the real local detector, appending ``<pid> <uri>`` to CALLS_LOG for
every detector call (before it is made), and printing ``stored <uri>`` for each image
once its outcome is committed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repo, when not installed


class CountingDetector:
    """The real local detector, logging each call to a file shared by the workers."""

    name = "local"
    needs_bytes = True

    def __init__(self, log: str, inner: object | None = None) -> None:
        from facecurator.detect.local import LocalDetector

        self.log = log
        self.inner = inner or LocalDetector()

    @property
    def settings_key(self) -> str:
        return self.inner.settings_key  # type: ignore[attr-defined, no-any-return]

    def detect(self, ref: object, data: bytes | None) -> object:
        with open(self.log, "a", encoding="utf-8") as fh:  # one short O_APPEND write per call
            fh.write(f"{os.getpid()} {ref.uri}\n")  # type: ignore[attr-defined]
        return self.inner.detect(ref, data)  # type: ignore[attr-defined]

    def clone(self) -> CountingDetector:
        return CountingDetector(self.log, self.inner.clone())  # type: ignore[attr-defined]

    def close(self) -> None:
        self.inner.close()  # type: ignore[attr-defined]


def main(url: str, folder: str, calls_log: str, lease: str) -> int:
    from facecurator.services.catalog import Catalog
    from facecurator.services.shared_scan import scan_shared
    from facecurator.sources.local import LocalFolderSource

    source = LocalFolderSource(Path(folder))
    with Catalog(url) as catalog:
        report = scan_shared(
            source, CountingDetector(calls_log), catalog, jobs=1, lease_s=float(lease),  # type: ignore[arg-type]
            on_image=lambda outcome: print(f"stored {outcome.ref.uri}", flush=True),
        )  # fmt: skip
    print(f"done {report.total} {report.detected} {report.cached}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))

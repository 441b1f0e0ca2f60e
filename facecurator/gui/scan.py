"""Detection runs off the GUI thread.

A :class:`ScanWorker` lives in its own ``QThread`` with its own ``Catalog``
(SQLite connections are per thread) and runs :func:`facecurator.services.jobs.scan`.
Progress and finished images come back as queued signals, throttled so a
cached re-scan of 100 000 images does not flood the event loop; the window
re-reads those images from its own catalog. Cancelling sets the core's
``CancelToken``: images in flight finish and are stored, the rest are left for
the next run (which resumes, since detections are cached).
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

from facecurator.detect.registry import (
    DESCRIPTIONS,
    DETECTOR_NAMES,
    detector_supports,
    is_cloud,
    make_detector,
)
from facecurator.domain.error_texts import internal_error
from facecurator.errors import FacecuratorError
from facecurator.gui.core_errors import core_message
from facecurator.services.catalog import Catalog
from facecurator.services.jobs import CancelToken, ImageOutcome, ScanProgress, list_source, scan

if TYPE_CHECKING:
    from facecurator.cloud.cost import CostEstimate
    from facecurator.domain.identity import Embedder
    from facecurator.domain.protocols import ImageRef, Source
    from facecurator.domain.rules import RuleSet

log = logging.getLogger("facecurator.gui.scan")

#: Seconds between progress / image batches sent to the GUI thread.
EMIT_INTERVAL: Final = 0.1


def detector_names() -> tuple[str, ...]:
    return tuple(DETECTOR_NAMES)


def detector_description(name: str) -> str:
    return DESCRIPTIONS.get(name, name)


def detector_available(name: str, source_kind: str | None = None) -> tuple[bool, str]:
    """Whether the GUI can run ``name`` (on a ``local``/``oss`` source), and why not."""
    if source_kind is not None and not detector_supports(name, source_kind):
        return False, "reads images from OSS only: open an oss:// source to use it"
    if is_cloud(name):
        try:
            import facecurator.detect.cloud  # noqa: F401
        except ImportError:
            return False, "cloud detectors are not available in this build"
    return True, ""


def make_scan_detector(
    name: str, profile: str | None = None, source_kind: str | None = None, rules: RuleSet | None = None
):
    """The detector through the core registry (the CLI's path too); ``rules``: the rules the
    scan serves (the local detector runs the CLIP photograph model only when they use it)."""
    return make_detector(name, profile=profile, source_kind=source_kind, rules=rules)


@dataclass(frozen=True)
class CostQuestion:
    """What a paid run will send and cost, for the confirmation dialog."""

    detector: str
    source: str
    profile: str | None
    total: int  # images listed
    to_detect: int  # images the detector will be called for (the rest are cached)
    estimate: CostEstimate
    refs: tuple[ImageRef, ...]  # the listing, reused by the scan so it is not listed twice

    @property
    def cached(self) -> int:
        return self.total - self.to_detect


class PlanCancelled(Exception):
    """The operator cancelled the estimate."""


class PlanProgress:
    """Shared between the planning thread and the GUI: images listed so far, cancel flag."""

    def __init__(self) -> None:
        self.listed = 0
        self.cancelled = threading.Event()


class _CountingSource:
    """The source as :func:`jobs.plan` sees it, counting and cancellable while it lists."""

    def __init__(self, source: Source, progress: PlanProgress) -> None:
        self.root = source.root
        self.kind = getattr(source, "kind", "")
        self._source = source
        self._progress = progress

    def iter_images(self) -> Iterator[ImageRef]:
        for ref in self._source.iter_images():
            if self._progress.cancelled.is_set():
                raise PlanCancelled()
            self._progress.listed += 1
            yield ref

    def read_bytes(self, ref: ImageRef) -> bytes:
        return self._source.read_bytes(ref)

    def identity(self, ref: ImageRef, data: bytes) -> str:
        return self._source.identity(ref, data)


def plan_paid_scan(
    source_text: str,
    detector_name: str,
    catalog_path: str,
    *,
    profile: str | None = None,
    progress: PlanProgress | None = None,
) -> CostQuestion:
    """List the source, count the images not cached for ``detector_name`` and price them.

    Runs on a worker thread (its own catalog connection). Raises FacecuratorError
    for an unreadable source, missing credentials or profile, PlanCancelled when cancelled.
    """
    from facecurator.cloud.cost import estimate
    from facecurator.cloud.profiles import load_profile
    from facecurator.services.jobs import plan
    from facecurator.sources import open_source, source_kind

    progress = progress or PlanProgress()
    prof = load_profile(profile)
    detector = make_scan_detector(detector_name, profile, source_kind(source_text))
    try:
        with Catalog(catalog_path) as catalog:
            scan_plan = plan(
                _CountingSource(open_source(source_text, profile=profile), progress), detector, catalog
            )
    finally:
        try:
            detector.close()
        except Exception:
            log.exception("closing the detector failed")
    return CostQuestion(
        detector=detector_name,
        source=source_text,
        profile=profile,
        total=scan_plan.total,
        to_detect=scan_plan.to_detect,
        estimate=estimate(detector_name, scan_plan.to_detect, prof),
        refs=tuple(scan_plan.refs),
    )


class ScanWorker(QObject):
    """Runs one scan; lives in a worker thread. Every failure ends in ``failed``."""

    progress = Signal(object)  # ScanProgress (throttled; the last one always sent)
    imagesDone = Signal(list)  # image ids recorded since the last batch
    imagesListed = Signal(str, list)  # source root, image ids listed before detection (not read yet)
    failedImage = Signal(str, str)  # uri, one-line reason
    finished = Signal(object)  # ScanReport
    failed = Signal(str)  # the step that failed and why

    def __init__(
        self,
        source_text: str,
        detector_name: str,
        catalog_path: str,
        *,
        jobs: int | None = None,
        profile: str | None = None,
        refs: Sequence[ImageRef] | None = None,
        embed: bool = False,
        auto_embed: bool = True,
        rules: RuleSet | None = None,
    ) -> None:
        super().__init__()
        self.refs = refs
        # the rules the scan serves: the local detector runs the CLIP photograph model only for
        # rules that use it (None: it runs)
        self.rules = rules
        #: also compute face embeddings (identity checks) on the scan's workers
        self.embed = embed
        #: compute them by default where they apply (local detector, folders per person)
        self.auto_embed = auto_embed
        self.source_text = source_text
        self.detector_name = detector_name
        self.catalog_path = catalog_path
        self.jobs = jobs
        self.profile = profile
        self.token = CancelToken()
        self._pending_ids: list[int] = []
        self._last_emit = 0.0
        self._last_progress: ScanProgress | None = None
        self._counted: int | None = None  # the folder's image count, once it is listed
        self._root = ""

    @Slot()
    def run(self) -> None:
        from facecurator.sources import open_source, source_kind

        step = QCoreApplication.translate("ScanWorker", "opening the catalog")
        detector = None
        try:
            with Catalog(self.catalog_path) as catalog:
                step = QCoreApplication.translate("ScanWorker", "opening {source}").format(
                    source=self.source_text
                )
                source = open_source(self.source_text, profile=self.profile)
                self._root = source.root
                refs, complete = self.refs, False
                if refs is not None:  # a planned batch (a cloud run's cost plan): its size is known
                    self._counted = len(refs)
                if refs is None and source_kind(self.source_text) == "local":
                    # A local folder is listed first (before the detector even loads): every
                    # image is shown before any is detected, and the total is known.
                    step = QCoreApplication.translate("ScanWorker", "listing {source}").format(
                        source=self.source_text
                    )
                    first: list[int] = []
                    refs, listed = list_source(source, catalog, on_first=self._on_first_listed(first))
                    complete = True
                    self._on_listed(listed[len(first) :], len(refs))
                step = QCoreApplication.translate("ScanWorker", "starting the {name} detector").format(
                    name=self.detector_name
                )
                detector = make_scan_detector(
                    self.detector_name, self.profile, source_kind(self.source_text), self.rules
                )
                embedder: Embedder | None = None
                step = QCoreApplication.translate("ScanWorker", "loading the face embedding models")
                if self.embed:
                    from facecurator.detect.embed import make_embedder

                    embedder = make_embedder()
                elif self.auto_embed:  # on by default for the local detector on a source filed by person
                    from facecurator.services.identity import default_embedder

                    embedder = default_embedder(source, self.detector_name)
                step = QCoreApplication.translate("ScanWorker", "scanning {source}").format(
                    source=self.source_text
                )
                report = scan(
                    source,
                    detector,
                    catalog,
                    jobs=self.jobs,
                    progress=self._on_progress,
                    on_image=self._on_image,
                    cancel=self.token,
                    refs=refs,
                    embedder=embedder,
                    complete=complete,
                    prepared=complete,
                )
                self._flush()
            self.finished.emit(report)
        except FacecuratorError as exc:
            self._flush()
            self.failed.emit(f"{step}: {core_message(exc)}")
        except Exception as exc:
            log.exception("scan failed while %s", step)
            self._flush()
            self.failed.emit(f"{step}: {core_message(internal_error(exc))}")
        finally:
            if detector is not None:
                try:
                    detector.close()
                except Exception:
                    log.exception("closing the detector failed")

    def _on_first_listed(self, first: list[int]) -> Callable[[list[int]], None]:
        """The first screenful of the folder, listed: shown while the rest is listed."""

        def shown(image_ids: list[int]) -> None:
            first.extend(image_ids)
            if image_ids:
                self.imagesListed.emit(self._root, image_ids)

        return shown

    def _on_listed(self, image_ids: list[int], total: int) -> None:
        """The whole folder is listed (the new images recorded as ``listed``, but the first
        screenful already shown): show them now, and the progress bar knows its total."""
        self._counted = total
        if image_ids:
            self.imagesListed.emit(self._root, image_ids)

    def _on_progress(self, progress: ScanProgress) -> None:
        counted = self._counted
        if progress.total is None and counted is not None and counted >= progress.done:
            eta = (counted - progress.done) / progress.rate if progress.rate > 0 else None
            progress = dataclasses.replace(progress, total=counted, eta=eta)
        self._last_progress = progress
        self._maybe_flush()

    def _on_image(self, outcome: ImageOutcome) -> None:
        self._pending_ids.append(outcome.image_id)
        if outcome.status == "error":
            self.failedImage.emit(outcome.ref.uri, outcome.error or "unknown error")

    def _maybe_flush(self) -> None:
        if time.monotonic() - self._last_emit >= EMIT_INTERVAL:
            self._flush()

    def _flush(self) -> None:
        self._last_emit = time.monotonic()
        if self._pending_ids:
            ids, self._pending_ids = self._pending_ids, []
            self.imagesDone.emit(ids)
        if self._last_progress is not None:
            self.progress.emit(self._last_progress)
            self._last_progress = None


class ScanController(QObject):
    """Starts and cancels scans for the window; one at a time."""

    started = Signal(str)  # source text
    progress = Signal(object)  # ScanProgress
    imagesDone = Signal(list)
    imagesListed = Signal(str, list)
    failedImage = Signal(str, str)
    finished = Signal(object)  # ScanReport (cancelled runs too)
    failed = Signal(str)
    stopped = Signal()  # after finished or failed, once the thread is gone

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: ScanWorker | None = None
        self.started_at: float | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(
        self,
        source_text: str,
        detector_name: str,
        catalog_path: str,
        *,
        jobs: int | None = None,
        profile: str | None = None,
        refs: Sequence[ImageRef] | None = None,
        embed: bool = False,
        auto_embed: bool = True,
        rules: RuleSet | None = None,
    ) -> bool:
        """Start a run (False when one is running). ``refs``: a listing already made (the cost plan's);
        ``embed``: also compute face embeddings for the identity checks; ``auto_embed``: compute
        them where they apply by default (off: only when ``embed``, like ``scan --no-identities``);
        ``rules``: the rules the scan serves (whether the local detector runs the CLIP model)."""
        if self.running:
            return False
        worker = ScanWorker(
            source_text,
            detector_name,
            catalog_path,
            jobs=jobs,
            profile=profile,
            refs=refs,
            embed=embed,
            auto_embed=auto_embed,
            rules=rules,
        )
        thread = QThread(self)
        thread.setObjectName("fc-scan")
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.progress)
        worker.imagesDone.connect(self.imagesDone)
        worker.imagesListed.connect(self.imagesListed)
        worker.failedImage.connect(self.failedImage)
        worker.finished.connect(self.finished)
        worker.failed.connect(self.failed)
        # Direct: quit from the worker thread itself. A queued quit would wait for the GUI
        # thread, which may be blocked in wait() (closing the window during a scan).
        worker.finished.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        worker.failed.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        self.started_at = time.monotonic()
        thread.start()
        self.started.emit(source_text)
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.token.cancel()

    def wait(self, timeout_ms: int = 60_000) -> bool:
        """Block until the scan thread ends (shutdown and tests)."""
        thread = self._thread
        if thread is None:
            return True
        finished = thread.wait(timeout_ms)
        if finished:
            self._on_thread_finished()
        return finished

    def _on_thread_finished(self) -> None:
        if self._thread is None:
            return
        thread, worker = self._thread, self._worker
        self._thread, self._worker = None, None
        if worker is not None:
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()
        self.stopped.emit()

"""The export off the GUI thread: review the catalog, map the faces, export; signals report it.

:class:`ExportThread` opens its own :class:`~facecurator.services.catalog.Catalog`
(SQLite connections are per thread) and polls for cancellation between images;
the export dialog (:mod:`facecurator.gui.export_dialog`) starts and shows it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, Final

from PySide6.QtCore import QCoreApplication, QThread, Signal
from PySide6.QtWidgets import QWidget

from facecurator.domain.rules import RuleSet
from facecurator.errors import CancelledError, FacecuratorError
from facecurator.services.export import ExportItem
from facecurator.services.export.messages import export_text

log = logging.getLogger("facecurator.gui.export")

# ``read_bytes(item) -> bytes`` (default: :func:`facecurator.sources.read_image_bytes`)
ReadBytes = Callable[[ExportItem], bytes]

STEP_CATALOG: Final = "catalog"
STEP_EXPORT: Final = "export"
STEP_DESTINATION: Final = "destination"


def _oss_publisher(profile: str | None) -> Any:
    """The OSS publisher of the cloud package (ExportError-style message when it is not there)."""
    try:
        from facecurator.services.export.oss import OssPublisher
    except ImportError as exc:
        text = QCoreApplication.translate(
            "ExportThread", "exporting to OSS is not available in this build ({error})"
        )
        raise FacecuratorError(text.format(error=exc)) from None
    return OssPublisher(profile)


class ExportThread(QThread):
    """Reviews the catalog and exports, on its own thread and with its own catalog connection.

    Signals arrive on the GUI thread (queued): ``progress(done, total)`` in
    images, then exactly one of ``succeeded(ExportSummary)``,
    ``failed(step, message)`` or ``cancelled(message)``.
    """

    progress = Signal(int, int)
    stepChanged = Signal(str)
    succeeded = Signal(object)  # ExportSummary
    failed = Signal(str, str)  # step, message
    cancelled = Signal(str)

    def __init__(
        self,
        *,
        catalog_path: str | os.PathLike[str],
        rules: RuleSet,
        dest: str,
        fmt: str,
        margin: float,
        include_rejected: bool,
        source_root: str | None = None,
        profile: str | None = None,
        read_bytes: ReadBytes | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.catalog_path = os.fspath(catalog_path)  # a file, or a server catalog's URL
        self.rules = rules
        self.dest = dest
        self.fmt = fmt
        self.margin = margin
        self.include_rejected = include_rejected
        self.source_root = source_root
        self.profile = profile
        self._read_bytes = read_bytes

    def run(self) -> None:
        step = STEP_CATALOG
        try:
            from facecurator.services.catalog import Catalog
            from facecurator.services.export import export
            from facecurator.services.review import all_faces, export_items, review
            from facecurator.sources import read_image_bytes

            self.stepChanged.emit(step)
            with Catalog(self.catalog_path) as catalog:
                items = export_items(all_faces(review(catalog, self.rules, source_root=self.source_root)))
            if self.isInterruptionRequested():
                raise CancelledError(export_text("export.cancelled"))
            step = STEP_DESTINATION
            publisher = _oss_publisher(self.profile) if self.dest.startswith("oss://") else None
            step = STEP_EXPORT
            self.stepChanged.emit(step)
            profile = self.profile
            read = self._read_bytes or (lambda item: read_image_bytes(item.image_uri, profile=profile))
            summary = export(
                items,
                self.dest,
                fmt=self.fmt,
                margin=self.margin,
                rules_name=self.rules.name,
                include_rejected=self.include_rejected,
                read_bytes=read,
                progress=self.progress.emit,
                cancel=self.isInterruptionRequested,
                publisher=publisher,
            )
        except CancelledError as exc:
            log.info("export to %s cancelled", self.dest)
            self.cancelled.emit(str(exc))
        except FacecuratorError as exc:
            log.error("export to %s failed (%s): %s", self.dest, step, exc)
            self.failed.emit(step, str(exc))
        except Exception as exc:
            log.exception("export to %s crashed (%s)", self.dest, step)
            self.failed.emit(step, f"{type(exc).__name__}: {exc}")
        else:
            log.info(
                "exported %d faces to %s (%s, %d files, %d failed)",
                summary.exported,
                summary.dest,
                summary.format,
                summary.files,
                len(summary.failed),
            )
            self.succeeded.emit(summary)

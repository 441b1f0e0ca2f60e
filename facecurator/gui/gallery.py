"""Gallery grid: an id-only list model, a cached-pixmap delegate and the icon view.

The model holds image ids in display order (filtered and sorted in SQL by the
store) and asks the store for each row when painted; a row not in memory is
read with the page of rows around it (the Anki browser shape). The delegate
paints cached thumbnails only and queues a render on a miss. Made for 100 000+
images: uniform cells, no per-row widgets, no global lookups in ``data()``.
"""

from __future__ import annotations

from typing import Any, Final

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QRectF,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from facecurator.gui.overlay import DEFAULT_PALETTE
from facecurator.gui.rowindex import RowIndex
from facecurator.gui.store import FETCH_PAGE, CurationStore, ImageSummary
from facecurator.gui.thumbnails import AsyncPixmapCache, render_thumbnail
from facecurator.services.catalog.queries import VERDICT_FILTERS, VERDICT_SORTS

ModelIndex = QModelIndex | QPersistentModelIndex

CELL: Final = QSize(176, 204)
THUMB_BOX: Final = 160

IMAGE_ID_ROLE: Final = Qt.ItemDataRole.UserRole + 1
SUMMARY_ROLE: Final = Qt.ItemDataRole.UserRole + 2
STATUS_ROLE: Final = Qt.ItemDataRole.UserRole + 3


# Rows laid out per event-loop turn (a few ms each).
LAYOUT_BATCH: Final = 2000


def thumb_key(image_id: int) -> str:
    return f"t{image_id}"


class GalleryModel(QAbstractListModel):
    """Image ids of the open source, filtered and sorted; row data fetched from the store."""

    def __init__(self, store: CurationStore, thumbnails: AsyncPixmapCache, parent: Any = None) -> None:
        super().__init__(parent)
        self._store = store
        self._thumbs = thumbnails
        self._ids: list[int] = []
        self._rows = RowIndex()
        self.filter_name = "all"
        self.sort_key = "name"
        store.sourceListed.connect(lambda _root: self.rebuild())
        store.sourceChanged.connect(lambda _root: self._on_verdicts_stored())
        store.imagesAdded.connect(self._on_images_added)
        store.imagesChanged.connect(self._on_images_changed)
        store.rulesChanged.connect(self._on_rules_changed)
        thumbnails.ready.connect(self._on_thumb_event)
        thumbnails.failed.connect(lambda key, _msg: self._on_thumb_event(key))

    # -- Qt model interface -------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids) or index.column() != 0:
            return None
        row = index.row()
        image_id = self._ids[row]
        if role == IMAGE_ID_ROLE:
            return image_id
        if not self._store.cached(image_id):  # read the page of rows around it in one query
            self._store.prefetch(self._ids[max(0, row - FETCH_PAGE // 6) : row + FETCH_PAGE])
        image = self._store.image(image_id)
        if role == Qt.ItemDataRole.DisplayRole:
            return image.row.name.rsplit("/", 1)[-1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(image_id)
        if role == STATUS_ROLE:
            return image.row.status
        if role == SUMMARY_ROLE:
            return self._store.summary(image_id)
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def _tooltip(self, image_id: int) -> str:
        image = self._store.image(image_id)
        row = image.row
        if row.status != "ok":
            return f"{row.name}\n{row.error or row.status}"
        s = self._store.summary(image_id)
        size = f"{row.width}×{row.height}" if row.width else ""
        return (
            f"{row.name}  {size}\n"
            + self.tr("{faces} faces: {q} qualified, {u} unqualified, {k} unknown").format(
                faces=s.faces, q=s.qualified, u=s.unqualified, k=s.unknown
            )
            + "\n"
            + self.tr("{a} accepted, {r} rejected, {p} pending").format(
                a=s.accepted, r=s.rejected, p=s.pending
            )
        )

    # -- ids, filters, sort ------------------------------------------------------------

    @property
    def store(self) -> CurationStore:
        return self._store

    def image_id(self, row: int) -> int:
        return self._ids[row]

    def ids(self) -> list[int]:
        return list(self._ids)

    def row_of(self, image_id: int) -> int | None:
        return self._rows.get(image_id)

    def index_of(self, image_id: int) -> QModelIndex:
        row = self._rows.get(image_id)
        return QModelIndex() if row is None else self.index(row, 0)

    def set_filter(self, name: str) -> None:
        if name != self.filter_name:
            self.filter_name = name
            self.rebuild()

    def set_sort(self, key: str) -> None:
        if key != self.sort_key:
            self.sort_key = key
            self.rebuild()

    def rebuild(self) -> None:
        """Recompute the visible ids (an operator action: filter, sort, new source)."""
        ids = self._store.gallery_ids(self.filter_name, self.sort_key)
        self.beginResetModel()
        self._ids = ids
        self._rows = self._store.row_index(self._ids)  # NumPy-sorted, no dict of every id
        self.endResetModel()

    def _on_images_added(self, image_ids: list[int]) -> None:
        new = [i for i in image_ids if i not in self._rows and self._store.image_matches(i, self.filter_name)]
        if not new:
            return
        first = len(self._ids)
        self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
        for offset, image_id in enumerate(new):
            self._ids.append(image_id)
            self._rows[image_id] = first + offset
        self.endInsertRows()

    def _on_images_changed(self, image_ids: list[int]) -> None:
        for image_id in image_ids:
            row = self._rows.get(image_id)
            if row is not None:
                if self._thumbs.error(thumb_key(image_id)):  # re-scanned: try the file again
                    self._thumbs.invalidate(thumb_key(image_id))
                index = self.index(row, 0)
                self.dataChanged.emit(index, index)
        self._on_images_added(image_ids)

    def _needs_verdicts(self) -> bool:
        return self.filter_name in VERDICT_FILTERS or self.sort_key in VERDICT_SORTS

    def _on_verdicts_stored(self) -> None:
        """The opened source's verdicts are stored: a verdict filter or sort can now be computed
        (the listing already showed every other view; rebuilding it would lose the scroll)."""
        if self._needs_verdicts():
            self.rebuild()

    def _on_rules_changed(self, _rules: object) -> None:
        if self._needs_verdicts():
            self.rebuild()  # membership or order depends on the verdicts
        elif self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, 0))

    def _on_thumb_event(self, key: str) -> None:
        if key.startswith("t"):
            row = self._rows.get(int(key[1:]))
            if row is not None:
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [Qt.ItemDataRole.DecorationRole])

    # -- thumbnails -------------------------------------------------------------------------

    def thumbnail(self, row: int):
        """The cached thumbnail of a row, queueing a render on a miss."""
        image_id = self._ids[row]
        key = thumb_key(image_id)
        pixmap = self._thumbs.get(key)
        if pixmap is None and self._thumbs.error(key) is None:
            image_row = self._store.image(image_id).row
            if image_row.status == "ok":
                read = self._store.read_bytes
                self._thumbs.request(key, lambda: render_thumbnail(image_row, read))
        return pixmap

    def thumbnail_error(self, row: int) -> str | None:
        return self._thumbs.error(thumb_key(self._ids[row]))


def _pill(painter: QPainter, right_or_left: QPoint, text: str, colour: QColor, *, align_right: bool) -> None:
    metrics = QFontMetrics(painter.font())
    width = metrics.horizontalAdvance(text) + 10
    height = metrics.height() + 2
    x = right_or_left.x() - width if align_right else right_or_left.x()
    rect = QRect(x, right_or_left.y(), width, height)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawRoundedRect(rect, 5, 5)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


class GalleryDelegate(QStyledItemDelegate):
    """Paints a cell from cached data only: thumbnail, name and badges."""

    def __init__(self, model: GalleryModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._badge_font = QFont()
        self._badge_font.setPixelSize(11)
        self._badge_font.setBold(True)

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        return CELL

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        model = self._model
        row = index.row()
        rect: QRect = option.rect
        state = option.state
        painter.save()
        palette = option.palette
        if state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, palette.highlight())
        elif state & QStyle.StateFlag.State_MouseOver:
            painter.fillRect(rect, palette.alternateBase())
        box = QRect(rect.x() + (rect.width() - THUMB_BOX) // 2, rect.y() + 4, THUMB_BOX, THUMB_BOX)
        status = index.data(STATUS_ROLE)
        pixmap = model.thumbnail(row) if status == "ok" else None
        if pixmap is not None and not pixmap.isNull():
            scaled = pixmap.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(
                box.x() + (box.width() - scaled.width()) // 2,
                box.y() + (box.height() - scaled.height()) // 2,
                scaled.width(),
                scaled.height(),
            )
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawPixmap(target, pixmap)
        else:
            error = status != "ok" or model.thumbnail_error(row) is not None
            painter.fillRect(box, QColor("#3a1f1f" if error else "#2a2b2e"))
            painter.setPen(QColor("#ff8a80" if error else "#80868b"))
            painter.drawText(
                box, Qt.AlignmentFlag.AlignCenter, self.tr("cannot read") if error else self.tr("loading…")
            )
        painter.setFont(self._badge_font)
        summary: ImageSummary | None = index.data(SUMMARY_ROLE)
        top_left = QPoint(box.x() + 3, box.y() + 3)
        top_right = QPoint(box.right() - 2, box.y() + 3)
        if status == "error":
            _pill(painter, top_left, self.tr("error"), QColor("#c62828"), align_right=False)
        elif summary is not None:
            colours = DEFAULT_PALETTE
            if summary.faces == 0:
                colour = QColor("#5f6368")
            elif summary.unqualified:
                colour = QColor(colours.unqualified)
            elif summary.unknown:
                colour = QColor(colours.unknown)
            else:
                colour = QColor(colours.qualified)
            colour.setAlpha(230)
            faces_text = (
                self.tr("1 face") if summary.faces == 1 else self.tr("{n} faces").format(n=summary.faces)
            )
            _pill(painter, top_left, faces_text, colour, align_right=False)
            if summary.faces:
                decided = summary.accepted + summary.rejected
                if summary.decided:
                    text = f"✓{summary.accepted} ✗{summary.rejected}"
                    badge = QColor("#1565c0")
                else:
                    text = f"{decided}/{summary.faces}"
                    badge = QColor(60, 64, 67, 220)
                _pill(painter, top_right, text, badge, align_right=True)
                if summary.qualified or summary.unqualified:
                    q_text = f"{summary.qualified} ok · {summary.unqualified + summary.unknown} no"
                    bottom = QPoint(box.x() + 3, box.bottom() - QFontMetrics(self._badge_font).height() - 3)
                    _pill(painter, bottom, q_text, QColor(0, 0, 0, 170), align_right=False)
        name = index.data(Qt.ItemDataRole.DisplayRole) or ""
        text_rect = QRect(rect.x() + 4, box.bottom() + 4, rect.width() - 8, rect.bottom() - box.bottom() - 6)
        painter.setFont(option.font)
        painter.setPen(
            palette.highlightedText().color()
            if state & QStyle.StateFlag.State_Selected
            else palette.text().color()
        )
        elided = QFontMetrics(option.font).elidedText(name, Qt.TextElideMode.ElideMiddle, text_rect.width())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, elided)
        if state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(QPen(palette.highlight().color(), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5))
        painter.restore()


class GalleryView(QListView):
    """Icon grid of a :class:`GalleryModel`; drops queued renders that scrolled away."""

    currentImageChanged = Signal(object)  # image id or None

    def __init__(
        self, model: GalleryModel, thumbnails: AsyncPixmapCache, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("gallery")
        self._thumbs = thumbnails
        # List mode flowing left to right and wrapping draws the same grid as icon
        # mode, but lays out uniform cells without asking the model per row; the
        # batched layout spreads a 100k-row reset over event-loop turns.
        self.setViewMode(QListView.ViewMode.ListMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(LAYOUT_BATCH)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setGridSize(QSize(CELL.width() + 6, CELL.height() + 6))
        self.setSpacing(0)
        self.setWrapping(True)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().setSingleStep(40)
        self.setSelectionMode(QListView.SelectionMode.ExtendedSelection)
        self.setMouseTracking(True)
        self.setModel(model)
        self.setItemDelegate(GalleryDelegate(model, self))
        self._prune_timer = QTimer(self)
        self._prune_timer.setSingleShot(True)
        self._prune_timer.setInterval(120)
        self._prune_timer.timeout.connect(self._prune_offscreen_requests)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self._prune_timer.start())
        self.selectionModel().currentChanged.connect(self._on_current_changed)
        model.modelReset.connect(self._prune_timer.start)

    def gallery_model(self) -> GalleryModel:
        return self.model()  # type: ignore[return-value]

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.currentImageChanged.emit(current.data(IMAGE_ID_ROLE) if current.isValid() else None)

    def visible_rows(self) -> range:
        """Rows intersecting the viewport (uniform grid: computed, not searched)."""
        count = self.model().rowCount()
        if count == 0:
            return range(0)
        grid = self.gridSize()
        columns = max(1, self.viewport().width() // max(grid.width(), 1))
        top = self.verticalScrollBar().value()
        first_line = max(0, top // max(grid.height(), 1))
        lines = self.viewport().height() // max(grid.height(), 1) + 2
        return range(min(count, first_line * columns), min(count, (first_line + lines) * columns))

    def _prune_offscreen_requests(self) -> None:
        model = self.gallery_model()
        rows = self.visible_rows()
        ids = [model.image_id(row) for row in rows]
        self._thumbs.retain({thumb_key(image_id) for image_id in ids})
        model.store.hint_visible(ids)  # a verdict fill evaluates these first

    def select_image(self, image_id: int) -> bool:
        index = self.gallery_model().index_of(image_id)
        if not index.isValid():
            return False
        self.setCurrentIndex(index)
        self.scrollTo(index)
        return True

"""The large image view: zoom/pan, one overlay item per face, hover and selection.

Scene coordinates are full upright image pixels (the contract's box space), so
face items use boxes as stored; the displayed pixmap (a thumbnail first, then
a preview decoded on a worker) is scaled into that space.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsSceneHoverEvent,
    QGraphicsSceneMouseEvent,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QStyleOptionGraphicsItem,
    QWidget,
)

from facecurator.gui.core_errors import error_line
from facecurator.gui.label_layout import LabelRequest, Placement, layout_labels
from facecurator.gui.legend import ColourLegend
from facecurator.gui.overlay import (
    LABEL_GAP,
    TAG_SIZE,
    OverlayContext,
    draw_face_overlay,
    label_rect,
    overlay_extent,
)
from facecurator.gui.store import CurationStore
from facecurator.gui.thumbnails import (
    AsyncPixmapCache,
    DecodedImageCache,
    ReadBytes,
    pil_to_qimage,
    render_preview,
    render_thumbnail,
)
from facecurator.services.catalog import ImageRow
from facecurator.services.review import ReviewedFace

ZOOM_STEP: Final = 1.25
MIN_ZOOM: Final = 0.02
MAX_ZOOM: Final = 32.0


def render_full(row: ImageRow, read_bytes: ReadBytes, decoded_cache: DecodedImageCache) -> QImage:
    """Worker: the whole image at full resolution (for actual size)."""
    full = max(row.width or 0, row.height or 0) or 1 << 16
    return pil_to_qimage(decoded_cache.get(row, read_bytes, full).image)


class FaceItem(QGraphicsItem):
    """One face's overlay; painting is delegated to the pure :func:`draw_face_overlay`."""

    def __init__(self, view: ImageView, face: ReviewedFace) -> None:
        super().__init__()
        self._view = view
        self.face = face
        self.setAcceptHoverEvents(True)
        self.setZValue(10)
        box = face.face.box
        self._box = QRectF(box.x, box.y, box.w, box.h)

    def context(self) -> OverlayContext:
        return self._view.face_context(self.face)

    def boundingRect(self) -> QRectF:
        return overlay_extent(self.face.face, self.context())

    def shape(self):
        from PySide6.QtGui import QPainterPath

        path = QPainterPath()
        path.addRect(self._box.adjusted(-3, -3, 3, 3))
        return path

    def paint(
        self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None
    ) -> None:
        draw_face_overlay(painter, self.face.face, self.face.verdict, self.face.decision, self.context())

    def set_face(self, face: ReviewedFace) -> None:
        self.prepareGeometryChange()
        self.face = face
        self.update()

    def hoverEnterEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._view.set_hovered_face(self.face.id)

    def hoverLeaveEvent(self, event: QGraphicsSceneHoverEvent) -> None:
        self._view.set_hovered_face(None)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._view.select_face(self.face.id)
            event.accept()
        else:
            super().mousePressEvent(event)


class ImageView(QGraphicsView):
    """Zoomable view of one image with its faces.

    Keys: ``+``/``-`` zoom; the review keys (Tab / Shift+Tab through the faces and
    on out of the view, ``Z`` zoom to the face, ``F`` fit, ``1`` true pixels, A / R)
    come from :mod:`facecurator.gui.review_keys`.
    Mouse: wheel zooms around the pointer, drag pans.
    """

    imageShown = Signal(int)  # image id, once its pixmap and faces are on screen
    previewLoaded = Signal(int)  # image id, when the large decode replaced the thumbnail
    faceHovered = Signal(object)  # face id or None
    faceSelected = Signal(object)  # face id or None
    labelsPlaced = Signal()  # the faces whose labels found no room on the image changed

    def __init__(
        self,
        store: CurationStore,
        thumbnails: AsyncPixmapCache,
        decoded: DecodedImageCache,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("imageView")
        self._store = store
        self._thumbs = thumbnails
        self._decoded = decoded
        self._previews = AsyncPixmapCache(capacity=4, max_workers=1, parent=self)
        self._previews.ready.connect(self._on_preview_ready)
        self._previews.failed.connect(self._on_preview_failed)
        self._thumbs.ready.connect(self._on_thumb_ready)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setBackgroundBrush(QColor("#202124"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.image_id: int | None = None
        self._pixmap_item: QGraphicsPixmapItem | None = None
        self._message_item: QGraphicsSimpleTextItem | None = None
        self._face_items: dict[int, FaceItem] = {}
        self._labelled: dict[int, Placement] = {}
        self._markers: dict[int, int] = {}  # face id -> its number in the label list
        self._base_context = OverlayContext()
        self._hovered: int | None = None
        self.selected_face: int | None = None
        self._fit = True
        self._full_size = (0, 0)
        self._row_awaited = False  # the shown image's row is asked of the row worker (after a change)
        self._show_awaited = False  # ... and not shown yet: the catalog's reads failed (the server gone)
        self.legend = ColourLegend(self)
        store.rowsRead.connect(self._on_rows_read)
        store.rulesChanged.connect(lambda _rules: self.refresh_faces())
        store.facesChanged.connect(self._on_faces_changed)
        store.imagesChanged.connect(self._on_images_changed)

    # -- showing ---------------------------------------------------------------------

    def show_image(self, image_id: int | None) -> None:
        """Show an image: its thumbnail at once (if cached), the preview when decoded."""
        if image_id == self.image_id and image_id is not None:
            return
        self._clear(image_id)
        if image_id is None or not self._store.has_image(image_id):
            self._show_message(self.tr("No image selected"))
            return
        if not self._store.cached(image_id) and not self._store.rows_now(image_ids=[image_id]):
            self._show_message(self.tr("loading…"))  # (asked of the row worker: shown when in)
            self._row_awaited = self._show_awaited = True
            return
        self._show_read(image_id)

    def show_loading(self) -> None:
        """No image while the current one's row is read on the store's row worker (a large
        gallery's): ``show_image`` once it is in."""
        self._clear(None)
        self._show_message(self.tr("loading…"))

    def _clear(self, image_id: int | None) -> None:
        self._row_awaited = self._show_awaited = False
        scene = self.scene()
        scene.clear()
        self._pixmap_item = None
        self._message_item = None
        self._face_items = {}
        if self._markers:
            self._markers = {}
            self.labelsPlaced.emit()
        self._hovered = None
        self.selected_face = None
        self.image_id = image_id
        self._fit = True

    def _show_read(self, image_id: int) -> None:
        scene = self.scene()
        image = self._store.image(image_id)
        row = image.row
        if row.status != "ok":
            self._show_message(
                error_line(row.error) if row.error else self.tr("This image could not be read.")
            )
            self.imageShown.emit(image_id)
            return
        width, height = row.width or 0, row.height or 0
        self._full_size = (width, height)
        scene.setSceneRect(QRectF(0, 0, max(width, 1), max(height, 1)))
        preview = self._previews.get(self._preview_key(image_id))
        thumb = self._thumbs.get(f"t{image_id}")
        if preview is not None:
            self._set_pixmap(preview)
        elif thumb is not None:
            self._set_pixmap(thumb)
        if preview is None:
            read = self._store.read_bytes
            self._previews.request(
                self._preview_key(image_id), lambda: render_preview(row, read, self._decoded)
            )
            if thumb is None:
                self._thumbs.request(f"t{image_id}", lambda: render_thumbnail(row, read))
        self.refresh_faces()
        self.fit()
        self.imageShown.emit(image_id)

    @staticmethod
    def _preview_key(image_id: int) -> str:
        return f"p{image_id}"

    def _show_message(self, text: str) -> None:
        item = self.scene().addSimpleText(text)
        item.setBrush(QColor("#e8eaed"))
        self._message_item = item
        self.scene().setSceneRect(item.boundingRect().adjusted(-20, -20, 20, 20))
        self.resetTransform()

    def _set_pixmap(self, pixmap: QPixmap) -> None:
        if self._pixmap_item is None:
            self._pixmap_item = self.scene().addPixmap(pixmap)
            self._pixmap_item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
            self._pixmap_item.setZValue(0)
        else:
            self._pixmap_item.setPixmap(pixmap)
        width = self._full_size[0] or pixmap.width()
        self._pixmap_item.setScale(width / max(pixmap.width(), 1))

    def _on_thumb_ready(self, key: str) -> None:
        if self.image_id is not None and key == f"t{self.image_id}" and self._pixmap_item is None:
            pixmap = self._thumbs.get(key)
            if pixmap is not None:
                self._set_pixmap(pixmap)

    def _on_preview_ready(self, key: str) -> None:
        if self.image_id is not None and key == f"F{self.image_id}":
            pixmap = self._previews.get(key)
            if pixmap is not None and not self._fit:
                self._set_pixmap(pixmap)
                self.previewLoaded.emit(self.image_id)
            return
        if self.image_id is not None and key == self._preview_key(self.image_id):
            pixmap = self._previews.get(key)
            if pixmap is not None:
                self._set_pixmap(pixmap)
                self.previewLoaded.emit(self.image_id)

    def _on_preview_failed(self, key: str, message: str) -> None:
        if (
            self.image_id is not None
            and key == self._preview_key(self.image_id)
            and self._pixmap_item is None
        ):
            self._show_message(message)

    def refresh_faces(self) -> None:
        """Re-read the shown image's faces (verdicts, decisions) from the store."""
        if self.image_id is None or not self._store.has_image(self.image_id) or self._row_later():
            return
        faces = {face.id: face for face in self._store.image(self.image_id).faces}
        for face_id in [i for i in self._face_items if i not in faces]:
            self.scene().removeItem(self._face_items.pop(face_id))
        for face_id, face in faces.items():
            item = self._face_items.get(face_id)
            if item is None:
                item = FaceItem(self, face)
                self._face_items[face_id] = item
                self.scene().addItem(item)
            else:
                item.set_face(face)
        self._geometry_changed()

    def _on_faces_changed(self, face_ids: list[int]) -> None:
        if any(face_id in self._face_items for face_id in face_ids):
            self.refresh_faces()

    def _on_images_changed(self, image_ids: list[int]) -> None:
        if self.image_id in image_ids and not self._row_later():
            row = self._store.image(self.image_id).row
            if (row.width or 0, row.height or 0) != self._full_size and row.status == "ok":
                current, self.image_id = self.image_id, None
                self.show_image(current)  # re-detected with another size: rebuild
            else:
                self.refresh_faces()

    def _row_later(self) -> bool:
        """Whether the shown image's row, not in the store's memory after a change (a decision:
        its row is forgotten), is asked of the store's row worker -- on PostgreSQL, where a read
        by id is a round trip or two (3-25 ms at 1M under load, on the GUI thread after each
        decision) -- the change taken up again by :meth:`_on_rows_read`. SQLite reads it now."""
        image_id = self.image_id
        if image_id is None or not self._store.rows_later or self._store.cached(image_id):
            return False
        self._store.read_later(image_ids=[image_id])
        self._row_awaited = self._store.read_pending(image_ids=[image_id])  # (no such row: read now)
        return self._row_awaited

    def _on_rows_read(self, image_ids: list[int], _face_ids: list[int]) -> None:
        if self._row_awaited and self.image_id in image_ids:
            self._row_awaited = False
            if self._show_awaited:  # (its first read failed: shown now)
                current, self.image_id = self.image_id, None
                self.show_image(current)
                return
            self._on_images_changed([self.image_id])  # (the faces refreshed, or the image rebuilt)

    def face_items(self) -> dict[int, FaceItem]:
        return dict(self._face_items)

    def face_ids(self) -> list[int]:
        """The shown image's faces, left to right (the order Tab goes through them)."""
        items = sorted(self._face_items.values(), key=lambda i: (i.face.face.box.x, i.face.face.box.y))
        return [item.face.id for item in items]

    def step_face(self, step: int) -> bool:
        """Select the next (``step`` 1) or previous (-1) face. Past the last (first)
        face the selection is cleared and False is returned: the focus goes on."""
        ids = self.face_ids()
        if not ids:
            return False
        if self.selected_face in ids:
            index = ids.index(self.selected_face) + step
        else:
            index = 0 if step > 0 else len(ids) - 1
        if not 0 <= index < len(ids):
            self.select_face(None)
            return False
        self.select_face(ids[index])
        return True

    # -- overlay options -------------------------------------------------------------

    def overlay_context(self, *, highlighted: bool = False) -> OverlayContext:
        return replace(self._base_context, scale=self.transform().m11() or 1.0, highlighted=highlighted)

    def face_context(self, face: ReviewedFace) -> OverlayContext:
        """One face's context, with its label where the label layout put it (no two labels
        overlap; a label away from its face gets a leader line)."""
        ctx = self.overlay_context(highlighted=self.is_highlighted(face.id))
        if not ctx.show_labels:
            return ctx
        placement = self._labelled.get(face.id)
        if placement is None:
            return replace(ctx, show_labels=False, marker=self._markers.get(face.id))
        return replace(ctx, label_at=(placement.x, placement.y, placement.leader))

    def _layout_labels(self) -> None:
        """Place every face's label (emphasised faces first, then left to right) so that no two
        labels overlap and no label covers a face's box (a face without room anywhere gets a number
        on its box and its label in the list under the view; :func:`layout_labels`)."""
        scale = self.transform().m11() or 1.0
        order = sorted(
            self._face_items.values(),
            key=lambda item: (
                not self.is_highlighted(item.face.id),
                item.face.face.box.x,
                item.face.face.box.y,
            ),
        )
        requests = []
        badge = (TAG_SIZE + 2) / scale  # room above each box for its number, should it need one
        for item in order:
            rect = label_rect(item.face.face, scale)
            if rect is None:
                continue
            box = item.face.face.box
            requests.append(
                LabelRequest(
                    item.face.id,
                    QRectF(box.x, box.y - badge, box.w, box.h + badge),
                    rect.width(),
                    rect.height(),
                )
            )
        # Labels may use the whole visible area (the margins beside a fitted image too), so a
        # crowded photo at a small zoom still has room for every label.
        width, height = self._full_size
        bounds = QRectF(0, 0, width, height) if width and height else QRectF()
        area = self.viewport().rect()
        if self.legend.isVisible():  # not under the colour legend
            area.setBottom(area.bottom() - self.legend.height() - 8)
        visible = self.mapToScene(area).boundingRect()
        if visible.isValid() and not visible.isEmpty() and self.isVisible():
            bounds = visible
        self._labelled = layout_labels(requests, bounds, LABEL_GAP / scale)
        self._number_unplaced([r for r in requests if r.face_id not in self._labelled])

    def _number_unplaced(self, requests: list[LabelRequest]) -> None:
        """Number the faces whose label found no room (left to right, then top to bottom): each
        gets its number on its box and its label in the list under the view (:meth:`unplaced_labels`)."""
        order = sorted(requests, key=lambda r: (r.box.x(), r.box.y(), r.face_id))
        markers = {request.face_id: number for number, request in enumerate(order, 1)}
        if markers != self._markers:
            self._markers = markers
            self.labelsPlaced.emit()

    def unplaced_labels(self) -> list[tuple[int, ReviewedFace]]:
        """``(number, face)`` of each face whose label is not on the image (no room), in number order."""
        items = self._face_items
        return sorted((n, items[i].face) for i, n in self._markers.items() if i in items)

    def set_overlay_options(
        self, *, boxes: bool | None = None, landmarks: bool | None = None, labels: bool | None = None
    ) -> None:
        ctx = self._base_context
        self._base_context = replace(
            ctx,
            show_boxes=ctx.show_boxes if boxes is None else boxes,
            show_landmarks=ctx.show_landmarks if landmarks is None else landmarks,
            show_labels=ctx.show_labels if labels is None else labels,
        )
        self._geometry_changed()

    def set_palette_colours(self, palette: object) -> None:
        self._base_context = replace(self._base_context, palette=palette)  # type: ignore[arg-type]
        self._geometry_changed()

    def is_highlighted(self, face_id: int) -> bool:
        return face_id in (self._hovered, self.selected_face)

    def set_hovered_face(self, face_id: int | None) -> None:
        if face_id != self._hovered:
            self._hovered = face_id
            self._emphasis_changed()
            self.faceHovered.emit(face_id)

    def select_face(self, face_id: int | None) -> None:
        if face_id != self.selected_face:
            self.selected_face = face_id
            self._emphasis_changed()
        self.faceSelected.emit(face_id)

    def _emphasis_changed(self) -> None:
        # The emphasised face draws on top, and its label may appear: new extent.
        for face_id, item in self._face_items.items():
            item.setZValue(11 if self.is_highlighted(face_id) else 10)
        self._geometry_changed()

    def _geometry_changed(self) -> None:
        self._layout_labels()
        for item in self._face_items.values():
            item.prepareGeometryChange()
        self.viewport().update()

    # -- zoom and pan ---------------------------------------------------------------------

    def fit(self) -> None:
        self._fit = True
        if self._pixmap_item is not None or self._face_items:
            self.fitInView(self.sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)
        self._geometry_changed()

    def actual_size(self) -> None:
        """One screen pixel per image pixel, centred on the selected face (else the
        centre). An image larger than the preview is decoded in full for it."""
        self._fit = False
        self.resetTransform()
        if self.image_id is not None and self._pixmap_item is not None and self._pixmap_item.scale() > 1.0:
            self._request_full(self.image_id)
        self.centerOn(self._focus_point())
        self._geometry_changed()

    def zoom_to_face(self) -> None:
        """Fit the selected face (with a margin) into the view; fit the image when none is."""
        face = self._face_items.get(self.selected_face) if self.selected_face is not None else None
        if face is None:
            self.fit()
            return
        self._fit = False
        box = face.face.face.box
        margin = max(box.w, box.h) * 0.6
        self.fitInView(
            QRectF(box.x - margin, box.y - margin, box.w + 2 * margin, box.h + 2 * margin),
            Qt.AspectRatioMode.KeepAspectRatio,
        )
        self._geometry_changed()

    def pixel_exact(self) -> bool:
        """Whether one screen pixel shows one image pixel now (actual size, full decode)."""
        return (
            abs(self.transform().m11() - 1.0) < 1e-9
            and self._pixmap_item is not None
            and abs(self._pixmap_item.scale() - 1.0) < 1e-9
        )

    def _focus_point(self) -> QPointF:
        face = self._face_items.get(self.selected_face) if self.selected_face is not None else None
        if face is not None:
            box = face.face.face.box
            return QPointF(box.x + box.w / 2, box.y + box.h / 2)
        return self.sceneRect().center()

    def _request_full(self, image_id: int) -> None:
        key = f"F{image_id}"
        pixmap = self._previews.get(key)
        if pixmap is not None:
            self._set_pixmap(pixmap)
            return
        row = self._store.image(image_id).row
        read, decoded = self._store.read_bytes, self._decoded
        self._previews.request(key, lambda: render_full(row, read, decoded))

    def zoom_by(self, factor: float) -> None:
        current = self.transform().m11() or 1.0
        target = min(MAX_ZOOM, max(MIN_ZOOM, current * factor))
        self._fit = False
        self.scale(target / current, target / current)
        self._geometry_changed()

    def zoom_in(self) -> None:
        self.zoom_by(ZOOM_STEP)

    def zoom_out(self) -> None:
        self.zoom_by(1 / ZOOM_STEP)

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom_by(ZOOM_STEP**steps)
        event.accept()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.legend.fit_to(self.viewport().width() - 12)
        self.legend.move(6, self.viewport().height() - self.legend.height() - 6)
        if self._fit:
            QTimer.singleShot(0, self.fit)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """``+``/``-`` zoom here; the review keys (faces, decisions, ``Z``/``F``/``1``)
        are the window's :class:`~facecurator.gui.review_keys.ReviewKeys`."""
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.zoom_out()
        else:
            super().keyPressEvent(event)

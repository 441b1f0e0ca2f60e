"""The review keys, carried out in whichever page has the focus.

:class:`ReviewKeys` filters the key presses of the gallery grid, the image view
and the triage grid, asks the :class:`~facecurator.gui.keymap.KeyMap` which
command a press is, and does it there:

* Gallery grid / image view: next/previous image moves the gallery's current
  image (the focus stays where it is); next/previous face selects the image's
  faces in turn and, past the last one, lets the focus go on to the next field;
  accept/reject decide the selected face (or the image's only face) and go on to
  the next face, then the next image; ``Z``/``F``/``1`` zoom the image view.
* Triage grid: next/previous face is the next/previous cell, next/previous image
  the next cell of another image; accept/reject/skip as before (decide, then
  the next pending face); ``Z``/``F``/``1`` open the face's image in the gallery
  and zoom there.

Undo and the shortcut sheet are window actions (they work from any widget);
their shortcuts follow the key map too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView

from facecurator.gui.keymap import KeyMap

if TYPE_CHECKING:
    from facecurator.gui.main_window import MainWindow

#: Commands a window action carries out (their shortcuts are set from the key map).
ACTION_COMMANDS = ("undo", "shortcuts")


class _NotRead(Exception):
    """A row's page (a decision state's grid) or a large grid's row is read on the worker: the
    step waits for it."""


class ReviewKeys(QObject):
    """Event filter over the review widgets of one main window."""

    def __init__(self, window: MainWindow, keymap: KeyMap) -> None:
        super().__init__(window)
        self._window = window
        self.keymap = keymap
        self.last_command: str | None = None
        #: a Triage image step waiting for a row's page read on the worker: (the paged list, the
        #: row it steps from, the step)
        self._waiting: tuple[object, int, int] | None = None
        for widget in (window.gallery, window.image_view, window.triage.view):
            widget.installEventFilter(self)
        window.triage.model.rowsArrived.connect(self._rows_arrived)
        window.store.rowsRead.connect(lambda _images, _faces: self._rows_arrived(0, 0))

    # -- dispatch ------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        command = self.keymap.command_for(event)
        if command is None or command in ACTION_COMMANDS:
            return False
        window = self._window
        handled = self._in_triage(command) if watched is window.triage.view else self._in_gallery(command)
        if handled:
            self.last_command = command
        return handled

    # -- gallery and image view --------------------------------------------------------------

    def _in_gallery(self, command: str) -> bool:
        window = self._window
        view = window.image_view
        if command in ("next_image", "prev_image"):
            return self.step_image(1 if command == "next_image" else -1)
        if command in ("next_face", "prev_face"):
            return view.step_face(1 if command == "next_face" else -1)
        if command in ("accept", "reject"):
            if window.decide_in_view("accepted" if command == "accept" else "rejected"):
                self._gallery_go_on()
            return True
        if command == "skip":
            self._gallery_go_on(pending_only=True)
            return True
        if command == "zoom_face":
            view.zoom_to_face()
            return True
        if command == "fit":
            view.fit()
            return True
        if command == "actual_size":
            view.actual_size()
            return True
        return False

    def step_image(self, step: int) -> bool:
        """Move the gallery's current image by ``step`` (the focus stays put)."""
        gallery = self._window.gallery
        model = gallery.model()
        count = model.rowCount()
        if count == 0:
            return True
        current = gallery.currentIndex()
        row = current.row() + step if current.isValid() else 0
        row = max(0, min(count - 1, row))
        index = model.index(row, 0)
        gallery.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        gallery.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def _gallery_go_on(self, *, pending_only: bool = False) -> None:
        """After a decision (or a skip): the image's next face, else the next image."""
        view = self._window.image_view
        store = self._window.store
        ids = view.face_ids()
        current = view.selected_face
        start = ids.index(current) + 1 if current in ids else 0
        for face_id in ids[start:]:
            if not pending_only or store.face(face_id).decision == "pending":
                view.select_face(face_id)
                return
        before = self._window.gallery.currentIndex().row()
        self.step_image(1)
        if self._window.gallery.currentIndex().row() != before and not view.face_ids():
            return
        ids = view.face_ids()
        if ids and view.selected_face is None:
            view.select_face(ids[0])

    # -- triage -------------------------------------------------------------------------------

    def _in_triage(self, command: str) -> bool:
        window = self._window
        triage = window.triage
        grid = triage.view
        count = triage.model.rowCount()
        row = grid.currentIndex().row() if grid.currentIndex().isValid() else -1
        if command in ("next_face", "prev_face"):
            target = row + (1 if command == "next_face" else -1)
            if not 0 <= target < count:
                return False  # let the focus go on to the next / previous field
            grid.move_to_row(target)
            return True
        if command in ("next_image", "prev_image"):
            if count:
                self._step_image(row, 1 if command == "next_image" else -1)
            return True
        if command in ("accept", "reject", "skip"):
            window.triage_decide({"accept": "accepted", "reject": "rejected"}.get(command, "skip"))
            return True
        if command in ("zoom_face", "fit", "actual_size"):
            face_id = triage.current_face_id()
            if face_id is not None:
                window.open_face_in_gallery(face_id)
                self._in_gallery(command)
            return True
        return False

    def _step_image(self, row: int, step: int) -> None:
        """Triage's current face to the next (previous) image's, from ``row``; when a row it reads
        is on a page read on the worker (a decision state's grid: PgDown in "Accepted" read its
        next page on the GUI thread, up to 1.24 s at 1M on PostgreSQL), once that page arrives."""
        triage = self._window.triage
        try:
            target = self._other_image_row(row, step)
        except _NotRead:
            self._waiting = (triage.model.paged, row, step)
            return
        self._waiting = None
        triage.view.move_to_row(target)

    def _rows_arrived(self, _first: int, _last: int) -> None:
        """A page (or a row) read on the worker arrived: an image step waiting for it is taken
        (if the grid still shows that list with the current face where the step began)."""
        waiting, self._waiting = self._waiting, None
        triage = self._window.triage
        if waiting is not None and waiting[0] is triage.model.paged:
            current = triage.view.currentIndex()
            if (current.row() if current.isValid() else -1) == waiting[1]:
                self._step_image(waiting[1], waiting[2])

    def _other_image_row(self, row: int, step: int) -> int:
        """The next (previous) row whose face belongs to another image than ``row``'s (raises
        :class:`_NotRead` for a row whose page is on its way)."""
        triage = self._window.triage
        store = self._window.store
        count = triage.model.rowCount()

        def image_of(at: int) -> int:
            face_id = triage.model.id_now(at)
            if face_id is None:
                raise _NotRead
            if triage.model.reads_later and not store.face_cached(face_id):  # read on the row worker
                store.read_later(face_ids=[face_id])
                raise _NotRead
            return store.face(face_id).image.id

        if row < 0:
            return 0
        image_id = image_of(row)
        target = row + step
        while 0 <= target < count and image_of(target) == image_id:
            target += step
        if not 0 <= target < count:
            return row
        if step < 0:  # the first face of that previous image
            other = image_of(target)
            while target > 0 and image_of(target - 1) == other:
                target -= 1
        return target

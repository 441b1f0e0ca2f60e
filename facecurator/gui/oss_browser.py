"""Browsing an OSS bucket like folders, one listing page at a time.

:class:`OssListingModel` shows the "folders" (common prefixes, delimiter ``/``)
and objects directly below one prefix. It asks OSS for one ListObjectsV2 page
when the view needs rows (``canFetchMore``/``fetchMore``, which the view calls
when it is scrolled to the end), on a worker thread, and appends the page; so a
prefix with a million objects shows its first page at once and the rest only as
the operator scrolls. :class:`OssBrowser` is the source chooser's OSS tab:
profile, bucket (listed with ListBuckets), a path with an Up button, the listing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from facecurator.domain.image_names import is_supported_name
from facecurator.errors import FacecuratorError
from facecurator.gui.background import run_in_background
from facecurator.gui.cloud_names import default_profile_name, oss_source_text, profile_names
from facecurator.gui.core_errors import core_message

log = logging.getLogger("facecurator.gui.oss")

# Keys per ListObjectsV2 request from the browser (OSS allows up to 1 000).
PAGE_SIZE: Final = 1000
KEY_ROLE: Final = Qt.ItemDataRole.UserRole
KIND_ROLE: Final = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex
# ``(prefix, continuation_token) -> OssPage``; runs on a worker thread.
PageLister = Callable[[str, str | None], Any]


@dataclass(frozen=True, slots=True)
class OssEntry:
    kind: str  # "prefix" or "object"
    key: str  # the full prefix (ending in "/") or object key
    name: str  # relative to the listed prefix
    size: int | None = None


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, FacecuratorError):
        return core_message(exc)
    log.error("OSS listing failed", exc_info=exc)
    return f"{type(exc).__name__}: {exc}"


class OssListingModel(QAbstractListModel):
    """Prefixes and objects directly below one prefix of one bucket, fetched page by page."""

    pageLoaded = Signal(int)  # pages loaded so far for the current prefix
    loadingChanged = Signal(bool)
    failed = Signal(str)  # one-line reason (no listing until the location changes)

    def __init__(self, parent: QObject | None = None, *, page_size: int = PAGE_SIZE) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self.bucket: str | None = None
        self.prefix = ""
        self.error: str | None = None
        self.pages_loaded = 0
        self._lister: PageLister | None = None
        self._entries: list[OssEntry] = []
        self._token: str | None = None
        self._started = False
        self._loading = False
        self._generation = 0
        self._icons: dict[str, Any] = {}

    # -- location --------------------------------------------------------------------------

    def set_location(
        self,
        bucket: str | None,
        prefix: str = "",
        *,
        profile: str | None = None,
        lister: PageLister | None = None,
    ) -> None:
        """Show ``bucket``/``prefix`` (nothing is listed until the view asks for rows).

        Args:
            lister: the page source (default: :meth:`OssSource.list_page` of the bucket
                under ``profile``, created on the worker thread).
        """
        self.beginResetModel()
        self._generation += 1
        self.bucket = bucket or None
        self.prefix = prefix.lstrip("/")
        self._entries = []
        self._token = None
        self._started = False
        self.error = None
        self.pages_loaded = 0
        if self._loading:
            self._loading = False
            self.loadingChanged.emit(False)
        self._lister = (
            lister if lister is not None else (self._oss_lister(bucket, profile) if bucket else None)
        )
        self.endResetModel()

    def _oss_lister(self, bucket: str, profile: str | None) -> PageLister:
        holder: dict[str, Any] = {}
        page_size = self.page_size

        def list_page(prefix: str, token: str | None) -> Any:
            from facecurator.sources.oss import OssSource

            source = holder.get("source")
            if source is None:
                source = holder["source"] = OssSource(f"oss://{bucket}/", profile, page_size=page_size)
            return source.list_page(prefix, token, delimiter="/", max_keys=page_size)

        return list_page

    @property
    def loading(self) -> bool:
        return self._loading

    @property
    def exhausted(self) -> bool:
        """Every page of the current prefix has been loaded."""
        return self._started and self._token is None and not self._loading

    def location_text(self) -> str:
        return f"oss://{self.bucket}/{self.prefix}" if self.bucket else ""

    # -- fetching --------------------------------------------------------------------------

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        if parent.isValid() or self._lister is None or self._loading or self.error is not None:
            return False
        return not self._started or self._token is not None

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        lister, prefix, token = self._lister, self.prefix, self._token
        generation = self._generation
        self._started = True
        self._loading = True
        self.loadingChanged.emit(True)
        assert lister is not None
        run_in_background(
            lambda: lister(prefix, token),
            lambda page: self._on_page(generation, page),
            lambda exc: self._on_error(generation, exc),
            receiver=self,
        )

    def _on_page(self, generation: int, page: Any) -> None:
        if generation != self._generation:
            return  # the location changed while this page was on its way
        self._loading = False
        self._token = page.next_token
        base = len(self.prefix)
        entries = [OssEntry("prefix", p, p[base:]) for p in page.prefixes if p != self.prefix]
        for ref in page.objects:
            key = ref.uri.split("/", 3)[3] if ref.uri.count("/") >= 3 else ref.name
            entries.append(OssEntry("object", key, key[base:], ref.size))
        if entries:
            first = len(self._entries)
            self.beginInsertRows(QModelIndex(), first, first + len(entries) - 1)
            self._entries.extend(entries)
            self.endInsertRows()
        self.pages_loaded += 1
        self.loadingChanged.emit(False)
        self.pageLoaded.emit(self.pages_loaded)

    def _on_error(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self.error = _error_text(exc)
        self.loadingChanged.emit(False)
        self.failed.emit(self.error)

    # -- model -----------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def entry(self, row: int) -> OssEntry:
        return self._entries[row]

    def counts(self) -> tuple[int, int]:
        """(prefixes, objects) shown so far."""
        prefixes = sum(1 for e in self._entries if e.kind == "prefix")
        return prefixes, len(self._entries) - prefixes

    def _icon(self, kind: str) -> Any:
        icon = self._icons.get(kind)
        if icon is None:
            from PySide6.QtWidgets import QApplication

            pixmap = {
                "prefix": QStyle.StandardPixmap.SP_DirIcon,
                "object": QStyle.StandardPixmap.SP_FileIcon,
            }[kind]
            icon = self._icons[kind] = QApplication.style().standardIcon(pixmap)
        return icon

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries) or index.column() != 0:
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.name
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(entry.kind)
        if role == Qt.ItemDataRole.ToolTipRole:
            uri = f"oss://{self.bucket}/{entry.key}"
            return uri if entry.size is None else f"{uri} ({entry.size:,} bytes)"
        if role == Qt.ItemDataRole.ForegroundRole and entry.kind == "object":
            if not is_supported_name(entry.name):
                from PySide6.QtGui import QPalette
                from PySide6.QtWidgets import QApplication

                return QApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
            return None
        if role == KEY_ROLE:
            return entry.key
        if role == KIND_ROLE:
            return entry.kind
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class OssBrowser(QWidget):
    """Profile, bucket and a folder-like listing; ``source_text()`` is the chosen ``oss://`` source."""

    profilesRequested = Signal()

    def __init__(self, parent: QWidget | None = None, *, profile: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ossBrowser")
        self.profile_combo = QComboBox(self)
        self.profile_combo.setObjectName("ossProfile")
        self.profiles_button = QPushButton(self.tr("Profiles…"), self)
        self.profiles_button.setObjectName("ossProfiles")
        self.profiles_button.setToolTip(self.tr("Create or edit cloud profiles and credentials"))
        self.profiles_button.clicked.connect(self.profilesRequested)
        self.bucket_combo = QComboBox(self)
        self.bucket_combo.setObjectName("ossBucket")
        self.bucket_combo.setEditable(True)
        self.bucket_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        edit = self.bucket_combo.lineEdit()
        assert edit is not None  # an editable combo box has its line edit
        self.bucket_edit: QLineEdit = edit
        self.bucket_edit.setPlaceholderText(self.tr("bucket name"))
        self.refresh_button = QPushButton(self.tr("List buckets"), self)
        self.refresh_button.setObjectName("ossListBuckets")
        self.up_button = QToolButton(self)
        self.up_button.setObjectName("ossUp")
        self.up_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogToParent))
        self.up_button.setToolTip(self.tr("Up one folder"))
        self.prefix_edit = QLineEdit(self)
        self.prefix_edit.setObjectName("ossPrefix")
        self.prefix_edit.setPlaceholderText(self.tr("prefix, e.g. people/ (empty: the whole bucket)"))
        self.model = OssListingModel(self)
        self.view = QListView(self)
        self.view.setObjectName("ossListing")
        self.view.setModel(self.model)
        self.view.setUniformItemSizes(True)  # a million rows stay cheap to lay out
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.status = QLabel(self)
        self.status.setObjectName("ossStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Profile"), self))
        top.addWidget(self.profile_combo, 1)
        top.addWidget(self.profiles_button)
        top.addSpacing(12)
        top.addWidget(QLabel(self.tr("Bucket"), self))
        top.addWidget(self.bucket_combo, 2)
        top.addWidget(self.refresh_button)
        path = QHBoxLayout()
        path.addWidget(self.up_button)
        path.addWidget(QLabel(self.tr("Prefix"), self))
        path.addWidget(self.prefix_edit, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(path)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)

        self.reload_profiles(profile)
        self.profile_combo.activated.connect(lambda _i: self._profile_chosen())
        self.refresh_button.clicked.connect(self.list_buckets)
        self.bucket_combo.activated.connect(lambda _i: self.navigate(""))
        self.bucket_edit.returnPressed.connect(lambda: self.navigate(""))
        self.prefix_edit.returnPressed.connect(lambda: self.navigate(self.prefix_edit.text()))
        self.up_button.clicked.connect(self.go_up)
        self.view.doubleClicked.connect(self._open_row)
        self.view.activated.connect(self._open_row)
        self.model.loadingChanged.connect(lambda _b: self._show_status())
        self.model.failed.connect(lambda _m: self._show_status())
        self.model.modelReset.connect(self._show_status)
        self._buckets_generation = 0
        self._show_status()

    # -- profile and buckets -----------------------------------------------------------------

    def profile(self) -> str | None:
        return self.profile_combo.currentText().strip() or None

    def reload_profiles(self, select: str | None = None) -> None:
        """Re-read the profile list (after the profiles dialog saved or deleted one)."""
        wanted = select or self.profile() or default_profile_name()
        self.profile_combo.clear()
        names = profile_names()
        if wanted not in names:
            names.append(wanted)
        self.profile_combo.addItems(names)
        self.profile_combo.setCurrentIndex(self.profile_combo.findText(wanted))

    def _profile_chosen(self) -> None:
        from facecurator.cloud.profiles import load_profile

        self.bucket_combo.clear()
        try:
            bucket = load_profile(self.profile()).bucket
        except FacecuratorError as exc:
            self.status.setText(core_message(exc))
            return
        self.bucket_edit.setText(bucket or "")
        if bucket:
            self.navigate("")
        self.list_buckets()

    def list_buckets(self) -> None:
        """ListBuckets of the profile on a worker; the names fill the bucket box."""
        from facecurator.sources.oss import list_buckets

        profile = self.profile()
        self._buckets_generation += 1
        generation = self._buckets_generation
        self.refresh_button.setEnabled(False)
        self.status.setText(self.tr("Listing the buckets of profile {name}…").format(name=profile))
        run_in_background(
            lambda: list_buckets(profile),
            lambda buckets: self._on_buckets(generation, buckets),
            lambda exc: self._on_buckets_failed(generation, exc),
            receiver=self,
        )

    def _on_buckets(self, generation: int, buckets: list[Any]) -> None:
        if generation != self._buckets_generation:
            return
        self.refresh_button.setEnabled(True)
        typed = self.bucket_edit.text()
        self.bucket_combo.clear()
        for info in buckets:
            self.bucket_combo.addItem(info.name)
            if info.region:
                self.bucket_combo.setItemData(
                    self.bucket_combo.count() - 1,
                    self.tr("region {region}").format(region=info.region),
                    Qt.ItemDataRole.ToolTipRole,
                )
        self.bucket_edit.setText(typed or (buckets[0].name if buckets else ""))
        if not buckets:
            self.status.setText(self.tr("Profile {name} has no buckets.").format(name=self.profile()))
        elif not typed:
            self.navigate("")
        else:
            self._show_status()

    def _on_buckets_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._buckets_generation:
            return
        self.refresh_button.setEnabled(True)
        self.status.setText(
            self.tr("Cannot list the buckets: {error} (type the bucket name instead)").format(
                error=_error_text(exc)
            )
        )

    # -- navigation ------------------------------------------------------------------------

    def bucket(self) -> str:
        return self.bucket_edit.text().strip().strip("/")

    def set_location(self, bucket: str, prefix: str, *, list_now: bool = False) -> None:
        """Fill the bucket and prefix boxes (the listing follows when ``list_now`` or on Enter)."""
        self.bucket_edit.setText(bucket)
        self.prefix_edit.setText(prefix)
        if list_now:
            self.navigate(prefix)

    def navigate(self, prefix: str) -> None:
        """List ``prefix`` of the chosen bucket (one page now, more as the view scrolls)."""
        from facecurator.sources.oss import parse_oss_uri

        bucket = self.bucket()
        prefix = prefix.strip().lstrip("/")
        self.prefix_edit.setText(prefix)
        if not bucket:
            self.model.set_location(None)
            return
        try:
            parse_oss_uri(f"oss://{bucket}/")
        except FacecuratorError as exc:
            self.model.set_location(None)
            self.status.setText(core_message(exc))
            return
        self.model.set_location(bucket, prefix, profile=self.profile())
        self.up_button.setEnabled(bool(prefix))
        # QListView asks for rows once it lays out; do not wait for that when hidden.
        if self.model.canFetchMore():
            self.model.fetchMore()

    def go_up(self) -> None:
        prefix = self.model.prefix.rstrip("/")
        self.navigate(prefix.rpartition("/")[0] + "/" if "/" in prefix else "")

    def _open_row(self, index: QModelIndex) -> None:
        if index.isValid() and index.data(KIND_ROLE) == "prefix":
            self.navigate(index.data(KEY_ROLE))

    def selected_prefix(self) -> str | None:
        """The selected folder's prefix, if a folder row is selected."""
        index = self.view.currentIndex()
        if (
            index.isValid()
            and self.view.selectionModel().isSelected(index)
            and index.data(KIND_ROLE) == "prefix"
        ):
            return str(index.data(KEY_ROLE))
        return None

    def source_text(self) -> str:
        """``oss://BUCKET/PREFIX`` of the selected folder, else of the prefix shown ('' without a bucket)."""
        bucket = self.bucket()
        if not bucket:
            return ""
        prefix = self.selected_prefix()
        if prefix is None:
            prefix = self.prefix_edit.text()
        return oss_source_text(bucket, prefix)

    def _show_status(self) -> None:
        model = self.model
        if model.error:
            self.status.setText(self.tr("Listing failed: {error}").format(error=core_message(model.error)))
        elif model.bucket is None:
            self.status.setText(self.tr("Choose a profile and a bucket."))
        elif model.loading:
            self.status.setText(self.tr("Listing {location}…").format(location=model.location_text()))
        else:
            folders, objects = model.counts()
            more = "" if model.exhausted else self.tr(" (more when you scroll down)")
            self.status.setText(
                self.tr("{location} — folders: {folders}, objects: {objects}{more}").format(
                    location=model.location_text(), folders=folders, objects=objects, more=more
                )
            )

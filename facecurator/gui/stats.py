"""Statistics of the faces in the current filter: attribute histograms and per-condition outcomes.

The numbers come from :func:`face_statistics`, a numpy pass over the reviewed
faces (about 0.1 s for 100 000 faces) that the panel runs only while it is
visible; the panel draws them with pyqtgraph. Blur is histogrammed separately
for each blur scale (Moderation 1.0's 0–20, Moderation 2.0's 0–100 and the
local detector's scale are different measures), never mixed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, Final

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from facecurator.domain.face import BLUR_SCALE_MODERATION_2
from facecurator.domain.rules import FAIL, PASS, UNKNOWN, RuleSet, convert_blur
from facecurator.domain.rules.kinds import AgeRange, BlurCondition, MinFaceSize, PoseCondition
from facecurator.gui.pane_layout import place_details
from facecurator.gui.rule_words import term
from facecurator.services.review import ReviewedFace

# Fixed bin edges where the quantity has a natural range (stable plots across filters).
ANGLE_EDGES: Final = np.arange(-90.0, 90.0 + 5.0, 5.0)
AGE_EDGES: Final = np.arange(0.0, 100.0 + 5.0, 5.0)
BLUR_BINS: Final = 20
SIZE_BINS: Final = 30
# Top of each known blur scale (bins span 0..top); others use the data's range.
BLUR_SCALE_TOP: Final = {"0-20": 20.0, "0-100": 100.0, "local-0-100": 100.0}

OUTCOME_COLOURS: Final = {PASS: "#2e7d32", FAIL: "#c62828", UNKNOWN: "#9e9e9e"}
BLUR_COLOURS: Final = ("#1565c0", "#6a1b9a", "#00838f", "#ef6c00")
BAR_COLOUR: Final = "#1565c0"
# fixed, so counts up to 6 digits show and the plots line up
LEFT_AXIS_WIDTH: Final = 52
# A plot's narrowest width (axis, bars, a 9 pt title): the panel puts fewer side by side below it.
PLOT_MIN_WIDTH: Final = 260
# ... and its lowest height: below it the plots scroll.
PLOT_MIN_HEIGHT: Final = 150
TITLE_SIZE: Final = "9pt"


# --------------------------------------------------------------------------- the numbers (no Qt)


@dataclass(frozen=True)
class Histogram:
    """Counts per bin; ``missing`` faces had no value (not measured)."""

    counts: np.ndarray
    edges: np.ndarray
    missing: int

    @property
    def total(self) -> int:
        return int(self.counts.sum())


@dataclass(frozen=True)
class OutcomeCounts:
    passed: int = 0
    failed: int = 0
    unknown: int = 0


@dataclass(frozen=True)
class FaceStatistics:
    """Everything the panel shows, for ``faces`` faces.

    ``histograms`` keys: ``yaw``, ``pitch``, ``roll``, ``size`` (short side of
    the box, px), ``age``, and ``blur:<scale>`` for each blur scale present.
    ``conditions`` maps condition ids, in rule order, to their outcome counts.
    """

    faces: int
    histograms: dict[str, Histogram] = field(default_factory=dict)
    conditions: dict[str, OutcomeCounts] = field(default_factory=dict)


@dataclass(frozen=True)
class FaceArrays:
    """The measured attributes of many faces as float arrays (NaN = not measured)."""

    pitch: np.ndarray
    yaw: np.ndarray
    roll: np.ndarray
    size: np.ndarray
    age: np.ndarray
    blur: np.ndarray
    blur_scale: np.ndarray  # object array of scale names ("" when not measured)


def face_arrays(faces: Sequence[ReviewedFace]) -> FaceArrays:
    """One pass over the faces into numpy arrays."""
    nan = math.nan
    n = len(faces)
    pose = np.full((n, 3), nan)
    size = np.empty(n)
    age = np.full(n, nan)
    blur = np.full(n, nan)
    scales = np.full(n, "", dtype=object)
    for i, reviewed in enumerate(faces):
        face = reviewed.row.face
        box = face.box
        size[i] = box.w if box.w < box.h else box.h
        if face.pose is not None:
            pose[i] = (face.pose.pitch, face.pose.yaw, face.pose.roll)
        if face.age is not None:
            age[i] = face.age
        if face.blur is not None:
            blur[i] = face.blur.value
            scales[i] = face.blur.scale
    return FaceArrays(pose[:, 0], pose[:, 1], pose[:, 2], size, age, blur, scales)


def histogram(values: np.ndarray, edges: np.ndarray | int) -> Histogram:
    """``np.histogram`` of the finite values; NaNs are counted as missing.

    With fixed ``edges``, values outside them are clipped into the first or
    last bin, so every measured face is counted.
    """
    finite = values[np.isfinite(values)]
    missing = int(values.size - finite.size)
    if isinstance(edges, int):
        if finite.size == 0:
            return Histogram(np.zeros(edges, dtype=np.int64), np.linspace(0.0, 1.0, edges + 1), missing)
        low, high = float(finite.min()), float(finite.max())
        if high <= low:
            high = low + 1.0
        edges = np.linspace(low, high, edges + 1)
    else:
        finite = np.clip(finite, edges[0], edges[-1])
    counts, bin_edges = np.histogram(finite, bins=edges)
    return Histogram(counts.astype(np.int64), bin_edges, missing)


def condition_counts(faces: Sequence[ReviewedFace]) -> dict[str, OutcomeCounts]:
    """Pass / fail / unknown count per condition id, in the order the conditions first appear."""
    tallies: dict[str, list[int]] = {}
    slot = {PASS: 0, FAIL: 1, UNKNOWN: 2}
    for reviewed in faces:
        for result in reviewed.verdict.results:
            tally = tallies.get(result.condition)
            if tally is None:
                tally = tallies[result.condition] = [0, 0, 0]
            tally[slot[result.outcome]] += 1
    return {cid: OutcomeCounts(*tally) for cid, tally in tallies.items()}


def face_statistics(faces: Sequence[ReviewedFace]) -> FaceStatistics:
    """The histograms and condition counts of ``faces``."""
    arrays = face_arrays(faces)
    histograms = {
        "yaw": histogram(arrays.yaw, ANGLE_EDGES),
        "pitch": histogram(arrays.pitch, ANGLE_EDGES),
        "roll": histogram(arrays.roll, ANGLE_EDGES),
        "size": histogram(arrays.size, SIZE_BINS),
        "age": histogram(arrays.age, AGE_EDGES),
    }
    measured = np.isfinite(arrays.blur)
    for scale in sorted(set(arrays.blur_scale[measured].tolist())):
        values = arrays.blur[measured & (arrays.blur_scale == scale)]
        top = BLUR_SCALE_TOP.get(scale)
        edges = np.linspace(0.0, top, BLUR_BINS + 1) if top is not None else BLUR_BINS
        key = f"blur:{scale}"
        blur_hist = histogram(values, edges)
        # faces with no blur at all are "missing" once, on every blur series
        histograms[key] = Histogram(blur_hist.counts, blur_hist.edges, int((~measured).sum()))
    return FaceStatistics(len(faces), histograms, condition_counts(faces))


# --------------------------------------------------------------------------- rules and filters (no Qt)

#: The filter language's field of each histogram (angles with their sign, as plotted).
HISTOGRAM_FIELDS: Final = {
    "yaw": "yaw_signed",
    "pitch": "pitch_signed",
    "roll": "roll_signed",
    "size": "size",
    "age": "age",
}
OUTCOME_FILTERS: Final = {PASS: "passed", FAIL: "failed", UNKNOWN: "unknown"}


def rule_thresholds(ruleset: RuleSet | None, key: str) -> list[float]:
    """Where the active rule set draws a line on histogram ``key`` (its limits, on that plot's scale)."""
    if ruleset is None:
        return []
    lines: list[float] = []
    for condition in ruleset.conditions:
        if isinstance(condition, PoseCondition) and key == condition.axis:
            lines += [-condition.max_degrees, condition.max_degrees]
        elif isinstance(condition, BlurCondition) and key.startswith("blur:"):
            scale = key.partition(":")[2]
            if scale == condition.scale or condition.convert:
                converted = convert_blur(condition.max, condition.scale, scale)
                if converted is not None:
                    lines.append(converted)
        elif isinstance(condition, MinFaceSize) and key == "size":
            lines.append(condition.min_px)
        elif isinstance(condition, AgeRange) and key == "age":
            lines += [float(v) for v in (condition.min, condition.max) if v is not None]
    return sorted(set(lines))


def _number(value: float) -> str:
    return f"{value:.10g}"


def bar_filter(key: str, edges: np.ndarray, index: int) -> str | None:
    """The filter expression selecting the faces counted in bar ``index`` of histogram ``key``.

    Bins are ``[low, high)``; the first and last bins also hold what was clipped into them
    (and numpy's last bin is closed), so they have no outer bound.
    """
    last = len(edges) - 2
    if not 0 <= index <= last:
        return None
    if key.startswith("blur:"):
        scale = key.partition(":")[2]
        parts = [f"blur_scale={scale}"]
        field_name = "blur"
        low = convert_blur(float(edges[index]), scale, BLUR_SCALE_MODERATION_2)
        high = convert_blur(float(edges[index + 1]), scale, BLUR_SCALE_MODERATION_2)
        if low is None or high is None:
            return parts[0]  # a scale with no mapping: the whole series
    else:
        field_name = HISTOGRAM_FIELDS[key]
        parts = []
        low, high = float(edges[index]), float(edges[index + 1])
    if index > 0:
        parts.append(f"{field_name}>={_number(low)}")
    if index < last:
        parts.append(f"{field_name}<{_number(high)}")
    if not parts:
        parts.append(f"{field_name}!=none")
    return " and ".join(parts)


# --------------------------------------------------------------------------- the panel


class StatsPanel(QWidget):
    """Histograms of blur (per scale), yaw, pitch, roll, face size and age, and outcomes per condition.

    Call :meth:`set_faces` with the faces of the current filter (e.g. on the
    store's ``rulesChanged`` and on a filter change); the work is deferred
    while the panel is hidden. The active rule's limits are drawn as dashed
    lines; a click on a bar emits ``filterRequested`` with the filter
    expression of its faces (a histogram bin, or a condition's outcome).
    """

    filterRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        import pyqtgraph as pg

        self._pg = pg
        self.setObjectName("statsPanel")
        self._faces: Sequence[ReviewedFace] = ()
        self._ruleset: RuleSet | None = None
        self._dirty = False
        self._drawn_columns = 0
        self.stats = FaceStatistics(0)
        # plot key -> the plotted graphics item (for tests and export)
        self.items: dict[str, Any] = {}
        self.plots: dict[str, Any] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.header = QLabel(self)
        self.header.setObjectName("statsHeader")
        layout.addWidget(self.header)
        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground(None)
        # one column in a narrow dock: the plots keep a readable height and scroll
        self.plot_scroll = QScrollArea(self)
        self.plot_scroll.setObjectName("statsScroll")
        self.plot_scroll.setWidgetResizable(True)
        self.plot_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.plot_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.plot_scroll.setWidget(self.graphics)
        layout.addWidget(self.plot_scroll, 1)
        self.graphics.scene().sigMouseClicked.connect(self._on_clicked)
        self._redraw()

    # -- public API ------------------------------------------------------------

    def set_faces(self, faces: Sequence[ReviewedFace], ruleset: RuleSet | None = None) -> None:
        """Show statistics of ``faces`` (computed now if the panel is visible, else when shown),
        with ``ruleset``'s limits drawn over the histograms."""
        self._faces = faces
        self._ruleset = ruleset
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Recompute and redraw now."""
        self._dirty = False
        self.stats = face_statistics(self._faces)
        self._redraw()

    # -- Qt ----------------------------------------------------------------------

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._redraw()
        super().changeEvent(event)

    def columns(self) -> int:
        """Plots side by side: as many as fit their axes and titles (3 at most, 1 at least)."""
        return max(1, min(3, (self.width() - 12) // PLOT_MIN_WIDTH))

    def resizeEvent(self, event: Any) -> None:
        super().resizeEvent(event)
        if self.columns() != self._drawn_columns:  # a narrow dock: fewer columns, never cut plots
            self._redraw()

    # -- drawing -----------------------------------------------------------------

    def _titles(self) -> dict[str, str]:
        return {
            "yaw": self.tr("Yaw (°)"),
            "pitch": self.tr("Pitch (°)"),
            "roll": self.tr("Roll (°)"),
            "size": self.tr("Face size (short side, px)"),
            "age": self.tr("Age (years)"),
            "blur": self.tr("Blur ({scale} scale)"),
            "conditions": self.tr("Outcome per condition"),
        }

    def _redraw(self) -> None:
        stats = self.stats
        titles = self._titles()
        self.header.setText(self.tr("{n} faces in the current view").format(n=stats.faces))
        self.graphics.clear()
        self.items.clear()
        self.plots.clear()
        keys = [key for key in stats.histograms if key.startswith("blur:")]
        if not keys:
            keys = ["blur:"]  # an empty blur plot says "not measured" rather than vanishing
        keys += ["yaw", "pitch", "roll", "size", "age"]
        columns = self._drawn_columns = self.columns()
        for position, key in enumerate(keys):
            if key.startswith("blur:"):
                scale = key.partition(":")[2]
                title = titles["blur"].format(scale=scale or "—")
            else:
                title = titles[key]
            hist = stats.histograms.get(key)
            if hist is not None and hist.missing:
                missing = self.tr("{n} not measured").format(n=hist.missing)
                title = f"{escape(title)}<br><span style='font-size:8pt'>{escape(missing)}</span>"
            else:
                title = f"{escape(title)}<br><span style='font-size:8pt'>&nbsp;</span>"
            plot = self.graphics.addPlot(
                row=position // columns, col=position % columns, title=title, size=TITLE_SIZE
            )
            plot.setMouseEnabled(x=False, y=False)
            plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
            plot.hideButtons()
            plot.setMenuEnabled(False)
            self.plots[key] = plot
            if hist is None:
                continue
            colour = BAR_COLOUR
            if key.startswith("blur:"):
                colour = BLUR_COLOURS[keys.index(key) % len(BLUR_COLOURS)]
            centres = (hist.edges[:-1] + hist.edges[1:]) / 2
            widths = np.diff(hist.edges)
            item = self._pg.BarGraphItem(
                x=centres, height=hist.counts, width=widths * 0.9, brush=colour, pen=None
            )
            plot.addItem(item)
            self.items[key] = item
            self._draw_thresholds(key, plot)
        rows = (len(keys) + columns - 1) // columns
        self._draw_conditions(row=rows, columns=columns, title=titles)
        self.graphics.setMinimumHeight((rows + 1) * PLOT_MIN_HEIGHT)

    def _draw_thresholds(self, key: str, plot: Any) -> None:
        """The active rule's limits on this histogram: dashed red lines, labelled."""
        pg = self._pg
        lines = []
        for value in rule_thresholds(self._ruleset, key):
            line = pg.InfiniteLine(
                pos=value,
                angle=90,
                movable=False,
                pen=pg.mkPen("#d93025", width=2, style=Qt.PenStyle.DashLine),
                label=f"{value:g}",
                labelOpts={"position": 0.92, "color": "#d93025", "anchors": [(0, 0.5), (0, 0.5)]},
            )
            plot.addItem(line)
            lines.append(line)
        if lines:
            self.items[f"threshold:{key}"] = lines

    def bar_at(self, key: str, x: float, y: float) -> str | None:
        """The filter expression of the bar under the plot point ``(x, y)`` of plot ``key``."""
        if key == "conditions":
            ids = list(self.stats.conditions)
            index = round(x)
            if not 0 <= index < len(ids) or abs(x - index) > 0.3 or y < 0:
                return None
            counts = self.stats.conditions[ids[index]]
            bottom = 0.0
            for outcome, height in ((PASS, counts.passed), (FAIL, counts.failed), (UNKNOWN, counts.unknown)):
                if height and bottom <= y < bottom + height:
                    return f"{OUTCOME_FILTERS[outcome]}:{ids[index]}"
                bottom += height
            return None
        hist = self.stats.histograms.get(key)
        if hist is None:
            return None
        index = int(np.searchsorted(hist.edges, x, side="right")) - 1
        if not 0 <= index < len(hist.counts) or hist.counts[index] == 0 or not 0 <= y <= hist.counts[index]:
            return None
        return bar_filter(key, hist.edges, index)

    def _on_clicked(self, event: Any) -> None:
        position = event.scenePos()
        for key, plot in self.plots.items():
            if plot.sceneBoundingRect().contains(position):
                point = plot.vb.mapSceneToView(position)
                expression = self.bar_at(key, point.x(), point.y())
                if expression:
                    self.filterRequested.emit(expression)
                return

    def _draw_conditions(self, *, row: int, columns: int, title: dict[str, str]) -> None:
        pg = self._pg
        counts = self.stats.conditions
        plot = self.graphics.addPlot(
            row=row, col=0, colspan=columns, title=escape(title["conditions"]), size=TITLE_SIZE
        )
        plot.setMouseEnabled(x=False, y=False)
        plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
        plot.hideButtons()
        plot.setMenuEnabled(False)
        plot.addLegend(offset=(-10, 2), colCount=3)
        self.plots["conditions"] = plot
        ids = list(counts)
        x = np.arange(len(ids), dtype=float)
        passed = np.array([counts[c].passed for c in ids], dtype=float)
        failed = np.array([counts[c].failed for c in ids], dtype=float)
        unknown = np.array([counts[c].unknown for c in ids], dtype=float)
        stacks = (
            (PASS, passed, np.zeros_like(passed)),
            (FAIL, failed, passed),
            (UNKNOWN, unknown, passed + failed),
        )
        for outcome, heights, bottoms in stacks:
            item = pg.BarGraphItem(
                x=x, y0=bottoms, height=heights, width=0.6, brush=OUTCOME_COLOURS[outcome], pen=None
            )
            item.setOpts(name=term(outcome))
            plot.addItem(item)  # named items join the legend
            self.items[f"conditions:{outcome}"] = item
        axis = plot.getAxis("bottom")
        axis.setTicks([[(float(i), cid) for i, cid in enumerate(ids)]])
        axis.setStyle(tickTextOffset=6)
        tallest = float((passed + failed + unknown).max()) if ids else 1.0
        plot.setYRange(0, tallest * 1.2, padding=0)  # headroom for the legend above the bars
        plot.setXRange(-0.5, max(len(ids), 1) - 0.5, padding=0.02)
        self.graphics.ci.layout.setRowStretchFactor(row, 2)
        self.header.setAlignment(Qt.AlignmentFlag.AlignLeft)


# --------------------------------------------------------------------------- main-window hook

REFRESH_DELAY_MS: Final = 250


class StatsDock(QDockWidget):
    """The statistics panel as a dock of the main window, following its current scope.

    Re-reads ``window.scope_faces()`` shortly after the rules, the faces, the
    filter or the page change (coalesced, so a burst of decisions costs one
    refresh); the panel skips the work while the dock is hidden.
    """

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setObjectName("statisticsDock")
        self._window = window
        self.panel = StatsPanel(self)
        self.setWidget(self.panel)
        filter_bar = getattr(window, "filter_bar", None)
        if filter_bar is not None:  # a click on a bar filters the gallery and triage to its faces
            self.panel.filterRequested.connect(filter_bar.set_expression)
            filter_bar.filterChanged.connect(self.schedule)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self.update_scope)
        store = window.store
        for signal in (
            store.rulesChanged,
            store.sourceChanged,
            store.imagesAdded,
            store.imagesChanged,
            store.facesChanged,
        ):
            signal.connect(self.schedule)
        for name in ("filter_combo", "tabs"):
            widget = getattr(window, name, None)
            signal = getattr(widget, "currentIndexChanged", None) or getattr(widget, "currentChanged", None)
            if signal is not None:
                signal.connect(self.schedule)
        self.retranslate_ui()
        self.update_scope()

    def schedule(self, *_args: Any) -> None:
        self._timer.start()

    def update_scope(self) -> None:
        self.panel.set_faces(self._window.scope_faces(), self._window.store.ruleset)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self.tr("Statistics"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)


#: The statistics dock's first width never falls below this (histograms need room).
STATS_MIN_WIDTH: Final = 360


def open_statistics(window: Any) -> StatsDock:
    """Show the main window's statistics dock (created on first use, on the right)."""
    dock = window.findChild(StatsDock, "statisticsDock")
    created = dock is None
    if dock is None:
        dock = StatsDock(window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.show()
    if created:  # a sane first width: a third of the window (at least 360 px), not the 180 px minimum
        width = max(STATS_MIN_WIDTH, window.width() // 3)
        window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        # again once the dock is laid out (under X the first call may come before that)
        QTimer.singleShot(0, lambda: window.resizeDocks([dock], [width], Qt.Orientation.Horizontal))
    # a narrow window: the face details go under the image so the image view keeps its width
    QTimer.singleShot(0, lambda: place_details(window, dock))
    dock.raise_()
    dock.update_scope()
    return dock

"""Start the real desktop app on a folder and save screenshots once it is showing something.

Used by ``scripts/screenshot.sh`` (under Xvfb). Steps, as an operator would see
them: open the folder (which starts a local detection run), wait until the run
has finished and the visible thumbnails are decoded, select the image with the
most faces, wait for its full-size preview, then save a PNG of the screen. A
second PNG shows the triage grid. User directories are a throwaway temp dir
unless ``--keep-user-dirs`` is given, so the operator's own catalog is never touched.

Exit status: 0 when both PNGs were written, 1 when the app did not get there
in time (the reason is printed), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", nargs="?", default=str(REPO.parent / "shared" / "corpus"))
    parser.add_argument("--out", type=Path, default=Path("screenshot-gallery.png"))
    parser.add_argument("--triage-out", type=Path, default=Path("screenshot-triage.png"))
    parser.add_argument("--image", help="relative name of the image to show (default: most faces, up to 8)")
    parser.add_argument("--size", default="1600x1000", help="window size WxH")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for detection")
    parser.add_argument("--keep-user-dirs", action="store_true", help="use the real user data/cache dirs")
    parser.add_argument("--lang", default="en", help="UI language (en, zh_CN)")
    parser.add_argument(
        "--rules", help="the rules the window starts with (a preset name, e.g. enrollment-strict)"
    )
    parser.add_argument(
        "--states-dir",
        type=Path,
        help="also save these states here: first start, zoom to the selected face (Z), shortcut sheet (?), "
        "crowded labels, a refused filter, statistics with rule lines, person groups, triage sorted",
    )
    return parser.parse_args()


def wait_until(app, condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def settle(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def grab(app, window, path: Path) -> None:
    """The screen as X shows it (decorations included) under xcb; the widget otherwise."""
    screen = app.primaryScreen()
    pixmap = screen.grabWindow(0) if app.platformName() == "xcb" else window.grab()
    if pixmap.isNull():
        pixmap = window.grab()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")
    print(f"wrote {path} ({pixmap.width()}x{pixmap.height()})")


def save_states(app, window, image_id: int, folder: Path) -> None:
    """The review states: the image zoomed to its selected face (as Z does), the shortcut sheet."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.show_image(image_id)
    view = window.image_view
    view.select_face(view.face_ids()[-1])
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Z)
    settle(app, 0.5)
    grab(app, window, folder / "zoom-to-face.png")
    QTest.keyClick(view, Qt.Key.Key_F)
    sheet = window.show_shortcuts()
    settle(app, 0.5)
    grab(app, window, folder / "shortcut-sheet.png")
    sheet.reject()
    # the crowded photo with every label laid out, the selection on its first face
    view.select_face(view.face_ids()[0])
    settle(app, 0.3)
    grab(app, window, folder / "labels.png")
    # the filter bar: a refused expression, then a good one with the statistics' rule lines
    window.filter_bar.set_expression("yaw>20 and failed:no_hats")
    settle(app, 0.3)
    grab(app, window, folder / "filter-error.png")
    window.filter_bar.set_expression("not person~zz")
    from facecurator.gui.stats import open_statistics

    open_statistics(window)
    settle(app, 1.0)
    grab(app, window, folder / "statistics.png")
    window.filter_bar.clear()
    # the gallery grouped by person, smaller thumbnails
    window.sort_combo.setCurrentIndex(window.sort_combo.findData("group"))
    window.thumb_slider.setValue(120)
    settle(app, 1.0)
    grab(app, window, folder / "person-groups.png")
    # triage sorted by yaw, largest first
    window.tabs.setCurrentWidget(window.triage)
    triage = window.triage
    triage.sort_combo.setCurrentIndex(triage.sort_combo.findData("yaw"))
    triage.sort_order.setChecked(True)
    settle(app, 1.0)
    grab(app, window, folder / "triage-sorted.png")


def main() -> int:
    args = parse_args()
    source = Path(args.source).expanduser()
    if not source.is_dir():
        print(f"screenshot: {source} is not a folder", file=sys.stderr)
        return 2
    width, _, height = args.size.partition("x")
    if not args.keep_user_dirs:
        scratch = Path(tempfile.mkdtemp(prefix="facecurator-shot-"))
        for kind in ("DATA", "CONFIG", "CACHE"):
            os.environ[f"FACECURATOR_{kind}_DIR"] = str(scratch / kind.lower())

    from PySide6.QtWidgets import QApplication

    from facecurator.gui.logs import setup_logging
    from facecurator.gui.main_window import MainWindow
    from facecurator.services.catalog import Catalog

    app = QApplication(sys.argv[:1])
    setup_logging()
    from facecurator.gui.i18n import install_translator

    install_translator(app, args.lang)
    catalog = Catalog()
    if args.rules:  # what the operator last chose: the window starts with it
        from facecurator.gui.main_window import make_settings

        make_settings().setValue("rules", args.rules)
    window = MainWindow(catalog, auto_scan=True)
    window.resize(int(width), int(height))
    window.move(0, 0)
    window.show()
    try:
        if args.states_dir is not None:  # the first start: nothing open yet
            settle(app, 0.5)
            grab(app, window, args.states_dir / "empty-start.png")
        started = time.monotonic()
        opened: list[str] = []
        window.sourceOpened.connect(opened.append)
        if not window.open_source(str(source)):
            print("screenshot: the app could not open the folder (see the log above)", file=sys.stderr)
            return 1
        # The catalog is read on a worker; the scan starts once it is shown.
        wait_until(app, lambda: bool(opened), args.timeout, "the source listed")  # then the scan starts
        wait_until(app, lambda: not window.scanner.running, args.timeout, "the detection run")
        wait_until(app, lambda: not window.store.busy, args.timeout, "the verdicts stored")
        print(
            f"detection finished in {time.monotonic() - started:.1f} s: "
            f"{len(window.store.image_ids())} images, {len(window.store.face_ids())} faces"
        )
        store = window.store
        candidates = [i for i in store.image_ids() if store.image(i).row.status == "ok"]
        if args.image:
            chosen = [i for i in candidates if store.image(i).row.name == args.image]
        else:
            with_faces = [i for i in candidates if 0 < len(store.image(i).faces) <= 8]
            chosen = sorted(with_faces, key=lambda i: -len(store.image(i).faces))
        if not chosen:
            print("screenshot: no image with faces to show", file=sys.stderr)
            return 1
        image_id = chosen[0]
        window.gallery_model.set_sort("faces")
        window.sort_combo.setCurrentIndex(window.sort_combo.findData("faces"))
        loaded: list[int] = []
        window.image_view.previewLoaded.connect(loaded.append)
        window.show_image(image_id)
        faces = store.image(image_id).faces
        window.image_view.select_face(faces[0].id)
        wait_until(app, lambda: image_id in loaded, 60, "the full-size image")
        model = window.gallery_model
        rows = list(window.gallery.visible_rows())
        for row in rows:  # what painting does; rows below the fold are included
            model.thumbnail(row)
        visible = [model.image_id(row) for row in rows]
        wait_until(
            app,
            lambda: all(
                window.thumbnails.contains(f"t{i}")
                or window.thumbnails.error(f"t{i}")
                or store.image(i).row.status != "ok"
                for i in visible
            ),
            60,
            "the visible thumbnails",
        )
        settle(app, 0.5)
        print(f"showing {store.image(image_id).row.name} with {len(faces)} faces")
        grab(app, window, args.out)
        window.tabs.setCurrentWidget(window.triage)
        window.triage.model.set_filter("all")
        window.triage.filter_combo.setCurrentIndex(window.triage.filter_combo.findData("all"))
        rows = list(window.triage.view.visible_rows())
        for row in rows:
            window.triage.model.crop(row)
        wait_until(
            app,
            lambda: all(
                window.crops.contains(f"c{window.triage.model.face_id(r)}")
                or window.crops.error(f"c{window.triage.model.face_id(r)}")
                for r in rows
            ),
            60,
            "the visible face crops",
        )
        current = window.triage.current_face_id()
        if current is not None:
            wait_until(app, lambda: window.triage.preview_pixmap(current) is not None, 60, "the preview crop")
        settle(app, 0.5)
        grab(app, window, args.triage_out)
        if args.states_dir is not None:
            save_states(app, window, image_id, args.states_dir)
    except TimeoutError as exc:
        print(f"screenshot: {exc}", file=sys.stderr)
        grab(app, window, args.out.with_name(args.out.stem + "-timeout.png"))
        return 1
    finally:
        window.shutdown()
        window.close()
        catalog.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""GUI test fixtures: offscreen Qt, a small photo folder, one shared detection run.

The local detector (mediapipe) is slow to start, so the photo folder is scanned
once per session with the core's ``scan()``; each test gets its own copy of that
catalog, so decisions never leak between tests. Every test here is marked ``gui``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CORPUS = Path(os.environ.get("FACECURATOR_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "corpus"))

#: Corpus files copied into the test folder when ../shared is present.
CORPUS_PICKS = (
    "people/obama/obama.jpg",
    "multi/medics_4.jpg",
    "pose/profile_left_aflw00475.jpg",
    "blur/gaussian_r8_img15.jpg",
    "noface/coffee.png",
    "bad/empty.jpg",
    "bad/text_not_image.jpg",
    "bad/truncated_half.jpg",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session")
def photo_dir(tmp_path_factory: pytest.TempPathFactory, astronaut_png: Path) -> Path:
    """A folder of real photos in person sub-folders, plus broken files (empty, not an image, cut
    in half: Pillow's own words in the reason).

    Uses corpus files when ../shared is present, else the astronaut fixture and
    a zero-byte .jpg, so the GUI tests run anywhere.
    """
    root = tmp_path_factory.mktemp("photos")
    if (CORPUS / "MANIFEST.csv").is_file():
        for rel in CORPUS_PICKS:
            group = "broken" if rel.startswith("bad/") else Path(rel).parent.name
            (root / group).mkdir(exist_ok=True)
            shutil.copy2(CORPUS / rel, root / group / Path(rel).name)
    else:
        _synthetic_gallery(root, astronaut_png)
    return root


def _synthetic_gallery(root: Path, astronaut_png: Path) -> None:
    """Without ../shared: the same kinds of photos as CORPUS_PICKS, made from
    scikit-image's public-domain images — one face, a group of four, a blurred
    face, a strongly tilted face, no face, and broken files."""
    from PIL import Image, ImageFilter
    from skimage import data

    face = Image.open(astronaut_png).convert("RGB")
    for folder in ("astronaut", "group", "blur", "pose", "noface", "broken"):
        (root / folder).mkdir()
    shutil.copy2(astronaut_png, root / "astronaut" / "astronaut.png")
    # A close-up: a face large enough that the triage preview is a real crop, not an upscale.
    face.resize((1024, 1024), Image.Resampling.LANCZOS).save(root / "astronaut" / "closeup.jpg", quality=92)
    group = Image.new("RGB", (1024, 1024), (120, 120, 120))
    for i in range(4):
        group.paste(face, ((i % 2) * 512, (i // 2) * 512))
    group.save(root / "group" / "four_astronauts.jpg", quality=92)
    face.filter(ImageFilter.GaussianBlur(8)).save(root / "blur" / "astronaut_blurred.jpg", quality=92)
    face.rotate(45, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(128, 128, 128)).save(
        root / "pose" / "astronaut_tilted.jpg", quality=92
    )
    Image.fromarray(data.coffee()).save(root / "noface" / "coffee.png")
    (root / "broken" / "empty.jpg").write_bytes(b"")
    (root / "broken" / "text_not_image.jpg").write_text("not an image", encoding="utf-8")
    closeup = (root / "astronaut" / "closeup.jpg").read_bytes()
    (root / "broken" / "truncated_half.jpg").write_bytes(closeup[: len(closeup) // 2])  # Pillow's words


@pytest.fixture(scope="session")
def scanned_catalog(tmp_path_factory: pytest.TempPathFactory, photo_dir: Path) -> Path:
    """The photo folder scanned once with the real local detector."""
    from helpers.scans import scan_locally

    path = tmp_path_factory.mktemp("catalog") / "catalog.sqlite3"
    report = scan_locally(photo_dir, path)
    assert report.total >= 2 and report.failed >= 1, report
    return path


@pytest.fixture
def catalog_path(tmp_path: Path, scanned_catalog: Path) -> Path:
    """A private copy of the scanned catalog (decisions stay within one test)."""
    target = tmp_path / "catalog.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        src = Path(f"{scanned_catalog}{suffix}")
        if src.exists():
            shutil.copy2(src, Path(f"{target}{suffix}"))
    return target


@pytest.fixture
def make_window(qtbot) -> Iterator[Callable[..., object]]:
    """Factory: a shown MainWindow over a catalog file; shut down and closed after the test."""
    from facecurator.gui.main_window import MainWindow
    from facecurator.services.catalog import Catalog

    created: list[tuple[object, object]] = []

    def factory(
        catalog_file: Path, *, size: tuple[int, int] | None = (1400, 900), **kwargs: object
    ) -> MainWindow:
        catalog = Catalog(catalog_file)
        kwargs.setdefault("auto_scan", False)
        window = MainWindow(catalog, **kwargs)
        qtbot.addWidget(window)
        if size is not None:
            window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        created.append((window, catalog))
        return window

    yield factory
    from PySide6.QtCore import QThreadPool

    for window, catalog in created:
        window.shutdown()  # type: ignore[attr-defined]
        window.close()  # type: ignore[attr-defined]
        window.deleteLater()  # type: ignore[attr-defined]
        catalog.close()  # type: ignore[attr-defined]
    QThreadPool.globalInstance().waitForDone(10_000)


@pytest.fixture
def opened_window(make_window, catalog_path: Path, photo_dir: Path):
    """A window showing the scanned photo folder (no new detection)."""
    window = make_window(catalog_path)
    assert window.open_source(str(photo_dir), scan=False)
    assert window.store.wait_until_idle()
    return window


@pytest.fixture(autouse=True)
def _gui_app(qapp):
    """The application, with the widgets earlier tests left for deletion deleted first: a closed
    window kept alive (a worker's signal holds it) would otherwise get this test's events (a
    language change re-reads Triage's current face from its closed catalog). Deleted here, at
    the next test's start, not at the window's teardown: a model tester still watching its model
    is torn down after the window."""
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return qapp


@pytest.fixture(params=["en", "zh_CN"])
def language(request, qapp) -> Iterator[str]:
    """The application in English, then in Simplified Chinese (back to English after)."""
    from facecurator.gui import i18n

    i18n.install_translator(qapp, request.param)
    yield request.param
    i18n.install_translator(qapp, "en")


@pytest.fixture
def ui_language(language: str) -> str:
    """The same as ``language`` (the name the older tests use)."""
    return language


@pytest.fixture
def zh(qapp) -> Iterator[None]:
    """The application in Simplified Chinese for one test (back to English after)."""
    from facecurator.gui import i18n

    i18n.install_translator(qapp, "zh_CN")
    yield
    i18n.install_translator(qapp, "en")

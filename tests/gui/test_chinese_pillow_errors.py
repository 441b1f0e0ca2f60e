"""Pillow's own words about a broken image are shown in Chinese in the zh_CN UI (issue 13).

Real broken files (cut in half, stray bytes in the compressed data; JPEG, PNG, WebP, TIFF and
the corpus's truncated JPEG) are scanned with the local detector; the catalog stores Pillow's
English inside the reason, and the Problems dock and the gallery tooltips show every part of it
in Chinese — no English word left but the file names."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.broken_images import PILLOW_WORDS, write_broken_images
from helpers.problems import problem_texts

from facecurator.services.catalog import Catalog
from tests.gui.conftest import CORPUS
from tests.gui.test_chinese_ui import english_words

#: Each file's Pillow words, as the zh_CN UI shows them.
CHINESE = {
    "cut_in_half.jpg": "无法解码：文件被截断或已损坏（图像文件不完整（",
    "cut_in_half.png": "无法解码：文件被截断或已损坏（图像文件不完整）",
    "garbage_in_scan.jpg": "无法解码：读取图像文件时数据流损坏",
    "cut_in_half.webp": "无法解码：无法创建解码器",
    "garbage_in_strip.tif": "无法解码：解码器错误 -2",
}


@pytest.fixture(scope="module")
def scanned_broken(tmp_path_factory: pytest.TempPathFactory, astronaut_png: Path) -> tuple[Path, Path]:
    """A folder of broken images (and one good photo) scanned with the local detector."""
    from helpers.scans import scan_locally

    folder = tmp_path_factory.mktemp("broken")
    shutil.copy2(astronaut_png, folder / "face.png")
    write_broken_images(astronaut_png, folder)
    path = folder.parent / f"{folder.name}.sqlite3"
    scan_locally(folder, path, jobs=1)
    return folder, path


def test_pillows_words_are_stored_in_english(scanned_broken: tuple[Path, Path]) -> None:
    """The core keeps Pillow's words as they are (the catalog and the command line are English)."""
    _folder, path = scanned_broken
    with Catalog(path) as catalog:
        errors = {
            row.uri.rsplit("/", 1)[-1]: row.error or "" for row in catalog.images() if row.status == "error"
        }
    assert set(errors) == set(PILLOW_WORDS), errors
    for name, words in PILLOW_WORDS.items():
        assert words in errors[name], (name, errors[name])


def test_pillows_words_are_shown_in_chinese(qtbot, zh, scanned_broken: tuple[Path, Path]) -> None:
    folder, path = scanned_broken
    texts = problem_texts(qtbot, path, folder)
    assert len(texts) == 2 * len(PILLOW_WORDS)  # a Problems row and a tooltip per file
    for name, chinese in CHINESE.items():
        shown = [text for text in texts if name in text]
        assert len(shown) == 2 and all(chinese in text for text in shown), (name, shown)
    assert any("字节未处理）" in text for text in texts if "cut_in_half.jpg" in text), texts
    found = [text for text in texts if english_words(text, {str(folder), *PILLOW_WORDS})]
    assert not found, found


def test_the_corpus_truncated_jpeg_is_shown_in_chinese(qtbot, zh, tmp_path: Path) -> None:
    """The corpus's deliberately truncated JPEG, as the screenshot of session 5 showed it in English."""
    from helpers.scans import scan_locally

    source = CORPUS / "bad" / "truncated_half.jpg"
    if not source.is_file():
        pytest.skip(f"needs the shared corpus ({source} is absent)")
    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy2(source, folder / source.name)
    path = tmp_path / "catalog.sqlite3"
    scan_locally(folder, path, jobs=1)
    texts = problem_texts(qtbot, path, folder)
    assert texts and all("图像文件不完整（81 字节未处理）" in text for text in texts), texts
    found = [text for text in texts if english_words(text, {str(folder), source.name})]
    assert not found, found

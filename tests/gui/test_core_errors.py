"""Errors the core builds (catalog, cloud, OS, SQLite) come back in the user's language.

The Qt-free layers build their messages from English templates with ids; the GUI
parses them back and shows the translation (:mod:`facecurator.gui.core_errors`).
"""

from __future__ import annotations

import ast
import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from facecurator.cloud.sdk_errors import CLOUD_MESSAGES, diagnose, retry_failure
from facecurator.errors import CatalogError
from facecurator.gui import i18n
from facecurator.services.catalog import Catalog
from facecurator.services.catalog.messages import CATALOG, CATALOG_MESSAGES

SERVICES = Path(__file__).resolve().parents[2] / "facecurator" / "services"


def test_every_catalog_export_and_cloud_template_is_marked_for_translation() -> None:
    from facecurator.gui.core_errors import (
        CATALOG_TEMPLATES,
        CLOUD_TEMPLATES,
        EXPORT_TEMPLATES,
        SOURCE_TEMPLATES,
    )
    from facecurator.services.export.messages import EXPORT_MESSAGES
    from facecurator.sources.messages import SOURCE_MESSAGES

    assert set(CATALOG_MESSAGES.values()) == set(CATALOG_TEMPLATES)
    assert set(CLOUD_MESSAGES.values()) == set(CLOUD_TEMPLATES)
    assert set(EXPORT_MESSAGES.values()) == set(EXPORT_TEMPLATES)
    assert set(SOURCE_MESSAGES.values()) == set(SOURCE_TEMPLATES)


def _step_names() -> Iterator[tuple[str, int, str]]:
    """Every literal step a catalog statement names: ``_write("...")`` / ``_reading("...")``."""
    for path in sorted(SERVICES.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in ("_write", "_reading") or not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                text = arg.value
            elif isinstance(arg, ast.JoinedStr):  # f"record image {ref.uri}" -> "record image X1"
                text = "".join(
                    part.value if isinstance(part, ast.Constant) else f"X{i}"
                    for i, part in enumerate(arg.values)
                )
            else:
                continue
            yield f"{path.name}:{node.lineno}", 0 if node.func.attr == "_write" else 1, text


def test_every_step_a_catalog_statement_names_has_a_template() -> None:
    steps = list(_step_names())
    assert len(steps) > 60  # the walk finds the calls
    unknown = []
    for where, reading, text in steps:
        parsed = CATALOG.parse(text)
        kind = "what." if reading else "action."
        if parsed is None or not parsed[0].startswith(kind):
            unknown.append((where, text))
    assert not unknown, unknown


def test_catalog_os_and_sqlite_words_in_chinese(zh, tmp_path: Path) -> None:
    from facecurator.gui.core_errors import core_message

    failed = CATALOG.text(
        "catalog.failed",
        path="/p/c.sqlite3",
        action=CATALOG.text("action.record_image", uri="/p/x.jpg"),
        detail="database or disk is full",
    )
    assert core_message(failed) == "/p/c.sqlite3：无法记录图片 /p/x.jpg：磁盘已满"
    read = CATALOG.text(
        "catalog.failed", path="/p/c.sqlite3", action=CATALOG.text("action.read", what="faces"), detail="x"
    )
    assert core_message(read) == "/p/c.sqlite3：无法读取人脸：x"
    # the OS's words by errno, with the path; the bare system text too
    assert core_message(f"[Errno {errno.EACCES}] Permission denied: '/p/x.jpg'") == "权限不足：/p/x.jpg"
    assert core_message(os.strerror(errno.ENOSPC)) == "磁盘已满（设备上没有剩余空间）"
    assert (
        core_message(f"/out: copy: [Errno {errno.EROFS}] {os.strerror(errno.EROFS)}")
        == "/out: copy: 文件系统为只读"
    )
    # a real OSError and a real CatalogError (the folder cannot be made: a file is in the way)
    (tmp_path / "file").write_text("x")
    with pytest.raises(CatalogError) as caught:
        Catalog(tmp_path / "file" / "c.sqlite3")
    shown = core_message(caught.value)
    assert "无法创建目录库文件夹：已存在" in shown, shown  # mkdir: "File exists" (a file is there)
    assert str(tmp_path / "file") in shown
    try:
        open(tmp_path / "nowhere" / "x.jpg", "rb")  # noqa: SIM115 - the real error text
    except OSError as exc:
        assert core_message(exc) == f"文件或文件夹不存在：{tmp_path / 'nowhere' / 'x.jpg'}"
    # an unknown text is shown as it is
    assert core_message("something nobody wrote a template for") == "something nobody wrote a template for"


def test_a_read_only_and_a_locked_catalog_in_chinese(zh, tmp_path: Path) -> None:
    from facecurator.gui.core_errors import core_message

    path = tmp_path / "c.sqlite3"
    Catalog(path).close()
    lock = sqlite3.connect(path, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        with Catalog(path, timeout=0.1) as catalog, pytest.raises(CatalogError) as caught:
            catalog.set_setting("k", "v")
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert core_message(caught.value) == f"{path}：无法保存设置 k：目录库被另一个程序锁定（未能及时释放）"


def test_cloud_errors_in_chinese(zh) -> None:
    from facecurator.gui.core_errors import core_message

    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    assert core_message(diagnose(refused).message) == "端点拒绝连接：请检查端点的主机和端口"
    reason = retry_failure(TimeoutError("timed out")).reason
    assert core_message(f"oss://b/x.jpg: IMM DetectImageFaces failed after 4 attempts: {reason}") == (
        "oss://b/x.jpg：IMM DetectImageFaces 尝试 4 次后失败：超时"
    )


def test_english_stays_as_the_core_wrote_it(qapp) -> None:
    from facecurator.gui.core_errors import core_message

    i18n.install_translator(qapp, "en")
    text = CATALOG.text("catalog.failed", path="/c", action="store verdicts", detail="database is locked")
    assert core_message(text).startswith("/c: cannot store verdicts: ")
    assert core_message(f"[Errno {errno.EACCES}] Permission denied: '/p'") == "permission denied: /p"

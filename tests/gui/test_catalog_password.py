"""A team catalog's password in the desktop app (issue 17, item 1: "never on the command line,
in a log or in an error message").

The real app (``run_gui``) opens a PostgreSQL catalog of the session's throwaway cluster whose
role must give its password: a wrong password in the keyring, or none anywhere. The app
refuses the catalog with a message box saying how to store the right one, in the user's
language; the password is in no message box, no stderr line and no log file.
"""

from __future__ import annotations

from typing import Any

import pytest
from helpers.memory_keyring import MemoryKeyring
from PySide6.QtWidgets import QMessageBox

from facecurator.cloud import credentials, redact
from facecurator.gui import i18n
from facecurator.gui.app import run_gui
from facecurator.gui.logs import LOG_FILE_NAME, log_dir, teardown_logging
from facecurator.services.catalog.postgres import store_password

EXPECTED = {
    ("wrong", "en"): "the server refused the password of role fc_secret; store the right one with",
    ("wrong", "zh_CN"): "服务器拒绝了角色 fc_secret 的密码；请用",
    ("missing", "zh_CN"): "服务器要求角色 fc_secret 的密码，但尚未保存；请用",
}


@pytest.mark.parametrize(("case", "language"), list(EXPECTED))
def test_a_refused_or_missing_password_says_how_to_store_it_and_is_never_shown(
    qapp, pg_cluster: Any, pg_url: str, monkeypatch: pytest.MonkeyPatch, capsys, case: str, language: str
) -> None:
    backend = MemoryKeyring()
    monkeypatch.setattr(credentials, "keyring_backend", lambda: backend)
    url = pg_cluster.url(pg_cluster.dbname(pg_url), role=pg_cluster.SECRET_ROLE)
    secret = pg_cluster.secret_password
    if case == "wrong":
        store_password(url, "wrong-" + secret)  # holds the real one: neither may show
    boxes: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(box.text()) or 0)  # modal: not here
    i18n.save_language(language)
    try:
        assert run_gui(None, url) == 2
    finally:
        i18n.save_language(None)
        teardown_logging()
        redact.forget_secrets()
        i18n.install_translator(qapp, "en")
    err = capsys.readouterr().err
    logged = (log_dir() / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert len(boxes) == 1
    for shown in (boxes[0], err, logged):
        assert secret not in shown
    assert EXPECTED[case, language] in boxes[0], boxes[0]
    assert f"`facecurator catalog password {url}`" in boxes[0]
    # stderr and the log keep the English message, for a bug report
    assert "password of role fc_secret" in err and "password of role fc_secret" in logged

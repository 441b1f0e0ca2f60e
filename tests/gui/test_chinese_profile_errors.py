"""The cloud-profile dialog's field errors in the zh_CN UI show no English: an operator types a bad
region, endpoint, bucket, rate and price into a new profile and saves; a hand-broken profiles.toml
is opened. Each message the dialog shows is checked."""

from __future__ import annotations

import pytest

from facecurator.cloud.profile_messages import PROFILE_MESSAGES
from tests.gui.test_chinese_errors import _english

pytestmark = pytest.mark.gui

#: What the operator may type that is data, not words (the values, the setting names).
DATA = {
    "https://",
    "http://",
    "'Hang Zhou'",
    "'ftp://oss.example.com'",
    "'Bad_Bucket'",
    "'abc'",
    "'0'",
    "0.0",
    "0",
    "lab",
    "qps",
    "oss",
}


def test_every_profile_template_is_marked_for_translation() -> None:
    from facecurator.gui.profile_errors import PROFILE_TEMPLATES

    assert set(PROFILE_MESSAGES.values()) == set(PROFILE_TEMPLATES)


def _dialog(qtbot):
    from facecurator.gui.cloud_dialog import CloudProfilesDialog

    dialog = CloudProfilesDialog(confirm=lambda *_a: True)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_bad_profile_fields_are_refused_in_chinese(qtbot, zh) -> None:
    dialog = _dialog(qtbot)
    dialog.new_profile()
    dialog.name_edit.setText("lab")
    shown: list[tuple[str, str]] = []

    def refused(where: str, must: str) -> None:
        assert not dialog.save_profile()
        text = dialog.message.text()
        assert must in text, text
        shown.append((where, text))

    dialog.region_edit.setText("Hang Zhou")
    refused("region", "地域")
    dialog.region_edit.setText("cn-shanghai")
    dialog.endpoint_edits["oss"].setText("ftp://oss.example.com")
    refused("endpoint", "必须以 https:// 或 http:// 开头")
    dialog.endpoint_edits["oss"].clear()
    dialog.bucket_edit.setText("Bad_Bucket")
    refused("bucket", "存储桶名称")
    dialog.bucket_edit.clear()
    dialog.qps_edits["oss"].setText("abc")
    refused("rate typed", "不是数字")
    dialog.qps_edits["oss"].setText("0")
    refused("rate zero", "大于 0")
    found = _english(shown, DATA)
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)


def test_a_broken_profiles_file_is_reported_in_chinese(qtbot, zh) -> None:
    from facecurator.cloud.profiles import profiles_path

    path = profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('schema_version = 1\n[profiles.lab]\nregion = "cn-shanghai\n', encoding="utf-8")
    dialog = _dialog(qtbot)
    text = dialog.message.text()
    assert "TOML 格式无效" in text and "第 3 行" in text, text
    found = _english([("message", text)], {str(path), "TOML"})
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)

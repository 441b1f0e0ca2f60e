"""The desktop app's cloud side against the loopback emulator (real SDKs, HTTP to 127.0.0.1).

Profiles and credentials dialog, the OSS source browser (paged listing), an
``oss://`` source in the window with thumbnails read from OSS, and the cost
confirmation of a paid run (and none on a cached re-run).
"""

# ruff: noqa: F811 - the emulator fixtures are imported, then requested as arguments
from __future__ import annotations

import os
from pathlib import Path

import pytest
from emulator import (  # noqa: F401 - pytest fixtures
    ACCESS_KEY_ID,
    ACCESS_KEY_SECRET,
    BUCKET,
    IMM_PROJECT,
    CloudEmulator,
    cloud_emulator,
    cloud_profile,
    make_test_image,
)
from PySide6.QtCore import QCoreApplication

from facecurator.cloud import profiles
from facecurator.cloud.diagnose import CloudErrorKind


@pytest.fixture(scope="module", autouse=True)
def _collect_garbage_after_the_module():
    """Windows and dialogs left in reference cycles are destroyed here, not in the middle of a
    later test (destroying a window's widget tree takes the GUI thread for a moment)."""
    yield
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def wait_background():
    """Every background call (listings, checks, plans) has ended before the next test."""
    yield
    from facecurator.gui.background import wait_for_background

    assert wait_for_background(30_000)


def _dialog(qtbot, **kwargs):
    from facecurator.gui.cloud_dialog import CloudProfilesDialog

    dialog = CloudProfilesDialog(confirm=lambda *_a: True, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


# -- profiles and credentials dialog ------------------------------------------------------------


def test_the_dialog_creates_edits_and_deletes_a_profile(
    qtbot, cloud_emulator: CloudEmulator, wait_background
) -> None:
    dialog = _dialog(qtbot)
    dialog.new_profile()
    assert not dialog.name_edit.isReadOnly()
    dialog.name_edit.setText("studio")
    dialog.region_edit.setText("cn-shanghai")
    for edit in dialog.endpoint_edits.values():
        edit.setText(cloud_emulator.url)  # http:// is allowed
    dialog.imm_project_edit.setText(IMM_PROJECT)
    dialog.bucket_edit.setText(BUCKET)
    dialog.qps_edits["green"].setText("5")
    dialog.price_edits["faceDetect_global"].setText("0.7")
    dialog.save_button.click()
    saved = profiles.load_profile("studio")
    assert saved.region == "cn-shanghai" and saved.endpoint_for("imm") == cloud_emulator.url
    assert (saved.imm_project, saved.bucket) == (IMM_PROJECT, BUCKET)
    assert saved.qps == {"green": 5.0} and saved.prices == {"faceDetect_global": 0.7}
    assert dialog.current_name() == "studio" and dialog.name_edit.isReadOnly()
    assert "Saved profile studio" in dialog.message.text()

    # A bad value is refused with the core's reason, and nothing is written.
    dialog.region_edit.setText("Shanghai!")
    assert not dialog.save_profile()
    assert "invalid region" in dialog.message.text()
    assert profiles.load_profile("studio").region == "cn-shanghai"
    dialog.endpoint_edits["oss"].setText("ftp://example.com")
    dialog.region_edit.setText("cn-shanghai")
    assert not dialog.save_profile() and "https:// or http://" in dialog.message.text()
    # A new profile may not silently replace an existing one.
    dialog.new_profile()
    dialog.name_edit.setText("studio")
    assert not dialog.save_profile() and "exists already" in dialog.message.text()

    dialog.select("studio")
    assert dialog.delete_current()
    assert "studio" not in profiles.list_profiles()
    assert all(dialog.profile_list.item(i).text() != "studio" for i in range(dialog.profile_list.count()))


def test_the_dialog_shows_the_environment_override_and_never_keeps_the_secret(
    qtbot, cloud_profile: str, wait_background
) -> None:
    dialog = _dialog(qtbot, profile=cloud_profile)
    assert dialog.current_name() == cloud_profile
    assert dialog.secret_edit.echoMode() == dialog.secret_edit.EchoMode.Password
    assert dialog.token_edit.echoMode() == dialog.token_edit.EchoMode.Password
    assert not dialog.env_label.isHidden()
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in dialog.env_label.text()
    assert dialog.keyring_label.text()  # the backend, or why there is none
    # Nothing in the settings file is a secret, whatever was typed in the secret field.
    dialog.secret_edit.setText("typed-but-not-saved-secret-0001")
    assert dialog.save_profile()
    text = profiles.profiles_path().read_text(encoding="utf-8")
    assert "typed-but-not-saved-secret-0001" not in text and ACCESS_KEY_SECRET not in text


def test_the_test_button_tells_a_wrong_secret_from_a_good_key(
    qtbot, cloud_emulator: CloudEmulator, cloud_profile: str, wait_background
) -> None:
    cloud_emulator.create_bucket(BUCKET)  # the profile's default bucket: the OSS check lists it
    dialog = _dialog(qtbot, profile=cloud_profile)
    wrong = "not-the-right-secret-at-all-42"
    dialog.key_id_edit.setText(ACCESS_KEY_ID)
    dialog.secret_edit.setText(wrong)  # typed, not saved: tested as typed
    with qtbot.waitSignal(dialog.testFinished, timeout=30_000) as finished:
        dialog.test_button.click()
        assert not dialog.test_button.isEnabled()
    results = finished.args[0]
    assert [r.service for r in results] == ["oss", "imm", "green"]
    assert [r.kind for r in results] == [CloudErrorKind.SIGNATURE_MISMATCH] * 3
    lines = [dialog.test_labels[s].text() for s in ("oss", "imm", "green")]
    assert all("wrong secret" in line for line in lines), lines
    assert wrong not in "\n".join(lines) + dialog.message.text()
    assert dialog.test_button.isEnabled()

    # With no secret typed, the stored credentials (here: the environment's) are tested.
    dialog.secret_edit.clear()
    with qtbot.waitSignal(dialog.testFinished, timeout=30_000) as finished:
        dialog.test_button.click()
    assert [r.ok for r in finished.args[0]] == [True, True, True], [r.message for r in finished.args[0]]
    assert dialog.test_labels["imm"].text().startswith("IMM: ok")
    assert "environment" in dialog.message.text() or "accepted" in dialog.message.text()
    assert cloud_emulator.total_billable() == 0


def test_credentials_are_saved_in_the_real_keyring_and_cleared_from_the_form(
    qtbot, monkeypatch: pytest.MonkeyPatch, wait_background
) -> None:
    """Needs the private Secret Service of `.ci/keyring-session.sh` (skips elsewhere, as keyring tests do)."""
    from test_keyring_secret_service import IN_PRIVATE_SESSION, REQUIRED

    if not (IN_PRIVATE_SESSION or REQUIRED):
        pytest.skip("not inside .ci/keyring-session.sh (the tests never write to your own keyring)")
    from facecurator.cloud import credentials

    for name in ("ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    profiles.save_profile(profiles.Profile("gui-keyring"))
    dialog = _dialog(qtbot, profile="gui-keyring")
    assert "SecretService" in dialog.keyring_label.text() and dialog.env_label.isHidden()
    secret = f"GuiLeakCanary{os.getpid()}Secret"
    dialog.key_id_edit.setText("LTAI5tGuiKeyringTest01")
    dialog.secret_edit.setText(secret)
    dialog.token_edit.setText("CAISGuiKeyringToken")
    try:
        assert dialog.save_credentials(), dialog.message.text()
        assert dialog.secret_edit.text() == "" and dialog.token_edit.text() == ""
        stored = credentials.keyring_credentials("gui-keyring")
        assert stored is not None and stored.access_key_secret == secret
        assert stored.security_token == "CAISGuiKeyringToken"
        assert "LTAI****st01" in dialog.credential_status.text() and "STS" in dialog.credential_status.text()
        assert secret not in profiles.profiles_path().read_text(encoding="utf-8")
        assert dialog.delete_credentials()
        assert credentials.keyring_credentials("gui-keyring") is None
    finally:
        credentials.delete_credentials("gui-keyring", missing_ok=True)


# -- OSS source browser ---------------------------------------------------------------------------


def _settle_view(qtbot, view) -> None:
    """Let a list view lay out its rows and run what it schedules after (fetchMore)."""
    qtbot.waitUntil(lambda: view.verticalScrollBar().maximum() > 0, timeout=10_000)
    view.doItemsLayout()
    QCoreApplication.processEvents()
    QCoreApplication.processEvents()


def test_the_oss_browser_lists_buckets_and_pages_lazily(
    qtbot, qtmodeltester, cloud_emulator: CloudEmulator, cloud_profile: str, wait_background
) -> None:
    from facecurator.gui.oss_browser import KEY_ROLE, OssBrowser

    body = make_test_image(seed=1)
    cloud_emulator.put_many(BUCKET, (f"archive/{i:05d}.jpg" for i in range(2400)), body)
    cloud_emulator.put_many(BUCKET, (f"people/p{i:02d}/{j}.jpg" for i in range(25) for j in range(4)), body)
    browser = OssBrowser(profile=cloud_profile)
    qtbot.addWidget(browser)
    browser.resize(600, 400)
    browser.show()
    qtbot.waitExposed(browser)
    model = browser.model

    # The profile's default bucket opens; ListBuckets fills the bucket box.
    browser._profile_chosen()
    qtbot.waitUntil(lambda: browser.bucket_combo.findText(BUCKET) >= 0, timeout=10_000)
    qtbot.waitUntil(lambda: model.exhausted, timeout=10_000)
    assert [model.index(r).data() for r in range(model.rowCount())] == ["archive/", "people/"]

    # 2 400 objects under one prefix: only the first page (1 000 keys) is asked for.
    cloud_emulator.reset_counters()
    browser.navigate("archive/")
    qtbot.waitUntil(lambda: model.pages_loaded == 1, timeout=10_000)
    _settle_view(qtbot, browser.view)  # laid out: it would have asked for more by now
    assert model.rowCount() == 1000 and model.pages_loaded == 1 and model.canFetchMore()
    assert cloud_emulator.count(action="ListObjectsV2") == 1
    assert "more when you scroll" in browser.status.text()
    # Scrolling to the end fetches the next page, and only that one.
    browser.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.pages_loaded == 2, timeout=10_000)
    _settle_view(qtbot, browser.view)
    assert model.rowCount() == 2000 and cloud_emulator.count(action="ListObjectsV2") == 2
    browser.view.scrollToBottom()
    qtbot.waitUntil(lambda: model.exhausted, timeout=10_000)
    assert model.rowCount() == 2400 and not model.canFetchMore()
    qtmodeltester.check(model)

    # Folders navigate; the chosen folder is the source.
    browser.go_up()
    qtbot.waitUntil(lambda: model.exhausted and model.rowCount() == 2, timeout=10_000)
    browser.view.doubleClicked.emit(model.index(1))  # people/
    qtbot.waitUntil(lambda: model.exhausted and model.prefix == "people/", timeout=10_000)
    assert model.rowCount() == 25
    browser.view.setCurrentIndex(model.index(3))
    assert model.index(3).data(KEY_ROLE) == "people/p03/"
    assert browser.source_text() == f"oss://{BUCKET}/people/p03/"
    browser.view.clearSelection()
    assert browser.source_text() == f"oss://{BUCKET}/people/"
    assert browser.profile() == cloud_profile


def test_the_oss_browser_reports_refused_credentials(
    qtbot, monkeypatch: pytest.MonkeyPatch, cloud_emulator: CloudEmulator, cloud_profile: str, wait_background
) -> None:
    from facecurator.gui.oss_browser import OssBrowser

    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "wrong-secret-for-the-browser")
    browser = OssBrowser(profile=cloud_profile)
    qtbot.addWidget(browser)
    browser.bucket_edit.setText(BUCKET)
    with qtbot.waitSignal(browser.model.failed, timeout=15_000) as failed:
        browser.navigate("")
    assert "secret" in failed.args[0].lower() and "wrong-secret-for-the-browser" not in failed.args[0]
    assert "Listing failed" in browser.status.text() and not browser.model.canFetchMore()


# -- an oss:// source in the window: chooser, paid run with its estimate, thumbnails ------------


def test_open_an_oss_prefix_pay_once_and_see_thumbnails(
    qtbot,
    make_window,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cloud_emulator: CloudEmulator,
    cloud_profile: str,
    wait_background,
) -> None:
    from facecurator.cloud.cost import estimate
    from facecurator.gui.cost_dialog import CostConfirmDialog
    from facecurator.gui.gallery import thumb_key
    from facecurator.gui.source_chooser import SourceChooser

    for seed, key in enumerate(("people/alice/a.jpg", "people/bob/b.jpg", "people/carol/c.jpg")):
        cloud_emulator.put_object(BUCKET, key, make_test_image(320, 240, seed=seed + 10))
    cloud_emulator.put_object(BUCKET, "other/x.jpg", make_test_image(seed=99))
    window = make_window(tmp_path / "catalog.sqlite3")

    # The source chooser's OSS tab: the profile, the bucket, the "people/" folder.
    chooser = SourceChooser([], window, profile=cloud_profile)
    qtbot.addWidget(chooser)
    chooser.show()
    chooser.tabs.setCurrentIndex(chooser.oss_index)  # first visit: opens the profile's bucket
    model = chooser.oss.model
    qtbot.waitUntil(lambda: model.exhausted and model.rowCount() == 2, timeout=10_000)
    chooser.oss.view.setCurrentIndex(model.index(1))
    assert (chooser.source_text(), chooser.profile()) == (f"oss://{BUCKET}/people/", cloud_profile)
    assert window.open_source(chooser.source_text(), profile=chooser.profile(), scan=False)
    assert window.store.wait_until_idle()
    chooser.close()
    assert window.store.source_root == f"oss://{BUCKET}/people/" and window.gallery_model.rowCount() == 0

    asked = []
    monkeypatch.setattr(
        CostConfirmDialog,
        "ask",
        classmethod(lambda cls, question, parent, answer: (asked.append(question), answer(True))),
    )
    cloud_emulator.reset_counters()
    with qtbot.waitSignal(window.scanner.finished, timeout=60_000) as finished:
        assert window.start_scan("green", jobs=2)
    (question,) = asked
    assert (question.detector, question.total, question.to_detect) == ("green", 3, 3)
    expected = estimate("green", 3, profiles.load_profile(cloud_profile))
    assert question.estimate == expected and "USD 0.0018" in question.estimate.describe()
    report = finished.args[0]
    assert report.total == 3 and report.failed == 0
    assert cloud_emulator.billable["green"] == 3 and cloud_emulator.total_billable() == 3
    assert cloud_emulator.count(action="ListObjectsV2") == 1  # planned once, the scan reused the listing
    qtbot.waitUntil(lambda: not window.scanner.running, timeout=10_000)
    assert window.gallery_model.rowCount() == 3
    assert window.paid_calls_label.isVisible() and "3" in window.paid_calls_label.text()

    # The real dialog shows the same estimate (built, not executed).
    dialog = CostConfirmDialog(question, window)
    qtbot.addWidget(dialog)
    assert "3 of 3 images" in dialog.summary.text() and "0.00" in dialog.cost.text()
    assert dialog.detail.text() == expected.describe()

    # Thumbnails are read from OSS (GetObject) through the window's profile.
    keys = []
    for row in range(window.gallery_model.rowCount()):
        window.gallery_model.thumbnail(row)
        keys.append(thumb_key(window.gallery_model.ids()[row]))
    qtbot.waitUntil(lambda: all(window.thumbnails.get(k) is not None for k in keys), timeout=20_000)
    assert all(window.thumbnails.error(k) is None for k in keys)
    pixmap = window.thumbnails.get(keys[0])
    assert abs(pixmap.width() / pixmap.height() - 320 / 240) < 0.05
    gets = {c.target for c in cloud_emulator.calls_of("GetObject") if c.status == 200}
    assert gets == {f"{BUCKET}/people/{p}" for p in ("alice/a.jpg", "bob/b.jpg", "carol/c.jpg")}

    # A second run over the same objects: no question, no paid call.
    asked.clear()
    cloud_emulator.reset_counters()
    with qtbot.waitSignal(window.scanner.finished, timeout=60_000) as finished:
        assert window.start_scan("green", jobs=2)
    assert asked == [] and finished.args[0].cached == 3
    assert cloud_emulator.total_billable() == 0
    qtbot.waitUntil(lambda: not window.scanner.running, timeout=10_000)
    assert "3" in window.paid_calls_label.text()


def test_a_refused_estimate_sends_nothing(
    qtbot,
    make_window,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cloud_emulator: CloudEmulator,
    cloud_profile: str,
    wait_background,
) -> None:
    from facecurator.gui.cost_dialog import CostConfirmDialog

    cloud_emulator.put_object(BUCKET, "people/dave/d.jpg", make_test_image(seed=5))
    window = make_window(tmp_path / "catalog.sqlite3")
    assert window.open_source(f"oss://{BUCKET}/people/", profile=cloud_profile, scan=False)
    assert window.store.wait_until_idle()
    monkeypatch.setattr(
        CostConfirmDialog, "ask", classmethod(lambda cls, question, parent, answer: answer(False))
    )
    with qtbot.waitSignal(window.paid_run.finished, timeout=20_000) as ended:
        assert window.start_scan("imm")  # priced, then refused
    assert ended.args == [False]
    assert not window.scanner.running and cloud_emulator.total_billable() == 0
    # A broken profile is reported before anything is asked or sent.
    monkeypatch.setattr(window, "source_profile", "no-such-profile")
    with qtbot.waitSignal(window.paid_run.finished, timeout=20_000) as ended:
        window.start_scan("green")
    assert ended.args == [False]
    assert "no-such-profile" in window.notifier.history[-1].text


def test_tools_menu_opens_one_profiles_dialog_on_the_sources_profile(
    qtbot, make_window, tmp_path: Path, cloud_emulator: CloudEmulator, cloud_profile: str, wait_background
) -> None:
    from facecurator.gui.cloud_dialog import CloudProfilesDialog

    cloud_emulator.create_bucket(BUCKET)
    window = make_window(tmp_path / "catalog.sqlite3")
    assert window.open_source(f"oss://{BUCKET}/", profile=cloud_profile, scan=False)
    assert window.store.wait_until_idle()
    assert window.profile == cloud_profile  # what the export dialog reads
    window.cloud_profiles_action.trigger()
    dialog = window.findChild(CloudProfilesDialog, "cloudProfilesDialog")
    assert dialog is not None and dialog.isVisible() and not dialog.isModal()
    assert dialog.current_name() == cloud_profile
    window.cloud_profiles_action.trigger()
    assert len(window.findChildren(CloudProfilesDialog)) == 1
    assert not window.paid_calls_label.isVisible()  # nothing paid yet


@pytest.fixture
def approve_costs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every paid run's cost question is answered yes (the real dialog is not shown)."""
    from facecurator.gui.cost_dialog import CostConfirmDialog

    monkeypatch.setattr(CostConfirmDialog, "ask", classmethod(lambda cls, _q, _parent, answer: answer(True)))


def test_a_cloud_batch_shows_its_total_and_eta_from_the_first_update(
    qtbot, make_window, tmp_path: Path, approve_costs, cloud_emulator: CloudEmulator, cloud_profile: str,
    wait_background,
) -> None:  # fmt: skip
    """Issue 13: a paid batch's bar is determinate (its planned total) from the first progress
    update, and the ETA is shown once a rate is known, not "ETA –" until the last calls are sent.

    One call at a time (jobs=1: 3 in flight) over 8 images, so the scan's own listing of the
    planned images is not exhausted when the first images come back."""
    keys = [f"batch/p{i}.jpg" for i in range(8)]
    for seed, key in enumerate(keys):
        cloud_emulator.put_object(BUCKET, key, make_test_image(200, 150, seed=seed + 30))
    window = make_window(tmp_path / "catalog.sqlite3")
    assert window.open_source(f"oss://{BUCKET}/batch/", profile=cloud_profile, scan=False)
    assert window.store.wait_until_idle()
    bar, label = window.scan_status.bar, window.scan_status.label
    seen: list[tuple[int, int, int, str]] = []  # the bar and its text after each update is shown
    window.scanner.progress.connect(
        lambda _p: seen.append((bar.minimum(), bar.maximum(), bar.value(), label.text()))
    )
    with qtbot.waitSignal(window.scanner.finished, timeout=60_000) as finished:
        assert window.start_scan("green", jobs=1)
    assert finished.args[0].total == len(keys) and cloud_emulator.billable["green"] == len(keys)
    assert seen, "no progress was shown"
    first = seen[0]
    assert first[:2] == (0, len(keys)) and 1 <= first[2] < len(keys), seen
    assert all(frame[:2] == (0, len(keys)) for frame in seen), seen
    assert f"{first[2]}/{len(keys)} images" in first[3] and "ETA –" not in first[3], seen
    assert seen[-1][2] == len(keys)

"""Screenshots of the cloud side of the desktop app, against the loopback cloud emulator.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshot_cloud.py --out-dir shots/

Writes ``cloud-dialog.png`` (profile ``demo`` pointing at the emulator, after a
Test with a wrong secret) and ``oss-tab.png`` (the source chooser's OSS tab
listing a bucket). User directories are a throwaway temp dir; the credentials
are the emulator's, in the environment. Exit status 0 when both PNGs were written.
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
sys.path.insert(0, str(REPO / "tests"))


def settle(app, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_until(app, condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the emulator did not answer in time")
        app.processEvents()
        time.sleep(0.01)


def grab(widget, path: Path) -> None:
    pixmap = widget.grab()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not pixmap.save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")
    print(f"wrote {path} ({pixmap.width()}x{pixmap.height()})")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out-dir", type=Path, default=Path())
    parser.add_argument("--language", default="en", help="en or zh_CN")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="facecurator-cloud-shot-"))
    for kind in ("DATA", "CONFIG", "CACHE"):
        os.environ[f"FACECURATOR_{kind}_DIR"] = str(scratch / kind.lower())

    from emulator import ACCESS_KEY_ID, ACCESS_KEY_SECRET, BUCKET, CloudEmulator, make_test_image
    from PySide6.QtWidgets import QApplication

    from facecurator.cloud.profiles import Profile, save_profile
    from facecurator.gui.i18n import install_translator

    emulator = CloudEmulator().start()
    try:
        body = make_test_image(seed=3)
        emulator.put_many(
            BUCKET, (f"people/person{i:03d}/{j}.jpg" for i in range(40) for j in range(3)), body
        )
        emulator.put_many(BUCKET, (f"{i:04d}.jpg" for i in range(30)), body)
        emulator.create_bucket("archive-2024")
        save_profile(
            Profile(
                "demo",
                oss_endpoint=emulator.url,
                imm_endpoint=emulator.url,
                green_endpoint=emulator.url,
                imm_project="test-project",
                bucket=BUCKET,
                qps={"green": 5.0},
            )
        )
        os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = ACCESS_KEY_ID
        os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = ACCESS_KEY_SECRET
        app = QApplication.instance() or QApplication(sys.argv[:1])
        install_translator(app, args.language)

        from facecurator.gui.cloud_dialog import CloudProfilesDialog
        from facecurator.gui.source_chooser import SourceChooser

        dialog = CloudProfilesDialog(profile="demo")
        dialog.show()
        dialog.key_id_edit.setText(ACCESS_KEY_ID)
        dialog.secret_edit.setText("a-wrong-secret")
        results: list[object] = []
        dialog.testFinished.connect(results.append)
        dialog.test()
        wait_until(app, lambda: bool(results))
        settle(app, 0.3)
        grab(dialog, args.out_dir / "cloud-dialog.png")

        chooser = SourceChooser(["/photos/enrollment", f"oss://{BUCKET}/people/"], profile="demo")
        chooser.show()
        chooser.tabs.setCurrentIndex(chooser.oss_index)
        model = chooser.oss.model
        wait_until(app, lambda: model.exhausted and chooser.oss.bucket_combo.count() > 0)
        chooser.oss.view.setCurrentIndex(model.index(0))
        settle(app, 0.3)
        grab(chooser, args.out_dir / "oss-tab.png")
        chooser.oss.navigate("people/")
        wait_until(app, lambda: model.exhausted and model.prefix == "people/")
        settle(app, 0.3)
        grab(chooser, args.out_dir / "oss-tab-people.png")
        from facecurator.gui.background import wait_for_background

        wait_for_background(10_000)
    finally:
        emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

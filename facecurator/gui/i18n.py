"""User-interface languages: English and Simplified Chinese.

Translations are Qt Linguist files, ``resources/translations/facecurator_<lang>.ts``,
kept up to date by ``scripts/update_translations.sh`` (``pyside6-lupdate`` over
``facecurator/gui/*.py``). The compiled ``.qm`` files are build artefacts (git
ignored): :func:`install_translator` uses a ``.qm`` shipped beside the ``.ts``
when it is current, else compiles one with ``lrelease`` into
``<cache dir>/translations/``, and only when ``lrelease`` is not available
reads the ``.ts`` itself into a small dictionary-backed translator.

Switching language at run time installs the new translator; Qt then sends a
``LanguageChange`` event to every widget. Widgets that build their text in a
``retranslate_ui()`` method called from ``changeEvent`` (the rules editor, the
statistics panel, the export dialog) update at once; others show the new
language the next time they are built.

Condition reasons come from the Qt-free core (``ConditionResult.message_id`` +
``params``); :func:`translate_reason` renders them with this module's templates.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final

from PySide6.QtCore import (
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QObject,
    QSettings,
    QTranslator,
)
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from facecurator import paths
from facecurator.domain.rules import ConditionResult, render_message

log = logging.getLogger("facecurator.gui.i18n")


def QT_TRANSLATE_NOOP(context: str, source: str) -> str:  # the name pyside6-lupdate looks for
    """Mark ``source`` for lupdate in ``context`` and return it untranslated.

    Qt's own ``QtCore.QT_TRANSLATE_NOOP`` does the same at run time but is typed
    as returning ``object``; the GUI imports this one.
    """
    return source


ENGLISH: Final = "en"
CHINESE: Final = "zh_CN"
# language code -> its name in that language (menu entries are never translated).
LANGUAGES: Final[Mapping[str, str]] = {ENGLISH: "English", CHINESE: "简体中文"}
SETTING_KEY: Final = "ui/language"
ENV_QT_ORG: Final = "FACECURATOR_QT_ORG"  # as facecurator.gui.main_window
TS_PREFIX: Final = "facecurator_"
LRELEASE_TIMEOUT_S: Final = 60

_current_language: str = ENGLISH
# translators this module installed (removed again on a switch)
_installed: list[QTranslator] = []


# --------------------------------------------------------------------------- settings


def gui_settings() -> QSettings:
    """The GUI's settings store, the same one the main window uses for its state.

    With ``FACECURATOR_CONFIG_DIR`` set (tests, portable installs) an INI file
    there, else the platform's native store under the organisation
    ``$FACECURATOR_QT_ORG`` (default ``facecurator``).
    """
    if os.environ.get(paths.ENV_CONFIG_DIR):
        return QSettings(str(paths.config_dir() / "gui.ini"), QSettings.Format.IniFormat)
    return QSettings(os.environ.get(ENV_QT_ORG, paths.APP_NAME), paths.APP_NAME)


def saved_language() -> str | None:
    """The language the user chose from the menu, or None to follow the system."""
    value = gui_settings().value(SETTING_KEY)
    return value if isinstance(value, str) and value in LANGUAGES else None


def save_language(language: str | None) -> None:
    """Remember ``language`` (None: follow the system locale again)."""
    settings = gui_settings()
    if language is None:
        settings.remove(SETTING_KEY)
    else:
        settings.setValue(SETTING_KEY, normalize_language(language))
    settings.sync()


def normalize_language(name: str) -> str:
    """A supported language code for a locale name: ``zh*`` -> ``zh_CN``, anything else -> ``en``."""
    text = name.replace("-", "_").strip().casefold()
    return CHINESE if text.startswith("zh") else ENGLISH


def system_language() -> str:
    """The supported language closest to the system locale."""
    locale = QLocale.system()
    if locale.language() == QLocale.Language.Chinese:
        return CHINESE
    return normalize_language(locale.name())


def current_language() -> str:
    """The language the last :func:`install_translator` call installed."""
    return _current_language


# --------------------------------------------------------------------------- .ts -> .qm


def ts_path(language: str) -> Path:
    return paths.resource_path("translations", f"{TS_PREFIX}{language}.ts")


def lrelease_binary() -> Path | None:
    """``lrelease`` shipped inside the PySide6 package (or on PATH), if any."""
    try:
        import PySide6
    except ImportError:  # pragma: no cover - the GUI cannot run without it
        return None
    package = Path(PySide6.__file__).resolve().parent
    exe = ".exe" if sys.platform == "win32" else ""
    for candidate in (
        package / f"lrelease{exe}",
        package / "Qt" / "bin" / f"lrelease{exe}",
        package / "Qt" / "libexec" / f"lrelease{exe}",
    ):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("pyside6-lrelease") or shutil.which("lrelease")
    return Path(found) if found else None


def _is_current(qm: Path, ts: Path) -> bool:
    try:
        return qm.stat().st_size > 0 and qm.stat().st_mtime >= ts.stat().st_mtime
    except OSError:
        return False


def compiled_translation(language: str) -> Path | None:
    """A current ``.qm`` for ``language``: prebuilt beside the ``.ts``, or compiled into the cache.

    Returns None when there is no ``.ts`` or ``lrelease`` is unavailable or fails
    (the caller then falls back to reading the ``.ts``).
    """
    ts = ts_path(language)
    if not ts.is_file():
        return None
    shipped = ts.with_suffix(".qm")
    if _is_current(shipped, ts) or (getattr(sys, "frozen", False) and shipped.is_file()):
        return shipped  # built by scripts/update_translations.sh --release (bundles: always)
    cached = paths.cache_dir() / "translations" / shipped.name
    if _is_current(cached, ts):
        return cached
    binary = lrelease_binary()
    if binary is None:
        log.info("lrelease not found; reading %s directly", ts)
        return None
    cached.parent.mkdir(parents=True, exist_ok=True)
    temp = cached.with_suffix(f".{os.getpid()}.tmp.qm")
    try:
        completed = subprocess.run(
            [str(binary), "-silent", str(ts), "-qm", str(temp)],
            capture_output=True,
            text=True,
            timeout=LRELEASE_TIMEOUT_S,
            check=False,
        )
        if completed.returncode != 0 or not temp.is_file():
            log.warning("lrelease failed on %s: %s", ts, (completed.stderr or completed.stdout).strip())
            return None
        temp.replace(cached)  # atomic: a concurrent start never loads half a file
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("cannot run lrelease on %s: %s", ts, exc)
        return None
    finally:
        temp.unlink(missing_ok=True)
    return cached


def read_ts(path: Path) -> dict[tuple[str, str], str]:
    """``(context, source) -> translation`` of every finished, non-empty message of a ``.ts`` file."""
    messages: dict[tuple[str, str], str] = {}
    root = ET.parse(path).getroot()
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            source = message.findtext("source")
            translation = message.find("translation")
            if source is None or translation is None:
                continue
            if translation.get("type") in ("unfinished", "obsolete", "vanished"):
                continue
            numerus = translation.findall("numerusform")
            text = (numerus[0].text if numerus else translation.text) or ""
            if text:
                messages[(name, source)] = text
    return messages


class DictTranslator(QTranslator):
    """A translator over a ``.ts`` file's messages, for when ``lrelease`` is unavailable."""

    def __init__(self, messages: Mapping[tuple[str, str], str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._messages = dict(messages)

    def translate(
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None becomes a null QString, which tells Qt "not translated here" (an
        # empty string would be taken as the translation).
        return self._messages.get((context, source_text))

    def isEmpty(self) -> bool:
        return not self._messages


def _remove_installed(app: QCoreApplication) -> None:
    while _installed:
        translator = _installed.pop()
        app.removeTranslator(translator)
        translator.deleteLater()


def _install(app: QCoreApplication, translator: QTranslator) -> None:
    app.installTranslator(translator)
    _installed.append(translator)


def install_translator(app: QCoreApplication, language: str | None = None) -> str:
    """Install the translation for ``language`` (default: the saved choice, else the system locale).

    Removes any translator this module installed before, so it also switches
    languages at run time (Qt then sends ``LanguageChange`` to every widget).
    English installs nothing: the source strings are English.

    Returns:
        The language now in effect (``"en"`` or ``"zh_CN"``; English when the
        Chinese translation cannot be loaded, which is logged).
    """
    global _current_language
    wanted = normalize_language(language) if language else (saved_language() or system_language())
    _remove_installed(app)
    _current_language = ENGLISH
    if wanted == ENGLISH:
        return ENGLISH
    ours: QTranslator | None = None
    qm = compiled_translation(wanted)
    if qm is not None:
        candidate = QTranslator(app)
        if candidate.load(str(qm)):
            ours = candidate
        else:
            log.warning("cannot load %s", qm)
    if ours is None and ts_path(wanted).is_file():
        try:
            ours = DictTranslator(read_ts(ts_path(wanted)), app)
        except (OSError, ET.ParseError) as exc:
            log.warning("cannot read %s: %s", ts_path(wanted), exc)
    if ours is None:
        log.warning("no %s translation found; staying in English", wanted)
        return ENGLISH
    qt_own = QTranslator(app)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt_own.load(f"qtbase_{wanted}", qt_dir):
        _install(app, qt_own)  # Qt's own dialogs and buttons (OK, Cancel, …)
    _install(app, ours)
    _current_language = wanted
    return wanted


# --------------------------------------------------------------------------- menu


def language_menu(parent: QWidget, on_change: Callable[[str], None] | None = None) -> QMenu:
    """The "Language" menu: English / 简体中文, checked on the language in effect.

    Choosing an entry saves it, installs its translator and calls ``on_change``
    with the language now in effect.
    """
    menu = QMenu(QCoreApplication.translate("LanguageMenu", "&Language"), parent)
    group = QActionGroup(menu)
    group.setExclusive(True)
    for code, name in LANGUAGES.items():
        action = QAction(name, menu)
        action.setCheckable(True)
        action.setChecked(code == _current_language)
        action.setData(code)
        group.addAction(action)
        menu.addAction(action)

    def choose(action: QAction) -> None:
        code = str(action.data())
        save_language(code)
        app = QCoreApplication.instance()
        effective = install_translator(app, code) if app is not None else code
        for other in group.actions():
            other.setChecked(other.data() == effective)
        menu.setTitle(QCoreApplication.translate("LanguageMenu", "&Language"))
        if on_change is not None:
            on_change(effective)

    group.triggered.connect(choose)
    return menu


# --------------------------------------------------------------------------- domain words

# Words of the Qt-free core (condition labels, parameter names, axes, outcomes)
# listed here so lupdate extracts them; show them through :func:`term`.
_TERMS: Final = (
    # condition labels (facecurator.domain.rules, Condition.label)
    QT_TRANSLATE_NOOP("Rules", "Blur below a limit"),
    QT_TRANSLATE_NOOP("Rules", "Head angle within a limit"),
    QT_TRANSLATE_NOOP("Rules", "No sunglasses"),
    QT_TRANSLATE_NOOP("Rules", "No glasses"),
    QT_TRANSLATE_NOOP("Rules", "No mask"),
    QT_TRANSLATE_NOOP("Rules", "No hat"),
    QT_TRANSLATE_NOOP("Rules", "Eyes open"),
    QT_TRANSLATE_NOOP("Rules", "Exact number of faces in the image"),
    QT_TRANSLATE_NOOP("Rules", "Minimum face size"),
    QT_TRANSLATE_NOOP("Rules", "Minimum detection confidence"),
    QT_TRANSLATE_NOOP("Rules", "Minimum face quality (IMM)"),
    QT_TRANSLATE_NOOP("Rules", "Minimum sharpness (IMM)"),
    QT_TRANSLATE_NOOP("Rules", "Minimum face integrity (Moderation 2.0)"),
    QT_TRANSLATE_NOOP("Rules", "Age range"),
    QT_TRANSLATE_NOOP("Rules", "Same person as the folder"),
    QT_TRANSLATE_NOOP("Rules", "The folder's person in a group photo"),
    QT_TRANSLATE_NOOP("Rules", "No near-identical photo"),
    QT_TRANSLATE_NOOP("Rules", "Quality measure at least a limit"),
    # built-in preset descriptions (resources/presets/*.toml)
    QT_TRANSLATE_NOOP(
        "Rules",
        "Content Moderation 1.0 'qualified': blur < 5 (0–20), |pitch|, |yaw|, |roll| ≤ 30°, no sunglasses.",
    ),
    QT_TRANSLATE_NOOP(
        "Rules",
        "Content Moderation 2.0 recommended ranges: blur < 25 (0–100), |pitch|, |yaw|, |roll| ≤ 30°, "
        "no sunglasses.",
    ),
    QT_TRANSLATE_NOOP(
        "Rules",
        "moderation-2.0 plus: exactly one face in the image, face ≥ 112 px (short side), no mask, eyes open, "
        "integrity ≥ 80 where measured, eyes visible, both eyes open, nose and mouth visible, sharp, "
        "no compression artefacts, full resolution, not under- or over-exposed, a photograph.",
    ),
    QT_TRANSLATE_NOOP(
        "Rules", "enrollment-strict plus the remaining ISO/IEC 29794-5 style components: face visible."
    ),
    # parameter help (ParamSpec.help)
    QT_TRANSLATE_NOOP("Rules", "blur must be below this value (on the rule's scale)"),
    QT_TRANSLATE_NOOP("Rules", "the scale the limit is on"),
    QT_TRANSLATE_NOOP("Rules", "convert a blur on another scale (else it is unknown)"),
    QT_TRANSLATE_NOOP("Rules", "which angle"),
    QT_TRANSLATE_NOOP("Rules", "largest allowed angle either way"),
    QT_TRANSLATE_NOOP("Rules", "how many faces the image must hold"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed short side of the face box"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed detection confidence (0–1)"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed IMM FaceQuality (0–1)"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed IMM Sharpness (0–1, higher = sharper)"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed Integrity (0–100, higher = more complete)"),
    QT_TRANSLATE_NOOP("Rules", "when false, a face without an integrity measure passes"),
    QT_TRANSLATE_NOOP("Rules", "youngest allowed age"),
    QT_TRANSLATE_NOOP("Rules", "oldest allowed age"),
    QT_TRANSLATE_NOOP(
        "Rules", "largest descriptor distance from the folder's identity (dlib scale; 0.6 = same person)"
    ),
    QT_TRANSLATE_NOOP("Rules", "which quality measure"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed score (0–1; 0.5 = the calibrated boundary)"),
    # units, axes, outcomes
    QT_TRANSLATE_NOOP("Rules", "years"),
    QT_TRANSLATE_NOOP("Rules", "pitch"),
    QT_TRANSLATE_NOOP("Rules", "yaw"),
    QT_TRANSLATE_NOOP("Rules", "roll"),
    QT_TRANSLATE_NOOP("Rules", "pass"),
    QT_TRANSLATE_NOOP("Rules", "fail"),
    QT_TRANSLATE_NOOP("Rules", "unknown"),
)

# Parameter names (ParamSpec.name) -> their label in the rules editor.
PARAM_LABELS: Final[Mapping[str, str]] = {
    "max": QT_TRANSLATE_NOOP("Rules", "Maximum"),
    "min": QT_TRANSLATE_NOOP("Rules", "Minimum"),
    "scale": QT_TRANSLATE_NOOP("Rules", "Scale"),
    "convert": QT_TRANSLATE_NOOP("Rules", "Convert other scales"),
    "axis": QT_TRANSLATE_NOOP("Rules", "Angle"),
    "max_degrees": QT_TRANSLATE_NOOP("Rules", "Largest angle"),
    "count": QT_TRANSLATE_NOOP("Rules", "Number of faces"),
    "min_px": QT_TRANSLATE_NOOP("Rules", "Smallest short side"),
    "required": QT_TRANSLATE_NOOP("Rules", "Must be measured"),
    "max_distance": QT_TRANSLATE_NOOP("Rules", "Largest distance"),
    "measure": QT_TRANSLATE_NOOP("Rules", "Measure"),
}
# Choice values shown by a label (the ``measure`` condition's measure names,
# facecurator.domain.measures.ALL_MEASURES[name].label).
CHOICE_LABELS: Final[Mapping[str, str]] = {
    "eyes_visible": QT_TRANSLATE_NOOP("Rules", "Eyes visible"),
    "eyes_open": QT_TRANSLATE_NOOP("Rules", "Both eyes open"),
    "nose_mouth_visible": QT_TRANSLATE_NOOP("Rules", "Nose and mouth visible"),
    "face_visible": QT_TRANSLATE_NOOP("Rules", "Face visible"),
    "sharp": QT_TRANSLATE_NOOP("Rules", "Sharp"),
    "no_compression_artefacts": QT_TRANSLATE_NOOP("Rules", "No compression artefacts"),
    "full_resolution": QT_TRANSLATE_NOOP("Rules", "Full resolution"),
    "not_underexposed": QT_TRANSLATE_NOOP("Rules", "Not underexposed"),
    "not_overexposed": QT_TRANSLATE_NOOP("Rules", "Not overexposed"),
    "photograph": QT_TRANSLATE_NOOP("Rules", "A photograph"),
    "eye_visible_right": QT_TRANSLATE_NOOP("Rules", "Right eye visible"),
    "eye_visible_left": QT_TRANSLATE_NOOP("Rules", "Left eye visible"),
    "eye_open_right": QT_TRANSLATE_NOOP("Rules", "Right eye open"),
    "eye_open_left": QT_TRANSLATE_NOOP("Rules", "Left eye open"),
    "nose_visible": QT_TRANSLATE_NOOP("Rules", "Nose visible"),
    "mouth_visible": QT_TRANSLATE_NOOP("Rules", "Mouth visible"),
}
TERMS: Final = frozenset(_TERMS) | frozenset(PARAM_LABELS.values()) | frozenset(CHOICE_LABELS.values())


def choice_label(value: str) -> str:
    """A choice parameter's value as the rules editor shows it, in the current language."""
    return term(CHOICE_LABELS.get(value, value))


def counted(text: str, n: int) -> str:
    """Finish a ``%n`` message for English: ``(s)`` becomes ``s`` unless ``n`` is 1.

    Write the message so lupdate sees its number (it then asks for numerus forms):
    ``counted(QCoreApplication.translate("Ctx", "Undid %n face(s)", None, n), n)``.
    Translations give their own forms (and have no ``(s)``); English needs no ``.ts``.
    """
    return text.replace("(s)", "" if n == 1 else "s")


def term(text: str) -> str:
    """A core word (condition label, parameter help, axis, outcome…) in the current language."""
    return QCoreApplication.translate("Rules", text)


def param_label(name: str) -> str:
    """The rules editor's label for the condition parameter ``name`` (the name itself if unknown)."""
    return term(PARAM_LABELS.get(name, name))


# --------------------------------------------------------------------------- reasons

# Simplified Chinese templates for every ``facecurator.domain.rules.MESSAGES`` id.
ZH_CN_REASONS: Final[Mapping[str, str]] = {
    "blur.pass": "模糊度 {value} < {max}（{scale}）",
    "blur.fail": "模糊度 {value} ≥ {max}（{scale}）",
    "blur.pass_converted": "模糊度 {value}（{from_scale}，折合 {scale} 为 {converted}）< {max}",
    "blur.fail_converted": "模糊度 {value}（{from_scale}，折合 {scale} 为 {converted}）≥ {max}",
    "blur.not_measured": "未测量模糊度",
    "blur.foreign_scale": "模糊度为 {from_scale} 刻度，规则要求 {scale}",
    "blur.unknown_scale": "模糊度刻度未知：“{from_scale}”",
    "pose.pass": "{axis} {value}° ≤ {max}°",
    "pose.pass_negative": "{axis} {value}° ≥ -{max}°",
    "pose.fail": "{axis} {value}° > {max}°",
    "pose.fail_negative": "{axis} {value}° < -{max}°",
    "pose.not_measured": "未测量{axis}",
    "no_sunglasses.pass": "未戴墨镜",
    "no_sunglasses.pass_glasses": "戴普通眼镜，非墨镜",
    "no_sunglasses.fail": "戴墨镜",
    "no_sunglasses.not_measured": "未检测是否戴眼镜",
    "no_glasses.pass": "未戴眼镜",
    "no_glasses.fail": "戴眼镜",
    "no_glasses.fail_sunglasses": "戴墨镜",
    "no_glasses.not_measured": "未检测是否戴眼镜",
    "no_mask.pass": "未戴口罩",
    "no_mask.fail": "戴口罩",
    "no_mask.not_measured": "未检测是否戴口罩",
    "no_hat.pass": "未戴帽子",
    "no_hat.fail": "戴帽子",
    "no_hat.not_measured": "未检测是否戴帽子",
    "eyes_open.pass": "睁眼",
    "eyes_open.fail": "闭眼",
    "eyes_open.not_measured": "未检测睁闭眼",
    "face_count.pass_one": "图中有 1 张人脸",
    "face_count.pass": "图中有 {count} 张人脸",
    "face_count.fail_one": "图中有 1 张人脸，要求恰好 {need} 张",
    "face_count.fail": "图中有 {count} 张人脸，要求恰好 {need} 张",
    "face_count.not_measured": "图中人脸数未知",
    "min_face_size.pass": "人脸 {px} 像素 ≥ {min} 像素",
    "min_face_size.fail": "人脸 {px} 像素 < {min} 像素",
    "min_confidence.pass": "置信度 {score} ≥ {min}",
    "min_confidence.fail": "置信度 {score} < {min}",
    "min_confidence.not_measured": "未测量置信度",
    "min_quality.pass": "质量 {score} ≥ {min}",
    "min_quality.fail": "质量 {score} < {min}",
    "min_quality.not_measured": "未测量质量",
    "min_sharpness.pass": "清晰度 {score} ≥ {min}",
    "min_sharpness.fail": "清晰度 {score} < {min}",
    "min_sharpness.not_measured": "未测量清晰度",
    "min_integrity.pass": "完整度 {value} ≥ {min}",
    "min_integrity.fail": "完整度 {value} < {min}",
    "min_integrity.not_measured": "未测量完整度",
    "age_range.pass": "年龄 {age} 在 {min}–{max} 之间",
    "age_range.pass_min": "年龄 {age} ≥ {min}",
    "age_range.pass_max": "年龄 {age} ≤ {max}",
    "age_range.fail_min": "年龄 {age} < {min}",
    "age_range.fail_max": "年龄 {age} > {max}",
    "age_range.not_measured": "未估计年龄",
    "identity.not_measured": "未计算身份特征（无人脸特征向量）",
    "identity_consistent.pass": "与 {person} 的距离 {distance} ≤ {max}",
    "identity_consistent.fail": "与 {person} 的距离 {distance} > {max}；最像 {nearest}（{nearest_distance}）",
    "identity_consistent.fail_alone": "与 {person} 的距离 {distance} > {max}",
    "identity_consistent.no_majority": "{person} 的照片无法确定是同一个人",
    "enrolled_face.pass": "此照片中 {person} 的人脸",
    "enrolled_face.pass_single": "照片中唯一的人脸",
    "enrolled_face.fail": "不是此人：不是此照片中 {person} 的人脸",
    "no_duplicate.pass": "无近似重复照片",
    "no_duplicate.fail": "与 {kept} 近似重复（保留该张）",
    "measure.pass": "{what} {score} ≥ {min}",
    "measure.fail": "{what} {score} < {min}",
    "measure.fail_why": "{what}（{why}）{score} < {min}",
    "measure.not_measured": "未测量：{what}",
    "measure.not_measured_why": "未测量：{what}（{why}）",
    "measure.pass_flag": "{what}",
    "measure.fail_flag": "{what}",
    "measure.fail_flag_why": "{what}（{why}）",
}

# The named measures' words (facecurator.domain.measures) and the local detector's short reasons.
_ZH_CN_MEASURE_WORDS: Final[Mapping[str, str]] = {
    "eyes visible": "双眼可见",
    "eyes not visible": "眼睛不可见",
    "eyes open": "双眼睁开",
    "eye closed": "有眼睛闭合",
    "nose and mouth visible": "口鼻可见",
    "nose or mouth covered": "口鼻被遮挡",
    "face visible": "面部可见",
    "face partly covered": "面部部分被遮挡",
    "right eye visible": "右眼可见",
    "right eye not visible": "右眼不可见",
    "left eye visible": "左眼可见",
    "left eye not visible": "左眼不可见",
    "right eye open": "右眼睁开",
    "right eye closed": "右眼闭合",
    "left eye open": "左眼睁开",
    "left eye closed": "左眼闭合",
    "nose visible": "鼻子可见",
    "nose covered": "鼻子被遮挡",
    "mouth visible": "嘴部可见",
    "mouth covered": "嘴部被遮挡",
    "sharp": "清晰",
    "blurred": "模糊",
    "no compression artefacts": "无压缩失真",
    "compression artefacts": "有压缩失真",
    "full resolution": "分辨率充足",
    "low effective resolution": "有效分辨率低",
    "not underexposed": "未欠曝",
    "underexposed": "欠曝",
    "not overexposed": "未过曝",
    "overexposed": "过曝",
    "a photograph": "真实照片",
    "not a photograph": "非真实照片",
}
_ZH_CN_MEASURE_REASONS: Final[Mapping[str, str]] = {
    "covered?": "被遮挡？",
    "sunglasses?": "墨镜？",
    "hair, lenses or shadow?": "头发、镜片或阴影？",
    "face too small": "人脸太小",
    "face turned away": "人脸侧转过大",
    "no skin visible for reference": "无可参照的皮肤区域",
    "lids closed": "眼睑闭合",
    "no iris visible": "看不到虹膜",
    "mask?": "口罩？",
    "beard?": "胡须？",
    "not measured": "未测量",
    "little detail (out of focus or enlarged)": "细节不足（失焦或放大）",
    "JPEG blocking or low JPEG quality": "JPEG 块效应或 JPEG 质量过低",
    "pixelated or enlarged from a small image": "像素化或由小图放大",
    "face too dark": "人脸过暗",
    "face clipped white": "人脸过曝发白",
    "flat colour fills or unnatural colour (drawing, render?)": "大片平涂色或颜色不自然（绘画、渲染？）",
}
_ZH_CN_PARTS: Final[Mapping[str, str]] = {
    "right eye": "右眼",
    "left eye": "左眼",
    "nose": "鼻子",
    "mouth": "嘴部",
}
ZH_CN_MEASURE_WORDS: Final[Mapping[str, str]] = {
    **_ZH_CN_MEASURE_WORDS,
    **_ZH_CN_MEASURE_REASONS,
    # composed reasons of the combined measures: "right eye: sunglasses?"
    **{
        f"{part}: {reason}": f"{zh_part}：{zh_reason}"
        for part, zh_part in _ZH_CN_PARTS.items()
        for reason, zh_reason in _ZH_CN_MEASURE_REASONS.items()
    },
}

# Values of text params that read as words in Chinese (the pose axis).
ZH_CN_PARAM_WORDS: Final[Mapping[str, str]] = {
    "pitch": "俯仰角",
    "yaw": "偏航角",
    "roll": "翻滚角",
    **ZH_CN_MEASURE_WORDS,
}

_REASON_TEMPLATES: Final[Mapping[str, tuple[Mapping[str, str], Mapping[str, str]]]] = {
    CHINESE: (ZH_CN_REASONS, ZH_CN_PARAM_WORDS),
}


def translate_reason(result: ConditionResult, language: str | None = None) -> str:
    """``result``'s reason in ``language`` (default: the installed one), else its English ``reason``."""
    language = language or _current_language
    templates = _REASON_TEMPLATES.get(language)
    if templates is None or not result.message_id:
        return result.reason
    messages, words = templates
    if result.message_id not in messages:
        return result.reason
    params = {
        key: words.get(value, value) if isinstance(value, str) else value
        for key, value in result.params.items()
    }
    try:
        return render_message(result.message_id, params, messages)
    except KeyError:  # a message id the core added after this table
        return result.reason

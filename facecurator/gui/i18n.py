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

The words of the rules (condition labels, parameter names and choices, reasons)
are translated by :mod:`facecurator.gui.rule_words`.
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


def counted(text: str, n: int) -> str:
    """Finish a ``%n`` message for English: ``(s)`` becomes ``s`` unless ``n`` is 1.

    Write the message so lupdate sees its number (it then asks for numerus forms):
    ``counted(QCoreApplication.translate("Ctx", "Undid %n face(s)", None, n), n)``.
    Translations give their own forms (and have no ``(s)``); English needs no ``.ts``.
    """
    return text.replace("(s)", "" if n == 1 else "s")

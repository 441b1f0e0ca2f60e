#!/usr/bin/env python3
"""List user-visible string literals in the GUI that do not go through Qt's translation.

A literal (or f-string) passed straight to a text-setting Qt call — ``setText``,
``setWindowTitle``, ``setToolTip``, ``addAction``, ``QLabel(...)``,
``QMessageBox.warning(...)`` and the like — is shown to the user untranslated.
Wrap it in ``self.tr(...)`` or ``QCoreApplication.translate(context, ...)``
(with ``.format()`` for values: lupdate cannot see f-strings).

Usage: ``python scripts/find_untranslated_strings.py [FILES...]`` (default:
``facecurator/gui/*.py``). Exit status 1 when something is found.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Calls whose string arguments are shown to the user.
TEXT_METHODS = frozenset(
    {
        "setText",
        "setWindowTitle",
        "setToolTip",
        "setStatusTip",
        "setWhatsThis",
        "setPlaceholderText",
        "setTitle",
        "setLabelText",
        "setSpecialValueText",
        "setSuffix",
        "setPrefix",
        "setHeaderLabels",
        "setHorizontalHeaderLabels",
        "setTabText",
        "setTabToolTip",
        "setItemText",
        "setInformativeText",
        "setDetailedText",
        "showMessage",
        "addAction",
        "addMenu",
        "addTab",
        "addItem",
        "addRow",
        "setFormat",
        "information",
        "warning",
        "critical",
        "question",
        "getText",
        "getExistingDirectory",
        "getOpenFileName",
        "getSaveFileName",
    }
)
TEXT_CLASSES = frozenset(
    {
        "QLabel",
        "QPushButton",
        "QToolButton",
        "QCheckBox",
        "QRadioButton",
        "QGroupBox",
        "QAction",
        "QMenu",
        "QMessageBox",
    }
)
#: Which positional arguments are text, where not all of them are.
TEXT_POSITIONS = {
    "addTab": (1,),
    "addItem": (0,),
    "addRow": (0,),
    "setItemText": (1,),
    "setTabText": (1,),
    "setTabToolTip": (1,),
    "information": (1, 2),
    "warning": (1, 2),
    "critical": (1, 2),
    "question": (1, 2),
    "getText": (1, 2),
    "getExistingDirectory": (1,),
    "getOpenFileName": (1, 3),
    "getSaveFileName": (1, 3),
    "QMessageBox": (1, 2),
}
#: Receivers whose calls are logging, not display.
LOGGERS = frozenset({"log", "logger", "logging", "_log", "LOG"})
#: Literals that are not words (separators, format specs, icons' names…).
IGNORED = frozenset({"", " ", "%v / %m", "%p%", "…", "—", "-", ":", "/"})


def _is_visible_literal(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value.strip()
        return text not in IGNORED and any(ch.isalpha() for ch in text)
    if isinstance(node, ast.JoinedStr):
        return any(
            isinstance(v, ast.Constant) and any(ch.isalpha() for ch in str(v.value)) for v in node.values
        )
    return False


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def find(path: Path) -> list[tuple[int, str]]:
    """``(line, source)`` of each untranslated visible literal in ``path``."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node)
        if name not in TEXT_METHODS and name not in TEXT_CLASSES:
            continue
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(receiver, ast.Name) and receiver.id in LOGGERS:
            continue
        positions = TEXT_POSITIONS.get(name)
        args = [a for i, a in enumerate(node.args) if positions is None or i in positions]
        for arg in [*args, *(k.value for k in node.keywords if k.arg in ("text", "title"))]:
            if _is_visible_literal(arg):
                found.append((arg.lineno, lines[arg.lineno - 1].strip()))
    return sorted(set(found))


def main(argv: list[str]) -> int:
    files = [Path(a) for a in argv] or sorted((REPO / "facecurator" / "gui").glob("*.py"))
    total = 0
    for path in files:
        for line, text in find(path):
            total += 1
            shown = path.relative_to(REPO) if path.is_relative_to(REPO) else path
            print(f"{shown}:{line}: {text}")
    if total:
        print(f"{total} visible string(s) not marked for translation", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The TOML parser's own words in the zh_CN UI: a rules preset with a TOML syntax error, chosen in
the main window's rules list as an operator does, is reported without English (line and column
kept); every kind of ``tomllib`` error parses back into a template."""

from __future__ import annotations

from pathlib import Path

import pytest
import tomllib

from facecurator.domain.rules import user_preset_path
from facecurator.domain.toml_errors import TOML_MESSAGES, TOML_POSITION_MESSAGES, parse_toml_error
from tests.gui.test_chinese_errors import _english, _notices

pytestmark = pytest.mark.gui

#: One document per kind of tomllib error (the common ones an operator makes by hand).
BROKEN = {
    "toml.invalid_value": 'name = "x"\nmin = \n',
    "toml.expected_equals": "name\n",
    "toml.unterminated_string": 'name = "open',
    "toml.unclosed_array": "list = [1, 2\n",
    "toml.expected_newline": 'name = "a" "b"\n',
    "toml.invalid_statement": "= 1\n",
    "toml.declared_twice": "[a]\n[a]\n",
    "toml.overwrite": "a = 1\na = 2\n",
    "toml.expected_table_end": "[a\nb = 1\n",
    "toml.illegal_character": 'name = "a\x01"\n',
    "toml.invalid_date": "when = 2024-02-30\n",
    "toml.unclosed_table": "t = {a = 1\n",
    "toml.duplicate_key": "t = {a = 1, a = 2}\n",
}


def _parsed(document: str) -> tuple[str, str]:
    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        tomllib.loads(document)
    parsed = parse_toml_error(str(caught.value))
    assert parsed is not None, str(caught.value)
    return parsed[2], str(caught.value)


def test_every_toml_template_is_marked_for_translation() -> None:
    from facecurator.gui.toml_errors import TOML_TEMPLATES

    assert {*TOML_MESSAGES.values(), *TOML_POSITION_MESSAGES.values()} == set(TOML_TEMPLATES)


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_each_kind_of_toml_error_parses_back(kind: str) -> None:
    assert _parsed(BROKEN[kind])[0] == kind


def test_a_rules_preset_with_a_toml_syntax_error_is_reported_in_chinese(
    qtbot, zh, make_window, catalog_path: Path
) -> None:
    path = user_preset_path("hand-edited")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('name = "hand-edited"\n[[conditions]]\nkind = "face_count"\nmin = \n', encoding="utf-8")
    window = make_window(catalog_path)
    combo = window.rules_combo
    index = combo.findData("hand-edited")
    assert index >= 0, [combo.itemData(i) for i in range(combo.count())]
    since = len(window.notifier.history)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)  # chosen in the list, as a click does
    texts = [*_notices(window, since), ("status", window.statusBar().currentMessage())]
    assert any("TOML 格式无效" in text and "值无效" in text for _w, text in texts), texts
    assert any("第 4 行" in text and "第 7 列" in text for _w, text in texts), texts
    found = _english(texts, {str(path), "TOML"})
    assert not found, "\n".join(f"{where}: {text!r}" for where, text in found)

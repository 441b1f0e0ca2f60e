"""Presets: the built-in ones (``resources/presets``) and the user's (``<config dir>/presets``)."""

from __future__ import annotations

import os
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Final

from facecurator.domain.rules.errors import rule_text
from facecurator.domain.rules.ruleset import RuleSet
from facecurator.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

DEFAULT_PRESET: Final = "moderation-2.0"
BUILTIN_PRESETS: Final = ("moderation-1.0", "moderation-2.0", "enrollment-strict", "enrollment-iso")

_PRESET_SUFFIX: Final = ".toml"
_MAX_PRESET_NAME: Final = 64
_PRESET_NAME_PUNCTUATION: Final = frozenset(" -_.()+,'&@#")
_WINDOWS_RESERVED: Final = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def is_builtin_preset(name: str) -> bool:
    """True for a built-in preset name (compared case-insensitively, as file systems may)."""
    return name.casefold() in {builtin.casefold() for builtin in BUILTIN_PRESETS}


def _check_preset_name(name: str) -> str:
    """Return ``name`` if it is a safe user preset name (it becomes a file name), else raise ConfigError."""
    if not isinstance(name, str) or not name:
        raise ConfigError(rule_text("preset.no_name"))
    shown = name if len(name) <= 80 else name[:77] + "..."
    problem = None
    if len(name) > _MAX_PRESET_NAME:
        problem = rule_text("preset.too_long", max=_MAX_PRESET_NAME)
    elif name != name.strip():
        problem = rule_text("preset.space")
    elif name.startswith(".") or name.endswith("."):
        problem = rule_text("preset.dot")
    elif name.casefold().endswith(_PRESET_SUFFIX):
        problem = rule_text("preset.suffix", suffix=_PRESET_SUFFIX)
    elif name.split(".")[0].strip().casefold() in _WINDOWS_RESERVED:
        problem = rule_text("preset.reserved")
    else:
        for ch in name:
            category = unicodedata.category(ch)
            # letters, digits and combining marks of any script, dashes, and a few safe ASCII signs
            if ch not in _PRESET_NAME_PUNCTUATION and category[0] not in "LNM" and category != "Pd":
                problem = rule_text("preset.character", char=repr(ch))
                break
    if problem:
        raise ConfigError(rule_text("preset.bad_name", name=repr(shown), problem=problem))
    return name


def user_presets_dir() -> Path:
    from facecurator import paths

    return paths.config_dir() / "presets"


def user_preset_path(name: str) -> Path:
    """Where the user preset ``name`` lives (ConfigError for an unsafe or built-in name)."""
    _check_preset_name(name)
    if is_builtin_preset(name):
        raise ConfigError(rule_text("preset.builtin", name=name))
    return user_presets_dir() / f"{name}{_PRESET_SUFFIX}"


def _builtin_path(name: str) -> Path:
    from facecurator import paths

    return paths.resource_path("presets", f"{name}{_PRESET_SUFFIX}")


def _read_rules_file(path: Path, *, name: str | None = None) -> RuleSet:
    """Read a preset file; a file without a ``name`` is named after the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(rule_text("file.not_found", path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(rule_text("file.unreadable", path=path, detail=exc)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(rule_text("file.invalid_toml", source=path, detail=exc)) from None
    if name is None and "name" not in data:
        name = path.stem
    return RuleSet.from_table(data, name=name, source=str(path))


def _user_preset_names() -> list[str]:
    directory = user_presets_dir()
    if not directory.is_dir():
        return []
    names = []
    for entry in directory.iterdir():
        if entry.suffix != _PRESET_SUFFIX or not entry.is_file():
            continue
        stem = entry.name[: -len(_PRESET_SUFFIX)]
        try:
            _check_preset_name(stem)
        except ConfigError:
            continue  # a stray file a user dropped there; not a preset we wrote
        if not is_builtin_preset(stem):
            names.append(stem)
    return sorted(names, key=lambda n: (n.casefold(), n))


def list_presets() -> list[str]:
    """Built-in presets (in their fixed order), then the user's presets sorted by name."""
    return [*BUILTIN_PRESETS, *_user_preset_names()]


def load_rules(name_or_path: str | os.PathLike[str]) -> RuleSet:
    """A built-in preset, a user preset, or a ``.toml`` file.

    Names win over paths: ``moderation-2.0`` is the built-in preset even if a
    file of that name exists in the working directory.

    Raises:
        ConfigError: unknown preset, missing or unreadable file, or bad contents.
    """
    text = os.fspath(name_or_path)
    if not text:
        raise ConfigError(rule_text("rules.none_given"))
    for builtin in BUILTIN_PRESETS:
        if text.casefold() == builtin.casefold():  # "Moderation-2.0" means the built-in, too
            return _read_rules_file(_builtin_path(builtin))
    looks_like_name = "/" not in text and "\\" not in text and not text.endswith(_PRESET_SUFFIX)
    if looks_like_name:
        try:
            _check_preset_name(text)
            candidate: Path | None = user_presets_dir() / f"{text}{_PRESET_SUFFIX}"
        except ConfigError:
            candidate = None
        if candidate is not None and candidate.is_file() and not is_builtin_preset(text):
            return _read_rules_file(candidate, name=text)
    path = Path(text).expanduser()
    if not looks_like_name or path.is_file():
        if path.is_dir():
            raise ConfigError(rule_text("file.folder", path=path))
        rules = _read_rules_file(path)
        return rules
    raise ConfigError(rule_text("rules.unknown_preset", name=repr(text), available=", ".join(list_presets())))


def save_user_preset(rules: RuleSet) -> Path:
    """Write ``rules`` as the user preset ``rules.name`` (atomically) and return its path.

    Raises:
        ConfigError: the name is a built-in preset or is not safe as a file name,
            or the file cannot be written.
    """
    path = user_preset_path(rules.name)
    text = rules.to_toml()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp_name = tempfile.mkstemp(prefix=".preset-", suffix=".tmp", dir=path.parent)
        temp_path = Path(temp_name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            temp_path.replace(path)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise ConfigError(rule_text("preset.save_failed", name=rules.name, path=path, detail=exc)) from None
    return path


def delete_user_preset(name: str) -> None:
    """Delete the user preset ``name``; ConfigError for a built-in, unsafe or missing name."""
    path = user_preset_path(name)
    try:
        path.unlink()
    except FileNotFoundError:
        raise ConfigError(rule_text("preset.no_such", name=name)) from None
    except OSError as exc:
        raise ConfigError(rule_text("preset.delete_failed", name=name, path=path, detail=exc)) from None

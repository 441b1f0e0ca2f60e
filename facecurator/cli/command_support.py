"""What the core commands (and :mod:`facecurator.cli.team`) share: the catalog the
arguments name, the rule set (--rules, remembered by scan, else the catalog's last), the
--source root filter, a progress bar on a terminal and one clean line on stderr."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from facecurator.cli.common import catalog_target
from facecurator.cli.text import clean
from facecurator.domain.rules import DEFAULT_PRESET, RuleSet, load_rules
from facecurator.services.catalog import Catalog

#: Catalog settings that remember the rule set of the last scan.
RULES_NAME_SETTING = "rules.name"
RULES_TOML_SETTING = "rules.toml"


def open_catalog(args: argparse.Namespace) -> Catalog:
    return Catalog(catalog_target(args))


def resolve_rules(catalog: Catalog, option: str | None, *, remember: bool = False) -> RuleSet:
    """--rules if given (remembered by scan), else the catalog's last rules, else the default."""
    if option:
        rules = load_rules(option)
        if remember:
            catalog.set_setting(RULES_NAME_SETTING, rules.name)
            catalog.set_setting(RULES_TOML_SETTING, rules.to_toml())
        return rules
    stored = catalog.get_setting(RULES_TOML_SETTING)
    if stored:
        return RuleSet.from_toml(stored, name=catalog.get_setting(RULES_NAME_SETTING))
    return load_rules(DEFAULT_PRESET)


def source_root_filter(text: str | None) -> str | None:
    if text is None:
        return None
    from facecurator.sources import open_source

    return open_source(text).root


class Progress:
    """A tqdm bar on a terminal's stderr; silent when stderr is piped."""

    def __init__(self, description: str, total: int | None = None) -> None:
        self._bar = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=description, unit="img", file=sys.stderr, leave=False)

    def update(self, done: int, total: int | None, postfix: str = "") -> None:
        if self._bar is None:
            return
        if total is not None and self._bar.total != total:
            self._bar.total = total
        self._bar.n = done
        if postfix:
            self._bar.set_postfix_str(postfix[-40:], refresh=False)
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _err(message: str) -> None:
    """One line on stderr (control characters escaped: see :mod:`facecurator.cli.text`)."""
    print(clean(message), file=sys.stderr)


def unchecked_by_photo_model(catalog: Any, source_root: str | None = None) -> tuple[int, int]:
    """(images, faces) scanned by the local detector without the CLIP photograph model (the
    rules of that scan did not use it): their ``photograph`` is unknown until a scan under
    rules that use it detects them again (it re-detects only those)."""
    from facecurator.detect.quality.clip_reasons import NO_MODEL_KEY, REASON_NO_MODEL

    images, faces = catalog.unchecked_faces(NO_MODEL_KEY, REASON_NO_MODEL, source_root)
    return int(images), int(faces)


def unchecked_note(images: int, faces: int, rules: str | None = None) -> str:
    """The line ``report``/``status``/``scan`` print about :func:`unchecked_by_photo_model`."""
    fix = f"scan --rules {rules}" if rules else "a scan under rules that use it"
    return (
        f"{faces} faces in {images} images not checked by the CLIP photograph model (scanned without it: "
        f"photograph unknown, never qualified under rules that use it); {fix} detects only those again"
    )

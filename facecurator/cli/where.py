"""``--where EXPR`` on ``report``, ``decide`` and ``export``: the face filter language on the command line."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facecurator.domain.rules import RuleSet
    from facecurator.services.catalog import Catalog
    from facecurator.services.filtering import FaceFilter

WHERE_HELP = (
    "only faces matching this filter, e.g. 'yaw>20 and not failed:no_sunglasses', "
    "'person~alice', 'decision=pending blur<10' (repeatable: all must hold; fields: yaw pitch roll "
    "blur size confidence quality sharpness integrity age decision qualified status person file; "
    "failed:/unknown:/passed:CONDITION; assigned:me, assigned:NAME, assigned:none (held now by "
    "you, by NAME, by nobody); and, or, not, parentheses)"
)


def where_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--where", metavar="EXPR", action="append", default=[], help=WHERE_HELP)


def where_filter(
    args: argparse.Namespace,
    rules: RuleSet,
    catalog: Catalog | None = None,
    source_root: str | None = None,
) -> FaceFilter | None:
    """The ``--where`` filter (None when not given); a bad expression raises ``FilterError``
    (a ``ConfigError``: exit status 2, its message names the character). With ``catalog``,
    its ``assigned:`` terms are answered there (SQL) now."""
    texts = [text for text in getattr(args, "where", []) or [] if text.strip()]
    if not texts:
        return None
    from facecurator.services.filtering import face_filter

    selected = face_filter(texts, rules)
    return selected if catalog is None else selected.in_catalog(catalog, source_root=source_root)

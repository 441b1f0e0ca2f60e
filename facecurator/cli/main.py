"""The headless command line: a thin front end over the core.

Exit status (contract): 0 success, 1 some images (or files) failed, 2 usage or
configuration error. Long work shows a progress bar on stderr when it is a
terminal and stays quiet when piped.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from facecurator import __version__
from facecurator.cli import catalog_commands, cloud_commands, commands, team
from facecurator.cli.common import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, Desktop
from facecurator.errors import (
    CancelledError,
    ConfigError,
    DetectorAuthError,
    FacecuratorError,
    SourceAuthError,
)

log = logging.getLogger("facecurator.cli")


class _Parser(argparse.ArgumentParser):
    """argparse that exits with the contract's usage status (2) and a one-line hint."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="facecurator",
        description="Curate face-recognition enrollment galleries: detect, qualify, decide, export.",
    )
    parser.add_argument("--version", action="version", version=f"facecurator {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.register(sub)
    cloud_commands.register(sub)
    catalog_commands.register(sub)
    team.register(sub)
    licenses = sub.add_parser(
        "licenses", help="print the third-party notices: each dependency's version, licence and source"
    )
    licenses.set_defaults(func=_cmd_licenses)
    return parser


def _cmd_licenses(args: argparse.Namespace) -> int:
    """The bundle's THIRD-PARTY-NOTICES.txt, or the installed dependencies' notices (pip install)."""
    from facecurator.notices import notices_text

    print(notices_text(), end="")
    return EXIT_OK


def main(argv: Sequence[str] | None = None, *, desktop: Desktop | None = None) -> int:
    """Run one command. ``desktop`` (given by :mod:`facecurator.launcher`) opens the app
    and checks Qt; without it the ``gui`` command is a usage error."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or (not argv[0].startswith("-") and argv[0] not in _command_names(parser)):
        argv = ["gui", *argv]  # `facecurator [gui] [SOURCE]`: the desktop app
    args = parser.parse_args(argv)
    args.desktop = desktop
    _configure_logging(args.verbose)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except (ConfigError, SourceAuthError, DetectorAuthError) as exc:
        # Refused credentials are a configuration error, like a bad option.
        _print_error(exc)
        return EXIT_USAGE
    except CancelledError as exc:
        _print_error(exc, "cancelled: ")
        return EXIT_FAILURES
    except FacecuratorError as exc:
        _print_error(exc)
        return EXIT_FAILURES
    except KeyboardInterrupt:
        print("facecurator: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def _print_error(exc: BaseException, prefix: str = "") -> None:
    """One line on stderr, with any known secret masked."""
    from facecurator.cli.text import clean
    from facecurator.cloud.redact import redact

    print(f"facecurator: {prefix}{clean(redact(str(exc)))}", file=sys.stderr)


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    from facecurator.logs import install_secret_redaction

    install_secret_redaction()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

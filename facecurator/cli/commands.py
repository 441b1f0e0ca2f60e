"""The core subcommands: gui, scan, report, decide, export, import-results, self-test.

This module registers them and runs the small ones; scan, decide and export live in
their own modules, the shared helpers in :mod:`facecurator.cli.command_support`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from facecurator.cli import team
from facecurator.cli.command_support import (
    _err,
    open_catalog,
    resolve_rules,
    source_root_filter,
    unchecked_by_photo_model,
    unchecked_note,
)
from facecurator.cli.common import (
    CATALOG_HELP,
    EXIT_FAILURES,
    EXIT_OK,
    EXIT_USAGE,
    Desktop,
    catalog_target,
    no_desktop,
    print_json,
)
from facecurator.cli.text import clean
from facecurator.cli.where import where_filter, where_option
from facecurator.domain.rules import DEFAULT_PRESET
from facecurator.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:
    gui = sub.add_parser("gui", help="open the desktop app (the default with no command)")
    gui.add_argument("source", nargs="?", help="folder or oss://BUCKET/PREFIX to open")
    _catalog_option(gui)
    gui.set_defaults(func=cmd_gui)

    scan = sub.add_parser("scan", help="detect faces in a folder, a photo or a bucket and store the results")
    scan.add_argument("source", help="folder path, one image file, or oss://BUCKET/PREFIX")
    scan.add_argument("--detector", default="local", help="local (default), oss-faces, imm, green, green-pro")
    _rules_option(scan)
    _catalog_option(scan)
    _profile_option(scan)
    scan.add_argument(
        "--jobs",
        type=_positive_int,
        default=None,
        help="worker threads (default: the CPU count; cloud detectors: sized from the QPS cap "
        "and the measured latency)",
    )
    scan.add_argument("--json", action="store_true", help="print the result as one JSON object")
    scan.add_argument("--yes", action="store_true", help="do not ask before a paid batch")
    team.add_scan_options(scan)
    scan.add_argument(
        "--identities",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="compute face embeddings for the identity checks (offline; cached with the detection); "
        "default: on for the local detector on a source filed one folder per person",
    )
    scan.set_defaults(func=cmd_scan)

    report = sub.add_parser("report", help="print every image and face with its verdict and decision")
    _catalog_option(report)
    _rules_option(report)
    _source_filter_option(report)
    fmt = report.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object")
    fmt.add_argument("--csv", action="store_true", help="one CSV row per face")
    report.add_argument(
        "--identities",
        action="store_true",
        help="the identity checks instead: outliers per person, duplicates, double enrollments",
    )
    where_option(report)
    report.add_argument(
        "--pretty", action="store_true", help="indent the JSON (compact, one line per image, by default)"
    )
    report.set_defaults(func=cmd_report)

    decide = sub.add_parser("decide", help="bulk decisions (pending faces only)")
    action = decide.add_mutually_exclusive_group(required=True)
    action.add_argument("--accept-qualified", action="store_true", help="accept every pending qualified face")
    action.add_argument(
        "--reject-unqualified", action="store_true", help="reject every pending unqualified face"
    )
    action.add_argument("--undo", action="store_true", help="undo the last decision batch")
    _catalog_option(decide)
    _rules_option(decide)
    _source_filter_option(decide)
    decide.add_argument(
        "--wait",
        action="store_true",
        help="with --undo: wait for a bulk decision still being written, then undo all of it",
    )
    decide.add_argument(
        "--include-held",
        action="store_true",
        help="decide the faces other operators hold too (by default they are left to them)",
    )
    decide.add_argument("--json", action="store_true")
    where_option(decide)
    decide.set_defaults(func=cmd_decide)

    export = sub.add_parser("export", help="write the clean enrollment set of accepted faces")
    export.add_argument("dest", help="destination folder or oss://BUCKET/PREFIX")
    _catalog_option(export)
    _rules_option(export)
    _source_filter_option(export)
    _profile_option(export)
    export.add_argument("--format", dest="fmt", default="folders", choices=("folders", "coco", "vggface2"))
    export.add_argument("--margin", type=_margin, default=0.4, help="crop margin as a fraction of the box")
    export.add_argument("--include-rejected", action="store_true", help="also export rejected faces, flagged")
    export.add_argument("--json", action="store_true")
    where_option(export)
    export.set_defaults(func=cmd_export)

    imp = sub.add_parser("import-results", help="load stored provider JSON results into the catalog")
    imp.add_argument("files", nargs="+", metavar="FILE")
    _catalog_option(imp)
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(func=cmd_import_results)

    selftest = sub.add_parser("self-test", help="check this installation: models, Qt, keyring, catalog")
    selftest.add_argument("--json", action="store_true")
    selftest.set_defaults(func=cmd_self_test)


# -- options ---------------------------------------------------------------------------------------


def _catalog_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", metavar="PATH|URL", help=CATALOG_HELP)


def _rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        metavar="PRESET|FILE",
        help=f"rule preset or TOML file (default: last scan's, else {DEFAULT_PRESET})",
    )


def _profile_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", metavar="NAME", help="cloud profile (see 'facecurator profile')")


def _source_filter_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", metavar="SOURCE", help="only images of this source (default: all)")


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _margin(text: str) -> float:
    value = float(text)
    from facecurator.services.export import MAX_MARGIN

    if not 0 <= value <= MAX_MARGIN:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_MARGIN}")
    return value


# -- commands --------------------------------------------------------------------------------------


# scan, decide and export are imported when their verb runs: report and status never load them
# (PyInstaller follows these imports inside the functions as it does at the top).


def cmd_scan(args: argparse.Namespace) -> int:
    from facecurator.cli.scan_command import cmd_scan as run

    return run(args)


def cmd_decide(args: argparse.Namespace) -> int:
    from facecurator.cli.decide_command import cmd_decide as run

    return run(args)


def cmd_export(args: argparse.Namespace) -> int:
    from facecurator.cli.export_command import cmd_export as run

    return run(args)


def cmd_gui(args: argparse.Namespace) -> int:
    desktop: Desktop | None = getattr(args, "desktop", None)
    if desktop is None:
        raise ConfigError("the desktop app opens from the `facecurator` command (facecurator.launcher)")
    return int(desktop.open_app(args.source, catalog_target(args)))


def cmd_report(args: argparse.Namespace) -> int:
    from facecurator.cli import report
    from facecurator.detect.quality.clip_reasons import rules_need_model
    from facecurator.services.identity import identities_if_embedded
    from facecurator.services.review import iter_review

    with open_catalog(args) as catalog:
        rules = resolve_rules(catalog, args.rules)
        root = source_root_filter(args.source)
        if args.identities:
            from facecurator.cli.identity_report import print_identities

            return print_identities(catalog, rules, root, as_json=args.json, as_csv=args.csv)
        selected = where_filter(args, rules, catalog, root)
        # faces these rules need the CLIP photograph model for, scanned without it: counted after the
        # images (a join over every image: 1.5-5.5 s at 1M on SQLite, not before the first byte)
        needs_model = rules_need_model(rules.conditions)

        def unchecked() -> dict[str, int]:
            counted = unchecked_by_photo_model(catalog, root)
            return {"images": counted[0], "faces": counted[1]}

        identities = identities_if_embedded(catalog, rules, source_root=root)
        images = iter_review(catalog, rules, source_root=root, identities=identities)
        if selected is not None:  # images with a matching face, with those faces only (streamed)
            images = selected.stream_images(images)
        if args.json:
            report.write_json(
                sys.stdout,
                images,
                head={"catalog": str(catalog.path), "rules": rules.name},
                tail={
                    "paid_calls": catalog.paid_calls,
                    **({"not_checked_by_photo_model": unchecked} if needs_model else {}),
                },
                pretty=args.pretty,
            )
        elif args.csv:
            report.write_csv(sys.stdout, images)
        else:
            report.write_text(sys.stdout, images)
        if needs_model and not args.json:
            counted = unchecked()
            if counted["images"]:
                _err(unchecked_note(counted["images"], counted["faces"], rules=rules.name))
    return EXIT_OK


def cmd_import_results(args: argparse.Namespace) -> int:
    from facecurator.services.importer import import_result_file

    outcomes = []
    failed = 0
    with open_catalog(args) as catalog:
        for name in args.files:
            outcome = import_result_file(catalog, Path(name))
            outcomes.append(outcome)
            if outcome.error:
                failed += 1
                _err(f"error: {outcome.error}")
            elif not args.json:
                print(clean(f"{name}: {outcome.shape}, {outcome.faces} faces -> {outcome.image_uri}"))
    if args.json:
        print_json({"imported": [o.to_json() for o in outcomes], "failed": failed})
    return EXIT_FAILURES if failed else EXIT_OK


def cmd_self_test(args: argparse.Namespace) -> int:
    from facecurator.services.selftest import run_self_test

    desktop: Desktop | None = getattr(args, "desktop", None)
    results = run_self_test(check_qt=desktop.check_qt if desktop else no_desktop)
    if args.json:
        print_json({"ok": all(r.ok for r in results), "checks": [r.to_json() for r in results]})
    else:
        for result in results:
            print(clean(f"{result.label}  {result.name}: {result.detail}"))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILURES


__all__ = ["EXIT_USAGE", "register"]

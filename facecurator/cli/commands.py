"""The core subcommands: gui, scan, report, decide, export, import-results, self-test."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from facecurator.cli import team
from facecurator.cli.common import (
    CATALOG_HELP,
    EXIT_FAILURES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    Desktop,
    catalog_target,
    no_desktop,
    print_json,
)
from facecurator.cli.text import clean
from facecurator.cli.where import where_filter, where_option
from facecurator.domain.rules import DEFAULT_PRESET, RuleSet, load_rules
from facecurator.errors import ConfigError, SourceError
from facecurator.services.catalog import Catalog

#: Catalog settings that remember the rule set of the last scan.
RULES_NAME_SETTING = "rules.name"
RULES_TOML_SETTING = "rules.toml"


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


# -- shared helpers --------------------------------------------------------------------------------


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


# -- commands --------------------------------------------------------------------------------------


def cmd_gui(args: argparse.Namespace) -> int:
    desktop: Desktop | None = getattr(args, "desktop", None)
    if desktop is None:
        raise ConfigError("the desktop app opens from the `facecurator` command (facecurator.launcher)")
    return int(desktop.open_app(args.source, catalog_target(args)))


def cmd_scan(args: argparse.Namespace) -> int:
    from facecurator.detect.embed import make_embedder
    from facecurator.detect.registry import detector_supports, make_detector
    from facecurator.domain.identity import Embedder
    from facecurator.services import jobs
    from facecurator.services.identity import default_embedder, identities_if_embedded, uses_identity
    from facecurator.services.review import review, summary
    from facecurator.sources import open_source, source_kind

    if not detector_supports(args.detector, source_kind(args.source)):
        raise ConfigError(f"detector {args.detector!r} cannot scan a {source_kind(args.source)} source")
    try:
        source = open_source(args.source, profile=args.profile)
    except SourceError as exc:
        raise ConfigError(str(exc)) from exc  # a source that cannot be opened is a usage error
    detector = make_detector(args.detector, profile=args.profile)
    with open_catalog(args) as catalog:
        rules = resolve_rules(catalog, args.rules, remember=True)
        embedder: Embedder | None = None
        if args.identities or uses_identity(rules):
            embedder = make_embedder()
        elif args.identities is None:
            embedder = default_embedder(source, args.detector)
        refs = None
        if getattr(detector, "paid", False):
            plan = jobs.plan(source, detector, catalog)
            refs = plan.refs
            _print_cost(plan, detector, args)
            if (
                plan.to_detect
                and not args.yes
                and sys.stdin.isatty()
                and not _confirm("Start the paid batch?")
            ):
                return EXIT_FAILURES
        bar = Progress("scan", total=len(refs) if refs is not None else None)  # a paid batch's, planned
        cancel = jobs.CancelToken()
        try:
            with _ctrl_c_cancels(cancel):
                report = team.run_scan(
                    catalog,
                    source,
                    detector,
                    args,
                    jobs=args.jobs,
                    refs=refs,
                    progress=lambda p: bar.update(p.done, p.total, p.current),
                    cancel=cancel,
                    embedder=embedder,
                )
        finally:
            bar.close()
            detector.close()
        if report.recent is not None:  # a machine's share of a shared scan: its report is bounded
            return team.finish_shared_scan(catalog, rules, source, report, as_json=args.json)
        identities = identities_if_embedded(catalog, rules, source_root=source.root)
        images = review(catalog, rules, source_root=source.root, identities=identities)
        scanned = set(report.image_ids)
        images = [image for image in images if image.row.id in scanned]
        if args.json:
            print_json(
                {
                    "catalog": str(catalog.path),
                    "rules": rules.name,
                    "images": [image.to_json() for image in images],
                    "summary": summary(images),
                    "scan": {
                        "detected": report.detected,
                        "cached": report.cached,
                        "failed": report.failed,
                        "paid_calls": report.paid_calls,
                        "aborted": report.aborted,
                        "cancelled": report.cancelled,
                        "elapsed_s": round(report.elapsed, 3),
                        "embedded": report.embedded,
                        "embed_errors": [{"source": s, "error": e} for s, e in report.embed_errors],
                    },
                }
            )
        else:
            if report.aborted:
                _err(f"stopped: {report.aborted}")
            for uri, error in report.errors:
                _err(f"error: {error if uri in error else f'{uri}: {error}'}")
            for uri, error in report.embed_errors:
                _err(f"warning: no face embedding: {error if uri in error else f'{uri}: {error}'}")
            counts = summary(images)
            print(
                clean(
                    f"{report.total} images ({report.detected} detected, {report.cached} cached, "
                    f"{report.failed} failed) in {report.elapsed:.1f}s; {counts['faces']} faces, "
                    f"{counts['qualified']} qualified under {rules.name}; catalog {catalog.path}"
                )
            )
    if report.aborted:
        return EXIT_USAGE  # refused credentials: a configuration error
    if report.cancelled:
        _err("interrupted: the images above are stored; scan again to continue")
        return EXIT_INTERRUPTED
    return EXIT_FAILURES if report.failed else EXIT_OK


@contextlib.contextmanager
def _ctrl_c_cancels(cancel: Any) -> Iterator[None]:
    """During a scan, the first Ctrl-C cancels it (what is done is kept, the summary is
    printed, exit status 130); a second one interrupts at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: object) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        cancel.cancel()
        _err("stopping: Ctrl-C again to quit at once")

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _print_cost(plan: Any, detector: Any, args: argparse.Namespace) -> None:
    from facecurator.cloud.cost import estimate
    from facecurator.cloud.profiles import load_profile

    cost = estimate(detector, plan.to_detect, load_profile(args.profile))
    cached = plan.total - plan.to_detect
    _err(
        f"paid batch: {plan.to_detect} of {plan.total} images to detect ({cached} cached): {cost.describe()}"
    )


def _confirm(question: str) -> bool:
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def cmd_report(args: argparse.Namespace) -> int:
    from facecurator.cli import report
    from facecurator.services.identity import identities_if_embedded
    from facecurator.services.review import iter_review

    with open_catalog(args) as catalog:
        rules = resolve_rules(catalog, args.rules)
        root = source_root_filter(args.source)
        if args.identities:
            from facecurator.cli.identity_report import print_identities

            return print_identities(catalog, rules, root, as_json=args.json, as_csv=args.csv)
        selected = where_filter(args, rules, catalog, root)
        identities = identities_if_embedded(catalog, rules, source_root=root)
        images = iter_review(catalog, rules, source_root=root, identities=identities)
        if selected is not None:  # images with a matching face, with those faces only (streamed)
            images = selected.stream_images(images)
        if args.json:
            report.write_json(
                sys.stdout,
                images,
                head={"catalog": str(catalog.path), "rules": rules.name},
                tail={"paid_calls": catalog.paid_calls},
                pretty=args.pretty,
            )
        elif args.csv:
            report.write_csv(sys.stdout, images)
        else:
            report.write_text(sys.stdout, images)
    return EXIT_OK


def cmd_decide(args: argparse.Namespace) -> int:
    from facecurator.services.review import accept_qualified, reject_unqualified

    with open_catalog(args) as catalog:
        if args.undo:
            return _undo(catalog, args)
        rules = resolve_rules(catalog, args.rules)
        state = "accepted" if args.accept_qualified else "rejected"
        bar = Progress("decide")

        def reported(done: int, total: int) -> None:
            # Printed only after the chunk is committed: what is reported is on disk.
            bar.update(done, total)
            if not args.json:
                print(f"{state} {done}/{total}", flush=True)

        decide = accept_qualified if args.accept_qualified else reject_unqualified
        root = source_root_filter(args.source)
        selected = where_filter(args, rules, catalog, root)
        face_ids = None
        if selected is not None:  # the matching faces, read a page of images at a time
            from facecurator.services.review import iter_review

            images = iter_review(catalog, rules, source_root=root)
            face_ids = [face.id for image in images for face in selected.select(image.faces)]
        try:
            result = decide(
                catalog, rules, face_ids, source_root=root, on_chunk=reported, include_held=args.include_held
            )
        finally:
            bar.close()
        if args.json:
            print_json(
                {
                    "decision": state,
                    "faces": result.count,
                    "skipped": result.skipped,
                    "batches": list(result.batch_ids),
                    "rules": rules.name,
                    "counts": catalog.face_counts(),
                }
            )
        elif result.total == 0:
            print(f"no pending {'qualified' if args.accept_qualified else 'unqualified'} faces")
        else:
            skipped = (
                f"; {result.skipped} skipped: decided by someone else first or held by another operator"
                " (--include-held decides those too)"
                if result.skipped
                else ""
            )
            print(f"{state} {result.count} faces{skipped}")
    return EXIT_OK


#: How often a waiting undo looks at the batch it waits for (seconds).
UNDO_POLL_S = 0.2


def _undo(catalog: Catalog, args: argparse.Namespace) -> int:
    """``decide --undo [--wait]``: refused (or waits) while the last batch is still being written."""
    import time

    from facecurator.errors import BatchBusyError

    announced: set[int] = set()
    while True:
        try:
            undone = catalog.undo_last()
            break
        except BatchBusyError as exc:
            if not args.wait:
                raise
            if exc.batch_id not in announced:
                by = f"process {exc.pid}" if exc.pid is not None else "another process"
                _err(f"waiting for decision batch {exc.batch_id} (being written by {by}) to finish ...")
                sys.stderr.flush()
                announced.add(exc.batch_id)
            while catalog.batch_writer(exc.batch_id)[1]:
                time.sleep(UNDO_POLL_S)
    if args.json:
        print_json(
            {
                "undone": [] if undone is None else undone.face_ids,
                "batch": None if undone is None else undone.batch_id,
                "interrupted": bool(undone and undone.interrupted),
            }
        )
    elif undone is None:
        print("nothing to undo")
    elif undone.interrupted:
        print(
            f"undid the last decision batch ({len(undone.face_ids)} faces); it had been interrupted "
            "before it was complete (its process stopped)"
        )
    else:
        print(f"undid the last decision batch ({len(undone.face_ids)} faces)")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from facecurator.services.export import export
    from facecurator.services.identity import identities_if_embedded
    from facecurator.services.review import export_items, iter_review
    from facecurator.sources import read_image_bytes

    with open_catalog(args) as catalog:
        rules = resolve_rules(catalog, args.rules)
        root = source_root_filter(args.source)
        selected = where_filter(args, rules, catalog, root)
        identities = identities_if_embedded(catalog, rules, source_root=root)
        images = iter_review(catalog, rules, source_root=root, identities=identities)
        # One image's items at a time: the export plans only what it writes (never the pending faces).
        items = (
            item
            for image in images
            for item in export_items(image.faces if selected is None else selected.select(image.faces))
        )
        publisher = None
        if args.dest.startswith("oss://"):
            from facecurator.services.export.oss import OssPublisher

            publisher = OssPublisher(args.profile)
        bar = Progress("export")
        try:
            result = export(
                items,
                args.dest,
                fmt=args.fmt,
                margin=args.margin,
                rules_name=rules.name,
                include_rejected=args.include_rejected,
                read_bytes=lambda item: read_image_bytes(item.image_uri, profile=args.profile),
                progress=lambda done, total: bar.update(done, total),
                publisher=publisher,
            )
        finally:
            bar.close()
    if args.json:
        print_json(
            {
                "dest": result.dest,
                "format": result.format,
                "exported": result.exported,
                "skipped_pending": result.skipped_pending,
                "failed": [{"source": s, "error": e} for s, e in result.failed],
                "manifest": result.manifest_path,
                "notes": result.notes,
            }
        )
    else:
        for note in result.notes:
            _err(f"note: {note}")
        for source, error in result.failed:
            _err(f"error: {source}: {error}")
        print(
            clean(
                f"exported {result.exported} faces to {result.dest} ({result.format}); "
                f"{result.skipped_pending} pending faces not exported; manifest {result.manifest_path}"
            )
        )
    return EXIT_FAILURES if result.failed else EXIT_OK


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

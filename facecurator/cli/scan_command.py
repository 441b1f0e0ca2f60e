"""``facecurator scan``: detect, store and summarise; a paid batch's cost asked first,
Ctrl-C cancels keeping what is done."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from facecurator.cli import team
from facecurator.cli.command_support import Progress, _err, open_catalog, resolve_rules
from facecurator.cli.common import EXIT_FAILURES, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, print_json
from facecurator.cli.text import clean
from facecurator.errors import ConfigError, SourceError


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
    # a cloud detector's missing profile or credentials are refused before the catalog opens
    detector = make_detector(args.detector, profile=args.profile)
    with open_catalog(args) as catalog:
        rules = resolve_rules(catalog, args.rules, remember=True)
        if args.detector == "local":  # the CLIP photograph model runs only when the rules use it
            detector.close()
            detector = make_detector(args.detector, profile=args.profile, rules=rules)
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

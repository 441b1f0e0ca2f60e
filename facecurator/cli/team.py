"""The team's side of the command line (issue 17): a scan shared through a server catalog,
and ``facecurator status`` (which machines are scanning, their rate, what is left)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from facecurator.cli.command_support import unchecked_by_photo_model, unchecked_note
from facecurator.cli.common import (
    CATALOG_HELP,
    EXIT_FAILURES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    catalog_target,
    print_json,
)
from facecurator.cli.text import clean
from facecurator.cli.where import where_filter, where_option


def register(sub: argparse._SubParsersAction) -> None:
    status = sub.add_parser(
        "status", help="scans shared through a server catalog: machines, rates, images left"
    )
    status.add_argument("--catalog", metavar="PATH|URL", help=CATALOG_HELP)
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.add_argument(
        "--failures", action="store_true", help="list every image the shared scans failed on, with why"
    )
    status.set_defaults(func=cmd_status)
    assign = sub.add_parser(
        "assign",
        help="split the pending faces between operators, so nobody reviews a face twice",
        description="Split the pending faces nobody holds (those matching --where) between operators, "
        "in runs of catalog order; each sees them in the app's Triage under 'My faces'. "
        "--show lists who holds what (assigned, or taken by an open Triage); --clear takes "
        "assigned faces back (of --operators, else everyone's).",
    )
    assign.add_argument(
        "--operators", metavar="NAME,NAME", help="the operators (FACECURATOR_OPERATOR of each)"
    )
    assign.add_argument("--show", action="store_true", help="who holds how many faces")
    assign.add_argument("--clear", action="store_true", help="take the assigned faces back")
    assign.add_argument("--catalog", metavar="PATH|URL", help=CATALOG_HELP)
    assign.add_argument("--rules", metavar="PRESET|FILE", help="the rule set --where reads")
    assign.add_argument("--source", metavar="SOURCE", help="only faces of this source")
    assign.add_argument("--json", action="store_true", help="one JSON object")
    where_option(assign)
    assign.set_defaults(func=cmd_assign)


def add_scan_options(scan: argparse.ArgumentParser) -> None:
    scan.add_argument(
        "--lease",
        type=float,
        default=None,
        metavar="SECONDS",
        help="server catalogs: how long images claimed by this machine stay its own without a heartbeat "
        "(default 60); a killed machine's images are taken over after that",
    )


def run_scan(catalog: Any, source: Any, detector: Any, args: argparse.Namespace, **scan_args: Any) -> Any:
    """A server catalog's scan is shared between every machine running it; a file's, as before."""
    from facecurator.services import jobs

    if catalog.dialect != "postgresql":
        return jobs.scan(source, detector, catalog, **scan_args)
    from facecurator.services.catalog.claims import LEASE_S
    from facecurator.services.shared_scan import scan_shared

    scan_args.pop("refs", None)  # the queue is the listing

    def told(outcome: Any) -> None:  # each failure at once: the report keeps only the last ones
        if outcome.error is not None and not args.json:
            uri, error = outcome.ref.uri, outcome.error
            _err(f"error: {error if uri in error else f'{uri}: {error}'}")

    def embed_told(uri: str, error: str) -> None:
        if not args.json:
            _err(f"warning: no face embedding: {error if uri in error else f'{uri}: {error}'}")

    return scan_shared(
        source, detector, catalog, lease_s=args.lease or LEASE_S, on_image=told, on_embed_error=embed_told,
        **scan_args,
    )  # fmt: skip


def finish_shared_scan(catalog: Any, rules: Any, source: Any, report: Any, *, as_json: bool) -> int:
    """The end of a machine's share of a shared scan, in constant memory: the failures were
    printed as they happened (and are kept in the catalog: ``status --failures``); JSON
    streams the source's images from the catalog (``report --json``'s writer)."""
    from facecurator.cli import report as report_writer
    from facecurator.services.identity import identities_if_embedded
    from facecurator.services.review import iter_review

    scan = {
        "detected": report.detected, "cached": report.cached, "failed": report.failed,
        "paid_calls": report.paid_calls, "aborted": report.aborted, "cancelled": report.cancelled,
        "elapsed_s": round(report.elapsed, 3), "embedded": report.embedded,
        "embed_failed": report.embed_failed,
        "embed_errors": [{"source": s, "error": e} for s, e in report.embed_errors],
        "errors": [{"source": s, "error": e} for s, e in report.errors],
        "shared": True, "images_handled": report.total,
    }  # fmt: skip
    if as_json:
        identities = identities_if_embedded(catalog, rules, source_root=source.root)
        report_writer.write_json(
            sys.stdout,
            iter_review(catalog, rules, source_root=source.root, identities=identities),
            head={"catalog": str(catalog.path), "rules": rules.name},
            tail={"scan": scan},
        )
    else:
        if report.aborted:
            _err(f"stopped: {report.aborted}")
        more = report.failed - len(report.errors) + report.embed_failed - len(report.embed_errors)
        if report.failed or report.embed_failed:
            _err(
                f"{report.failed} failed, {report.embed_failed} without embeddings (each listed above"
                f"{'' if more <= 0 else '; the last ' + str(report.recent) + ' kept'}); "
                "every failure of the shared scan: facecurator status --failures"
            )
        print(
            clean(
                f"{report.total} images handled by this machine ({report.detected} detected, "
                f"{report.cached} cached, {report.failed} failed) in {report.elapsed:.1f}s; "
                f"catalog {catalog.path} (facecurator report for the faces)"
            )
        )
    if report.aborted:
        return EXIT_USAGE
    if report.cancelled:
        _err("interrupted: the images above are stored; scan again to continue")
        return EXIT_INTERRUPTED
    return EXIT_FAILURES if report.failed else EXIT_OK


def _err(message: str) -> None:
    print(clean(message), file=sys.stderr)


def cmd_status(args: argparse.Namespace) -> int:
    from facecurator.services.catalog import Catalog
    from facecurator.services.catalog.claims import failures, status

    with Catalog(catalog_target(args)) as catalog:
        if args.failures:
            return _print_failures(failures(catalog), as_json=args.json)
        jobs, workers = status(catalog)
        shown = str(catalog.path)
        unchecked = unchecked_by_photo_model(catalog)
    working = [w for w in workers if w.alive]
    if args.json:
        print_json(
            {
                "catalog": shown,
                "jobs": [{"job": j.job, "total": j.total, "left": j.left, "failed": j.failed} for j in jobs],
                "workers": [
                    {
                        "worker": w.worker, "host": w.host, "pid": w.pid, "job": w.job, "state": w.state,
                        "working": w.alive, "done": w.done, "rate": round(w.rate, 2),
                        "started_at": w.started_at, "heartbeat_age_s": round(w.heartbeat_age, 1),
                    }
                    for w in workers
                ],
                "rate": round(sum(w.rate for w in working), 2),
                "left": sum(j.left for j in jobs),
                "not_checked_by_photo_model": {"images": unchecked[0], "faces": unchecked[1]},
            }
        )  # fmt: skip
        return EXIT_OK
    print(clean(f"catalog {shown}"))
    for job in jobs:
        failed = f", {job.failed} failed (status --failures)" if job.failed else ""
        print(clean(f"job {job.job}: {job.left} of {job.total} images left{failed}"))
    if not jobs:
        print("no shared scan has run on this catalog")
    for w in workers:
        state = "working" if w.alive else ("gone" if w.state == "scanning" else w.state)
        print(
            clean(
                f"  {w.host} pid {w.pid}: {state}, {w.done} images at {w.rate:.1f}/s "
                f"(last heard {w.heartbeat_age:.0f}s ago)"
            )
        )
    print(
        clean(
            f"{len(working)} machine{'s' if len(working) != 1 else ''} working, "
            f"{sum(w.rate for w in working):.1f} images/s together, {sum(j.left for j in jobs)} images left"
        )
    )
    if unchecked[0]:
        print(clean(unchecked_note(*unchecked)))
    return EXIT_OK


def _print_failures(rows: Any, *, as_json: bool) -> int:
    """Every failure of the shared scans, streamed from the catalog (one line or object each)."""
    import json

    for job, uri, failure in rows:
        if as_json:
            print(json.dumps({"job": job, "source": uri, "error": failure}, ensure_ascii=False))
        else:
            print(clean(f"{uri}\t{failure}\t{job}"))
    return EXIT_OK


def cmd_assign(args: argparse.Namespace) -> int:
    from facecurator.cli.command_support import open_catalog, resolve_rules, source_root_filter
    from facecurator.errors import ConfigError
    from facecurator.services.catalog import assign as assignments
    from facecurator.services.review import iter_review

    operators = [name.strip() for name in (args.operators or "").split(",") if name.strip()]
    if not (args.show or args.clear or operators):
        raise ConfigError("assign: name the operators (--operators alice,bob), or --show, or --clear")
    with open_catalog(args) as catalog:
        if args.clear:
            cleared = assignments.unassign(catalog, operators or None)
            print(f"took back {cleared} assigned faces")
        elif operators:
            rules = resolve_rules(catalog, args.rules)
            root = source_root_filter(args.source)
            selected = where_filter(args, rules, catalog, root)
            among = None
            if selected is not None:  # the matching faces, a page of images at a time
                images = iter_review(catalog, rules, source_root=root)
                among = [face.id for image in images for face in selected.select(image.faces)]
            given = assignments.assign(catalog, operators, among=among, source_root=root)
            if not args.json:
                for name, count in given.items():
                    print(clean(f"{name} {count} faces"))
        held = assignments.holdings(catalog)
        shown = str(catalog.path)
    if args.json:
        print_json(
            {
                "catalog": shown,
                "operators": [
                    {"operator": h.operator, "faces": h.faces, "pending": h.pending, "taken": h.leased}
                    for h in held
                ],
            }
        )
    elif args.show:
        for h in held:
            print(
                clean(
                    f"{h.operator}: {h.faces} faces ({h.pending} pending, {h.leased} taken by an open Triage)"
                )
            )
        if not held:
            print("nobody holds a face")
    return EXIT_OK

"""The team's side of the command line (issue 17): a scan shared through a server catalog,
and ``facecurator status`` (which machines are scanning, their rate, what is left)."""

from __future__ import annotations

import argparse
from typing import Any

from facecurator.cli.common import CATALOG_HELP, EXIT_OK, catalog_target, print_json
from facecurator.cli.text import clean


def register(sub: argparse._SubParsersAction) -> None:
    status = sub.add_parser(
        "status", help="scans shared through a server catalog: machines, rates, images left"
    )
    status.add_argument("--catalog", metavar="PATH|URL", help=CATALOG_HELP)
    status.add_argument("--json", action="store_true", help="one JSON object")
    status.set_defaults(func=cmd_status)


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
    return scan_shared(source, detector, catalog, lease_s=args.lease or LEASE_S, **scan_args)


def cmd_status(args: argparse.Namespace) -> int:
    from facecurator.services.catalog import Catalog
    from facecurator.services.catalog.claims import status

    with Catalog(catalog_target(args)) as catalog:
        jobs, workers = status(catalog)
        shown = str(catalog.path)
    working = [w for w in workers if w.alive]
    if args.json:
        print_json(
            {
                "catalog": shown,
                "jobs": [{"job": j.job, "total": j.total, "left": j.left} for j in jobs],
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
            }
        )  # fmt: skip
        return EXIT_OK
    print(clean(f"catalog {shown}"))
    for job in jobs:
        print(clean(f"job {job.job}: {job.left} of {job.total} images left"))
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
    return EXIT_OK

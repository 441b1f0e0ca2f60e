"""``facecurator export``: the clean enrollment set of accepted faces, to a folder or a
bucket."""

from __future__ import annotations

import argparse

from facecurator.cli.command_support import Progress, _err, open_catalog, resolve_rules, source_root_filter
from facecurator.cli.common import EXIT_FAILURES, EXIT_OK, print_json
from facecurator.cli.text import clean
from facecurator.cli.where import where_filter


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

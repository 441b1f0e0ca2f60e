""":func:`export`: plan the faces, render them on a thread pool, build the format, publish."""

from __future__ import annotations

import itertools
import math
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Final

from facecurator.errors import CancelledError, ConfigError, ExportError
from facecurator.services.export.formats import Builder
from facecurator.services.export.messages import export_text
from facecurator.services.export.model import (
    DEFAULT_MARGIN,
    EXPORT_FORMATS,
    MAX_MARGIN,
    ExportItem,
    ExportSummary,
)
from facecurator.services.export.naming import name_key
from facecurator.services.export.render import Plan, Rendered, render_plan
from facecurator.services.export.spill import Spill
from facecurator.services.export.staging import (
    ACTIVE_LOCK,
    ACTIVE_STAGING,
    LocalPublisher,
    Publisher,
    Staging,
    clean_staging_leftovers,
    leftover_prefix,
    remove_tree,
)

_DECISIONS_EXPORTED: Final = ("accepted", "rejected")


def export(
    items: Iterable[ExportItem],
    dest: str | os.PathLike[str],
    *,
    fmt: str = "folders",
    margin: float = DEFAULT_MARGIN,
    rules_name: str,
    include_rejected: bool = False,
    read_bytes: Callable[[ExportItem], bytes],
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
    publisher: Publisher | None = None,
    workers: int | None = None,
) -> ExportSummary:
    """Write the enrollment set of ``items`` to ``dest`` (a folder or ``oss://BUCKET/PREFIX``).

    Accepted faces are exported; rejected ones too with ``include_rejected``
    (under ``rejected/``, flagged in the manifests); pending faces never are.
    Each image is read once (``read_bytes`` gets its first item, always from
    the calling thread) and decoded once at full resolution; decoding and JPEG
    encoding run on ``workers`` threads (default: up to 4).

    Args:
        items: faces to consider, in any order, read once (a generator streamed from the
            catalog holds only the faces exported, never the pending ones).
        dest: destination folder, or ``oss://...`` with an OSS ``publisher``.
        fmt: one of :data:`EXPORT_FORMATS`.
        margin: crop margin as a fraction of the box size, added on every side.
        rules_name: the rule set the verdicts came from (recorded in the manifest).
        include_rejected: also export rejected faces.
        read_bytes: returns an image's encoded bytes; any exception is a per-image failure.
        progress: called with (images done, images total).
        cancel: polled between images; True stops the export with nothing published.
        publisher: where the staged tree goes (default: :class:`LocalPublisher`).
        workers: decoding threads.

    Returns:
        What was written; per-image failures are in ``failed`` and the manifest.

    Raises:
        ConfigError: bad format or margin.
        ExportError: the destination is refused, nothing was selected, every
            image failed, or the tree could not be written or published. DEST is
            then unchanged.
        CancelledError: ``cancel()`` returned True; DEST is unchanged.
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if not (isinstance(margin, (int, float)) and math.isfinite(margin) and 0 <= margin <= MAX_MARGIN):
        raise ConfigError(f"export margin must be between 0 and {MAX_MARGIN:g}, got {margin!r}")
    dest_text = os.fspath(dest)
    if dest_text.startswith("oss://"):
        if publisher is None:
            raise ExportError(export_text("export.oss_needs_publisher", path=dest_text))
    else:
        if not dest_text.strip():
            raise ConfigError("export destination is empty")
        # Lexical normalisation (not resolve()): DEST names the link the user gave, not its target.
        dest_text = os.path.abspath(os.path.expanduser(dest_text))  # noqa: PTH100, PTH111
        publisher = publisher or LocalPublisher()
    assert publisher is not None

    plans, selected, skipped_pending, skipped_rejected = _plan(items, include_rejected)
    try:
        if not selected:
            raise ExportError(
                export_text(
                    "export.nothing" if include_rejected else "export.nothing_pending",
                    pending=skipped_pending,
                    rejected=skipped_rejected,
                )
            )

        notes = publisher.check(dest_text)
        parent = publisher.staging_parent(dest_text)
        prefix = leftover_prefix(dest_text)
        notes += clean_staging_leftovers(parent, prefix)
        try:
            staging_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}staging-{os.getpid()}-", dir=parent))
        except OSError as exc:
            raise ExportError(
                export_text("export.staging_folder", path=parent, detail=exc.strerror or exc)
            ) from exc

        with ACTIVE_LOCK:
            ACTIVE_STAGING.add(staging_dir.name)
        builder = Builder(Staging(staging_dir), fmt=fmt, margin=margin, rules_name=rules_name)
        try:
            _run(plans, builder, read_bytes, margin, progress, cancel, workers)
            if builder.exported == 0:
                first = builder.failed[0][1] if builder.failed else export_text("export.no_face_cropped")
                raise ExportError(
                    export_text("export.all_failed", count=len(builder.failed), first=first, dest=dest_text)
                )
            builder.finish(
                dest=dest_text,
                include_rejected=include_rejected,
                skipped_pending=skipped_pending,
                skipped_rejected=skipped_rejected,
            )
            if cancel is not None and cancel():
                raise CancelledError(export_text("export.cancelled_to", path=dest_text))
            publisher.publish(staging_dir, dest_text)
        finally:
            builder.close()
            if staging_dir.exists():
                remove_tree(staging_dir)
            with ACTIVE_LOCK:
                ACTIVE_STAGING.discard(staging_dir.name)
        return ExportSummary(
            dest=dest_text,
            format=fmt,
            exported=builder.exported,
            skipped_pending=skipped_pending,
            failed=list(builder.failed),
            files=builder.staging.files,
            manifest_path=publisher.manifest_location(dest_text),
            skipped_rejected=skipped_rejected,
            notes=notes,
        )
    finally:
        plans.close()


class _Plans:
    """The plans of an export in their order (:func:`_plan`), kept in a :class:`Spill`: one
    sort key per image in memory, each plan read back when its image is exported."""

    def __init__(self) -> None:
        self._spill: Spill[Plan] = Spill()
        self._keys: list[tuple[Any, ...]] = []

    def add(self, plan: Plan) -> None:
        key = (name_key(plan.group), plan.group, plan.name, plan.uri)
        self._keys.append((key, self._spill.append(plan)))

    def sort(self) -> None:
        self._keys.sort(key=lambda entry: entry[0])

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[Plan]:
        for _, at in self._keys:
            yield self._spill.get(at)

    def close(self) -> None:
        self._spill.close()


def _plan(items: Iterable[ExportItem], include_rejected: bool) -> tuple[_Plans, int, int, int]:
    """Group exportable faces by image, in a stable order; count what is selected and skipped.

    A plan holds its image's exported faces and its other faces (COCO annotates every
    face). A sequence may list faces in any order; any other iterable (a stream from the
    catalog) must list each image's faces together, and only the images with an
    exported face are kept (on disk: :class:`_Plans`).
    """
    plans = _Plans()
    selected = skipped_pending = skipped_rejected = 0
    for group in _by_image(items):
        exported: list[ExportItem] = []
        others: list[ExportItem] = []
        for item in group:
            if item.decision == "rejected" and not include_rejected:
                skipped_rejected += 1
                others.append(item)
            elif item.decision not in _DECISIONS_EXPORTED:
                skipped_pending += 1  # pending (or anything undecided) is never exported
                others.append(item)
            else:
                exported.append(item)
        if exported:
            first = exported[0]
            plan = Plan(
                first.image_uri, first.image_name, first.group, first.image_width, first.image_height, []
            )
            plan.items.extend(sorted(exported, key=lambda i: (i.face_index, i.face_id)))
            plan.others.extend(sorted(others, key=lambda i: (i.face_index, i.face_id)))
            plans.add(plan)
            selected += len(exported)
    plans.sort()
    return plans, selected, skipped_pending, skipped_rejected


def _by_image(items: Iterable[ExportItem]) -> Iterator[list[ExportItem]]:
    """Each image's items together: grouped in any order for a sequence, consecutive for a stream."""
    if isinstance(items, Sequence):
        groups: dict[str, list[ExportItem]] = {}
        for item in items:
            groups.setdefault(item.image_uri, []).append(item)
        yield from groups.values()
        return
    for _uri, group in itertools.groupby(items, key=lambda item: item.image_uri):
        yield list(group)


def _run(
    plans: _Plans,
    builder: Builder,
    read_bytes: Callable[[ExportItem], bytes],
    margin: float,
    progress: Callable[[int, int], None] | None,
    cancel: Callable[[], bool] | None,
    workers: int | None,
) -> None:
    """Read in this thread, decode/encode in a pool, write results in plan order."""
    workers = max(1, workers if workers is not None else min(4, os.cpu_count() or 1))
    window = workers + 2  # bounded: at most this many images' bytes and crops in memory
    total, done = len(plans), 0
    pending: deque[Future[Rendered]] = deque()
    want_original = builder.fmt == "coco"

    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise CancelledError(export_text("export.cancelled"))

    def handle_one() -> None:
        nonlocal done
        builder.add(pending.popleft().result())
        done += 1
        if progress is not None:
            progress(done, total)

    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export")
    try:
        if progress is not None:
            progress(0, total)
        for plan in plans:
            check_cancel()
            try:
                data = read_bytes(plan.items[0])
            except CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any read failure is this image's failure
                reason = str(exc) or type(exc).__name__
                if plan.name not in reason and plan.uri not in reason:
                    reason = f"{plan.name}: cannot read: {reason}"
                failed: Future[Rendered] = Future()
                failed.set_result(Rendered(plan, error=reason))
                pending.append(failed)
            else:
                pending.append(pool.submit(render_plan, plan, data, margin, want_original))
            while len(pending) > window:
                handle_one()
                check_cancel()
        while pending:
            handle_one()
            check_cancel()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

"""The catalog's user-visible messages: English templates by message id (one owner).

Every :class:`~facecurator.errors.CatalogError` text and every step a failed
statement names ("cannot <action>: <detail>") is built from these templates, so a
front end can parse a message back into its id and params
(:data:`CATALOG.parse <facecurator.domain.messages.Messages.parse>`) and show it in
the user's language (the GUI: :mod:`facecurator.gui.core_errors`). Params named in
:data:`NESTED_PARAMS` hold another message (an action, the database's own reason).
"""

from __future__ import annotations

from typing import Any, Final

from facecurator.domain.messages import Messages

CATALOG_MESSAGES: Final = {
    "catalog.create_folder": "{path}: cannot create the catalog folder: {detail}",
    "catalog.is_folder": "{path}: is a folder, not a catalog file",
    "catalog.cannot_open": "{path}: cannot open catalog: {detail}",
    "catalog.password_refused": (
        "{path}: the server refused the password of role {role}; store the right one with "
        "`facecurator catalog password {path}` (the OS keyring), or in ~/.pgpass or a service file"
    ),
    "catalog.password_missing": (
        "{path}: the server asks for the password of role {role} and none is stored; store it with "
        "`facecurator catalog password {path}` (the OS keyring), or in ~/.pgpass or a service file"
    ),
    "catalog.closed": "{path}: catalog is closed",
    "catalog.other_thread": "{path}: a catalog is used only by the thread that opened it",
    "catalog.failed": "{path}: cannot {action}: {detail}",
    "catalog.not_ours": "{path}: not a facecurator catalog (a database of another program)",
    "catalog.migration_failed": "{path}: schema migration to version {version} failed: {detail}",
    "catalog.newer": "{path}: catalog was written by a newer facecurator (schema {found} > {supported})",
    "catalog.damaged": (
        "{path}: the catalog is damaged ({found}: {problem}); nothing was written to it. "
        "Restore the last good backup with `facecurator catalog restore --catalog {path}` (decisions made "
        "since are re-applied from the audit trail); `facecurator catalog check` lists the problems"
    ),
    "catalog.damaged_more": (
        "{path}: the catalog is damaged ({found}: {problem} (and {more} more)); nothing was written to it. "
        "Restore the last good backup with `facecurator catalog restore --catalog {path}` (decisions made "
        "since are re-applied from the audit trail); `facecurator catalog check` lists the problems"
    ),
    "catalog.found_unclean": "found by the full check after facecurator was not shut down cleanly",
    "catalog.found_by_quick": "found by the quick check",
    "catalog.found_by_full": "found by the full integrity check",
    "catalog.problem": "cannot {action}: {detail}",
    "backup.failed": "{path}: cannot back up the catalog to {folder}: {detail}",
    "backup.restore_busy": (
        "{path}: cannot restore while other facecurator processes have the catalog open "
        "(process {pids}); close them first"
    ),
    "backup.restore_failed": "{path}: cannot restore {backup}: {detail}",
    "backup.no_such": "{path}: no such backup",
    "backup.damaged": (
        "{path}: this backup is damaged too ({problem}); choose another one (`facecurator catalog backups`)"
    ),
    "backup.none": (
        "{path}: there is no backup to restore (backups are kept in {folder}, taken before bulk changes)"
    ),
    "backup.all_damaged": "{path}: every backup in {folder} is damaged; there is no backup to restore",
    "batch.undone": (
        "{path}: decision batch {batch} was undone by {who}{when} while it was being written; stopped, "
        "nothing more was decided"
    ),
    "batch.busy": (
        "{path}: the last decision batch {batch} is still being written by {by}; nothing was undone. "
        "Undo it when it is done, or run `facecurator decide --undo --wait` to wait for it"
    ),
    "batch.busy_described": (
        "{path}: the last decision batch {batch} (by {who}, started {at} UTC, {count} faces so far) is "
        "still being written by {by}; nothing was undone. Undo it when it is done, or run "
        "`facecurator decide --undo --wait` to wait for it"
    ),
    "batch.by_process": "process {pid}",
    "batch.by_another": "another process",
    "batch.when": " at {at} UTC",
    "batch.no_such": "{path}: no decision batch {batch}",
    "batch.complete": "{path}: decision batch {batch} is complete; nothing more goes into it",
    "catalog.no_face": "{path}: no face with id {id}",
    "decide.held": (
        "{path}: face {ids} held by {holders} (another operator is reviewing it); nothing was decided. "
        "Decide anyway only when they agree"
    ),
    "catalog.no_image": "{path}: no image with id {id}",
    "catalog.no_detection": "{path}: no detection with id {id}",
    # -- what a failed statement was doing ("cannot <action>: ...")
    "action.open": "open catalog",
    "action.write": "write",
    "action.read": "read {what}",
    "action.record_image": "record image {uri}",
    "action.record_listing": "record the listing of {root}",
    "action.update_images": "update images of {root}",
    "action.record_decisions": "record {state} decisions",
    "action.complete_batch": "complete the decision batch",
    "action.undo": "undo the last decisions",
    "action.reapply": "re-apply the decisions made since the backup",
    "action.copy_detection": "copy detection {id} to {identity}",
    "action.store_detection": "store the {detector} detection of {identity}",
    "action.store_embeddings": "store the embeddings of detection {id}",
    "action.copy_embeddings": "copy the embeddings of detection {id}",
    "action.record_rules": "record rule set {name}",
    "action.store_verdicts": "store verdicts",
    "action.save_setting": "save setting {key}",
    "action.count_calls": "count paid calls to {service}",
    "action.create_queue": "create the work queue",
    "action.queue_images": "queue the listed images",
    "action.start_pass": "start a scan pass",
    "action.claim": "claim images to scan",
    "action.mark_scanned": "mark scanned images",
    "action.register_worker": "register the scan worker",
    "action.renew_leases": "renew the scan leases",
    "action.end_worker": "end the scan worker",
    "action.note_failure": "note a scan failure",
    "action.take_faces": "take faces for {operator}",
    "action.renew_faces": "renew the faces of {operator}",
    "action.release_faces": "release the faces of {operator}",
    "action.assign": "assign faces to operators",
    "action.take_back": "take back assigned faces",
    # -- what a failed read was reading ("read <what>")
    "what.audit": "audit trail",
    "what.batch": "decision batch",
    "what.bulk_targets": "bulk decision targets",
    "what.catalog": "catalog",
    "what.catalog_before_bulk": "catalog before a bulk change",
    "what.counts": "counts",
    "what.decisions": "decisions",
    "what.detection": "detection",
    "what.detection_cache": "detection cache",
    "what.embeddings": "embeddings",
    "what.face": "face",
    "what.face_counts": "face counts",
    "what.face_ids": "face ids",
    "what.faces": "faces",
    "what.filtered_faces": "filtered faces",
    "what.image": "image",
    "what.image_errors": "image errors",
    "what.image_identity": "image identity",
    "what.image_ids": "image ids",
    "what.image_names": "image names",
    "what.images": "images",
    "what.missing_verdicts": "missing verdicts",
    "what.verdict_reasons": "verdict reasons",
    "what.image_count": "image count",
    "what.image_page": "a page of images",
    "what.image_keys": "image keys",
    "what.image_row": "an image's row",
    "what.sampled_image_keys": "sampled image keys",
    "what.face_count": "face count",
    "what.face_page": "a page of faces",
    "what.face_keys": "face keys",
    "what.face_row": "a face's row",
    "what.sampled_face_keys": "sampled face keys",
    "what.decision_changes": "decision changes",
    "what.view_image_ids": "a view's image ids",
    "what.images_per_person": "images per person",
    "what.view_estimate": "a view's estimated count",
    "what.view_count": "a view's count",
    "what.view_row_keys": "the keys of a view's rows",
    "what.last_image_id": "the last image id",
    "what.last_id": "the last id",
    "what.view_page": "a page of a view",
    "what.next_pending_face": "the next pending face",
    "what.filter_selects": "what a filter selects",
    "what.paid_calls": "paid calls",
    "what.rule_sets": "rule set versions",
    "what.settings": "settings",
    "what.sources": "sources",
    "what.work_queue": "the work queue",
    "what.my_faces": "the faces assigned to you",
    "what.operators_faces": "the operators' faces",
}
#: Params holding another message (parsed and translated in turn); the rest are data.
NESTED_PARAMS: Final = frozenset({"action", "what", "detail", "found", "problem", "by", "when"})

CATALOG: Final = Messages(CATALOG_MESSAGES)


def catalog_text(message_id: str, **params: Any) -> str:
    """The English text of the catalog message ``message_id`` with ``params``."""
    return CATALOG.text(message_id, **params)

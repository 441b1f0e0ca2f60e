"""The export's user-visible errors: English templates by message id (one owner).

Built here so a front end can parse a message back into its id and params and show
it in the user's language (the GUI: :mod:`facecurator.gui.core_errors`). Params in
:data:`NESTED_PARAMS` hold another message (the system's reason, an image's error).
"""

from __future__ import annotations

from typing import Any, Final

from facecurator.domain.messages import Messages

EXPORT_MESSAGES: Final = {
    "export.nothing_pending": (
        "nothing to export: no accepted faces ({pending} pending, {rejected} rejected not included)"
    ),
    "export.nothing": "nothing to export: no accepted faces ({pending} pending, {rejected} rejected)",
    "export.staging_folder": "{path}: cannot create a staging folder: {detail}",
    "export.all_failed": (
        "nothing exported: all {count} image(s) or face(s) failed (first: {first}); {dest} is unchanged"
    ),
    "export.no_face_cropped": "no face could be cropped",
    "export.unsafe_name": "refusing unsafe name {name} in the export",
    "export.outside": "refusing to write {name}: it resolves outside the export",
    "export.cannot_write": "cannot write {name} in {path}: {detail}",
    "export.folder_outside": "refusing to create {path}: outside the export",
    "export.root": "{path}: cannot export to a filesystem root; name a folder",
    "export.symlink": "{path}: is a symbolic link; give the real folder",
    "export.mount": "{path}: is a mount point; export into a folder inside it",
    "export.create_folder": "{path}: cannot create the folder: {detail}",
    "export.not_folder": "{path}: exists and is not a folder; nothing was changed",
    "export.move": "{path}: cannot move the export into place: {detail}",
    "export.restore": "{path}: missing after an interrupted export and {old} could not be restored: {detail}",
    "export.not_folder_choose": "{path}: exists and is not a folder; choose another destination",
    "export.read_folder": "{path}: cannot read the folder: {detail}",
    "export.foreign": (
        "{path}: exists, is not empty and is not a facecurator export (no {manifest}); refusing to "
        "replace it - choose an empty or new folder"
    ),
    "export.oss_needs_publisher": "{path}: exporting to OSS needs an OSS publisher",
    "export.oss_whole_bucket": (
        "{path}: name a prefix to export into (oss://BUCKET/PREFIX), not a whole bucket"
    ),
    "export.oss_foreign": (
        "{path}: holds objects but is not a facecurator export (no {manifest}); refusing to replace it - "
        "choose an empty or new prefix"
    ),
    "export.oss_no_manifest": "{path}: the staged export has no {manifest}; nothing uploaded",
    "export.oss_corrupted": "{path}: upload corrupted (ETag {etag} != MD5 {md5})",
    "export.oss_read_staged": "{path}: cannot read the staged export: {detail}",
    "export.cancelled_to": "export to {path} cancelled; nothing was changed",
    "export.cancelled": "export cancelled; nothing was changed",
}
#: Params holding another message (translated in turn); the rest are data.
NESTED_PARAMS: Final = frozenset({"detail", "first"})

EXPORT: Final = Messages(EXPORT_MESSAGES)


def export_text(message_id: str, **params: Any) -> str:
    """The English text of the export message ``message_id`` with ``params``."""
    return EXPORT.text(message_id, **params)

"""The core's English message templates, marked for translation (context ``CoreMessages``).

One tuple per message set of the Qt-free layers: per-image reasons
(:mod:`facecurator.domain.error_texts`), the catalog, the cloud SDK-error classifier, the
export and the sources. Their texts are the same as the layers' own templates (a test
checks each set); :mod:`facecurator.gui.core_errors` renders them translated.
"""

from __future__ import annotations

from typing import Final

from facecurator.gui.i18n import QT_TRANSLATE_NOOP

#: Every template of ``facecurator.domain.error_texts.ERROR_MESSAGES`` (per-image reasons).
_ERROR_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP("CoreMessages", "cannot read file: it was deleted or moved (no such file)"),
    QT_TRANSLATE_NOOP("CoreMessages", "symbolic link loop; not followed"),
    QT_TRANSLATE_NOOP("CoreMessages", "symbolic link loop: leads back to the source folder; not followed"),
    QT_TRANSLATE_NOOP("CoreMessages", "symbolic link loop: leads back to {target}; not followed"),
    QT_TRANSLATE_NOOP("CoreMessages", "dangling symbolic link (its target {target} does not exist)"),
    QT_TRANSLATE_NOOP("CoreMessages", "permission denied: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot read file: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a regular file (a named pipe, FIFO); not read"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a regular file (a socket); not read"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a regular file (a device); not read"),
    QT_TRANSLATE_NOOP("CoreMessages", "a folder, not a file"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a regular file; not read"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot list folder: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "not detected: the scan stopped"),
    QT_TRANSLATE_NOOP("CoreMessages", "empty file (0 bytes)"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "image is {width}x{height} ({megapixels} MP), over the {limit} MP limit "
        "(possible decompression bomb)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "refused as a decompression bomb ({detail})"),
    QT_TRANSLATE_NOOP("CoreMessages", "not an image or an unsupported format"),
    QT_TRANSLATE_NOOP("CoreMessages", "truncated or damaged file ({detail})"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot decode: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "not a supported image type {suffix}"),
    QT_TRANSLATE_NOOP("CoreMessages", "internal error: {kind}: {error}"),
    QT_TRANSLATE_NOOP("CoreMessages", "internal error while embedding: {kind}: {error}"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot read result file: {detail}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "Image size ({pixels} pixels) exceeds limit of {limit} pixels, "
        "could be decompression bomb DOS attack.",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "image file is truncated ({count} bytes not processed)"),
    QT_TRANSLATE_NOOP("CoreMessages", "image file is truncated"),
    QT_TRANSLATE_NOOP("CoreMessages", "broken data stream when reading image file"),
    QT_TRANSLATE_NOOP("CoreMessages", "could not create decoder object"),
    QT_TRANSLATE_NOOP("CoreMessages", "decoder error {code}"),
)
#: Every template of ``facecurator.services.catalog.messages.CATALOG_MESSAGES``.
_CATALOG_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot create the catalog folder: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: is a folder, not a catalog file"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot open catalog: {detail}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: the server refused the password of role {role}; store the right one with "
        "`facecurator catalog password {path}` (the OS keyring), or in ~/.pgpass or a service file",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: the server asks for the password of role {role} and none is stored; store it with "
        "`facecurator catalog password {path}` (the OS keyring), or in ~/.pgpass or a service file",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: catalog is closed"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: a catalog is used only by the thread that opened it"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot {action}: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: not a facecurator catalog (a database of another program)"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: schema migration to version {version} failed: {detail}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: catalog was written by a newer facecurator (schema {found} > {supported})",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: the catalog is damaged ({found}: {problem}); nothing was written to it. Restore "
        "the last good backup with `facecurator catalog restore --catalog {path}` (decisions made "
        "since are re-applied from the audit trail); `facecurator catalog check` lists the "
        "problems",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: the catalog is damaged ({found}: {problem} (and {more} more)); nothing was "
        "written to it. Restore the last good backup with `facecurator catalog restore --catalog "
        "{path}` (decisions made since are re-applied from the audit trail); `facecurator catalog "
        "check` lists the problems",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "found by the full check after facecurator was not shut down cleanly"),
    QT_TRANSLATE_NOOP("CoreMessages", "found by the quick check"),
    QT_TRANSLATE_NOOP("CoreMessages", "found by the full integrity check"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot {action}: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot back up the catalog to {folder}: {detail}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: cannot restore while other facecurator processes have the catalog open (process "
        "{pids}); close them first",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot restore {backup}: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: no such backup"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: this backup is damaged too ({problem}); choose another one (`facecurator catalog backups`)",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: there is no backup to restore (backups are kept in {folder}, taken before bulk changes)",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: every backup in {folder} is damaged; there is no backup to restore",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: decision batch {batch} was undone by {who}{when} while it was being written; "
        "stopped, nothing more was decided",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: the last decision batch {batch} is still being written by {by}; nothing was "
        "undone. Undo it when it is done, or run `facecurator decide --undo --wait` to wait for "
        "it",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: the last decision batch {batch} (by {who}, started {at} UTC, {count} faces so "
        "far) is still being written by {by}; nothing was undone. Undo it when it is done, or run "
        "`facecurator decide --undo --wait` to wait for it",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "process {pid}"),
    QT_TRANSLATE_NOOP("CoreMessages", "another process"),
    QT_TRANSLATE_NOOP("CoreMessages", " at {at} UTC"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: no decision batch {batch}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: decision batch {batch} is complete; nothing more goes into it",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: no face with id {id}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: face {ids} held by {holders} (another operator is reviewing it); nothing was decided. "
        "Decide anyway only when they agree",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: no image with id {id}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: no detection with id {id}"),
    QT_TRANSLATE_NOOP("CoreMessages", "open catalog"),
    QT_TRANSLATE_NOOP("CoreMessages", "write"),
    QT_TRANSLATE_NOOP("CoreMessages", "read {what}"),
    QT_TRANSLATE_NOOP("CoreMessages", "record image {uri}"),
    QT_TRANSLATE_NOOP("CoreMessages", "record the listing of {root}"),
    QT_TRANSLATE_NOOP("CoreMessages", "update images of {root}"),
    QT_TRANSLATE_NOOP("CoreMessages", "record {state} decisions"),
    QT_TRANSLATE_NOOP("CoreMessages", "complete the decision batch"),
    QT_TRANSLATE_NOOP("CoreMessages", "undo the last decisions"),
    QT_TRANSLATE_NOOP("CoreMessages", "re-apply the decisions made since the backup"),
    QT_TRANSLATE_NOOP("CoreMessages", "copy detection {id} to {identity}"),
    QT_TRANSLATE_NOOP("CoreMessages", "store the {detector} detection of {identity}"),
    QT_TRANSLATE_NOOP("CoreMessages", "store the embeddings of detection {id}"),
    QT_TRANSLATE_NOOP("CoreMessages", "copy the embeddings of detection {id}"),
    QT_TRANSLATE_NOOP("CoreMessages", "record rule set {name}"),
    QT_TRANSLATE_NOOP("CoreMessages", "store verdicts"),
    QT_TRANSLATE_NOOP("CoreMessages", "save setting {key}"),
    QT_TRANSLATE_NOOP("CoreMessages", "count paid calls to {service}"),
    QT_TRANSLATE_NOOP("CoreMessages", "create the work queue"),
    QT_TRANSLATE_NOOP("CoreMessages", "queue the listed images"),
    QT_TRANSLATE_NOOP("CoreMessages", "start a scan pass"),
    QT_TRANSLATE_NOOP("CoreMessages", "claim images to scan"),
    QT_TRANSLATE_NOOP("CoreMessages", "mark scanned images"),
    QT_TRANSLATE_NOOP("CoreMessages", "register the scan worker"),
    QT_TRANSLATE_NOOP("CoreMessages", "renew the scan leases"),
    QT_TRANSLATE_NOOP("CoreMessages", "end the scan worker"),
    QT_TRANSLATE_NOOP("CoreMessages", "note a scan failure"),
    QT_TRANSLATE_NOOP("CoreMessages", "take faces for {operator}"),
    QT_TRANSLATE_NOOP("CoreMessages", "renew the faces of {operator}"),
    QT_TRANSLATE_NOOP("CoreMessages", "release the faces of {operator}"),
    QT_TRANSLATE_NOOP("CoreMessages", "assign faces to operators"),
    QT_TRANSLATE_NOOP("CoreMessages", "take back assigned faces"),
    QT_TRANSLATE_NOOP("CoreMessages", "audit trail"),
    QT_TRANSLATE_NOOP("CoreMessages", "decision batch"),
    QT_TRANSLATE_NOOP("CoreMessages", "bulk decision targets"),
    QT_TRANSLATE_NOOP("CoreMessages", "catalog"),
    QT_TRANSLATE_NOOP("CoreMessages", "catalog before a bulk change"),
    QT_TRANSLATE_NOOP("CoreMessages", "counts"),
    QT_TRANSLATE_NOOP("CoreMessages", "decisions"),
    QT_TRANSLATE_NOOP("CoreMessages", "detection"),
    QT_TRANSLATE_NOOP("CoreMessages", "detection cache"),
    QT_TRANSLATE_NOOP("CoreMessages", "embeddings"),
    QT_TRANSLATE_NOOP("CoreMessages", "face"),
    QT_TRANSLATE_NOOP("CoreMessages", "face counts"),
    QT_TRANSLATE_NOOP("CoreMessages", "face ids"),
    QT_TRANSLATE_NOOP("CoreMessages", "faces"),
    QT_TRANSLATE_NOOP("CoreMessages", "filtered faces"),
    QT_TRANSLATE_NOOP("CoreMessages", "image"),
    QT_TRANSLATE_NOOP("CoreMessages", "image errors"),
    QT_TRANSLATE_NOOP("CoreMessages", "image identity"),
    QT_TRANSLATE_NOOP("CoreMessages", "image ids"),
    QT_TRANSLATE_NOOP("CoreMessages", "image names"),
    QT_TRANSLATE_NOOP("CoreMessages", "images"),
    QT_TRANSLATE_NOOP("CoreMessages", "missing verdicts"),
    QT_TRANSLATE_NOOP("CoreMessages", "verdict reasons"),
    QT_TRANSLATE_NOOP("CoreMessages", "image count"),
    QT_TRANSLATE_NOOP("CoreMessages", "a page of images"),
    QT_TRANSLATE_NOOP("CoreMessages", "image keys"),
    QT_TRANSLATE_NOOP("CoreMessages", "an image's row"),
    QT_TRANSLATE_NOOP("CoreMessages", "sampled image keys"),
    QT_TRANSLATE_NOOP("CoreMessages", "face count"),
    QT_TRANSLATE_NOOP("CoreMessages", "a page of faces"),
    QT_TRANSLATE_NOOP("CoreMessages", "face keys"),
    QT_TRANSLATE_NOOP("CoreMessages", "a face's row"),
    QT_TRANSLATE_NOOP("CoreMessages", "sampled face keys"),
    QT_TRANSLATE_NOOP("CoreMessages", "decision changes"),
    QT_TRANSLATE_NOOP("CoreMessages", "a view's image ids"),
    QT_TRANSLATE_NOOP("CoreMessages", "images per person"),
    QT_TRANSLATE_NOOP("CoreMessages", "a view's estimated count"),
    QT_TRANSLATE_NOOP("CoreMessages", "a view's count"),
    QT_TRANSLATE_NOOP("CoreMessages", "the keys of a view's rows"),
    QT_TRANSLATE_NOOP("CoreMessages", "the last image id"),
    QT_TRANSLATE_NOOP("CoreMessages", "the last id"),
    QT_TRANSLATE_NOOP("CoreMessages", "a page of a view"),
    QT_TRANSLATE_NOOP("CoreMessages", "the next pending face"),
    QT_TRANSLATE_NOOP("CoreMessages", "what a filter selects"),
    QT_TRANSLATE_NOOP("CoreMessages", "paid calls"),
    QT_TRANSLATE_NOOP("CoreMessages", "rule set versions"),
    QT_TRANSLATE_NOOP("CoreMessages", "settings"),
    QT_TRANSLATE_NOOP("CoreMessages", "sources"),
    QT_TRANSLATE_NOOP("CoreMessages", "the work queue"),
    QT_TRANSLATE_NOOP("CoreMessages", "the faces assigned to you"),
    QT_TRANSLATE_NOOP("CoreMessages", "the operators' faces"),
)
#: Every template of ``facecurator.cloud.sdk_errors.CLOUD_MESSAGES``.
_CLOUD_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the proxy could not be used: check HTTPS_PROXY / HTTP_PROXY (and NO_PROXY for this endpoint)",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "cannot resolve the host{where}: check the profile's region and endpoint (or your DNS)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "connection refused by {host}: check the endpoint's host and port"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "connection refused by the endpoint: check the endpoint's host and port",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "timed out connecting to {host}: the network or a firewall/proxy blocks it (set "
        "HTTPS_PROXY if you need a proxy)",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "timed out connecting to the endpoint: the network or a firewall/proxy blocks it (set "
        "HTTPS_PROXY if you need a proxy)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "network unreachable{where}: check your connection"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "TLS handshake with {host} failed: a proxy intercepting HTTPS, or an endpoint that does "
        "not speak https (use http:// in the profile for a plain-HTTP test endpoint)",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "TLS handshake with the endpoint failed: a proxy intercepting HTTPS, or an endpoint that "
        "does not speak https (use http:// in the profile for a plain-HTTP test endpoint)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "connection to {host} failed: {error}"),
    QT_TRANSLATE_NOOP("CoreMessages", "connection to the endpoint failed: {error}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the STS security token is invalid or expired{said}: store a fresh token with "
        "`facecurator credentials set`",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the AccessKey ID is disabled{said}: check the ID, or whether the key was disabled",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the AccessKey ID is not recognised{said}: check the ID, or whether the key was disabled",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the AccessKey secret is wrong{said}: the service computed a different signature; "
        "re-enter it with `facecurator credentials set`",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "this computer's clock is too far off{said}: sync it (NTP) and retry"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the bucket is in another region (the bucket lives at {endpoint}): set the profile's "
        "--region or --oss-endpoint",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the bucket is in another region: set the profile's --region or --oss-endpoint",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the AccessKey has no permission for this call{said}{detail}: grant the RAM user a policy "
        "for this service",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the bucket does not exist at this endpoint{said}: check the bucket name and the profile's region",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the endpoint does not serve this region or API{said}{detail}: check the profile's region "
        "and endpoint",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "the service is throttling requests{said}: retry later"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the endpoint redirects elsewhere{said}: check the profile's region and endpoint",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "the endpoint answered 404 Not Found: it is not the endpoint of this service; check the "
        "profile's endpoint",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "the request was refused (HTTP {status}){detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "the service failed (HTTP {status}{code}){detail}: retry later"),
    QT_TRANSLATE_NOOP("CoreMessages", "the call failed{said}{detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "the call failed: {error}"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot reach the proxy{where} (check HTTPS_PROXY / NO_PROXY)"),
    QT_TRANSLATE_NOOP("CoreMessages", "timed out"),
    QT_TRANSLATE_NOOP("CoreMessages", "endpoint host name not found (wrong region or endpoint?)"),
    QT_TRANSLATE_NOOP("CoreMessages", "network unreachable: {error}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{head}: the AccessKey ID is not known (wrong key ID?)"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{head}: the AccessKey secret does not match the key ID (wrong secret?)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{head}: no permission (the key is not authorised for this call)"),
    QT_TRANSLATE_NOOP("CoreMessages", "{head}: the STS security token is invalid or expired"),
    QT_TRANSLATE_NOOP("CoreMessages", "{subject}: {call} failed after {attempts} attempts: {reason}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{subject}: {call} failed after 1 attempt: {reason}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{subject}: {call} failed: {reason}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{subject}: cancelled"),
    QT_TRANSLATE_NOOP("CoreMessages", "cancelled while waiting for the rate limit"),
    QT_TRANSLATE_NOOP("CoreMessages", "bucket {bucket} listable"),
    QT_TRANSLATE_NOOP("CoreMessages", "ListBuckets accepted"),
    QT_TRANSLATE_NOOP("CoreMessages", "ListBuckets accepted (owner {owner})"),
    QT_TRANSLATE_NOOP("CoreMessages", "IMM project {project} readable"),
    QT_TRANSLATE_NOOP("CoreMessages", "ListProjects accepted"),
    QT_TRANSLATE_NOOP("CoreMessages", "DescribeUploadToken accepted"),
)
#: Every template of ``facecurator.services.export.messages.EXPORT_MESSAGES``.
_EXPORT_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "nothing to export: no accepted faces ({pending} pending, {rejected} rejected not included)",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "nothing to export: no accepted faces ({pending} pending, {rejected} rejected)",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot create a staging folder: {detail}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "nothing exported: all {count} image(s) or face(s) failed (first: {first}); {dest} is unchanged",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "no face could be cropped"),
    QT_TRANSLATE_NOOP("CoreMessages", "refusing unsafe name {name} in the export"),
    QT_TRANSLATE_NOOP("CoreMessages", "refusing to write {name}: it resolves outside the export"),
    QT_TRANSLATE_NOOP("CoreMessages", "cannot write {name} in {path}: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "refusing to create {path}: outside the export"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot export to a filesystem root; name a folder"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: is a symbolic link; give the real folder"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: is a mount point; export into a folder inside it"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot create the folder: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: exists and is not a folder; nothing was changed"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot move the export into place: {detail}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: missing after an interrupted export and {old} could not be restored: {detail}",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: exists and is not a folder; choose another destination"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot read the folder: {detail}"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: exists, is not empty and is not a facecurator export (no {manifest}); refusing "
        "to replace it - choose an empty or new folder",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: exporting to OSS needs an OSS publisher"),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: name a prefix to export into (oss://BUCKET/PREFIX), not a whole bucket",
    ),
    QT_TRANSLATE_NOOP(
        "CoreMessages",
        "{path}: holds objects but is not a facecurator export (no {manifest}); refusing to "
        "replace it - choose an empty or new prefix",
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: the staged export has no {manifest}; nothing uploaded"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: upload corrupted (ETag {etag} != MD5 {md5})"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: cannot read the staged export: {detail}"),
    QT_TRANSLATE_NOOP("CoreMessages", "export to {path} cancelled; nothing was changed"),
    QT_TRANSLATE_NOOP("CoreMessages", "export cancelled; nothing was changed"),
)
#: Every template of ``facecurator.sources.messages.SOURCE_MESSAGES``.
_SOURCE_TEMPLATES: Final = (
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: no such file or folder"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: neither a folder nor a regular file"),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: not an OSS location (expected oss://BUCKET/PREFIX)"),
    QT_TRANSLATE_NOOP(
        "CoreMessages", "{path}: invalid bucket name {bucket} (3-63 lower-case letters, digits and '-')"
    ),
    QT_TRANSLATE_NOOP("CoreMessages", "{path}: not in bucket {bucket}"),
)

CATALOG_TEMPLATES: Final = frozenset(_CATALOG_TEMPLATES)
CLOUD_TEMPLATES: Final = frozenset(_CLOUD_TEMPLATES)
EXPORT_TEMPLATES: Final = frozenset(_EXPORT_TEMPLATES)
SOURCE_TEMPLATES: Final = frozenset(_SOURCE_TEMPLATES)
ERROR_TEMPLATES: Final = frozenset(_ERROR_TEMPLATES)

"""Errors as data: every external failure is one of these, with a message that
names the image or the call. Front ends decide how to show them."""

from __future__ import annotations


class FacecuratorError(Exception):
    """Base of all expected failures. ``str(err)`` is a one-line, user-facing reason."""


class ConfigError(FacecuratorError):
    """Bad usage or configuration (CLI exit status 2)."""


class ImageError(FacecuratorError):
    """An image could not be read or decoded (broken, unsupported, too large)."""


class SourceError(FacecuratorError):
    """A source (folder, bucket) could not be listed or read."""


class SourceAuthError(SourceError):
    """Credentials were refused by a source."""


class DetectorError(FacecuratorError):
    """A detector failed on one image or could not start."""


class DetectorAuthError(DetectorError):
    """A cloud detector's service refused the credentials or the permission
    (every image would fail the same way: a batch may stop early)."""


class ModelLoadError(DetectorError):
    """The detector's model files could not be loaded."""


class MalformedResultError(FacecuratorError):
    """A provider result does not have the documented shape."""


class CatalogError(FacecuratorError):
    """The catalog database could not be opened, migrated or written."""


class CatalogDamagedError(CatalogError):
    """The catalog file is damaged (an integrity check failed): it is not written.

    ``path`` is the catalog, ``problems`` what the check found.
    """

    def __init__(self, message: str, *, path: object = None, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.path = path
        self.problems = problems


class BatchBusyError(CatalogError):
    """A decision batch is still being written by a running process (it cannot be undone yet).

    ``batch_id`` is the batch, ``pid`` the process writing it (None if unknown).
    """

    def __init__(self, message: str, *, batch_id: int, pid: int | None) -> None:
        super().__init__(message)
        self.batch_id = batch_id
        self.pid = pid


class FaceHeldError(CatalogError):
    """A decision of faces another operator holds (issue 17: assignments), refused unless the
    caller decides anyway (``include_held``). ``holds``: ``(face id, operator, held until as
    epoch seconds or None when assigned without a lease)``, one per held face."""

    def __init__(self, message: str, *, holds: tuple[tuple[int, str, float | None], ...]) -> None:
        super().__init__(message)
        self.holds = holds


class BatchUndoneError(CatalogError):
    """A bulk decision's batch was undone by someone else while it was being written: it stops."""


class ExportError(FacecuratorError):
    """An export could not be written."""


class CancelledError(FacecuratorError):
    """Work was cancelled by the operator."""

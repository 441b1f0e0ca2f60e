"""Logging set-up shared by the CLI and the GUI: secret redaction and the log file."""

from __future__ import annotations

import logging
from pathlib import Path

from facecurator import paths

LOG_FILE_NAME = "facecurator.log"


def install_secret_redaction() -> None:
    """Mask every known secret in every log record (no secret reaches a log file)."""
    try:
        from facecurator.cloud.redact import install as install_redaction
    except ImportError:
        return
    install_redaction()


def log_file_path() -> Path:
    folder = paths.cache_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / LOG_FILE_NAME


def add_rotating_file_log(level: int = logging.INFO) -> Path | None:
    """Best-effort rotating log file in the user cache directory; returns its path."""
    from logging.handlers import RotatingFileHandler  # the GUI's: the CLI's commands log to stderr only

    try:
        path = log_file_path()
        handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    install_secret_redaction()
    return path

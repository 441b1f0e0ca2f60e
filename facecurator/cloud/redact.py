"""Keep secrets out of logs and error text.

Every secret the app handles (AccessKey secrets, STS tokens, upload tokens) is
registered with :func:`register_secret` the moment it is read; from then on
:func:`redact` replaces it with ``****`` wherever it appears. Independently of
the registry, well-known secret-bearing fragments (``Signature=`` /
``SecurityToken=`` query parameters, ``Authorization`` headers, ``AccessKeySecret``
fields) are masked by pattern, so a signed URL in a debug log is not a
credential either.

:func:`install` hooks the masking into Python logging globally (through the
log-record factory, so it covers every logger and handler, including those of
third-party libraries such as oss2 and urllib3); :class:`RedactingFilter` does
the same for one handler.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from typing import Final

MASK: Final = "****"

#: Shorter strings are not registered: masking them would garble ordinary words.
MIN_SECRET_LENGTH: Final = 8

_lock = threading.Lock()
_secrets: set[str] = set()
_ordered: tuple[str, ...] = ()

_PATTERNS: Final = (
    # Query parameters and form fields of signed requests (OSS V1/V4, ACS RPC/ROA, STS).
    re.compile(
        r"(?i)(\b(?:signature|x-oss-signature|x-oss-security-token|securitytoken|security-token"
        r"|security_token|accesskeysecret|access_key_secret|access-key-secret)\b[\"']?\s*[=:]\s*[\"']?)"
        r"([^\s&\"',;}]+)"
    ),
    # HTTP authorization headers: keep the scheme and credential id, drop the signature.
    re.compile(r"(?i)(\bauthorization[\"']?\s*[=:]\s*[\"']?)([^\"'\r\n,}]+)"),
)


def register_secret(value: str | None) -> None:
    """Remember ``value`` so it is masked everywhere from now on (no-op for short/empty values)."""
    global _ordered
    if not value or len(value) < MIN_SECRET_LENGTH:
        return
    with _lock:
        if value in _secrets:
            return
        _secrets.add(value)
        # Longest first, so a secret that contains another is masked whole.
        _ordered = tuple(sorted(_secrets, key=len, reverse=True))


def forget_secrets() -> None:
    """Drop every registered secret (tests; a profile whose credentials were deleted)."""
    global _ordered
    with _lock:
        _secrets.clear()
        _ordered = ()


def is_registered(value: str) -> bool:
    return value in _secrets


def contains_secret(text: str) -> bool:
    """True when ``text`` contains any registered secret."""
    return any(secret in text for secret in _ordered)


def redact(text: str) -> str:
    """``text`` with every registered secret and every secret-bearing fragment masked."""
    if not text:
        return text
    for secret in _ordered:
        if secret in text:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    return text


def redact_exception(exc: BaseException) -> str:
    """One line for ``exc``, safe to show or log: ``"<Type>: <message>"`` with secrets masked."""
    message = str(exc).strip().splitlines()
    first = message[0] if message else ""
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return redact(text)


def _redact_record(record: logging.LogRecord) -> None:
    """Freeze ``record``'s message, traceback and stack text in redacted form."""
    if getattr(record, "_facecurator_redacted", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string must not break logging
        message = str(record.msg)
    record.msg = redact(message)
    record.args = None
    if record.exc_info and record.exc_info[0] is not None:
        formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        record.exc_text = redact(formatted)
        # Formatters print exc_text; dropping exc_info leaves no path to the raw text.
        record.exc_info = None
    elif record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._facecurator_redacted = True


class RedactingFilter(logging.Filter):
    """A handler filter that masks secrets in the message, its arguments and the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


_installed = False


def install() -> None:
    """Mask secrets in every log record created from now on (idempotent).

    Wraps the global log-record factory: records are created only after the
    level check, so disabled debug calls cost nothing. The traceback is
    rendered (and redacted) when the record is created, because exceptions from
    the SDKs may quote request details.
    """
    global _installed
    with _lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: object, **kwargs: object) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True

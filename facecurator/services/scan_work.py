"""What a scan's worker does for one image: read, identify and detect it, embed its faces
(from the detector's decoded pixels, or the bytes), and turn every failure into data
(:class:`_WorkDone`) the calling thread stores.

Split from :mod:`facecurator.services.jobs` (the scan itself); nothing here changes a result.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from facecurator.cloud.ratelimit import thread_wait_total
from facecurator.domain.error_texts import error_text, internal_error
from facecurator.domain.face import Face
from facecurator.domain.protocols import DetectionResult, ImageRef, Source, bytes_key
from facecurator.errors import DetectorAuthError, FacecuratorError
from facecurator.services import image_gate
from facecurator.services.workers import DetectorPool

log = logging.getLogger("facecurator.jobs")


@dataclass(frozen=True, slots=True)
class _WorkDone:
    ref: ImageRef
    identity: str | None
    result: DetectionResult | None
    error: str | None
    auth_failure: bool = False
    #: ImageEmbeddings when an embedder ran, else None
    embeddings: Any = None
    embed_error: str | None = None
    #: (image id, detection id) of a cached detection this work only embedded
    embed_only: tuple[int, int] | None = None
    #: seconds this image kept its worker busy outside the rate limiter
    busy: float = 0.0
    #: the identity was claimed in the gate (the scan releases it once stored)
    claimed: bool = False
    #: the bytes were detected already (another copy, or another path of the same file)
    known: bool = False


def _detect_one(
    source: Source,
    pool: DetectorPool,
    ref: ImageRef,
    gate: image_gate.ImageGate,
    embed_pool: DetectorPool | None = None,
) -> _WorkDone:
    """Worker: read, identify and detect one image (and embed its faces); every failure becomes data."""
    identity = ref.quick_identity
    started, waited = time.monotonic(), thread_wait_total()
    claimed = False
    try:
        detector = pool.get()
        data: bytes | None = None
        if detector.needs_bytes or identity is None:
            data = source.read_bytes(ref)
            if identity is None:
                identity = source.identity(ref, data)
        state = gate.claim(bytes_key(identity))
        if state == image_gate.KNOWN:
            return _WorkDone(ref, identity, None, None, known=True)
        if state == image_gate.CLOSED:
            return _WorkDone(ref, identity, None, f"{ref.uri}: {error_text('scan.stopped')}")
        claimed = True
        result = detector.detect(ref, data)
        busy = time.monotonic() - started - (thread_wait_total() - waited)
        pixels = result.pixels
        if pixels is not None:
            result = replace(result, pixels=None)  # never held beyond the worker
        if embed_pool is None or not result.faces:
            return _WorkDone(ref, identity, result, None, busy=busy, claimed=True)
        if pixels is not None:
            embeddings, embed_error = _embed_decoded(embed_pool, ref, pixels, result)
        else:
            embeddings, embed_error = _embed(
                source, embed_pool, ref, data, result.faces, result.width, result.height
            )
        return _WorkDone(
            ref,
            identity,
            result,
            None,
            embeddings=embeddings,
            embed_error=embed_error,
            busy=busy,
            claimed=True,
        )
    except DetectorAuthError as exc:
        return _WorkDone(ref, identity, None, _with_name(ref, str(exc)), auth_failure=True, claimed=claimed)
    except FacecuratorError as exc:
        busy = time.monotonic() - started - (thread_wait_total() - waited)
        return _WorkDone(ref, identity, None, _with_name(ref, str(exc)), busy=busy, claimed=claimed)
    except Exception as exc:
        log.exception("unexpected failure on %s", ref.uri)
        message = f"{ref.uri}: {internal_error(exc)}"
        return _WorkDone(ref, identity, None, message, claimed=claimed)


def _embed(
    source: Source,
    embed_pool: DetectorPool,
    ref: ImageRef,
    data: bytes | None,
    faces: list[Face],
    width: int | None,
    height: int | None,
) -> tuple[Any, str | None]:
    """(ImageEmbeddings, None) or (None, reason): an embedding failure is data, never an image error."""

    def run() -> Any:
        raw = data if data is not None else source.read_bytes(ref)
        long_side = max(width, height) if width and height else None
        return embed_pool.get().embed_image(raw, faces, name=ref.uri, long_side=long_side)

    return _embedding_or_reason(ref, run)


def _embed_decoded(
    embed_pool: DetectorPool, ref: ImageRef, pixels: Any, result: DetectionResult
) -> tuple[Any, str | None]:
    """Embeddings from the detector's own decoded pixels (no second decode)."""

    def run() -> Any:
        embedder = embed_pool.get()
        return embedder.embed_decoded(pixels, result.faces, scale=result.pixel_scale, name=ref.uri)

    return _embedding_or_reason(ref, run)


def _embedding_or_reason(ref: ImageRef, run: Callable[[], Any]) -> tuple[Any, str | None]:
    """(``run()``, None), or (None, why it failed): an embedding failure is data."""
    try:
        return run(), None
    except FacecuratorError as exc:
        return None, _with_name(ref, str(exc))
    except Exception as exc:
        log.exception("unexpected embedding failure on %s", ref.uri)
        return None, f"{ref.uri}: {internal_error(exc, embedding=True)}"


def _embed_one(
    source: Source,
    embed_pool: DetectorPool,
    ref: ImageRef,
    image_id: int,
    detection_id: int,
    faces: list[Face],
    width: int | None,
    height: int | None,
) -> _WorkDone:
    """Worker: embed the faces of an image whose detection was cached."""
    embeddings, error = _embed(source, embed_pool, ref, None, faces, width, height)
    return _WorkDone(
        ref, None, None, None, embeddings=embeddings, embed_error=error, embed_only=(image_id, detection_id)
    )


def _with_name(ref: ImageRef, message: str) -> str:
    return message if ref.uri in message or ref.name in message else f"{ref.uri}: {message}"

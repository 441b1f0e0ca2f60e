"""The offline ``local`` detector: mediapipe face detection + face mesh, on this machine.

One :class:`LocalDetector` per worker thread (mediapipe graphs are not
thread-safe); :meth:`LocalDetector.clone` makes another. Nothing is downloaded:
the models ship inside the mediapipe wheel. How every number is computed, its
scale and its limits are in ``docs/local-detector.md``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from facecurator.detect import blink, measures
from facecurator.detect.messages import detect_text
from facecurator.detect.passes import (
    _FULL_INPUT,
    _SHORT_INPUT,
    _Candidate,
    _clip_box,
    _crop,
    _five_points,
    _gray,
    _landmark_xyz,
    _merge,
    _run_detector,
    _tiles,
    graph_outputs,
)
from facecurator.detect.quality import covers, photo_model
from facecurator.detect.quality.base import padded_square
from facecurator.detect.quality.clip_reasons import NO_MODEL_KEY
from facecurator.detect.quality.detail import jpeg_quality
from facecurator.detect.quality.eyes import REASON_NO_SKIN, dimmed_by_lenses, veiled_by_lenses
from facecurator.detect.quality.face import measure_face
from facecurator.detect.quality.pose import (
    PITCH_GAIN,
    PITCH_KNEE,
    TIPPED_BACK_CUE,
    TIPPED_BACK_PITCH,
    expand_angle,
    tipped_back_cue,
)
from facecurator.detect.quality.summary import (
    FaceQuality,
    detail_named,
    face_quality,
    needs_blink_reading,
    with_blink,
)
from facecurator.domain.face import BLUR_SCALE_LOCAL, Blur, Face, MeasureSet, Pose
from facecurator.domain.images import decode_image, rgb_array
from facecurator.domain.measures import Measure
from facecurator.domain.protocols import DetectionResult, ImageRef
from facecurator.errors import ConfigError, DetectorError, ModelLoadError

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)

#: Bump when the algorithm changes results: it is part of ``settings_key``, so
#: cached local detections are recomputed.
ALGORITHM_VERSION: Final = 52


@dataclass(frozen=True, slots=True)
class LocalSettings:
    """Every setting that changes the local detector's result.

    Attributes:
        working_side: images are decoded with their longer side at most this
            many pixels (JPEGs via DCT draft scaling); crops for the mesh and the
            blur measure come from this image.
        detect_side: longer side of the image the face detectors see.
        tiles: the detection image is also cut into ``tiles`` x ``tiles``
            overlapping tiles for small faces (0 or 1: no tiling).
        tile_skip_face: tiling is skipped when the whole-image passes found a
            face whose box is at least this fraction of the image's short side
            (a portrait: faces small enough to need tiles are background).
        min_confidence: faces below this detection score are dropped.
        unverified_confidence: faces whose mesh could not be fitted are kept
            only from this score up (a mesh fit confirms a face).
        photo_model: run the CLIP photograph model (and its condition probes) on the
            faces it checks; off when the scan's rules use no measure it feeds
            (``clip_reasons.rules_need_model``): those measures then read null with
            ``REASON_NO_MODEL``, and the key says ``;clip=unused``. On, the key is the one
            local-v45 had (its stored detections ran the model).
    """

    working_side: int = 1024
    detect_side: int = 1024
    tiles: int = 2
    tile_skip_face: float = 0.2
    min_confidence: float = 0.5
    unverified_confidence: float = 0.72
    photo_model: bool = True

    def __post_init__(self) -> None:
        if self.working_side < 128 or self.detect_side < 128:
            raise ValueError("working_side and detect_side must be at least 128 pixels")
        if self.tiles < 0 or self.tiles > 6:
            raise ValueError("tiles must be between 0 and 6")
        if not (0.0 < self.min_confidence <= self.unverified_confidence <= 1.0):
            raise ValueError("need 0 < min_confidence <= unverified_confidence <= 1")

    @property
    def key(self) -> str:
        return (
            f"local-v{ALGORITHM_VERSION};work={self.working_side};det={self.detect_side};"
            f"tiles={self.tiles};skip={self.tile_skip_face:g};min={self.min_confidence:g};"
            f"unverified={self.unverified_confidence:g}" + ("" if self.photo_model else NO_MODEL_KEY)
        )


class LocalDetector:
    """Offline detector (mediapipe). Not thread-safe: one instance per thread."""

    name: Final = "local"
    needs_bytes: Final = True

    def __init__(self, settings: LocalSettings | None = None, **overrides: Any) -> None:
        """Args:
            settings: base settings (default: :class:`LocalSettings`).
            **overrides: individual settings by name, e.g. ``tiles=3``.

        Raises:
            ConfigError: an unknown setting or a value out of range.
        """
        base = settings or LocalSettings()
        try:
            self.settings = replace(base, **overrides)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"local detector: bad setting ({exc})") from None
        self._short: Any = None
        self._full: Any = None
        self._mesh: Any = None
        self._blink = blink.BlinkReader()  # a second reading of eyes the mesh reads shut
        # the CLIP photograph model (quality/photo_model.py: one session in the process)
        self._photo = photo_model.PhotoModel()
        # mediapipe graphs are not thread-safe: concurrent use is refused, not serialised
        self._busy = threading.Lock()

    # -- protocol -------------------------------------------------------------

    @property
    def settings_key(self) -> str:
        return self._key(self.settings)

    @property
    def reusable_keys(self) -> tuple[str, ...]:
        """The settings keys whose stored detections serve this detector, best first: a scan
        without the photograph model takes an image's detection with it when there is one
        (the same readings, plus the model's), else its own; never the other way round."""
        if self.settings.photo_model:
            return (self.settings_key,)
        return (self._key(replace(self.settings, photo_model=True)), self.settings_key)

    def _key(self, settings: LocalSettings) -> str:
        # without the blink model (detect/blink.py) some eyes read shut: not this version's results
        key = settings.key + ("" if blink.model_path() is not None else ";blink=off")
        if not settings.photo_model:
            return key  # the model is not run: whether it is installed changes nothing
        # without the CLIP photograph model every face it would check reads photograph=null
        if not self._photo.available():
            return key + ";clip=off"
        # without the condition probes (clip_conditions.json) no eyes/nose-mouth reading fails
        return key + ("" if self._photo.conditions else ";probes=off")

    def clone(self) -> LocalDetector:
        other = LocalDetector(self.settings)
        other._photo = self._photo  # one onnxruntime session for the scan's workers
        return other

    def close(self) -> None:
        for graph in (self._short, self._full, self._mesh):
            if graph is not None:
                try:
                    graph.close()
                except Exception:
                    log.debug("closing a mediapipe graph failed", exc_info=True)
        self._short = self._full = self._mesh = None
        self._blink.close()

    def __enter__(self) -> LocalDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def load(self) -> None:
        """Build the mediapipe graphs now (otherwise on the first image).

        Raises:
            ModelLoadError: mediapipe or its bundled models cannot be loaded.
        """
        if self._mesh is not None:
            return
        try:
            from mediapipe.python.solutions import face_detection, face_mesh

            self._short = face_detection.FaceDetection(
                model_selection=0, min_detection_confidence=self.settings.min_confidence
            )
            self._full = face_detection.FaceDetection(
                model_selection=1, min_detection_confidence=self.settings.min_confidence
            )
            self._mesh = face_mesh.FaceMesh(
                static_image_mode=True, max_num_faces=1, refine_landmarks=True, min_detection_confidence=0.5
            )
        except Exception as exc:
            self.close()
            log.warning("local detector: cannot load the mediapipe models: %s", exc)
            raise ModelLoadError(detect_text("local.models")) from exc

    def detect(self, ref: ImageRef, data: bytes | None) -> DetectionResult:
        """Find faces in ``data`` (the encoded image of ``ref``).

        Raises:
            ImageError: the image cannot be decoded.
            DetectorError: mediapipe failed on this image.
            ModelLoadError: the models cannot be loaded.
        """
        if data is None:
            raise DetectorError(detect_text("local.no_bytes", uri=ref.uri))
        max_side, jpeg_quality = _header(data, self.settings.working_side)
        decoded = decode_image(data, name=ref.uri, max_side=max_side, keep_native=True)
        rgb = rgb_array(decoded.image)
        if not self._busy.acquire(blocking=False):
            raise DetectorError(
                f"{ref.uri}: this LocalDetector is busy in another thread; use clone() per thread"
            )
        try:
            self.load()
            faces = self._faces(rgb, decoded.scale, jpeg_quality, decoded.native_grey, decoded.dct_factor)
        except ModelLoadError:
            raise
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise DetectorError(detect_text("local.failed", uri=ref.uri, error=error)) from exc
        finally:
            self._busy.release()
        return DetectionResult(
            faces=faces,
            width=decoded.full_width,
            height=decoded.full_height,
            raw={
                "detector": "local",
                "settings": self.settings_key,
                "decoded_size": [decoded.image.width, decoded.image.height],
                "faces": len(faces),
            },
            pixels=rgb,
            pixel_scale=decoded.scale,
        )

    # -- pipeline -------------------------------------------------------------

    def _faces(
        self,
        rgb: np.ndarray,
        scale: float,
        jpeg_q: float | None = None,
        native: Image.Image | None = None,
        dct_factor: int | None = None,
    ) -> list[Face]:
        candidates = self._candidates(rgb)
        faces: list[tuple[float, Face]] = []
        for cand in candidates:
            face = self._measure(rgb, cand, scale, jpeg_q, native, dct_factor)
            if face is not None:
                faces.append((cand.x, face))
        faces.sort(key=lambda item: item[0])
        return [f for _, f in faces]

    def _candidates(self, rgb: np.ndarray) -> list[_Candidate]:
        import cv2

        s = self.settings
        h, w = rgb.shape[:2]
        det_scale = min(1.0, s.detect_side / max(h, w))
        if det_scale < 1.0:
            det = cv2.resize(rgb, (round(w * det_scale), round(h * det_scale)), interpolation=cv2.INTER_AREA)
        else:
            det = rgb
        found: list[_Candidate] = []
        reduced: dict[int, np.ndarray] = {}  # both passes' reductions of ``det`` (often one)
        found += _run_detector(self._short, det, 0, 0, 1 / det_scale, "short", _SHORT_INPUT, reduced)
        found += _run_detector(self._full, det, 0, 0, 1 / det_scale, "full", _FULL_INPUT, reduced)
        biggest = max((min(c.w, c.h) * det_scale for c in found), default=0.0)
        portrait = biggest >= s.tile_skip_face * min(det.shape[:2])
        if s.tiles > 1 and min(det.shape[:2]) >= 256 and not portrait:
            for x0, y0, tile in _tiles(det, s.tiles):
                found += _run_detector(self._full, tile, x0, y0, 1 / det_scale, "tile", _FULL_INPUT)
        return _merge(found)

    def _measure(
        self,
        rgb: np.ndarray,
        cand: _Candidate,
        scale: float,
        jpeg_quality: float | None = None,
        native: Image.Image | None = None,
        dct_factor: int | None = None,
    ) -> Face | None:
        s = self.settings
        if cand.score < s.min_confidence:
            return None
        mesh = None
        # The best-scored box first; another pass's box of the same face may frame it better.
        for attempt in [cand, *cand.others[:_MESH_RETRIES]]:
            mesh = self._fit_mesh(rgb, attempt)
            if mesh is not None:
                break
        if mesh is None and cand.score < s.unverified_confidence:
            return None
        box_source = attempt if mesh is not None else cand
        raw: dict[str, Any] = {
            "score": round(cand.score, 4),
            "passes": sorted(cand.sources),
            "mesh": mesh is not None,
        }
        pose = eyes_closed = glasses = mask = sunglasses = None
        named: dict[str, Measure] = {}
        delined = False  # a soft face under drawn lines (covers.py): Crete reads it without them
        if mesh is not None:
            head = measures.head_pose(mesh)
            pose = Pose(pitch=round(head.pitch, 2), yaw=round(head.yaw, 2), roll=round(head.roll, 2))
            _, ear_right, ear_left = measures.eyes_closed(mesh)
            right, left = measures.eye_centres(mesh)
            eye_distance = float(np.linalg.norm(left - right))
            aligned, aligned_pts = measures.align_face(rgb, mesh)
            quality = face_quality(rgb, mesh, yaw=head.yaw, aligned=(aligned, aligned_pts))
            if needs_blink_reading(quality, eye_distance=eye_distance, yaw=head.yaw):
                quality = with_blink(quality, self._blink.read(rgb, mesh))  # a smile's narrowed eye?
            named.update(quality.measures)
            detail = measure_face(
                rgb,
                mesh,
                scale=scale,
                jpeg_quality=jpeg_quality,
                with_pose=False,
                native=native,
                dct_factor=dct_factor,
            )
            named.update(detail_named(detail.verdicts))
            robust = detail.measures.get("sharpness_robust")
            delined = (
                robust is not None and robust.value is not None and robust.value < covers.ROBUST_SHARPNESS_MIN
            )
            # pitch corrected for the mesh's under-reading of heads tipped back or down
            # (yaw is not: on the truth set's tuning part its correction only added
            # false "turned" readings of near-frontal faces)
            pitch = expand_angle(head.pitch, knee=PITCH_KNEE, gain=PITCH_GAIN)
            # ... and for a head tipped back that the mesh reads under the limit: the face
            # detector's ear and nose keypoints are a second reading (pose.tipped_back_cue)
            tipped = tipped_back_cue(cand.keypoints)
            if tipped is not None and head.pitch > 0 and tipped >= TIPPED_BACK_CUE:
                pitch = max(pitch, TIPPED_BACK_PITCH)
            pose = Pose(pitch=round(pitch, 2), yaw=pose.yaw, roll=pose.roll)
            # Closed when EITHER eye is closed (enrollment needs both open); unknown
            # when an eye is not visible, never "open".
            eyes_closed = quality.eyes_closed
            gradients = measures.crop_gradients(aligned)
            masked = measures.mask_measure(
                aligned,
                aligned_pts,
                yaw=head.yaw,
                eye_distance=eye_distance,
                lab=quality.lab,
                gradients=gradients,
            )
            worn = measures.glasses_measure(
                aligned, yaw=head.yaw, eye_distance=eye_distance, masked=masked.verdict, gradients=gradients
            )
            glasses = worn.verdict
            # A frame, but no skin to compare its lenses with (a mask over the cheeks, a
            # shaded face): the frame test's lens check compared them with the mask, so
            # clear and tinted lenses cannot be told apart: unknown, not "glasses".
            lenses_unread = glasses == "glasses" and _no_skin(quality)
            # dimmed eyes are read on sharp, full-resolution faces only (blur flattens bare eyes)
            sharp = all(detail.verdicts.get(k, (None, ""))[0] is False for k in ("blurred", "upscaled"))
            eyes = quality.eyes
            dimmed = sharp and eyes is not None and dimmed_by_lenses(*eyes, masked=bool(quality.mask))
            # veiled eyes too, on well-exposed faces (clipping and darkness flatten bare eyes)
            exposed = all(
                detail.verdicts.get(k, (None, ""))[0] is False for k in ("underexposed", "overexposed")
            )
            dimmed = dimmed or (sharp and exposed and eyes is not None and veiled_by_lenses(*eyes))
            # a lens edge stronger than a bare face's, where no frame line crosses the bridge (a
            # thick frame's lower bar steps as strongly: docs/local-detector-strong-edge.md)
            strong = quality.strong_lens_edge and worn.verdict != "glasses"
            if quality.sunglasses or dimmed or strong:
                glasses = "sunglasses"  # lenses over both eyes, whatever the frame test said
            elif lenses_unread:
                glasses = None
            mask = _either(masked.verdict, quality.mask)
            # Only where the frame test was ambiguous: otherwise ``glasses`` says it.
            if glasses is None and not lenses_unread:
                sunglasses = _either(worn.sunglasses, quality.sunglasses)
            landmarks = tuple((x * scale, y * scale) for x, y in _five_points(mesh))
            x0, y0 = mesh[:, 0].min(), mesh[:, 1].min()
            x1, y1 = mesh[:, 0].max(), mesh[:, 1].max()
            raw.update(
                landmark_kind="mesh-5",
                pose_residual=round(head.residual, 4),
                ear=[round(ear_right, 3), round(ear_left, 3)],
                glasses_measure={
                    "eye_p90": worn.eye_p90,
                    "lens_p90": worn.lens_p90,
                    "bridge_line": worn.bridge_line,
                    "reason": worn.reason,
                },
                mask_measure={
                    "mouth_texture": masked.mouth_texture,
                    "mouth_chroma": masked.mouth_chroma,
                    "skin_chroma": masked.skin_chroma,
                    "reason": masked.reason,
                },
                quality=quality.raw,
                detail=detail.raw(),
                mesh_pose=[round(head.pitch, 2), round(head.yaw, 2)],
                tipped_back=None if tipped is None else round(tipped, 3),
            )
        else:
            landmarks = tuple((x * scale, y * scale) for x, y in cand.keypoints)
            x0, y0, x1, y1 = cand.x, cand.y, cand.x + cand.w, cand.y + cand.h
            raw["landmark_kind"] = "detector-6"
        blur = None
        crop = _crop(rgb, x0, y0, x1, y1)
        if crop is not None:
            face_gray = _gray(crop)
            if delined:
                face_gray = covers.delined(face_gray, measures.BLUR_CROP_SIDE)
            value, crete = measures.blur_score(face_gray)
            blur = Blur(round(value, 2), BLUR_SCALE_LOCAL)
            raw["crete"] = round(crete, 4)
        face = Face(
            box=_clip_box(box_source, rgb.shape[1], rgb.shape[0], scale),
            confidence=round(cand.score, 4),
            landmarks=tuple((round(x, 1), round(y, 1)) for x, y in landmarks),
            pose=pose,
            blur=blur,
            glasses=glasses,
            mask=mask,
            eyes_closed=eyes_closed,
            raw=raw,
            sunglasses=sunglasses,
            measures=MeasureSet(named),
        )
        # the CLIP photograph model, only on a face every other enrollment-strict condition
        # qualifies, and only when the scan's rules use it (LocalSettings.photo_model)
        if mesh is None:
            return face
        return photo_model.with_photo_model(face, rgb, mesh, self._photo, enabled=self.settings.photo_model)

    def _fit_mesh(self, rgb: np.ndarray, cand: _Candidate) -> np.ndarray | None:
        """468 mesh points (working pixels, mediapipe axes) for this face, or None."""
        import cv2

        side = 2.0 * max(cand.w, cand.h)
        cx, cy = cand.x + cand.w / 2, cand.y + cand.h / 2
        x0, y0 = round(cx - side / 2), round(cy - side / 2)
        isz = round(side)
        h, w = rgb.shape[:2]
        crop: np.ndarray | None
        if isz > 0 and x0 >= 0 and y0 >= 0 and x0 + isz <= w and y0 + isz <= h:
            crop = rgb[y0 : y0 + isz, x0 : x0 + isz]  # inside the image: resized from it, no padded copy
        else:
            crop = padded_square(rgb, x0, y0, isz)
        if crop is None:
            return None
        interp = cv2.INTER_AREA if isz > _MESH_INPUT else cv2.INTER_LINEAR
        crop = cv2.resize(crop, (_MESH_INPUT, _MESH_INPUT), interpolation=interp)
        result = graph_outputs(self._mesh, crop)
        if not result.multi_face_landmarks:
            return None
        k = isz / _MESH_INPUT
        # x 256 is exact: the same numbers as multiplying each landmark's float by it
        pts = _landmark_xyz(result.multi_face_landmarks[0]) * _MESH_INPUT * k
        pts[:, 0] += x0
        pts[:, 1] += y0
        mesh_box = _Candidate(
            x=pts[:, 0].min(),
            y=pts[:, 1].min(),
            w=np.ptp(pts[:, 0]),
            h=np.ptp(pts[:, 1]),
            score=0.0,
            keypoints=[],
            source="mesh",
        )
        if mesh_box.iou(cand) < _MESH_MIN_IOU:
            return None  # the mesh found another face in the crop, or a face-like pattern
        return pts


_MESH_INPUT: Final = 256
#: A mesh confirms a detection when its landmarks' bounding box overlaps the
#: detection box by at least this IoU (true faces of the corpus: >= 0.56).
_MESH_MIN_IOU: Final = 0.5
#: Further boxes of the same face tried when the mesh does not confirm the first.
_MESH_RETRIES: Final = 2


def _header(data: bytes, working_side: int) -> tuple[int, float | None]:
    """From the image header (no decoding): the ``max_side`` to decode with and,
    for a JPEG, its estimated IJG quality (from the quantisation tables).

    ``max_side``: for a JPEG, the largest DCT-scaled size (1/1, 1/2, 1/4, 1/8)
    that fits in ``working_side``, so the decoder does all the reduction (a full
    decode plus a resize costs about 5x more)."""
    import io

    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "JPEG":
                return working_side, None
            longest = max(img.size)
            quality = jpeg_quality(getattr(img, "quantization", None)).value
    except Exception:  # noqa: BLE001 - decode_image reports the real error
        return working_side, None
    for factor in (1, 2, 4, 8):
        side = -(-longest // factor)
        if side <= working_side:
            return side, quality
    return working_side, quality


def _no_skin(quality: FaceQuality) -> bool:
    """True when the eyes could not be read for want of a skin reference."""
    return quality.eyes is not None and any(e.reason == REASON_NO_SKIN for e in quality.eyes)


def _either(a: bool | None, b: bool | None) -> bool | None:
    """True when either test found it, False when at least one looked and neither found it."""
    if a or b:
        return True
    if a is None and b is None:
        return None
    return False

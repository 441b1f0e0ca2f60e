"""Provider JSON -> canonical faces, for every shape the product reads.

Five shapes (names in :data:`SHAPES`), each documented by a seed in
``../shared/seeds``:

``oss-faces``
    OSS ``GetObject`` with ``x-oss-process=image/faces``: ``Figures[]``.
``imm``
    IMM 2020-09-30 ``DetectImageFaces``: ``Faces[]`` with the same per-face
    fields as ``Figures[]``. The SDK's ``to_map()`` gives the same PascalCase
    keys; the whole-response form ``{"headers", "statusCode", "body"}`` is
    unwrapped.
``imm-detectface-legacy``
    Legacy OSS ``imm/detectface``: ``Faces[].FaceAttributes.FaceBoundary``,
    upper-case enums (``"NONE"``, ``"MALE"``), ``FaceConfidence``.
``green-1.0``
    Content Moderation 1.0 ``/green/face/detect``: ``faces[].location``,
    ``quality.blur`` on 0-20, the provider's own ``qualified`` flag.
``green-2.0``
    Content Moderation 2.0 ``ImageModeration`` (``faceDetect_global`` /
    ``faceDetect_pro_global``): ``Data.Ext.FaceData[]``, blur and integrity
    on 0-100, image-level ``Data.Result[].Label`` (``face_eyesClosed``).

Rules every normaliser follows:

* The provider's face object is kept, unmodified (a deep copy), in ``Face.raw``.
* ``None`` means *not measured*: an absent attribute, or an enum value this
  module does not know, becomes ``None`` -- never a guess. Unknown enum values
  are listed in ``NormalizedResult.extra["unrecognised"]``.
* Anything that does not have the documented shape (wrong type, missing box,
  non-numeric or non-finite number, value outside its documented range) raises
  :class:`MalformedResultError` naming the field, e.g.
  ``oss-faces result: Figures[0].Boundary.Width is not a number: 'abc'``.
* A provider-reported failure (Moderation ``Code`` != 200, IMM/OSS error
  documents, ``success: false``) raises :class:`ProviderError`, a
  :class:`DetectorError` carrying the code and whether a retry may help.
* Zero faces is a valid, empty result.
"""

from facecurator.domain.normalize.common import SHAPES, NormalizedResult, ProviderError
from facecurator.domain.normalize.loading import MAX_RESULT_BYTES, load_result_file, load_result_text
from facecurator.domain.normalize.shapes import detect_shape, normalize

__all__ = [
    "MAX_RESULT_BYTES",
    "SHAPES",
    "NormalizedResult",
    "ProviderError",
    "detect_shape",
    "load_result_file",
    "load_result_text",
    "normalize",
]

"""PyInstaller hook for mediapipe: ship only the models the local detector runs.

``facecurator.detect.local`` builds three legacy-solution graphs:
``FaceDetection`` (short range and full range) and ``FaceMesh`` with refined
landmarks. Their graphs (``*.binarypb``) and models (``*.tflite``) live in
``mediapipe/modules/face_detection`` and ``mediapipe/modules/face_landmark``;
mediapipe finds them relative to its package directory, which in the bundle is
``_internal/mediapipe``. The hand, pose, holistic, objectron and selfie models
(about 40 MB) are not shipped.
"""

from PyInstaller.utils.hooks import collect_data_files

MODEL_DIRS = ("mediapipe/modules/face_detection", "mediapipe/modules/face_landmark")

datas = [
    (source, dest)
    for source, dest in collect_data_files("mediapipe", include_py_files=False)
    if dest.replace("\\", "/") in MODEL_DIRS and source.endswith((".tflite", ".binarypb"))
]
if len(datas) < 4:  # a mediapipe upgrade moved the models: fail the build, not the first scan
    raise SystemExit(f"hook-mediapipe: expected the face models in {MODEL_DIRS}, found {datas}")

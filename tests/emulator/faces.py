"""Faces derived from an object's content: the seed response shapes of IMM and
Moderation 2.0 and the deterministic generator (same bytes, same faces)."""

from __future__ import annotations

import hashlib
import io
import json
import random
import uuid
from typing import Any

from emulator.model import StoredObject

# --- seed response shapes (copied from ../shared/seeds so tests run without it; held to the
# seeds by tests/test_emulator_seeds.py when ../shared is present) ------------------------

#: One face of IMM DetectImageFaces (seeds: imm-detect-image-faces); OSS image/faces
#: returns the same objects under "Figures" (seeds: oss-image-faces).
SEED_IMM_FACE: dict[str, Any] = {
    "Beard": "none",
    "MaskConfidence": 0.724,
    "Gender": "male",
    "Boundary": {"Left": 138, "Top": 102, "Height": 19, "Width": 17},
    "BeardConfidence": 0.801,
    "FigureId": "b6525b63-cb12-4fab-a9f4-9c7de08b80c3",
    "Mouth": "close",
    "Emotion": "none",
    "Age": 36,
    "MouthConfidence": 0.984,
    "FigureType": "face",
    "GenderConfidence": 0.999,
    "HeadPose": {"Pitch": -9.386, "Roll": -3.478, "Yaw": 14.624},
    "Mask": "none",
    "EmotionConfidence": 0.998,
    "HatConfidence": 0.794,
    "GlassesConfidence": 0.999,
    "Sharpness": 0.025,
    "FigureClusterId": "figure-cluster-id-unavailable",
    "FaceQuality": 0.3,
    "Attractive": 0.002,
    "AgeSD": 8,
    "Glasses": "none",
    "FigureConfidence": 0.998,
    "Hat": "none",
}

#: One FaceData of Moderation 2.0 faceDetect_global (seeds: green-2.0-facedetect-global).
SEED_GREEN_FACE: dict[str, Any] = {
    "Age": 24,
    "Bang": {"Confidence": 100.0, "Value": "None"},
    "Gender": {"Confidence": 95.72, "Value": "Male"},
    "Glasses": "None",
    "Hairstyle": {"Confidence": 98.23, "Value": "Short"},
    "Hat": {"Confidence": 99.99, "Value": "None"},
    "Location": {"H": 98, "W": 98, "X": 550, "Y": 251},
    "Mask": {"Confidence": 99.99, "Value": "None"},
    "Mustache": {"Confidence": 99.58, "Value": "None"},
    "Quality": {"Blur": 13.72, "Integrity": 100.0, "Pitch": 5.84, "Roll": 3.66, "Yaw": 21.22},
    "Smile": 82.49,
}

GREEN_RESULT_NONE: dict[str, Any] = {
    "Confidence": None,
    "Description": "No risk detected",
    "Label": "nonLabel",
}
GREEN_RESULT_EYES_CLOSED: dict[str, Any] = {
    "Label": "face_eyesClosed",
    "Description": "The person in the image has closed eyes",
    "Confidence": 91.0,
}

#: Default image size when an object is not an image Pillow can size (the services
#: answer "cannot decode" for those; this is only used for ``expected_faces``).
DEFAULT_SIZE = (640, 480)


def _image_size(data: bytes) -> tuple[int, int] | None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.size
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _face_seed(obj: StoredObject) -> int:
    return int(hashlib.sha256(obj.data).hexdigest()[:12], 16)


def _faces_for(obj: StoredObject, key: str, size: tuple[int, int], shape: str) -> list[dict[str, Any]]:
    if "noface" in key:
        return []
    rng = random.Random(_face_seed(obj))
    width, height = size
    count = 1 + rng.randrange(3)
    faces = []
    for i in range(count):
        side = max(8, int(min(width, height) * rng.uniform(0.12, 0.3)))
        left = rng.randrange(0, max(1, width - side))
        top = rng.randrange(0, max(1, height - side))
        pitch, yaw, roll = (round(rng.uniform(-40, 40), 3) for _ in range(3))
        age = rng.randrange(6, 70)
        male = rng.random() < 0.5
        if shape == "imm":
            face = json.loads(json.dumps(SEED_IMM_FACE))
            face.update(
                {
                    "Boundary": {"Left": left, "Top": top, "Width": side, "Height": side},
                    "HeadPose": {"Pitch": pitch, "Yaw": yaw, "Roll": roll},
                    "Age": age,
                    "Gender": "male" if male else "female",
                    "FigureId": str(uuid.UUID(int=rng.getrandbits(128))),
                    "FigureConfidence": round(rng.uniform(0.8, 1.0), 3),
                    "Sharpness": round(rng.uniform(0.0, 1.0), 3),
                    "FaceQuality": round(rng.uniform(0.0, 1.0), 3),
                    "Mask": "mask" if i == 1 else "none",
                    "Glasses": ("none", "glasses", "sunglasses")[rng.randrange(3)],
                }
            )
        else:
            face = json.loads(json.dumps(SEED_GREEN_FACE))
            face.update(
                {
                    "Location": {"X": left, "Y": top, "W": side, "H": side},
                    "Quality": {
                        "Blur": round(rng.uniform(0, 60), 2),
                        "Integrity": round(rng.uniform(60, 100), 1),
                        "Pitch": pitch,
                        "Yaw": yaw,
                        "Roll": roll,
                    },
                    "Age": age,
                    "Gender": {"Confidence": 95.0, "Value": "Male" if male else "Female"},
                    "Glasses": ("None", "Common", "Sunglass")[rng.randrange(3)],
                    "Mask": {"Confidence": 99.0, "Value": "Wear" if i == 1 else "None"},
                }
            )
        faces.append(face)
    return faces


def _eyes_closed(obj: StoredObject) -> bool:
    return _face_seed(obj) % 2 == 1

"""Face quality measures in the spirit of ISO/IEC 29794-5 / OFIQ, as pure
numpy + OpenCV functions (no model, nothing downloaded).

Every measure takes the detector's *working* RGB image (``uint8``, H x W x 3)
and the face mesh's points in that image's pixels (``(N >= 468, 3)``, x right,
y down, z away from the camera, mediapipe's convention) and returns a
:class:`~facecurator.detect.quality.base.Measure`: a float ``value``, or
``None`` with a ``reason`` when the measure cannot be taken. Thresholds are
module constants; their calibration data is in ``docs/measures-detail.md``.

Modules:
    detail    sharpness, compression (JPEG blocking), effective resolution
    exposure  under/over-exposure, dynamic range, illumination uniformity
    photo     photograph vs drawing / render, natural colour
    pose      pitch and yaw that do not under-read extreme poses
"""

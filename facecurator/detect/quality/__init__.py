"""Face quality measures of the local detector, in the spirit of ISO/IEC 29794-5 / OFIQ,
as pure numpy + OpenCV functions (no model, nothing downloaded).

Every measure takes the detector's *working* RGB image (``uint8``, H x W x 3)
and the face mesh's points in that image's pixels (``(N >= 468, 3)``, x right,
y down, z away from the camera, mediapipe's convention). Thresholds are module
constants; their calibration data is in ``docs/local-detector.md`` and
``docs/measures-detail.md``.

Modules:
    regions    the eye-aligned crop, its CIELAB planes, mesh regions, the skin reference
    eyes       eye visibility and openness per eye, sunglasses
    lens       tinted lenses from their colour (one filter colour over both eye areas),
               a lens's lower edge
    lens_cast  brown and amber lenses from the blue they take out of the eye's white
    occlusion  nose / mouth / face visibility, masks
    summary    all of the above for one face (``face_quality``)
    detail     sharpness, compression (JPEG blocking), effective resolution
    exposure   under/over-exposure, dynamic range, illumination uniformity
    photo      photograph vs drawing / render, natural colour
    strokes    a pencil drawing's stroke texture over the skin
    pose       pitch and yaw that do not under-read extreme poses
    face       detail, exposure, photo and pose for one face (``measure_face``)
"""

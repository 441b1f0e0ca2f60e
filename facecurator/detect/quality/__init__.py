"""Face quality measures of the local detector (ISO/IEC 29794-5 / OFIQ-style components).

Pure functions of the working RGB image and the face mesh (numpy / OpenCV, no
model). Each module documents its measure; calibration data and limits are in
``docs/local-detector.md``.
"""

"""Detectors by name: the contract's table, one factory.

| name        | what it calls                                       | source kinds |
|-------------|-----------------------------------------------------|--------------|
| local       | offline detector on this machine                    | local, oss   |
| oss-faces   | OSS GetObject with x-oss-process=image/faces        | oss          |
| imm         | IMM DetectImageFaces (ProjectName + SourceURI)      | oss          |
| green       | Moderation 2.0 ImageModeration, faceDetect_global   | local, oss   |
| green-pro   | the same with faceDetect_pro_global (eyes closed)   | local, oss   |

``green-pro`` is ``green`` with ``pro=True``; its detector ``name`` is ``green``
(the contract's name) and its ``settings_key`` tells the editions apart.
"""

from __future__ import annotations

from typing import Any, Final

from facecurator.domain.protocols import Detector
from facecurator.errors import ConfigError

DEFAULT_DETECTOR: Final = "local"
DETECTOR_NAMES: Final = ("local", "oss-faces", "imm", "green", "green-pro")
CLOUD_DETECTORS: Final = frozenset({"oss-faces", "imm", "green", "green-pro"})

_SOURCE_KINDS: Final[dict[str, frozenset[str]]] = {
    "local": frozenset({"local", "oss"}),
    "oss-faces": frozenset({"oss"}),
    "imm": frozenset({"oss"}),
    "green": frozenset({"local", "oss"}),
    "green-pro": frozenset({"local", "oss"}),
}

#: For ``facecurator scan --help`` and the GUI's detector menu.
DESCRIPTIONS: Final[dict[str, str]] = {
    "local": "offline detector on this machine (no network, no account)",
    "oss-faces": "OSS image/faces (Alibaba Cloud, paid; OSS sources only)",
    "imm": "IMM DetectImageFaces (Alibaba Cloud, paid; OSS sources only; needs an IMM project)",
    "green": "Content Moderation 2.0 faceDetect_global (Alibaba Cloud, $0.6/1000)",
    "green-pro": "Content Moderation 2.0 faceDetect_pro_global, with eyes closed (Alibaba Cloud, $1.2/1000)",
}


def _check_name(name: str) -> None:
    if name not in DETECTOR_NAMES:
        raise ConfigError(f"unknown detector {name!r}; choose one of: {', '.join(DETECTOR_NAMES)}")


def is_cloud(name: str) -> bool:
    """True for detectors that send images (or their names) to Alibaba Cloud and may cost money."""
    _check_name(name)
    return name in CLOUD_DETECTORS


def detector_supports(name: str, source_kind: str) -> bool:
    """Whether detector ``name`` can work on a ``local`` or ``oss`` source."""
    _check_name(name)
    return source_kind in _SOURCE_KINDS[name]


def check_supported(name: str, source_kind: str) -> None:
    """Raise a clear ConfigError when ``name`` cannot detect on this kind of source."""
    if not detector_supports(name, source_kind):
        kinds = " and ".join(sorted(_SOURCE_KINDS[name]))
        where = "a local folder" if source_kind == "local" else f"an {source_kind} source"
        raise ConfigError(
            f"the {name} detector cannot work on {where}: it reads images from OSS only "
            f"(supported sources: {kinds}); use --detector local or green, or scan an oss:// source"
        )


def make_detector(
    name: str, *, profile: Any = None, source_kind: str | None = None, rules: Any = None, **settings: Any
) -> Detector:
    """A new detector by its contract name.

    Args:
        name: one of :data:`DETECTOR_NAMES`.
        profile: cloud detectors: a Profile, a profile name or None (the default profile).
        source_kind: when given (``local``/``oss``), refuse a detector that cannot
            work on that kind of source.
        rules: the RuleSet the scan serves: the local detector runs the CLIP photograph
            model only when they use a measure it feeds (None: it runs, as local-v45 did).
        settings: passed to the detector (e.g. ``timeouts=``, ``retry=``,
            ``credentials=``, ``project=`` for imm; the local detector's settings).

    Raises:
        ConfigError: unknown name, unsupported source kind, missing credentials
            or IMM project.
    """
    _check_name(name)
    if source_kind is not None:
        check_supported(name, source_kind)
    if name == "local":
        from facecurator.detect.local import LocalDetector
        from facecurator.detect.quality.clip_reasons import rules_need_model

        if rules is not None:
            settings.setdefault("photo_model", rules_need_model(rules.conditions))
        return LocalDetector(**settings)
    from facecurator.detect import cloud

    if name == "oss-faces":
        return cloud.OssFacesDetector(profile, **settings)
    if name == "imm":
        return cloud.ImmDetector(profile, **settings)
    pro = bool(settings.pop("pro", False)) or name == "green-pro"
    return cloud.GreenDetector(profile, pro=pro, **settings)

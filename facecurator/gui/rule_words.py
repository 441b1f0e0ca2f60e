"""The words of the rules in the user's language: condition labels, parameters, choices, reasons.

The Qt-free core (:mod:`facecurator.domain.rules`) names things in English; its
words are listed here so lupdate extracts them (context ``Rules``) and shown
through :func:`term`. Condition reasons come from the core as
``ConditionResult.message_id`` + ``params``; :func:`translate_reason` renders them
with this module's templates (Simplified Chinese), else keeps the English reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from PySide6.QtCore import QCoreApplication

from facecurator.detect.quality import clip_reasons
from facecurator.domain.rules import ConditionResult, render_message
from facecurator.gui.i18n import CHINESE, QT_TRANSLATE_NOOP, current_language

# Words of the Qt-free core (condition labels, parameter names, axes, outcomes)
# listed here so lupdate extracts them; show them through :func:`term`.
_TERMS: Final = (
    # condition labels (facecurator.domain.rules, Condition.label)
    QT_TRANSLATE_NOOP("Rules", "Blur below a limit"),
    QT_TRANSLATE_NOOP("Rules", "Head angle within a limit"),
    QT_TRANSLATE_NOOP("Rules", "No sunglasses"),
    QT_TRANSLATE_NOOP("Rules", "No glasses"),
    QT_TRANSLATE_NOOP("Rules", "No mask"),
    QT_TRANSLATE_NOOP("Rules", "No hat"),
    QT_TRANSLATE_NOOP("Rules", "Eyes open"),
    QT_TRANSLATE_NOOP("Rules", "Exact number of faces in the image"),
    QT_TRANSLATE_NOOP("Rules", "Minimum face size"),
    QT_TRANSLATE_NOOP("Rules", "Minimum detection confidence"),
    QT_TRANSLATE_NOOP("Rules", "Minimum face quality (IMM)"),
    QT_TRANSLATE_NOOP("Rules", "Minimum sharpness (IMM)"),
    QT_TRANSLATE_NOOP("Rules", "Minimum face integrity (Moderation 2.0)"),
    QT_TRANSLATE_NOOP("Rules", "Age range"),
    QT_TRANSLATE_NOOP("Rules", "Same person as the folder"),
    QT_TRANSLATE_NOOP("Rules", "The folder's person in a group photo"),
    QT_TRANSLATE_NOOP("Rules", "No near-identical photo"),
    QT_TRANSLATE_NOOP("Rules", "Quality measure at least a limit"),
    # built-in preset descriptions (resources/presets/*.toml)
    QT_TRANSLATE_NOOP(
        "Rules",
        "Content Moderation 1.0 'qualified': blur < 5 (0–20), |pitch|, |yaw|, |roll| ≤ 30°, no sunglasses.",
    ),
    QT_TRANSLATE_NOOP(
        "Rules",
        "Content Moderation 2.0 recommended ranges: blur < 25 (0–100), |pitch|, |yaw|, |roll| ≤ 30°, "
        "no sunglasses.",
    ),
    QT_TRANSLATE_NOOP(
        "Rules",
        "moderation-2.0 plus: exactly one face in the image, face ≥ 112 px (short side), no mask, eyes open, "
        "integrity ≥ 80 where measured, eyes visible, both eyes open, nose and mouth visible, sharp, "
        "no compression artefacts, full resolution, not under- or over-exposed, a photograph.",
    ),
    QT_TRANSLATE_NOOP(
        "Rules", "enrollment-strict plus the remaining ISO/IEC 29794-5 style components: face visible."
    ),
    # parameter help (ParamSpec.help)
    QT_TRANSLATE_NOOP("Rules", "blur must be below this value (on the rule's scale)"),
    QT_TRANSLATE_NOOP("Rules", "the scale the limit is on"),
    QT_TRANSLATE_NOOP("Rules", "convert a blur on another scale (else it is unknown)"),
    QT_TRANSLATE_NOOP("Rules", "which angle"),
    QT_TRANSLATE_NOOP("Rules", "largest allowed angle either way"),
    QT_TRANSLATE_NOOP("Rules", "how many faces the image must hold"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed short side of the face box"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed detection confidence (0–1)"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed IMM FaceQuality (0–1)"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed IMM Sharpness (0–1, higher = sharper)"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed Integrity (0–100, higher = more complete)"),
    QT_TRANSLATE_NOOP("Rules", "when false, a face without an integrity measure passes"),
    QT_TRANSLATE_NOOP("Rules", "youngest allowed age"),
    QT_TRANSLATE_NOOP("Rules", "oldest allowed age"),
    QT_TRANSLATE_NOOP(
        "Rules", "largest descriptor distance from the folder's identity (dlib scale; 0.6 = same person)"
    ),
    QT_TRANSLATE_NOOP("Rules", "which quality measure"),
    QT_TRANSLATE_NOOP("Rules", "smallest allowed score (0–1; 0.5 = the calibrated boundary)"),
    # units, axes, outcomes
    QT_TRANSLATE_NOOP("Rules", "years"),
    QT_TRANSLATE_NOOP("Rules", "pitch"),
    QT_TRANSLATE_NOOP("Rules", "yaw"),
    QT_TRANSLATE_NOOP("Rules", "roll"),
    QT_TRANSLATE_NOOP("Rules", "pass"),
    QT_TRANSLATE_NOOP("Rules", "fail"),
    QT_TRANSLATE_NOOP("Rules", "unknown"),
)

# Parameter names (ParamSpec.name) -> their label in the rules editor.
PARAM_LABELS: Final[Mapping[str, str]] = {
    "max": QT_TRANSLATE_NOOP("Rules", "Maximum"),
    "min": QT_TRANSLATE_NOOP("Rules", "Minimum"),
    "scale": QT_TRANSLATE_NOOP("Rules", "Scale"),
    "convert": QT_TRANSLATE_NOOP("Rules", "Convert other scales"),
    "axis": QT_TRANSLATE_NOOP("Rules", "Angle"),
    "max_degrees": QT_TRANSLATE_NOOP("Rules", "Largest angle"),
    "count": QT_TRANSLATE_NOOP("Rules", "Number of faces"),
    "min_px": QT_TRANSLATE_NOOP("Rules", "Smallest short side"),
    "required": QT_TRANSLATE_NOOP("Rules", "Must be measured"),
    "max_distance": QT_TRANSLATE_NOOP("Rules", "Largest distance"),
    "measure": QT_TRANSLATE_NOOP("Rules", "Measure"),
}
# Choice values shown by a label (the ``measure`` condition's measure names,
# facecurator.domain.measures.ALL_MEASURES[name].label).
CHOICE_LABELS: Final[Mapping[str, str]] = {
    "eyes_visible": QT_TRANSLATE_NOOP("Rules", "Eyes visible"),
    "eyes_open": QT_TRANSLATE_NOOP("Rules", "Both eyes open"),
    "nose_mouth_visible": QT_TRANSLATE_NOOP("Rules", "Nose and mouth visible"),
    "face_visible": QT_TRANSLATE_NOOP("Rules", "Face visible"),
    "sharp": QT_TRANSLATE_NOOP("Rules", "Sharp"),
    "no_compression_artefacts": QT_TRANSLATE_NOOP("Rules", "No compression artefacts"),
    "full_resolution": QT_TRANSLATE_NOOP("Rules", "Full resolution"),
    "not_underexposed": QT_TRANSLATE_NOOP("Rules", "Not underexposed"),
    "not_overexposed": QT_TRANSLATE_NOOP("Rules", "Not overexposed"),
    "photograph": QT_TRANSLATE_NOOP("Rules", "A photograph"),
    "eye_visible_right": QT_TRANSLATE_NOOP("Rules", "Right eye visible"),
    "eye_visible_left": QT_TRANSLATE_NOOP("Rules", "Left eye visible"),
    "eye_open_right": QT_TRANSLATE_NOOP("Rules", "Right eye open"),
    "eye_open_left": QT_TRANSLATE_NOOP("Rules", "Left eye open"),
    "nose_visible": QT_TRANSLATE_NOOP("Rules", "Nose visible"),
    "mouth_visible": QT_TRANSLATE_NOOP("Rules", "Mouth visible"),
    "photograph_model": QT_TRANSLATE_NOOP("Rules", "A photograph (CLIP model)"),
}
TERMS: Final = frozenset(_TERMS) | frozenset(PARAM_LABELS.values()) | frozenset(CHOICE_LABELS.values())


def choice_label(value: str) -> str:
    """A choice parameter's value as the rules editor shows it, in the current language."""
    return term(CHOICE_LABELS.get(value, value))


def term(text: str) -> str:
    """A core word (condition label, parameter help, axis, outcome…) in the current language."""
    return QCoreApplication.translate("Rules", text)


def param_label(name: str) -> str:
    """The rules editor's label for the condition parameter ``name`` (the name itself if unknown)."""
    return term(PARAM_LABELS.get(name, name))


# --------------------------------------------------------------------------- reasons

# Simplified Chinese templates for every ``facecurator.domain.rules.MESSAGES`` id.
ZH_CN_REASONS: Final[Mapping[str, str]] = {
    "blur.pass": "模糊度 {value} < {max}（{scale}）",
    "blur.fail": "模糊度 {value} ≥ {max}（{scale}）",
    "blur.pass_converted": "模糊度 {value}（{from_scale}，折合 {scale} 为 {converted}）< {max}",
    "blur.fail_converted": "模糊度 {value}（{from_scale}，折合 {scale} 为 {converted}）≥ {max}",
    "blur.not_measured": "未测量模糊度",
    "blur.foreign_scale": "模糊度为 {from_scale} 刻度，规则要求 {scale}",
    "blur.unknown_scale": "模糊度刻度未知：“{from_scale}”",
    "pose.pass": "{axis} {value}° ≤ {max}°",
    "pose.pass_negative": "{axis} {value}° ≥ -{max}°",
    "pose.fail": "{axis} {value}° > {max}°",
    "pose.fail_negative": "{axis} {value}° < -{max}°",
    "pose.not_measured": "未测量{axis}",
    "no_sunglasses.pass": "未戴墨镜",
    "no_sunglasses.pass_glasses": "戴普通眼镜，非墨镜",
    "no_sunglasses.fail": "戴墨镜",
    "no_sunglasses.not_measured": "未检测是否戴眼镜",
    "no_glasses.pass": "未戴眼镜",
    "no_glasses.fail": "戴眼镜",
    "no_glasses.fail_sunglasses": "戴墨镜",
    "no_glasses.not_measured": "未检测是否戴眼镜",
    "no_mask.pass": "未戴口罩",
    "no_mask.fail": "戴口罩",
    "no_mask.not_measured": "未检测是否戴口罩",
    "no_hat.pass": "未戴帽子",
    "no_hat.fail": "戴帽子",
    "no_hat.not_measured": "未检测是否戴帽子",
    "eyes_open.pass": "睁眼",
    "eyes_open.fail": "闭眼",
    "eyes_open.not_measured": "未检测睁闭眼",
    "face_count.pass_one": "图中有 1 张人脸",
    "face_count.pass": "图中有 {count} 张人脸",
    "face_count.fail_one": "图中有 1 张人脸，要求恰好 {need} 张",
    "face_count.fail": "图中有 {count} 张人脸，要求恰好 {need} 张",
    "face_count.not_measured": "图中人脸数未知",
    "min_face_size.pass": "人脸 {px} 像素 ≥ {min} 像素",
    "min_face_size.fail": "人脸 {px} 像素 < {min} 像素",
    "min_confidence.pass": "置信度 {score} ≥ {min}",
    "min_confidence.fail": "置信度 {score} < {min}",
    "min_confidence.not_measured": "未测量置信度",
    "min_quality.pass": "质量 {score} ≥ {min}",
    "min_quality.fail": "质量 {score} < {min}",
    "min_quality.not_measured": "未测量质量",
    "min_sharpness.pass": "清晰度 {score} ≥ {min}",
    "min_sharpness.fail": "清晰度 {score} < {min}",
    "min_sharpness.not_measured": "未测量清晰度",
    "min_integrity.pass": "完整度 {value} ≥ {min}",
    "min_integrity.fail": "完整度 {value} < {min}",
    "min_integrity.not_measured": "未测量完整度",
    "age_range.pass": "年龄 {age} 在 {min}–{max} 之间",
    "age_range.pass_min": "年龄 {age} ≥ {min}",
    "age_range.pass_max": "年龄 {age} ≤ {max}",
    "age_range.fail_min": "年龄 {age} < {min}",
    "age_range.fail_max": "年龄 {age} > {max}",
    "age_range.not_measured": "未估计年龄",
    "identity.not_measured": "未计算身份特征（无人脸特征向量）",
    "identity_consistent.pass": "与 {person} 的距离 {distance} ≤ {max}",
    "identity_consistent.fail": "与 {person} 的距离 {distance} > {max}；最像 {nearest}（{nearest_distance}）",
    "identity_consistent.fail_alone": "与 {person} 的距离 {distance} > {max}",
    "identity_consistent.no_majority": "{person} 的照片无法确定是同一个人",
    "enrolled_face.pass": "此照片中 {person} 的人脸",
    "enrolled_face.pass_single": "照片中唯一的人脸",
    "enrolled_face.fail": "不是此人：不是此照片中 {person} 的人脸",
    "no_duplicate.pass": "无近似重复照片",
    "no_duplicate.fail": "与 {kept} 近似重复（保留该张）",
    "measure.pass": "{what} {score} ≥ {min}",
    "measure.fail": "{what} {score} < {min}",
    "measure.fail_why": "{what}（{why}）{score} < {min}",
    "measure.not_measured": "未测量：{what}",
    "measure.not_measured_why": "未测量：{what}（{why}）",
    "measure.pass_flag": "{what}",
    "measure.fail_flag": "{what}",
    "measure.fail_flag_why": "{what}（{why}）",
}

# The named measures' words (facecurator.domain.measures) and the local detector's short reasons.
_ZH_CN_MEASURE_WORDS: Final[Mapping[str, str]] = {
    "eyes visible": "双眼可见",
    "eyes not visible": "眼睛不可见",
    "eyes open": "双眼睁开",
    "eye closed": "有眼睛闭合",
    "nose and mouth visible": "口鼻可见",
    "nose or mouth covered": "口鼻被遮挡",
    "face visible": "面部可见",
    "face partly covered": "面部部分被遮挡",
    "right eye visible": "右眼可见",
    "right eye not visible": "右眼不可见",
    "left eye visible": "左眼可见",
    "left eye not visible": "左眼不可见",
    "right eye open": "右眼睁开",
    "right eye closed": "右眼闭合",
    "left eye open": "左眼睁开",
    "left eye closed": "左眼闭合",
    "nose visible": "鼻子可见",
    "nose covered": "鼻子被遮挡",
    "mouth visible": "嘴部可见",
    "mouth covered": "嘴部被遮挡",
    "sharp": "清晰",
    "blurred": "模糊",
    "no compression artefacts": "无压缩失真",
    "compression artefacts": "有压缩失真",
    "full resolution": "分辨率充足",
    "low effective resolution": "有效分辨率低",
    "not underexposed": "未欠曝",
    "underexposed": "欠曝",
    "not overexposed": "未过曝",
    "overexposed": "过曝",
    "a photograph": "真实照片",
    "not a photograph": "非真实照片",
    "a photograph to the CLIP model": "CLIP 模型判定为真实照片",
    "not a photograph to the CLIP model": "CLIP 模型判定为非真实照片",
}
_ZH_CN_MEASURE_REASONS: Final[Mapping[str, str]] = {
    "covered?": "被遮挡？",
    "sunglasses?": "墨镜？",
    "tinted lenses?": "有色镜片？",
    "hair, lenses or shadow?": "头发、镜片或阴影？",
    "hair or an object over the eye?": "眼睛被头发或物体遮挡？",
    "hair over the eye (fringe or strands)?": "头发（刘海或发丝）遮住眼睛？",
    "face too small": "人脸太小",
    "face turned away": "人脸侧转过大",
    "no skin visible for reference": "无可参照的皮肤区域",
    "lids closed": "眼睑闭合",
    "no iris visible": "看不到虹膜",
    "mask?": "口罩？",
    "beard?": "胡须？",
    "not measured": "未测量",
    "little detail (out of focus or enlarged)": "细节不足（失焦或放大）",
    "JPEG blocking or low JPEG quality": "JPEG 块效应或 JPEG 质量过低",
    "pixelated or enlarged from a small image": "像素化或由小图放大",
    "face too dark": "人脸过暗",
    "face clipped white": "人脸过曝发白",
    "face washed out (no dark tones)": "人脸曝光过度发灰（没有暗部）",
    "flat colour fills, pencil strokes or unnatural colour (drawing, render?)": (
        "大片平涂色、铅笔笔触或颜色不自然（绘画、渲染？）"
    ),
    "texture hidden by compression or exposure": "纹理被压缩或曝光问题掩盖",
    # the CLIP photograph model (facecurator.detect.quality.photo_model; {file}: its model file)
    **{
        english.format(file=clip_reasons.model_file_label()): chinese.format(
            file=clip_reasons.model_file_label()
        )
        for english, chinese in (
            (clip_reasons.REASON_MODEL, "CLIP 照片模型判定为绘画、渲染图或油画"),
            (clip_reasons.REASON_MISSING, "未安装 CLIP 照片模型（{file}）"),
            (clip_reasons.REASON_NOT_PINNED, "CLIP 照片模型文件不是校准时所用的文件（{file}）"),
            (clip_reasons.REASON_FAILED, "CLIP 照片模型运行失败（{file}）"),
            (
                clip_reasons.REASON_NOT_CHECKED,
                "未经 CLIP 照片模型检查：该人脸未通过 enrollment-strict 的其他条件",
            ),
            (clip_reasons.REASON_HAND_MADE, "未经 CLIP 照片模型检查：手工特征已判定为非真实照片"),
            (clip_reasons.REASON_NOT_PHOTO_SHORT, "绘画、渲染图或油画？"),
            (clip_reasons.REASON_NO_FACE, "人脸在图像之外"),
            (
                clip_reasons.REASON_NO_MODEL,
                "未检查：扫描时未使用照片模型；请在使用该模型的规则下重新扫描",
            ),
        )
    },
    # the condition probes on the same embedding (quality.clip_conditions: eyes, nose and mouth)
    clip_reasons.REASON_COVERED: "CLIP 模型判定为被遮挡",
}
_ZH_CN_PARTS: Final[Mapping[str, str]] = {
    "right eye": "右眼",
    "left eye": "左眼",
    "nose": "鼻子",
    "mouth": "嘴部",
}
ZH_CN_MEASURE_WORDS: Final[Mapping[str, str]] = {
    **_ZH_CN_MEASURE_WORDS,
    **_ZH_CN_MEASURE_REASONS,
    # composed reasons of the combined measures: "right eye: sunglasses?"
    **{
        f"{part}: {reason}": f"{zh_part}：{zh_reason}"
        for part, zh_part in _ZH_CN_PARTS.items()
        for reason, zh_reason in _ZH_CN_MEASURE_REASONS.items()
    },
}

# Values of text params that read as words in Chinese (the pose axis).
ZH_CN_PARAM_WORDS: Final[Mapping[str, str]] = {
    "pitch": "俯仰角",
    "yaw": "偏航角",
    "roll": "翻滚角",
    **ZH_CN_MEASURE_WORDS,
}

_REASON_TEMPLATES: Final[Mapping[str, tuple[Mapping[str, str], Mapping[str, str]]]] = {
    CHINESE: (ZH_CN_REASONS, ZH_CN_PARAM_WORDS),
}


def translate_reason(result: ConditionResult, language: str | None = None) -> str:
    """``result``'s reason in ``language`` (default: the installed one), else its English ``reason``."""
    language = language or current_language()
    templates = _REASON_TEMPLATES.get(language)
    if templates is None or not result.message_id:
        return result.reason
    messages, words = templates
    if result.message_id not in messages:
        return result.reason
    params = {
        key: words.get(value, value) if isinstance(value, str) else value
        for key, value in result.params.items()
    }
    try:
        return render_message(result.message_id, params, messages)
    except KeyError:  # a message id the core added after this table
        return result.reason

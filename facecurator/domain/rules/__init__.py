"""Qualified rules: named lists of conditions that decide whether a face is *qualified*.

A :class:`RuleSet` is a name, an ordered tuple of conditions and an ``unknown``
policy. Each condition looks at one canonical :class:`~facecurator.domain.face.Face`
(and, for ``face_count``, the :class:`ImageContext` of its image) and gives
``pass``, ``fail`` or ``unknown`` with a human reason ("yaw 41.2° > 30°"). A
face is qualified when no condition fails and, under the default ``unknown =
"fail"`` policy, none is unknown (unmeasured is not qualified); with ``unknown =
"pass"`` unknowns are ignored. ``None`` in a face means *not measured*, so it
gives ``unknown`` — never ``pass`` — except for ``min_integrity`` with
``required = false`` ("integrity ≥ 80 where measured").

Blur scales
-----------
A blur threshold is on one scale (``"0-20"`` Moderation 1.0, ``"0-100"``
Moderation 2.0, ``"local-0-100"`` the local detector, calibrated so that its 25
matches the Moderation 2.0 recommended limit). A face whose blur is on another
scale is converted with this mapping (``BLUR_SCALE_MAPPING``) when the
condition has ``convert = true`` (the default), and is ``unknown`` otherwise:

=================  =================  ===========================================
from               to                 mapping
=================  =================  ===========================================
``0-20``           ``0-100``          × 5 (5 on 0–20 ↔ 25 on 0–100: both vendors'
                                      recommended limits)
``0-20``           ``local-0-100``    × 5
``0-100``          ``0-20``           ÷ 5
``local-0-100``    ``0-20``           ÷ 5
``local-0-100``    ``0-100``          identity (the local scale's calibration)
``0-100``          ``local-0-100``    identity
=================  =================  ===========================================

A blur on a scale that is not in the table is always ``unknown``.

Reasons and translation
-----------------------
Every :class:`ConditionResult` carries an English ``reason`` and, for front
ends that show another language, a ``message_id`` and raw ``params``:
``render_message(result.message_id, result.params, templates)`` renders a
translated template (``MESSAGES`` holds the English ones) with the same number
formatting as the English reason. Measured numbers get one decimal (0–1 scores
two), limits are shown compactly ("30", "0.95"), and a measurement that would
round onto its limit gets more decimals ("yaw 30.01° > 30°", never
"30.0° > 30°").

TOML
----
Presets are TOML::

    schema_version = 1
    name = "moderation-2.0"
    description = "..."
    unknown = "fail"            # or "pass"

    [[conditions]]
    kind = "blur"               # + the kind's parameters, + optional id
    max = 25
    scale = "0-100"

Built-in presets live in ``resources/presets/`` (read through
:func:`facecurator.paths.resource_path`), user presets in
``<config dir>/presets/<name>.toml``.
"""

from facecurator.domain.rules.conditions import (
    BLUR_SCALE_MAPPING,
    Condition,
    ParamSpec,
    convert_blur,
)
from facecurator.domain.rules.identity import EnrolledFace, IdentityConsistent, NoDuplicate
from facecurator.domain.rules.kinds import (
    AgeRange,
    BlurCondition,
    EyesOpen,
    FaceCount,
    MinConfidence,
    MinFaceSize,
    MinIntegrity,
    MinQuality,
    MinSharpness,
    NoGlasses,
    NoHat,
    NoMask,
    NoSunglasses,
    PoseCondition,
)
from facecurator.domain.rules.measures import MeasureCondition
from facecurator.domain.rules.messages import (
    FAIL,
    MESSAGES,
    PASS,
    UNKNOWN,
    ConditionResult,
    ImageContext,
    Outcome,
    UnknownPolicy,
    Verdict,
    display_params,
    render_message,
)
from facecurator.domain.rules.presets import (
    BUILTIN_PRESETS,
    DEFAULT_PRESET,
    delete_user_preset,
    is_builtin_preset,
    list_presets,
    load_rules,
    save_user_preset,
    user_preset_path,
    user_presets_dir,
)
from facecurator.domain.rules.ruleset import (
    CONDITION_TYPES,
    SCHEMA_VERSION,
    RuleSet,
    condition_from_table,
    make_condition,
)

__all__ = [
    "BLUR_SCALE_MAPPING",
    "BUILTIN_PRESETS",
    "CONDITION_TYPES",
    "DEFAULT_PRESET",
    "FAIL",
    "MESSAGES",
    "PASS",
    "SCHEMA_VERSION",
    "UNKNOWN",
    "AgeRange",
    "BlurCondition",
    "Condition",
    "ConditionResult",
    "EnrolledFace",
    "EyesOpen",
    "FaceCount",
    "IdentityConsistent",
    "ImageContext",
    "MeasureCondition",
    "MinConfidence",
    "MinFaceSize",
    "MinIntegrity",
    "MinQuality",
    "MinSharpness",
    "NoDuplicate",
    "NoGlasses",
    "NoHat",
    "NoMask",
    "NoSunglasses",
    "Outcome",
    "ParamSpec",
    "PoseCondition",
    "RuleSet",
    "UnknownPolicy",
    "Verdict",
    "condition_from_table",
    "convert_blur",
    "delete_user_preset",
    "display_params",
    "is_builtin_preset",
    "list_presets",
    "load_rules",
    "make_condition",
    "render_message",
    "save_user_preset",
    "user_preset_path",
    "user_presets_dir",
]

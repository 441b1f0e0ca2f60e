"""What a batch of cloud detections will cost, before it is started.

Prices are USD per 1 000 billable calls. Defaults come from the seed
documents (Content Moderation 2.0: ``faceDetect_global`` $0.6,
``faceDetect_pro_global`` $1.2, billed once per call with ``Code`` 200).
IMM ``DetectImageFaces`` (billing item ImageDetect, also what OSS
``image/faces`` is billed as) has no price in the documentation we were given:
its default is 0 with ``price_known=False`` and a note telling the operator to
set the real price per profile (``prices = { imm = 1.0 }``) -- we do not invent
a number.

Profile keys: ``faceDetect_global``, ``faceDetect_pro_global``, ``imm``,
``oss-faces`` (the detector names ``green`` / ``green-pro`` work as aliases).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from facecurator.errors import ConfigError

if TYPE_CHECKING:
    from facecurator.cloud.profiles import Profile

CURRENCY: Final = "USD"

#: English templates of the cost line and its notes, by message id (a front end translates them).
COST_MESSAGES: Final[dict[str, str]] = {
    "cost.calls_unknown": "{calls} paid call(s); price unknown",
    "cost.calls_free": "{calls} call(s); free",
    "cost.calls_priced": "{calls} paid call(s) x {currency} {unit}/1000 = {currency} {total}",
    "cost.local": "offline detector: no cloud calls",
    "cost.oss_fees": "plus OSS GET request fees",
    "cost.unknown_price": (
        "price unknown: the {key} price is not in the documentation; set it in profile {profile} "
        "(prices = {{ {key} = <USD per 1000> }} in profiles.toml)"
    ),
    "cost.profile_price": "price from profile {profile}",
    "cost.list_price": "documented list price",
}

#: A note: its message id and params (hashable, so estimates compare and hash).
Note = tuple[str, tuple[tuple[str, str], ...]]


def _note(message_id: str, **params: str) -> Note:
    return message_id, tuple(sorted(params.items()))


#: Documented defaults, USD per 1 000 calls (seeds: green-2.0-facedetect-global, "Billing").
DEFAULT_PRICES_PER_1000: Final[dict[str, float]] = {
    "faceDetect_global": 0.6,
    "faceDetect_pro_global": 1.2,
}

#: detector name -> price-table key
PRICE_KEYS: Final[dict[str, str]] = {
    "green": "faceDetect_global",
    "green-pro": "faceDetect_pro_global",
    "imm": "imm",
    "oss-faces": "oss-faces",
}


@dataclass(frozen=True)
class CostEstimate:
    """The price of ``calls`` billable calls.

    When the price is not documented and not configured, ``price_known`` is
    False, the unit price and total are 0, and ``note`` says how to set it.
    """

    calls: int
    unit_price_per_1000: float
    total: float
    currency: str = CURRENCY
    price_known: bool = True
    #: why / how the price is what it is: message ids + params of :data:`COST_MESSAGES`
    notes: tuple[Note, ...] = ()

    @property
    def note(self) -> str:
        """The notes in English, joined."""
        return "; ".join(
            COST_MESSAGES[message_id].format(**dict(params)) for message_id, params in self.notes
        )

    def line(self) -> tuple[str, dict[str, str]]:
        """The cost line's message id and params (the notes apart)."""
        if not self.price_known:
            return "cost.calls_unknown", {"calls": str(self.calls)}
        if self.unit_price_per_1000 == 0:
            return "cost.calls_free", {"calls": str(self.calls)}
        return "cost.calls_priced", {
            "calls": str(self.calls),
            "currency": self.currency,
            "unit": f"{self.unit_price_per_1000:g}",
            "total": f"{self.total:.4f}",
        }

    def describe(self) -> str:
        """One line for the CLI / a confirmation dialog (English; front ends render :meth:`line`)."""
        message_id, params = self.line()
        text = COST_MESSAGES[message_id].format(**params)
        return f"{text} ({self.note})" if self.note else text


def unit_price(detector: str, profile: Profile | None = None) -> float | None:
    """USD per 1 000 calls of ``detector`` (profile override, else the documented default)."""
    if detector == "local":
        return 0.0
    key = PRICE_KEYS.get(detector)
    if key is None:
        raise ConfigError(f"unknown detector {detector!r} for a cost estimate")
    prices = dict(profile.prices) if profile is not None else {}
    for candidate in (key, detector):
        if candidate in prices:
            return float(prices[candidate])
    return DEFAULT_PRICES_PER_1000.get(key)


def estimate(detector: str | Any, n_calls: int, profile: Profile | None = None) -> CostEstimate:
    """The cost of ``n_calls`` billable calls of ``detector``.

    Args:
        detector: a detector name (``local``, ``oss-faces``, ``imm``, ``green``,
            ``green-pro``) or a detector object (its ``registry_name`` tells the
            Moderation editions apart, which its contract ``name`` does not).
        n_calls: images that will actually be sent (cached images cost nothing).
        profile: the profile whose ``prices`` override the defaults.
    """
    if not isinstance(detector, str):
        detector = getattr(detector, "registry_name", None) or detector.name
    if n_calls < 0:
        raise ConfigError("the number of calls cannot be negative")
    if detector == "local":
        return CostEstimate(n_calls, 0.0, 0.0, notes=(_note("cost.local"),))
    price = unit_price(detector, profile)
    key = PRICE_KEYS[detector]
    name = profile.name if profile is not None else "NAME"
    notes: list[Note] = []
    if detector == "oss-faces":
        notes.append(_note("cost.oss_fees"))
    if price is None:
        notes.append(_note("cost.unknown_price", key=key, profile=name))
        return CostEstimate(n_calls, 0.0, 0.0, notes=tuple(notes), price_known=False)
    overridden = profile is not None and (key in profile.prices or detector in profile.prices)
    notes.insert(0, _note("cost.profile_price", profile=name) if overridden else _note("cost.list_price"))
    return CostEstimate(n_calls, price, round(n_calls * price / 1000.0, 6), notes=tuple(notes))

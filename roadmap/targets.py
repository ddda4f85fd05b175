"""A reproduction's target and the verdict on its results: plain numbers in, words out.

A target is a metric, a value, a direction and a tolerance. "At least 29.5 BLEU, tolerance
0.5" is hit by anything from 29.0 up; "at most 1.3 % error" by anything up to 1.3 (plus
its tolerance); "within 1 of 95.1" by anything from 94.1 to 96.1. A miss is measured from
the nearest value that would have been a hit, so "missed by 0.6" is how far there was to go.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import models

# A target's and a result's numbers as stored: 14 digits, 4 of them after the point.
MAX_NUMBER = Decimal(10) ** 10
PLACES = Decimal("0.0001")


class Direction(models.TextChoices):
    AT_LEAST = "at_least", "at least"
    AT_MOST = "at_most", "at most"
    WITHIN = "within", "within"


def number(value: Decimal) -> str:
    """A value as the learner wrote it, without the trailing zeros storage adds: 29.5000 -> 29.5."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def stored_number(value) -> Decimal:
    """A target's or a result's number read from a file, rounded as it is stored.

    JSON and YAML both read NaN and infinities as floats, and text or true is no number
    either. Raise ValueError saying what the number must be, in words that follow the
    field's name ("value must be under 10,000,000,000"); the caller adds where it was and
    what it got.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number such as 30 or 0.95")
    exact = Decimal(str(value))
    if not exact.is_finite():
        raise ValueError("must be a number such as 30 or 0.95")
    # Compared before rounding too: rounding a number of many digits needs more precision
    # than Decimal's default, and one just under the bound can round up to it.
    if abs(exact) >= MAX_NUMBER or abs(rounded := exact.quantize(PLACES)) >= MAX_NUMBER:
        raise ValueError(f"must be under {MAX_NUMBER:,}")
    return rounded


@dataclass(frozen=True)
class Target:
    metric: str
    value: Decimal
    direction: str
    tolerance: Decimal = Decimal(0)

    def __str__(self) -> str:
        return self.describe()

    def describe(self, *, with_metric: bool = True) -> str:
        """'at least 29.5 BLEU (tolerance 0.5)', 'within 1 of 95.1 accuracy'."""
        metric = f" {self.metric}" if with_metric and self.metric else ""
        if self.direction == Direction.WITHIN:
            return f"within {number(self.tolerance)} of {number(self.value)}{metric}"
        bound = f"{Direction(self.direction).label} {number(self.value)}{metric}"
        return f"{bound} (tolerance {number(self.tolerance)})" if self.tolerance else bound

    def shortfall(self, value: Decimal) -> Decimal:
        """How far `value` is from the nearest value that hits the target: 0 for a hit."""
        if self.direction == Direction.AT_LEAST:
            gap = (self.value - self.tolerance) - value
        elif self.direction == Direction.AT_MOST:
            gap = value - (self.value + self.tolerance)
        else:
            gap = abs(value - self.value) - self.tolerance
        return max(gap, Decimal(0))

    def is_hit(self, value: Decimal) -> bool:
        return self.shortfall(value) == 0

    def closeness(self, value: Decimal) -> Decimal:
        """Smaller is better: how the best of several results is chosen."""
        if self.direction == Direction.AT_LEAST:
            return -value
        if self.direction == Direction.AT_MOST:
            return value
        return abs(value - self.value)


@dataclass(frozen=True)
class Verdict:
    """Where a reproduction stands: its best result against its target, in words."""

    target: Target | None
    best: Decimal | None

    @property
    def hit(self) -> bool | None:
        """True or False once there are a target and a result; None before."""
        if self.target is None or self.best is None:
            return None
        return self.target.is_hit(self.best)

    @property
    def missed_by(self) -> Decimal | None:
        if self.hit is not False:
            return None
        return self.target.shortfall(self.best)

    @property
    def word(self) -> str:
        """One word for a column or a badge: hit, missed, no result, no target."""
        if self.best is None:
            return "no result"
        if self.target is None:
            return "no target"
        return "hit" if self.hit else "missed"

    def __str__(self) -> str:
        if self.best is None:
            return "no result yet"
        if self.target is None:
            return f"best {number(self.best)}, no target set"
        against = self.target.describe(with_metric=False)
        if self.hit:
            return f"hit: {number(self.best)} against {against}"
        return f"missed by {number(self.missed_by)}: {number(self.best)} against {against}"


def best_result(target: Target | None, results: Iterable):
    """The result closest to the target (the earliest of equals); the latest without one.

    `results` are anything with `value` and `measured_on` (and `pk` to break ties).
    """
    results = list(results)
    if not results:
        return None
    if target is None:
        return max(results, key=lambda r: (r.measured_on, getattr(r, "pk", 0) or 0))
    return min(
        results,
        key=lambda r: (target.closeness(r.value), r.measured_on, getattr(r, "pk", 0) or 0),
    )


def verdict(target: Target | None, results: Iterable) -> Verdict:
    best = best_result(target, results)
    return Verdict(target=target, best=best.value if best is not None else None)


@dataclass(frozen=True)
class Measured:
    """A result as plain values, for the statistics that do not need a model."""

    value: Decimal
    measured_on: date
    pk: int = 0

"""Deciding from noisy figures: spreads, differences, confidence bounds.

One round of the same flow can vary by more than 2x between runs, and a
category is measured in a few rounds only (n = 2..15), so no figure is
compared with another without its spread, and every verdict drawn from
figures may be *inconclusive*.  This module is the core's one place for
those decisions; it uses the standard library only.

* :func:`difference` compares two samples with Welch's t interval
  (unequal variances), on the logs of the values (scale ``'ratio'``) or on
  the values (scale ``'absolute'``), plus a minimum effect.
* :func:`holm` adjusts the p-values of many such differences judged
  together (Holm-Bonferroni), so that one comparison of ~70 metrics does
  not flag a few by chance.
* :func:`mean_bound` and :func:`percentile_bound` give one-sided
  confidence bounds for SLAs that must not fail on one spike.

Student's t distribution is computed here (regularized incomplete beta by
its continued fraction, inverted by bisection) rather than taken from
SciPy, which the guests' and gates' environments do not carry.
"""

from __future__ import annotations

import dataclasses
import enum
import fractions
import math
import statistics
from typing import Sequence

from openstack_netperf import exceptions
from openstack_netperf.measure import stats


class Outcome(str, enum.Enum):
    """What a comparison found: current against baseline."""

    HIGHER = 'higher'
    LOWER = 'lower'
    SAME = 'same'
    INCONCLUSIVE = 'inconclusive'


#: Two-sided confidence of intervals.
DEFAULT_CONFIDENCE = 0.90
#: Smallest relative change that counts.
DEFAULT_MIN_EFFECT = 0.10
#: Values needed per side to estimate the noise at all.
MIN_SAMPLES = 2
#: Scales of :func:`difference`: of ratios (logs), or of amounts.
SCALES = ('ratio', 'absolute')

_BETA_CF_ITERATIONS = 10000
_BETA_CF_EPSILON = 1e-15
_TINY = 1e-300


@dataclasses.dataclass(frozen=True)
class Spread:
    """A figure with its spread: median, min and max of its values."""

    count: int
    median: float
    low: float
    high: float

    def text(self, fmt: str = '%.1f') -> str:
        """E.g. ``187.2 (160.1-201.3, n=3)``; one value ``187.2 (n=1)``."""
        if self.count == 1:
            return '%s (n=1)' % (fmt % self.median)
        return '%s (%s-%s, n=%d)' % (
            fmt % self.median, fmt % self.low, fmt % self.high, self.count)


@dataclasses.dataclass(frozen=True)
class Difference:
    """How ``current`` compares with ``baseline``, and why.

    ``change``, ``low`` and ``high`` are the estimate and confidence
    interval of current against baseline: relative (``-0.23`` is 23 %
    lower) on scale ``'ratio'``, in the values' unit on ``'absolute'``;
    None when there were too few values.  ``scale`` is the scale actually
    used (``'ratio'`` falls back to ``'absolute'`` for values <= 0).
    ``p_value`` is the two-sided p-value of the same Welch test (no
    difference is its null hypothesis), None when there was no test; it
    is below 1 - confidence exactly when the interval excludes 0, and
    lets :func:`holm` correct for many differences judged together.
    """

    outcome: Outcome
    change: float | None
    low: float | None
    high: float | None
    reason: str
    scale: str = 'ratio'
    p_value: float | None = None


def _values(values: Sequence[float], what: str) -> list[float]:
    """``values`` as floats; InvalidInput for NaN, infinity, non-numbers."""
    try:
        floats = [float(v) for v in values]
    except (TypeError, ValueError) as exc:
        raise exceptions.InvalidInput(
            '%s must be numbers: %s' % (what, exc)) from exc
    if not all(math.isfinite(v) for v in floats):
        raise exceptions.InvalidInput(
            '%s contain NaN or infinity: %r' % (what, floats))
    return floats


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise exceptions.InvalidInput(
            'confidence must be strictly between 0 and 1 (0.90 is 90 %%), '
            'got %r' % (confidence,))


def spread(values: Sequence[float]) -> Spread:
    """Median, min, max and count of ``values`` (at least one)."""
    checked = _values(values, 'values')
    if not checked:
        raise exceptions.InvalidInput(
            'No values to give a spread of: no round produced a result')
    return Spread(count=len(checked), median=stats.median_of(checked),
                  low=min(checked), high=max(checked))


# Student's t distribution -------------------------------------------------

def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b) (modified Lentz's method)."""
    c = 1.0
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, _BETA_CF_ITERATIONS + 1):
        even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        for term in (even, odd):
            d = 1.0 + term * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + term / c
            c = c if abs(c) > _TINY else _TINY
            result *= c * d
        if abs(c * d - 1.0) < _BETA_CF_EPSILON:
            break
    return result


def _regularized_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the CDF of the Beta(a, b) distribution at ``x``."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    # The fraction converges fast only on this side of the mean.
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_continued_fraction(a, b, x) / a
    return 1.0 - front * _beta_continued_fraction(b, a, 1.0 - x) / b


def _t_upper_tail(t: float, df: float) -> float:
    """P(T > t) for t >= 0, without the cancellation of 1 - CDF."""
    return 0.5 * _regularized_beta(df / 2.0, 0.5, df / (df + t * t))


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` (> 0, any real) freedoms."""
    if math.isnan(t) or not df > 0.0:
        raise exceptions.InvalidInput(
            't CDF needs a number t and df > 0, got t=%r, df=%r' % (t, df))
    tail = _t_upper_tail(abs(t), df)
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The ``t`` with P(T <= t) = ``p``, by bisection of :func:`t_cdf`."""
    if not 0.0 < p < 1.0 or not df > 0.0:
        raise exceptions.InvalidInput(
            't quantile needs 0 < p < 1 and df > 0, got p=%r, df=%r'
            % (p, df))
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if math.isinf(df):
        return statistics.NormalDist().inv_cdf(p)
    tail = 1.0 - p
    low, high = 0.0, 1.0
    while _t_upper_tail(high, df) > tail:
        low, high = high, high * 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if middle in (low, high):
            break
        if _t_upper_tail(middle, df) > tail:
            low = middle
        else:
            high = middle
    return (low + high) / 2.0


# Comparing two samples -----------------------------------------------------

def _welch(baseline: list[float], current: list[float], confidence: float
           ) -> tuple[float, float, float, float]:
    """Mean difference (current - baseline), half-width, df, p-value."""
    estimate = statistics.fmean(current) - statistics.fmean(baseline)
    var_b = statistics.variance(baseline) / len(baseline)
    var_c = statistics.variance(current) / len(current)
    if var_b + var_c == 0.0:
        return estimate, 0.0, math.inf, 1.0 if estimate == 0.0 else 0.0
    df = (var_b + var_c) ** 2 / (var_b ** 2 / (len(baseline) - 1)
                                 + var_c ** 2 / (len(current) - 1))
    error = math.sqrt(var_b + var_c)
    half = t_quantile((1.0 + confidence) / 2.0, df) * error
    p_value = min(1.0, 2.0 * _t_upper_tail(abs(estimate) / error, df))
    return estimate, half, df, p_value


def _decide(change: float, low: float, high: float, min_effect: float
            ) -> tuple[Outcome, str]:
    if low > 0.0 or high < 0.0:
        if abs(change) >= min_effect:
            return (Outcome.HIGHER if change > 0 else Outcome.LOWER,
                    'the interval excludes 0 and the change is at least '
                    'the minimum effect')
        return (Outcome.SAME,
                'the interval excludes 0, but the change is smaller than '
                'the minimum effect')
    if -min_effect <= low and high <= min_effect:
        return (Outcome.SAME,
                'the interval includes 0 and lies within the minimum effect')
    return (Outcome.INCONCLUSIVE,
            'the interval includes 0 and reaches beyond the minimum effect: '
            'the noise is too large to say (measure more rounds)')


def difference(baseline: Sequence[float], current: Sequence[float],
               min_effect: float = DEFAULT_MIN_EFFECT,
               confidence: float = DEFAULT_CONFIDENCE,
               scale: str = 'ratio') -> Difference:
    """Whether ``current`` is higher, lower, the same as ``baseline``.

    Welch's t interval (Welch-Satterthwaite degrees of freedom) at
    ``confidence`` for current - baseline:

    * scale ``'ratio'`` (throughput, RTT): on the natural logs of the
      values, i.e. the ratio of geometric means; ``change`` =
      exp(mean log current - mean log baseline) - 1, the interval
      likewise, ``min_effect`` relative.  Any value <= 0 falls back to
      ``'absolute'``;
    * scale ``'absolute'`` (loss %, retransmits): on the raw difference of
      the means; ``change``, the interval and ``min_effect`` are amounts in
      the values' unit.

    Fewer than :data:`MIN_SAMPLES` values on a side is INCONCLUSIVE.  With
    no variance on either side the interval is the point.  HIGHER or LOWER
    when the interval excludes 0 and ``|change| >= min_effect``; SAME when
    it excludes 0 but ``|change| < min_effect``, or includes 0 and lies
    within [-min_effect, +min_effect]; INCONCLUSIVE otherwise.
    """
    _check_confidence(confidence)
    if not min_effect >= 0.0 or math.isinf(min_effect):
        raise exceptions.InvalidInput(
            'min_effect must be a finite amount >= 0, got %r' % (min_effect,))
    if scale not in SCALES:
        raise exceptions.InvalidInput(
            'scale must be one of %s, got %r' % (', '.join(SCALES), scale))
    base = _values(baseline, 'baseline values')
    cur = _values(current, 'current values')
    if len(base) < MIN_SAMPLES or len(cur) < MIN_SAMPLES:
        return Difference(
            Outcome.INCONCLUSIVE, None, None, None,
            'inconclusive: at least %d rounds on each side are needed to '
            'estimate the noise, got %d (baseline) and %d (current)'
            % (MIN_SAMPLES, len(base), len(cur)), scale)
    note = ''
    if scale == 'ratio' and min(base + cur) <= 0.0:
        scale = 'absolute'
        note = 'a value <= 0 rules out ratios, so absolute: '
    if scale == 'ratio':
        estimate, half, df, p_value = _welch(
            [math.log(v) for v in base], [math.log(v) for v in cur],
            confidence)
        change, low, high = (math.expm1(estimate),
                             math.expm1(estimate - half),
                             math.expm1(estimate + half))
        shown = '%+.1f %% (%.0f %% interval %+.1f %% to %+.1f %%)' % (
            100 * change, 100 * confidence, 100 * low, 100 * high)
        test, effect = 'Welch t on logs', '%.3g %%' % (100 * min_effect)
    else:
        estimate, half, df, p_value = _welch(base, cur, confidence)
        change, low, high = estimate, estimate - half, estimate + half
        shown = '%+.3g (%.0f %% interval %+.3g to %+.3g)' % (
            change, 100 * confidence, low, high)
        test, effect = 'Welch t', '%.3g' % min_effect
    outcome, why = _decide(change, low, high, min_effect)
    freedom = 'df=%.1f' % df if half else 'no spread on either side'
    reason = ('%s: %s%s, n=%d vs %d, %s, p=%.2g: change %s, minimum effect '
              '%s: %s' % (outcome.value, note, test, len(base), len(cur),
                          freedom, p_value, shown, effect, why))
    return Difference(outcome, change, low, high, reason, scale, p_value)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given.

    Judging m differences at level alpha each flags about alpha * m of
    them when nothing changed.  Holm's step-down method keeps the chance
    of flagging any at all (the family-wise error rate) at most alpha:
    the k-th smallest of m p-values is multiplied by m - k + 1, and an
    adjusted value is never below a smaller p-value's.  A difference is
    significant for the family when its adjusted p-value is below alpha.
    """
    checked = _values(p_values, 'p-values')
    if not all(0.0 <= p <= 1.0 for p in checked):
        raise exceptions.InvalidInput(
            'p-values must lie between 0 and 1, got %r' % (checked,))
    adjusted = [0.0] * len(checked)
    running = 0.0
    order = sorted(range(len(checked)), key=checked.__getitem__)
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(checked) - rank)
                                   * checked[index]))
        adjusted[index] = running
    return adjusted


# One-sided bounds for SLAs --------------------------------------------------

def mean_bound(values: Sequence[float], confidence: float, upper: bool
               ) -> float | None:
    """One-sided t confidence bound of the mean of ``values``.

    mean +/- t(confidence, n - 1) * s / sqrt(n): the true mean is below
    the upper (above the lower) bound with ``confidence``.  None with fewer
    than :data:`MIN_SAMPLES` values, which give no estimate of the noise.
    """
    _check_confidence(confidence)
    checked = _values(values, 'values')
    if len(checked) < MIN_SAMPLES:
        return None
    half = (t_quantile(confidence, len(checked) - 1)
            * statistics.stdev(checked) / math.sqrt(len(checked)))
    mean = statistics.fmean(checked)
    return mean + half if upper else mean - half


def _exact(number: float) -> fractions.Fraction:
    """``number`` as the decimal it prints as (0.9 is 9/10 exactly)."""
    return fractions.Fraction(repr(float(number)))


def _check_percent(percent: float) -> fractions.Fraction:
    if not 0.0 < percent < 100.0:
        raise exceptions.InvalidInput(
            'percent must be strictly between 0 and 100, got %r' % (percent,))
    return _exact(percent) / 100


def _lower_rank(count: int, p: fractions.Fraction,
                confidence: fractions.Fraction) -> int:
    """Largest k with P(Binomial(count, p) >= k) >= confidence, else 0."""
    # In integers: p = num / den, every term scaled by den ** count.
    num, den = p.numerator, p.denominator
    goal = confidence * den ** count
    tail = 0
    for k in range(count, 0, -1):
        tail += math.comb(count, k) * num ** k * (den - num) ** (count - k)
        if tail >= goal:
            return k
    return 0


def percentile_bound(values: Sequence[float], percent: float,
                     confidence: float, upper: bool) -> float | None:
    """Distribution-free one-sided confidence bound of a percentile.

    Of ``n`` values, as many as fall below the ``percent``-th percentile
    follow Binomial(n, p).  The lower bound is the k-th smallest value,
    k the largest with P(Binomial(n, p) >= k) >= confidence; the upper
    bound is the k-th largest, k the largest with
    P(Binomial(n, 1 - p) >= k) >= confidence.  None when no k exists:
    see :func:`probes_needed`.
    """
    _check_confidence(confidence)
    p = _check_percent(percent)
    ordered = sorted(_values(values, 'values'))
    rank = _lower_rank(len(ordered), 1 - p if upper else p,
                       _exact(confidence))
    if not rank:
        return None
    return ordered[-rank] if upper else ordered[rank - 1]


def probes_needed(percent: float, confidence: float,
                  upper: bool = False) -> int:
    """Fewest values for which :func:`percentile_bound` gives a bound.

    The extreme value bounds the percentile with probability
    1 - (1 - p)**n (lower bound) or 1 - p**n (upper bound), so the count
    is the smallest n for which that reaches ``confidence``.
    """
    _check_confidence(confidence)
    p = _check_percent(percent)
    miss = p if upper else 1 - p       # a value falls on the wrong side
    allowed = 1 - _exact(confidence)
    count = max(1, math.ceil(math.log(allowed) / math.log(miss)) - 1)
    while miss ** count > allowed:     # the float estimate, made exact
        count += 1
    return count

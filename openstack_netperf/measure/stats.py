"""Summary statistics over measurement samples.

One definition of each statistic, shared by the Rally outputs, the SLAs and
the Tempest checks, so a p95 means the same thing everywhere:

* percentiles (median, p95, p99, quartiles) interpolate linearly between
  the two closest ranks: for ``n`` sorted samples ``x[0..n-1]`` the
  ``p``-th percentile is read at rank ``h = (n - 1) * p / 100`` as
  ``x[floor(h)] + (h - floor(h)) * (x[floor(h) + 1] - x[floor(h)])``
  (Hyndman and Fan's definition 7, the default of NumPy and of
  spreadsheet ``PERCENTILE``);
* ``stddev`` is the sample standard deviation (``n - 1`` in the
  denominator), 0 for a single sample;
* ``iqr`` is p75 - p25.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from typing import Sequence

from openstack_netperf import exceptions


@dataclasses.dataclass(frozen=True)
class Summary:
    """Descriptive statistics of one series of samples."""

    count: int
    min: float
    median: float
    mean: float
    p95: float
    p99: float
    max: float
    stddev: float
    iqr: float


def _checked(samples: Sequence[float], what: str) -> list[float]:
    values = [float(v) for v in samples]
    if not values:
        raise exceptions.InvalidInput(
            'No %s to summarise: the measurement produced no samples after '
            'warm-up (run longer, or omit/discard fewer)' % what)
    if any(math.isnan(v) or math.isinf(v) for v in values):
        raise exceptions.InvalidInput(
            'Cannot summarise %s containing NaN or infinity: %r'
            % (what, values))
    return values


def _sorted_percentile(values: list[float], p: float) -> float:
    rank = (len(values) - 1) * p / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (rank - low) * (values[high] - values[low])


def summarize(samples: Sequence[float]) -> Summary:
    """Summary of ``samples``."""
    values = _checked(samples, 'samples')
    ordered = sorted(values)
    return Summary(
        count=len(ordered),
        min=ordered[0],
        median=_sorted_percentile(ordered, 50),
        mean=statistics.fmean(ordered),
        p95=_sorted_percentile(ordered, 95),
        p99=_sorted_percentile(ordered, 99),
        max=ordered[-1],
        stddev=statistics.stdev(ordered) if len(ordered) > 1 else 0.0,
        iqr=(_sorted_percentile(ordered, 75)
             - _sorted_percentile(ordered, 25)))


def percentile(samples: Sequence[float], percent: float) -> float:
    """The ``percent``-th percentile of ``samples`` (definition above)."""
    return _sorted_percentile(sorted(_checked(samples, 'samples')), percent)


def median_of(values: Sequence[float]) -> float:
    """Median of per-round results (the thesis reports the median of 3)."""
    return _sorted_percentile(sorted(_checked(values, 'round results')), 50)

"""How sure a result over seeds is: the t-interval of a mean, and of a paired difference.

A training run's accuracy depends on its seed (the initial weights, the order of the
mini-batches). Run a setting with :math:`J` seeds and its accuracies
:math:`a_0, \\dots, a_{J-1}` are a sample; their mean estimates the setting's expected accuracy,
with a standard error of :math:`\\operatorname{sd} / \\sqrt{J}`. :func:`mean_interval` turns
that into Student's t-interval. It covers the variation from seed to seed only, on the digits
the runs were scored on, not the sampling of those digits.

Two settings trained on the *same* seeds are compared seed by seed: the differences
:math:`\\Delta_j = a_j - b_j` cancel whatever the seed does to both alike, and
:func:`paired_difference` gives the t-interval of their mean. A difference is shown when that
interval excludes 0.

The quantile of Student's t distribution is computed here from its closed-form distribution
function for whole degrees of freedom (:func:`t_quantile`), with NumPy only.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validation import as_array

__all__ = ["mean_interval", "paired_difference", "t_quantile"]


def _check_confidence(confidence):
    if isinstance(confidence, (bool, np.bool_)) or not isinstance(confidence, numbers.Real):
        raise TypeError(f"confidence must be a number strictly between 0 and 1, got "
                        f"{type(confidence).__name__}: {confidence!r}")
    confidence = float(confidence)
    if not 0 < confidence < 1:  # nan fails too
        raise ValueError(f"confidence must be strictly between 0 and 1, got {confidence}")
    return confidence


def _central_probability(t, df):
    """P(|T| < t) for Student's t with ``df`` (a whole number >= 1) degrees of freedom.

    With :math:`\\theta = \\arctan(t/\\sqrt{\\nu})`, the distribution function is a finite
    sum of powers of :math:`\\cos^2\\theta` (Abramowitz and Stegun, 26.7.3 and 26.7.4):
    for odd :math:`\\nu`, :math:`\\tfrac{2}{\\pi}\\big(\\theta + \\sin\\theta\\cos\\theta
    \\sum_{k=0}^{(\\nu-3)/2} c_k\\big)` with :math:`c_0 = 1`,
    :math:`c_k = c_{k-1}\\cos^2\\theta \\cdot 2k/(2k+1)`; for even :math:`\\nu`,
    :math:`\\sin\\theta \\sum_{k=0}^{(\\nu-2)/2} c_k` with
    :math:`c_k = c_{k-1}\\cos^2\\theta \\cdot (2k-1)/(2k)`.
    """
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2 == 1:
        term, total = 1.0, 0.0
        if df > 1:
            total = 1.0
            for k in range(1, (df - 3) // 2 + 1):
                term *= c2 * (2 * k) / (2 * k + 1)
                total += term
        return 2 / math.pi * (theta + s * math.cos(theta) * total) if df > 1 else 2 * theta / math.pi
    term, total = 1.0, 1.0
    for k in range(1, (df - 2) // 2 + 1):
        term *= c2 * (2 * k - 1) / (2 * k)
        total += term
    return s * total


def t_quantile(confidence, df):
    """The two-sided critical value of Student's t: the ``t`` with ``P(|T| < t) = confidence``.

    It is the ``(1 + confidence) / 2`` quantile of the t distribution with ``df`` degrees of
    freedom (``scipy.stats.t.ppf((1 + confidence) / 2, df)``), found by bisection on the
    closed-form distribution function, to about 1e-13.

    Parameters
    ----------
    confidence : float
        Strictly between 0 and 1, e.g. 0.95.
    df : int
        Degrees of freedom, at least 1 (``J - 1`` for ``J`` seeds).

    Returns
    -------
    float

    Examples
    --------
    >>> round(t_quantile(0.95, 4), 4)  # 5 seeds
    2.7764
    >>> round(t_quantile(0.95, 1), 4)
    12.7062
    """
    confidence = _check_confidence(confidence)
    if isinstance(df, (bool, np.bool_)) or not isinstance(df, numbers.Integral):
        raise TypeError(f"df must be an int, got {type(df).__name__}: {df!r}")
    df = int(df)
    if df < 1:
        raise ValueError(f"df must be at least 1, got {df}")
    # Bisection on theta = arctan(t / sqrt(df)) in (0, pi/2), where the probability rises
    # from 0 to 1; 200 halvings reach the limit of float64.
    low, high = 0.0, math.pi / 2
    for _ in range(200):
        mid = (low + high) / 2
        if mid in (low, high):
            break
        if _central_probability(math.tan(mid) * math.sqrt(df), df) < confidence:
            low = mid
        else:
            high = mid
    return math.tan((low + high) / 2) * math.sqrt(df)


def _measurements(values, name):
    values = as_array(values, name, ndim=1, dtype_kind="iuf").astype(np.float64)
    if values.shape[0] < 2:
        raise ValueError(f"{name} must hold at least 2 values (one per seed), got {values.shape[0]}")
    if not np.all(np.isfinite(values)):
        bad = values[~np.isfinite(values)][0]
        raise ValueError(f"{name} must be finite, got {bad} at index {int(np.flatnonzero(~np.isfinite(values))[0])}")
    return values


def _interval(values, confidence):
    n = values.shape[0]
    mean = float(values.mean())
    std = float(np.sqrt(np.sum((values - mean) ** 2) / (n - 1)))
    half = t_quantile(confidence, n - 1) * std / math.sqrt(n)
    return mean, mean - half, mean + half


def mean_interval(x, confidence=0.95):
    """The mean of measurements over seeds and Student's t-interval around it.

    .. math::

        \\bar x \\pm t^\\ast_{J-1}\\, \\frac{\\operatorname{sd}}{\\sqrt{J}}, \\qquad
        \\operatorname{sd} = \\sqrt{\\tfrac{1}{J-1} \\textstyle\\sum_j (x_j - \\bar x)^2}

    where :math:`t^\\ast_{J-1}` is the two-sided critical value of Student's t with :math:`J-1`
    degrees of freedom (:func:`t_quantile`). If the seeds' results were drawn independently
    from a normal distribution, intervals built this way hold the true mean with probability
    ``confidence``. The interval is of the *mean*, and it shrinks as :math:`1/\\sqrt{J}`; the
    spread of single runs (:math:`\\operatorname{sd}`) does not.

    Parameters
    ----------
    x : array_like of float, shape (J,)
        At least two finite measurements, one per seed.
    confidence : float, default 0.95
        Strictly between 0 and 1.

    Returns
    -------
    (float, float, float)
        The mean, the low end and the high end of the interval.

    Examples
    --------
    >>> mean, low, high = mean_interval([0.93, 0.95, 0.94, 0.96, 0.94])
    >>> print(f"{mean:.3f} in [{low:.3f}, {high:.3f}]")
    0.944 in [0.930, 0.958]
    """
    confidence = _check_confidence(confidence)
    return _interval(_measurements(x, "x"), confidence)


def paired_difference(a, b, confidence=0.95):
    """The mean difference ``a - b`` over seeds and its Student t-interval (the paired t-test's).

    ``a[j]`` and ``b[j]`` are the results of two settings trained with the same seed ``j``.
    With :math:`\\Delta_j = a_j - b_j`,

    .. math::

        \\bar\\Delta \\pm t^\\ast_{J-1}\\, \\frac{\\operatorname{sd}(\\Delta)}{\\sqrt{J}}

    the interval of :func:`mean_interval` applied to the differences; it equals
    ``scipy.stats.ttest_rel(a, b).confidence_interval(confidence)``. Pairing removes what a
    seed does to both settings alike: when the two settings' results correlate positively
    across seeds, the interval is narrower than a comparison of the two means would be; when
    they do not, pairing gains nothing. The difference is shown, at this confidence, when the
    interval excludes 0.

    Parameters
    ----------
    a, b : array_like of float, shape (J,)
        At least two finite results each, the same number, in the same order of seeds.
    confidence : float, default 0.95
        Strictly between 0 and 1.

    Returns
    -------
    (float, float, float)
        The mean difference, the low end and the high end of its interval.

    Examples
    --------
    >>> mean, low, high = paired_difference([0.95, 0.96, 0.94, 0.97, 0.95], [0.94, 0.95, 0.94, 0.95, 0.94])
    >>> print(f"{mean:+.3f} in [{low:+.3f}, {high:+.3f}]")
    +0.010 in [+0.001, +0.019]
    >>> paired_difference([0.9, 0.8], [0.9, 0.8, 0.7])
    Traceback (most recent call last):
    ...
    ValueError: a and b must hold one result per seed each, the same seeds: a has 2, b has 3
    """
    confidence = _check_confidence(confidence)
    a = _measurements(a, "a")
    b = _measurements(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must hold one result per seed each, the same seeds: a has {a.shape[0]}, b has {b.shape[0]}"
        )
    return _interval(a - b, confidence)

"""companion.statistics: the t-interval of a mean and of a paired difference, against SciPy."""

import math

import numpy as np
import pytest
import scipy.stats
import torch

from companion.statistics import mean_interval, paired_difference, t_quantile


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 6, 9, 19, 30, 99, 1000])
@pytest.mark.parametrize("confidence", [0.5, 0.8, 0.9, 0.95, 0.99, 0.999])
def test_t_quantile_matches_scipy(df, confidence):
    expected = scipy.stats.t.ppf((1 + confidence) / 2, df)
    assert t_quantile(confidence, df) == pytest.approx(expected, rel=1e-11)


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_paired_difference_is_scipys_paired_t_interval(seed, confidence):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 30))
    a = rng.normal(0.9, 0.02, n)
    b = a - rng.normal(0.005, 0.01, n)
    result = scipy.stats.ttest_rel(a, b)
    low, high = result.confidence_interval(confidence)
    mean, got_low, got_high = paired_difference(a, b, confidence)
    assert mean == pytest.approx(np.mean(a - b), rel=1e-12, abs=1e-15)
    assert got_low == pytest.approx(low, rel=1e-9, abs=1e-14)
    assert got_high == pytest.approx(high, rel=1e-9, abs=1e-14)


@pytest.mark.parametrize("seed", range(20))
def test_mean_interval_is_scipys_one_sample_t_interval(seed):
    rng = np.random.default_rng(100 + seed)
    x = rng.normal(0.9, 0.05, int(rng.integers(2, 40)))
    low, high = scipy.stats.ttest_1samp(x, 0.0).confidence_interval(0.95)
    mean, got_low, got_high = mean_interval(x)
    assert mean == pytest.approx(x.mean(), rel=1e-12)
    assert (got_low, got_high) == pytest.approx((low, high), rel=1e-9, abs=1e-14)
    # the standard error is the sample standard deviation (Bessel's S - 1, as torch.std) over sqrt(S)
    se = torch.tensor(x).std().item() / math.sqrt(len(x))
    assert (high - low) / 2 == pytest.approx(t_quantile(0.95, len(x) - 1) * se, rel=1e-9)


def test_pairing_removes_what_a_seed_does_to_both_settings():
    seed_effect = np.array([0.02, -0.03, 0.01, 0.04, -0.02])
    a = 0.90 + seed_effect + np.array([0.011, 0.009, 0.010, 0.012, 0.008])
    b = 0.90 + seed_effect
    _, low, high = paired_difference(a, b)
    assert low > 0  # shown when paired ...
    low_a, high_a = mean_interval(a)[1:]
    low_b, high_b = mean_interval(b)[1:]
    assert low_a < high_b and low_b < high_a  # ... though the two means' intervals overlap


def test_interval_holds_the_true_mean_about_as_often_as_promised():
    rng = np.random.default_rng(7)
    samples = rng.normal(1.0, 2.0, size=(4000, 5))
    hits = sum(low <= 1.0 <= high for _, low, high in map(mean_interval, samples))
    assert 0.94 <= hits / 4000 <= 0.96


def test_equal_results_give_an_empty_interval():
    assert paired_difference([0.9, 0.8, 0.7], [0.9, 0.8, 0.7]) == (0.0, 0.0, 0.0)
    assert mean_interval([2, 2, 2]) == (2.0, 2.0, 2.0)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: paired_difference([0.9, 0.8], [0.9, 0.8, 0.7]), ValueError,
         r"^a and b must hold one result per seed each, the same seeds: a has 2, b has 3$"),
        (lambda: paired_difference([0.9], [0.8]), ValueError, r"^a must hold at least 2 values \(one per seed\), got 1$"),
        (lambda: mean_interval([]), ValueError, "x must"),
        (lambda: paired_difference([0.9, float("nan")], [0.8, 0.7]), ValueError, r"^a must be finite, got nan at index 1$"),
        (lambda: paired_difference([0.9, 0.8], [0.8, float("inf")]), ValueError, r"^b must be finite, got inf at index 1$"),
        (lambda: mean_interval([1.0, 2.0], confidence=1.0), ValueError,
         r"^confidence must be strictly between 0 and 1, got 1.0$"),
        (lambda: mean_interval([1.0, 2.0], confidence=0), ValueError, "confidence must be strictly between 0 and 1"),
        (lambda: mean_interval([1.0, 2.0], confidence=float("nan")), ValueError, "confidence must be strictly"),
        (lambda: paired_difference([1.0, 2.0], [1.0, 3.0], confidence="95%"), TypeError,
         r"^confidence must be a number strictly between 0 and 1, got str: '95%'$"),
        (lambda: mean_interval([[1.0, 2.0]]), ValueError, "x must be 1-D"),
        (lambda: mean_interval(["a", "b"]), TypeError, "x must"),
        (lambda: t_quantile(0.95, 0), ValueError, r"^df must be at least 1, got 0$"),
        (lambda: t_quantile(0.95, 2.5), TypeError, r"^df must be an int, got float: 2.5$"),
    ],
)
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()

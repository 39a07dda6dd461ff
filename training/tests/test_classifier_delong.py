"""DeLong AUC and variance against sklearn and against the textbook O(m*n) definition."""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from training.common.delong import auc, delong


def _reference_delong(y, s):
    """DeLong 1988 written directly from the placement values psi(x, y) = 1, 1/2, 0."""
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return psi.mean(), v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_matches_sklearn_with_ties(seed):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 300)
    s = np.round(rng.normal(size=300) + y * 0.8, 1)  # rounding creates many ties
    assert auc(y, s) == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert delong(y, s).auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)


@pytest.mark.parametrize("seed", [3, 4])
def test_variance_matches_definition(seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(250) < 0.2).astype(int)
    s = np.round(rng.normal(size=250) + y, 2)
    area, var = _reference_delong(y, s)
    result = delong(y, s)
    assert result.auc == pytest.approx(area, abs=1e-12)
    assert result.variance == pytest.approx(var, rel=1e-9)
    half = 1.959963984540054 * np.sqrt(var)
    assert result.ci_low == pytest.approx(max(0, area - half)) and result.ci_high == pytest.approx(
        min(1, area + half)
    )


def test_perfect_and_reversed_scores():
    y = np.array([0, 0, 1, 1])
    assert auc(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert auc(y, [0.9, 0.8, 0.2, 0.1]) == 0.0


def test_single_class_is_an_error():
    with pytest.raises(ValueError, match="positive and one negative"):
        delong([1, 1, 1], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="differ in length"):
        auc([0, 1], [0.1])

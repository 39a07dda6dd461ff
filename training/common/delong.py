"""Area under the ROC curve with DeLong's variance (DeLong et al. 1988), via the midrank algorithm of
Sun & Xu (2014), "Fast implementation of DeLong's algorithm for comparing the areas under correlated
ROC curves".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm, rankdata


def _midranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks with ties given the mean of the ranks they span."""
    return rankdata(x, method="average")


@dataclass(frozen=True)
class AucResult:
    auc: float
    variance: float
    ci_low: float
    ci_high: float
    n_positive: int
    n_negative: int

    def as_dict(self) -> dict:
        return {
            "auc": self.auc,
            "ci95": [self.ci_low, self.ci_high] if np.isfinite(self.variance) else None,
            "se": float(np.sqrt(self.variance)) if np.isfinite(self.variance) else None,
            "n_positive": self.n_positive,
            "n_negative": self.n_negative,
        }


def _validate(y_true, scores) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true).astype(bool).ravel()
    s = np.asarray(scores, dtype=np.float64).ravel()
    if y.shape != s.shape:
        raise ValueError(f"labels ({y.shape[0]}) and scores ({s.shape[0]}) differ in length")
    if not np.all(np.isfinite(s)):
        raise ValueError("scores contain NaN or infinity")
    if y.all() or not y.any():
        raise ValueError("AUC needs at least one positive and one negative case")
    return y, s


def auc(y_true, scores) -> float:
    """Mann-Whitney AUC: P(score of a positive > score of a negative) + 0.5 P(tie)."""
    y, s = _validate(y_true, scores)
    ranks = _midranks(s)
    m, n = int(y.sum()), int((~y).sum())
    return float((ranks[y].sum() - m * (m + 1) / 2) / (m * n))


def delong(y_true, scores, confidence: float = 0.95) -> AucResult:
    """AUC with DeLong's variance and a normal-approximation confidence interval clipped to [0, 1]."""
    y, s = _validate(y_true, scores)
    pos, neg = s[y], s[~y]
    m, n = len(pos), len(neg)
    tx, ty, tz = _midranks(pos), _midranks(neg), _midranks(np.concatenate([pos, neg]))
    area = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
    v01 = (tz[:m] - tx) / n  # per positive: share of negatives it outranks
    v10 = 1.0 - (tz[m:] - ty) / m  # per negative: share of positives that outrank it
    var = np.var(v01, ddof=1) / m + np.var(v10, ddof=1) / n if m > 1 and n > 1 else float("nan")
    z = norm.ppf(0.5 + confidence / 2)
    se = np.sqrt(var)
    return AucResult(
        float(area), float(var), float(max(0.0, area - z * se)), float(min(1.0, area + z * se)), m, n
    )

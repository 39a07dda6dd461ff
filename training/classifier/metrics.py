"""The classification report: per-category one-vs-rest AUC with DeLong 95% CI, macro AUC, balanced accuracy,
sensitivity / specificity at the argmax operating point, confusion matrix and ROC points.

Macro AUC and balanced accuracy get percentile bootstrap CIs that resample whole groups (lesions), because
images of one lesion are not independent cases. Each category's AUC gets such a CI too, beside DeLong's,
which treats every image as an independent case and so runs narrower when lesions have several images.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_curve

from training.common.delong import auc, delong

BOOTSTRAP_SEED = 20260101


def one_hot(y: np.ndarray, k: int) -> np.ndarray:
    out = np.zeros((len(y), k), dtype=bool)
    out[np.arange(len(y)), y] = True
    return out


def macro_auc(truth: np.ndarray, probs: np.ndarray) -> float:
    """Mean one-vs-rest AUC over the categories that have both positives and negatives."""
    values = [
        auc(truth[:, k], probs[:, k]) for k in range(truth.shape[1]) if 0 < truth[:, k].sum() < len(truth)
    ]
    return float(np.mean(values))


def balanced_accuracy(y: np.ndarray, pred: np.ndarray, k: int) -> float:
    recalls = [np.mean(pred[y == c] == c) for c in range(k) if np.any(y == c)]
    return float(np.mean(recalls))


def _group_bootstrap(groups: np.ndarray, n_boot: int, seed: int):
    """Yield index arrays, each a resample of whole groups with replacement."""
    rng = np.random.default_rng(seed)
    unique, inverse = np.unique(groups, return_inverse=True)
    members = [np.flatnonzero(inverse == g) for g in range(len(unique))]
    for _ in range(n_boot):
        picked = rng.integers(0, len(unique), len(unique))
        yield np.concatenate([members[g] for g in picked])


def _ci(values: list[float]) -> list[float]:
    return [float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))]


def classification_report(
    labels: list[str],
    targets: np.ndarray,
    probs: np.ndarray,
    multi_label: bool,
    groups: np.ndarray | None = None,
    n_boot: int = 1000,
    roc_max_points: int = 200,
) -> dict:
    """targets: class index per image (single-label) or 0/1 matrix (multi-label); probs: N x K."""
    k = len(labels)
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape != (len(targets), k):
        raise ValueError(f"probabilities have shape {probs.shape}, expected {(len(targets), k)}")
    truth = np.asarray(targets, dtype=bool) if multi_label else one_hot(np.asarray(targets), k)
    groups = np.arange(len(probs)) if groups is None else np.asarray(groups)

    per_category = {}
    for c, name in enumerate(labels):
        entry = {"n_positive": int(truth[:, c].sum())}
        if 0 < truth[:, c].sum() < len(truth):
            entry.update(delong(truth[:, c], probs[:, c]).as_dict())
            fpr, tpr, _ = roc_curve(truth[:, c], probs[:, c])
            step = max(1, int(np.ceil(len(fpr) / roc_max_points)))
            keep = np.unique(np.r_[np.arange(0, len(fpr), step), len(fpr) - 1])
            entry["roc"] = {"fpr": np.round(fpr[keep], 5).tolist(), "tpr": np.round(tpr[keep], 5).tolist()}
        per_category[name] = entry

    if multi_label:
        pred_matrix = probs >= 0.5
        operating_point = "probability >= 0.5 per category"
    else:
        y = np.asarray(targets)
        pred = probs.argmax(axis=1)
        pred_matrix = one_hot(pred, k)
        operating_point = "argmax"
    for c, name in enumerate(labels):
        tp = int((pred_matrix[:, c] & truth[:, c]).sum())
        tn = int((~pred_matrix[:, c] & ~truth[:, c]).sum())
        pos, neg = int(truth[:, c].sum()), int((~truth[:, c]).sum())
        per_category[name]["sensitivity"] = tp / pos if pos else None
        per_category[name]["specificity"] = tn / neg if neg else None

    macro = macro_auc(truth, probs)
    boot_macro, boot_bacc = [], []
    scored = [c for c in range(k) if 0 < truth[:, c].sum() < len(truth)]
    boot_category: dict[int, list[float]] = {c: [] for c in scored}
    for idx in _group_bootstrap(groups, n_boot, BOOTSTRAP_SEED):
        t = truth[idx]
        present = [c for c in scored if 0 < t[:, c].sum() < len(t)]
        aucs = [auc(t[:, c], probs[idx, c]) for c in present]
        for c, value in zip(present, aucs, strict=True):
            boot_category[c].append(value)
        if len(present) == len(scored):  # macro AUC as on the full set: every scored category present
            boot_macro.append(float(np.mean(aucs)))
        if not multi_label:
            boot_bacc.append(balanced_accuracy(y[idx], pred[idx], k))

    for c in scored:
        per_category[labels[c]]["ci95_group_bootstrap"] = _ci(boot_category[c])

    report = {
        "task": "classification",
        "labels": list(labels),
        "multi_label": multi_label,
        "n_images": int(len(probs)),
        "n_groups": int(len(np.unique(groups))),
        "operating_point": operating_point,
        "macro_auc": {
            "value": macro,
            "ci95": _ci(boot_macro),
            "ci_method": f"group bootstrap, {n_boot} resamples",
        },
        "per_category": per_category,
        "auc_ci_method": "DeLong, normal approximation (ci95); "
        f"group bootstrap, {n_boot} resamples (ci95_group_bootstrap)",
    }
    if not multi_label:
        report["balanced_accuracy"] = {
            "value": balanced_accuracy(y, pred, k),
            "ci95": _ci(boot_bacc),
            "ci_method": f"group bootstrap, {n_boot} resamples",
        }
        report["accuracy"] = float(np.mean(pred == y))
        confusion = np.zeros((k, k), dtype=int)
        np.add.at(confusion, (y, pred), 1)
        report["confusion_matrix"] = {"rows": "true", "columns": "predicted", "matrix": confusion.tolist()}
    return report

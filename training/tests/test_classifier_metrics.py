"""The classification report against scikit-learn on synthetic predictions."""

import numpy as np
import pytest
from sklearn.metrics import balanced_accuracy_score, confusion_matrix, roc_auc_score

from training.classifier.metrics import classification_report

LABELS = ["a", "b", "c", "d"]


def _synthetic(seed=0, n=400):
    rng = np.random.default_rng(seed)
    y = rng.choice(4, n, p=[0.6, 0.2, 0.15, 0.05])
    logits = rng.normal(size=(n, 4))
    logits[np.arange(n), y] += 1.5
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    groups = rng.integers(0, n // 2, n)  # about two images per group
    return y, probs, groups


def test_single_label_report_matches_sklearn():
    y, probs, groups = _synthetic()
    r = classification_report(LABELS, y, probs, multi_label=False, groups=groups, n_boot=200)
    for c, name in enumerate(LABELS):
        assert r["per_category"][name]["auc"] == pytest.approx(roc_auc_score(y == c, probs[:, c]), abs=1e-12)
        low, high = r["per_category"][name]["ci95"]
        assert low < r["per_category"][name]["auc"] < high
    assert r["macro_auc"]["value"] == pytest.approx(
        roc_auc_score(y, probs, multi_class="ovr", average="macro")
    )
    pred = probs.argmax(1)
    assert r["balanced_accuracy"]["value"] == pytest.approx(balanced_accuracy_score(y, pred))
    assert r["confusion_matrix"]["matrix"] == confusion_matrix(y, pred, labels=range(4)).tolist()
    tn, fp, fn, tp = confusion_matrix(y == 1, pred == 1).ravel()
    assert r["per_category"]["b"]["sensitivity"] == pytest.approx(tp / (tp + fn))
    assert r["per_category"]["b"]["specificity"] == pytest.approx(tn / (tn + fp))
    for key in ("macro_auc", "balanced_accuracy"):
        low, high = r[key]["ci95"]
        assert low < r[key]["value"] < high
    roc = r["per_category"]["a"]["roc"]
    assert roc["fpr"][0] == 0 and roc["tpr"][-1] == 1 and len(roc["fpr"]) == len(roc["tpr"])


def test_multi_label_report():
    rng = np.random.default_rng(5)
    truth = rng.random((200, 4)) < 0.3
    probs = np.clip(truth * 0.4 + rng.random((200, 4)) * 0.6, 0, 1)
    r = classification_report(LABELS, truth.astype(int), probs, multi_label=True, n_boot=100)
    assert r["macro_auc"]["value"] == pytest.approx(roc_auc_score(truth, probs, average="macro"))
    assert "balanced_accuracy" not in r and r["operating_point"].startswith("probability >= 0.5")


def test_category_without_positives_is_reported_not_scored():
    y, probs, _ = _synthetic(1)
    y[y == 3] = 0
    r = classification_report(LABELS, y, probs, multi_label=False, n_boot=50)
    assert r["per_category"]["d"]["n_positive"] == 0 and "auc" not in r["per_category"]["d"]
    assert r["macro_auc"]["value"] == pytest.approx(
        np.mean([roc_auc_score(y == c, probs[:, c]) for c in range(3)])
    )


def test_shape_mismatch_is_an_error():
    y, probs, _ = _synthetic()
    with pytest.raises(ValueError, match="shape"):
        classification_report(LABELS, y, probs[:, :3], multi_label=False)


def test_group_bootstrap_auc_ci_is_not_fooled_by_repeated_images():
    """Three identical images per lesion: DeLong counts them as three cases and narrows by about sqrt(3); the
    lesion bootstrap CI keeps the width of the one-image-per-lesion data."""
    y, probs, _ = _synthetic(2, n=300)
    once = classification_report(LABELS, y, probs, multi_label=False, n_boot=400)
    rep = classification_report(
        LABELS,
        np.repeat(y, 3),
        np.repeat(probs, 3, axis=0),
        multi_label=False,
        groups=np.repeat(np.arange(300), 3),
        n_boot=400,
    )
    for name in LABELS:
        width = lambda ci: ci[1] - ci[0]  # noqa: E731
        single, tripled = once["per_category"][name], rep["per_category"][name]
        assert tripled["auc"] == pytest.approx(single["auc"])
        assert width(tripled["ci95"]) == pytest.approx(width(single["ci95"]) / np.sqrt(3), rel=0.05)
        assert width(tripled["ci95_group_bootstrap"]) == pytest.approx(width(single["ci95"]), rel=0.25)

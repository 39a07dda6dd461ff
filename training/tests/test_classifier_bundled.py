"""The bundled default classifier (models/classifier): its manifest, its ONNX graph against probabilities
the PyTorch checkpoint produced on 64 committed sample images, and, where the whole data set has been
converted, the re-evaluation of the official test split from the .onnx and manifest alone."""

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from training.classifier.evaluate import evaluate
from training.classifier.predictors import OnnxPredictor, predict_files

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "classifier"
REFERENCE = Path(__file__).with_name("test_classifier_reference.csv")  # written from the PyTorch checkpoint
SAMPLES = REPO / "samples" / "ham10000" / "images"
FULL_COCO = REPO / "runs" / "data" / "ham10000" / "annotations.json"

pytestmark = pytest.mark.skipif(
    not (MODEL / "model.onnx").exists(), reason="models/classifier not bundled yet"
)


@pytest.fixture(scope="module")
def manifest():
    return json.loads((MODEL / "manifest.json").read_text())


def test_manifest_matches_the_file_and_reports_the_official_test_split(manifest):
    assert manifest["sha256"] == hashlib.sha256((MODEL / "model.onnx").read_bytes()).hexdigest()
    assert (MODEL / "model.onnx").stat().st_size <= 30e6
    m = manifest["metrics"]
    assert m["data"]["split"] == "test" and m["data"]["split_file"].endswith("training/splits/ham10000.json")
    assert m["n_images"] == len(json.loads((REPO / "training/splits/ham10000.json").read_text())["test"])
    assert sorted(m["per_category"]) == sorted(manifest["labels"])
    per_category = [m["per_category"][name]["auc"] for name in manifest["labels"]]
    assert m["macro_auc"]["value"] == pytest.approx(np.mean(per_category))
    for value, (low, high) in [
        (m["macro_auc"]["value"], m["macro_auc"]["ci95"]),
        (m["balanced_accuracy"]["value"], m["balanced_accuracy"]["ci95"]),
        *((m["per_category"][name]["auc"], m["per_category"][name]["ci95"]) for name in manifest["labels"]),
    ]:
        assert 0 <= low <= value <= high <= 1
    assert manifest["training"]["split_file"] == "training/splits/ham10000.json"
    assert manifest["training"]["wall_time_s"] > 0 and "Apache-2.0" in manifest["training"]["licence"]


def test_onnx_reproduces_pytorch_probabilities_on_64_sample_images(manifest):
    torch.set_num_threads(1)
    with open(REFERENCE, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 64
    probs = predict_files(
        OnnxPredictor.from_folder(MODEL), [SAMPLES / f"{r['image_id']}.jpg" for r in rows], progress=False
    )
    expected = np.array([[float(r[label]) for label in manifest["labels"]] for r in rows])
    assert np.abs(probs - expected).max() < 1e-4


@pytest.mark.skipif(
    not FULL_COCO.exists(), reason=f"{FULL_COCO} missing: run python -m training convert first"
)
def test_reevaluation_from_onnx_and_manifest_alone(manifest):
    torch.set_num_threads(2)
    report, *_ = evaluate(
        OnnxPredictor.from_folder(MODEL), FULL_COCO, REPO / "training/splits/ham10000.json", "test", n_boot=50
    )
    assert report["macro_auc"]["value"] == pytest.approx(manifest["metrics"]["macro_auc"]["value"], abs=0.002)
    for name, entry in manifest["metrics"]["per_category"].items():
        assert report["per_category"][name]["auc"] == pytest.approx(entry["auc"], abs=0.002)

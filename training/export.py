"""`python -m training export`: a checkpoint -> model folder (model.onnx + manifest.json, models/README.md).

The checkpoint's `meta.task` picks the exporter module, which provides
`export_model(ckpt: dict, onnx_path: Path, args) -> dict` (writes the ONNX file there, returns the manifest
without schema_version, sha256 and metrics). This command attaches the metrics report, then installs
model.onnx and manifest.json together; a failure before that leaves an existing model folder as it was.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import torch

from training.manifest import install_model

EXPORTERS = {
    "classification": "training.classifier.export",
    "detection": "training.detector.export",
}
OPSET = 17


def add_arguments(p) -> None:
    p.add_argument("--checkpoint", required=True, help="training checkpoint (best.pt)")
    p.add_argument("--out", required=True, help="model folder to write (model.onnx + manifest.json)")
    p.add_argument("--metrics", required=True, help="the test-split report.json of this checkpoint")
    p.add_argument("--name", default=None, help="model name (default: from the checkpoint)")
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--opset", type=int, default=OPSET)
    p.add_argument(
        "--parity-coco", default=None, help="with --parity-split-file: check ONNX vs PyTorch on images"
    )
    p.add_argument("--parity-split-file", default=None)
    p.add_argument("--parity-split", default="test")
    p.add_argument("--parity-images", type=int, default=64)


def main(args) -> int:
    ckpt = torch.load(args.checkpoint, map_location="cpu", weights_only=False)
    task = ckpt.get("meta", {}).get("task") if isinstance(ckpt, dict) else None
    if task not in EXPORTERS:
        raise SystemExit(f"{args.checkpoint}: meta.task is {task!r}; expected one of {sorted(EXPORTERS)}")
    metrics_path = Path(args.metrics)
    try:
        metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise SystemExit(f"{metrics_path}: not a readable report ({e})") from e
    if metrics.get("task") != task:
        raise SystemExit(f"{metrics_path}: a {metrics.get('task')!r} report, but the checkpoint is {task!r}")
    model_dir = Path(args.out)
    model_dir.mkdir(parents=True, exist_ok=True)
    exporter = importlib.import_module(EXPORTERS[task])
    staged = model_dir / ".model.onnx.tmp"
    try:
        manifest = exporter.export_model(ckpt, staged, args)
        manifest = install_model(model_dir, staged, {**manifest, "metrics": metrics})
    finally:
        staged.unlink(missing_ok=True)
    size_mb = (model_dir / "model.onnx").stat().st_size / 1e6
    print(
        f"wrote {model_dir / 'model.onnx'} ({size_mb:.1f} MB, sha256 {manifest['sha256'][:12]}...)"
        " and manifest.json"
    )
    return 0

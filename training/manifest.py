"""The model-folder manifest (models/README.md): assembled, checked and written beside model.onnx."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from training.data.dataset import write_text_atomic

SCHEMA_VERSION = 1
REQUIRED = (
    "schema_version",
    "task",
    "name",
    "version",
    "labels",
    "multi_label",
    "input",
    "outputs",
    "sha256",
    "onnx",
    "training",
    "metrics",
)
REQUIRED_INPUT = (
    "name",
    "layout",
    "dtype",
    "width",
    "height",
    "color",
    "resize",
    "interpolation",
    "scale",
    "mean",
    "std",
    "pad_value",
)
REQUIRED_TRAINING = (
    "dataset",
    "split_file",
    "counts_per_category",
    "recipe",
    "command",
    "seed",
    "epochs",
    "wall_time_s",
    "hardware",
    "backbone",
    "pretrained_weights",
    "licence",
)


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_manifest(manifest: dict) -> None:
    """Raise ValueError naming the first missing field, so no incomplete manifest is ever written."""
    for key in REQUIRED:
        if key not in manifest:
            raise ValueError(f"manifest: missing field '{key}'")
    for key in REQUIRED_INPUT:
        if key not in manifest["input"]:
            raise ValueError(f"manifest: missing field 'input.{key}'")
    for key in REQUIRED_TRAINING:
        if key not in manifest["training"]:
            raise ValueError(f"manifest: missing field 'training.{key}'")
    if manifest["task"] not in ("classification", "detection"):
        raise ValueError(f"manifest: task must be 'classification' or 'detection', got {manifest['task']!r}")
    if manifest["input"]["layout"] != "NCHW" or manifest["input"]["dtype"] != "float32":
        raise ValueError("manifest: input must be NCHW float32")


def install_model(model_dir, onnx_file, manifest: dict) -> dict:
    """Add schema_version and the sha256 of `onnx_file`, check the manifest, then move the file into place as
    model_dir/model.onnx and write manifest.json atomically; a bad manifest leaves the folder untouched."""
    model_dir = Path(model_dir)
    manifest = {"schema_version": SCHEMA_VERSION, **manifest, "sha256": sha256_file(onnx_file)}
    check_manifest(manifest)
    text = json.dumps(manifest, indent=1, allow_nan=False) + "\n"
    Path(onnx_file).replace(model_dir / "model.onnx")
    write_text_atomic(model_dir / "manifest.json", text)
    return manifest

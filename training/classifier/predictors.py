"""Two ways to get probabilities for a list of image files, both through the README preprocessing:
a PyTorch checkpoint (as trained) and an exported ONNX model folder (as the app runs it)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from training.classifier.color_constancy import color_constancy_module
from training.classifier.models import ProbabilityModel, build_backbone
from training.common.image import InputSpec, model_input


def load_checkpoint(path) -> dict:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: checkpoint not found")
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    if not isinstance(ckpt, dict) or "meta" not in ckpt or not ("model" in ckpt or "members" in ckpt):
        raise ValueError(f"{path}: not a training checkpoint (expected keys 'meta' and 'model' or 'members')")
    return ckpt


def probability_model(ckpt: dict) -> torch.nn.Module:
    if "members" in ckpt:
        from training.classifier.ensemble import ensemble_model

        return ensemble_model(ckpt, probability_model)
    meta = ckpt["meta"]
    backbone, _ = build_backbone(meta["backbone"], len(meta["labels"]), pretrained=False)
    backbone.load_state_dict(ckpt["model"])
    color = color_constancy_module(meta)
    return ProbabilityModel(backbone, meta["multi_label"], meta["flip_tta"], color).eval()


class CheckpointPredictor:
    def __init__(self, checkpoint, device: torch.device | str = "cpu"):
        """checkpoint: a path, or an already loaded checkpoint dict."""
        ckpt = checkpoint if isinstance(checkpoint, dict) else load_checkpoint(checkpoint)
        self.device = torch.device(device)
        self.meta = ckpt["meta"]
        self.labels = self.meta["labels"]
        self.multi_label = self.meta["multi_label"]
        self.spec = InputSpec.from_manifest(self.meta["input"])
        self.model = probability_model(ckpt).to(self.device)

    def run(self, batch: torch.Tensor) -> np.ndarray:
        with torch.inference_mode():
            return self.model(batch.to(self.device)).cpu().numpy()


class OnnxPredictor:
    """An ONNX file run by ONNX Runtime, fed by the preprocessing that `meta` (a manifest) describes."""

    def __init__(self, onnx_path, meta: dict):
        import onnxruntime as ort

        self.meta = meta
        self.labels = meta["labels"]
        self.multi_label = meta["multi_label"]
        self.spec = InputSpec.from_manifest(meta["input"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = torch.get_num_threads()
        self.session = ort.InferenceSession(str(onnx_path), options, providers=["CPUExecutionProvider"])
        self.output = meta["outputs"][0]["name"] if "outputs" in meta else "probabilities"

    @classmethod
    def from_folder(cls, model_dir) -> OnnxPredictor:
        """model.onnx + manifest.json only: nothing from training is needed."""
        model_dir = Path(model_dir)
        manifest_path = model_dir / "manifest.json"
        try:
            meta = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"{manifest_path}: not a readable manifest ({e})") from e
        if meta.get("task") != "classification":
            raise ValueError(f"{manifest_path}: task is {meta.get('task')!r}, not classification")
        return cls(model_dir / "model.onnx", meta)

    def run(self, batch: torch.Tensor) -> np.ndarray:
        return self.session.run([self.output], {self.spec.name: batch.numpy()})[0]


def predict_files(predictor, paths: list, batch_size: int = 32, progress: bool = True) -> np.ndarray:
    out = []
    for i in tqdm(range(0, len(paths), batch_size), desc="predict", mininterval=30, disable=not progress):
        batch = torch.stack([model_input(p, predictor.spec) for p in paths[i : i + batch_size]])
        out.append(predictor.run(batch))
    return np.concatenate(out) if out else np.zeros((0, len(predictor.labels)), dtype=np.float32)

"""Writes tests/fixtures/models/tiny-classifier/: a tiny real ONNX classifier (random weights, fixed seed) over
the 7 HAM10000 categories with its manifest, for the app's tests of the model registry and inference.

usage: .venv/bin/python scripts/make-test-model.py [OUT_DIR]
"""

import hashlib
import json
import sys
from pathlib import Path

import torch
from torch import nn

LABELS = ["akiec", "bcc", "bkl", "df", "mel", "nv", "vasc"]
SIZE = 64


class Tiny(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1),
            nn.ReLU(),
        )
        self.head = nn.Linear(16, len(LABELS))

    def forward(self, x):
        return torch.softmax(self.head(self.features(x).mean(dim=(2, 3))), dim=1)


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/models/tiny-classifier")
    out.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    model = Tiny().eval()
    onnx_path = out / "model.onnx"
    torch.onnx.export(
        model,
        torch.zeros(1, 3, SIZE, SIZE),
        str(onnx_path),
        input_names=["input"],
        output_names=["probabilities"],
        dynamic_axes={"input": {0: "N"}, "probabilities": {0: "N"}},
        opset_version=17,
        dynamo=False,
    )
    manifest = {
        "schema_version": 1,
        "task": "classification",
        "name": "tiny-test-classifier",
        "version": "0.0.1",
        "labels": LABELS,
        "multi_label": False,
        "input": {
            "name": "input",
            "layout": "NCHW",
            "dtype": "float32",
            "width": SIZE,
            "height": SIZE,
            "color": "RGB",
            "resize": "stretch",
            "interpolation": "bilinear-antialias",
            "scale": 1 / 255,
            "mean": [0.485, 0.456, 0.406],
            "std": [0.229, 0.224, 0.225],
            "pad_value": [0, 0, 0],
        },
        "outputs": [
            {"name": "probabilities", "shape": ["N", len(LABELS)], "meaning": "softmax probabilities"}
        ],
        "sha256": hashlib.sha256(onnx_path.read_bytes()).hexdigest(),
        "onnx": {"opset": 17, "dynamic_batch": True},
        "training": {
            "recipe": "none: random weights (seed 0) for tests",
            "command": "scripts/make-test-model.py",
            "seed": 0,
        },
        "metrics": {},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()

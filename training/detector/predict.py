"""`python -m training predict-detector --model DIR --coco SPLIT.json --out DETS.json`: run an exported
detector (onnxruntime) over every image of a COCO file and write COCO results, with `category_id` taken from
that file's categories matched by name."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from tqdm import tqdm

from training.common.image import InputSpec
from training.data.dataset import load_coco, write_text_atomic

from .decode import DecodeConfig, Decoder
from .transforms import preprocess


class ExportedDetector:
    """An exported model folder: checks the manifest and hash, runs the graph, decodes with decode.py."""

    def __init__(self, model_dir, threads: int = 1):
        import onnxruntime as ort

        model_dir = Path(model_dir)
        manifest_path, onnx_path = model_dir / "manifest.json", model_dir / "model.onnx"
        for p in (manifest_path, onnx_path):
            if not p.is_file():
                raise SystemExit(f"predict-detector: {p} not found")
        self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if self.manifest.get("task") != "detection":
            raise SystemExit(f"{manifest_path}: task is {self.manifest.get('task')!r}, not 'detection'")
        digest = hashlib.sha256(onnx_path.read_bytes()).hexdigest()
        if digest != self.manifest.get("sha256"):
            raise SystemExit(
                f"{onnx_path}: sha256 {digest} does not match {manifest_path} ({self.manifest.get('sha256')})"
            )
        self.labels: list[str] = self.manifest["labels"]
        self.spec = InputSpec.from_manifest(self.manifest["input"])
        if self.spec.resize != "letterbox":
            raise SystemExit(f"{manifest_path}: input.resize must be 'letterbox' for a detector")
        self.decoder = Decoder(DecodeConfig.from_manifest(self.manifest))
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self.input_name = self.manifest["input"]["name"]

    def input_tensor(self, path) -> tuple[np.ndarray, float, int, int]:
        x, scale, w, h = preprocess(path, self.spec)
        return x[None].numpy(), scale, w, h

    def raw(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scores, deltas = self.session.run(["scores", "deltas"], {self.input_name: x})
        return scores, deltas

    def __call__(self, path):
        x, s, w, h = self.input_tensor(path)
        scores, deltas = self.raw(x)
        return self.decoder(scores[0], deltas[0], s, w, h)


def category_map(labels: list[str], coco_path, categories: list[dict]) -> dict[int, int]:
    """Model label index -> the COCO file's category id, by name; labels the file lacks are dropped."""
    by_name = {c["name"]: c["id"] for c in categories}
    mapping = {i: by_name[name] for i, name in enumerate(labels) if name in by_name}
    if not mapping:
        raise SystemExit(f"{coco_path}: none of its categories {sorted(by_name)} is a model label {labels}")
    return mapping


def predict(model_dir, coco_path, threads: int = 1) -> list[dict]:
    model = ExportedDetector(model_dir, threads)
    doc = json.loads(Path(coco_path).read_text(encoding="utf-8"))
    ds = load_coco(coco_path)  # validates the file and resolves each image's path
    mapping = category_map(model.labels, coco_path, doc["categories"])
    results = []
    for entry, record in tqdm(
        list(zip(doc["images"], ds.images, strict=True)), desc="predict", mininterval=10
    ):
        d = model(record.path)
        for box, score, label in zip(d.boxes, d.scores, d.labels, strict=True):
            if int(label) not in mapping:
                continue
            x0, y0, x1, y1 = (float(v) for v in box)
            results.append(
                {
                    "image_id": entry["id"],
                    "category_id": mapping[int(label)],
                    "bbox": [round(x0, 3), round(y0, 3), round(x1 - x0, 3), round(y1 - y0, 3)],
                    "score": round(float(score), 6),
                }
            )
    return results


def add_arguments(p):
    p.add_argument("--model", required=True, help="model folder with model.onnx + manifest.json")
    p.add_argument("--coco", required=True, help="COCO file whose images to run")
    p.add_argument("--out", required=True, help="detections JSON (COCO results format) to write")
    p.add_argument("--threads", type=int, default=1)


def main(args) -> int:
    results = predict(args.model, args.coco, args.threads)
    write_text_atomic(Path(args.out), json.dumps(results))
    print(f"{len(results)} detections -> {args.out}")
    return 0

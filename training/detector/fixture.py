"""Decode-parity fixture: an exported detector's raw outputs on a few images (gzipped float32, little-endian)
plus the boxes `decode.py` makes of them. `main/core/inference/detection-decode.test.ts` decodes the same raw
outputs and must agree.
Run: `python -m training.detector.fixture --model DIR --images A.jpg B.jpg --out DIR`."""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from training.data.dataset import write_text_atomic

from .predict import ExportedDetector


def write_fixture(model_dir, images: list, out_dir, name: str = "decode") -> Path:
    model = ExportedDetector(model_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for k, path in enumerate(images):
        x, s, w, h = model.input_tensor(path)
        scores, deltas = model.raw(x)
        d = model.decoder(scores[0], deltas[0], s, w, h)
        files = {}
        for key, arr in (("scores", scores[0]), ("deltas", deltas[0])):
            files[key] = f"{name}-{k}.{key}.f32.gz"
            (out / files[key]).write_bytes(gzip.compress(arr.astype("<f4").tobytes(), mtime=0))
        cases.append(
            {
                "image": Path(path).name,
                "width": w,
                "height": h,
                "scale": s,
                "anchors": int(scores.shape[1]),
                "classes": int(scores.shape[2]),
                "scores_file": files["scores"],
                "deltas_file": files["deltas"],
                "expected": {
                    "boxes": d.boxes.tolist(),
                    "scores": d.scores.tolist(),
                    "labels": d.labels.tolist(),
                },
            }
        )
    doc = {
        "model": model.manifest["name"],
        "manifest": {k: model.manifest[k] for k in ("labels", "input", "detection")},
        "cases": cases,
    }
    path = out / f"{name}.json"
    write_text_atomic(path, json.dumps(doc, indent=1) + "\n")
    return path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.detector.fixture")
    p.add_argument("--model", required=True)
    p.add_argument("--images", nargs="+", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--name", default="decode")
    args = p.parse_args(argv)
    path = write_fixture(args.model, args.images, args.out, args.name)
    counts = [len(c["expected"]["scores"]) for c in json.loads(path.read_text())["cases"]]
    print(f"{path}: {len(counts)} images, detections per image {counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Python twin of scripts/bench-inference.ts: decode (PIL) + preprocess (training.common.image, the training-time
evaluation path) + ONNX Runtime, images/s for each batch size and thread count. Prints one JSON line.

usage: python scripts/bench-inference-python.py --model DIR --batches 1,16 --threads 1,2 IMAGE...
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from training.common.image import InputSpec, model_input


def run(session, name: str, spec: InputSpec, paths: list[str]) -> None:
    x = np.stack([model_input(p, spec).numpy() for p in paths])
    session.run(None, {name: x})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--batches", default="1,16")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("images", nargs="+")
    args = parser.parse_args()
    manifest = json.loads((Path(args.model) / "manifest.json").read_text())
    spec = InputSpec.from_manifest(manifest["input"])
    results = []
    for threads in [int(t) for t in args.threads.split(",")]:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        session = ort.InferenceSession(
            str(Path(args.model) / "model.onnx"), options, providers=["CPUExecutionProvider"]
        )
        name = manifest["input"]["name"]
        for batch in [int(b) for b in args.batches.split(",")]:
            run(session, name, spec, args.images[:batch])  # warm-up
            start = time.perf_counter()
            for i in range(0, len(args.images), batch):
                run(session, name, spec, args.images[i : i + batch])
            seconds = time.perf_counter() - start
            results.append({"threads": threads, "batch": batch, "images_per_s": len(args.images) / seconds})
    print(json.dumps(results))


if __name__ == "__main__":
    main()

"""Latency of an exported detector with onnxruntime on one CPU thread at the model's input size: the graph
alone (batch 1) and the whole path for one image (decode JPEG, letterbox, graph, decode + NMS).

Run: `.venv/bin/python -m training.detector.bench_latency --model models/detector [--image PATH]`"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np

from .predict import ExportedDetector


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def summary(ms: list[float]) -> str:
    p95 = sorted(ms)[max(0, round(0.95 * len(ms)) - 1)]
    return f"median {statistics.median(ms):7.1f} ms  mean {statistics.mean(ms):7.1f} ms  p95 {p95:7.1f} ms"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.detector.bench_latency")
    p.add_argument("--model", default="models/detector")
    p.add_argument("--image", help="image for the end-to-end timing (default: the first sample image)")
    p.add_argument("--runs", type=int, default=30)
    args = p.parse_args(argv)
    model = ExportedDetector(args.model, threads=1)
    spec = model.spec
    x = np.random.default_rng(0).standard_normal((1, 3, spec.height, spec.width)).astype(np.float32)
    graph = timed(lambda: model.raw(x), args.runs)
    image = args.image or str(sorted(Path("samples/acne04/images").glob("*.jpg"))[0])
    full = timed(lambda: model(image), args.runs)
    print(
        f"model {model.manifest['name']} {model.manifest['version']}, input {spec.width}x{spec.height}, "
        f"onnxruntime 1 thread, {platform.machine()}, {args.runs} runs"
    )
    print(f"  graph only (batch 1):            {summary(graph)}")
    print(f"  image -> boxes ({Path(image).name[:24]}): {summary(full)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Anchor layout shared by training, export (written to the manifest) and the reference decoder.

Order of anchors in the outputs: level by level (increasing stride), then row (y), column (x), then the
anchor index within a location, which runs over sizes (outer) then aspect ratios (inner). A location at
(row, col) of a level with stride s has its centre at ((col + 0.5) * s, (row + 0.5) * s) in input pixels.
An anchor of size z and aspect ratio r (= height / width) has width z / sqrt(r) and height z * sqrt(r)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Level:
    stride: int
    sizes: tuple[float, ...]
    aspect_ratios: tuple[float, ...]


@dataclass(frozen=True)
class AnchorConfig:
    levels: tuple[Level, ...]

    @property
    def anchors_per_location(self) -> int:
        counts = {len(lv.sizes) * len(lv.aspect_ratios) for lv in self.levels}
        if len(counts) != 1:
            raise ValueError("every level must have the same number of anchors per location")
        return counts.pop()

    def to_manifest(self) -> dict:
        return {
            "order": "level, row, column, size, aspect_ratio",
            "center": "(column + 0.5) * stride, (row + 0.5) * stride",
            "aspect_ratio": "height / width",
            "feature_size": "ceil(input / stride) per level",
            "levels": [
                {"stride": lv.stride, "sizes": list(lv.sizes), "aspect_ratios": list(lv.aspect_ratios)}
                for lv in self.levels
            ],
        }

    @classmethod
    def from_manifest(cls, d: dict) -> AnchorConfig:
        return cls(
            tuple(Level(int(x["stride"]), tuple(x["sizes"]), tuple(x["aspect_ratios"])) for x in d["levels"])
        )


def default_anchors(smallest: float = 12.0) -> AnchorConfig:
    """Four levels (strides 8-64), three sizes per octave from `smallest` doubling per level, three shapes."""
    octave = (1.0, 2 ** (1 / 3), 2 ** (2 / 3))
    ratios = (0.5, 1.0, 2.0)
    return AnchorConfig(
        tuple(
            Level(s, tuple(round(smallest * 2**i * o, 3) for o in octave), ratios)
            for i, s in enumerate((8, 16, 32, 64))
        )
    )


def feature_size(input_size: int, stride: int) -> int:
    # Matches the network: each stride-2 layer maps n to ceil(n / 2).
    n = input_size
    for _ in range(int(math.log2(stride))):
        n = (n + 1) // 2
    return n


def generate_anchors(cfg: AnchorConfig, width: int, height: int) -> np.ndarray:
    """All anchors as [A, 4] xyxy float64 in input pixels, in output order."""
    out = []
    for lv in cfg.levels:
        fw, fh = feature_size(width, lv.stride), feature_size(height, lv.stride)
        shapes = []
        for z in lv.sizes:
            for r in lv.aspect_ratios:
                w, h = z / math.sqrt(r), z * math.sqrt(r)
                shapes.append((-w / 2, -h / 2, w / 2, h / 2))
        shapes = np.array(shapes)  # [k, 4]
        cx = (np.arange(fw) + 0.5) * lv.stride
        cy = (np.arange(fh) + 0.5) * lv.stride
        cyy, cxx = np.meshgrid(cy, cx, indexing="ij")
        centres = np.stack([cxx, cyy, cxx, cyy], -1).reshape(-1, 1, 4)  # [fh*fw, 1, 4]
        out.append((centres + shapes[None]).reshape(-1, 4))
    return np.concatenate(out, 0)

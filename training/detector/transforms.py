"""Image loading, the letterbox preprocessing of models/README.md, and the training augmentations."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np
import torch

from training.common.image import (
    InputSpec,
    letterbox_scale,
    load_rgb,
    normalize,
    preprocess_geometry,
    resize,
)
from training.data.dataset import ImageRecord

from . import backbone

PAD_VALUE = 0


def input_spec(width: int, height: int) -> InputSpec:
    """The detector's model input: letterbox on black, the backbone's own normalisation."""
    return InputSpec(
        width=width,
        height=height,
        resize="letterbox",
        mean=backbone.MEAN,
        std=backbone.STD,
        pad_value=(PAD_VALUE,) * 3,
    )


def preprocess(path, spec: InputSpec) -> tuple[torch.Tensor, float, int, int]:
    """The inference preprocessing: normalised [3, height, width] tensor, the letterbox scale and the decoded
    image's width and height (what decoding maps the boxes back to)."""
    img = load_rgb(path)
    h, w = int(img.shape[-2]), int(img.shape[-1])
    return normalize(preprocess_geometry(img, spec), spec), letterbox_scale(w, h, spec), w, h


def boxes_of(record: ImageRecord, categories: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Boxes as [K, 4] xyxy float32 and labels as [K] int64 indices into `categories`."""
    index = {c: i for i, c in enumerate(categories)}
    xyxy = np.array([b.xyxy() for b in record.boxes], dtype=np.float32).reshape(-1, 4)
    labels = np.array([index[b.label] for b in record.boxes], dtype=np.int64)
    return xyxy, labels


@dataclass
class TrainAugment:
    """Letterbox at a random scale around the inference scale, random crop/placement on a `crop` canvas,
    flips and a brightness/contrast jitter. Boxes whose centre leaves the crop are dropped. The image is
    worked on where it lives (CPU or GPU); the random draws come from `rng` alone."""

    width: int  # inference input size
    height: int
    crop_width: int  # training canvas (<= input size for large images: crops keep the inference scale)
    crop_height: int
    scale_jitter: tuple[float, float] = (0.8, 1.25)
    vertical_flip: bool = True
    spec: InputSpec = field(init=False)

    def __post_init__(self):
        self.spec = input_spec(self.width, self.height)

    def __call__(self, img: torch.Tensor, xyxy: np.ndarray, labels: np.ndarray, rng: random.Random):
        h, w = img.shape[-2:]
        s = min(self.width / w, self.height / h) * rng.uniform(*self.scale_jitter)
        nw, nh = max(1, round(w * s)), max(1, round(h * s))
        img = resize(img, nw, nh)
        contrast, brightness = rng.uniform(0.85, 1.15), rng.uniform(-20, 20)
        img = ((img - 128) * contrast + 128 + brightness).clamp(0, 255)
        boxes = xyxy * np.array([nw / w, nh / h, nw / w, nh / h], dtype=np.float32)
        # Offset of the resized image on the crop canvas: negative = crop into it, positive = padding.
        ox = rng.randint(min(0, self.crop_width - nw), max(0, self.crop_width - nw))
        oy = rng.randint(min(0, self.crop_height - nh), max(0, self.crop_height - nh))
        canvas = torch.full((3, self.crop_height, self.crop_width), float(PAD_VALUE), device=img.device)
        sx0, sy0 = max(0, -ox), max(0, -oy)
        dx0, dy0 = max(0, ox), max(0, oy)
        cw, ch = min(nw - sx0, self.crop_width - dx0), min(nh - sy0, self.crop_height - dy0)
        canvas[:, dy0 : dy0 + ch, dx0 : dx0 + cw] = img[:, sy0 : sy0 + ch, sx0 : sx0 + cw]
        boxes = boxes + np.array([ox, oy, ox, oy], dtype=np.float32)
        centre = (boxes[:, :2] + boxes[:, 2:]) / 2
        keep = (
            (centre[:, 0] > dx0)
            & (centre[:, 0] < dx0 + cw)
            & (centre[:, 1] > dy0)
            & (centre[:, 1] < dy0 + ch)
        )
        boxes, labels = boxes[keep], labels[keep]
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(dx0, dx0 + cw)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(dy0, dy0 + ch)
        if rng.random() < 0.5:
            canvas = canvas.flip(-1)
            boxes[:, [0, 2]] = self.crop_width - boxes[:, [2, 0]]
        if self.vertical_flip and rng.random() < 0.5:
            canvas = canvas.flip(-2)
            boxes[:, [1, 3]] = self.crop_height - boxes[:, [3, 1]]
        return normalize(canvas, self.spec), boxes, labels

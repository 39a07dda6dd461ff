"""Image-level labels from a COCO dataset, the in-memory image cache, and batch augmentation for training."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from training.common.image import InputSpec, load_rgb, normalize, preprocess_geometry
from training.data.dataset import Dataset, DatasetError


def load_split_ids(split_file, name: str) -> list[str]:
    """The image ids of one split (`train`, `val`, `test`) from a split file."""
    path = Path(split_file)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise DatasetError(f"{path}: not a readable split file ({e})") from e
    splits = doc.get("splits", doc) if isinstance(doc, dict) else None
    if not isinstance(splits, dict) or name not in splits:
        found = sorted(splits) if isinstance(splits, dict) else type(doc).__name__
        raise DatasetError(f"{path}: no split named {name!r} (found {found})")
    ids = splits[name]
    if isinstance(ids, dict):  # {"image_ids": [...], ...}
        ids = ids.get("image_ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise DatasetError(f"{path}: split {name!r} must list image ids as strings")
    return ids


def is_multi_label(ds: Dataset) -> bool:
    return any(len(im.labels()) > 1 for im in ds.images)


def label_targets(ds: Dataset, multi_label: bool) -> torch.Tensor:
    """Class index per image (single-label) or a 0/1 row per image (multi-label)."""
    index = {name: i for i, name in enumerate(ds.categories)}
    if multi_label:
        targets = torch.zeros(len(ds.images), len(ds.categories))
        for row, im in enumerate(ds.images):
            for label in im.labels():
                targets[row, index[label]] = 1.0
        return targets
    out = []
    for im in ds.images:
        labels = im.labels()
        if len(labels) != 1:
            raise DatasetError(
                f"image {im.image_id}: expected one lesion category, found {sorted(labels) or 'none'}"
            )
        out.append(index[labels.pop()])
    return torch.tensor(out, dtype=torch.long)


def counts_per_category(ds: Dataset) -> dict[str, int]:
    counts = {name: 0 for name in ds.categories}
    for im in ds.images:
        for label in im.labels():
            counts[label] += 1
    return counts


def cache_images(ds: Dataset, spec: InputSpec, desc: str = "decode") -> torch.Tensor:
    """All images after the README's geometry step (float 0-255), kept as float16: N x 3 x height x width.

    Integer pixel values are exact in float16, so for images already at the input size nothing is lost.
    """
    out = torch.empty(len(ds.images), 3, spec.height, spec.width, dtype=torch.float16)
    for i, im in enumerate(tqdm(ds.images, desc=desc, mininterval=30, leave=False)):
        out[i] = preprocess_geometry(load_rgb(im.path), spec)
    return out


@dataclass(frozen=True)
class Augmentation:
    """Light, skin-appropriate augmentation applied to a batch of 0-255 images before normalization:
    flips (no canonical orientation in dermoscopy), rotation with reflection fill, mild zoom and shift,
    and mild brightness / contrast / saturation changes (camera and lighting differences)."""

    rotation_deg: float = 30.0
    zoom: tuple[float, float] = (0.9, 1.15)
    shift: float = 0.05
    brightness: float = 0.15
    contrast: float = 0.15
    saturation: float = 0.15

    def __call__(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        n, _, h, w = x.shape

        def uniform(low, high, *shape):
            return torch.rand(*shape, generator=generator) * (high - low) + low

        def uniform_on_device(low, high, *shape):
            # drawn on the CPU generator, so a seed gives the same augmentation on any device
            return uniform(low, high, *shape).to(x.device)

        angle = uniform(-self.rotation_deg, self.rotation_deg, n) * math.pi / 180
        scale = uniform(*self.zoom, n)
        flip_x = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
        flip_y = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
        cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
        # Rotation in pixel space, written in the normalized [-1, 1] coordinates of a w x h image.
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0], theta[:, 0, 1] = cos * flip_x, -sin * (h / w) * flip_y
        theta[:, 1, 0], theta[:, 1, 1] = sin * (w / h) * flip_x, cos * flip_y
        theta[:, :, 2] = uniform(-self.shift, self.shift, n, 2) * 2
        grid = F.affine_grid(theta.to(x.device), list(x.shape), align_corners=False)
        x = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)

        gray = (0.299 * x[:, 0] + 0.587 * x[:, 1] + 0.114 * x[:, 2]).unsqueeze(1)
        sat = uniform_on_device(1 - self.saturation, 1 + self.saturation, n, 1, 1, 1)
        x = gray + (x - gray) * sat
        con = uniform_on_device(1 - self.contrast, 1 + self.contrast, n, 1, 1, 1)
        x = gray.mean(dim=(2, 3), keepdim=True) + (x - gray.mean(dim=(2, 3), keepdim=True)) * con
        x = x * uniform_on_device(1 - self.brightness, 1 + self.brightness, n, 1, 1, 1)
        return x.clamp(0, 255)


def model_batch(cached: torch.Tensor, spec: InputSpec) -> torch.Tensor:
    """Cached 0-255 images -> normalized float32 network input in channels-last memory order."""
    return normalize(cached.float(), spec).contiguous(memory_format=torch.channels_last)

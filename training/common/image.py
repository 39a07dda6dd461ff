"""Image decoding and the model-input preprocessing of models/README.md (shared with the TypeScript app).

Every model path (training-time validation, evaluation, export parity) goes through `preprocess_geometry` and
`normalize`, so the numbers a manifest carries are the numbers the app reproduces.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageOps, UnidentifiedImageError

RESIZE_MODES = ("stretch", "letterbox", "shorter-side-center-crop")
INTERPOLATION = "bilinear-antialias"


class ImageDecodeError(ValueError):
    """An image file that cannot be read; the message names the file."""


def load_rgb(path) -> torch.Tensor:
    """Decode to 8-bit RGB with the EXIF orientation applied and alpha dropped: float32 CHW in 0-255."""
    try:
        with Image.open(path) as im:
            im = ImageOps.exif_transpose(im)
            array = np.asarray(im.convert("RGB"), dtype=np.uint8)
    except (OSError, UnidentifiedImageError, ValueError) as e:
        raise ImageDecodeError(f"{path}: cannot decode image ({e})") from e
    return torch.from_numpy(array.copy()).permute(2, 0, 1).float()


def resize(x: torch.Tensor, width: int, height: int) -> torch.Tensor:
    """The one resampler: separable antialiased triangle filter on float 0-255, no rounding afterwards."""
    if tuple(x.shape[-2:]) == (height, width):
        return x  # scale 1 samples exactly at the pixel centres: identity
    batched = x.unsqueeze(0) if x.dim() == 3 else x
    out = F.interpolate(batched, size=(height, width), mode="bilinear", align_corners=False, antialias=True)
    return out[0] if x.dim() == 3 else out


@dataclass(frozen=True)
class InputSpec:
    """The manifest's `input` block: everything needed to turn a decoded image into the model's input."""

    width: int
    height: int
    resize: str = "stretch"
    mean: tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: tuple[float, float, float] = (0.229, 0.224, 0.225)
    scale: float = 1.0 / 255.0
    pad_value: tuple[int, int, int] = (0, 0, 0)
    name: str = "image"

    def __post_init__(self):
        if self.resize not in RESIZE_MODES:
            raise ValueError(f"resize must be one of {RESIZE_MODES}, got {self.resize!r}")

    def manifest(self) -> dict:
        return {
            "name": self.name,
            "layout": "NCHW",
            "dtype": "float32",
            "width": self.width,
            "height": self.height,
            "color": "RGB",
            "resize": self.resize,
            "interpolation": INTERPOLATION,
            "scale": self.scale,
            "mean": list(self.mean),
            "std": list(self.std),
            "pad_value": list(self.pad_value),
        }

    @classmethod
    def from_manifest(cls, block: dict) -> InputSpec:
        for key, expected in (("layout", "NCHW"), ("color", "RGB"), ("interpolation", INTERPOLATION)):
            if block.get(key) != expected:
                raise ValueError(f"manifest input.{key} must be {expected!r}, got {block.get(key)!r}")
        return cls(
            width=int(block["width"]),
            height=int(block["height"]),
            resize=block["resize"],
            mean=tuple(block["mean"]),
            std=tuple(block["std"]),
            scale=float(block["scale"]),
            pad_value=tuple(block.get("pad_value", (0, 0, 0))),
            name=block.get("name", "image"),
        )


def letterbox_scale(width: int, height: int, spec: InputSpec) -> float:
    """The factor letterbox resizing applies to a width x height image (detections are mapped back by it)."""
    return min(spec.width / width, spec.height / height)


def preprocess_geometry(x: torch.Tensor, spec: InputSpec) -> torch.Tensor:
    """Step 2-3 of the README: CHW float 0-255 -> 3 x height x width float 0-255."""
    h, w = int(x.shape[-2]), int(x.shape[-1])
    if spec.resize == "stretch":
        return resize(x, spec.width, spec.height)
    if spec.resize == "letterbox":
        s = letterbox_scale(w, h, spec)
        nw, nh = max(1, round(w * s)), max(1, round(h * s))
        canvas = (
            torch.tensor(spec.pad_value, dtype=torch.float32).view(3, 1, 1).expand(3, spec.height, spec.width)
        )
        canvas = canvas.clone()
        canvas[:, :nh, :nw] = resize(x, nw, nh)
        return canvas
    s = max(
        spec.width / w, spec.height / h
    )  # shorter-side-center-crop: cover the target, then crop its centre
    nw, nh = max(spec.width, round(w * s)), max(spec.height, round(h * s))
    scaled = resize(x, nw, nh)
    left, top = (nw - spec.width) // 2, (nh - spec.height) // 2
    return scaled[:, top : top + spec.height, left : left + spec.width]


def normalize(x: torch.Tensor, spec: InputSpec) -> torch.Tensor:
    """Step 4: (pixel * scale - mean[c]) / std[c], on CHW or NCHW."""
    shape = (3, 1, 1) if x.dim() == 3 else (1, 3, 1, 1)
    mean = torch.tensor(spec.mean, dtype=torch.float32, device=x.device).view(shape)
    std = torch.tensor(spec.std, dtype=torch.float32, device=x.device).view(shape)
    return (x * spec.scale - mean) / std


def model_input(path, spec: InputSpec) -> torch.Tensor:
    """The full README pipeline for one file: 3 x height x width float32, ready for the network."""
    return normalize(preprocess_geometry(load_rgb(Path(path)), spec), spec)

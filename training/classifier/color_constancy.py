"""Shades of Gray colour constancy (Finlayson & Trezzi 2004; used by ISIC 2018-2019 entries): each image's
illuminant is estimated per channel as the p-norm of its pixels and divided out, so that dermatoscopes and
cameras with different colour casts give the network the same colours. It runs inside the model (and so inside
the exported graph), after the manifest's preprocessing: the app and the manifest need nothing new."""

from __future__ import annotations

import torch
from torch import nn

from training.common.image import InputSpec

METHOD = "shades-of-gray"
P_NORM = 6


def shades_of_gray(pixels: torch.Tensor, p: int = P_NORM) -> torch.Tensor:
    """NCHW float pixels in 0-255 -> the same with each channel scaled so the p-norm illuminant is grey
    (the mean over channels is kept, so brightness does not change)."""
    illuminant = pixels.clamp(min=0).pow(p).mean(dim=(2, 3), keepdim=True).pow(1.0 / p)
    gain = illuminant.mean(dim=1, keepdim=True) / illuminant.clamp(min=1e-3)
    return (pixels * gain).clamp(0, 255)


class ShadesOfGray(nn.Module):
    """`shades_of_gray` on the network's normalized input: undo the normalization, correct, redo it."""

    def __init__(self, spec: InputSpec):
        super().__init__()
        self.scale = spec.scale
        self.register_buffer("mean", torch.tensor(spec.mean, dtype=torch.float32).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor(spec.std, dtype=torch.float32).view(1, 3, 1, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pixels = (x * self.std + self.mean) / self.scale
        return (shades_of_gray(pixels) * self.scale - self.mean) / self.std


def color_constancy_module(meta: dict) -> ShadesOfGray | None:
    """The module a checkpoint's `color_constancy` names (checkpoints without the key have none)."""
    method = meta.get("color_constancy")
    if method is None:
        return None
    if method != METHOD:
        raise ValueError(f"unknown color_constancy {method!r} (known: {METHOD!r})")
    return ShadesOfGray(InputSpec.from_manifest(meta["input"]))

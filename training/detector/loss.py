"""Anchor matching, box coding and the RetinaNet losses (sigmoid focal loss + L1 on deltas)."""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F
from torchvision.ops import box_iou, sigmoid_focal_loss

BOX_WEIGHTS = (1.0, 1.0, 1.0, 1.0)
# Largest log-scale a delta may apply: anchors grow at most 1000/16 times (as in torchvision).
DELTA_CLAMP = math.log(1000.0 / 16)
POSITIVE_IOU = 0.5
NEGATIVE_IOU = 0.4


def encode(anchors: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """Deltas that turn xyxy `anchors` into xyxy `boxes` (both [K, 4])."""
    wx, wy, ww, wh = BOX_WEIGHTS
    aw, ah = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    ax, ay = anchors[:, 0] + 0.5 * aw, anchors[:, 1] + 0.5 * ah
    bw, bh = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    bx, by = boxes[:, 0] + 0.5 * bw, boxes[:, 1] + 0.5 * bh
    return torch.stack(
        [wx * (bx - ax) / aw, wy * (by - ay) / ah, ww * torch.log(bw / aw), wh * torch.log(bh / ah)], 1
    )


def match(anchors: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """Index of the matched box per anchor; -1 background, -2 ignored. Every box keeps its best anchors
    (low-quality matches), so even a box smaller than every anchor is learnt."""
    matched = torch.full((anchors.shape[0],), -1, dtype=torch.long)
    if boxes.numel() == 0:
        return matched
    iou = box_iou(boxes, anchors)  # [K, A]
    best_iou, best_box = iou.max(0)
    matched = torch.where(best_iou >= POSITIVE_IOU, best_box, matched)
    matched[(best_iou >= NEGATIVE_IOU) & (best_iou < POSITIVE_IOU)] = -2
    best_for_box = iou.max(1, keepdim=True).values
    box_idx, anchor_idx = torch.nonzero((iou == best_for_box) & (best_for_box > 0), as_tuple=True)
    matched[anchor_idx] = box_idx
    return matched


def detection_loss(
    logits: torch.Tensor,
    deltas: torch.Tensor,
    anchors: torch.Tensor,
    targets: list[tuple[torch.Tensor, torch.Tensor]],
) -> tuple[torch.Tensor, torch.Tensor]:
    """Focal loss over all non-ignored anchors and L1 over positive anchors, each divided by the positives."""
    cls_losses, box_losses, num_pos = [], [], 0
    for i, (boxes, labels) in enumerate(targets):
        m = match(anchors, boxes)
        pos = m >= 0
        valid = m != -2
        target = torch.zeros_like(logits[i])
        target[pos, labels[m[pos]]] = 1.0
        cls_losses.append(sigmoid_focal_loss(logits[i][valid], target[valid], reduction="sum"))
        if pos.any():
            box_losses.append(F.l1_loss(deltas[i][pos], encode(anchors[pos], boxes[m[pos]]), reduction="sum"))
        num_pos += int(pos.sum())
    norm = max(1.0, float(num_pos))
    box = torch.stack(box_losses).sum() / norm if box_losses else deltas.sum() * 0
    return torch.stack(cls_losses).sum() / norm, box

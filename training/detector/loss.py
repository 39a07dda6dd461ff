"""Anchor matching, box coding and the RetinaNet losses: sigmoid focal loss, L1 on the deltas and optionally
GIoU on the decoded boxes."""

from __future__ import annotations

import math

import torch
from torch.nn import functional as F
from torchvision.ops import box_iou, generalized_box_iou_loss, sigmoid_focal_loss

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


def decode(anchors: torch.Tensor, deltas: torch.Tensor) -> torch.Tensor:
    """xyxy boxes from `deltas` on `anchors` (both [K, 4]): the inverse of `encode`, dw/dh clamped."""
    wx, wy, ww, wh = BOX_WEIGHTS
    aw, ah = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    ax, ay = anchors[:, 0] + 0.5 * aw, anchors[:, 1] + 0.5 * ah
    cx, cy = ax + deltas[:, 0] / wx * aw, ay + deltas[:, 1] / wy * ah
    w = aw * torch.exp((deltas[:, 2] / ww).clamp(max=DELTA_CLAMP))
    h = ah * torch.exp((deltas[:, 3] / wh).clamp(max=DELTA_CLAMP))
    return torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], 1)


def match(anchors: torch.Tensor, boxes: torch.Tensor) -> torch.Tensor:
    """Index of the matched box per anchor; -1 background, -2 ignored. Every box keeps its best anchors
    (low-quality matches), so even a box smaller than every anchor is learnt."""
    matched = torch.full((anchors.shape[0],), -1, dtype=torch.long, device=anchors.device)
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
    giou_weight: float = 0.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Focal loss over all non-ignored anchors; L1 on the deltas (+ `giou_weight` x GIoU loss of the decoded
    boxes) over positive anchors; each divided by the number of positives."""
    cls_losses, box_losses, num_pos = [], [], 0
    for i, (boxes, labels) in enumerate(targets):
        m = match(anchors, boxes)
        pos = m >= 0
        valid = m != -2
        target = torch.zeros_like(logits[i])
        target[pos, labels[m[pos]]] = 1.0
        cls_losses.append(sigmoid_focal_loss(logits[i][valid], target[valid], reduction="sum"))
        if pos.any():
            pos_anchors, pos_boxes = anchors[pos], boxes[m[pos]]
            box_loss = F.l1_loss(deltas[i][pos], encode(pos_anchors, pos_boxes), reduction="sum")
            if giou_weight:
                predicted = decode(pos_anchors, deltas[i][pos])
                giou = generalized_box_iou_loss(predicted, pos_boxes, reduction="sum")
                box_loss = box_loss + giou_weight * giou
            box_losses.append(box_loss)
        num_pos += int(pos.sum())
    norm = max(1.0, float(num_pos))
    box = torch.stack(box_losses).sum() / norm if box_losses else deltas.sum() * 0
    return torch.stack(cls_losses).sum() / norm, box

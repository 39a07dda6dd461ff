"""Reference decoding of the exported detector's raw outputs: anchors + deltas -> boxes, score threshold,
top-k, per-class NMS, max detections. `main/core/inference/detection-decode.ts` implements the same steps in
the same order and is tested against this file's output.

Steps for one image (scores [A, C] float32, deltas [A, 4] float32), all arithmetic in float64:
1. candidates = every (anchor a, class c) with scores[a, c] > score_threshold, flattened as a * C + c;
2. keep the pre_nms_top_k highest by score (ties: smaller flat index first);
3. decode their boxes from the anchors (xyxy-center-deltas, dw/dh clamped), divide by the letterbox scale and
   clip to the original image [0, width] x [0, height];
4. per-class greedy NMS in score order: a candidate is dropped when its IoU with a kept box of the same
   class is > nms_iou;
5. the first max_detections survivors, in score order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .anchors import AnchorConfig, generate_anchors


@dataclass(frozen=True)
class DecodeConfig:
    anchors: AnchorConfig
    input_width: int
    input_height: int
    box_weights: tuple[float, float, float, float]
    clamp: float
    score_threshold: float
    pre_nms_top_k: int
    nms_iou: float
    max_detections: int

    @classmethod
    def from_manifest(cls, manifest: dict) -> DecodeConfig:
        det = manifest["detection"]
        return cls(
            anchors=AnchorConfig.from_manifest(det["anchors"]),
            input_width=int(manifest["input"]["width"]),
            input_height=int(manifest["input"]["height"]),
            box_weights=tuple(det["box_coding"]["weights"]),
            clamp=float(det["box_coding"]["clamp"]),
            score_threshold=float(det["score_threshold"]),
            pre_nms_top_k=int(det["pre_nms_top_k"]),
            nms_iou=float(det["nms_iou"]),
            max_detections=int(det["max_detections"]),
        )


@dataclass
class Detections:
    boxes: np.ndarray  # [K, 4] xyxy in original image pixels, float64
    scores: np.ndarray  # [K] float64
    labels: np.ndarray  # [K] int64 class index


def decode_boxes(anchors: np.ndarray, deltas: np.ndarray, weights, clamp: float) -> np.ndarray:
    wx, wy, ww, wh = weights
    aw, ah = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    ax, ay = anchors[:, 0] + 0.5 * aw, anchors[:, 1] + 0.5 * ah
    d = deltas.astype(np.float64)
    cx, cy = ax + d[:, 0] / wx * aw, ay + d[:, 1] / wy * ah
    w = aw * np.exp(np.minimum(d[:, 2] / ww, clamp))
    h = ah * np.exp(np.minimum(d[:, 3] / wh, clamp))
    return np.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], 1)


def iou_one_to_many(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    ix = np.maximum(0.0, np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]))
    iy = np.maximum(0.0, np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]))
    inter = ix * iy
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


class Decoder:
    def __init__(self, cfg: DecodeConfig):
        self.cfg = cfg
        self.anchors = generate_anchors(cfg.anchors, cfg.input_width, cfg.input_height)

    def __call__(
        self, scores: np.ndarray, deltas: np.ndarray, scale: float, width: int, height: int
    ) -> Detections:
        cfg = self.cfg
        num_classes = scores.shape[1]
        if scores.shape[0] != self.anchors.shape[0] or deltas.shape != (self.anchors.shape[0], 4):
            raise ValueError(
                f"outputs have {scores.shape[0]} anchors, the manifest's layout gives {self.anchors.shape[0]}"
            )
        flat = scores.reshape(-1).astype(np.float64)
        cand = np.nonzero(flat > cfg.score_threshold)[0]
        order = np.argsort(-flat[cand], kind="stable")[: cfg.pre_nms_top_k]
        cand = cand[order]
        cand_scores = flat[cand]
        anchor_idx, labels = cand // num_classes, cand % num_classes
        boxes = decode_boxes(self.anchors[anchor_idx], deltas[anchor_idx], cfg.box_weights, cfg.clamp) / scale
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, width)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, height)

        keep: list[int] = []
        kept_by_class: dict[int, list[int]] = {}
        for i in range(len(cand)):
            same = kept_by_class.setdefault(int(labels[i]), [])
            if same and (iou_one_to_many(boxes[i], boxes[same]) > cfg.nms_iou).any():
                continue
            same.append(i)
            keep.append(i)
            if len(keep) == cfg.max_detections:
                break
        keep_arr = np.array(keep, dtype=np.int64)
        return Detections(boxes[keep_arr], cand_scores[keep_arr], labels[keep_arr].astype(np.int64))

import { z } from 'zod';
import type { DetectionManifest } from '../models/manifest.ts';
import type { Detection, RawDetections } from './detection.ts';
import type { InputTransform } from './preprocess.ts';

// Decoding of the detector's raw outputs: the TypeScript twin of training/detector/decode.py (the reference),
// step for step and in float64, so both give the same boxes, scores and order:
// 1. candidates = every (anchor a, class c) with score > score_threshold, flat index a * C + c;
// 2. the pre_nms_top_k highest by score (ties: smaller flat index first);
// 3. boxes decoded from the anchors (xyxy-center-deltas, dw/dh clamped), mapped to image pixels, clipped;
// 4. per-class greedy NMS in score order (dropped when IoU with a kept box of its class > nms_iou);
// 5. the first max_detections survivors.

const levelSchema = z.object({
  stride: z.number().int().positive(),
  sizes: z.array(z.number().positive()).min(1),
  aspect_ratios: z.array(z.number().positive()).min(1),
});

const detectionBlockSchema = z.object({
  anchors: z.object({ levels: z.array(levelSchema).min(1) }),
  box_coding: z.object({
    type: z.literal('xyxy-center-deltas'),
    weights: z.tuple([
      z.number().positive(),
      z.number().positive(),
      z.number().positive(),
      z.number().positive(),
    ]),
    clamp: z.number().positive(),
  }),
  score_threshold: z.number().min(0).max(1),
  pre_nms_top_k: z.number().int().positive(),
  nms_iou: z.number().min(0).max(1),
  nms: z.literal('per-class'),
  max_detections: z.number().int().positive(),
});

export interface DecodeConfig {
  levels: { stride: number; sizes: number[]; aspectRatios: number[] }[];
  inputWidth: number;
  inputHeight: number;
  weights: [number, number, number, number];
  clamp: number;
  scoreThreshold: number;
  preNmsTopK: number;
  nmsIou: number;
  maxDetections: number;
}

/** Decoded detections of one image: boxes xyxy in image pixels (4 per detection), in score order. */
export interface DecodedBoxes {
  boxes: Float64Array;
  scores: Float64Array;
  labels: Int32Array;
}

/** Reads the manifest's `detection` block; an error names the offending field. */
export function decodeConfigFromManifest(
  manifest: Pick<DetectionManifest, 'input' | 'detection'>,
): DecodeConfig {
  const parsed = detectionBlockSchema.safeParse(manifest.detection);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `detection.${i.path.map(String).join('.')}: ${i.message}`);
    throw new Error(`manifest: ${issues.join('; ')}`);
  }
  const d = parsed.data;
  return {
    levels: d.anchors.levels.map((l) => ({
      stride: l.stride,
      sizes: l.sizes,
      aspectRatios: l.aspect_ratios,
    })),
    inputWidth: manifest.input.width,
    inputHeight: manifest.input.height,
    weights: d.box_coding.weights,
    clamp: d.box_coding.clamp,
    scoreThreshold: d.score_threshold,
    preNmsTopK: d.pre_nms_top_k,
    nmsIou: d.nms_iou,
    maxDetections: d.max_detections,
  };
}

/** Each stride-2 layer maps n to ceil(n / 2), as in the network. */
function featureSize(input: number, stride: number): number {
  let n = input;
  for (let s = stride; s > 1; s /= 2) n = Math.floor((n + 1) / 2);
  return n;
}

/**
 * Anchors xyxy in input pixels, in output order: level, row, column, size, aspect ratio (height / width);
 * centre ((column + 0.5) * stride, (row + 0.5) * stride).
 */
export function generateAnchors(cfg: DecodeConfig): Float64Array {
  const out: number[] = [];
  for (const level of cfg.levels) {
    const fw = featureSize(cfg.inputWidth, level.stride);
    const fh = featureSize(cfg.inputHeight, level.stride);
    const shapes: number[][] = [];
    for (const z of level.sizes) {
      for (const r of level.aspectRatios) {
        const w = z / Math.sqrt(r);
        const h = z * Math.sqrt(r);
        shapes.push([-w / 2, -h / 2, w / 2, h / 2]);
      }
    }
    for (let row = 0; row < fh; row++) {
      const cy = (row + 0.5) * level.stride;
      for (let col = 0; col < fw; col++) {
        const cx = (col + 0.5) * level.stride;
        for (const s of shapes) out.push(cx + s[0], cy + s[1], cx + s[2], cy + s[3]);
      }
    }
  }
  return Float64Array.from(out);
}

function iou(b: Float64Array, i: number, j: number): number {
  const ix = Math.max(0, Math.min(b[4 * i + 2], b[4 * j + 2]) - Math.max(b[4 * i], b[4 * j]));
  const iy = Math.max(0, Math.min(b[4 * i + 3], b[4 * j + 3]) - Math.max(b[4 * i + 1], b[4 * j + 1]));
  const inter = ix * iy;
  const areaI = (b[4 * i + 2] - b[4 * i]) * (b[4 * i + 3] - b[4 * i + 1]);
  const areaJ = (b[4 * j + 2] - b[4 * j]) * (b[4 * j + 3] - b[4 * j + 1]);
  const union = areaI + areaJ - inter;
  return union > 0 ? inter / union : 0;
}

/** Decodes one image's raw outputs (scores [A, C], deltas [A, 4], row-major). */
export function decodeDetections(
  scores: Float32Array,
  deltas: Float32Array,
  classCount: number,
  anchors: Float64Array,
  cfg: DecodeConfig,
  transform: InputTransform,
  image: { width: number; height: number },
): DecodedBoxes {
  const anchorCount = anchors.length / 4;
  if (scores.length !== anchorCount * classCount || deltas.length !== anchorCount * 4) {
    throw new Error(
      `detector outputs hold ${scores.length / classCount} anchors, the manifest's layout gives ${anchorCount}`,
    );
  }
  const candidates: number[] = [];
  for (let k = 0; k < scores.length; k++) if (scores[k] > cfg.scoreThreshold) candidates.push(k);
  candidates.sort((a, b) => scores[b] - scores[a] || a - b);
  const top = candidates.slice(0, cfg.preNmsTopK);

  const [wx, wy, ww, wh] = cfg.weights;
  const boxes = new Float64Array(top.length * 4);
  top.forEach((flat, i) => {
    const a = Math.floor(flat / classCount);
    const aw = anchors[4 * a + 2] - anchors[4 * a];
    const ah = anchors[4 * a + 3] - anchors[4 * a + 1];
    const ax = anchors[4 * a] + 0.5 * aw;
    const ay = anchors[4 * a + 1] + 0.5 * ah;
    const cx = ax + (deltas[4 * a] / wx) * aw;
    const cy = ay + (deltas[4 * a + 1] / wy) * ah;
    const w = aw * Math.exp(Math.min(deltas[4 * a + 2] / ww, cfg.clamp));
    const h = ah * Math.exp(Math.min(deltas[4 * a + 3] / wh, cfg.clamp));
    const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
    boxes[4 * i] = clip((cx - 0.5 * w + transform.offsetX) / transform.scaleX, image.width);
    boxes[4 * i + 1] = clip((cy - 0.5 * h + transform.offsetY) / transform.scaleY, image.height);
    boxes[4 * i + 2] = clip((cx + 0.5 * w + transform.offsetX) / transform.scaleX, image.width);
    boxes[4 * i + 3] = clip((cy + 0.5 * h + transform.offsetY) / transform.scaleY, image.height);
  });

  const keep: number[] = [];
  const keptByClass = new Map<number, number[]>();
  for (let i = 0; i < top.length && keep.length < cfg.maxDetections; i++) {
    const label = top[i] % classCount;
    const same = keptByClass.get(label) ?? [];
    if (same.some((j) => iou(boxes, i, j) > cfg.nmsIou)) continue;
    same.push(i);
    keptByClass.set(label, same);
    keep.push(i);
  }
  const result: DecodedBoxes = {
    boxes: new Float64Array(keep.length * 4),
    scores: new Float64Array(keep.length),
    labels: new Int32Array(keep.length),
  };
  keep.forEach((i, n) => {
    result.boxes.set(boxes.subarray(4 * i, 4 * i + 4), 4 * n);
    result.scores[n] = scores[top[i]];
    result.labels[n] = top[i] % classCount;
  });
  return result;
}

/** The app's decoder for a detection manifest (see ./detection.ts): COCO xywh boxes in image pixels. */
export function createDetectionDecoder(manifest: DetectionManifest) {
  const cfg = decodeConfigFromManifest(manifest);
  const anchors = generateAnchors(cfg);
  return (
    raw: RawDetections,
    image: { width: number; height: number },
    transform: InputTransform,
  ): Detection[] => {
    if (raw.classCount !== manifest.labels.length) {
      throw new Error(
        `detector outputs have ${raw.classCount} classes, the manifest has ${manifest.labels.length} labels`,
      );
    }
    const d = decodeDetections(raw.scores, raw.deltas, raw.classCount, anchors, cfg, transform, image);
    return Array.from(d.scores, (score, n) => ({
      labelIndex: d.labels[n],
      score,
      x: d.boxes[4 * n],
      y: d.boxes[4 * n + 1],
      w: d.boxes[4 * n + 2] - d.boxes[4 * n],
      h: d.boxes[4 * n + 3] - d.boxes[4 * n + 1],
    }));
  };
}

import type { InputTransform } from './preprocess.ts';

/** One image's raw detector outputs: scores [A, C] and deltas [A, 4], row-major. */
export interface RawDetections {
  scores: Float32Array;
  deltas: Float32Array;
  anchorCount: number;
  classCount: number;
}

/** A decoded box in original image pixels (COCO xywh) with its label index and score. */
export interface Detection {
  labelIndex: number;
  score: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Made per manifest by createDetectionDecoder in ./detection-decode.ts (twin of training/detector/decode.py). */
export type DetectionDecoder = (
  raw: RawDetections,
  image: { width: number; height: number },
  transform: InputTransform,
) => Detection[];

import type { DetectionManifest } from '../models/manifest.ts';
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

export type DetectionDecoder = (
  raw: RawDetections,
  image: { width: number; height: number },
  transform: InputTransform,
) => Detection[];

/**
 * The decoder for a detection manifest, from main/core/inference/detection-decode.ts (the detector module's
 * TypeScript twin of training/detector/decode.py). Loaded lazily so classification never depends on it.
 */
export async function loadDetectionDecoder(manifest: DetectionManifest): Promise<DetectionDecoder> {
  const modulePath = './detection-decode.ts';
  let module: Record<string, unknown>;
  try {
    module = (await import(modulePath)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(
      `detection decoding is not available (${modulePath}: ${(error as Error).message.split('\n')[0]})`,
    );
  }
  const factory = module.createDetectionDecoder;
  if (typeof factory !== 'function')
    throw new Error(`${modulePath} does not export createDetectionDecoder(manifest)`);
  return factory(manifest) as DetectionDecoder;
}

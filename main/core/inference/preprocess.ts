import sharp from 'sharp';
import type { InputSpec } from '../models/manifest.ts';
import { resizeBilinearAntialias } from './resample.ts';

/** 8-bit sRGB pixels, EXIF orientation applied, interleaved RGB. */
export interface DecodedImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Maps model-input coordinates back to image pixels: x_image = (x_input + offsetX) / scaleX. */
export interface InputTransform {
  scaleX: number;
  scaleY: number;
  offsetX: number;
  offsetY: number;
}

export async function decodeImage(source: string | Buffer): Promise<DecodedImage> {
  const { data, info } = await sharp(source, { failOn: 'error' })
    .rotate()
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`expected 3 channels after decoding, got ${info.channels}`);
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** Python's round(): halves go to the even neighbour, so both implementations pick the same sizes. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function toPlanes(image: DecodedImage): Float32Array {
  const { data, width, height } = image;
  const n = width * height;
  const planes = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    planes[i] = data[3 * i];
    planes[n + i] = data[3 * i + 1];
    planes[2 * n + i] = data[3 * i + 2];
  }
  return planes;
}

/**
 * The model input for one image, per models/README.md: geometry (`resize`), the antialiased bilinear resampler on
 * floats 0-255 (no rounding), then (pixel * scale - mean) / std, CHW float32. Writes into `out` at `offset`.
 */
export function preprocessInto(
  image: DecodedImage,
  spec: InputSpec,
  out: Float32Array,
  offset = 0,
): InputTransform {
  const { width: W, height: H } = spec;
  const { width: w, height: h } = image;
  const planes = toPlanes(image);
  let canvas: Float32Array;
  let transform: InputTransform;
  if (spec.resize === 'stretch') {
    canvas = resizeBilinearAntialias(planes, 3, h, w, H, W);
    transform = { scaleX: W / w, scaleY: H / h, offsetX: 0, offsetY: 0 };
  } else if (spec.resize === 'letterbox') {
    const s = Math.min(W / w, H / h);
    const nw = Math.min(W, Math.max(1, roundHalfEven(w * s)));
    const nh = Math.min(H, Math.max(1, roundHalfEven(h * s)));
    const resized = resizeBilinearAntialias(planes, 3, h, w, nh, nw);
    const pad = spec.pad_value ?? 0;
    canvas = new Float32Array(3 * H * W);
    for (let c = 0; c < 3; c++) {
      canvas.fill(typeof pad === 'number' ? pad : pad[c], c * H * W, (c + 1) * H * W);
      for (let y = 0; y < nh; y++) {
        canvas.set(resized.subarray((c * nh + y) * nw, (c * nh + y + 1) * nw), (c * H + y) * W);
      }
    }
    transform = { scaleX: s, scaleY: s, offsetX: 0, offsetY: 0 };
  } else {
    const s = Math.max(W / w, H / h);
    const nw = Math.max(W, roundHalfEven(w * s));
    const nh = Math.max(H, roundHalfEven(h * s));
    const resized = resizeBilinearAntialias(planes, 3, h, w, nh, nw);
    const left = Math.floor((nw - W) / 2);
    const top = Math.floor((nh - H) / 2);
    canvas = new Float32Array(3 * H * W);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < H; y++) {
        const from = (c * nh + top + y) * nw + left;
        canvas.set(resized.subarray(from, from + W), (c * H + y) * W);
      }
    }
    transform = { scaleX: nw / w, scaleY: nh / h, offsetX: left, offsetY: top };
  }
  const plane = H * W;
  for (let c = 0; c < 3; c++) {
    const mean = spec.mean[c];
    const std = spec.std[c];
    const base = c * plane;
    for (let i = 0; i < plane; i++) out[offset + base + i] = (canvas[base + i] * spec.scale - mean) / std;
  }
  return transform;
}

export function preprocess(
  image: DecodedImage,
  spec: InputSpec,
): { tensor: Float32Array; transform: InputTransform } {
  const tensor = new Float32Array(3 * spec.height * spec.width);
  return { tensor, transform: preprocessInto(image, spec, tensor) };
}

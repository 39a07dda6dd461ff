// The separable triangle-filter resize of torch.nn.functional.interpolate(mode="bilinear", align_corners=False,
// antialias=True), on float planes. Weights follow ATen's _compute_weights_aa: for output index i, with
// scale = in/out, the filter is centred at scale*(i+0.5) and widened by `scale` when downsampling.

interface AxisWeights {
  /** First input index that contributes to each output index. */
  start: Int32Array;
  /** Number of contributing inputs per output index. */
  size: Int32Array;
  /** Normalised weights, `stride` per output index. */
  weights: Float64Array;
  stride: number;
}

function axisWeights(inSize: number, outSize: number): AxisWeights {
  const scale = inSize / outSize;
  const support = scale >= 1 ? scale : 1; // interp_size / 2 = 1 for the triangle filter
  const invScale = scale >= 1 ? 1 / scale : 1;
  const stride = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const size = new Int32Array(outSize);
  const weights = new Float64Array(outSize * stride);
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xsize = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let total = 0;
    for (let j = 0; j < xsize; j++) {
      const w = Math.max(0, 1 - Math.abs((j + xmin - center + 0.5) * invScale));
      weights[i * stride + j] = w;
      total += w;
    }
    if (total !== 0) for (let j = 0; j < xsize; j++) weights[i * stride + j] /= total;
    start[i] = xmin;
    size[i] = xsize;
  }
  return { start, size, weights, stride };
}

/**
 * Resizes `channels` planes of `inHeight x inWidth` floats (CHW) to `outHeight x outWidth`: horizontally first,
 * then vertically, as ATen does.
 */
export function resizeBilinearAntialias(
  src: Float32Array,
  channels: number,
  inHeight: number,
  inWidth: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  let horizontal = src;
  if (outWidth !== inWidth) {
    const ax = axisWeights(inWidth, outWidth);
    horizontal = new Float32Array(channels * inHeight * outWidth);
    for (let row = 0; row < channels * inHeight; row++) {
      const inRow = row * inWidth;
      const outRow = row * outWidth;
      for (let x = 0; x < outWidth; x++) {
        const base = x * ax.stride;
        const first = inRow + ax.start[x];
        let sum = 0;
        for (let j = 0; j < ax.size[x]; j++) sum += src[first + j] * ax.weights[base + j];
        horizontal[outRow + x] = sum;
      }
    }
  }
  if (outHeight === inHeight) return horizontal === src ? src.slice() : horizontal;
  const ay = axisWeights(inHeight, outHeight);
  const out = new Float32Array(channels * outHeight * outWidth);
  const accumulator = new Float64Array(outWidth);
  for (let c = 0; c < channels; c++) {
    const plane = c * inHeight * outWidth;
    for (let y = 0; y < outHeight; y++) {
      accumulator.fill(0);
      const base = y * ay.stride;
      for (let j = 0; j < ay.size[y]; j++) {
        const w = ay.weights[base + j];
        const inRow = plane + (ay.start[y] + j) * outWidth;
        for (let x = 0; x < outWidth; x++) accumulator[x] += horizontal[inRow + x] * w;
      }
      out.set(accumulator, (c * outHeight + y) * outWidth);
    }
  }
  return out;
}

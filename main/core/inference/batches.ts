import { decodeImage, type DecodedImage } from './preprocess.ts';

/**
 * Decoded images in batches, in order, decoding the next batch while the caller works on the current one.
 * A file that fails to decode rejects with an error naming it.
 */
export async function* decodedBatches<T>(
  items: readonly T[],
  pathOf: (item: T) => string,
  batchSize: number,
): AsyncGenerator<{ items: T[]; images: DecodedImage[] }> {
  if (!(Number.isInteger(batchSize) && batchSize > 0))
    throw new Error(`batch size must be a positive integer, got ${batchSize}`);
  const decode = (start: number) => {
    const slice = items.slice(start, start + batchSize);
    const images = Promise.all(
      slice.map((item) =>
        decodeImage(pathOf(item)).catch((error: Error) => {
          throw new Error(`${pathOf(item)}: cannot decode image (${error.message})`);
        }),
      ),
    );
    images.catch(() => {}); // handled when awaited; avoids an unhandled rejection if the caller stops early
    return { items: slice, images };
  };
  let pending = items.length > 0 ? decode(0) : undefined;
  for (let start = 0; pending; start += batchSize) {
    const current = pending;
    pending = start + batchSize < items.length ? decode(start + batchSize) : undefined;
    yield { items: current.items, images: await current.images };
  }
}

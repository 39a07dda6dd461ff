// Case images as object URLs, fetched once through the API (reader-authorised) and kept for the session so
// that the next case, prefetched while the current one is read, appears at once.
import { call } from '../../api/client.ts';

const cache = new Map<string, Promise<string>>();
const MAX_ENTRIES = 12;

export function imageUrl(studyId: number, imageKey: string): Promise<string> {
  const key = `${studyId}:${imageKey}`;
  let entry = cache.get(key);
  if (!entry) {
    entry = call('reading.image', { studyId, imageKey }).then(async ({ mime, bytes }) => {
      const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }));
      // decode ahead too, so showing it costs no decode time
      const image = new Image();
      image.src = url;
      await image.decode().catch(() => undefined);
      return url;
    });
    entry.catch(() => cache.delete(key));
    cache.set(key, entry);
    while (cache.size > MAX_ENTRIES) {
      const [oldest, url] = cache.entries().next().value!;
      cache.delete(oldest);
      url.then(
        (u) => URL.revokeObjectURL(u),
        () => undefined,
      );
    }
  }
  return entry;
}

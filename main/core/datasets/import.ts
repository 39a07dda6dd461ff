import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import sharp, { type Metadata } from 'sharp';
import type { Store } from '../store/store.ts';
import { readCoco } from './coco.ts';
import type { SourceDataset, SourceImage } from './source.ts';
import { readVoc } from './voc.ts';

export type ImportSource =
  { format: 'coco'; file: string; images?: string } | { format: 'voc'; folder: string; images: string };

export interface ImportProgress {
  phase: 'reading' | 'images' | 'writing' | 'done';
  done: number;
  total: number;
}

export interface ImportOptions {
  /** Dataset name; defaults to the annotation file's or folder's name. Must be new. */
  name?: string;
  /** Source category name -> stored category name (e.g. VOC exporter classes -> 'acne_lesion'). */
  labelMap?: Record<string, string>;
  /** When given, the only category names accepted (after labelMap); any other is refused by name. */
  allowedCategories?: readonly string[];
  /** Which metadata key holds the pseudonymous patient id; defaults to 'patient_id', then the source's group. */
  patientKey?: string;
  onProgress?: (progress: ImportProgress) => void;
  signal?: AbortSignal;
  /** Images processed at once (decode, hash, thumbnail). */
  concurrency?: number;
  actor?: string;
}

export interface ImportResult {
  datasetId: number;
  cases: number;
  boxes: number;
  /** Distinct image files newly written to the store (duplicates and already-stored images excluded). */
  newImages: number;
  seconds: number;
}

interface StoredImage {
  sha256: string;
  extension: string;
  byteSize: number;
  width: number;
  height: number;
}

const EXTENSIONS: Record<string, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  tiff: 'tif',
  gif: 'gif',
  avif: 'avif',
};
const THUMBNAIL_SIZE = 256;
// Boxes may overhang the image by rounding; beyond this they are an error.
const BOX_TOLERANCE_PX = 1;

/**
 * Imports a COCO file or VOC folder with its images as a new dataset. Images are copied into the store by content
 * hash and thumbnailed, then every row is written in one transaction: any bad file aborts the import with an error
 * naming it, the database stays exactly as it was, and image files this import created are removed again.
 */
export async function importDataset(
  store: Store,
  source: ImportSource,
  options: ImportOptions = {},
): Promise<ImportResult> {
  const started = performance.now();
  const report = options.onProgress ?? (() => {});
  report({ phase: 'reading', done: 0, total: 1 });
  const dataset =
    source.format === 'coco'
      ? await readCoco(source.file, source.images)
      : await readVoc(source.folder, source.images);
  const name = options.name ?? defaultName(source);
  if (store.datasets.byName(name)) throw new Error(`a dataset named '${name}' already exists`);
  const categoryOf = resolveCategories(dataset, options);
  for (const image of dataset.images) for (const box of image.boxes) checkBox(box, image);

  const created: string[] = [];
  try {
    const stored = await storeImages(store, dataset.images, created, options, report);
    report({ phase: 'writing', done: 0, total: dataset.images.length });
    const result = writeDataset(store, dataset, stored, categoryOf, name, options, report);
    report({ phase: 'done', done: dataset.images.length, total: dataset.images.length });
    return {
      ...result,
      newImages: created.filter((p) => !p.includes('/thumbnails/')).length,
      seconds: (performance.now() - started) / 1000,
    };
  } catch (error) {
    await removeUnreferenced(store, created);
    throw error;
  }
}

function defaultName(source: ImportSource): string {
  return basename(source.format === 'coco' ? source.file : source.folder).replace(/\.json$/i, '');
}

/** Maps each source category name to its stored name, refusing unknown ones when a list of allowed names is given. */
function resolveCategories(dataset: SourceDataset, options: ImportOptions): (sourceName: string) => string {
  const map = options.labelMap ?? {};
  const allowed = options.allowedCategories && new Set(options.allowedCategories);
  const target = (name: string) => map[name] ?? name;
  if (allowed) {
    for (const image of dataset.images) {
      for (const box of image.boxes) {
        if (!allowed.has(target(box.category))) {
          throw new Error(
            `${box.where}: unknown category '${box.category}' (expected one of ${[...allowed].join(', ')})`,
          );
        }
      }
    }
  }
  return target;
}

function checkBox(box: SourceImage['boxes'][number], image: SourceImage): void {
  const { x, y, w, h } = box;
  const t = BOX_TOLERANCE_PX;
  if (!(w > 0 && h > 0)) throw new Error(`${box.where}: empty or negative box [${x}, ${y}, ${w}, ${h}]`);
  if (x < -t || y < -t || x + w > image.declaredWidth + t || y + h > image.declaredHeight + t) {
    throw new Error(
      `${box.where}: box [${x}, ${y}, ${w}, ${h}] lies outside the ${image.declaredWidth}x${image.declaredHeight} image ${image.fileName}`,
    );
  }
}

async function storeImages(
  store: Store,
  images: SourceImage[],
  created: string[],
  options: ImportOptions,
  report: (p: ImportProgress) => void,
): Promise<StoredImage[]> {
  const results: StoredImage[] = new Array(images.length);
  const inFlight = new Map<string, Promise<StoredImage>>();
  let next = 0;
  let done = 0;
  let failed = false;
  const worker = async () => {
    while (next < images.length && !failed) {
      options.signal?.throwIfAborted();
      const index = next++;
      const image = images[index];
      const bytes = await readFile(image.path).catch((error: NodeJS.ErrnoException) => {
        throw new Error(
          `${image.where}: cannot read image file ${image.path} (${error.code ?? error.message})`,
        );
      });
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      let pending = inFlight.get(sha256);
      if (!pending) {
        pending = storeImage(store, bytes, sha256, image, created);
        inFlight.set(sha256, pending);
      }
      const stored = await pending;
      if (stored.width !== image.declaredWidth || stored.height !== image.declaredHeight) {
        throw new Error(
          `${image.where}: declared size ${image.declaredWidth}x${image.declaredHeight} but the image is ${stored.width}x${stored.height}`,
        );
      }
      results[index] = stored;
      done += 1;
      if (done % 100 === 0 || done === images.length) report({ phase: 'images', done, total: images.length });
    }
  };
  // Every worker must have stopped before the caller cleans up, or a late one could write a file after it.
  const outcomes = await Promise.allSettled(
    Array.from({ length: Math.min(options.concurrency ?? 4, images.length) }, () =>
      worker().catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    ),
  );
  const failure = outcomes.find((o) => o.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}

async function storeImage(
  store: Store,
  bytes: Buffer,
  sha256: string,
  image: SourceImage,
  created: string[],
): Promise<StoredImage> {
  let metadata: Metadata;
  let thumbnail: Buffer;
  try {
    // failOn 'error' also refuses truncated files; the thumbnail forces a full decode of every pixel.
    const decoder = sharp(bytes, { failOn: 'error' });
    metadata = await decoder.metadata();
    thumbnail = await decoder
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
  } catch (error) {
    throw new Error(`${image.where}: ${image.path} is not a readable image (${(error as Error).message})`);
  }
  const extension = EXTENSIONS[metadata.format ?? ''];
  if (!extension || !metadata.width || !metadata.height) {
    throw new Error(`${image.where}: ${image.path} has an unsupported image format '${metadata.format}'`);
  }
  const rotated = (metadata.orientation ?? 1) >= 5;
  const imagePath = store.files.imagePath(sha256, extension);
  if (store.files.writeOnce(imagePath, bytes)) created.push(imagePath);
  const thumbnailPath = store.files.thumbnailPath(sha256);
  if (store.files.writeOnce(thumbnailPath, thumbnail)) created.push(thumbnailPath);
  return {
    sha256,
    extension,
    byteSize: bytes.length,
    width: rotated ? metadata.height : metadata.width,
    height: rotated ? metadata.width : metadata.height,
  };
}

function writeDataset(
  store: Store,
  dataset: SourceDataset,
  stored: StoredImage[],
  categoryOf: (name: string) => string,
  name: string,
  options: ImportOptions,
  report: (p: ImportProgress) => void,
): Omit<ImportResult, 'newImages' | 'seconds'> {
  const db = store.db;
  const patientKey = options.patientKey ?? 'patient_id';
  return db.transaction(() => {
    const datasetId = Number(
      db
        .prepare(
          'INSERT INTO datasets (name, source_format, source_path, imported_at, metadata) VALUES (?, ?, ?, ?, ?)',
        )
        .run(
          name,
          dataset.format,
          dataset.sourcePath,
          new Date().toISOString(),
          JSON.stringify({ patientKey }),
        ).lastInsertRowid,
    );
    const categoryIds = new Map<string, number>();
    const linkCategory = db.prepare(
      'INSERT OR IGNORE INTO dataset_categories (dataset_id, category_id, source_id) VALUES (?, ?, ?)',
    );
    for (const c of dataset.categories) {
      const category = store.categories.ensure(categoryOf(c.name));
      categoryIds.set(c.name, category.id);
      linkCategory.run(datasetId, category.id, c.sourceId);
    }
    const insertImage = db.prepare(
      'INSERT OR IGNORE INTO images (sha256, extension, byte_size, width, height) VALUES (?, ?, ?, ?, ?)',
    );
    const insertPatient = db.prepare(
      'INSERT INTO patients (dataset_id, pseudonym, sex, age) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    );
    const findPatient = db.prepare('SELECT id FROM patients WHERE dataset_id = ? AND pseudonym = ?').pluck();
    const insertCase = db.prepare(
      `INSERT INTO cases (dataset_id, external_id, file_name, image_sha256, width, height, patient_id, metadata)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertLabel = db.prepare('INSERT OR IGNORE INTO case_labels (case_id, category_id) VALUES (?, ?)');
    const insertBox = db.prepare(
      'INSERT INTO case_boxes (case_id, category_id, x, y, w, h, source_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    let boxes = 0;
    dataset.images.forEach((image, i) => {
      const file = stored[i];
      insertImage.run(file.sha256, file.extension, file.byteSize, file.width, file.height);
      const pseudonym = image.metadata[patientKey] ?? image.group;
      let patientId: number | null = null;
      if (pseudonym !== null && pseudonym !== undefined && pseudonym !== '') {
        insertPatient.run(
          datasetId,
          String(pseudonym),
          normalizeSex(image.metadata.sex),
          normalizeAge(image.metadata.age),
        );
        patientId = findPatient.get(datasetId, String(pseudonym)) as number;
      }
      const metadata = image.group === null ? image.metadata : { group: image.group, ...image.metadata };
      const caseId = Number(
        insertCase.run(
          datasetId,
          image.externalId,
          image.fileName,
          file.sha256,
          file.width,
          file.height,
          patientId,
          JSON.stringify(metadata),
        ).lastInsertRowid,
      );
      for (const box of image.boxes) {
        const categoryId = categoryIds.get(box.category)!;
        insertLabel.run(caseId, categoryId);
        insertBox.run(caseId, categoryId, box.x, box.y, box.w, box.h, box.sourceId);
        boxes += 1;
      }
      if ((i + 1) % 1000 === 0) report({ phase: 'writing', done: i + 1, total: dataset.images.length });
    });
    store.audit.record(options.actor ?? 'system', 'dataset.import', 'dataset', datasetId, {
      name,
      format: dataset.format,
      source: dataset.sourcePath,
      cases: dataset.images.length,
      boxes,
    });
    return { datasetId, cases: dataset.images.length, boxes };
  })();
}

function normalizeSex(value: unknown): 'female' | 'male' | 'unknown' | null {
  if (value === undefined || value === null || value === '') return null;
  const v = String(value).trim().toLowerCase();
  if (v === 'f' || v === 'female') return 'female';
  if (v === 'm' || v === 'male') return 'male';
  return 'unknown';
}

function normalizeAge(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const age = Number(value);
  return Number.isFinite(age) && age >= 0 ? age : null;
}

/** After a failed import: delete the files it created that no database row refers to. */
async function removeUnreferenced(store: Store, created: string[]): Promise<void> {
  for (const path of created) {
    const sha256 = basename(path).slice(0, 64);
    if (!store.files.isReferenced(sha256)) await rm(path, { force: true });
  }
}

// Helpers for tests: temporary data folders and small real datasets built from the committed samples.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Store } from './store.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const HAM_SAMPLES = join(REPO_ROOT, 'samples', 'ham10000');
export const ACNE_SAMPLES = join(REPO_ROOT, 'samples', 'acne04');

export function makeTempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `dermaread-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface SampleRow {
  image_id: string;
  file: string;
  [column: string]: string;
}

export function readSampleCsv(folder: string): SampleRow[] {
  const [header, ...lines] = readFileSync(join(folder, 'annotations.csv'), 'utf8').trim().split('\n');
  const columns = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])) as SampleRow);
}

/**
 * Writes a COCO file for the first `count` HAM10000 sample images into `dir`, with the images copied to
 * `dir/images` (so a test may damage one). Metadata as the training module writes it.
 */
export function writeHamSampleCoco(
  dir: string,
  count = Infinity,
): { file: string; imagesDir: string; rows: SampleRow[] } {
  const rows = readSampleCsv(HAM_SAMPLES).slice(0, count);
  const imagesDir = join(dir, 'images');
  mkdirSync(imagesDir, { recursive: true });
  const categories = ['akiec', 'bcc', 'bkl', 'df', 'mel', 'nv', 'vasc'].map((name, i) => ({
    id: i + 1,
    name,
  }));
  const images = rows.map((row, i) => {
    copyFileSync(join(HAM_SAMPLES, row.file), join(imagesDir, `${row.image_id}.jpg`));
    return {
      id: i + 1,
      image_id: row.image_id,
      file_name: `images/${row.image_id}.jpg`,
      width: Number(row.width),
      height: Number(row.height),
      group: row.lesion_id,
      metadata: {
        age: row.age === '' ? null : Number(row.age),
        sex: row.sex,
        localization: row.localization,
        dx_type: row.dx_type,
      },
    };
  });
  const annotations = rows.map((row, i) => {
    const [x0, y0, x1, y1] = [row.x_min, row.y_min, row.x_max, row.y_max].map(Number);
    return {
      id: i + 1,
      image_id: i + 1,
      category_id: categories.find((c) => c.name === row.dx)!.id,
      bbox: [x0, y0, x1 - x0, y1 - y0],
      area: (x1 - x0) * (y1 - y0),
      iscrowd: 0,
    };
  });
  const file = join(dir, 'annotations.json');
  writeFileSync(file, JSON.stringify({ images, annotations, categories }));
  return { file, imagesDir, rows };
}

/** Everything an operation may change: every table's rows and every file in the data folder. */
export function snapshot(store: Store): { rows: Record<string, unknown[]>; files: string[] } {
  const tables = store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all() as string[];
  const rows = Object.fromEntries(tables.map((t) => [t, store.db.prepare(`SELECT * FROM "${t}"`).all()]));
  const files = readdirSync(store.dataDir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile() && !f.name.startsWith('dermaread.sqlite'))
    .map((f) => join(f.parentPath, f.name))
    .sort();
  return { rows, files };
}

export const TINY_CLASSIFIER = join(REPO_ROOT, 'tests', 'fixtures', 'models', 'tiny-classifier');

/** A copy of the tiny test classifier in `dir`, its manifest changed by `edit` (the sha256 kept right unless edited). */
export function tinyClassifierCopy(
  dir: string,
  edit: (manifest: ModelManifestJson) => void = () => {},
  modelBytes?: Uint8Array,
): string {
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(TINY_CLASSIFIER, 'manifest.json'), 'utf8'));
  const bytes = modelBytes ?? readFileSync(join(TINY_CLASSIFIER, 'model.onnx'));
  manifest.sha256 = createHash('sha256').update(bytes).digest('hex');
  edit(manifest);
  writeFileSync(join(dir, 'model.onnx'), bytes);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** A manifest as plain JSON, for tests that damage it on purpose. */
interface ModelManifestJson {
  [key: string]: unknown;
  version: string;
  sha256: string;
  labels: string[];
  input: { [key: string]: unknown; name: string; width: number; height: number; resize: string };
}

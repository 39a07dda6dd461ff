// Helpers for tests: temporary data folders and small real datasets built from the committed samples.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
export function writeHamSampleCoco(dir: string, count = Infinity): { file: string; imagesDir: string; rows: SampleRow[] } {
  const rows = readSampleCsv(HAM_SAMPLES).slice(0, count);
  const imagesDir = join(dir, 'images');
  mkdirSync(imagesDir, { recursive: true });
  const categories = ['akiec', 'bcc', 'bkl', 'df', 'mel', 'nv', 'vasc'].map((name, i) => ({ id: i + 1, name }));
  const images = rows.map((row, i) => {
    copyFileSync(join(HAM_SAMPLES, row.file), join(imagesDir, `${row.image_id}.jpg`));
    return {
      id: i + 1,
      image_id: row.image_id,
      file_name: `images/${row.image_id}.jpg`,
      width: Number(row.width),
      height: Number(row.height),
      group: row.lesion_id,
      metadata: { age: row.age === '' ? null : Number(row.age), sex: row.sex, localization: row.localization, dx_type: row.dx_type },
    };
  });
  const annotations = rows.map((row, i) => {
    const [x0, y0, x1, y1] = [row.x_min, row.y_min, row.x_max, row.y_max].map(Number);
    return { id: i + 1, image_id: i + 1, category_id: categories.find((c) => c.name === row.dx)!.id, bbox: [x0, y0, x1 - x0, y1 - y0], area: (x1 - x0) * (y1 - y0), iscrowd: 0 };
  });
  const file = join(dir, 'annotations.json');
  writeFileSync(file, JSON.stringify({ images, annotations, categories }));
  return { file, imagesDir, rows };
}

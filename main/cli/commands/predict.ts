import { readdir, readFile, writeFile, rename } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { readCoco } from '../../core/datasets/coco.ts';
import { decodedBatches } from '../../core/inference/batches.ts';
import { ModelRunner } from '../../core/inference/model-runner.ts';
import type { ProviderChoice } from '../../core/inference/session.ts';

export const describe = 'Run a model folder over images: classification CSV or COCO detection results JSON.';

const USAGE = `usage: dermaread predict --model DIR|ZIP (--images DIR | --coco FILE [--split FILE --subset NAME]) --out FILE
  --batch N                images per inference batch (default 16)
  --threads N              ONNX Runtime intra-op threads
  --provider cpu|cuda|auto execution provider (default cpu; cuda/auto fall back to CPU when unavailable)
Classification writes CSV "image_id,<one column per label>" of probabilities; detection writes COCO results
[{image_id, category_id, bbox, score}] with ids from the COCO file (categories matched by name).`;

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.tif', '.tiff']);

interface Item {
  id: string;
  cocoId: number | string;
  path: string;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      images: { type: 'string' },
      coco: { type: 'string' },
      split: { type: 'string' },
      subset: { type: 'string' },
      out: { type: 'string' },
      batch: { type: 'string', default: '16' },
      threads: { type: 'string' },
      provider: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (
    values.help ||
    !values.model ||
    !values.out ||
    !values.images === !values.coco ||
    !values.split !== !values.subset
  ) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const { items, categoryIds } = values.coco
    ? await cocoItems(values.coco, values.split, values.subset)
    : await folderItems(values.images!);
  const runner = await ModelRunner.fromSource(values.model, {
    threads: values.threads ? Number(values.threads) : undefined,
    provider: values.provider as ProviderChoice | undefined,
  });
  const { manifest } = runner;
  const started = performance.now();
  const rows: string[] = [];
  const detections: { image_id: number | string; category_id: number; bbox: number[]; score: number }[] = [];
  const categoryOf = manifest.labels.map((label, index) => {
    const id = categoryIds ? categoryIds.get(label) : index + 1;
    if (id === undefined && manifest.task === 'detection')
      throw new Error(`${values.coco}: no category named '${label}' for the model's label`);
    return id ?? index + 1;
  });
  try {
    let done = 0;
    for await (const batch of decodedBatches(items, (item) => item.path, Number(values.batch))) {
      const results = await runner.run(batch.images);
      results.forEach((result, i) => {
        const item = batch.items[i];
        if (result.probabilities)
          rows.push([csvField(item.id), ...result.probabilities.map(String)].join(','));
        for (const d of result.detections ?? []) {
          detections.push({
            image_id: item.cocoId,
            category_id: categoryOf[d.labelIndex],
            bbox: [d.x, d.y, d.w, d.h],
            score: d.score,
          });
        }
      });
      done += batch.items.length;
      if (process.stderr.isTTY) process.stderr.write(`\r${done}/${items.length}`);
    }
  } finally {
    await runner.release();
  }
  const seconds = (performance.now() - started) / 1000;
  const text =
    manifest.task === 'classification'
      ? `${['image_id', ...manifest.labels].map(csvField).join(',')}\n${rows.map((r) => `${r}\n`).join('')}`
      : `${JSON.stringify(detections)}\n`;
  const temporary = `${values.out}.part`;
  await writeFile(temporary, text);
  await rename(temporary, values.out);
  process.stderr.write(
    `${process.stderr.isTTY ? '\n' : ''}${items.length} images in ${seconds.toFixed(1)} s (${(items.length / seconds).toFixed(1)} images/s, ${runner.provider}) -> ${values.out}\n`,
  );
  return 0;
}

async function cocoItems(file: string, splitFile?: string, subset?: string) {
  const dataset = await readCoco(file);
  let images = dataset.images;
  if (splitFile && subset) {
    const splits = JSON.parse(await readFile(splitFile, 'utf8')) as Record<string, string[]>;
    const wanted = splits[subset];
    if (!Array.isArray(wanted))
      throw new Error(`${splitFile}: no split '${subset}' (has ${Object.keys(splits).join(', ')})`);
    const byId = new Map(images.map((image) => [image.externalId, image]));
    const missing = wanted.filter((id) => !byId.has(id));
    if (missing.length)
      throw new Error(
        `${splitFile}: ${missing.length} '${subset}' id(s) not in ${file}, e.g. ${missing.slice(0, 3).join(', ')}`,
      );
    images = wanted.map((id) => byId.get(id)!);
  }
  // COCO results refer to the file's numeric image ids; readCoco keeps the string image_id, so map back.
  const document = JSON.parse(await readFile(file, 'utf8')) as {
    images: { id: number | string; image_id?: string | number }[];
  };
  const cocoIdOf = new Map(document.images.map((image) => [String(image.image_id ?? image.id), image.id]));
  const items: Item[] = images.map((image) => ({
    id: image.externalId,
    cocoId: cocoIdOf.get(image.externalId)!,
    path: image.path,
  }));
  const categoryIds = new Map(dataset.categories.map((c) => [c.name, Number(c.sourceId)]));
  return { items, categoryIds };
}

async function folderItems(folder: string) {
  const files = (await readdir(folder)).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
  if (files.length === 0) throw new Error(`${folder}: no images (${[...IMAGE_EXTENSIONS].join(', ')})`);
  const items: Item[] = files.map((f) => ({
    id: basename(f, extname(f)),
    cocoId: basename(f, extname(f)),
    path: join(folder, f),
  }));
  return { items, categoryIds: undefined };
}

function csvField(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { formatIssues } from '../models/manifest.ts';
import type { SourceDataset } from './source.ts';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const cocoSchema = z.object({
  image_root: z.string().optional(),
  categories: z.array(z.object({ id: z.number().int(), name: z.string().min(1) })).min(1),
  images: z.array(
    z.object({
      id: z.union([z.number().int(), z.string().min(1)]),
      file_name: z.string().min(1),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      image_id: z.union([z.string().min(1), z.number()]).optional(),
      group: scalar.optional(),
      patient_id: scalar.optional(),
      metadata: z.record(z.string(), scalar).optional(),
    }),
  ),
  annotations: z.array(
    z.object({
      id: z.union([z.number(), z.string()]).optional(),
      image_id: z.union([z.number().int(), z.string().min(1)]),
      category_id: z.number().int(),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
    }),
  ),
});

/**
 * Reads a COCO detection file. Image files are looked up in `imagesDir` when given, else under the file's
 * `image_root`, else beside the JSON. Errors name the file and the offending entry.
 */
export async function readCoco(jsonPath: string, imagesDir?: string): Promise<SourceDataset> {
  const where = jsonPath;
  let document: unknown;
  try {
    document = JSON.parse(await readFile(jsonPath, 'utf8'));
  } catch (error) {
    throw new Error(`${where}: not a readable JSON file (${(error as Error).message})`);
  }
  const parsed = cocoSchema.safeParse(document);
  if (!parsed.success) throw new Error(`${where}: ${formatIssues(parsed.error)}`);
  const coco = parsed.data;

  const categoryNames = new Map<number, string>();
  coco.categories.forEach((c, i) => {
    if (categoryNames.has(c.id)) throw new Error(`${where}: categories.${i}: duplicate category id ${c.id}`);
    categoryNames.set(c.id, c.name);
  });
  const root = imagesDir ?? resolve(dirname(jsonPath), coco.image_root ?? '.');

  const images = coco.images.map((image, i) => ({
    externalId: String(image.image_id ?? image.id),
    fileName: image.file_name,
    path: isAbsolute(image.file_name) ? image.file_name : resolve(root, image.file_name),
    declaredWidth: image.width,
    declaredHeight: image.height,
    group: image.group === undefined || image.group === null ? null : String(image.group),
    metadata: {
      ...(image.patient_id !== undefined ? { patient_id: image.patient_id } : {}),
      ...image.metadata,
    },
    boxes: [] as SourceDataset['images'][number]['boxes'],
    where: `${where}: images.${i} (${image.file_name})`,
  }));
  const byId = new Map<string, (typeof images)[number]>();
  coco.images.forEach((image, i) => {
    const key = String(image.id);
    if (byId.has(key)) throw new Error(`${where}: images.${i}: duplicate image id ${key}`);
    byId.set(key, images[i]);
  });
  const externalIds = new Set<string>();
  for (const image of images) {
    if (externalIds.has(image.externalId))
      throw new Error(`${image.where}: duplicate image_id ${image.externalId}`);
    externalIds.add(image.externalId);
  }

  coco.annotations.forEach((a, i) => {
    const at = `${where}: annotations.${i}${a.id === undefined ? '' : ` (id ${a.id})`}`;
    const image = byId.get(String(a.image_id));
    if (!image) throw new Error(`${at}: image_id ${a.image_id} is not in images`);
    const category = categoryNames.get(a.category_id);
    if (category === undefined)
      throw new Error(`${at}: unknown category_id ${a.category_id} (not in categories)`);
    const [x, y, w, h] = a.bbox;
    image.boxes.push({ category, x, y, w, h, sourceId: a.id === undefined ? null : String(a.id), where: at });
  });

  return {
    format: 'coco',
    sourcePath: jsonPath,
    categories: coco.categories.map((c) => ({ sourceId: String(c.id), name: c.name })),
    images,
  };
}

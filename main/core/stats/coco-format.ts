// COCO ground-truth files and COCO results files (detections), validated with zod; errors name the file and
// the JSON path of the bad field.
import { z } from 'zod';
import type { CocoInput, Detection, GroundTruthBox } from './coco-eval.ts';

const box = z.tuple([z.number(), z.number(), z.number().nonnegative(), z.number().nonnegative()]);

const groundTruthFile = z.object({
  images: z.array(z.object({ id: z.number().int() }).loose()),
  categories: z.array(z.object({ id: z.number().int(), name: z.string() }).loose()).min(1),
  annotations: z.array(
    z
      .object({
        id: z.number().int(),
        image_id: z.number().int(),
        category_id: z.number().int(),
        bbox: box,
        area: z.number().nonnegative().optional(),
        iscrowd: z.union([z.number().int().min(0).max(1), z.boolean()]).optional(),
      })
      .loose(),
  ),
});

const resultsFile = z.array(
  z
    .object({
      image_id: z.number().int(),
      category_id: z.number().int(),
      bbox: box,
      score: z.number().finite(),
    })
    .loose(),
);

export interface CocoGroundTruth {
  images: number[];
  categories: { id: number; name: string }[];
  annotations: GroundTruthBox[];
}

function formatIssues(source: string, error: z.ZodError): string {
  const lines = error.issues.slice(0, 10).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${source}: ${path || '(top level)'}: ${issue.message}`;
  });
  const more = error.issues.length > 10 ? `\n... and ${error.issues.length - 10} more` : '';
  return lines.join('\n') + more;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

export function parseCocoGroundTruth(text: string, source: string): CocoGroundTruth {
  const parsed = groundTruthFile.safeParse(parseJson(text, source));
  if (!parsed.success) throw new Error(formatIssues(source, parsed.error));
  const { images, categories, annotations } = parsed.data;
  const imageIds = new Set(images.map((i) => i.id));
  const categoryIds = new Set(categories.map((c) => c.id));
  annotations.forEach((a, i) => {
    if (!imageIds.has(a.image_id))
      throw new Error(`${source}: .annotations[${i}].image_id: ${a.image_id} is not in .images`);
    if (!categoryIds.has(a.category_id))
      throw new Error(`${source}: .annotations[${i}].category_id: ${a.category_id} is not in .categories`);
  });
  return {
    images: images.map((i) => i.id),
    categories: categories.map((c) => ({ id: c.id, name: c.name })),
    annotations: annotations.map((a) => ({
      id: a.id,
      image_id: a.image_id,
      category_id: a.category_id,
      bbox: a.bbox,
      area: a.area,
      iscrowd: a.iscrowd,
    })),
  };
}

export function parseCocoDetections(text: string, source: string, groundTruth: CocoGroundTruth): Detection[] {
  const parsed = resultsFile.safeParse(parseJson(text, source));
  if (!parsed.success) throw new Error(formatIssues(source, parsed.error));
  const imageIds = new Set(groundTruth.images);
  parsed.data.forEach((d, i) => {
    if (!imageIds.has(d.image_id))
      throw new Error(`${source}: [${i}].image_id: ${d.image_id} is not an image of the ground truth`);
  });
  return parsed.data.map((d) => ({
    image_id: d.image_id,
    category_id: d.category_id,
    bbox: d.bbox,
    score: d.score,
  }));
}

export function cocoInput(groundTruth: CocoGroundTruth, detections: Detection[]): CocoInput {
  return {
    imageIds: groundTruth.images,
    categoryIds: groundTruth.categories.map((c) => c.id),
    groundTruth: groundTruth.annotations,
    detections,
  };
}

// Free-response ROC: the lesion localisation fraction (LLF, lesions found / lesions) against the non-lesion
// localisations per image (NLF, false marks / images) as the mark threshold falls. A mark localises a lesion
// when it has the lesion's category and overlaps it with IoU >= the criterion; marks are taken in falling
// score order and each lesion is localised at most once (its highest-scored mark), so every further mark on
// it counts as a non-lesion localisation.
import type { Box } from './coco-eval.ts';

export interface Lesion {
  imageId: number | string;
  category: string;
  bbox: Box;
}

export interface Mark extends Lesion {
  score: number;
}

export interface FrocPoint {
  threshold: number;
  llf: number;
  nlf: number;
}

export interface FrocResult {
  images: number;
  lesions: number;
  marks: number;
  points: FrocPoint[];
  /** The best LLF reached at no more than each number of non-lesion marks per image. */
  sensitivityAt: { nlf: number; llf: number }[];
  /** Mean of sensitivityAt (the competition performance metric of the LUNA16 / ANODE09 challenges). */
  meanSensitivity: number;
}

export const FROC_NLF_POINTS = [0.125, 0.25, 0.5, 1, 2, 4, 8];

function iou(a: Box, b: Box): number {
  const w = Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const i = w * h;
  return i / (a[2] * a[3] + b[2] * b[3] - i);
}

export function froc(input: {
  imageIds: (number | string)[];
  lesions: Lesion[];
  marks: Mark[];
  iouCriterion?: number;
}): FrocResult {
  const criterion = input.iouCriterion ?? 0.5;
  const images = new Set(input.imageIds);
  const lesionsBy = new Map<number | string, Lesion[]>();
  for (const lesion of input.lesions) {
    if (!images.has(lesion.imageId))
      throw new Error(`lesion on image ${lesion.imageId}, which is not among the images`);
    lesionsBy.set(lesion.imageId, [...(lesionsBy.get(lesion.imageId) ?? []), lesion]);
  }
  const marksBy = new Map<number | string, Mark[]>();
  for (const mark of input.marks) {
    if (!images.has(mark.imageId))
      throw new Error(`mark on image ${mark.imageId}, which is not among the images`);
    if (!Number.isFinite(mark.score)) throw new Error(`mark on image ${mark.imageId} has no finite score`);
    marksBy.set(mark.imageId, [...(marksBy.get(mark.imageId) ?? []), mark]);
  }
  const hits: number[] = [];
  const falseMarks: number[] = [];
  for (const [imageId, marks] of marksBy) {
    const lesions = lesionsBy.get(imageId) ?? [];
    const taken = new Array<boolean>(lesions.length).fill(false);
    const ordered = marks
      .map((m, i) => [m, i] as const)
      .sort((a, b) => b[0].score - a[0].score || a[1] - b[1]);
    for (const [mark] of ordered) {
      let best = -1;
      let bestIou = criterion;
      lesions.forEach((lesion, i) => {
        if (taken[i] || lesion.category !== mark.category) return;
        const overlap = iou(mark.bbox, lesion.bbox);
        if (overlap >= bestIou) {
          bestIou = overlap;
          best = i;
        }
      });
      if (best >= 0) {
        taken[best] = true;
        hits.push(mark.score);
      } else falseMarks.push(mark.score);
    }
  }
  const lesionCount = input.lesions.length;
  const imageCount = images.size;
  const thresholds = [...new Set([...hits, ...falseMarks])].sort((a, b) => b - a);
  hits.sort((a, b) => b - a);
  falseMarks.sort((a, b) => b - a);
  const points: FrocPoint[] = [{ threshold: Infinity, llf: 0, nlf: 0 }];
  let h = 0;
  let f = 0;
  for (const threshold of thresholds) {
    while (h < hits.length && hits[h] >= threshold) h++;
    while (f < falseMarks.length && falseMarks[f] >= threshold) f++;
    points.push({
      threshold,
      llf: lesionCount ? h / lesionCount : NaN,
      nlf: imageCount ? f / imageCount : NaN,
    });
  }
  const sensitivityAt = FROC_NLF_POINTS.map((nlf) => ({
    nlf,
    llf: points.filter((p) => p.nlf <= nlf).reduce((best, p) => Math.max(best, p.llf), 0),
  }));
  return {
    images: imageCount,
    lesions: lesionCount,
    marks: input.marks.length,
    points,
    sensitivityAt,
    meanSensitivity: sensitivityAt.reduce((s, p) => s + p.llf, 0) / sensitivityAt.length,
  };
}

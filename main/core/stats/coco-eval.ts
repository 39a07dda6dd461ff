// COCO box AP/AR, a line-by-line equivalent of pycocotools' COCOeval (iouType "bbox", useCats 1):
// IoU thresholds .50:.05:.95, 101 recall points, maxDets 1/10/100, area ranges all/small/medium/large,
// crowd boxes matched by intersection over the detection's area and never counted as misses.
// Ties between equal scores are broken exactly as pycocotools does (stable sorts, images in id order).

export type Box = [x: number, y: number, w: number, h: number];

export interface GroundTruthBox {
  id: number;
  image_id: number;
  category_id: number;
  bbox: Box;
  /** Used for the area ranges; COCO files carry it (the segment's area). Defaults to w * h. */
  area?: number;
  iscrowd?: number | boolean;
}

export interface Detection {
  image_id: number;
  category_id: number;
  bbox: Box;
  score: number;
}

export interface CocoInput {
  imageIds: number[];
  categoryIds: number[];
  groundTruth: GroundTruthBox[];
  detections: Detection[];
}

export interface CocoSummary {
  AP: number;
  AP50: number;
  AP75: number;
  APsmall: number;
  APmedium: number;
  APlarge: number;
  AR1: number;
  AR10: number;
  AR100: number;
  ARsmall: number;
  ARmedium: number;
  ARlarge: number;
}

export interface CocoResult {
  summary: CocoSummary;
  /** Per category: AP (IoU .50:.95), AP50, AP75 and AR100, area "all"; -1 where the category has no ground truth. */
  perCategory: {
    categoryId: number;
    AP: number;
    AP50: number;
    AP75: number;
    AR100: number;
    groundTruth: number;
  }[];
}

/** numpy.linspace(start, stop, num) with its exact floating-point steps. */
function linspace(start: number, stop: number, num: number): number[] {
  const step = (stop - start) / (num - 1);
  const values = Array.from({ length: num }, (_, i) => i * step + start);
  values[num - 1] = stop;
  return values;
}

export const IOU_THRESHOLDS = linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1);
const RECALL_THRESHOLDS = linspace(0, 1, Math.round(1 / 0.01) + 1);
const MAX_DETS = [1, 10, 100];
const AREA_RANGES: [number, number][] = [
  [0, 1e5 ** 2],
  [0, 32 ** 2],
  [32 ** 2, 96 ** 2],
  [96 ** 2, 1e5 ** 2],
];
const EPS = 2.220446049250313e-16; // np.spacing(1)

interface Dt {
  id: number;
  bbox: Box;
  score: number;
  area: number;
}

interface Gt {
  id: number;
  bbox: Box;
  area: number;
  crowd: boolean;
}

interface EvalImg {
  /** Detections kept (at most maxDet), in falling score order. */
  dtScores: Float64Array;
  /** [t * D + d]: 1 when detection d matched a ground truth at threshold t (pycocotools: its gt id != 0). */
  dtMatched: Uint8Array;
  /** [t * D + d]: 1 when detection d is ignored at threshold t. */
  dtIgnore: Uint8Array;
  /** Ground truths that count (not crowd, inside the area range). */
  gtCounted: number;
}

/** One image and category: detections sorted by score (stable) and cut at maxDet, and their IoUs. */
interface ImageCategory {
  gts: Gt[];
  dts: Dt[];
  /** ious[d * G + g] */
  ious: Float64Array;
}

/** maskApi's bbIou: for a crowd ground truth, the union is the detection's own area. */
function iou(d: Box, g: Box, crowd: boolean): number {
  const w = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
  if (w <= 0) return 0;
  const h = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
  if (h <= 0) return 0;
  const i = w * h;
  const da = d[2] * d[3];
  const u = crowd ? da : da + g[2] * g[3] - i;
  return i / u;
}

/** Indices that sort by key ascending, stable (numpy argsort kind="mergesort"). */
function stableOrder(keys: ArrayLike<number>): number[] {
  const order = Array.from({ length: keys.length }, (_, i) => i);
  return order.sort((a, b) => keys[a] - keys[b] || a - b);
}

function prepareImageCategory(gts: Gt[], dtsAll: Dt[], maxDet: number): ImageCategory {
  const dts = stableOrder(dtsAll.map((d) => -d.score))
    .slice(0, maxDet)
    .map((i) => dtsAll[i]);
  const G = gts.length;
  const ious = new Float64Array(dts.length * G);
  for (let d = 0; d < dts.length; d++)
    for (let g = 0; g < G; g++) ious[d * G + g] = iou(dts[d].bbox, gts[g].bbox, gts[g].crowd);
  return { gts, dts, ious };
}

function evaluateImage({ gts, dts, ious }: ImageCategory, range: [number, number]): EvalImg {
  const G = gts.length;
  const D = dts.length;
  const T = IOU_THRESHOLDS.length;
  const ignoreFlags = gts.map((g) => (g.crowd || g.area < range[0] || g.area > range[1] ? 1 : 0));
  const gtOrder = stableOrder(ignoreFlags);
  const gtIgnore = gtOrder.map((i) => ignoreFlags[i] === 1);
  const gtMatched = new Uint8Array(T * G);
  const dtMatched = new Uint8Array(T * D);
  const dtIgnore = new Uint8Array(T * D);
  if (G > 0) {
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < D; d++) {
        let best = Math.min(IOU_THRESHOLDS[t], 1 - 1e-10);
        let m = -1;
        for (let g = 0; g < G; g++) {
          const gt = gts[gtOrder[g]];
          if (gtMatched[t * G + g] && !gt.crowd) continue;
          if (m > -1 && !gtIgnore[m] && gtIgnore[g]) break;
          const overlap = ious[d * G + gtOrder[g]];
          if (overlap < best) continue;
          best = overlap;
          m = g;
        }
        if (m === -1) continue;
        dtIgnore[t * D + d] = gtIgnore[m] ? 1 : 0;
        // pycocotools records the gt id and tests it against 0: a ground truth with id 0 never counts as a match.
        dtMatched[t * D + d] = gts[gtOrder[m]].id !== 0 ? 1 : 0;
        gtMatched[t * G + m] = dts[d].id !== 0 ? 1 : 0;
      }
    }
  }
  for (let d = 0; d < D; d++) {
    if (!(dts[d].area < range[0] || dts[d].area > range[1])) continue;
    for (let t = 0; t < T; t++) if (!dtMatched[t * D + d]) dtIgnore[t * D + d] = 1;
  }
  let gtCounted = 0;
  for (const ignored of gtIgnore) if (!ignored) gtCounted++;
  return { dtScores: Float64Array.from(dts, (d) => d.score), dtMatched, dtIgnore, gtCounted };
}

function checkInput(input: CocoInput): void {
  const images = new Set(input.imageIds);
  input.detections.forEach((d, i) => {
    if (!images.has(d.image_id))
      throw new Error(`detection ${i}: image_id ${d.image_id} is not an image of the ground truth`);
    if (!Number.isFinite(d.score)) throw new Error(`detection ${i}: score is not a finite number`);
  });
}

export function cocoEvaluate(input: CocoInput): CocoResult {
  checkInput(input);
  const imageIds = [...new Set(input.imageIds)].sort((a, b) => a - b);
  const categoryIds = [...new Set(input.categoryIds)].sort((a, b) => a - b);
  // Per category, the images holding any of its boxes, in image id order (the empty ones evaluate to None).
  const byCategory = new Map<number, Map<number, { gts: Gt[]; dts: Dt[] }>>();
  const cell = (img: number, cat: number) => {
    let images = byCategory.get(cat);
    if (!images) byCategory.set(cat, (images = new Map()));
    let entry = images.get(img);
    if (!entry) images.set(img, (entry = { gts: [], dts: [] }));
    return entry;
  };
  for (const g of input.groundTruth) {
    cell(g.image_id, g.category_id).gts.push({
      id: g.id,
      bbox: g.bbox,
      area: g.area ?? g.bbox[2] * g.bbox[3],
      crowd: Boolean(g.iscrowd),
    });
  }
  input.detections.forEach((d, i) => {
    cell(d.image_id, d.category_id).dts.push({
      id: i + 1,
      bbox: d.bbox,
      score: d.score,
      area: d.bbox[2] * d.bbox[3],
    });
  });
  const imageSet = new Set(imageIds);
  const T = IOU_THRESHOLDS.length;
  const R = RECALL_THRESHOLDS.length;
  const K = categoryIds.length;
  const A = AREA_RANGES.length;
  const M = MAX_DETS.length;
  const maxDet = MAX_DETS[M - 1];
  // precision[t][r][k][a][m] and recall[t][k][a][m], flattened; -1 = no ground truth.
  const precision = new Float64Array(T * R * K * A * M).fill(-1);
  const recall = new Float64Array(T * K * A * M).fill(-1);
  const pIndex = (t: number, r: number, k: number, a: number, m: number) =>
    (((t * R + r) * K + k) * A + a) * M + m;
  const rIndex = (t: number, k: number, a: number, m: number) => ((t * K + k) * A + a) * M + m;
  const groundTruthCount = new Array<number>(K).fill(0);

  for (let k = 0; k < K; k++) {
    const cat = categoryIds[k];
    const cells = [...(byCategory.get(cat)?.entries() ?? [])]
      .filter(([img]) => imageSet.has(img))
      .sort((x, y) => x[0] - y[0])
      .map(([, { gts, dts }]) => prepareImageCategory(gts, dts, maxDet));
    if (cells.length === 0) continue;
    for (let a = 0; a < A; a++) {
      const evals = cells.map((cell) => evaluateImage(cell, AREA_RANGES[a]));
      let npig = 0;
      for (const e of evals) npig += e.gtCounted;
      if (a === 0) groundTruthCount[k] = npig;
      if (npig === 0) continue;
      for (let m = 0; m < M; m++) {
        // Concatenate the images' first maxDets[m] detections, then sort stably by falling score.
        let total = 0;
        for (const e of evals) total += Math.min(MAX_DETS[m], e.dtScores.length);
        const negated = new Float64Array(total);
        const owner = new Int32Array(total);
        const within = new Int32Array(total);
        let n = 0;
        evals.forEach((e, ei) => {
          const kept = Math.min(MAX_DETS[m], e.dtScores.length);
          for (let i = 0; i < kept; i++, n++) {
            negated[n] = -e.dtScores[i];
            owner[n] = ei;
            within[n] = i;
          }
        });
        const order = stableOrder(negated);
        const nd = order.length;
        const rc = new Float64Array(nd);
        const pr = new Float64Array(nd);
        for (let t = 0; t < T; t++) {
          let tp = 0;
          let fp = 0;
          for (let j = 0; j < nd; j++) {
            const e = evals[owner[order[j]]];
            const at = t * e.dtScores.length + within[order[j]];
            if (!e.dtIgnore[at]) {
              if (e.dtMatched[at]) tp++;
              else fp++;
            }
            rc[j] = tp / npig;
            pr[j] = tp / (fp + tp + EPS);
          }
          recall[rIndex(t, k, a, m)] = nd ? rc[nd - 1] : 0;
          for (let j = nd - 1; j > 0; j--) if (pr[j] > pr[j - 1]) pr[j - 1] = pr[j];
          // q[r] = pr[searchsorted(rc, recThrs[r], "left")], 0 past the last detection.
          let j = 0;
          for (let r = 0; r < R; r++) {
            while (j < nd && rc[j] < RECALL_THRESHOLDS[r]) j++;
            precision[pIndex(t, r, k, a, m)] = j < nd ? pr[j] : 0;
          }
        }
      }
    }
  }

  // Means over the entries > -1, as COCOeval.summarize; opts.k restricts to one category.
  const ap = (opts: { t?: number; a?: number; m?: number; k?: number }) => {
    const a = opts.a ?? 0;
    const m = opts.m ?? M - 1;
    let sum = 0;
    let count = 0;
    for (let t = opts.t ?? 0; t <= (opts.t ?? T - 1); t++) {
      for (let r = 0; r < R; r++) {
        for (let k = opts.k ?? 0; k <= (opts.k ?? K - 1); k++) {
          const v = precision[pIndex(t, r, k, a, m)];
          if (v > -1) {
            sum += v;
            count++;
          }
        }
      }
    }
    return count ? sum / count : -1;
  };
  const ar = (opts: { a?: number; m?: number; k?: number }) => {
    const a = opts.a ?? 0;
    const m = opts.m ?? M - 1;
    let sum = 0;
    let count = 0;
    for (let t = 0; t < T; t++) {
      for (let k = opts.k ?? 0; k <= (opts.k ?? K - 1); k++) {
        const v = recall[rIndex(t, k, a, m)];
        if (v > -1) {
          sum += v;
          count++;
        }
      }
    }
    return count ? sum / count : -1;
  };
  const t50 = IOU_THRESHOLDS.indexOf(0.5);
  const t75 = IOU_THRESHOLDS.indexOf(0.75);
  return {
    summary: {
      AP: ap({}),
      AP50: ap({ t: t50 }),
      AP75: ap({ t: t75 }),
      APsmall: ap({ a: 1 }),
      APmedium: ap({ a: 2 }),
      APlarge: ap({ a: 3 }),
      AR1: ar({ m: 0 }),
      AR10: ar({ m: 1 }),
      AR100: ar({}),
      ARsmall: ar({ a: 1 }),
      ARmedium: ar({ a: 2 }),
      ARlarge: ar({ a: 3 }),
    },
    perCategory: categoryIds.map((categoryId, k) => ({
      categoryId,
      AP: ap({ k }),
      AP50: ap({ t: t50, k }),
      AP75: ap({ t: t75, k }),
      AR100: ar({ k }),
      groundTruth: groundTruthCount[k],
    })),
  };
}

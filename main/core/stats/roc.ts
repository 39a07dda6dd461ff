// Empirical ROC area with DeLong's variance, confidence interval and paired test (DeLong, DeLong and
// Clarke-Pearson 1988), computed from sort-based placement values in O(n log n) (Sun and Xu 2014). When cases
// come in clusters (several images of one patient), Obuchowski's clustered form of the same variance
// (Biometrics 1997), which equals DeLong's when every cluster holds one case.
import { normalQuantile, normalTwoSidedP } from './distributions.ts';

/** Per-case structural components: the AUC is the mean of either array. */
export interface Placements {
  auc: number;
  /** V10: for each positive case (in input order), the fraction of negatives it outranks (ties count one half). */
  positives: Float64Array;
  /** V01: for each negative case (in input order), the fraction of positives that outrank it. */
  negatives: Float64Array;
  /** When cases are clustered (several of one patient), see `Clusters`. */
  clusters?: Clusters;
}

/** Clusters numbered 0..count-1 in order of first appearance among the cases. */
export interface Clusters {
  count: number;
  /** The cluster of each positive and of each negative case (in the order of `positives` / `negatives`). */
  positives: Int32Array;
  negatives: Int32Array;
  /** How many clusters hold a positive case, and how many a negative one. */
  withPositives: number;
  withNegatives: number;
  /** Per cluster, the sum over its own positive-negative pairs of the pair's score (1, 1/2 for a tie, 0). */
  withinPairs: Float64Array;
}

/** Keys numbered 0..count-1 in order of first appearance. */
function numberInOrder<K>(length: number, keyOf: (i: number) => K): { ids: Int32Array; count: number } {
  const numbers = new Map<K, number>();
  const ids = Int32Array.from({ length }, (_, i) => {
    const key = keyOf(i);
    return numbers.get(key) ?? numbers.set(key, numbers.size).get(key)!;
  });
  return { ids, count: numbers.size };
}

/** Cluster numbers from keys (patient pseudonyms); a case without a key is a cluster of its own. */
export function clusterNumbers(keys: ArrayLike<string | null | undefined>): {
  ids: Int32Array;
  count: number;
} {
  return numberInOrder<string | number>(keys.length, (i) => keys[i] ?? i);
}

export interface AucEstimate {
  auc: number;
  variance: number;
  se: number;
  ci: [number, number];
  positives: number;
  negatives: number;
}

export interface PairedTest {
  difference: number;
  se: number;
  z: number;
  p: number;
  ci: [number, number];
}

export interface RocPoint {
  threshold: number;
  fpr: number;
  tpr: number;
}

/** Counts of values strictly below and equal to x in an ascending array. */
function rankIn(sorted: Float64Array, x: number): { below: number; equal: number } {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  const below = lo;
  hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return { below, equal: lo - below };
}

function checkScores(scores: ArrayLike<number>, truth: ArrayLike<boolean>): void {
  if (scores.length !== truth.length) {
    throw new Error(`scores (${scores.length}) and truth (${truth.length}) have different lengths`);
  }
  for (let i = 0; i < scores.length; i++) {
    if (!Number.isFinite(scores[i]))
      throw new Error(`score of case ${i} is not a finite number: ${scores[i]}`);
  }
}

/** clusters: an integer per case naming its cluster (patient); cases of one cluster are not independent. */
export function placements(
  scores: ArrayLike<number>,
  truth: ArrayLike<boolean>,
  clusters?: ArrayLike<number>,
): Placements {
  checkScores(scores, truth);
  if (clusters && clusters.length !== scores.length)
    throw new Error(`${clusters.length} clusters for ${scores.length} scores`);
  const pos: number[] = [];
  const neg: number[] = [];
  for (let i = 0; i < scores.length; i++) (truth[i] ? pos : neg).push(scores[i]);
  const m = pos.length;
  const n = neg.length;
  if (m === 0 || n === 0)
    throw new Error(`AUC needs positive and negative cases (got ${m} positive, ${n} negative)`);
  const sortedNeg = Float64Array.from(neg).sort();
  const sortedPos = Float64Array.from(pos).sort();
  const positives = new Float64Array(m);
  const negatives = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const { below, equal } = rankIn(sortedNeg, pos[i]);
    positives[i] = (below + equal / 2) / n;
    sum += positives[i];
  }
  for (let j = 0; j < n; j++) {
    const { below, equal } = rankIn(sortedPos, neg[j]);
    negatives[j] = (m - below - equal + equal / 2) / m;
  }
  return {
    auc: sum / m,
    positives,
    negatives,
    ...(clusters ? { clusters: clusterSummary(truth, scores, clusters) } : {}),
  };
}

function clusterSummary(
  truth: ArrayLike<boolean>,
  scores: ArrayLike<number>,
  clusters: ArrayLike<number>,
): Clusters {
  const { ids, count } = numberInOrder(scores.length, (i) => clusters[i]);
  const pos: number[] = [];
  const neg: number[] = [];
  const positiveScores = Array.from({ length: count }, (): number[] => []);
  const negativeScores = Array.from({ length: count }, (): number[] => []);
  for (let i = 0; i < scores.length; i++) {
    (truth[i] ? pos : neg).push(ids[i]);
    (truth[i] ? positiveScores : negativeScores)[ids[i]].push(scores[i]);
  }
  const withinPairs = Float64Array.from(positiveScores, (xs, c) => {
    let s = 0;
    for (const x of xs) for (const y of negativeScores[c]) s += x > y ? 1 : x === y ? 0.5 : 0;
    return s;
  });
  return {
    count,
    positives: Int32Array.from(pos),
    negatives: Int32Array.from(neg),
    withPositives: new Set(pos).size,
    withNegatives: new Set(neg).size,
    withinPairs,
  };
}

export function empiricalAuc(scores: ArrayLike<number>, truth: ArrayLike<boolean>): number {
  return placements(scores, truth).auc;
}

function sampleCovariance(a: Float64Array, b: Float64Array): number {
  const k = a.length;
  if (k < 2) return 0;
  let meanA = 0;
  let meanB = 0;
  for (let i = 0; i < k; i++) {
    meanA += a[i];
    meanB += b[i];
  }
  meanA /= k;
  meanB /= k;
  let s = 0;
  for (let i = 0; i < k; i++) s += (a[i] - meanA) * (b[i] - meanB);
  return s / (k - 1);
}

const sameClusters = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((c, i) => c === b[i]);

/**
 * Obuchowski (1997): per cluster c, the sums of the deviations V10 - A over its positives (d10) and V01 - A over
 * its negatives (d01); I10 and I01 clusters hold positives and negatives, I clusters in all.
 */
function clusteredCovariance(a: Placements, b: Placements): number {
  const { count: k, positives: pos, negatives: neg, withPositives, withNegatives } = a.clusters!;
  const [d10a, d10b, d01a, d01b] = [0, 1, 2, 3].map(() => new Float64Array(k));
  pos.forEach((c, i) => {
    d10a[c] += a.positives[i] - a.auc;
    d10b[c] += b.positives[i] - b.auc;
  });
  neg.forEach((c, j) => {
    d01a[c] += a.negatives[j] - a.auc;
    d01b[c] += b.negatives[j] - b.auc;
  });
  let s10 = 0;
  let s01 = 0;
  let s11 = 0;
  for (let c = 0; c < k; c++) {
    s10 += d10a[c] * d10b[c];
    s01 += d01a[c] * d01b[c];
    s11 += d10a[c] * d01b[c] + d01a[c] * d10b[c];
  }
  const m = a.positives.length;
  const n = a.negatives.length;
  return (
    (withPositives / ((withPositives - 1) * m * m)) * s10 +
    (withNegatives / ((withNegatives - 1) * n * n)) * s01 +
    (k / ((k - 1) * m * n)) * s11
  );
}

/**
 * DeLong covariance of two AUCs measured on the same cases (the variance when a === b); Obuchowski's clustered
 * form when both carry the same clusters.
 */
export function delongCovariance(a: Placements, b: Placements): number {
  if (a.positives.length !== b.positives.length || a.negatives.length !== b.negatives.length) {
    throw new Error('DeLong covariance needs both scores on the same cases');
  }
  if (a.clusters || b.clusters) {
    if (
      !a.clusters ||
      !b.clusters ||
      !sameClusters(a.clusters.positives, b.clusters.positives) ||
      !sameClusters(a.clusters.negatives, b.clusters.negatives)
    )
      throw new Error('clustered DeLong covariance needs both scores on the same cases and clusters');
    return clusteredCovariance(a, b);
  }
  return (
    sampleCovariance(a.positives, b.positives) / a.positives.length +
    sampleCovariance(a.negatives, b.negatives) / a.negatives.length
  );
}

export function aucWithCi(p: Placements, level = 0.95): AucEstimate {
  const variance = delongCovariance(p, p);
  const se = Math.sqrt(variance);
  const z = normalQuantile(1 - (1 - level) / 2);
  return {
    auc: p.auc,
    variance,
    se,
    ci: [Math.max(0, p.auc - z * se), Math.min(1, p.auc + z * se)],
    positives: p.positives.length,
    negatives: p.negatives.length,
  };
}

/** Paired DeLong test of AUC(a) - AUC(b), both measured on the same cases. */
export function pairedDelongTest(a: Placements, b: Placements, level = 0.95): PairedTest {
  const variance = delongCovariance(a, a) + delongCovariance(b, b) - 2 * delongCovariance(a, b);
  const difference = a.auc - b.auc;
  const se = Math.sqrt(Math.max(variance, 0));
  const z = se > 0 ? difference / se : difference === 0 ? 0 : Math.sign(difference) * Infinity;
  const q = normalQuantile(1 - (1 - level) / 2);
  return {
    difference,
    se,
    z,
    p: se > 0 ? normalTwoSidedP(z) : difference === 0 ? 1 : 0,
    ci: [difference - q * se, difference + q * se],
  };
}

/** The empirical ROC curve: one point per distinct score, from (0,0) to (1,1). */
export function rocCurve(scores: ArrayLike<number>, truth: ArrayLike<boolean>): RocPoint[] {
  checkScores(scores, truth);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((i, j) => scores[j] - scores[i]);
  let m = 0;
  for (let i = 0; i < truth.length; i++) if (truth[i]) m++;
  const n = truth.length - m;
  const points: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (truth[i]) tp++;
    else fp++;
    if (k + 1 === order.length || scores[order[k + 1]] !== scores[i]) {
      points.push({ threshold: scores[i], fpr: n ? fp / n : 0, tpr: m ? tp / m : 0 });
    }
  }
  return points;
}

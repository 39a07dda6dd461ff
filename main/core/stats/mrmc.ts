// Obuchowski-Rockette analysis of a multi-reader multi-case ROC study with Hillis' degrees of freedom
// (Obuchowski and Rockette 1995; Hillis 2007, 2008), as in the Iowa OR-DBM MRMC program, RJafroc and MRMCaov:
// the reader AUCs are modelled as treatment + reader + treatment x reader + correlated error, the error
// covariances (Var, Cov1, Cov2, Cov3) are estimated from the cases by the jackknife or by DeLong's method.
// Clustered cases (several of one patient): the jackknife leaves out a whole patient at a time and DeLong's
// method takes Obuchowski's clustered form, so the analysis counts patients, not images, as the sampling unit.
import {
  fSurvival,
  chiSquareSurvival,
  normalQuantile,
  normalTwoSidedP,
  studentTQuantile,
  studentTTwoSidedP,
} from './distributions.ts';
import { delongCovariance, placements, type Placements } from './roc.ts';

export type CovarianceMethod = 'jackknife' | 'delong';

export interface MrmcInput {
  treatments: string[];
  readers: string[];
  /** ratings[t][r][c]: treatment t, reader r, case c (every reader reads every case in every treatment). */
  ratings: ArrayLike<number>[][];
  truth: ArrayLike<boolean>;
  /** The cluster (patient) of each case, when cases are not independent. */
  clusters?: ArrayLike<number>;
  covariance?: CovarianceMethod;
  level?: number;
}

export interface VarianceComponents {
  varR: number;
  varTR: number;
  cov1: number;
  cov2: number;
  cov3: number;
  varError: number;
}

export interface Comparison {
  treatments: [string, string];
  difference: number;
  se: number;
  /** t statistic (random readers) or z statistic (fixed readers). */
  statistic: number;
  df: number;
  p: number;
  ci: [number, number];
}

export interface TreatmentEstimate {
  treatment: string;
  auc: number;
  se: number;
  df: number;
  ci: [number, number];
}

export interface FTest {
  f: number;
  df1: number;
  df2: number;
  p: number;
}

export interface MrmcResult {
  covariance: CovarianceMethod;
  cases: { positive: number; negative: number };
  treatments: string[];
  readers: string[];
  /** auc[t][r] */
  auc: number[][];
  treatmentMeans: number[];
  meanSquares: { t: number; r: number; tr: number };
  varianceComponents: VarianceComponents;
  randomReadersRandomCases: {
    test: FTest | null;
    comparisons: Comparison[];
    treatments: TreatmentEstimate[];
  };
  fixedReadersRandomCases: {
    test: { chi2: number; df: number; p: number } | null;
    comparisons: Comparison[];
    treatments: TreatmentEstimate[];
  };
  randomReadersFixedCases: { test: FTest | null; comparisons: Comparison[]; treatments: TreatmentEstimate[] };
}

/**
 * Jackknife AUCs, one per case left out (positives first), from the placement values in O(cases); for
 * clustered placements one per cluster left out (in order of first appearance, positives first):
 * (m·n·A − n·ΣV10 − m·ΣV01 + within-cluster pairs) / ((m − m_c)(n − n_c)).
 */
function jackknifeValues(p: Placements): Float64Array {
  const m = p.positives.length;
  const n = p.negatives.length;
  if (p.clusters) {
    const { count, positives, negatives, withinPairs } = p.clusters;
    const [m10, sum10, n01, sum01] = [0, 1, 2, 3].map(() => new Float64Array(count));
    positives.forEach((c, i) => {
      m10[c]++;
      sum10[c] += p.positives[i];
    });
    negatives.forEach((c, j) => {
      n01[c]++;
      sum01[c] += p.negatives[j];
    });
    return Float64Array.from({ length: count }, (_, c) => {
      const pairs = m * n * p.auc - n * sum10[c] - m * sum01[c] + withinPairs[c];
      return pairs / ((m - m10[c]) * (n - n01[c]));
    });
  }
  const values = new Float64Array(m + n);
  for (let k = 0; k < m; k++) values[k] = (m * p.auc - p.positives[k]) / (m - 1);
  for (let k = 0; k < n; k++) values[m + k] = (n * p.auc - p.negatives[k]) / (n - 1);
  return values;
}

/** Covariance matrix of the AUC estimates of the given score sets (all on the same cases). */
export function aucCovarianceMatrix(items: Placements[], method: CovarianceMethod): number[][] {
  const k = items.length;
  const { positives, negatives } = {
    positives: items[0]?.positives.length ?? 0,
    negatives: items[0]?.negatives.length ?? 0,
  };
  if (positives < 2 || negatives < 2) {
    throw new Error(
      `MRMC covariances need at least 2 positive and 2 negative cases (got ${positives} and ${negatives})`,
    );
  }
  const clusters = items[0]?.clusters;
  if (clusters) {
    const { withPositives, withNegatives } = clusters;
    if (withPositives < 2 || withNegatives < 2)
      throw new Error(
        `MRMC covariances need at least 2 patients with positive and 2 with negative cases (got ${withPositives} and ${withNegatives})`,
      );
  }
  const matrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  if (method === 'delong') {
    for (let a = 0; a < k; a++)
      for (let b = a; b < k; b++) matrix[a][b] = matrix[b][a] = delongCovariance(items[a], items[b]);
    return matrix;
  }
  const centred = items.map((item) => {
    const values = jackknifeValues(item);
    let mean = 0;
    for (const v of values) mean += v;
    mean /= values.length;
    for (let i = 0; i < values.length; i++) values[i] -= mean;
    return values;
  });
  const cases = centred[0]?.length ?? 0;
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      const x = centred[a];
      const y = centred[b];
      let s = 0;
      for (let i = 0; i < cases; i++) s += x[i] * y[i];
      matrix[a][b] = matrix[b][a] = (s * (cases - 1)) / cases;
    }
  }
  return matrix;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Var, Cov1 (same reader, other treatment), Cov2 (same treatment, other reader), Cov3 (both differ). */
function errorCovariances(cov: number[][], t: number, r: number, onlyTreatment?: number) {
  const at = (ti: number, ri: number) => ti * r + ri;
  const sums = { var: [] as number[], cov1: [] as number[], cov2: [] as number[], cov3: [] as number[] };
  for (let i = 0; i < t; i++) {
    if (onlyTreatment !== undefined && i !== onlyTreatment) continue;
    for (let ip = 0; ip < t; ip++) {
      if (onlyTreatment !== undefined && ip !== onlyTreatment) continue;
      for (let j = 0; j < r; j++) {
        for (let jp = 0; jp < r; jp++) {
          const c = cov[at(i, j)][at(ip, jp)];
          if (i === ip && j === jp) sums.var.push(c);
          else if (i !== ip && j === jp) sums.cov1.push(c);
          else if (i === ip) sums.cov2.push(c);
          else sums.cov3.push(c);
        }
      }
    }
  }
  const avg = (xs: number[]) => (xs.length ? mean(xs) : 0);
  return { varError: avg(sums.var), cov1: avg(sums.cov1), cov2: avg(sums.cov2), cov3: avg(sums.cov3) };
}

function tInterval(estimate: number, se: number, df: number, level: number): [number, number] {
  const q =
    Number.isFinite(df) && df > 0
      ? studentTQuantile(1 - (1 - level) / 2, df)
      : normalQuantile(1 - (1 - level) / 2);
  return [estimate - q * se, estimate + q * se];
}

function zInterval(estimate: number, se: number, level: number): [number, number] {
  const q = normalQuantile(1 - (1 - level) / 2);
  return [estimate - q * se, estimate + q * se];
}

function tTest(difference: number, se: number, df: number): { statistic: number; p: number } {
  if (se === 0)
    return {
      statistic: difference === 0 ? 0 : Math.sign(difference) * Infinity,
      p: difference === 0 ? 1 : 0,
    };
  const statistic = difference / se;
  return { statistic, p: studentTTwoSidedP(statistic, df) };
}

function zTest(difference: number, se: number): { statistic: number; p: number } {
  if (se === 0)
    return {
      statistic: difference === 0 ? 0 : Math.sign(difference) * Infinity,
      p: difference === 0 ? 1 : 0,
    };
  const statistic = difference / se;
  return { statistic, p: normalTwoSidedP(statistic) };
}

/** A difference with its standard error, Student's t test on df degrees of freedom and confidence interval. */
function tEstimate(difference: number, se: number, df: number, level: number): ReferenceEstimate {
  return { difference, se, ...tTest(difference, se, df), df, ci: tInterval(difference, se, df, level) };
}

/** A difference with its standard error, z test and confidence interval (fixed readers: infinite df). */
function zEstimate(difference: number, se: number, level: number): ReferenceEstimate {
  return { difference, se, ...zTest(difference, se), df: Infinity, ci: zInterval(difference, se, level) };
}

function checkDesign(input: MrmcInput): void {
  const { treatments, readers, ratings, truth } = input;
  if (treatments.length < 1 || readers.length < 2) {
    throw new Error(
      `MRMC analysis needs at least 1 treatment and 2 readers (got ${treatments.length} and ${readers.length})`,
    );
  }
  if (ratings.length !== treatments.length) throw new Error('ratings must have one entry per treatment');
  ratings.forEach((perReader, t) => {
    if (perReader.length !== readers.length)
      throw new Error(`treatment ${treatments[t]}: ratings must have one entry per reader`);
    perReader.forEach((scores, r) => {
      if (scores.length !== truth.length) {
        throw new Error(
          `treatment ${treatments[t]}, reader ${readers[r]}: ${scores.length} ratings for ${truth.length} cases`,
        );
      }
    });
  });
}

export function orAnalysis(input: MrmcInput): MrmcResult {
  checkDesign(input);
  const { treatments, readers, truth } = input;
  const method = input.covariance ?? 'jackknife';
  const level = input.level ?? 0.95;
  const t = treatments.length;
  const r = readers.length;
  const items = input.ratings.flatMap((perReader) =>
    perReader.map((scores) => placements(scores, truth, input.clusters)),
  );
  const auc = treatments.map((_, i) => readers.map((_, j) => items[i * r + j].auc));
  const cov = aucCovarianceMatrix(items, method);
  const { varError, cov1, cov2, cov3 } = errorCovariances(cov, t, r);

  const treatmentMeans = auc.map((row) => mean(row));
  const readerMeans = readers.map((_, j) => mean(auc.map((row) => row[j])));
  const grand = mean(treatmentMeans);
  const msT = t > 1 ? (r * treatmentMeans.reduce((s, x) => s + (x - grand) ** 2, 0)) / (t - 1) : 0;
  const msR = (t * readerMeans.reduce((s, x) => s + (x - grand) ** 2, 0)) / (r - 1);
  let ssTR = 0;
  for (let i = 0; i < t; i++)
    for (let j = 0; j < r; j++) ssTR += (auc[i][j] - treatmentMeans[i] - readerMeans[j] + grand) ** 2;
  const msTR = t > 1 ? ssTR / ((t - 1) * (r - 1)) : 0;
  const varTR = t > 1 ? msTR - varError + cov1 + cov2 - cov3 : 0;
  const varR = (msR - varTR - varError - (t - 1) * cov1 + cov2 + (t - 1) * cov3) / t;

  // Per-treatment analyses use only that treatment's readers and covariances (Hillis 2007, section 5).
  const single = treatments.map((name, i) => {
    const within = errorCovariances(cov, t, r, i);
    const msRi = auc[i].reduce((s, x) => s + (x - treatmentMeans[i]) ** 2, 0) / (r - 1);
    return { name, mean: treatmentMeans[i], msR: msRi, varError: within.varError, cov2: within.cov2 };
  });

  const pairs: [number, number][] = [];
  for (let a = 0; a < t; a++) for (let b = a + 1; b < t; b++) pairs.push([a, b]);
  const diff = (a: number, b: number) => treatmentMeans[a] - treatmentMeans[b];

  // Random readers, random cases.
  const denominator = msTR + r * Math.max(cov2 - cov3, 0);
  const ddfH = msTR > 0 ? (denominator * denominator) / ((msTR * msTR) / ((t - 1) * (r - 1))) : Infinity;
  const seRRRC = Math.sqrt((2 / r) * denominator);
  const rrrc = {
    test:
      t > 1
        ? { f: msT / denominator, df1: t - 1, df2: ddfH, p: fSurvival(msT / denominator, t - 1, ddfH) }
        : null,
    comparisons: pairs.map(([a, b]) => ({
      treatments: [treatments[a], treatments[b]] as [string, string],
      ...tEstimate(diff(a, b), seRRRC, ddfH, level),
    })),
    treatments: single.map((s) => {
      const v = s.msR + r * Math.max(s.cov2, 0);
      const df = s.msR > 0 ? (v * v) / ((s.msR * s.msR) / (r - 1)) : Infinity;
      const se = Math.sqrt(v / r);
      return { treatment: s.name, auc: s.mean, se, df, ci: tInterval(s.mean, se, df, level) };
    }),
  };

  // Fixed readers, random cases: only the case sampling varies.
  const fixedVar = varError - cov1 + (r - 1) * Math.max(cov2 - cov3, 0);
  const seFRRC = Math.sqrt((2 / r) * fixedVar);
  const frrc = {
    test:
      t > 1
        ? {
            chi2: ((t - 1) * msT) / fixedVar,
            df: t - 1,
            p: chiSquareSurvival(((t - 1) * msT) / fixedVar, t - 1),
          }
        : null,
    comparisons: pairs.map(([a, b]) => ({
      treatments: [treatments[a], treatments[b]] as [string, string],
      ...zEstimate(diff(a, b), seFRRC, level),
    })),
    treatments: single.map((s) => {
      const se = Math.sqrt((s.varError + (r - 1) * Math.max(s.cov2, 0)) / r);
      return { treatment: s.name, auc: s.mean, se, df: Infinity, ci: zInterval(s.mean, se, level) };
    }),
  };

  // Random readers, fixed cases: a two-way ANOVA of the AUCs.
  const dfTR = (t - 1) * (r - 1);
  const seRRFC = Math.sqrt((2 * msTR) / r);
  const rrfc = {
    test: t > 1 ? { f: msT / msTR, df1: t - 1, df2: dfTR, p: fSurvival(msT / msTR, t - 1, dfTR) } : null,
    comparisons: pairs.map(([a, b]) => ({
      treatments: [treatments[a], treatments[b]] as [string, string],
      ...tEstimate(diff(a, b), seRRFC, dfTR, level),
    })),
    treatments: single.map((s) => {
      const se = Math.sqrt(s.msR / r);
      return { treatment: s.name, auc: s.mean, se, df: r - 1, ci: tInterval(s.mean, se, r - 1, level) };
    }),
  };

  return {
    covariance: method,
    cases: { positive: items[0].positives.length, negative: items[0].negatives.length },
    treatments,
    readers,
    auc,
    treatmentMeans,
    meanSquares: { t: msT, r: msR, tr: msTR },
    varianceComponents: { varR, varTR, cov1, cov2, cov3, varError },
    randomReadersRandomCases: rrrc,
    fixedReadersRandomCases: frrc,
    randomReadersFixedCases: rrfc,
  };
}

export interface ReferenceInput {
  readers: string[];
  /** ratings[r][c] for one modality. */
  ratings: ArrayLike<number>[];
  /** The reference reader's (typically the model's) scores on the same cases. */
  reference: { name: string; scores: ArrayLike<number> };
  truth: ArrayLike<boolean>;
  /** The cluster (patient) of each case, when cases are not independent. */
  clusters?: ArrayLike<number>;
  covariance?: CovarianceMethod;
  level?: number;
}

export interface ReferenceEstimate {
  difference: number;
  se: number;
  statistic: number;
  df: number;
  p: number;
  ci: [number, number];
}

export interface ReferenceResult {
  covariance: CovarianceMethod;
  reference: string;
  referenceAuc: number;
  readers: string[];
  auc: number[];
  readerMean: number;
  /** Mean reader AUC minus the reference's AUC. */
  difference: number;
  differenceComponents: { msR: number; varError: number; cov2: number };
  randomReadersRandomCases: ReferenceEstimate;
  fixedReadersRandomCases: ReferenceEstimate;
  randomReadersFixedCases: ReferenceEstimate;
}

/**
 * Single-modality comparison of readers with a fixed reference reader (the model): the single-treatment
 * OR analysis applied to D_j = AUC_j - AUC_ref, whose error covariances come from the same jackknife or
 * DeLong covariance matrix (readers and reference scored on the same cases). It equals the two-treatment OR
 * analysis in which the reference's reads stand in for every reader in the second treatment.
 */
export function compareWithReference(input: ReferenceInput): ReferenceResult {
  const { readers, ratings, reference, truth } = input;
  const method = input.covariance ?? 'jackknife';
  const level = input.level ?? 0.95;
  const r = readers.length;
  if (r < 2) throw new Error(`the reference comparison needs at least 2 readers (got ${r})`);
  if (ratings.length !== r) throw new Error('ratings must have one entry per reader');
  const items = [...ratings, reference.scores].map((scores) => placements(scores, truth, input.clusters));
  const cov = aucCovarianceMatrix(items, method);
  const ref = r;
  const auc = items.slice(0, r).map((p) => p.auc);
  const d = auc.map((a) => a - items[ref].auc);
  const dCov = (j: number, k: number) => cov[j][k] - cov[j][ref] - cov[k][ref] + cov[ref][ref];
  const diag: number[] = [];
  const off: number[] = [];
  for (let j = 0; j < r; j++) for (let k = 0; k < r; k++) (j === k ? diag : off).push(dCov(j, k));
  const varError = mean(diag);
  const cov2 = mean(off);
  const difference = mean(d);
  const msR = d.reduce((s, x) => s + (x - difference) ** 2, 0) / (r - 1);

  const v = msR + r * Math.max(cov2, 0);
  const dfH = msR > 0 ? (v * v) / ((msR * msR) / (r - 1)) : Infinity;
  const seRandom = Math.sqrt(v / r);
  const seFixedReaders = Math.sqrt((varError + (r - 1) * Math.max(cov2, 0)) / r);
  const seFixedCases = Math.sqrt(msR / r);
  return {
    covariance: method,
    reference: reference.name,
    referenceAuc: items[ref].auc,
    readers,
    auc,
    readerMean: mean(auc),
    difference,
    differenceComponents: { msR, varError, cov2 },
    randomReadersRandomCases: tEstimate(difference, seRandom, dfH, level),
    fixedReadersRandomCases: zEstimate(difference, seFixedReaders, level),
    randomReadersFixedCases: tEstimate(difference, seFixedCases, r - 1, level),
  };
}

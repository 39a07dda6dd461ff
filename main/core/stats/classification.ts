// Decisions against the truth: confusion matrix, per-category operating points, balanced accuracy, and
// agreement (Cohen's kappa of one rater against the truth, Fleiss' kappa among several raters).

export interface OperatingPoint {
  sensitivity: number;
  specificity: number;
  truePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  falsePositives: number;
}

/** counts[truth][decision] over K categories; pairs where either is null are left out. */
export function confusionMatrix(
  truth: ArrayLike<number>,
  decision: ArrayLike<number | null>,
  k: number,
): number[][] {
  if (truth.length !== decision.length)
    throw new Error(`truth (${truth.length}) and decisions (${decision.length}) differ in length`);
  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const d = decision[i];
    if (d === null) continue;
    counts[truth[i]][d]++;
  }
  return counts;
}

/** One-vs-rest sensitivity and specificity of deciding for category `k`. */
export function operatingPoint(matrix: number[][], k: number): OperatingPoint {
  let tp = 0;
  let fn = 0;
  let fp = 0;
  let tn = 0;
  matrix.forEach((row, t) =>
    row.forEach((count, d) => {
      if (t === k && d === k) tp += count;
      else if (t === k) fn += count;
      else if (d === k) fp += count;
      else tn += count;
    }),
  );
  return {
    sensitivity: tp + fn ? tp / (tp + fn) : NaN,
    specificity: tn + fp ? tn / (tn + fp) : NaN,
    truePositives: tp,
    falseNegatives: fn,
    trueNegatives: tn,
    falsePositives: fp,
  };
}

/** Mean per-category recall over the categories present in the truth (scikit-learn's balanced_accuracy_score). */
export function balancedAccuracy(matrix: number[][]): number {
  const recalls: number[] = [];
  matrix.forEach((row, t) => {
    const total = row.reduce((s, x) => s + x, 0);
    if (total > 0) recalls.push(row[t] / total);
  });
  return recalls.length ? recalls.reduce((s, x) => s + x, 0) / recalls.length : NaN;
}

export function accuracy(matrix: number[][]): number {
  let correct = 0;
  let total = 0;
  matrix.forEach((row, t) =>
    row.forEach((count, d) => {
      total += count;
      if (t === d) correct += count;
    }),
  );
  return total ? correct / total : NaN;
}

/** Cohen's unweighted kappa from a K x K table of two raters' decisions (scikit-learn's cohen_kappa_score). */
export function cohenKappa(matrix: number[][]): number {
  const k = matrix.length;
  let total = 0;
  let observed = 0;
  const rows = new Array<number>(k).fill(0);
  const cols = new Array<number>(k).fill(0);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      total += matrix[i][j];
      rows[i] += matrix[i][j];
      cols[j] += matrix[i][j];
      if (i === j) observed += matrix[i][j];
    }
  }
  if (total === 0) return NaN;
  let expected = 0;
  for (let i = 0; i < k; i++) expected += (rows[i] * cols[i]) / (total * total);
  return expected === 1 ? NaN : (observed / total - expected) / (1 - expected);
}

/**
 * Fleiss' kappa from counts[subject][category] (how many raters put the subject in each category).
 * Subjects rated by fewer than two raters are left out; with a varying number of raters per subject each
 * subject's agreement uses its own count and the category proportions pool all ratings (this reduces to
 * Fleiss 1971 when every subject has the same number of raters).
 */
export function fleissKappa(counts: number[][]): { kappa: number; subjects: number; ratings: number } {
  let subjects = 0;
  let ratings = 0;
  let agreement = 0;
  const k = counts[0]?.length ?? 0;
  const totals = new Array<number>(k).fill(0);
  for (const row of counts) {
    const n = row.reduce((s, x) => s + x, 0);
    if (n < 2) continue;
    subjects++;
    ratings += n;
    let squares = 0;
    row.forEach((x, j) => {
      squares += x * x;
      totals[j] += x;
    });
    agreement += (squares - n) / (n * (n - 1));
  }
  if (subjects === 0) return { kappa: NaN, subjects, ratings };
  const observed = agreement / subjects;
  const expected = totals.reduce((s, x) => s + (x / ratings) ** 2, 0);
  return { kappa: expected === 1 ? NaN : (observed - expected) / (1 - expected), subjects, ratings };
}

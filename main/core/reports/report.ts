// The full model-versus-readers report, from plain inputs: per-category AUC with DeLong CIs, paired DeLong
// tests against the (first) model, operating points, confusion matrices, kappas, the MRMC analyses, COCO AP,
// FROC and reading times. Everything is computed on the cases each compared pair has both read. A study with
// one category, or whose readers only marked lesions, gets detection and reading times only; the report says
// why the classification and MRMC sections are empty.
import {
  accuracy,
  balancedAccuracy,
  cohenKappa,
  confusionMatrix,
  fleissKappa,
  operatingPoint,
  type OperatingPoint,
} from '../stats/classification.ts';
import { cocoEvaluate, type CocoResult, type Detection, type GroundTruthBox } from '../stats/coco-eval.ts';
import { froc, type FrocResult } from '../stats/froc.ts';
import {
  compareWithReference,
  orAnalysis,
  type CovarianceMethod,
  type MrmcResult,
  type ReferenceResult,
} from '../stats/mrmc.ts';
import {
  aucWithCi,
  pairedDelongTest,
  placements,
  rocCurve,
  type AucEstimate,
  type PairedTest,
  type Placements,
  type RocPoint,
} from '../stats/roc.ts';
import {
  prepareReport,
  type Phase,
  type Prepared,
  type ReportInput,
  type Scorer,
  type WithdrawnReader,
} from './input.ts';

export interface ScorerRef {
  id: string;
  name: string;
  kind: Scorer['kind'];
  phase: Phase | null;
}

export interface ScorerAuc {
  scorer: ScorerRef;
  /** Cases this scorer scored (and so entered its AUC). */
  cases: number;
  auc: AucEstimate | null;
  /** Why there is no AUC (no positive or no negative case among the cases read). */
  note?: string;
  /** Paired DeLong test of this scorer minus the reference model, on the cases both scored. */
  vsModel: (PairedTest & { cases: number; modelAuc: number }) | null;
  /** Sensitivity and specificity of the scorer's decision (chosen category; argmax for models and groups). */
  operatingPoint: OperatingPoint | null;
  /** ROC curve, for models and reader groups (readers are drawn as their operating point). */
  curve?: RocPoint[];
}

export interface CategoryResult {
  category: string;
  positives: number;
  negatives: number;
  scorers: ScorerAuc[];
}

export interface ScorerSummary {
  scorer: ScorerRef;
  /** Cases with one ground-truth category and a decision. */
  cases: number;
  macroAuc: number | null;
  accuracy: number;
  balancedAccuracy: number;
  /** Cohen's kappa of the decisions against the ground truth. */
  kappa: number;
  /** confusion[truth][decision], in the order of `categories`. */
  confusion: number[][];
}

export type Skipped = { skipped: string };

export interface MrmcSection {
  covariance: CovarianceMethod;
  /** Why there is no MRMC analysis at all (as `classification.skipped`), or null. */
  skipped: string | null;
  /** Per phase, per category: the readers' mean AUC against the model as a fixed reference reader. */
  readersVsModel: {
    phase: Phase;
    model: string;
    categories: { category: string; cases: number; result: ReferenceResult | Skipped }[];
  }[];
  /** Per category: unaided versus assisted reads, all readers, random readers and cases (and the variants). */
  unaidedVsAssisted: { category: string; cases: number; result: MrmcResult | Skipped }[] | null;
}

export interface DetectionScorer {
  scorer: ScorerRef;
  images: number;
  coco: CocoResult;
  froc: FrocResult;
  /** The reference model's AP on the images this scorer marked (absent for the reference itself). */
  modelOnSameImages?: { AP: number; AP50: number };
}

export interface ReadingTime {
  scorer: ScorerRef;
  cases: number;
  totalMs: number;
  meanMs: number;
  medianMs: number;
}

export interface Report {
  title: string;
  generatedAt: string;
  categories: string[];
  counts: {
    cases: number;
    /** Distinct patients among the cases (a case with no patient counts as its own); null when none is known. */
    patients: number | null;
    readers: number;
    readings: number;
    models: number;
    groups: number;
  };
  /** A warning when several cases come from one patient, or null. */
  caseIndependence: string | null;
  withdrawnReaders: WithdrawnReader[];
  phases: Phase[];
  level: number;
  referenceModel: string | null;
  classification: {
    /** Why the classification statistics are left out (their lists are then empty), or null. */
    skipped: string | null;
    perCategory: CategoryResult[];
    summary: ScorerSummary[];
    fleiss: { phase: Phase; kappa: number; subjects: number; ratings: number }[];
  };
  mrmc: MrmcSection;
  detection: { scorers: DetectionScorer[] } | null;
  readingTime: ReadingTime[];
}

const refOf = (s: Scorer): ScorerRef => ({ id: s.id, name: s.name, kind: s.kind, phase: s.phase });

function indicesWhere(n: number, keep: (c: number) => boolean): number[] {
  const out: number[] = [];
  for (let c = 0; c < n; c++) if (keep(c)) out.push(c);
  return out;
}

function column(scorer: Scorer, cases: number[], k: number): Float64Array {
  return Float64Array.from(cases, (c) => scorer.scores[c]![k]);
}

/** Positive and negative sampling units among the cases: the cases, or when clustered the patients holding them. */
function samplingUnits(p: Prepared, truth: boolean[], cases: number[]) {
  if (!p.clusters) return { ...classOf(truth, cases), unit: 'cases' };
  const positives = new Set<number>();
  const negatives = new Set<number>();
  for (const c of cases) (truth[c] ? positives : negatives).add(p.clusters[c]);
  return { positives: positives.size, negatives: negatives.size, unit: 'patients' };
}

function clustersOf(p: Prepared, cases: number[]): number[] | undefined {
  const clusters = p.clusters;
  return clusters ? cases.map((c) => clusters[c]) : undefined;
}

function placementsOn(p: Prepared, scorer: Scorer, cases: number[], k: number, truth: boolean[]): Placements {
  return placements(column(scorer, cases, k), truth, clustersOf(p, cases));
}

function classOf(truth: boolean[], cases: number[]): { positives: number; negatives: number } {
  let positives = 0;
  for (const c of cases) if (truth[c]) positives++;
  return { positives, negatives: cases.length - positives };
}

function categoryResult(p: Prepared, k: number, reference: Scorer | null): CategoryResult {
  const truth = p.truth[k];
  const n = p.cases.length;
  const all = [...p.models, ...p.groups, ...p.readers];
  // The reference's placements per case set: most readers read the same cases.
  const referencePlacements = new Map<string, Placements>();
  const decisionsFor = (s: Scorer) => s.decisions.map((d, c) => (p.singleTruth[c] === null ? null : d));
  const scorers = all.map((scorer): ScorerAuc => {
    const cases = indicesWhere(n, (c) => scorer.scores[c] !== null);
    const { positives, negatives } = classOf(truth, cases);
    const decisions = decisionsFor(scorer);
    const truthIndex = p.singleTruth.map((t) => t ?? 0);
    const hasDecision = decisions.some((d) => d !== null);
    const point = hasDecision
      ? operatingPoint(confusionMatrix(truthIndex, decisions, p.categories.length), k)
      : null;
    const base = { scorer: refOf(scorer), cases: cases.length, operatingPoint: point };
    if (positives === 0 || negatives === 0) {
      return {
        ...base,
        auc: null,
        vsModel: null,
        note: `${positives} positive and ${negatives} negative cases among the cases read`,
      };
    }
    const y = cases.map((c) => truth[c]);
    const own = placementsOn(p, scorer, cases, k, y);
    let vsModel: ScorerAuc['vsModel'] = null;
    if (reference && reference !== scorer) {
      const both = cases.filter((c) => reference.scores[c] !== null);
      const yb = both.map((c) => truth[c]);
      const bothClasses = classOf(truth, both);
      if (bothClasses.positives > 0 && bothClasses.negatives > 0) {
        const mine = both.length === cases.length ? own : placementsOn(p, scorer, both, k, yb);
        const key = both.length === n ? 'all' : both.join(',');
        const model = referencePlacements.get(key) ?? placementsOn(p, reference, both, k, yb);
        referencePlacements.set(key, model);
        vsModel = { ...pairedDelongTest(mine, model, p.level), cases: both.length, modelAuc: model.auc };
      }
    }
    const curve = scorer.kind === 'reader' ? undefined : rocCurve(column(scorer, cases, k), y);
    return { ...base, auc: aucWithCi(own, p.level), vsModel, ...(curve ? { curve } : {}) };
  });
  const everything = indicesWhere(n, () => true);
  return { category: p.categories[k], ...classOf(truth, everything), scorers };
}

function summaries(p: Prepared, perCategory: CategoryResult[]): ScorerSummary[] {
  const all = [...p.models, ...p.groups, ...p.readers];
  return all.map((scorer, i) => {
    const cases = indicesWhere(
      p.cases.length,
      (c) => p.singleTruth[c] !== null && scorer.decisions[c] !== null,
    );
    const matrix = confusionMatrix(
      cases.map((c) => p.singleTruth[c]!),
      cases.map((c) => scorer.decisions[c]),
      p.categories.length,
    );
    const aucs = perCategory.map((r) => r.scorers[i].auc?.auc).filter((x): x is number => x !== undefined);
    return {
      scorer: refOf(scorer),
      cases: cases.length,
      macroAuc: aucs.length ? aucs.reduce((s, x) => s + x, 0) / aucs.length : null,
      accuracy: accuracy(matrix),
      balancedAccuracy: balancedAccuracy(matrix),
      kappa: cohenKappa(matrix),
      confusion: matrix,
    };
  });
}

function fleissByPhase(p: Prepared) {
  return p.phases.map((phase) => {
    const readers = p.readers.filter((r) => r.phase === phase);
    const counts = p.cases.map((_, c) => {
      const row = new Array<number>(p.categories.length).fill(0);
      for (const r of readers) if (r.decisions[c] !== null) row[r.decisions[c]!]++;
      return row;
    });
    return { phase, ...fleissKappa(counts) };
  });
}

function mrmcSection(p: Prepared, reference: Scorer | null): MrmcSection {
  const n = p.cases.length;
  const readersVsModel = reference
    ? p.phases.map((phase) => {
        const readers = p.readers.filter((r) => r.phase === phase);
        const cases = indicesWhere(
          n,
          (c) => reference.scores[c] !== null && readers.every((r) => r.scores[c] !== null),
        );
        return {
          phase,
          model: reference.name,
          categories: p.categories.map((category, k) => {
            const y = cases.map((c) => p.truth[k][c]);
            const { positives, negatives, unit } = samplingUnits(p, p.truth[k], cases);
            if (readers.length < 2)
              return {
                category,
                cases: cases.length,
                result: {
                  skipped: `${readers.length} reader(s) in the ${phase} phase; at least 2 are needed`,
                },
              };
            if (positives < 2 || negatives < 2)
              return {
                category,
                cases: cases.length,
                result: {
                  skipped: `${positives} positive and ${negatives} negative ${unit} read by every reader; at least 2 of each are needed`,
                },
              };
            const result = compareWithReference({
              readers: readers.map((r) => r.name),
              ratings: readers.map((r) => column(r, cases, k)),
              reference: { name: reference.name, scores: column(reference, cases, k) },
              truth: y,
              clusters: clustersOf(p, cases),
              covariance: p.covariance,
              level: p.level,
            });
            return { category, cases: cases.length, result };
          }),
        };
      })
    : [];
  let unaidedVsAssisted: MrmcSection['unaidedVsAssisted'] = null;
  if (p.phases.length === 2) {
    const ids = [...new Set(p.readers.map((r) => r.id))].filter(
      (id) => p.readers.filter((r) => r.id === id).length === 2,
    );
    const pairs = ids.map((id) =>
      p.phases.map((phase) => p.readers.find((r) => r.id === id && r.phase === phase)!),
    );
    const cases = indicesWhere(n, (c) => pairs.every((pair) => pair.every((r) => r.scores[c] !== null)));
    unaidedVsAssisted = p.categories.map((category, k) => {
      const { positives, negatives, unit } = samplingUnits(p, p.truth[k], cases);
      if (pairs.length < 2)
        return {
          category,
          cases: cases.length,
          result: { skipped: `${pairs.length} reader(s) read in both phases; at least 2 are needed` },
        };
      if (positives < 2 || negatives < 2)
        return {
          category,
          cases: cases.length,
          result: {
            skipped: `${positives} positive and ${negatives} negative ${unit} read by every reader in both phases; at least 2 of each are needed`,
          },
        };
      const result = orAnalysis({
        treatments: p.phases,
        readers: pairs.map((pair) => pair[0].name),
        ratings: p.phases.map((_, t) => pairs.map((pair) => column(pair[t], cases, k))),
        truth: cases.map((c) => p.truth[k][c]),
        clusters: clustersOf(p, cases),
        covariance: p.covariance,
        level: p.level,
      });
      return { category, cases: cases.length, result };
    });
  }
  return { covariance: p.covariance, skipped: null, readersVsModel, unaidedVsAssisted };
}

function detectionSection(p: Prepared, reference: Scorer | null): Report['detection'] {
  const boxedCases = indicesWhere(p.cases.length, (c) => p.cases[c].boxes !== undefined);
  if (!boxedCases.some((c) => p.cases[c].boxes!.length > 0)) return null;
  const categoryIds = p.categories.map((_, k) => k + 1);
  const groundTruth: GroundTruthBox[] = [];
  for (const c of boxedCases) {
    for (const box of p.cases[c].boxes!) {
      groundTruth.push({
        id: groundTruth.length + 1,
        image_id: c + 1,
        category_id: p.categories.indexOf(box.category) + 1,
        bbox: box.bbox,
        iscrowd: 0,
      });
    }
  }
  const evaluate = (scorer: Scorer, cases: number[]) => {
    const imageIds = cases.map((c) => c + 1);
    const wanted = new Set(imageIds);
    const detections: Detection[] = cases.flatMap((c) =>
      scorer.boxes[c]!.map((b) => ({
        image_id: c + 1,
        category_id: p.categories.indexOf(b.category) + 1,
        bbox: b.bbox,
        score: b.score,
      })),
    );
    return cocoEvaluate({
      imageIds,
      categoryIds,
      groundTruth: groundTruth.filter((g) => wanted.has(g.image_id)),
      detections,
    });
  };
  // The reference model's result per image set, so readers who marked the same images share one evaluation.
  const referenceBySet = new Map<string, CocoResult>();
  const scorers = [...p.models, ...p.readers]
    .map((scorer) => ({ scorer, cases: boxedCases.filter((c) => scorer.boxes[c] !== null) }))
    // A scorer that never marked a box did not take part in detection (e.g. a study without the marking task).
    .filter(({ scorer, cases }) => cases.some((c) => scorer.boxes[c]!.length > 0))
    .map(({ scorer, cases }): DetectionScorer => {
      const coco = evaluate(scorer, cases);
      if (scorer === reference) referenceBySet.set(cases.join(','), coco);
      const result: DetectionScorer = {
        scorer: refOf(scorer),
        images: cases.length,
        coco,
        froc: froc({
          imageIds: cases,
          lesions: cases.flatMap((c) =>
            p.cases[c].boxes!.map((b) => ({ imageId: c, category: b.category, bbox: b.bbox })),
          ),
          marks: cases.flatMap((c) =>
            scorer.boxes[c]!.map((b) => ({ imageId: c, category: b.category, bbox: b.bbox, score: b.score })),
          ),
        }),
      };
      const modelCases = reference ? cases.filter((c) => reference.boxes[c] !== null) : [];
      if (reference && reference !== scorer && modelCases.length > 0) {
        const key = modelCases.join(',');
        const same = referenceBySet.get(key) ?? evaluate(reference, modelCases);
        referenceBySet.set(key, same);
        result.modelOnSameImages = { AP: same.summary.AP, AP50: same.summary.AP50 };
      }
      return result;
    });
  return { scorers };
}

function readingTimes(p: Prepared): ReadingTime[] {
  return p.readers.map((scorer) => {
    const times = scorer.timesMs.filter((t): t is number => t !== null).sort((a, b) => a - b);
    const total = times.reduce((s, t) => s + t, 0);
    const mid = times.length >> 1;
    return {
      scorer: refOf(scorer),
      cases: times.length,
      totalMs: total,
      meanMs: times.length ? total / times.length : NaN,
      medianMs: times.length ? (times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2) : NaN,
    };
  });
}

// Repeated images of one patient (or lesion) are correlated: the AUC intervals, paired tests and MRMC analyses
// take patients as the sampling unit; the kappas and the confusion matrices count images.
function caseIndependence(cases: number, patients: number | null): string | null {
  if (patients === null || patients === cases) return null;
  return `${cases} cases come from ${patients} patients: the AUC intervals, the paired tests and the MRMC analyses take the patient as the sampling unit (Obuchowski's clustered variance, a jackknife over patients); accuracy, the kappas and the confusion matrices count every case; a study made with one case per patient avoids this`;
}

export function buildReport(input: ReportInput, now: Date = new Date()): Report {
  const p = prepareReport(input);
  const reference = p.models[0] ?? null;
  const skipped = p.classificationSkipped;
  const perCategory = skipped ? [] : p.categories.map((_, k) => categoryResult(p, k, reference));
  return {
    title: p.title,
    generatedAt: now.toISOString(),
    categories: p.categories,
    counts: {
      cases: p.cases.length,
      patients: p.patientCount,
      readers: new Set(p.readers.map((r) => r.id)).size,
      readings: input.readings.length,
      models: p.models.length,
      groups: p.groups.length,
    },
    caseIndependence: caseIndependence(p.cases.length, p.patientCount),
    withdrawnReaders: input.withdrawnReaders ?? [],
    phases: p.phases,
    level: p.level,
    referenceModel: reference?.name ?? null,
    classification: skipped
      ? { skipped, perCategory, summary: [], fleiss: [] }
      : { skipped: null, perCategory, summary: summaries(p, perCategory), fleiss: fleissByPhase(p) },
    mrmc: skipped
      ? { covariance: p.covariance, skipped, readersVsModel: [], unaidedVsAssisted: null }
      : mrmcSection(p, reference),
    detection: detectionSection(p, reference),
    readingTime: readingTimes(p),
  };
}

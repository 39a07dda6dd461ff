// The plain inputs of a report (what the study store holds), checked and turned into per-case score tables.
import type { Box } from '../stats/coco-eval.ts';
import type { CovarianceMethod } from '../stats/mrmc.ts';
import { clusterNumbers } from '../stats/roc.ts';
import { answerDecision, answerScores, argmax, boxScore, type ReaderAnswer } from '../stats/reader-scores.ts';

export type Phase = 'unaided' | 'assisted';

export interface ReportCase {
  id: string;
  /** Ground-truth categories of the case (usually one; several when an image holds several lesion types). */
  labels: string[];
  /** Pseudonymous patient (or lesion group); cases of one patient are not independent. */
  patient?: string | null;
  /** Ground-truth lesion boxes [x, y, w, h] in pixels, for detection metrics. */
  boxes?: { category: string; bbox: Box }[];
}

export interface ReportModel {
  name: string;
  /** Per case id: one probability per category, in the order of `categories`. */
  scores: Record<string, number[]>;
  /** Per case id: the model's boxes with their scores. */
  boxes?: Record<string, { category: string; bbox: Box; score: number }[]>;
}

export interface ReportReading {
  readerId: string;
  caseId: string;
  phase?: Phase;
  answer: ReaderAnswer;
  timeMs?: number | null;
  /** The reader's marked boxes; they take the reading's confidence as their score. */
  boxes?: { category: string; bbox: Box }[];
}

/** A group of outside readers known only by its per-case category scores (the ISIC 2018 vote fractions). */
export interface ReportReaderGroup {
  name: string;
  scores: Record<string, number[]>;
}

export interface WithdrawnReader {
  name: string;
  withdrawnAt: string;
  reason: string;
  /** committed readings left out of the statistics */
  readings: number;
}

export interface ReportInput {
  title?: string;
  categories: string[];
  cases: ReportCase[];
  models: ReportModel[];
  readers: { id: string; name: string }[];
  readings: ReportReading[];
  readerGroups?: ReportReaderGroup[];
  /** Readers withdrawn from the study: not in `readers`, their readings not in `readings`; listed in the report. */
  withdrawnReaders?: WithdrawnReader[];
  options?: { covariance?: CovarianceMethod; level?: number };
}

/** A model, a reader in one phase, or a reader group: scores and decisions per case (null = not read). */
export interface Scorer {
  id: string;
  name: string;
  kind: 'model' | 'reader' | 'group';
  phase: Phase | null;
  scores: (Float64Array | null)[];
  decisions: (number | null)[];
  timesMs: (number | null)[];
  confidences: (number | null)[];
  boxes: ({ category: string; bbox: Box; score: number }[] | null)[];
}

export interface Prepared {
  title: string;
  categories: string[];
  cases: ReportCase[];
  /** truth[k][c]: case c carries category k. */
  truth: boolean[][];
  /** The single ground-truth category of each case, or null when it has none or several. */
  singleTruth: (number | null)[];
  /** The patient (cluster) of each case when some patient has several cases, else null; no patient = its own. */
  clusters: Int32Array | null;
  /** Distinct patients among the cases (a case with no patient counts as its own); null when none is known. */
  patientCount: number | null;
  models: Scorer[];
  readers: Scorer[];
  groups: Scorer[];
  phases: Phase[];
  covariance: CovarianceMethod;
  level: number;
  /**
   * Why the classification statistics (AUC, operating points, kappas, MRMC) are left out, or null: a study
   * with one category, or whose readers only marked lesions. Readers then carry no scores or decisions.
   */
  classificationSkipped: string | null;
}

const holdsDiagnosis = (reading: ReportReading) =>
  reading.answer.category !== null || Object.keys(reading.answer.probabilities ?? {}).length > 0;

function whyNoClassification(input: ReportInput): string | null {
  if (input.categories.length < 2)
    return `the study has one category (${input.categories[0]}): AUC, operating points, kappas and MRMC need at least 2`;
  if (input.readings.length > 0 && !input.readings.some(holdsDiagnosis))
    return 'no reading holds a diagnosis (the readers only marked lesions): AUC, operating points, kappas and MRMC need one';
  return null;
}

function patientClusters(cases: ReportCase[]): Pick<Prepared, 'clusters' | 'patientCount'> {
  const { ids, count } = clusterNumbers(cases.map((c) => c.patient));
  return {
    clusters: count < cases.length ? ids : null,
    patientCount: cases.some((c) => c.patient != null) ? count : null,
  };
}

export function prepareReport(input: ReportInput): Prepared {
  const { categories } = input;
  if (categories.length < 1) throw new Error('a report needs at least 1 category (got none)');
  if (new Set(categories).size !== categories.length) throw new Error('categories must be distinct');
  const caseIndex = new Map<string, number>();
  input.cases.forEach((c, i) => {
    if (caseIndex.has(c.id)) throw new Error(`case ${c.id} is listed twice`);
    caseIndex.set(c.id, i);
    for (const label of c.labels)
      if (!categories.includes(label))
        throw new Error(`case ${c.id}: unknown ground-truth category "${label}"`);
    for (const box of c.boxes ?? [])
      if (!categories.includes(box.category))
        throw new Error(`case ${c.id}: unknown box category "${box.category}"`);
  });
  const classificationSkipped = whyNoClassification(input);
  const n = input.cases.length;
  const truth = categories.map((k) => input.cases.map((c) => c.labels.includes(k)));
  const singleTruth = input.cases.map((c) =>
    c.labels.length === 1 ? categories.indexOf(c.labels[0]) : null,
  );
  const empty = (): Scorer['scores'] => new Array(n).fill(null);

  const scoreTable = (owner: string, scores: Record<string, number[]>) => {
    const table = empty();
    for (const [caseId, values] of Object.entries(scores)) {
      const c = caseIndex.get(caseId);
      if (c === undefined) throw new Error(`${owner}: scores for unknown case ${caseId}`);
      if (values.length !== categories.length || !values.every(Number.isFinite)) {
        throw new Error(
          `${owner}, case ${caseId}: needs ${categories.length} finite scores (one per category), got [${values.join(', ')}]`,
        );
      }
      table[c] = Float64Array.from(values);
    }
    return table;
  };

  const models: Scorer[] = input.models.map((model) => {
    const scores = scoreTable(`model ${model.name}`, model.scores);
    const boxes: Scorer['boxes'] = new Array(n).fill(null);
    for (const [caseId, list] of Object.entries(model.boxes ?? {})) {
      const c = caseIndex.get(caseId);
      if (c === undefined) throw new Error(`model ${model.name}: boxes for unknown case ${caseId}`);
      boxes[c] = list;
    }
    return {
      id: `model:${model.name}`,
      name: model.name,
      kind: 'model',
      phase: null,
      scores,
      decisions: scores.map((s) => (s ? argmax(s) : null)),
      timesMs: new Array(n).fill(null),
      confidences: new Array(n).fill(null),
      boxes,
    };
  });

  const groups: Scorer[] = (input.readerGroups ?? []).map((group) => {
    const scores = scoreTable(`reader group ${group.name}`, group.scores);
    return {
      id: `group:${group.name}`,
      name: group.name,
      kind: 'group',
      phase: null,
      scores,
      decisions: scores.map((s) => (s ? argmax(s) : null)),
      timesMs: new Array(n).fill(null),
      confidences: new Array(n).fill(null),
      boxes: new Array(n).fill(null),
    };
  });

  const readerNames = new Map(input.readers.map((r) => [r.id, r.name]));
  const byKey = new Map<string, Scorer>();
  const seen = new Set<string>();
  input.readings.forEach((reading, i) => {
    const name = readerNames.get(reading.readerId);
    if (name === undefined) throw new Error(`reading ${i}: unknown reader ${reading.readerId}`);
    const c = caseIndex.get(reading.caseId);
    if (c === undefined) throw new Error(`reading ${i} (reader ${name}): unknown case ${reading.caseId}`);
    const phase = reading.phase ?? 'unaided';
    const key = `${reading.readerId}\u0000${phase}`;
    let scorer = byKey.get(key);
    if (!scorer) {
      scorer = {
        id: `reader:${reading.readerId}`,
        name,
        kind: 'reader',
        phase,
        scores: empty(),
        decisions: new Array(n).fill(null),
        timesMs: new Array(n).fill(null),
        confidences: new Array(n).fill(null),
        boxes: new Array(n).fill(null),
      };
      byKey.set(key, scorer);
    }
    if (seen.has(`${key}\u0000${c}`)) {
      throw new Error(`reading ${i}: reader ${name} read case ${reading.caseId} twice in the ${phase} phase`);
    }
    seen.add(`${key}\u0000${c}`);
    let scores: Float64Array | null = null;
    let score: number;
    try {
      if (!classificationSkipped) {
        scores = answerScores(reading.answer, categories);
        scorer.decisions[c] = answerDecision(reading.answer, categories);
      }
      score = boxScore(reading.answer.confidence);
    } catch (error) {
      throw new Error(
        `reading ${i} (reader ${name}, case ${reading.caseId}): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    scorer.scores[c] = scores;
    scorer.timesMs[c] = reading.timeMs ?? null;
    scorer.confidences[c] = reading.answer.confidence;
    if (reading.boxes) {
      for (const box of reading.boxes) {
        if (!categories.includes(box.category))
          throw new Error(`reading ${i} (reader ${name}): unknown box category "${box.category}"`);
      }
      scorer.boxes[c] = reading.boxes.map((b) => ({ ...b, score }));
    }
  });
  const phaseOrder: Phase[] = ['unaided', 'assisted'];
  const readers = [...byKey.values()].sort(
    (a, b) =>
      phaseOrder.indexOf(a.phase!) - phaseOrder.indexOf(b.phase!) ||
      input.readers.findIndex((r) => `reader:${r.id}` === a.id) -
        input.readers.findIndex((r) => `reader:${r.id}` === b.id),
  );
  const phases = phaseOrder.filter((p) => readers.some((r) => r.phase === p));
  return {
    title: input.title ?? 'Model versus readers',
    categories,
    cases: input.cases,
    truth,
    singleTruth,
    ...patientClusters(input.cases),
    models,
    readers,
    groups,
    phases,
    covariance: input.options?.covariance ?? 'jackknife',
    level: input.options?.level ?? 0.95,
    classificationSkipped,
  };
}

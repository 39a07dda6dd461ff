// The multi-reader ROC table used by the field's tools (RJafroc, MRMCaov, the `stats or` command):
// one row per reading, columns reader, treatment, case, truth (1 = diseased, 0 = not), rating; an optional
// column patient names the patient of each case, when several cases come from one patient.
import { z } from 'zod';
import type { MrmcInput } from '../stats/mrmc.ts';
import { clusterNumbers } from '../stats/roc.ts';
import { CsvError, parseCsv, requireColumns } from './csv.ts';

export const MRMC_COLUMNS = ['reader', 'treatment', 'case', 'truth', 'rating'] as const;

const rowSchema = z.object({
  reader: z.string().trim().min(1, 'is empty'),
  treatment: z.string().trim().min(1, 'is empty'),
  case: z.string().trim().min(1, 'is empty'),
  truth: z.enum(['0', '1'], { error: 'must be 0 or 1' }),
  rating: z.string().trim().min(1, 'is empty').transform(Number).refine(Number.isFinite, 'must be a number'),
  // an empty cell: a patient of its own
  patient: z
    .string()
    .trim()
    .optional()
    .transform((v) => v || undefined),
});

export interface MrmcReading {
  line: number;
  reader: string;
  treatment: string;
  case: string;
  truth: boolean;
  rating: number;
  patient?: string;
}

const MAX_REPORTED_ERRORS = 20;

function fail(source: string, errors: string[]): never {
  const shown = errors.slice(0, MAX_REPORTED_ERRORS);
  const more = errors.length > shown.length ? `\n... and ${errors.length - shown.length} more` : '';
  throw new CsvError(`${source}: ${errors.length} error(s)\n${shown.join('\n')}${more}`);
}

export function parseMrmcCsv(text: string, source: string): MrmcReading[] {
  const table = parseCsv(text, source);
  requireColumns(table, MRMC_COLUMNS, source);
  const errors: string[] = [];
  const readings: MrmcReading[] = [];
  const seen = new Map<string, number>();
  for (const { line, values } of table.rows) {
    const parsed = rowSchema.safeParse(values);
    if (!parsed.success) {
      for (const issue of parsed.error.issues)
        errors.push(
          `line ${line}: ${issue.path.join('.')} ${issue.message} (got "${values[String(issue.path[0])] ?? ''}")`,
        );
      continue;
    }
    const { reader, treatment, case: caseId, truth, rating, patient } = parsed.data;
    const key = JSON.stringify([reader, treatment, caseId]);
    const previous = seen.get(key);
    if (previous !== undefined)
      errors.push(
        `line ${line}: reader ${reader}, treatment ${treatment}, case ${caseId} was already read on line ${previous}`,
      );
    seen.set(key, line);
    readings.push({ line, reader, treatment, case: caseId, truth: truth === '1', rating, patient });
  }
  if (errors.length) fail(source, errors);
  if (readings.length === 0) throw new CsvError(`${source}: no readings`);
  return readings;
}

/** The fully crossed design: every reader reads every case in every treatment, with one truth per case. */
export function toMrmcInput(
  readings: MrmcReading[],
  source: string,
): Omit<MrmcInput, 'covariance' | 'level'> {
  const order = <T>(xs: T[]) => [...new Set(xs)];
  const treatments = order(readings.map((r) => r.treatment));
  const readers = order(readings.map((r) => r.reader));
  const cases = order(readings.map((r) => r.case));
  const caseIndex = new Map(cases.map((c, i) => [c, i]));
  const truth: boolean[] = new Array(cases.length);
  const truthLine: number[] = new Array(cases.length);
  const patients = new Map<number, { patient: string | undefined; line: number }>();
  const errors: string[] = [];
  const ratings = treatments.map(() => readers.map(() => new Array<number>(cases.length).fill(NaN)));
  for (const r of readings) {
    const c = caseIndex.get(r.case)!;
    if (truth[c] === undefined) {
      truth[c] = r.truth;
      truthLine[c] = r.line;
    } else if (truth[c] !== r.truth) {
      errors.push(
        `line ${r.line}: case ${r.case} has truth ${Number(r.truth)}, but ${Number(truth[c])} on line ${truthLine[c]}`,
      );
    }
    const earlier = patients.get(c);
    if (!earlier) patients.set(c, { patient: r.patient, line: r.line });
    else if (earlier.patient !== r.patient)
      errors.push(
        `line ${r.line}: case ${r.case} belongs to patient "${r.patient ?? ''}", but "${earlier.patient ?? ''}" on line ${earlier.line}`,
      );
    ratings[treatments.indexOf(r.treatment)][readers.indexOf(r.reader)][c] = r.rating;
  }
  treatments.forEach((t, i) =>
    readers.forEach((reader, j) => {
      const missing = cases.filter((_, c) => Number.isNaN(ratings[i][j][c]));
      if (missing.length) {
        errors.push(
          `reader ${reader}, treatment ${t}: no rating for ${missing.length} case(s) (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}); the analysis needs every reader to read every case in every treatment`,
        );
      }
    }),
  );
  if (errors.length) fail(source, errors);
  if (!readings.some((r) => r.patient !== undefined)) return { treatments, readers, ratings, truth };
  const clusters = Array.from(clusterNumbers(cases.map((_, c) => patients.get(c)!.patient)).ids);
  return { treatments, readers, ratings, truth, clusters };
}

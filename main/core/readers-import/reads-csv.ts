// Outside readings as a CSV, one row per read: reader, case, category, confidence (0-100, may be empty),
// and optionally phase (unaided | assisted, default unaided) and time_ms (time spent on the case).
import { z } from 'zod';
import type { ReaderAnswer } from '../stats/reader-scores.ts';
import { CsvError, parseCsv, requireColumns } from './csv.ts';

export const READS_COLUMNS = ['reader', 'case', 'category', 'confidence'] as const;

/** A read as the report takes it (`ReportReading`), with the line it came from. */
export interface ImportedRead {
  line: number;
  readerId: string;
  caseId: string;
  phase: 'unaided' | 'assisted';
  answer: ReaderAnswer;
  timeMs: number | null;
}

const optionalNumber = (schema: z.ZodNumber) =>
  z
    .string()
    .trim()
    .transform((s, ctx) => {
      if (s === '') return null;
      const parsed = schema.safeParse(Number(s));
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: parsed.error.issues[0].message });
        return z.NEVER;
      }
      return parsed.data;
    });

const rowSchema = z.object({
  reader: z.string().trim().min(1, 'is empty'),
  case: z.string().trim().min(1, 'is empty'),
  category: z.string().trim().min(1, 'is empty'),
  confidence: optionalNumber(
    z.number({ error: 'must be a number' }).min(0, 'must be 0-100').max(100, 'must be 0-100'),
  ),
  phase: z.enum(['unaided', 'assisted'], { error: 'must be unaided or assisted' }).default('unaided'),
  time_ms: optionalNumber(
    z.number({ error: 'must be a number' }).nonnegative('must not be negative'),
  ).default(null),
});

/**
 * Parses and validates the whole file before returning anything: a file with any bad row is refused with
 * every error listed by line (up to 20), so nothing is half-imported.
 */
export function parseReadsCsv(text: string, source: string, categories: readonly string[]): ImportedRead[] {
  const table = parseCsv(text, source);
  requireColumns(table, READS_COLUMNS, source);
  const byLowerCase = new Map(categories.map((c) => [c.toLowerCase(), c]));
  const errors: string[] = [];
  const reads: ImportedRead[] = [];
  const seen = new Map<string, number>();
  for (const { line, values } of table.rows) {
    const input = {
      ...values,
      phase: values.phase?.trim() || undefined,
      time_ms: values.time_ms ?? undefined,
    };
    const parsed = rowSchema.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0]);
        errors.push(`line ${line}: ${field} ${issue.message} (got "${values[field] ?? ''}")`);
      }
      continue;
    }
    const row = parsed.data;
    const category = byLowerCase.get(row.category.toLowerCase());
    if (!category) {
      errors.push(`line ${line}: category "${row.category}" is not one of ${categories.join(', ')}`);
      continue;
    }
    const key = JSON.stringify([row.reader, row.case, row.phase]);
    const previous = seen.get(key);
    if (previous !== undefined)
      errors.push(
        `line ${line}: reader ${row.reader} already read case ${row.case} (${row.phase}) on line ${previous}`,
      );
    seen.set(key, line);
    reads.push({
      line,
      readerId: row.reader,
      caseId: row.case,
      phase: row.phase,
      answer: { category, confidence: row.confidence },
      timeMs: row.time_ms,
    });
  }
  if (errors.length) {
    const more = errors.length > 20 ? `\n... and ${errors.length - 20} more` : '';
    throw new CsvError(`${source}: ${errors.length} error(s)\n${errors.slice(0, 20).join('\n')}${more}`);
  }
  return reads;
}

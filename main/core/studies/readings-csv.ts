// Every committed reading of a study as CSV, one row per reader, case and phase, with its timestamps: the raw
// record behind the report, for audit and re-analysis elsewhere. Readings of a withdrawn reader are included,
// with the withdrawal time in the last column (the report leaves them out).
import type { Db } from '../db/connection.ts';

const COLUMNS = [
  'reader_id',
  'reader',
  'case_id',
  'case',
  'position',
  'phase',
  'category',
  'confidence',
  'probabilities',
  'boxes',
  'shown_at',
  'first_input_at',
  'committed_at',
  'elapsed_ms',
  'timed_out',
  'reader_withdrawn_at',
];

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function readingsCsv(db: Db, studyId: number): string {
  const rows = db
    .prepare(
      `SELECT r.reader_id, rd.name AS reader, c.id AS case_id, c.external_id AS "case", o.position, r.phase,
         cat.name AS category, r.confidence,
         (SELECT json_group_object(pc.name, round(p.probability * 100, 3)) FROM reading_probabilities p
            JOIN categories pc ON pc.id = p.category_id WHERE p.reading_id = r.id) AS probabilities,
         (SELECT json_group_array(json_object('category', bc.name, 'bbox', json_array(b.x, b.y, b.w, b.h))) FROM reading_boxes b
            JOIN categories bc ON bc.id = b.category_id WHERE b.reading_id = r.id) AS boxes,
         r.shown_at, r.first_input_at, r.committed_at, r.elapsed_ms, r.timed_out, sr.withdrawn_at AS reader_withdrawn_at
       FROM readings r JOIN readers rd ON rd.id = r.reader_id JOIN study_cases sc ON sc.id = r.study_case_id
       JOIN study_readers sr ON sr.study_id = r.study_id AND sr.reader_id = r.reader_id
       JOIN cases c ON c.id = sc.case_id LEFT JOIN categories cat ON cat.id = r.category_id
       JOIN study_case_order o ON o.study_id = r.study_id AND o.reader_id = r.reader_id AND o.study_case_id = r.study_case_id
       WHERE r.study_id = ? AND r.committed_at IS NOT NULL ORDER BY r.reader_id, o.position, r.phase DESC`,
    )
    .all(studyId) as Record<string, unknown>[];
  return (
    [
      COLUMNS.join(','),
      ...rows.map((row) => COLUMNS.map((c) => cell(row[c] === '{}' ? null : row[c])).join(',')),
    ].join('\n') + '\n'
  );
}

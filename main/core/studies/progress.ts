// Where a reader stands in a study: their recorded case order and which phases of each case are committed.
import type { Db } from '../db/connection.ts';

export interface PositionState {
  position: number;
  studyCaseId: number;
  caseId: number;
  unaided: ReadingRow | null;
  assisted: ReadingRow | null;
}

export interface ReadingRow {
  id: number;
  study_case_id: number;
  phase: 'unaided' | 'assisted';
  category_id: number | null;
  confidence: number | null;
  shown_at: string;
  first_input_at: string | null;
  committed_at: string | null;
  elapsed_ms: number | null;
  timed_out: 0 | 1;
  updated_at: string;
  visit_started_at: string | null;
  last_seen_at: string | null;
  active_ms_before: number;
}

export interface ReaderProgressState {
  positions: PositionState[];
  /** First position whose reading is not complete; equals positions.length when the reader has finished. */
  current: number;
  completed: number;
  lastActivityAt: string | null;
}

export function isComplete(state: PositionState, assisted: boolean): boolean {
  return state.unaided?.committed_at != null && (!assisted || state.assisted?.committed_at != null);
}

export function readerProgress(
  db: Db,
  studyId: number,
  readerId: number,
  assisted: boolean,
): ReaderProgressState {
  const order = db
    .prepare(
      `SELECT o.position, o.study_case_id AS studyCaseId, sc.case_id AS caseId FROM study_case_order o
       JOIN study_cases sc ON sc.id = o.study_case_id
       WHERE o.study_id = ? AND o.reader_id = ? ORDER BY o.position`,
    )
    .all(studyId, readerId) as { position: number; studyCaseId: number; caseId: number }[];
  const readings = db
    .prepare('SELECT * FROM readings WHERE study_id = ? AND reader_id = ?')
    .all(studyId, readerId) as ReadingRow[];
  const byCase = new Map<string, ReadingRow>(readings.map((r) => [`${r.study_case_id}:${r.phase}`, r]));
  const positions = order.map((o) => ({
    ...o,
    unaided: byCase.get(`${o.studyCaseId}:unaided`) ?? null,
    assisted: byCase.get(`${o.studyCaseId}:assisted`) ?? null,
  }));
  const firstOpen = positions.findIndex((p) => !isComplete(p, assisted));
  const lastActivityAt = readings.reduce<string | null>(
    (latest, r) => (latest && latest > r.updated_at ? latest : r.updated_at),
    null,
  );
  return {
    positions,
    current: firstOpen === -1 ? positions.length : firstOpen,
    completed: positions.filter((p) => isComplete(p, assisted)).length,
    lastActivityAt,
  };
}

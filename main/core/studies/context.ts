import type { Db } from '../db/connection.ts';

/** What the study engine needs from its host: the database, a clock, and where an image's file lives. */
export interface StudyContext {
  db: Db;
  now: () => Date;
  imagePath: (sha256: string, extension: string) => string;
}

export interface StudyRow {
  id: number;
  name: string;
  instructions: string;
  dataset_id: number;
  status: 'draft' | 'open' | 'closed';
  task_diagnosis: 0 | 1;
  task_marking: 0 | 1;
  ask_probabilities: 0 | 1;
  show_age: 0 | 1;
  show_sex: 0 | 1;
  show_site: 0 | 1;
  time_limit_s: number | null;
  allow_back: 0 | 1;
  assisted_model_version_id: number | null;
  selection: string;
  order_seed: number;
  created_at: string;
  opened_at: string | null;
  closed_at: string | null;
}

export function studyRow(db: Db, studyId: number): StudyRow | undefined {
  return db.prepare('SELECT * FROM studies WHERE id = ?').get(studyId) as StudyRow | undefined;
}

/** Median in seconds of a list of milliseconds, or null when empty. */
export function medianSeconds(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const ms = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return Math.round(ms / 100) / 10;
}

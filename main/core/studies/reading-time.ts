// Time on a case, summed over visits. The reader's page shows a sign of life at least every HEARTBEAT_MS (a
// view, a save, a heartbeat); a silence longer than VISIT_GAP_MS ends the visit at its last sign, so a crash,
// a restart or a walk away costs the reader no time: the case resumes with the time it had, and a time limit
// counts only the time the case was on screen.
import type { Db } from '../db/connection.ts';

export const HEARTBEAT_MS = 10_000;
export const VISIT_GAP_MS = 30_000;

export interface VisitClock {
  visit_started_at: string | null;
  last_seen_at: string | null;
  active_ms_before: number;
}

/** Records a sign of the reader on this reading now, starting a new visit after a silence. */
export function touchReading(db: Db, readingId: number, now: Date): void {
  const row = db
    .prepare('SELECT visit_started_at, last_seen_at, active_ms_before FROM readings WHERE id = ?')
    .get(readingId) as VisitClock;
  const at = now.toISOString();
  if (!row.visit_started_at || !row.last_seen_at) {
    db.prepare('UPDATE readings SET visit_started_at = ?, last_seen_at = ? WHERE id = ?').run(
      at,
      at,
      readingId,
    );
  } else if (now.getTime() - Date.parse(row.last_seen_at) > VISIT_GAP_MS) {
    const visit = Math.max(0, Date.parse(row.last_seen_at) - Date.parse(row.visit_started_at));
    db.prepare(
      'UPDATE readings SET active_ms_before = active_ms_before + ?, visit_started_at = ?, last_seen_at = ? WHERE id = ?',
    ).run(visit, at, at, readingId);
  } else {
    db.prepare('UPDATE readings SET last_seen_at = ? WHERE id = ?').run(at, readingId);
  }
}

/** Time on the case up to `now`, for a reading touched at `now`. */
export function elapsedMs(clock: VisitClock, now: Date): number {
  if (!clock.visit_started_at) return clock.active_ms_before;
  return clock.active_ms_before + Math.max(0, now.getTime() - Date.parse(clock.visit_started_at));
}

/** When the current visit runs out of the time limit, or null without a limit. */
export function deadlineOf(clock: VisitClock | null, timeLimitS: number | null): string | null {
  if (timeLimitS === null || !clock?.visit_started_at) return null;
  return new Date(
    Date.parse(clock.visit_started_at) + timeLimitS * 1000 - clock.active_ms_before,
  ).toISOString();
}

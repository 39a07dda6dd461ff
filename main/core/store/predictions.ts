import type { Db } from '../db/connection.ts';

export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed';

export interface PredictionRun {
  id: number;
  modelVersionId: number;
  datasetId: number;
  status: RunStatus;
  provider: string;
  caseCount: number;
  doneCount: number;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface PredictedBox {
  categoryId: number;
  score: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** One model version's output on one case: probabilities by category id, and boxes (detectors). */
export interface CasePrediction {
  modelVersionId: number;
  caseId: number;
  probabilities: Map<number, number>;
  boxes: PredictedBox[];
}

const RUN_COLUMNS = `id, model_version_id AS modelVersionId, dataset_id AS datasetId, status, provider,
  case_count AS caseCount, done_count AS doneCount, started_at AS startedAt, finished_at AS finishedAt, error`;

export class Predictions {
  constructor(private readonly db: Db) {}

  startRun(modelVersionId: number, datasetId: number, provider: string, caseCount: number): number {
    return Number(
      this.db
        .prepare(
          `INSERT INTO prediction_runs
             (model_version_id, dataset_id, status, provider, case_count, started_at, owner_pid)
           VALUES (?, ?, 'running', ?, ?, ?, ?)`,
        )
        .run(modelVersionId, datasetId, provider, caseCount, new Date().toISOString(), process.pid)
        .lastInsertRowid,
    );
  }

  finishRun(runId: number, status: Exclude<RunStatus, 'running'>, error?: string): void {
    this.db
      .prepare('UPDATE prediction_runs SET status = ?, finished_at = ?, error = ? WHERE id = ?')
      .run(status, new Date().toISOString(), error ?? null, runId);
  }

  /**
   * Marks as failed every run left 'running' by a process that has ended (a crash, a kill, a power cut), so
   * that no run shows progress that will never come. The cases it stored are kept. Returns those runs' ids.
   */
  failAbandonedRuns(): number[] {
    const running = this.db
      .prepare(
        `SELECT id, owner_pid AS pid, done_count AS done, case_count AS total
         FROM prediction_runs WHERE status = 'running'`,
      )
      .all() as { id: number; pid: number | null; done: number; total: number }[];
    const abandoned = running.filter((r) => r.pid === null || !processIsAlive(r.pid));
    for (const r of abandoned) {
      this.finishRun(
        r.id,
        'failed',
        `interrupted: the process that ran it (pid ${r.pid ?? 'unknown'}) ended after ${r.done} of ${r.total} ` +
          'cases; their results are kept, run the model again for the rest',
      );
    }
    return abandoned.map((r) => r.id);
  }

  getRun(runId: number): PredictionRun {
    const run = this.db.prepare(`SELECT ${RUN_COLUMNS} FROM prediction_runs WHERE id = ?`).get(runId) as
      PredictionRun | undefined;
    if (!run) throw new Error(`no prediction run with id ${runId}`);
    return run;
  }

  listRuns(filter: { modelVersionId?: number; datasetId?: number } = {}): PredictionRun[] {
    return this.db
      .prepare(
        `SELECT ${RUN_COLUMNS} FROM prediction_runs
         WHERE (@model IS NULL OR model_version_id = @model) AND (@dataset IS NULL OR dataset_id = @dataset) ORDER BY id`,
      )
      .all({ model: filter.modelVersionId ?? null, dataset: filter.datasetId ?? null }) as PredictionRun[];
  }

  /** Stores a batch of case results in one transaction, replacing earlier results of the same version and case. */
  saveBatch(runId: number, results: CasePrediction[]): void {
    const remove = this.db.prepare('DELETE FROM predictions WHERE model_version_id = ? AND case_id = ?');
    const insert = this.db.prepare(
      'INSERT INTO predictions (model_version_id, case_id, run_id, created_at) VALUES (?, ?, ?, ?)',
    );
    const score = this.db.prepare(
      'INSERT INTO prediction_scores (model_version_id, case_id, category_id, probability) VALUES (?, ?, ?, ?)',
    );
    const box = this.db.prepare(
      'INSERT INTO prediction_boxes (model_version_id, case_id, category_id, score, x, y, w, h) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const progress = this.db.prepare('UPDATE prediction_runs SET done_count = done_count + ? WHERE id = ?');
    const now = new Date().toISOString();
    this.db.transaction(() => {
      for (const r of results) {
        remove.run(r.modelVersionId, r.caseId);
        insert.run(r.modelVersionId, r.caseId, runId, now);
        for (const [categoryId, p] of r.probabilities) score.run(r.modelVersionId, r.caseId, categoryId, p);
        for (const b of r.boxes)
          box.run(r.modelVersionId, r.caseId, b.categoryId, b.score, b.x, b.y, b.w, b.h);
      }
      progress.run(results.length, runId);
    })();
  }

  /** Probabilities of one version on every predicted case of a dataset: case id -> category name -> p. */
  probabilitiesOfDataset(modelVersionId: number, datasetId: number): Map<number, Record<string, number>> {
    const rows = this.db
      .prepare(
        `SELECT s.case_id AS caseId, g.name, s.probability FROM prediction_scores s
         JOIN cases c ON c.id = s.case_id JOIN categories g ON g.id = s.category_id
         WHERE s.model_version_id = ? AND c.dataset_id = ? ORDER BY s.case_id, g.id`,
      )
      .all(modelVersionId, datasetId) as { caseId: number; name: string; probability: number }[];
    const result = new Map<number, Record<string, number>>();
    for (const r of rows) {
      const entry = result.get(r.caseId) ?? {};
      entry[r.name] = r.probability;
      result.set(r.caseId, entry);
    }
    return result;
  }

  /** Boxes of one version on every predicted case of a dataset, keyed by case id. */
  boxesOfDataset(modelVersionId: number, datasetId: number): Map<number, PredictedBox[]> {
    const result = new Map<number, PredictedBox[]>();
    const predicted = this.db
      .prepare(
        'SELECT p.case_id FROM predictions p JOIN cases c ON c.id = p.case_id WHERE p.model_version_id = ? AND c.dataset_id = ?',
      )
      .pluck()
      .all(modelVersionId, datasetId) as number[];
    for (const id of predicted) result.set(id, []);
    const rows = this.db
      .prepare(
        `SELECT b.case_id AS caseId, b.category_id AS categoryId, b.score, b.x, b.y, b.w, b.h FROM prediction_boxes b
         JOIN cases c ON c.id = b.case_id WHERE b.model_version_id = ? AND c.dataset_id = ? ORDER BY b.case_id, b.score DESC`,
      )
      .all(modelVersionId, datasetId) as (PredictedBox & { caseId: number })[];
    for (const { caseId, ...box } of rows) result.get(caseId)?.push(box);
    return result;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by another user
  }
}

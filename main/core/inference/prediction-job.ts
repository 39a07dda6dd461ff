import { EventEmitter } from 'node:events';
import type { Split } from '../store/cases.ts';
import type { PredictionRun } from '../store/predictions.ts';
import type { Store } from '../store/store.ts';
import { decodedBatches } from './batches.ts';
import { ModelRunner } from './model-runner.ts';
import type { SessionOptions } from './session.ts';

export interface PredictionOptions {
  /** Only the cases of this split. */
  split?: Split;
  batchSize?: number;
  session?: SessionOptions;
  actor?: string;
}

export interface PredictionProgress {
  runId: number;
  done: number;
  total: number;
}

/**
 * A model version running over a dataset's cases in the background. Emits 'progress'; `finished` resolves with the
 * run's final record (completed, cancelled or failed). Results are stored batch by batch under the version, so a
 * cancelled run keeps what it finished and earlier versions' predictions are never touched.
 */
export class PredictionJob extends EventEmitter<{ progress: [PredictionProgress] }> {
  readonly finished: Promise<PredictionRun>;
  private cancelled = false;

  constructor(
    readonly runId: number,
    readonly total: number,
    work: (job: PredictionJob) => Promise<PredictionRun>,
  ) {
    super();
    this.finished = work(this);
  }

  cancel(): void {
    this.cancelled = true;
  }

  get isCancelled(): boolean {
    return this.cancelled;
  }
}

export async function startPredictionJob(
  store: Store,
  modelVersionId: number,
  datasetId: number,
  options: PredictionOptions = {},
): Promise<PredictionJob> {
  const model = store.models.get(modelVersionId);
  if (model.status === 'retired') throw new Error(`model ${model.name} ${model.version} is retired`);
  const dataset = store.datasets.get(datasetId);
  const datasetCategories = new Set(store.categories.ofDataset(datasetId).map((c) => c.id));
  if (!model.labels.some((l) => datasetCategories.has(l.categoryId))) {
    throw new Error(
      `model ${model.name} ${model.version} predicts none of dataset '${dataset.name}''s categories`,
    );
  }
  const cases = store.cases.list({ datasetId, split: options.split });
  const runner = await ModelRunner.fromStoredVersion(
    store.modelFolder(model.folder),
    model.manifest,
    options.session,
  );
  const runId = store.predictions.startRun(modelVersionId, datasetId, runner.provider, cases.length);
  store.audit.record(options.actor ?? 'system', 'prediction.start', 'prediction_run', runId, {
    modelVersionId,
    datasetId,
    split: options.split ?? null,
    cases: cases.length,
  });
  const batchSize = options.batchSize ?? 8;
  const categoryOf = model.labels.map((l) => l.categoryId);

  return new PredictionJob(runId, cases.length, async (job) => {
    let status: 'completed' | 'cancelled' | 'failed' = 'completed';
    let failure: string | undefined;
    let done = 0;
    try {
      for await (const batch of decodedBatches(cases, (c) => store.cases.imagePath(c.id), batchSize)) {
        if (job.isCancelled) {
          status = 'cancelled';
          break;
        }
        const results = await runner.run(batch.images);
        store.predictions.saveBatch(
          runId,
          results.map((r, i) => ({
            modelVersionId,
            caseId: batch.items[i].id,
            probabilities: new Map((r.probabilities ?? []).map((p, label) => [categoryOf[label], p])),
            boxes: (r.detections ?? []).map((d) => ({
              categoryId: categoryOf[d.labelIndex],
              score: d.score,
              x: d.x,
              y: d.y,
              w: d.w,
              h: d.h,
            })),
          })),
        );
        done += batch.items.length;
        job.emit('progress', { runId, done, total: cases.length });
        await new Promise((resolve) => setImmediate(resolve)); // let cancel() and other work in between batches
      }
    } catch (error) {
      status = 'failed';
      failure = (error as Error).message;
    } finally {
      await runner.release();
    }
    store.predictions.finishRun(runId, status, failure);
    store.audit.record(
      options.actor ?? 'system',
      `prediction.${status}`,
      'prediction_run',
      runId,
      failure ? { error: failure } : {},
    );
    return store.predictions.getRun(runId);
  });
}

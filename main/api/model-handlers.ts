// Models screen handlers (engineers): registered versions, their manifests and validation, runs over a
// dataset as background jobs, and a comparison of versions' metrics on the same cases.
import { join } from 'node:path';
import {
  ApiError,
  type HandlerMap,
  type ModelComparison,
  type ModelVersionDetail,
  type ModelVersionInfo,
} from '../contract/index.ts';
import { startPredictionJob } from '../core/inference/prediction-job.ts';
import { readModelFiles } from '../core/models/model-files.ts';
import { activateModelVersion, addModelVersion, retireModelVersion } from '../core/models/registry.ts';
import { validateModel } from '../core/models/validate.ts';
import type { ReportInput } from '../core/reports/input.ts';
import { buildReport } from '../core/reports/report.ts';
import type { ModelVersion } from '../core/store/model-versions.ts';
import type { Store } from '../core/store/store.ts';
import type { Jobs } from './jobs.ts';

type ModelRoutes =
  | 'models.list'
  | 'models.add'
  | 'models.get'
  | 'models.setStatus'
  | 'models.run'
  | 'models.compare'
  | 'jobs.get'
  | 'jobs.cancel';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

function info(model: ModelVersion): ModelVersionInfo {
  return {
    id: model.id,
    name: model.name,
    version: model.version,
    task: model.task,
    labels: model.labels.map((l) => l.category),
    status: model.status,
    addedAt: model.addedAt,
  };
}

function modelOf(store: Store, id: number): ModelVersion {
  try {
    return store.models.get(id);
  } catch {
    throw new ApiError('not_found', `no model version ${id}`);
  }
}

/** Re-checks the stored files (manifest schema, sha256, ONNX signature) so the screen shows today's state. */
async function detail(store: Store, id: number): Promise<ModelVersionDetail> {
  const model = modelOf(store, id);
  let validation: ModelVersionDetail['validation'];
  try {
    const { session, provider } = await validateModel(
      await readModelFiles(join(store.dataDir, model.folder)),
      { log: () => {} },
    );
    await session.release();
    validation = {
      ok: true,
      messages: [`manifest, sha256 and ONNX inputs/outputs agree; runs on ${provider}`],
    };
  } catch (error) {
    validation = { ok: false, messages: [messageOf(error)] };
  }
  const predictionCounts = store.db
    .prepare(
      `SELECT d.id AS datasetId, d.name AS datasetName, count(*) AS cases FROM predictions p JOIN cases c ON c.id = p.case_id
       JOIN datasets d ON d.id = c.dataset_id WHERE p.model_version_id = ? GROUP BY d.id ORDER BY d.id`,
    )
    .all(id) as ModelVersionDetail['predictionCounts'];
  return { ...info(model), manifest: model.manifest, validation, predictionCounts };
}

/** The versions' metrics on the cases of the dataset that every one of them has predicted. */
function compare(store: Store, datasetId: number, ids: number[]): ModelComparison {
  const models = ids.map((id) => modelOf(store, id));
  const categories = store.categories.ofDataset(datasetId).map((c) => c.name);
  const rows = store.db
    .prepare(
      `SELECT c.id, pt.pseudonym AS patient FROM cases c LEFT JOIN patients pt ON pt.id = c.patient_id
       WHERE c.dataset_id = ? AND (SELECT count(*) FROM predictions p WHERE p.case_id = c.id
       AND p.model_version_id IN (${ids.map(() => '?').join(',')})) = ? ORDER BY c.id`,
    )
    .all(datasetId, ...ids, ids.length) as { id: number; patient: string | null }[];
  const cases = rows.map((r) => r.id);
  if (cases.length === 0)
    throw new ApiError('bad_request', 'no case of this dataset has predictions from every chosen version');
  const input: ReportInput = {
    categories,
    cases: rows.map(({ id, patient }) => {
      const truth = store.cases.groundTruth(id);
      return {
        id: String(id),
        labels: truth.labels,
        patient,
        boxes: truth.boxes.map((b) => ({ category: b.category, bbox: [b.x, b.y, b.w, b.h] })),
      };
    }),
    models: models.map((m) => {
      const scores = store.predictions.probabilitiesOfDataset(m.id, datasetId);
      const boxes = store.predictions.boxesOfDataset(m.id, datasetId);
      const nameOf = new Map(store.categories.list().map((c) => [c.id, c.name]));
      return {
        name: `${m.name} ${m.version}`,
        scores: Object.fromEntries(
          cases.map((c) => [String(c), categories.map((k) => scores.get(c)?.[k] ?? 0)]),
        ),
        boxes: Object.fromEntries(
          cases.map((c) => [
            String(c),
            (boxes.get(c) ?? []).map((b) => ({
              category: nameOf.get(b.categoryId) ?? '',
              bbox: [b.x, b.y, b.w, b.h] as [number, number, number, number],
              score: b.score,
            })),
          ]),
        ),
      };
    }),
    readers: [],
    readings: [],
  };
  let report;
  try {
    report = buildReport(input);
  } catch (error) {
    throw new ApiError('bad_request', `cannot compare on these cases: ${messageOf(error)}`);
  }
  return {
    datasetId,
    caseCount: cases.length,
    patientCount: report.counts.patients,
    rows: models.map((m, i) => {
      const summary = report.classification.summary.find(
        (s) => s.scorer.kind === 'model' && s.scorer.name === `${m.name} ${m.version}`,
      );
      const detection = report.detection?.scorers.find((s) => s.scorer.name === `${m.name} ${m.version}`);
      const metrics: Record<string, number | null> = {};
      const intervals: Record<string, [number, number]> = {};
      const vsFirst: Record<string, { difference: number; p: number }> = {};
      if (m.task === 'classification' && summary) {
        metrics['macro AUC'] = summary.macroAuc;
        metrics['balanced accuracy'] = summary.balancedAccuracy;
        metrics['accuracy'] = summary.accuracy;
        for (const category of report.classification.perCategory) {
          const name = `AUC ${category.category}`;
          const { auc, vsModel } = category.scorers[i] ?? {};
          metrics[name] = auc?.auc ?? null;
          if (auc) intervals[name] = auc.ci;
          if (vsModel) vsFirst[name] = { difference: vsModel.difference, p: vsModel.p };
        }
      }
      if (m.task === 'detection' && detection) {
        metrics['AP'] = detection.coco.summary.AP;
        metrics['AP50'] = detection.coco.summary.AP50;
        metrics['AR100'] = detection.coco.summary.AR100;
      }
      return {
        modelVersionId: m.id,
        label: `${m.name} ${m.version}`,
        cases: cases.length,
        metrics,
        intervals,
        vsFirst,
      };
    }),
  };
}

export function modelHandlers(store: Store, jobs: Jobs): HandlerMap<ModelRoutes> {
  return {
    'models.list': () => store.models.list({ includeRetired: true }).map(info),
    'models.get': ({ modelVersionId }) => detail(store, modelVersionId),
    'models.add': async ({ path }) => {
      try {
        const { model } = await addModelVersion(store, path, { actor: 'coordinator' });
        return await detail(store, model.id);
      } catch (error) {
        throw new ApiError('bad_request', messageOf(error));
      }
    },
    'models.setStatus': async ({ modelVersionId, status }) => {
      modelOf(store, modelVersionId);
      try {
        if (status === 'active') activateModelVersion(store, modelVersionId, 'coordinator');
        else retireModelVersion(store, modelVersionId, 'coordinator');
      } catch (error) {
        throw new ApiError('conflict', messageOf(error));
      }
      return detail(store, modelVersionId);
    },
    'models.run': async ({ modelVersionId, datasetId }) => {
      let job;
      try {
        job = await startPredictionJob(store, modelVersionId, datasetId, { actor: 'coordinator' });
      } catch (error) {
        throw new ApiError('bad_request', messageOf(error));
      }
      const started = job;
      return jobs.start('models.run', started.total, async ({ signal, progress }) => {
        signal.addEventListener('abort', () => started.cancel());
        started.on('progress', (p) => progress(p.done, p.total));
        const run = await started.finished;
        if (run.status === 'failed') throw new Error(run.error ?? 'the run failed');
      });
    },
    'models.compare': ({ datasetId, modelVersionIds }) => compare(store, datasetId, modelVersionIds),
    'jobs.get': ({ jobId }) => jobs.get(jobId),
    'jobs.cancel': ({ jobId }) => jobs.cancel(jobId),
  };
}

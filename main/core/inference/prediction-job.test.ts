import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { importDataset } from '../datasets/import.ts';
import { addModelVersion } from '../models/registry.ts';
import { Store } from '../store/store.ts';
import {
  ACNE_SAMPLES,
  HAM_SAMPLES,
  REPO_ROOT,
  makeTempDir,
  readSampleCsv,
  tinyClassifierCopy,
  TINY_CLASSIFIER,
  writeHamSampleCoco,
} from '../store/testing.ts';
import { ModelRunner } from './model-runner.ts';
import { startPredictionJob, type PredictionProgress } from './prediction-job.ts';
import { decodeImage } from './preprocess.ts';

const temp = makeTempDir('predict');
let store: Store;
let datasetId: number;
const quiet = { log: () => {} };
before(async () => {
  store = Store.open(join(temp.path, 'data'));
  const ham = writeHamSampleCoco(join(temp.path, 'ham'), 24);
  datasetId = (await importDataset(store, { format: 'coco', file: ham.file }, { name: 'ham' })).datasetId;
});
after(() => {
  store.close();
  temp.remove();
});

test('a prediction job stores each case probabilities per category under its model version', async () => {
  const { model } = await addModelVersion(store, TINY_CLASSIFIER, { datasetId });
  const job = await startPredictionJob(store, model.id, datasetId, { batchSize: 5, session: quiet });
  const progress: PredictionProgress[] = [];
  job.on('progress', (p) => progress.push(p));
  const run = await job.finished;
  assert.equal(run.status, 'completed');
  assert.equal(run.doneCount, 24);
  assert.equal(run.provider, 'cpu');
  assert.deepEqual(
    progress.map((p) => p.done),
    [5, 10, 15, 20, 24],
  );
  const stored = store.predictions.probabilitiesOfDataset(model.id, datasetId);
  assert.equal(stored.size, 24);

  // The stored values are the model's own output on that case's image.
  const runner = await ModelRunner.fromSource(TINY_CLASSIFIER, quiet);
  const row = readSampleCsv(HAM_SAMPLES)[3];
  const direct = (await runner.run([await decodeImage(join(HAM_SAMPLES, row.file))]))[0].probabilities!;
  await runner.release();
  const caseId = store.cases.byExternalId(datasetId, row.image_id)!.id;
  const probabilities = stored.get(caseId)!;
  assert.deepEqual(
    Object.keys(probabilities),
    model.labels.map((l) => l.category),
  );
  model.labels.forEach((l, i) => assert.ok(Math.abs(probabilities[l.category] - direct[i]) < 1e-6));
  assert.ok(Math.abs(Object.values(probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-5);
});

test('a cancelled job stops between batches, keeps what it finished, and other versions keep theirs', async () => {
  const { model: second } = await addModelVersion(
    store,
    tinyClassifierCopy(join(temp.path, 'v2'), (m) => (m.version = '0.0.2')),
    { datasetId },
  );
  const job = await startPredictionJob(store, second.id, datasetId, { batchSize: 2, session: quiet });
  job.once('progress', () => job.cancel());
  const run = await job.finished;
  assert.equal(run.status, 'cancelled');
  assert.ok(run.doneCount >= 2 && run.doneCount < 24, `done ${run.doneCount}`);
  assert.equal(store.predictions.probabilitiesOfDataset(second.id, datasetId).size, run.doneCount);
  const first = store.models.find('tiny-test-classifier', '0.0.1')!;
  assert.equal(store.predictions.probabilitiesOfDataset(first.id, datasetId).size, 24);
  assert.deepEqual(
    store.predictions.listRuns({ datasetId }).map((r) => r.status),
    ['completed', 'cancelled'],
  );
});

test('a run cut off by a crash is marked failed when the store is next opened, and keeps what it stored', async () => {
  const modelId = store.models.find('tiny-test-classifier', '0.0.1')!.id;
  const url = (file: string) => JSON.stringify(pathToFileURL(join(REPO_ROOT, file)).href);
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const { Store } = await import(${url('main/core/store/store.ts')});
       const { startPredictionJob } = await import(${url('main/core/inference/prediction-job.ts')});
       const store = Store.open(${JSON.stringify(join(temp.path, 'data'))});
       const job = await startPredictionJob(store, ${modelId}, ${datasetId}, { batchSize: 4, session: { log() {} } });
       job.on('progress', () => process.kill(process.pid, 'SIGKILL'));
       await job.finished;`,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const crashed = store.predictions.listRuns({ datasetId }).at(-1)!;
  assert.equal(crashed.status, 'running');
  assert.equal(crashed.doneCount, 4);

  const reopened = Store.open(join(temp.path, 'data'));
  try {
    const run = reopened.predictions.getRun(crashed.id);
    assert.equal(run.status, 'failed');
    assert.match(run.error!, /^interrupted: .* ended after 4 of 24 cases/);
    assert.equal(
      reopened.audit
        .list()
        .filter((e) => e.action === 'prediction.interrupted' && e.entityId === String(run.id)).length,
      1,
    );
    const stored = reopened.db
      .prepare('SELECT COUNT(*) FROM predictions WHERE run_id = ?')
      .pluck()
      .get(run.id);
    assert.equal(stored, 4);
    // The run that finished and the one cancelled before it are left as they were.
    assert.deepEqual(
      reopened.predictions.listRuns({ datasetId }).map((r) => r.status),
      ['completed', 'cancelled', 'failed'],
    );
  } finally {
    reopened.close();
  }
});

test('the bundled detector runs as a job over a VOC dataset and its boxes are stored with their category', async () => {
  const acne = Store.open(join(temp.path, 'acne'));
  try {
    const labelMap = Object.fromEntries(
      [
        ...readFileSync(
          join(ACNE_SAMPLES, 'voc', readdirSync(join(ACNE_SAMPLES, 'voc'))[0]),
          'utf8',
        ).matchAll(/<name>([^<]*)<\/name>/g),
      ].map((m) => [m[1], 'acne_lesion']),
    );
    const folder = join(temp.path, 'acne-voc');
    mkdirSync(folder);
    for (const file of readdirSync(join(ACNE_SAMPLES, 'voc')).sort().slice(0, 1))
      copyFileSync(join(ACNE_SAMPLES, 'voc', file), join(folder, file));
    const { datasetId: acneId } = await importDataset(
      acne,
      { format: 'voc', folder, images: join(ACNE_SAMPLES, 'images') },
      { name: 'acne', labelMap },
    );
    const { model } = await addModelVersion(acne, join(REPO_ROOT, 'models', 'detector'), {
      datasetId: acneId,
    });
    const run = await (await startPredictionJob(acne, model.id, acneId, { session: quiet })).finished;
    assert.equal(run.status, 'completed', run.error ?? '');
    const [caseId, boxes] = [...acne.predictions.boxesOfDataset(model.id, acneId)][0];
    const image = acne.cases.get(caseId);
    assert.ok(boxes.length > 0);
    const acneLesion = acne.categories.byName('acne_lesion')!.id;
    for (const b of boxes) {
      assert.equal(b.categoryId, acneLesion);
      assert.ok(b.x >= 0 && b.y >= 0 && b.x + b.w <= image.width + 1e-6 && b.y + b.h <= image.height + 1e-6);
    }
    assert.deepEqual(
      boxes.map((b) => b.score),
      [...boxes.map((b) => b.score)].sort((a, b) => b - a),
    );
  } finally {
    acne.close();
  }
});

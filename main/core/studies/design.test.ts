import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { importDataset } from '../datasets/import.ts';
import { addModelVersion } from '../models/registry.ts';
import { Store } from '../store/store.ts';
import { makeTempDir, snapshot, TINY_CLASSIFIER, writeHamSampleCoco } from '../store/testing.ts';
import type { StudyContext } from './context.ts';
import {
  addReaders,
  closeStudy,
  createReader,
  createStudy,
  listDatasets,
  listStudies,
  reissueAccessCode,
} from './design.ts';

const temp = makeTempDir('design');
let store: Store;
let ctx: StudyContext;
let datasetId: number;

before(async () => {
  store = Store.open(join(temp.path, 'data'));
  ctx = {
    db: store.db,
    now: () => new Date('2026-11-26T09:00:00Z'),
    imagePath: (sha, ext) => store.files.imagePath(sha, ext),
  };
  const ham = writeHamSampleCoco(join(temp.path, 'ham'), 30);
  datasetId = (await importDataset(store, { format: 'coco', file: ham.file }, { name: 'ham' })).datasetId;
  store.datasets.assignSplits(datasetId, {
    test: ham.rows.slice(0, 12).map((r) => r.image_id),
    train: ham.rows.slice(12).map((r) => r.image_id),
  });
});
after(() => {
  store.close();
  temp.remove();
});

const request = (
  overrides: Partial<Parameters<typeof createStudy>[1]> = {},
): Parameters<typeof createStudy>[1] => ({
  name: 'Design test',
  instructions: '',
  datasetId,
  split: 'test',
  sample: { kind: 'all' },
  tasks: { diagnosis: true, probabilities: false, marking: false },
  show: { age: false, sex: false, site: false },
  timeLimitS: null,
  allowPrevious: true,
  assistedModelVersionId: null,
  orderSeed: 3,
  readerIds: [],
  ...overrides,
});

test('the catalogue lists datasets with their splits and ground truth per category', () => {
  const [ham] = listDatasets(ctx);
  assert.equal(ham.caseCount, 30);
  assert.deepEqual(ham.splits, [
    { name: 'test', caseCount: 12 },
    { name: 'train', caseCount: 18 },
  ]);
  assert.equal(
    Object.values(ham.countsByCategory).reduce((a, b) => a + b, 0),
    30,
  );
  assert.equal(ham.categories.length, 7);
});

test('a study takes all the cases of a split, or a stratified sample of them', () => {
  assert.equal(createStudy(ctx, request()).caseCount, 12);
  const sampled = createStudy(ctx, request({ split: null, sample: { kind: 'stratified', n: 10, seed: 8 } }));
  assert.equal(sampled.caseCount, 10);
  assert.equal(
    Object.values(sampled.categoryCounts).reduce((a, b) => a + b, 0),
    10,
  );
  assert.deepEqual(sampled.settings.sample, { kind: 'stratified', n: 10, seed: 8 });
});

test('a study that cannot be made is refused with the reason, and nothing is stored', async () => {
  const before = snapshot(store);
  assert.throws(
    () => createStudy(ctx, request({ sample: { kind: 'stratified', n: 13, seed: 1 } })),
    /13 cases asked for, only 12 available/,
  );
  assert.throws(() => createStudy(ctx, request({ split: 'val' })), /split "val" has no cases/);
  assert.throws(() => createStudy(ctx, request({ datasetId: 999 })), /datasetId: no dataset 999/);
  assert.throws(() => createStudy(ctx, request({ readerIds: [12345] })), /no reader with id 12345/);
  assert.deepEqual(snapshot(store), before);
  const { model } = await addModelVersion(store, TINY_CLASSIFIER, { datasetId });
  const withModel = snapshot(store);
  assert.throws(
    () => createStudy(ctx, request({ assistedModelVersionId: model.id })),
    /has no predictions for 12 of the 12 cases; run it over the dataset first/,
  );
  assert.deepEqual(snapshot(store), withModel);
});

test('readers join while the study is open; a closed study takes none', () => {
  const study = createStudy(ctx, request());
  const a = createReader(ctx, 'Late reader');
  assert.equal(addReaders(ctx, study.id, [a.reader.id, a.reader.id]).readers.length, 1, 'added once');
  const renewed = reissueAccessCode(ctx, a.reader.id);
  assert.notEqual(renewed.accessCode, a.accessCode);
  closeStudy(ctx, study.id);
  const b = createReader(ctx, 'Too late');
  assert.throws(() => addReaders(ctx, study.id, [b.reader.id]), /is closed/);
  assert.equal(listStudies(ctx).find((s) => s.id === study.id)?.status, 'closed');
});

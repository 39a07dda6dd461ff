import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { importDataset } from '../datasets/import.ts';
import { addModelVersion } from '../models/registry.ts';
import { Store } from '../store/store.ts';
import { makeTempDir, snapshot, TINY_CLASSIFIER, writeHamSampleCoco } from '../store/testing.ts';
import { buildReport } from '../reports/report.ts';
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
import { studyReportInput } from './report-input.ts';

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
  onePerPatient: false,
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
    { name: 'test', caseCount: 12, patientCount: 12 },
    { name: 'train', caseCount: 18, patientCount: 17 },
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

test('one case per patient keeps the first image of each patient (lesion group) and samples among those', () => {
  const [ham] = listDatasets(ctx);
  const lesions = new Map<string, string>(); // first image of each lesion, in import order
  for (const row of writeHamSampleCoco(join(temp.path, 'rows'), 30).rows) {
    if (!lesions.has(row.lesion_id)) lesions.set(row.lesion_id, row.image_id);
  }
  assert.ok(lesions.size < 30, 'the sample must repeat a lesion for this test to mean anything');
  assert.equal(ham.patientCount, lesions.size);

  const study = createStudy(ctx, request({ split: null, onePerPatient: true }));
  assert.equal(study.caseCount, lesions.size);
  assert.equal(study.settings.onePerPatient, true);
  const chosen = store.db
    .prepare(
      `SELECT c.external_id FROM study_cases sc JOIN cases c ON c.id = sc.case_id WHERE sc.study_id = ?
       ORDER BY c.external_id`,
    )
    .pluck()
    .all(study.id);
  assert.deepEqual(chosen, [...lesions.values()].sort());
  assert.equal(buildReport(studyReportInput(store.db, study.id)).caseIndependence, null);
  const everyImage = createStudy(ctx, request({ split: null }));
  assert.match(
    buildReport(studyReportInput(store.db, everyImage.id)).caseIndependence ?? '',
    new RegExp(`^30 cases come from ${lesions.size} patients`),
  );

  const sampled = createStudy(
    ctx,
    request({ split: null, onePerPatient: true, sample: { kind: 'stratified', n: 20, seed: 8 } }),
  );
  const patients = store.db
    .prepare(
      'SELECT count(DISTINCT c.patient_id) FROM study_cases sc JOIN cases c ON c.id = sc.case_id WHERE sc.study_id = ?',
    )
    .pluck()
    .get(sampled.id);
  assert.equal(patients, 20);
  assert.throws(
    () =>
      createStudy(
        ctx,
        request({ split: null, onePerPatient: true, sample: { kind: 'stratified', n: 30, seed: 8 } }),
      ),
    new RegExp(`30 cases asked for, only ${lesions.size} available \\(one per patient\\)`),
  );
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

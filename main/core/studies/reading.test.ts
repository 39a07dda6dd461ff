import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { after, before, test } from 'node:test';
import { ApiError } from '../../contract/index.ts';
import { importDataset } from '../datasets/import.ts';
import { startPredictionJob } from '../inference/prediction-job.ts';
import { addModelVersion } from '../models/registry.ts';
import { Store } from '../store/store.ts';
import { makeTempDir, TINY_CLASSIFIER, writeHamSampleCoco } from '../store/testing.ts';
import type { StudyContext } from './context.ts';
import { readingsCsv } from './readings-csv.ts';
import {
  addReaders,
  closeStudy,
  createReader,
  createStudy,
  studyDetail,
  updateStudy,
  withdrawReader,
} from './design.ts';
import { studyReportInput } from './report-input.ts';
import {
  caseImage,
  commitReading,
  openReading,
  readerStudies,
  saveDraft,
  touchCase,
  viewCase,
} from './reading.ts';

const temp = makeTempDir('studies');
let store: Store;
let ctx: StudyContext;
let clock = Date.parse('2026-11-26T09:00:00.000Z');
let datasetId: number;
let modelId: number;

before(async () => {
  store = Store.open(join(temp.path, 'data'));
  ctx = {
    db: store.db,
    now: () => new Date(clock),
    imagePath: (sha, ext) => store.files.imagePath(sha, ext),
  };
  const ham = writeHamSampleCoco(join(temp.path, 'ham'), 12);
  datasetId = (await importDataset(store, { format: 'coco', file: ham.file }, { name: 'ham' })).datasetId;
  modelId = (await addModelVersion(store, TINY_CLASSIFIER, { datasetId })).model.id;
  await (
    await startPredictionJob(store, modelId, datasetId)
  ).finished;
});
after(() => {
  store.close();
  temp.remove();
});

const tick = (ms: number) => (clock += ms);

function design(overrides: Partial<Parameters<typeof createStudy>[1]> = {}) {
  const a = createReader(ctx, 'Reader A');
  const b = createReader(ctx, 'Reader B');
  const study = createStudy(ctx, {
    name: 'Test study',
    instructions: '',
    datasetId,
    split: null,
    sample: { kind: 'stratified', n: 6, seed: 5 },
    onePerPatient: false,
    tasks: { diagnosis: true, probabilities: false, marking: true },
    show: { age: true, sex: false, site: true },
    timeLimitS: null,
    allowPrevious: true,
    assistedModelVersionId: null,
    orderSeed: 11,
    readerIds: [a.reader.id, b.reader.id],
    ...overrides,
  });
  return { study, a: a.reader.id, b: b.reader.id };
}

const answer = (
  category: string | null,
  confidence: number | null,
  boxes: { xMin: number; yMin: number; xMax: number; yMax: number; category: string }[] = [],
) => ({
  category,
  confidence,
  probabilities: null,
  boxes,
});

test('a study records its sample and a different, seeded case order per reader', () => {
  const { study, a, b } = design();
  assert.equal(study.caseCount, 6);
  assert.equal(study.readers.length, 2);
  const order = (reader: number) =>
    store.db
      .prepare(
        'SELECT study_case_id FROM study_case_order WHERE study_id = ? AND reader_id = ? ORDER BY position',
      )
      .pluck()
      .all(study.id, reader);
  assert.deepEqual([...order(a)].sort(), [...order(b)].sort(), 'both readers read the same cases');
  const seeds = store.db
    .prepare('SELECT order_seed FROM study_readers WHERE study_id = ? ORDER BY reader_id')
    .pluck()
    .all(study.id);
  assert.equal(new Set(seeds).size, 2, 'each reader has a recorded seed of their own');
  const again = design();
  assert.deepEqual(
    store.db
      .prepare('SELECT case_id FROM study_cases WHERE study_id = ? ORDER BY case_id')
      .pluck()
      .all(again.study.id),
    store.db
      .prepare('SELECT case_id FROM study_cases WHERE study_id = ? ORDER BY case_id')
      .pluck()
      .all(study.id),
    'the same sample seed draws the same cases',
  );
});

test('a reader reads in order: shown, first input and commit are timestamped; committed answers are final', () => {
  const { study, a } = design();
  const first = openReading(ctx, a, study.id);
  assert.equal(first.position, 0);
  assert.equal(first.phase, 'unaided');
  assert.deepEqual(Object.keys(first.metadata).sort(), ['age', 'site'], 'only the metadata the study shows');
  assert.throws(
    () => viewCase(ctx, a, study.id, 1),
    (e: ApiError) => e.code === 'forbidden',
  );
  assert.throws(
    () => commitReading(ctx, a, { studyId: study.id, position: 0, phase: 'unaided' }),
    /needs a diagnosis, a confidence/,
  );

  tick(1500);
  saveDraft(ctx, a, { studyId: study.id, position: 0, phase: 'unaided', answer: answer('mel', null) });
  tick(1000);
  saveDraft(ctx, a, {
    studyId: study.id,
    position: 0,
    phase: 'unaided',
    answer: answer('mel', 80, [{ xMin: 10, yMin: 10, xMax: 50, yMax: 40, category: 'mel' }]),
  });
  assert.throws(
    () =>
      saveDraft(ctx, a, {
        studyId: study.id,
        position: 0,
        phase: 'unaided',
        answer: answer('mel', 80, [{ xMin: 10, yMin: 10, xMax: 500, yMax: 40, category: 'mel' }]),
      }),
    /boxes\[0\]: not a box inside the 200x150 image/,
  );
  tick(2000);
  const next = commitReading(ctx, a, { studyId: study.id, position: 0, phase: 'unaided' });
  assert.equal(next.position, 1);
  assert.equal(next.completed, 1);

  const row = store.db
    .prepare('SELECT * FROM readings WHERE study_id = ? AND reader_id = ?')
    .get(study.id, a) as Record<string, unknown>;
  assert.equal(row.shown_at, '2026-11-26T09:00:00.000Z');
  assert.equal(row.first_input_at, '2026-11-26T09:00:01.500Z');
  assert.equal(row.committed_at, '2026-11-26T09:00:04.500Z');
  assert.equal(row.elapsed_ms, 4500);
  assert.equal(
    store.db.prepare('SELECT count(*) FROM reading_boxes WHERE reading_id = ?').pluck().get(row.id),
    1,
  );

  assert.throws(
    () => saveDraft(ctx, a, { studyId: study.id, position: 0, phase: 'unaided', answer: answer('nv', 10) }),
    /committed answers are final/,
  );
  const back = viewCase(ctx, a, study.id, 0);
  assert.equal(back.navigation.readOnly, true);
  assert.equal(back.unaided?.category, 'mel');
  assert.equal(openReading(ctx, a, study.id).position, 1, 'reopening resumes at the first open case');

  const [header, line, ...rest] = readingsCsv(store.db, study.id).trim().split('\n');
  assert.equal(rest.length, 0, 'only committed readings are exported');
  assert.match(
    header,
    /^reader_id,reader,case_id,case,position,phase,category,confidence,probabilities,boxes,shown_at,first_input_at,committed_at,elapsed_ms,timed_out,reader_withdrawn_at$/,
  );
  assert.match(
    line,
    /,Reader A,\d+,ISIC_\d+,0,unaided,mel,80,,"\[\{""category"":""mel"",""bbox"":\[10.0,10.0,40.0,30.0\]\}\]",2026-11-26T09:00:00.000Z,2026-11-26T09:00:01.500Z,2026-11-26T09:00:04.500Z,4500,0,$/,
  );
});

test('a withdrawn reader loses the study; their readings stay stored and flagged but leave the statistics', () => {
  const { study, a, b } = design();
  for (const reader of [a, b]) {
    openReading(ctx, reader, study.id);
    saveDraft(ctx, reader, { studyId: study.id, position: 0, phase: 'unaided', answer: answer('nv', 60) });
    commitReading(ctx, reader, { studyId: study.id, position: 0, phase: 'unaided' });
  }
  assert.deepEqual(
    studyReportInput(store.db, study.id).readers.map((r) => r.id),
    [String(a), String(b)],
  );

  const detail = withdrawReader(ctx, study.id, b, 'left the clinic');
  const withdrawn = detail.readers.find((r) => r.readerId === b)!;
  assert.equal(withdrawn.withdrawnAt, new Date(clock).toISOString());
  assert.equal(withdrawn.withdrawalReason, 'left the clinic');
  assert.equal(detail.readerCount, 1);
  assert.equal(detail.completedReadings, 1);

  assert.throws(
    () => openReading(ctx, b, study.id),
    (e: ApiError) => e.code === 'not_found',
  );
  assert.throws(
    () => saveDraft(ctx, b, { studyId: study.id, position: 1, phase: 'unaided', answer: answer('nv', 60) }),
    (e: ApiError) => e.code === 'not_found',
  );
  assert.ok(!readerStudies(ctx, b).some((s) => s.studyId === study.id));

  const input = studyReportInput(store.db, study.id);
  assert.deepEqual(
    input.readers.map((r) => r.id),
    [String(a)],
  );
  assert.ok(input.readings.every((r) => r.readerId === String(a)));
  assert.deepEqual(input.withdrawnReaders, [
    { name: 'Reader B', withdrawnAt: new Date(clock).toISOString(), reason: 'left the clinic', readings: 1 },
  ]);
  const csv = readingsCsv(store.db, study.id).trim().split('\n').slice(1);
  assert.equal(csv.length, 2, 'both readings stay in the raw export');
  assert.ok(
    csv.some((line) => line.includes('Reader B') && line.endsWith(`,${new Date(clock).toISOString()}`)),
  );
  assert.ok(csv.some((line) => line.includes('Reader A') && line.endsWith(',')));

  const audit = store.db
    .prepare("SELECT details FROM audit_log WHERE action = 'study.withdraw_reader' AND entity_id = ?")
    .pluck()
    .all(String(study.id)) as string[];
  assert.deepEqual(
    audit.map((d) => JSON.parse(d)),
    [{ reader_id: b, reason: 'left the clinic' }],
  );
  assert.throws(
    () => withdrawReader(ctx, study.id, b, 'again'),
    (e: ApiError) => e.code === 'conflict',
  );
  assert.throws(
    () => addReaders(ctx, study.id, [b]),
    (e: ApiError) => e.code === 'conflict' && /cannot rejoin/.test(e.message),
  );
  closeStudy(ctx, study.id);
  assert.throws(
    () => withdrawReader(ctx, study.id, a, 'late'),
    (e: ApiError) => e.code === 'conflict',
  );
});

test("a reader never reaches another reader's study or answers, nor images beyond the next case", async () => {
  const { study, a, b } = design();
  const other = design();
  assert.throws(
    () => openReading(ctx, a, other.study.id),
    (e: ApiError) => e.code === 'not_found',
  );
  openReading(ctx, b, study.id);
  saveDraft(ctx, b, { studyId: study.id, position: 0, phase: 'unaided', answer: answer('bcc', 33) });
  const view = openReading(ctx, a, study.id);
  assert.deepEqual(
    view.unaided,
    answer(null, null),
    "reader A sees only their own (empty) answer, none of reader B's draft",
  );
  const next = await caseImage(ctx, a, study.id, '1');
  assert.equal(next.mime, 'image/jpeg', 'the next image may be prefetched');
  const meta = await sharp(next.bytes).metadata();
  assert.equal(meta.width, 200);
  assert.equal(meta.exif, undefined, 'no camera metadata reaches a reader');
  await assert.rejects(caseImage(ctx, a, study.id, '2'), (e: ApiError) => e.code === 'forbidden');
  assert.deepEqual(
    readerStudies(ctx, a)
      .map((s) => s.studyId)
      .filter((id) => id === other.study.id),
    [],
  );
});

test('the AI-assisted read shows the model only after the unaided answer is committed, and keeps both', () => {
  const { study, a } = design({
    assistedModelVersionId: null,
    tasks: { diagnosis: true, probabilities: false, marking: false },
  });
  assert.equal(study.settings.assistedModelVersionId, null);
  const assisted = design({
    assistedModelVersionId: modelId,
    tasks: { diagnosis: true, probabilities: false, marking: false },
  });
  const id = assisted.study.id;
  const reader = assisted.a;
  const unaided = openReading(ctx, reader, id);
  assert.equal(unaided.modelOutput, null);
  saveDraft(ctx, reader, { studyId: id, position: 0, phase: 'unaided', answer: answer('nv', 60) });
  assert.throws(
    () => saveDraft(ctx, reader, { studyId: id, position: 0, phase: 'assisted', answer: answer('nv', 60) }),
    /unaided phase, not assisted/,
  );
  const second = commitReading(ctx, reader, { studyId: id, position: 0, phase: 'unaided' });
  assert.equal(second.position, 0);
  assert.equal(second.phase, 'assisted');
  assert.equal(second.modelOutput?.probabilities.length, 7);
  assert.deepEqual(second.assisted, answer('nv', 60), 'the assisted answer starts as the unaided one');
  saveDraft(ctx, reader, { studyId: id, position: 0, phase: 'assisted', answer: answer('mel', 70) });
  const third = commitReading(ctx, reader, { studyId: id, position: 0, phase: 'assisted' });
  assert.equal(third.position, 1);
  assert.equal(third.modelOutput, null, 'the next case starts unaided again');
  const phases = store.db
    .prepare('SELECT phase, confidence FROM readings WHERE study_id = ? AND reader_id = ? ORDER BY id')
    .all(id, reader);
  assert.deepEqual(phases, [
    { phase: 'unaided', confidence: 60 },
    { phase: 'assisted', confidence: 70 },
    { phase: 'unaided', confidence: null },
  ]);
  assert.equal(studyDetail(ctx, id).readers.find((r) => r.readerId === reader)?.completed, 1);
  void a;
});

test('settings change until the first case is shown; after that only the name and instructions', () => {
  const { study, a } = design();
  const before = updateStudy(ctx, {
    studyId: study.id,
    name: '  Renamed  ',
    timeLimitS: 45,
    show: { age: true, sex: true, site: true },
  });
  assert.equal(before.name, 'Renamed');
  assert.equal(before.readingStarted, false);
  assert.equal(before.settings.timeLimitS, 45);
  assert.deepEqual(before.settings.show, { age: true, sex: true, site: true });
  const logged = store.db
    .prepare("SELECT details FROM audit_log WHERE action = 'study.update' AND entity_id = ?")
    .pluck()
    .all(String(study.id)) as string[];
  assert.deepEqual(JSON.parse(logged[0]).changes, {
    name: { from: 'Test study', to: 'Renamed' },
    timeLimitS: { from: null, to: 45 },
    'show.sex': { from: false, to: true },
  });

  openReading(ctx, a, study.id);
  viewCase(ctx, a, study.id, 0);
  assert.throws(
    () => updateStudy(ctx, { studyId: study.id, timeLimitS: 600, allowPrevious: false }),
    /timeLimitS, allowPrevious cannot change once readers have been shown cases/,
  );
  const after = updateStudy(ctx, { studyId: study.id, instructions: 'Read each case once.' });
  assert.equal(after.readingStarted, true);
  assert.equal(after.instructions, 'Read each case once.');
  assert.equal(after.settings.timeLimitS, 45);
  assert.equal(after.settings.allowPrevious, true);
  // the engine reads under the updated limit
  for (let beat = 0; beat < 5; beat++) {
    tick(10_000);
    touchCase(ctx, a, { studyId: study.id, position: 0, phase: 'unaided' });
  }
  assert.throws(
    () => saveDraft(ctx, a, { studyId: study.id, position: 0, phase: 'unaided', answer: answer('nv', 50) }),
    /time for this case is up/,
  );
  closeStudy(ctx, study.id);
  assert.throws(() => updateStudy(ctx, { studyId: study.id, name: 'x' }), /is closed/);
});

test('a time limit refuses late drafts and commits what was saved, marked as timed out', () => {
  const { study, a } = design({ timeLimitS: 30 });
  openReading(ctx, a, study.id);
  saveDraft(ctx, a, { studyId: study.id, position: 0, phase: 'unaided', answer: answer('nv', null) });
  for (let beat = 0; beat < 3; beat++) {
    tick(10_000);
    touchCase(ctx, a, { studyId: study.id, position: 0, phase: 'unaided' });
  }
  tick(3_000);
  assert.throws(
    () => saveDraft(ctx, a, { studyId: study.id, position: 0, phase: 'unaided', answer: answer('nv', 50) }),
    /time for this case is up/,
  );
  const next = commitReading(ctx, a, { studyId: study.id, position: 0, phase: 'unaided' });
  assert.equal(next.position, 1);
  const row = store.db
    .prepare(
      'SELECT timed_out, confidence, category_id FROM readings WHERE study_id = ? AND reader_id = ? AND committed_at IS NOT NULL',
    )
    .get(study.id, a) as {
    timed_out: number;
    confidence: number | null;
  };
  assert.equal(row.timed_out, 1);
  assert.equal(row.confidence, null);
});

test('time on a case is summed over visits: a crash or a pause costs the reader nothing', () => {
  const { study, a } = design({ timeLimitS: 60 });
  const first = openReading(ctx, a, study.id);
  assert.equal(first.timing.deadline, new Date(clock + 60_000).toISOString());
  tick(8_000);
  assert.equal(touchCase(ctx, a, { studyId: study.id, position: 0, phase: 'unaided' }).elapsedMs, 8_000);
  tick(5 * 60_000); // the app crashed, or the reader walked away: no sign of life
  const resumed = openReading(ctx, a, study.id);
  assert.equal(resumed.timing.elapsedBeforeMs, 8_000);
  assert.equal(resumed.timing.visitStartedAt, new Date(clock).toISOString());
  assert.equal(
    resumed.timing.deadline,
    new Date(clock + 52_000).toISOString(),
    'the time limit keeps the time left',
  );
  tick(4_000);
  saveDraft(ctx, a, { studyId: study.id, position: 0, phase: 'unaided', answer: answer('nv', 40) });
  tick(2_000);
  commitReading(ctx, a, { studyId: study.id, position: 0, phase: 'unaided' });
  const row = store.db
    .prepare('SELECT elapsed_ms, timed_out FROM readings WHERE study_id = ? AND reader_id = ?')
    .get(study.id, a);
  assert.deepEqual(row, { elapsed_ms: 14_000, timed_out: 0 });
});

test('a closed study is locked', () => {
  const { study, a } = design();
  openReading(ctx, a, study.id);
  closeStudy(ctx, study.id);
  assert.throws(
    () => saveDraft(ctx, a, { studyId: study.id, position: 0, phase: 'unaided', answer: answer('nv', 50) }),
    /study is closed/,
  );
  assert.equal(openReading(ctx, a, study.id).navigation.readOnly, true);
  assert.throws(() => closeStudy(ctx, study.id), /already closed/);
});

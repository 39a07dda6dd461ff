// Blinding, end to end: every API route is called with a reader's access (twice: before and after the reader
// commits an unaided answer in an AI-assisted study) and no response may hold ground truth, a model's output
// (other than for the case just committed, in its assisted phase), another reader's answer, or anything that
// identifies a case (file name, source id, lesion id, image hash).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { routes, type HandlerName } from '../../main/contract/index.ts';
import { makeTempDir } from '../../main/core/store/testing.ts';
import { client, rawCall, type RawResponse } from './support/api.ts';
import { hamDataFolder } from './support/data.ts';
import { startServer, type RunningServer } from './support/server.ts';

const temp = makeTempDir('e2e-blinding');
let server: RunningServer;
let dataDir: string;
let studyId: number;
let readerCode: string;
let coordinatorToken: string;

// a distinctive answer of the other reader, to be looked for in every response
const OTHER = {
  category: 'df',
  confidence: 37,
  probabilities: { df: 61.5, vasc: 38.5 },
  box: { xMin: 113.7, yMin: 121.9, xMax: 188.3, yMax: 137.1 },
};

before(async () => {
  const data = await hamDataFolder(temp.path, { model: true });
  dataDir = data.dataDir;
  server = await startServer(dataDir);
  const anonymous = client(server.url);
  coordinatorToken = (
    await anonymous('session.setupCoordinator', { password: 'a long coordinator password' })
  ).token;
  const coordinator = client(server.url, coordinatorToken);
  const a = await coordinator('readers.create', { name: 'Reader under test' });
  const b = await coordinator('readers.create', { name: 'Other reader' });
  readerCode = a.accessCode;
  const study = await coordinator('studies.create', {
    name: 'Blinding',
    datasetId: data.datasetId,
    split: 'test',
    sample: { kind: 'stratified', n: 8, seed: 1 },
    tasks: { diagnosis: true, probabilities: true, marking: true },
    show: { age: true, sex: true, site: true },
    timeLimitS: null,
    assistedModelVersionId: data.modelId,
    readerIds: [a.reader.id, b.reader.id],
  });
  studyId = study.id;
  // the other reader answers the first case of their order, which holds every study case: the same cases
  const other = client(
    server.url,
    (await anonymous('session.signInReader', { accessCode: b.accessCode })).token,
  );
  const view = await other('reading.open', { studyId });
  const box = { ...OTHER.box, category: 'df' };
  await other('reading.saveDraft', {
    studyId,
    position: view.position,
    phase: 'unaided',
    answer: {
      category: OTHER.category,
      confidence: OTHER.confidence,
      probabilities: OTHER.probabilities,
      boxes: [box],
    },
  });
  await other('reading.commit', { studyId, position: view.position, phase: 'unaided' });
});
after(async () => {
  await server?.stop();
  temp.remove();
});

/** Arguments for every route (typed against the contract: a route added later must be added here). */
function argumentsFor(signInCode: string): Record<HandlerName, unknown> {
  return {
    'session.status': {},
    'session.setupCoordinator': { password: 'another password' },
    'session.signInCoordinator': { password: 'not the password' },
    'session.signInReader': { accessCode: signInCode },
    'session.signOut': {},
    'reading.studies': {},
    'reading.open': { studyId },
    'reading.case': { studyId, position: 0 },
    'reading.saveDraft': {
      studyId,
      position: 0,
      phase: 'unaided',
      answer: { category: 'nv', confidence: 64, probabilities: { nv: 64, mel: 36 }, boxes: [] },
    },
    'reading.commit': { studyId, position: 0, phase: 'unaided' },
    'reading.touch': { studyId, position: 0, phase: 'unaided' },
    'reading.image': { studyId, imageKey: '0' },
    'catalog.datasets': {},
    'datasets.import': { format: 'coco', path: '/tmp/none.json' },
    'readers.list': {},
    'readers.create': { name: 'Intruder' },
    'readers.reissueCode': { readerId: 1 },
    'studies.list': {},
    'studies.create': {
      name: 'x',
      datasetId: 1,
      sample: { kind: 'all' },
      tasks: { diagnosis: true, probabilities: false, marking: false },
      show: { age: true, sex: true, site: true },
      timeLimitS: null,
      assistedModelVersionId: null,
    },
    'studies.get': { studyId },
    'studies.addReaders': { studyId, readerIds: [1] },
    'studies.withdrawReader': { studyId, readerId: 1, reason: 'x' },
    'studies.update': { studyId, name: 'renamed by a reader' },
    'studies.close': { studyId },
    'studies.report': { studyId },
    'studies.export': { studyId, format: 'json' },
    'models.list': {},
    'models.add': { path: '/tmp' },
    'models.get': { modelVersionId: 1 },
    'models.setStatus': { modelVersionId: 1, status: 'retired' },
    'models.run': { modelVersionId: 1, datasetId: 1 },
    'models.compare': { datasetId: 1, modelVersionIds: [1] },
    'jobs.get': { jobId: 'x' },
    'jobs.cancel': { jobId: 'x' },
  };
}

interface Secrets {
  strings: string[];
  labels: string[];
  predictionsOf: Map<number, string[]>;
}

/** What must never reach the reader, read straight from the database. */
function secrets(): Secrets & { caseAtPosition0: number } {
  const db = new Database(join(dataDir, 'dermaread.sqlite'), { readonly: true });
  try {
    const cases = db
      .prepare(
        'SELECT c.id, c.external_id, c.file_name, c.image_sha256, c.metadata FROM study_cases sc JOIN cases c ON c.id = sc.case_id WHERE sc.study_id = ?',
      )
      .all(studyId) as {
      id: number;
      external_id: string;
      file_name: string;
      image_sha256: string;
      metadata: string;
    }[];
    const strings = cases.flatMap((c) => {
      const meta = JSON.parse(c.metadata) as Record<string, unknown>;
      return [
        c.external_id,
        c.file_name.split('/').pop()!,
        c.image_sha256,
        String(meta.group),
        String(meta.dx_type),
      ];
    });
    // ground-truth box coordinates with a fractional part (whole numbers like 150 are also image sizes)
    for (const c of cases) {
      for (const b of db.prepare('SELECT x, y, w, h FROM case_boxes WHERE case_id = ?').all(c.id) as {
        x: number;
        y: number;
        w: number;
        h: number;
      }[]) {
        strings.push(
          ...[b.x, b.y, b.w, b.h]
            .map((v) => JSON.stringify(v))
            .filter((s) => s.includes('.') && s.length >= 5),
        );
      }
    }
    strings.push(...Object.values(OTHER.box).map(String), String(OTHER.probabilities.df));
    const labels = db
      .prepare('SELECT DISTINCT cat.name FROM case_labels l JOIN categories cat ON cat.id = l.category_id')
      .pluck()
      .all() as string[];
    const predictionsOf = new Map<number, string[]>();
    for (const c of cases) {
      predictionsOf.set(
        c.id,
        (
          db
            .prepare('SELECT probability FROM prediction_scores WHERE case_id = ?')
            .pluck()
            .all(c.id) as number[]
        ).map((p) => JSON.stringify(p)),
      );
    }
    const reader = db
      .prepare("SELECT id FROM readers WHERE name = 'Reader under test'")
      .pluck()
      .get() as number;
    const caseAtPosition0 = db
      .prepare(
        'SELECT sc.case_id FROM study_case_order o JOIN study_cases sc ON sc.id = o.study_case_id WHERE o.study_id = ? AND o.reader_id = ? AND o.position = 0',
      )
      .pluck()
      .get(studyId, reader) as number;
    return { strings, labels, predictionsOf, caseAtPosition0 };
  } finally {
    db.close();
  }
}

/** A response's JSON without what legitimately names categories: the category list and the reader's own answers. */
function withoutOwnAnswersAndCategoryList(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutOwnAnswersAndCategoryList);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !['categories', 'unaided', 'assisted', 'modelOutput'].includes(key))
        .map(([key, v]) => [key, withoutOwnAnswersAndCategoryList(v)]),
    );
  }
  return value;
}

function checkResponse(name: string, response: RawResponse, forbidden: string[], labels: string[]): void {
  assert.notEqual(response.status, 500, `${name}: ${response.text}`);
  if (response.contentType.startsWith('image/')) return;
  // timestamps hold digits that could match a number by chance
  const text = response.text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, '<time>');
  for (const secret of forbidden)
    assert.ok(!text.includes(secret), `${name} leaks "${secret}": ${text.slice(0, 300)}`);
  assert.doesNotMatch(
    response.text,
    new RegExp(`"confidence":${OTHER.confidence}\\b`),
    `${name} leaks the other reader's confidence`,
  );
  const stripped = JSON.stringify(withoutOwnAnswersAndCategoryList(JSON.parse(response.text)));
  for (const label of labels)
    assert.ok(
      !stripped.includes(`"${label}"`),
      `${name} names the category "${label}" outside the category list`,
    );
}

/** Calls every route; once an unaided answer is committed, `afterCommit` is what stays forbidden. */
async function sweep(
  forbidden: string[],
  labels: string[],
  afterCommit = forbidden,
): Promise<Record<string, number>> {
  const token = (await client(server.url)('session.signInReader', { accessCode: readerCode })).token;
  const args = argumentsFor(readerCode);
  const statuses: Record<string, number> = {};
  // signing out last, so every other route runs signed in
  const names = (Object.keys(routes) as HandlerName[]).sort(
    (a, b) => Number(a === 'session.signOut') - Number(b === 'session.signOut'),
  );
  for (const name of names) {
    const response = await rawCall(server.url, name, args[name], token);
    statuses[name] = response.status;
    if (name === 'reading.commit' && response.status === 200) forbidden = afterCommit;
    checkResponse(name, response, forbidden, labels);
  }
  return statuses;
}

test("no route gives a reader ground truth, predictions, identifiers or another reader's answers", async () => {
  const { strings, labels, predictionsOf, caseAtPosition0 } = secrets();
  const allPredictions = [...predictionsOf.values()].flat();
  const otherCases = [...predictionsOf.entries()]
    .filter(([id]) => id !== caseAtPosition0)
    .flatMap(([, p]) => p);
  assert.ok(allPredictions.length >= 8 * 7 && strings.length > 30, 'the secrets were found in the database');

  // before the commit: nothing of the model at all (the sweep itself saves a complete answer, then commits it)
  const first = await sweep([...strings, ...allPredictions], labels, [...strings, ...otherCases]);
  for (const name of Object.keys(routes) as HandlerName[]) {
    if (routes[name].access === 'coordinator')
      assert.equal(first[name], 403, `${name} must be refused to a reader`);
  }
  assert.equal(first['reading.open'], 200);
  assert.equal(first['reading.image'], 200);

  // the sweep saved and committed a complete unaided answer: the model may now show its output for that case only
  const reader = client(
    server.url,
    (await client(server.url)('session.signInReader', { accessCode: readerCode })).token,
  );
  const view = await reader('reading.open', { studyId });
  assert.equal(view.phase, 'assisted', 'the unaided answer was committed by the sweep');
  assert.ok(view.modelOutput && view.modelOutput.probabilities.length > 0);
  await sweep([...strings, ...otherCases], labels);
});

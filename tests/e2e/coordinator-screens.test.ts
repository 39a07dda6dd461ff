// The AI-assisted read and the coordinator's other screens in a real browser: a reader sees the model's output
// only after committing the unaided answer; the statistics dashboard renders the study's report (ROC with the
// model's curve and the readers as points, AUC table, MRMC); an engineer adds a model version, runs it over a
// dataset with a progress bar and compares versions. Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { makeTempDir, tinyClassifierCopy, writeHamSampleCoco } from '../../main/core/store/testing.ts';
import { ReadingView } from './page-models/reading.ts';
import { SignInPage } from './page-models/sign-in.ts';
import { client } from './support/api.ts';
import { ARTIFACTS, launchBrowser } from './support/browser.ts';
import { hamDataFolder } from './support/data.ts';
import { startServer, type RunningServer } from './support/server.ts';

const temp = makeTempDir('e2e-screens');
let server: RunningServer;
let browser: Browser;
let dataDir: string;
let datasetId: number;
let modelId: number;

before(async () => {
  const data = await hamDataFolder(temp.path, { model: true });
  dataDir = data.dataDir;
  datasetId = data.datasetId;
  modelId = data.modelId!;
  server = await startServer(dataDir);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  temp.remove();
});

async function newPage(): Promise<Page> {
  return (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
}

/** The ground truth of a reader's case order, from the database (what a simulated reader answers against). */
function studyPatients(studyId: number): number {
  const db = new Database(join(dataDir, 'dermaread.sqlite'), { readonly: true });
  try {
    return db
      .prepare(
        'SELECT count(DISTINCT coalesce(c.patient_id, -c.id)) FROM study_cases sc JOIN cases c ON c.id = sc.case_id WHERE sc.study_id = ?',
      )
      .pluck()
      .get(studyId) as number;
  } finally {
    db.close();
  }
}

function truthInOrder(studyId: number, readerId: number): string[] {
  const db = new Database(join(dataDir, 'dermaread.sqlite'), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT (SELECT c.name FROM case_labels l JOIN categories c ON c.id = l.category_id WHERE l.case_id = sc.case_id LIMIT 1)
         FROM study_case_order o JOIN study_cases sc ON sc.id = o.study_case_id WHERE o.study_id = ? AND o.reader_id = ? ORDER BY o.position`,
      )
      .pluck()
      .all(studyId, readerId) as string[];
  } finally {
    db.close();
  }
}

const CATEGORIES = ['akiec', 'bcc', 'bkl', 'df', 'mel', 'nv', 'vasc'];

test('assisted read, statistics dashboard and models screen', async () => {
  const coordinatorPage = await newPage();
  const signIn = new SignInPage(coordinatorPage);
  await signIn.open(server.url);
  await coordinatorPage.screenshot({ path: join(ARTIFACTS, 'sign-in.png') });
  await signIn.setUpCoordinator('a calm coordinator');
  const token = await coordinatorPage.evaluate(() => sessionStorage.getItem('dermaread.token'));
  const coordinator = client(server.url, token);

  const readers = await Promise.all(
    ['Dr Able', 'Dr Baker', 'Dr Carter'].map((name) => coordinator('readers.create', { name })),
  );
  const study = await coordinator('studies.create', {
    name: 'AI-assisted pilot',
    datasetId,
    split: 'test',
    sample: { kind: 'stratified', n: 40, seed: 2 },
    tasks: { diagnosis: true, probabilities: false, marking: false },
    show: { age: true, sex: true, site: true },
    timeLimitS: null,
    assistedModelVersionId: modelId,
    readerIds: readers.map((r) => r.reader.id),
  });

  // two readers read everything through the API, right about two times in three, more often with the AI
  for (const [k, { reader, accessCode }] of readers.slice(1).entries()) {
    const api = client(server.url, (await client(server.url)('session.signInReader', { accessCode })).token);
    const truth = truthInOrder(study.id, reader.id);
    for (const [position, label] of truth.entries()) {
      for (const phase of ['unaided', 'assisted'] as const) {
        const right = (position + k + (phase === 'assisted' ? 1 : 0)) % 3 !== 0;
        const category = right ? label : CATEGORIES[(CATEGORIES.indexOf(label) + 1 + k) % 7];
        const confidence = 40 + ((position * 17 + k * 11) % 60);
        await api('reading.open', { studyId: study.id });
        await api('reading.saveDraft', {
          studyId: study.id,
          position,
          phase,
          answer: { category, confidence, probabilities: null, boxes: [] },
        });
        await api('reading.commit', { studyId: study.id, position, phase });
      }
    }
  }

  await coordinatorPage.goto(`${server.url}#/studies`);
  await coordinatorPage.getByRole('link', { name: 'AI-assisted pilot' }).waitFor();
  await coordinatorPage.screenshot({ path: join(ARTIFACTS, 'studies.png') });

  // the statistics dashboard
  await coordinatorPage.goto(`${server.url}#/studies/${study.id}/report`);
  await coordinatorPage.locator('.recharts-surface').first().waitFor();
  await coordinatorPage.getByRole('heading', { name: 'Multi-reader multi-case analysis' }).waitFor();
  const aucRows = await coordinatorPage.locator('.report table').first().locator('tbody tr').count();
  assert.ok(aucRows >= 5, `the AUC table lists the model and the readers' phases (${aucRows} rows)`);
  assert.ok(
    (await coordinatorPage.getByText(/against tiny-test-classifier 0.0.1 as a fixed reference/).count()) > 0,
  );
  // the study sampled images, not patients (40 images of 36 lesions): the page says so
  const patients = studyPatients(study.id);
  assert.ok(patients < 40, `the sample repeats a patient (${patients} patients)`);
  assert.match(
    (await coordinatorPage.getByTestId('case-independence').textContent())!,
    new RegExp(`^40 cases come from ${patients} patients: the AUC intervals`),
  );
  await coordinatorPage.screenshot({ path: join(ARTIFACTS, 'report-dashboard.png'), fullPage: true });
  for (const [label, file, starts] of [
    ['CSV tables', 'report-csv.zip', 'PK'],
    ['Printable HTML', 'report.html', '<!'],
    ['iMRMC input', 'imrmc.zip', 'PK'],
    ['Readings CSV', 'readings.csv', 're'],
  ]) {
    const [download] = await Promise.all([
      coordinatorPage.waitForEvent('download'),
      coordinatorPage.getByRole('button', { name: label }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `study-${study.id}-${file}`);
    assert.equal(
      readFileSync((await download.path())!)
        .subarray(0, 2)
        .toString(),
      starts,
    );
  }

  // the first reader, in the browser: the model appears only after the unaided commit
  const readerPage = await newPage();
  await new SignInPage(readerPage).open(server.url);
  await new SignInPage(readerPage).signInReader(readers[0].accessCode);
  const reading = new ReadingView(readerPage);
  await reading.openStudy('AI-assisted pilot');
  await reading.imageShown();
  assert.equal(
    await readerPage.getByRole('region', { name: 'AI output' }).count(),
    0,
    'no AI output before the unaided answer',
  );
  await reading.chooseDiagnosis('nv');
  await reading.setConfidence(65);
  await reading.waitSaved();
  await readerPage.getByRole('button', { name: 'Commit and see AI' }).click();
  await readerPage.getByRole('region', { name: 'AI output' }).waitFor();
  assert.equal(await reading.caseNumber(), 1, 'the same case, now with the AI');
  await readerPage.screenshot({ path: join(ARTIFACTS, 'assisted-read.png') });
  await reading.chooseDiagnosis('mel');
  await reading.waitSaved();
  await reading.commitAndWaitNext();
  assert.equal(await reading.caseNumber(), 2);

  // datasets: import a COCO file with its images, in the background
  const coco = writeHamSampleCoco(join(temp.path, 'coco'), 12);
  await coordinatorPage.goto(`${server.url}#/datasets`);
  const importForm = coordinatorPage.getByRole('form', { name: 'Import a dataset' });
  await importForm.getByLabel('Annotation file (.json)').fill(coco.file);
  await importForm.getByLabel('Name (optional)').fill('Clinic export, March');
  await importForm.getByRole('button', { name: 'Import' }).click();
  await coordinatorPage.getByRole('progressbar', { name: /^done: / }).waitFor({ timeout: 60_000 });
  await coordinatorPage.getByRole('cell', { name: 'Clinic export, March' }).waitFor();
  await coordinatorPage.screenshot({ path: join(ARTIFACTS, 'datasets.png'), fullPage: true });

  // models: add a second version, validate, run it over the dataset, compare the two
  const secondVersion = tinyClassifierCopy(
    join(temp.path, 'tiny-v2'),
    (manifest) => (manifest.version = '0.0.2'),
  );
  await coordinatorPage.goto(`${server.url}#/models`);
  await coordinatorPage.getByLabel(/Add a model version/).fill(secondVersion);
  await coordinatorPage.getByRole('button', { name: 'Add version' }).click();
  await coordinatorPage.getByText('✓ Valid').waitFor();
  await coordinatorPage.getByRole('button', { name: 'Run', exact: true }).click();
  await coordinatorPage.getByRole('progressbar', { name: /^done: / }).waitFor({ timeout: 60_000 });
  for (const version of ['0.0.1', '0.0.2'])
    await coordinatorPage.getByLabel(`compare tiny-test-classifier ${version}`).check();
  await coordinatorPage.getByRole('button', { name: 'Compare' }).click();
  await coordinatorPage.getByText(/cases of \d+ patients predicted by every version/).waitFor();
  const secondRow = coordinatorPage.locator('tr', { hasText: 'tiny-test-classifier 0.0.2' });
  // the same model twice: its AUC interval, and a paired difference of zero from the first version
  assert.match(
    (await secondRow.locator('td[data-metric="AUC mel"]').textContent())!,
    /^0\.\d{3}0\.\d{3}–[01]\.\d{3}Δ \+0\.000, p 1\.0$/,
  );
  await coordinatorPage.getByRole('button', { name: 'Make active' }).click();
  await coordinatorPage.locator('tr.selected .badge.active').waitFor();
  await coordinatorPage.screenshot({ path: join(ARTIFACTS, 'models.png'), fullPage: true });

  await coordinatorPage.goto(`${server.url}#/studies/new`);
  await coordinatorPage.getByRole('form', { name: 'New study' }).waitFor();
  await coordinatorPage.screenshot({ path: join(ARTIFACTS, 'new-study.png'), fullPage: true });
});

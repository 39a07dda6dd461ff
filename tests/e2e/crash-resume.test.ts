// A crash in the middle of a reading session: the server is SIGKILLed while the reader is saving; after a
// restart every committed answer is there unchanged, the last acknowledged draft too, and the reader's page
// resumes at the case they were on.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser } from 'playwright-core';
import { makeTempDir } from '../../main/core/store/testing.ts';
import { ReadingView } from './page-models/reading.ts';
import { SignInPage } from './page-models/sign-in.ts';
import { client } from './support/api.ts';
import { launchBrowser } from './support/browser.ts';
import { hamDataFolder } from './support/data.ts';
import { startServer, type RunningServer } from './support/server.ts';

const temp = makeTempDir('e2e-crash');
let server: RunningServer;
let browser: Browser;
let dataDir: string;

before(async () => {
  const data = await hamDataFolder(temp.path);
  dataDir = data.dataDir;
  server = await startServer(dataDir);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  temp.remove();
});

function committedReadings(): unknown[] {
  const db = new Database(join(dataDir, 'dermaread.sqlite'), { readonly: true });
  try {
    return db
      .prepare(
        `SELECT r.*, (SELECT json_group_array(json_array(x, y, w, h)) FROM reading_boxes b WHERE b.reading_id = r.id) AS boxes
         FROM readings r WHERE committed_at IS NOT NULL ORDER BY id`,
      )
      .all();
  } finally {
    db.close();
  }
}

test('after a SIGKILL mid-session every committed answer is kept and the reader resumes where they were', async () => {
  const anonymous = client(server.url);
  const coordinatorToken = (await anonymous('session.setupCoordinator', { password: 'coordinator password' }))
    .token;
  const coordinator = client(server.url, coordinatorToken);
  const { reader, accessCode } = await coordinator('readers.create', { name: 'Dr Crash' });
  const datasetId = (await coordinator('catalog.datasets', {}))[0].id;
  const study = await coordinator('studies.create', {
    name: 'Crash study',
    datasetId,
    sample: { kind: 'stratified', n: 5, seed: 9 },
    tasks: { diagnosis: true, probabilities: false, marking: true },
    show: { age: false, sex: false, site: false },
    timeLimitS: null,
    assistedModelVersionId: null,
    readerIds: [reader.id],
  });

  // the reader works in the browser: three cases committed, the fourth being answered
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await new SignInPage(page).open(server.url);
  await new SignInPage(page).signInReader(accessCode);
  const reading = new ReadingView(page);
  await reading.openStudy('Crash study');
  for (const [n, code] of [
    [1, 'mel'],
    [2, 'nv'],
    [3, 'bcc'],
  ] as const) {
    assert.equal(await reading.caseNumber(), n);
    await reading.imageShown();
    if (n === 2) await reading.drawBox([0.3, 0.3], [0.55, 0.6]);
    await reading.chooseDiagnosis(code);
    await reading.setConfidence(55 + n);
    await reading.waitSaved();
    await reading.commitAndWaitNext();
  }
  await reading.chooseDiagnosis('bkl');
  await reading.waitSaved();
  const before = committedReadings();
  assert.equal(before.length, 3);

  // saves in flight when the process dies
  const token = await page.evaluate(() => sessionStorage.getItem('dermaread.token'));
  const api = client(server.url, token);
  const view = await api('reading.open', { studyId: study.id });
  const inFlight = Array.from({ length: 20 }, (_, i) =>
    api('reading.saveDraft', {
      studyId: study.id,
      position: view.position,
      phase: 'unaided',
      answer: { category: 'bkl', confidence: i, probabilities: null, boxes: [] },
    }).then(
      () => i,
      () => null,
    ),
  );
  await Promise.race(inFlight);
  await server.crash();
  const acknowledged = (await Promise.all(inFlight)).filter((i): i is number => i !== null);

  server = await startServer(dataDir, Number(new URL(server.url).port));
  assert.deepEqual(committedReadings(), before, 'committed answers are unchanged, timestamps included');
  const progress = (await client(server.url, coordinatorToken)('studies.get', { studyId: study.id }))
    .readers[0];
  assert.equal(progress.completed, 3);

  // the same page, reloaded against the restarted server, is back on case 4 with the draft
  await page.reload();
  await page.getByTestId('case-counter').waitFor();
  assert.equal(await reading.caseNumber(), 4);
  assert.equal(await page.locator('.category.chosen').getAttribute('data-code'), 'bkl');
  const draft = await client(server.url, token)('reading.open', { studyId: study.id });
  // an acknowledged save is durable (a later one may have landed too, without its reply getting out)
  assert.ok(acknowledged.length > 0);
  const confidence = draft.unaided?.confidence;
  assert.ok(
    typeof confidence === 'number' && confidence >= 0 && confidence < 20,
    `draft confidence ${confidence}`,
  );
  process.stdout.write(`# ${acknowledged.length} of 20 saves in flight were acknowledged before the kill\n`);

  // a change made while the server is down is kept by the page and saved once the server is back
  await server.crash();
  await reading.chooseDiagnosis('akiec');
  await page.getByText(/^Not saved/).waitFor();
  server = await startServer(dataDir, Number(new URL(server.url).port));
  await reading.waitSaved();
  await page.reload();
  await page.getByTestId('case-counter').waitFor();
  assert.equal(await page.locator('.category.chosen').getAttribute('data-code'), 'akiec');
});

// A timed study in the browser: the countdown is visible, and when it runs out the answer as saved is committed
// (marked as timed out) and the next case comes up.
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

const temp = makeTempDir('e2e-time-limit');
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

test('when the time limit runs out, the saved answer is committed as timed out and the next case shows', async () => {
  const coordinator = client(
    server.url,
    (await client(server.url)('session.setupCoordinator', { password: 'coordinator password' })).token,
  );
  const { reader, accessCode } = await coordinator('readers.create', { name: 'Dr Quick' });
  const datasetId = (await coordinator('catalog.datasets', {}))[0].id;
  await coordinator('studies.create', {
    name: 'Timed study',
    datasetId,
    sample: { kind: 'stratified', n: 3, seed: 4 },
    tasks: { diagnosis: true, probabilities: false, marking: false },
    show: { age: false, sex: false, site: false },
    timeLimitS: 4,
    assistedModelVersionId: null,
    readerIds: [reader.id],
  });
  const page = await (await browser.newContext()).newPage();
  await new SignInPage(page).open(server.url);
  await new SignInPage(page).signInReader(accessCode);
  const reading = new ReadingView(page);
  await reading.openStudy('Timed study');
  await page.getByRole('timer', { name: 'time left' }).waitFor();
  await reading.chooseDiagnosis('bcc'); // no confidence: incomplete, and the time runs out
  await reading.waitSaved();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=case-counter]')?.textContent?.includes('Case 2 of'),
    null,
    { timeout: 15_000 },
  );

  const db = new Database(join(dataDir, 'dermaread.sqlite'), { readonly: true });
  try {
    const row = db
      .prepare('SELECT timed_out, confidence, elapsed_ms FROM readings WHERE committed_at IS NOT NULL')
      .get() as { timed_out: number; confidence: number | null; elapsed_ms: number };
    assert.equal(row.timed_out, 1);
    assert.equal(row.confidence, null);
    assert.ok(row.elapsed_ms >= 4000, `elapsed ${row.elapsed_ms} ms`);
  } finally {
    db.close();
  }
});

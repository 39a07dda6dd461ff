// The whole study in a real browser against browser mode: a coordinator sets up a 5-case study with 2 readers;
// reader 1 reads all 5 (diagnosis, confidence, a box drawn with the mouse); reader 2 stops after 2, reloads and
// resumes at case 3; the coordinator sees both readers' progress. Screenshots go to test-artifacts/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { makeTempDir } from '../../main/core/store/testing.ts';
import { CoordinatorPages } from './page-models/coordinator.ts';
import { ReadingView } from './page-models/reading.ts';
import { SignInPage } from './page-models/sign-in.ts';
import { ARTIFACTS, launchBrowser } from './support/browser.ts';
import { hamDataFolder } from './support/data.ts';
import { startServer, type RunningServer } from './support/server.ts';

const temp = makeTempDir('e2e-study');
let server: RunningServer;
let browser: Browser;

before(async () => {
  const { dataDir } = await hamDataFolder(temp.path);
  server = await startServer(dataDir);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  temp.remove();
});

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  return context.newPage();
}

test('a 5-case study with 2 readers, read, resumed after a reload, followed by the coordinator', async () => {
  const coordinator = await newPage();
  await new SignInPage(coordinator).open(server.url);
  await new SignInPage(coordinator).setUpCoordinator('correct horse battery');
  const pages = new CoordinatorPages(coordinator);
  const { studyId, accessCodes } = await pages.createStudy({
    name: 'Pigmented lesions, pilot',
    cases: 5,
    sampleSeed: 3,
    diagnosis: true,
    marking: true,
    newReaders: ['Dr Ada Reader', 'Dr Ben Reader'],
  });
  assert.match(accessCodes['Dr Ada Reader'], /^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  // before anyone reads, the reading conditions can still change
  assert.equal(await pages.settingsLocked(), false);
  const design = await pages.editSettings({ instructions: 'Read as in clinic.', timeLimitS: 600 });
  assert.match(design, /600 s per case/);
  assert.match(design, /Read as in clinic\./);
  assert.match(design, /5 from .*stratified sample of 5, seed 3, one case per patient/);

  // reader 1 reads all five cases
  const ada = await newPage();
  await new SignInPage(ada).open(server.url);
  await new SignInPage(ada).signInReader(accessCodes['Dr Ada Reader']);
  const reading = new ReadingView(ada);
  await reading.openStudy('Pigmented lesions, pilot');
  const transitions: number[] = [];
  for (let n = 1; n <= 5; n++) {
    assert.equal(await reading.caseNumber(), n);
    await reading.imageShown();
    if (n === 1) {
      await reading.drawBox([0.35, 0.3], [0.6, 0.65]);
      assert.equal(await reading.boxCount(), 1);
      const [drawn] = await reading.boxSizes();
      await reading.drag([0.45, 0.45], [0.5, 0.5]); // move: same size
      assert.deepEqual(await reading.boxSizes(), [drawn]);
      await reading.drag([0.65, 0.7], [0.75, 0.8]); // the moved box's bottom-right handle: larger
      const [resized] = await reading.boxSizes();
      assert.notEqual(resized, drawn);
      await reading.drawBox([0.05, 0.05], [0.15, 0.15]);
      assert.equal(await reading.boxCount(), 2);
      await ada.keyboard.press('Delete'); // the new box is selected
      assert.deepEqual(await reading.boxSizes(), [resized]);
    }
    if (n % 2) await reading.chooseDiagnosis(['nv', 'mel', 'bkl', 'bcc', 'akiec'][n - 1]);
    else await reading.chooseDiagnosisByKey('6'); // shortcut 6 = nv
    await reading.setConfidence(40 + n * 10);
    await reading.waitSaved();
    if (n === 1) await ada.screenshot({ path: join(ARTIFACTS, 'reading-view.png') });
    await reading.commitAndWaitNext();
    if (n < 5) transitions.push(await reading.nextCaseMs());
  }
  assert.ok(await reading.finished(), 'the reader sees the end of the study');
  process.stdout.write(`# next case on screen after commit: ${transitions.join(', ')} ms\n`);

  // reader 2 stops after two cases, reloads, and is back at case 3
  const ben = await newPage();
  await new SignInPage(ben).open(server.url);
  await new SignInPage(ben).signInReader(accessCodes['Dr Ben Reader']);
  const second = new ReadingView(ben);
  await ben.screenshot({ path: join(ARTIFACTS, 'reader-home.png') });
  await second.openStudy('Pigmented lesions, pilot');
  for (let n = 1; n <= 2; n++) {
    await second.imageShown();
    await second.chooseDiagnosis('mel');
    await second.setConfidence(70);
    await second.waitSaved();
    await second.commitAndWaitNext();
  }
  // zoom with the wheel, back to fit; look back at case 2 (read-only, as committed) and return
  const fitted = await second.zoom();
  await second.wheel(-400);
  await ben.waitForFunction(
    (z) => Number(document.querySelector('.zoom-level')!.textContent!.replace(/[^0-9]/g, '')) > z,
    fitted,
  );
  await second.fit();
  assert.equal(await second.zoom(), fitted);
  await second.previous();
  assert.equal(await second.caseNumber(), 2);
  assert.ok(await second.isReadOnly());
  assert.equal(await ben.locator('.category.chosen').getAttribute('data-code'), 'mel');
  await second.next();
  assert.equal(await second.caseNumber(), 3);
  await second.chooseDiagnosis('bkl'); // a draft on case 3, not committed
  await second.waitSaved();
  await ben.reload();
  await ben.getByTestId('case-counter').waitFor();
  assert.equal(await second.caseNumber(), 3);
  assert.equal(
    await ben.locator('.category.chosen').getAttribute('data-code'),
    'bkl',
    'the draft survives the reload',
  );

  // the coordinator follows both readers
  await pages.openStudy(studyId);
  await coordinator.waitForFunction(() => document.querySelectorAll('tr[data-reader]').length === 2);
  assert.equal(await pages.progressOf('Dr Ada Reader'), '5 / 5 ✓');
  assert.equal(await pages.progressOf('Dr Ben Reader'), '2 / 5');
  await coordinator.screenshot({ path: join(ARTIFACTS, 'coordinator-study.png') });
  assert.equal(await pages.settingsLocked(), true, 'cases were shown: the reading conditions are fixed');

  // the coordinator withdraws reader 2, whose study then disappears from their list
  await pages.withdraw('Dr Ben Reader', 'protocol deviation');
  assert.match(
    (await coordinator.locator('tr[data-reader="Dr Ben Reader"]').textContent())!,
    /withdrawn .*\(2 readings left out\): protocol deviation/,
  );
  await ben.goto(server.url);
  await ben.getByText('No study has been assigned to you yet.').waitFor();
  await coordinator.goto(`${server.url}#/studies/${studyId}/report`);
  assert.match(
    (await coordinator.getByTestId('withdrawn-readers').textContent())!,
    /Dr Ben Reader \(2 readings; protocol deviation\)/,
  );
});

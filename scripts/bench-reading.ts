// Benchmark of the reading loop in browser mode, as a reader feels it: a reader commits N cases in Chromium
// and the time from the commit click to the next case's image on screen is printed (median, 95th percentile,
// max), with the API's own latencies for saving a draft and committing.
// Run: node --import tsx scripts/bench-reading.ts [cases=30]
import { join } from 'node:path';
import { client } from '../tests/e2e/support/api.ts';
import { launchBrowser } from '../tests/e2e/support/browser.ts';
import { hamDataFolder } from '../tests/e2e/support/data.ts';
import { startServer } from '../tests/e2e/support/server.ts';
import { ReadingView } from '../tests/e2e/page-models/reading.ts';
import { SignInPage } from '../tests/e2e/page-models/sign-in.ts';
import { makeTempDir } from '../main/core/store/testing.ts';

const cases = Number(process.argv[2] ?? 30);
const temp = makeTempDir('bench-reading');
const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];
const summary = (values: number[]) =>
  `median ${quantile(values, 0.5).toFixed(1)} ms, p95 ${quantile(values, 0.95).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms (n=${values.length})`;

const { dataDir, datasetId } = await hamDataFolder(join(temp.path));
const server = await startServer(dataDir);
const browser = await launchBrowser();
try {
  const coordinator = client(
    server.url,
    (await client(server.url)('session.setupCoordinator', { password: 'benchmark password' })).token,
  );
  const { reader, accessCode } = await coordinator('readers.create', { name: 'Bench reader' });
  const study = await coordinator('studies.create', {
    name: 'Bench',
    datasetId,
    sample: { kind: 'stratified', n: cases + 20, seed: 1 },
    tasks: { diagnosis: true, probabilities: false, marking: false },
    show: { age: true, sex: true, site: true },
    timeLimitS: null,
    assistedModelVersionId: null,
    readerIds: [reader.id],
  });

  const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
  await new SignInPage(page).open(server.url);
  await new SignInPage(page).signInReader(accessCode);
  const reading = new ReadingView(page);
  await reading.openStudy('Bench');
  const onScreen: number[] = [];
  for (let n = 0; n < cases; n++) {
    await reading.imageShown();
    await reading.chooseDiagnosis('nv');
    await reading.setConfidence(50 + (n % 50));
    await reading.waitSaved();
    await page.waitForTimeout(150); // a reader looks at the case: the next image is prefetched meanwhile
    await reading.commitAndWaitNext();
    onScreen.push(await reading.nextCaseMs());
  }

  const api = client(server.url, (await client(server.url)('session.signInReader', { accessCode })).token);
  const save: number[] = [];
  const commit: number[] = [];
  for (let k = 0; k < 20; k++) {
    const { position } = await api('reading.open', { studyId: study.id });
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await api('reading.saveDraft', {
        studyId: study.id,
        position,
        phase: 'unaided',
        answer: { category: 'mel', confidence: i, probabilities: null, boxes: [] },
      });
      save.push(performance.now() - t0);
    }
    const t0 = performance.now();
    await api('reading.commit', { studyId: study.id, position, phase: 'unaided' });
    commit.push(performance.now() - t0);
  }

  process.stdout.write(`next case on screen after commit (Chromium, browser mode): ${summary(onScreen)}\n`);
  process.stdout.write(`reading.saveDraft over HTTP: ${summary(save)}\n`);
  process.stdout.write(`reading.commit over HTTP: ${summary(commit)}\n`);
} finally {
  await browser.close();
  await server.stop();
  temp.remove();
}

// The README's first command: `dermaread demo` builds a demo database from the bundled samples and, without
// Electron, serves it in browser mode with its URL printed; a demo reader signs in with the printed access code
// and reads the demo study; after a box drawn in the acne marking study, the coordinator's statistics for that
// one-category study show the lesion detection table and say why there is no classification analysis.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeTempDir, REPO_ROOT } from '../../main/core/store/testing.ts';
import { ReadingView } from './page-models/reading.ts';
import { SignInPage } from './page-models/sign-in.ts';
import { ARTIFACTS, launchBrowser } from './support/browser.ts';

const temp = makeTempDir('e2e-demo');
const demo = spawn(
  process.execPath,
  [
    join(REPO_ROOT, 'bin', 'dermaread.js'),
    'demo',
    '--browser',
    '--port',
    '0',
    '--data',
    join(temp.path, 'demo'),
  ],
  {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
after(async () => {
  demo.kill('SIGTERM');
  temp.remove();
});

test('the demo command opens a demo study ready to read', async () => {
  let output = '';
  demo.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL in 240 s:\n${output}`)), 240_000);
    demo.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (/Open http:\/\/127\.0\.0\.1:\d+\//.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
    demo.once('exit', (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
  const url = /Open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)![1];
  const code = /Access code of Demo reader A: (\S+)/.exec(output)![1];
  assert.match(output, /Coordinator password: demo-coordinator/);

  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await new SignInPage(page).open(url);
    await new SignInPage(page).signInReader(code);
    const reading = new ReadingView(page);
    await reading.openStudy('Demo: pigmented lesions');
    await reading.imageShown();
    assert.equal(await reading.caseNumber(), 1);
    await reading.chooseDiagnosis('mel');
    await reading.setConfidence(75);
    await reading.waitSaved();
    // with the bundled classifier the demo study has the AI-assisted second read
    if ((await page.getByRole('button', { name: 'Commit and see AI' }).count()) > 0) {
      await page.getByRole('button', { name: 'Commit and see AI' }).click();
      await page.getByRole('region', { name: 'AI output' }).waitFor();
    }
    await reading.commitAndWaitNext();
    assert.equal(await reading.caseNumber(), 2);

    await page.goto(url);
    await page.getByRole('heading', { name: 'My studies' }).waitFor();
    await reading.openStudy('Demo: acne lesion marking');
    await reading.imageShown();
    await reading.drawBox([0.4, 0.4], [0.5, 0.5]);
    await reading.waitSaved();
    if ((await page.getByRole('button', { name: 'Commit and see AI' }).count()) > 0) {
      await page.getByRole('button', { name: 'Commit and see AI' }).click();
      await page.getByRole('region', { name: 'AI output' }).waitFor();
    }
    await reading.commitAndWaitNext();

    const coordinator = await browser.newPage();
    await new SignInPage(coordinator).open(url);
    await new SignInPage(coordinator).signInCoordinator('demo-coordinator');
    await coordinator.getByRole('link', { name: 'Demo: acne lesion marking (ACNE04 sample)' }).click();
    await coordinator.getByRole('link', { name: /Statistics/ }).click();
    await coordinator.getByRole('heading', { name: 'Lesion detection' }).waitFor();
    assert.ok(
      await coordinator.getByText('Not computed: the study has one category (acne_lesion)').isVisible(),
    );
    const scorers = await coordinator
      .locator('.card', { hasText: 'Lesion detection' })
      .locator('tbody tr td:first-child')
      .allTextContents();
    assert.ok(
      scorers.some((name) => name.startsWith('Demo reader A')),
      `a detection row for the reader (${scorers.join('; ')})`,
    );
    assert.equal(
      await coordinator.getByRole('heading', { name: 'Multi-reader multi-case analysis' }).count(),
      0,
    );
    await coordinator.screenshot({ path: join(ARTIFACTS, 'demo-acne-report.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});

// The desktop app end to end with Playwright's Electron driver: the window is sandboxed and isolated, the page
// has no Node, and a reader can sign in through the preload's IPC pipe. Skips, saying why, where the Electron
// binary is absent (it cannot be downloaded here; electron-builder fetches it on a machine with internet).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { _electron as electron } from 'playwright-core';
import { makeTempDir, REPO_ROOT } from '../../main/core/store/testing.ts';
import { electronBinary } from '../../main/electron/binary.ts';
import { buildDemo } from '../../main/cli/commands/demo.ts';
import { ReadingView } from './page-models/reading.ts';
import { SignInPage } from './page-models/sign-in.ts';
import { ARTIFACTS } from './support/browser.ts';

const binary = electronBinary();
const temp = makeTempDir('e2e-electron');
after(() => temp.remove());

test(
  'the desktop app opens sandboxed and a reader reads through IPC',
  { skip: binary.path ? false : `Electron binary absent: ${'reason' in binary ? binary.reason : ''}` },
  async () => {
    const dataDir = join(temp.path, 'data');
    const demo = await buildDemo(dataDir);
    const app = await electron.launch({
      executablePath: binary.path!,
      args: [join(REPO_ROOT, 'main', 'electron', 'entry.mjs'), '--data', dataDir],
    });
    try {
      const page = await app.firstWindow();
      await page.getByRole('heading', { name: 'DermaRead' }).waitFor();
      assert.equal(
        await page.evaluate(() => typeof (globalThis as { require?: unknown }).require),
        'undefined',
        'no Node in the page',
      );
      assert.equal(
        await page.evaluate(() => typeof window.dermaread?.invoke),
        'function',
        'the preload exposes the API pipe',
      );
      assert.equal(
        await page.evaluate(() => typeof (globalThis as { process?: unknown }).process),
        'undefined',
        'no process object',
      );
      assert.deepEqual(
        await page.evaluate(() => Object.keys(window.dermaread ?? {}).sort()),
        ['invoke', 'onEvent'],
        'only the API pipe',
      );
      assert.equal(
        await page.evaluate(() => location.protocol),
        'app:',
        "the app's own files, not remote content",
      );
      await new SignInPage(page).signInReader(demo.readers[0].accessCode);
      const reading = new ReadingView(page);
      await reading.openStudy('Demo: pigmented lesions');
      await reading.imageShown();
      await reading.chooseDiagnosis('nv');
      await reading.setConfidence(80);
      await reading.waitSaved();
      await page.screenshot({ path: join(ARTIFACTS, 'electron-reading-view.png') });
      if ((await page.getByRole('button', { name: 'Commit and see AI' }).count()) > 0) {
        await page.getByRole('button', { name: 'Commit and see AI' }).click();
        await page.getByRole('region', { name: 'AI output' }).waitFor();
      }
      await reading.commitAndWaitNext();
      assert.equal(await reading.caseNumber(), 2);
    } finally {
      await app.close();
    }
  },
);

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { Store } from '../store/store.ts';
import { REPO_ROOT, makeTempDir, writeHamSampleCoco } from '../store/testing.ts';
import { importDataset } from './import.ts';

const temp = makeTempDir('import-kill');
after(() => temp.remove());

/**
 * 20,000 cases over the sample images (each image file repeated): large enough that the single write transaction
 * is still running when the parent, seeing the first "writing" progress line, SIGKILLs the importing process.
 */
function largeCoco(): string {
  const ham = writeHamSampleCoco(join(temp.path, 'ham'));
  const small = JSON.parse(readFileSync(ham.file, 'utf8'));
  const images = [];
  const annotations = [];
  for (let i = 0; i < 20000; i++) {
    const source = small.images[i % small.images.length];
    images.push({ ...source, id: i + 1, image_id: `case-${i}` });
    annotations.push({ ...small.annotations[i % small.annotations.length], id: i + 1, image_id: i + 1 });
  }
  const file = join(temp.path, 'ham', 'large.json');
  writeFileSync(file, JSON.stringify({ ...small, images, annotations }));
  return file;
}

test('a SIGKILL in the middle of a large import leaves a database that opens cleanly with none of it', async () => {
  const dataDir = join(temp.path, 'data');
  const store = Store.open(dataDir);
  const earlier = await importDataset(
    store,
    { format: 'coco', file: writeHamSampleCoco(join(temp.path, 'small'), 10).file },
    { name: 'earlier' },
  );
  store.close();

  const child = spawn(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'dermaread.js'),
      'import',
      '--coco',
      largeCoco(),
      '--name',
      'large',
      '--data',
      dataDir,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let killedAt = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
    const match = /writing ([1-9]\d*)\/20000/.exec(output);
    if (match && !killedAt) {
      killedAt = match[0];
      child.kill('SIGKILL');
    }
  });
  const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('close', (_code, s) => resolve(s)),
  );
  assert.equal(signal, 'SIGKILL', `the import ended before it could be killed:\n${output}`);
  assert.doesNotMatch(output, /imported dataset/);

  const raw = new Database(join(dataDir, 'dermaread.sqlite'));
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  raw.close();
  const reopened = Store.open(dataDir);
  assert.deepEqual(
    reopened.datasets.list().map((d) => d.name),
    ['earlier'],
  );
  assert.equal(reopened.cases.count(), 10);
  assert.equal(reopened.datasets.get(earlier.datasetId).caseCount, 10);
  assert.equal(reopened.db.prepare('SELECT count(*) FROM images').pluck().get(), 10);
  // Image files the killed import had written are unreferenced; garbage collection removes them.
  const removed = reopened.files.collectGarbage();
  assert.ok(removed > 0, `killed at '${killedAt}', the import had stored image files`);
  for (const c of reopened.cases.list()) readFileSync(reopened.cases.imagePath(c.id));
  reopened.close();
});

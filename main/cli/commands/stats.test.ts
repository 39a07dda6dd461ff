import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const root = new URL('../../../', import.meta.url).pathname;
const dermaread = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/dermaread.js', 'stats', ...args], { cwd: root, encoding: 'utf8' });

test('stats or prints the OR analysis of a reader CSV as JSON', () => {
  const run = dermaread(
    'or',
    '--csv',
    'tests/fixtures/stats/vandyke_dataset02.csv',
    '--covariance',
    'delong',
  );
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(Number(result.randomReadersRandomCases.test.f.toFixed(6)), 4.484854);
  assert.equal(result.fixedReadersRandomCases.comparisons[0].df, null);
});

test('stats or --reference compares the other readers with that reader in each treatment', () => {
  const run = dermaread('or', '--csv', 'tests/fixtures/stats/vandyke_dataset02.csv', '--reference', '3');
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.deepEqual(
    result.treatments.map((t: { treatment: string; readers: string[] }) => [t.treatment, t.readers.length]),
    [
      ['0', 4],
      ['1', 4],
    ],
  );
  assert.equal(Number(result.treatments[1].referenceAuc.toFixed(8)), 0.99935588);
});

test('stats coco prints the 12 COCO numbers', () => {
  const run = dermaread(
    'coco',
    '--gt',
    'tests/fixtures/detection/coco_padilla/ground_truth.json',
    '--dt',
    'tests/fixtures/detection/coco_padilla/detections.json',
  );
  assert.equal(run.status, 0, run.stderr);
  assert.equal(Number(JSON.parse(run.stdout).summary.AP.toFixed(6)), 0.503647);
});

test('bad arguments and files are refused with the reason', () => {
  assert.equal(dermaread('or').status, 2);
  const wrong = dermaread(
    'or',
    '--csv',
    'tests/fixtures/stats/vandyke_dataset02.csv',
    '--covariance',
    'bootstrap',
  );
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /--covariance must be jackknife or delong/);
  const bad = dermaread('coco', '--gt', 'tests/fixtures/stats/proc_aSAH.csv', '--dt', 'x.json');
  assert.match(bad.stderr, /proc_aSAH.csv: not valid JSON/);
});

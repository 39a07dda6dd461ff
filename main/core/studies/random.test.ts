import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readerOrderSeed, seededRandom, shuffled, stratifiedSample } from './random.ts';

test('the generator is deterministic per seed and uniform enough for study design', () => {
  const a = seededRandom(42);
  const b = seededRandom(42);
  const draws = Array.from({ length: 20000 }, () => a());
  assert.deepEqual(
    draws.slice(0, 5),
    Array.from({ length: 5 }, () => b()),
  );
  const buckets = new Array(10).fill(0);
  for (const x of draws) buckets[Math.floor(x * 10)]++;
  for (const count of buckets) assert.ok(Math.abs(count - 2000) < 200, `bucket count ${count}`);
});

test('a shuffle is a permutation, repeatable per seed, different across seeds', () => {
  const items = Array.from({ length: 50 }, (_, i) => i);
  const one = shuffled(items, 7);
  assert.deepEqual(
    [...one].sort((x, y) => x - y),
    items,
  );
  assert.deepEqual(shuffled(items, 7), one);
  assert.notDeepEqual(shuffled(items, 8), one);
  assert.deepEqual(
    items,
    Array.from({ length: 50 }, (_, i) => i),
    'the input is not modified',
  );
});

test('each reader of a study gets their own order seed', () => {
  const seeds = new Set([1, 2, 3, 4, 5].map((reader) => readerOrderSeed(2026, reader)));
  assert.equal(seeds.size, 5);
  assert.equal(readerOrderSeed(2026, 3), readerOrderSeed(2026, 3));
});

test('a stratified sample keeps the strata proportions (largest remainder) and every stratum', () => {
  // 60 nv, 25 mel, 10 bkl, 5 df
  const items = [
    ...Array(60).fill('nv'),
    ...Array(25).fill('mel'),
    ...Array(10).fill('bkl'),
    ...Array(5).fill('df'),
  ].map((label, id) => ({ id, label }));
  const sample = stratifiedSample(items, (i) => i.label, 20, 3);
  const counts = Object.fromEntries(
    ['nv', 'mel', 'bkl', 'df'].map((l) => [l, sample.filter((s) => s.label === l).length]),
  );
  assert.deepEqual(counts, { nv: 12, mel: 5, bkl: 2, df: 1 });
  assert.equal(new Set(sample.map((s) => s.id)).size, 20);
  assert.deepEqual(
    stratifiedSample(items, (i) => i.label, 20, 3),
    sample,
    'same seed, same sample',
  );
  assert.notDeepEqual(
    stratifiedSample(items, (i) => i.label, 20, 4),
    sample,
  );

  // a rare stratum still gets a case when the sample is large enough: 4 strata, n = 6, one case of 'vasc'
  const skewed = [...Array(97).fill('nv'), 'vasc', 'df', 'mel'].map((label, id) => ({ id, label }));
  const small = stratifiedSample(skewed, (i) => i.label, 6, 1);
  assert.deepEqual(new Set(small.map((s) => s.label)), new Set(['nv', 'vasc', 'df', 'mel']));
  assert.equal(small.length, 6);
});

test('a sample larger than the population is refused with the numbers', () => {
  assert.throws(
    () => stratifiedSample([1, 2, 3], String, 4, 1),
    /sample size 4 is larger than the 3 cases available/,
  );
  assert.throws(() => stratifiedSample([1, 2, 3], String, 0, 1), /positive integer/);
});

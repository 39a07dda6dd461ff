import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { aucWithCi, empiricalAuc, pairedDelongTest, placements, rocCurve } from './roc.ts';

// pROC's aSAH data (Turck et al. 2010), expected values from pROC's own tests (tests/fixtures/README.md).
function readAsah(): { poor: boolean[]; wfns: number[]; s100b: number[] } {
  const lines = readFileSync(new URL('../../../tests/fixtures/stats/proc_aSAH.csv', import.meta.url), 'utf8')
    .trim()
    .split('\n');
  const header = lines[0].split(',');
  const column = (name: string) => header.indexOf(name);
  const rows = lines.slice(1).map((line) => line.split(','));
  return {
    poor: rows.map((r) => r[column('outcome')] === 'Poor'),
    wfns: rows.map((r) => Number(r[column('wfns')])),
    s100b: rows.map((r) => Number(r[column('s100b')])),
  };
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

test('aSAH: empirical AUC of wfns and s100b', () => {
  const { poor, wfns, s100b } = readAsah();
  assert.equal(poor.length, 113);
  assert.equal(round(empiricalAuc(wfns, poor), 8), 0.82367886);
  assert.equal(round(empiricalAuc(s100b, poor), 8), 0.73136856);
});

test('aSAH: DeLong 95% CI of s100b', () => {
  const { poor, s100b } = readAsah();
  const estimate = aucWithCi(placements(s100b, poor));
  assert.deepEqual(
    estimate.ci.map((x) => round(x, 4)),
    [0.6301, 0.8326],
  );
  assert.equal(estimate.positives, 41);
  assert.equal(estimate.negatives, 72);
});

test('aSAH: paired DeLong test wfns vs s100b', () => {
  const { poor, wfns, s100b } = readAsah();
  const result = pairedDelongTest(placements(wfns, poor), placements(s100b, poor));
  assert.equal(round(result.z, 8), 2.20898359);
  assert.equal(round(result.p, 8), 0.02717578);
  assert.deepEqual(
    result.ci.map((x) => round(x, 8)),
    [0.01040618, 0.17421442],
  );
});

test('clustered: one case per cluster gives the published DeLong numbers (aSAH)', () => {
  const { poor, wfns, s100b } = readAsah();
  const own = poor.map((_, i) => i);
  assert.deepEqual(
    aucWithCi(placements(s100b, poor, own)).ci.map((x) => round(x, 4)),
    [0.6301, 0.8326],
  );
  assert.equal(
    round(pairedDelongTest(placements(wfns, poor, own), placements(s100b, poor, own)).z, 8),
    2.20898359,
  );
});

test('clustered: every case twice in its own cluster keeps the variance DeLong gives the cases once', () => {
  const { poor, wfns, s100b } = readAsah();
  const twice = <T>(xs: T[]) => [...xs, ...xs];
  const clusters = twice(poor.map((_, i) => i));
  const once = aucWithCi(placements(s100b, poor));
  const naive = aucWithCi(placements(twice(s100b), twice(poor)));
  const clustered = aucWithCi(placements(twice(s100b), twice(poor), clusters));
  assert.ok(
    Math.abs(naive.variance / once.variance - 0.5) < 0.01,
    'plain DeLong takes the copies as new cases',
  );
  assert.ok(
    Math.abs(clustered.variance / once.variance - 1) < 1e-9,
    `${clustered.variance} vs ${once.variance}`,
  );
  const paired = pairedDelongTest(
    placements(twice(wfns), twice(poor), clusters),
    placements(twice(s100b), twice(poor), clusters),
  );
  assert.equal(round(paired.z, 8), 2.20898359);
  assert.throws(
    () =>
      pairedDelongTest(placements(twice(wfns), twice(poor), clusters), placements(twice(s100b), twice(poor))),
    /same cases and clusters/,
  );
});

test('clustered: patients with positive and negative images, the variance matches a patient bootstrap', () => {
  let seed = 20261126;
  const uniform = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const patients = Array.from({ length: 300 }, () => {
    const effect = normal();
    const risk = uniform() < 0.4 ? 0.7 : 0.1;
    return Array.from({ length: 1 + Math.floor(uniform() * 4) }, () => {
      const positive = uniform() < risk;
      return { positive, score: Number(positive) + effect + 0.7 * normal() };
    });
  });
  const flat = (ps: typeof patients) => ({
    scores: ps.flat().map((c) => c.score),
    truth: ps.flat().map((c) => c.positive),
    clusters: ps.flatMap((cases, p) => cases.map(() => p)),
  });
  const all = flat(patients);
  assert.ok(
    patients.filter((cases) => cases.some((c) => c.positive) && cases.some((c) => !c.positive)).length > 40,
    'patients holding both positive and negative images',
  );
  const clustered = aucWithCi(placements(all.scores, all.truth, all.clusters)).variance;
  const naive = aucWithCi(placements(all.scores, all.truth)).variance;
  const aucs: number[] = [];
  for (let b = 0; b < 2000; b++) {
    const sample = flat(Array.from(patients, () => patients[Math.floor(uniform() * patients.length)]));
    aucs.push(empiricalAuc(sample.scores, sample.truth));
  }
  const mean = aucs.reduce((x, y) => x + y, 0) / aucs.length;
  const bootstrap = aucs.reduce((x, y) => x + (y - mean) ** 2, 0) / (aucs.length - 1);
  assert.ok(Math.abs(clustered / bootstrap - 1) < 0.15, `clustered ${clustered}, bootstrap ${bootstrap}`);
  assert.ok(naive / bootstrap < 0.8, `plain DeLong ${naive} should fall short of the bootstrap ${bootstrap}`);
});

test('placement values agree with the O(m*n) definition, ties counting one half', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const scores = Array.from({ length: 300 }, () => Math.floor(random() * 12));
  const truth = scores.map((s) => random() < 0.2 + s / 20);
  const p = placements(scores, truth);
  const pos = scores.filter((_, i) => truth[i]);
  const neg = scores.filter((_, i) => !truth[i]);
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  pos.forEach((x, i) =>
    assert.ok(Math.abs(p.positives[i] - neg.reduce((s, y) => s + psi(x, y), 0) / neg.length) < 1e-12),
  );
  neg.forEach((y, j) =>
    assert.ok(Math.abs(p.negatives[j] - pos.reduce((s, x) => s + psi(x, y), 0) / pos.length) < 1e-12),
  );
});

test('a perfect and a useless score, and errors named', () => {
  assert.equal(empiricalAuc([0.9, 0.8, 0.1, 0.2], [true, true, false, false]), 1);
  assert.equal(empiricalAuc([1, 1, 1, 1], [true, false, true, false]), 0.5);
  assert.throws(() => empiricalAuc([1, 2], [true, true]), /positive and negative/);
  assert.throws(() => empiricalAuc([1, NaN], [true, false]), /case 1/);
});

test('ROC curve steps through distinct thresholds from (0,0) to (1,1)', () => {
  const curve = rocCurve([0.9, 0.5, 0.5, 0.1], [true, true, false, false]);
  assert.deepEqual(
    curve.map((p) => [p.fpr, p.tpr]),
    [
      [0, 0],
      [0, 0.5],
      [0.5, 1],
      [1, 1],
    ],
  );
});

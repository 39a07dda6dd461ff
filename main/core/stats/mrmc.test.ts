import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseMrmcCsv, toMrmcInput } from '../readers-import/mrmc-csv.ts';
import { compareWithReference, orAnalysis } from './mrmc.ts';

// Van Dyke et al. (1993), dataset02 of RJafroc; expected values from the Iowa OR-DBM MRMC 2.51 output kept in
// RJafroc's tests and from MRMCaov (DeLong covariance), as listed in tests/fixtures/README.md.
const FIXTURE = new URL('../../../tests/fixtures/stats/vandyke_dataset02.csv', import.meta.url);
const vanDyke = () =>
  toMrmcInput(parseMrmcCsv(readFileSync(FIXTURE, 'utf8'), 'vandyke_dataset02.csv'), 'vandyke_dataset02.csv');
const round = (x: number, digits: number) => Number(x.toFixed(digits));

test('Van Dyke: reader AUCs and treatment means', () => {
  const result = orAnalysis({ ...vanDyke(), covariance: 'jackknife' });
  assert.deepEqual(result.cases, { positive: 45, negative: 69 });
  assert.deepEqual(
    result.auc.map((row) => row.map((x) => round(x, 8))),
    [
      [0.91964573, 0.85877617, 0.90386473, 0.97310789, 0.82979066],
      [0.94782609, 0.90531401, 0.92173913, 0.99935588, 0.92995169],
    ],
  );
  assert.deepEqual(
    result.treatmentMeans.map((x) => round(x, 8)),
    [0.89703704, 0.94083736],
  );
  assert.equal(round(result.randomReadersRandomCases.comparisons[0].difference, 8), -0.04380032);
});

test('Van Dyke: jackknife variance components', () => {
  const v = orAnalysis({ ...vanDyke(), covariance: 'jackknife' }).varianceComponents;
  assert.deepEqual(
    [v.varR, v.varTR, v.cov1, v.cov2, v.cov3, v.varError].map((x) => round(x, 8)),
    [0.001535, 0.0002004, 0.00034661, 0.00034407, 0.00023903, 0.00080229],
  );
});

test('Van Dyke: random readers and random cases (Hillis df)', () => {
  const rrrc = orAnalysis({ ...vanDyke(), covariance: 'jackknife' }).randomReadersRandomCases;
  assert.equal(round(rrrc.test!.f, 6), 4.456319);
  assert.equal(round(rrrc.test!.df2, 4), 15.2597);
  assert.equal(round(rrrc.test!.p, 6), 0.051666);
  const [diff] = rrrc.comparisons;
  assert.equal(round(diff.se, 8), 0.02074862);
  assert.deepEqual(
    diff.ci.map((x) => round(x, 8)),
    [-0.0879595, 0.00035885],
  );
  assert.equal(round(diff.p, 6), 0.051666);
  const [t0, t1] = rrrc.treatments;
  assert.deepEqual(
    t0.ci.map((x) => round(x, 8)),
    [0.8252236, 0.96885048],
  );
  assert.equal(round(t0.df, 4), 12.7446);
  assert.deepEqual(
    t1.ci.map((x) => round(x, 8)),
    [0.89413783, 0.98753689],
  );
  assert.equal(round(t1.df, 4), 12.7102);
});

test('Van Dyke: fixed readers (random cases) and fixed cases (random readers)', () => {
  const result = orAnalysis({ ...vanDyke(), covariance: 'jackknife' });
  const frrc = result.fixedReadersRandomCases.test!;
  assert.equal(round(frrc.chi2, 6), 5.475953);
  assert.equal(round(frrc.p, 6), 0.01928);
  assert.equal(round(result.fixedReadersRandomCases.comparisons[0].p, 6), 0.01928);
  const rrfc = result.randomReadersFixedCases.test!;
  assert.equal(round(rrfc.f, 3), 8.704);
  assert.deepEqual([rrfc.df1, rrfc.df2], [1, 4]);
  assert.equal(round(rrfc.p, 8), 0.04195875);
});

test('Van Dyke: DeLong covariance instead of the jackknife (MRMCaov)', () => {
  const result = orAnalysis({ ...vanDyke(), covariance: 'delong' });
  const v = result.varianceComponents;
  assert.deepEqual(
    [v.varError, v.cov1, v.cov2, v.cov3].map((x) => round(x, 10)),
    [0.0007921325, 0.000342009, 0.0003395265, 0.0002358497],
  );
  const test = result.randomReadersRandomCases.test!;
  assert.equal(round(test.f, 6), 4.484854);
  assert.equal(round(test.df2, 5), 15.06611);
  assert.equal(round(test.p, 8), 0.05123303);
});

test('clustered: every case twice within its own patient reproduces the published analysis', () => {
  const design = vanDyke();
  const twice = <T>(xs: ArrayLike<T>) => [...Array.from(xs), ...Array.from(xs)];
  const doubled = {
    ...design,
    ratings: design.ratings.map((perReader) => perReader.map((scores) => twice(scores))),
    truth: twice(design.truth),
    clusters: twice(Array.from(design.truth, (_, i) => i)),
  };
  const jackknife = orAnalysis({ ...doubled, covariance: 'jackknife' });
  const v = jackknife.varianceComponents;
  assert.deepEqual(
    [v.varR, v.varTR, v.cov1, v.cov2, v.cov3, v.varError].map((x) => round(x, 8)),
    [0.001535, 0.0002004, 0.00034661, 0.00034407, 0.00023903, 0.00080229],
  );
  assert.equal(round(jackknife.randomReadersRandomCases.test!.f, 6), 4.456319);
  assert.equal(round(jackknife.randomReadersRandomCases.test!.df2, 4), 15.2597);
  const delong = orAnalysis({ ...doubled, covariance: 'delong' }).randomReadersRandomCases.test!;
  assert.deepEqual(
    [round(delong.f, 6), round(delong.df2, 5), round(delong.p, 8)],
    [4.484854, 15.06611, 0.05123303],
  );
  // without the clusters the copies pass for new cases and the case variance halves
  const naive = orAnalysis({ ...doubled, clusters: undefined, covariance: 'jackknife' }).varianceComponents;
  assert.ok(Math.abs(naive.varError / v.varError - 0.5) < 0.02, `${naive.varError} vs ${v.varError}`);
  const onePatient = doubled.clusters.map((c) => (doubled.truth[c] ? 0 : c + 1));
  assert.throws(
    () => orAnalysis({ ...doubled, clusters: onePatient }),
    /at least 2 patients with positive and 2 with negative cases \(got 1 and 69\)/,
  );
});

test('readers against a fixed reference equal the two-treatment analysis with the reference in every reader slot', () => {
  const { readers, ratings, truth } = vanDyke();
  const reference = ratings[1][3]; // reader 3 in treatment 1 stands in for a model
  for (const covariance of ['jackknife', 'delong'] as const) {
    const direct = compareWithReference({
      readers,
      ratings: ratings[0],
      reference: { name: 'model', scores: reference },
      truth,
      covariance,
    });
    const twoTreatments = orAnalysis({
      treatments: ['readers', 'model'],
      readers,
      ratings: [ratings[0], readers.map(() => reference)],
      truth,
      covariance,
    });
    const rrrc = twoTreatments.randomReadersRandomCases.comparisons[0];
    const frrc = twoTreatments.fixedReadersRandomCases.comparisons[0];
    const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${covariance}: ${a} vs ${b}`);
    close(direct.difference, rrrc.difference);
    close(direct.randomReadersRandomCases.se, rrrc.se);
    close(direct.randomReadersRandomCases.df, rrrc.df);
    close(direct.randomReadersRandomCases.p, rrrc.p);
    close(direct.fixedReadersRandomCases.se, frrc.se);
    close(direct.fixedReadersRandomCases.p, frrc.p);
    assert.equal(round(direct.referenceAuc, 8), 0.99935588);
    assert.ok(
      direct.randomReadersRandomCases.ci[0] < direct.difference &&
        direct.difference < direct.randomReadersRandomCases.ci[1],
    );
  }
});

test('an incomplete design and conflicting truth are named', () => {
  const text = 'reader,treatment,case,truth,rating\nA,0,1,1,3\nA,0,2,0,1\nB,0,1,0,4\n';
  assert.throws(
    () => toMrmcInput(parseMrmcCsv(text, 'x.csv'), 'x.csv'),
    /line 4: case 1 has truth 0, but 1 on line 2[\s\S]*reader B, treatment 0: no rating for 1 case\(s\) \(2\)/,
  );
  assert.throws(
    () => parseMrmcCsv('reader,case,truth,rating\n', 'y.csv'),
    /y.csv line 1: missing column\(s\) treatment/,
  );
});

test('a patient column clusters the cases; a case with two patients is named, an empty cell is its own patient', () => {
  const text =
    'reader,treatment,case,truth,rating,patient\nA,0,1,1,3,P1\nA,0,2,0,1,P1\nA,0,3,0,2,\nB,0,1,1,4,P1\nB,0,2,0,2,P1\nB,0,3,0,1,\n';
  assert.deepEqual(toMrmcInput(parseMrmcCsv(text, 'p.csv'), 'p.csv').clusters, [0, 0, 1]);
  const unclustered = 'reader,treatment,case,truth,rating\nA,0,1,1,3\nA,0,2,0,1\nB,0,1,1,4\nB,0,2,0,2\n';
  assert.equal(toMrmcInput(parseMrmcCsv(unclustered, 'q.csv'), 'q.csv').clusters, undefined);
  assert.throws(
    () => toMrmcInput(parseMrmcCsv(text.replace('B,0,2,0,2,P1', 'B,0,2,0,2,P2'), 'p.csv'), 'p.csv'),
    /line 6: case 2 belongs to patient "P2", but "P1" on line 3/,
  );
});

test('a single treatment gives the same per-treatment CI as the two-treatment analysis, and no test', () => {
  const design = vanDyke();
  const single = orAnalysis({ ...design, treatments: ['0'], ratings: [design.ratings[0]] });
  assert.equal(single.randomReadersRandomCases.test, null);
  const [t0] = single.randomReadersRandomCases.treatments;
  assert.deepEqual(
    t0.ci.map((x) => round(x, 8)),
    [0.8252236, 0.96885048],
  );
  assert.equal(round(t0.df, 4), 12.7446);
  assert.equal(single.randomReadersRandomCases.comparisons.length, 0);
});

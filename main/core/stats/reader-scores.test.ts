import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerDecision, answerScores, boxScore } from './reader-scores.ts';

const categories = ['mel', 'nv', 'bcc', 'bkl'];
const close = (actual: Float64Array | null, expected: number[]) =>
  assert.ok(actual && expected.every((x, i) => Math.abs(actual[i] - x) < 1e-15), `${actual} vs ${expected}`);

test('a chosen category with a confidence: the chosen scores 1/K + (1 - 1/K) c, the others share the rest', () => {
  close(answerScores({ category: 'nv', confidence: 60 }, categories), [0.1, 0.7, 0.1, 0.1]);
  close(answerScores({ category: 'mel', confidence: 100 }, categories), [1, 0, 0, 0]);
  close(answerScores({ category: 'mel', confidence: null }, categories), [1, 0, 0, 0]);
  close(answerScores({ category: 'bkl', confidence: 0 }, categories), [0.25, 0.25, 0.25, 0.25]);
});

test('the chosen category never scores below another and scores rise with confidence', () => {
  let previous = -1;
  for (let c = 0; c <= 100; c++) {
    const s = answerScores({ category: 'bcc', confidence: c }, categories)!;
    assert.ok(s[2] >= Math.max(s[0], s[1], s[3]));
    assert.ok(s[2] > previous);
    assert.ok(Math.abs(s.reduce((x, y) => x + y, 0) - 1) < 1e-12);
    previous = s[2];
  }
});

test('probabilities in percent are the scores, and decide when no category is chosen', () => {
  const answer = { category: null, confidence: null, probabilities: { mel: 55, nv: 30, bkl: 15 } };
  close(answerScores(answer, categories), [0.55, 0.3, 0, 0.15]);
  assert.equal(answerDecision(answer, categories), 0);
  assert.equal(
    answerDecision({ category: 'bkl', confidence: 10, probabilities: { nv: 100 } }, categories),
    3,
  );
});

test('no diagnosis gives no score; unknown categories and bad values are named', () => {
  assert.equal(answerScores({ category: null, confidence: null }, categories), null);
  assert.equal(answerDecision({ category: null, confidence: null }, categories), null);
  assert.throws(
    () => answerScores({ category: 'scc', confidence: 50 }, categories),
    /unknown category "scc"/,
  );
  assert.throws(
    () => answerScores({ category: 'nv', confidence: 101 }, categories),
    /confidence must be 0-100/,
  );
  assert.throws(
    () => answerScores({ category: null, confidence: null, probabilities: { df: 10 } }, categories),
    /unknown category "df"/,
  );
  assert.equal(boxScore(80), 0.8);
  assert.equal(boxScore(null), 1);
  assert.throws(() => boxScore(-5), /confidence must be 0-100, got -5/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accuracy,
  balancedAccuracy,
  cohenKappa,
  confusionMatrix,
  fleissKappa,
  operatingPoint,
} from './classification.ts';

// Reference values: scikit-learn 1.x cohen_kappa_score / balanced_accuracy_score on the two label lists below
// (run with .venv/bin/python), and the worked example of Fleiss (1971) as reproduced in most texts
// (10 subjects, 14 raters, 5 categories: kappa 0.20993070442195522 computed with numpy from the formula).
const a = [0, 1, 2, 2, 1, 0, 0, 1, 2, 3, 3, 1, 0, 2, 2, 1, 0, 3];
const b = [0, 1, 1, 2, 1, 0, 2, 1, 2, 3, 0, 1, 0, 2, 1, 1, 3, 3];

test('confusion matrix, balanced accuracy and Cohen kappa match scikit-learn', () => {
  const matrix = confusionMatrix(a, b, 4);
  assert.deepEqual(matrix, [
    [3, 0, 1, 1],
    [0, 5, 0, 0],
    [0, 2, 3, 0],
    [1, 0, 0, 2],
  ]);
  assert.ok(Math.abs(balancedAccuracy(matrix) - 0.7166666666666667) < 1e-15);
  assert.ok(Math.abs(cohenKappa(matrix) - 0.625) < 1e-15);
  assert.equal(accuracy(matrix), 13 / 18);
});

test('operating point of one category against the rest', () => {
  const point = operatingPoint(confusionMatrix(a, b, 4), 2);
  assert.deepEqual(
    [point.truePositives, point.falseNegatives, point.falsePositives, point.trueNegatives],
    [3, 2, 1, 12],
  );
  assert.equal(point.sensitivity, 0.6);
  assert.equal(point.specificity, 12 / 13);
});

test('unanswered cases are left out of the confusion matrix', () => {
  assert.deepEqual(confusionMatrix([0, 1, 1], [0, null, 0], 2), [
    [1, 0],
    [1, 0],
  ]);
});

test('Fleiss kappa reproduces the Fleiss (1971) example', () => {
  const counts = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
  ];
  const result = fleissKappa(counts);
  assert.ok(Math.abs(result.kappa - 0.20993070442195522) < 1e-14);
  assert.deepEqual([result.subjects, result.ratings], [10, 140]);
  assert.equal(
    fleissKappa([
      [3, 0],
      [0, 3],
      [1, 0],
    ]).subjects,
    2,
  );
});

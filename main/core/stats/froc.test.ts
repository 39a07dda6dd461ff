import assert from 'node:assert/strict';
import { test } from 'node:test';
import { froc } from './froc.ts';

test('FROC points by hand: lesions found at most once, wrong category and extra marks are false', () => {
  const lesions = [
    { imageId: 1, category: 'acne', bbox: [0, 0, 10, 10] as [number, number, number, number] },
    { imageId: 1, category: 'acne', bbox: [50, 50, 10, 10] as [number, number, number, number] },
    { imageId: 2, category: 'acne', bbox: [0, 0, 20, 20] as [number, number, number, number] },
  ];
  const marks = [
    { imageId: 1, category: 'acne', bbox: [1, 1, 10, 10] as [number, number, number, number], score: 0.9 }, // hit lesion 1
    { imageId: 1, category: 'acne', bbox: [0, 0, 10, 10] as [number, number, number, number], score: 0.8 }, // lesion 1 again: false
    { imageId: 2, category: 'scar', bbox: [0, 0, 20, 20] as [number, number, number, number], score: 0.7 }, // wrong category: false
    { imageId: 2, category: 'acne', bbox: [0, 0, 19, 20] as [number, number, number, number], score: 0.5 }, // hit lesion 3
    { imageId: 3, category: 'acne', bbox: [0, 0, 5, 5] as [number, number, number, number], score: 0.5 }, // no lesion: false
  ];
  const result = froc({ imageIds: [1, 2, 3, 4], lesions, marks });
  assert.deepEqual(
    result.points.map((p) => [p.threshold, p.llf, p.nlf]),
    [
      [Infinity, 0, 0],
      [0.9, 1 / 3, 0],
      [0.8, 1 / 3, 0.25],
      [0.7, 1 / 3, 0.5],
      [0.5, 2 / 3, 0.75],
    ],
  );
  assert.deepEqual(
    result.sensitivityAt.map((p) => p.llf),
    [1 / 3, 1 / 3, 1 / 3, 2 / 3, 2 / 3, 2 / 3, 2 / 3],
  );
  assert.equal(result.lesions, 3);
  assert.throws(() => froc({ imageIds: [1], lesions: [], marks: [{ ...marks[0], imageId: 9 }] }), /image 9/);
});

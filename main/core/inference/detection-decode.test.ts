import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { DetectionManifest } from '../models/manifest.ts';
import {
  createDetectionDecoder,
  decodeConfigFromManifest,
  decodeDetections,
  generateAnchors,
} from './detection-decode.ts';

// Parity with training/detector/decode.py: each fixture holds a real exported detector's raw outputs on test
// images and the boxes the Python reference decoded from them (written by training/detector/fixture.py).
// DETECTOR_DECODE_FIXTURE points the test at one other fixture (the Python quick-recipe test writes a fresh
// one and runs this file on it); by default every fixture in tests/fixtures/detector/ is checked.
const fixtureDir = 'tests/fixtures/detector';
const fixturePaths = process.env.DETECTOR_DECODE_FIXTURE
  ? [process.env.DETECTOR_DECODE_FIXTURE]
  : readdirSync(fixtureDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(fixtureDir, f));

interface FixtureCase {
  image: string;
  width: number;
  height: number;
  scale: number;
  anchors: number;
  classes: number;
  scores_file: string;
  deltas_file: string;
  expected: { boxes: number[][]; scores: number[]; labels: number[] };
}

interface Fixture {
  model: string;
  manifest: Pick<DetectionManifest, 'labels' | 'input' | 'detection'>;
  cases: FixtureCase[];
}

function readFloats(fixturePath: string, file: string): Float32Array {
  const bytes = gunzipSync(readFileSync(join(dirname(fixturePath), file)));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

const fixtures = fixturePaths.map((path) => ({
  path,
  ...(JSON.parse(readFileSync(path, 'utf8')) as Fixture),
}));

test('there are fixtures to check', () => assert.ok(fixtures.length > 0));

for (const fixture of fixtures) {
  const cfg = decodeConfigFromManifest(fixture.manifest);
  const anchors = generateAnchors(cfg);

  test(`${fixture.model}: the anchor layout gives as many anchors as the exported model has`, () => {
    for (const c of fixture.cases) assert.equal(anchors.length / 4, c.anchors);
    assert.equal(anchors.length / 4, (fixture.manifest.detection as { num_anchors: number }).num_anchors);
  });

  for (const c of fixture.cases) {
    test(`${fixture.model} on ${c.image}: same boxes, scores and order as decode.py`, () => {
      const transform = { scaleX: c.scale, scaleY: c.scale, offsetX: 0, offsetY: 0 };
      const scores = readFloats(fixture.path, c.scores_file);
      const got = decodeDetections(
        scores,
        readFloats(fixture.path, c.deltas_file),
        c.classes,
        anchors,
        cfg,
        transform,
        c,
      );
      assert.ok(c.expected.scores.length > 0, 'the fixture must hold detections to compare');
      assert.equal(got.scores.length, c.expected.scores.length);
      assert.deepEqual(Array.from(got.labels), c.expected.labels);
      assert.deepEqual(Array.from(got.scores), c.expected.scores);
      let worst = 0;
      c.expected.boxes.forEach((box, n) => {
        box.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - got.boxes[4 * n + k]))));
      });
      assert.ok(worst <= 1e-3, `largest box difference ${worst} px`);
    });
  }

  test(`${fixture.model}: the app decoder returns COCO xywh boxes in image pixels`, () => {
    const c = fixture.cases[0];
    const decode = createDetectionDecoder({ ...fixture.manifest, task: 'detection' } as DetectionManifest);
    const dets = decode(
      {
        scores: readFloats(fixture.path, c.scores_file),
        deltas: readFloats(fixture.path, c.deltas_file),
        anchorCount: c.anchors,
        classCount: c.classes,
      },
      c,
      { scaleX: c.scale, scaleY: c.scale, offsetX: 0, offsetY: 0 },
    );
    assert.equal(dets.length, c.expected.scores.length);
    const [x0, y0, x1, y1] = c.expected.boxes[0];
    assert.equal(dets[0].labelIndex, c.expected.labels[0]);
    assert.ok(Math.abs(dets[0].x - x0) < 1e-9 && Math.abs(dets[0].y - y0) < 1e-9);
    assert.ok(Math.abs(dets[0].w - (x1 - x0)) < 1e-9 && Math.abs(dets[0].h - (y1 - y0)) < 1e-9);
  });

  test(`${fixture.model}: a malformed detection block is an error naming the field`, () => {
    const bad = { input: fixture.manifest.input, detection: { ...fixture.manifest.detection, nms_iou: 2 } };
    assert.throws(() => decodeConfigFromManifest(bad), /detection\.nms_iou/);
  });

  test(`${fixture.model}: outputs that do not match the anchor layout are an error`, () => {
    const identity = { scaleX: 1, scaleY: 1, offsetX: 0, offsetY: 0 };
    const wrong = () =>
      decodeDetections(new Float32Array(10), new Float32Array(20), 2, anchors, cfg, identity, {
        width: 10,
        height: 10,
      });
    assert.throws(wrong, /anchors/);
  });
}

// A hand-built case: one level of stride 8 with a single 16 px square anchor per location on a 32x32 input.
const tiny = {
  levels: [{ stride: 8, sizes: [16], aspectRatios: [1] }],
  inputWidth: 32,
  inputHeight: 32,
  weights: [1, 1, 1, 1] as [number, number, number, number],
  clamp: Math.log(1000 / 16),
  scoreThreshold: 0.05,
  preNmsTopK: 1000,
  nmsIou: 0.5,
  maxDetections: 100,
};

test('per-class NMS drops an overlapping box of the same class and keeps one of another class', () => {
  const tinyAnchors = generateAnchors(tiny);
  assert.equal(tinyAnchors.length / 4, 16);
  assert.deepEqual(Array.from(tinyAnchors.subarray(0, 4)), [-4, -4, 12, 12]);
  const scores = new Float32Array(16 * 2);
  scores[0 * 2 + 0] = 0.9; // anchor 0, class 0
  scores[1 * 2 + 0] = 0.8; // anchor 1 (8 px right, IoU 1/3 with anchor 0): kept
  scores[0 * 2 + 1] = 0.7; // anchor 0, class 1: another class, kept
  scores[5 * 2 + 1] = 0.04; // below the threshold
  const deltas = new Float32Array(16 * 4);
  deltas[4 * 1] = -0.25; // anchor 1 moved 4 px left: IoU 0.6 with anchor 0, suppressed
  const d = decodeDetections(
    scores,
    deltas,
    2,
    tinyAnchors,
    tiny,
    { scaleX: 2, scaleY: 2, offsetX: 0, offsetY: 0 },
    {
      width: 16,
      height: 16,
    },
  );
  assert.deepEqual(Array.from(d.labels), [0, 1]);
  assert.deepEqual(Array.from(d.scores), [Math.fround(0.9), Math.fround(0.7)]);
  assert.deepEqual(Array.from(d.boxes.subarray(0, 4)), [0, 0, 6, 6]); // clipped at 0, divided by the scale 2
});

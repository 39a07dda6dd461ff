import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cocoEvaluate, type Box, type Detection, type GroundTruthBox } from './coco-eval.ts';
import { cocoInput, parseCocoDetections, parseCocoGroundTruth } from './coco-format.ts';

const FIXTURE = new URL('../../../tests/fixtures/detection/coco_padilla/', import.meta.url);
const PYTHON = new URL('../../../.venv/bin/python', import.meta.url).pathname;

test('coco_padilla: all 12 numbers equal pycocotools 2.0.11 to 1e-6', () => {
  const gt = parseCocoGroundTruth(
    readFileSync(new URL('ground_truth.json', FIXTURE), 'utf8'),
    'ground_truth.json',
  );
  const dt = parseCocoDetections(
    readFileSync(new URL('detections.json', FIXTURE), 'utf8'),
    'detections.json',
    gt,
  );
  const { summary } = cocoEvaluate(cocoInput(gt, dt));
  const expected = {
    AP: 0.503647,
    AP50: 0.696973,
    AP75: 0.571667,
    APsmall: 0.593252,
    APmedium: 0.557991,
    APlarge: 0.489363,
    AR1: 0.386813,
    AR10: 0.59368,
    AR100: 0.595353,
    ARsmall: 0.654764,
    ARmedium: 0.60313,
    ARlarge: 0.553744,
  };
  for (const [name, value] of Object.entries(expected)) {
    assert.equal(Number(summary[name as keyof typeof summary].toFixed(6)), value, name);
  }
});

// A generated set that exercises what the fixture may not: crowd boxes, more than 100 detections in an image,
// equal scores across images, boxes on the area-range borders, categories without ground truth or detections.
function randomSet(seed: number) {
  let state = seed;
  const random = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const sizes = [8, 31.5, 32, 40, 95, 96, 120, 300];
  const randomBox = (): Box => {
    const w = sizes[Math.floor(random() * sizes.length)] * (0.5 + random());
    const h = (32 * 32) / w + random() * 100;
    return [random() * 500, random() * 500, w, h];
  };
  const images = Array.from({ length: 40 }, (_, i) => ({ id: 3 * i + 1 }));
  const categories = [1, 2, 5, 9].map((id) => ({ id, name: `c${id}` }));
  const annotations: GroundTruthBox[] = [];
  const detections: Detection[] = [];
  for (const { id: image } of images) {
    const count = Math.floor(random() * 8);
    for (let i = 0; i < count; i++) {
      const bbox = randomBox();
      const category = [1, 2, 5][Math.floor(random() * 3)];
      annotations.push({
        id: annotations.length + 1,
        image_id: image,
        category_id: category,
        bbox,
        area: bbox[2] * bbox[3] * (0.6 + 0.4 * random()),
        iscrowd: random() < 0.08 ? 1 : 0,
      });
      const copies = Math.floor(random() * 3);
      for (let c = 0; c < copies; c++) {
        const jitter = (v: number) => v + (random() - 0.5) * 12;
        detections.push({
          image_id: image,
          category_id: random() < 0.85 ? category : 9,
          bbox: [
            jitter(bbox[0]),
            jitter(bbox[1]),
            Math.max(1, jitter(bbox[2])),
            Math.max(1, jitter(bbox[3])),
          ],
          score: Math.round(random() * 20) / 20,
        });
      }
    }
    const noise = image === 1 ? 130 : Math.floor(random() * 5);
    for (let i = 0; i < noise; i++)
      detections.push({
        image_id: image,
        category_id: [1, 2, 9][Math.floor(random() * 3)],
        bbox: randomBox(),
        score: Math.round(random() * 20) / 20,
      });
  }
  return { images, categories, annotations, detections };
}

test('a generated set with crowds, ties and >100 detections per image equals pycocotools run from Python', () => {
  const set = randomSet(20261126);
  const dir = mkdtempSync(join(tmpdir(), 'dermaread-coco-'));
  try {
    writeFileSync(
      join(dir, 'gt.json'),
      JSON.stringify({ images: set.images, categories: set.categories, annotations: set.annotations }),
    );
    writeFileSync(join(dir, 'dt.json'), JSON.stringify(set.detections));
    const script = [
      'import json, sys, contextlib, io',
      'from pycocotools.coco import COCO',
      'from pycocotools.cocoeval import COCOeval',
      'with contextlib.redirect_stdout(io.StringIO()):',
      '    gt = COCO(sys.argv[1]); dt = gt.loadRes(sys.argv[2])',
      '    e = COCOeval(gt, dt, "bbox"); e.evaluate(); e.accumulate(); e.summarize()',
      'p = e.eval["precision"][:, :, :, 0, -1]',
      'per = [float(p[:, :, k][p[:, :, k] > -1].mean()) if (p[:, :, k] > -1).any() else -1.0 for k in range(p.shape[2])]',
      'print(json.dumps({"stats": [float(x) for x in e.stats], "perCategory": per}))',
    ].join('\n');
    const reference = JSON.parse(
      execFileSync(PYTHON, ['-c', script, join(dir, 'gt.json'), join(dir, 'dt.json')], { encoding: 'utf8' }),
    );
    const ours = cocoEvaluate({
      imageIds: set.images.map((i) => i.id),
      categoryIds: set.categories.map((c) => c.id),
      groundTruth: set.annotations,
      detections: set.detections,
    });
    const values = Object.values(ours.summary);
    assert.equal(values.length, 12);
    values.forEach((v, i) =>
      assert.ok(
        Math.abs(v - reference.stats[i]) < 1e-9,
        `stat ${i}: ${v} vs pycocotools ${reference.stats[i]}`,
      ),
    );
    ours.perCategory.forEach((c, k) =>
      assert.ok(
        Math.abs(c.AP - reference.perCategory[k]) < 1e-9,
        `category ${c.categoryId}: ${c.AP} vs ${reference.perCategory[k]}`,
      ),
    );
    assert.ok(reference.stats.some((x: number) => x > 0.05) && ours.perCategory.some((c) => c.AP === -1));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed COCO files are named with the bad field', () => {
  assert.throws(
    () =>
      parseCocoGroundTruth(
        '{"images":[],"categories":[{"id":1,"name":"a"}],"annotations":[{"id":1}]}',
        'gt.json',
      ),
    /gt.json: .annotations\[0\].image_id/,
  );
  const gt = parseCocoGroundTruth(
    '{"images":[{"id":1}],"categories":[{"id":1,"name":"a"}],"annotations":[]}',
    'gt.json',
  );
  assert.throws(
    () => parseCocoDetections('[{"image_id":1,"category_id":1,"bbox":[0,0,1],"score":1}]', 'dt.json', gt),
    /dt.json: \[0\].bbox/,
  );
  assert.throws(
    () => parseCocoDetections('[{"image_id":7,"category_id":1,"bbox":[0,0,1,1],"score":1}]', 'dt.json', gt),
    /dt.json: \[0\].image_id: 7 is not an image/,
  );
  assert.throws(() => parseCocoDetections('{', 'dt.json', gt), /dt.json: not valid JSON/);
});

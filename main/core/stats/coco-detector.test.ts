import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../readers-import/csv.ts';
import { cocoEvaluate, type Detection, type GroundTruthBox } from './coco-eval.ts';

// Each bundled detector's predictions on its committed sample (drawn from the official test split), scored by
// our COCO evaluation and by pycocotools run from Python on the same files.
const root = new URL('../../../', import.meta.url).pathname;

const PYCOCOTOOLS = [
  'import json, sys, contextlib, io',
  'from pycocotools.coco import COCO',
  'from pycocotools.cocoeval import COCOeval',
  'with contextlib.redirect_stdout(io.StringIO()):',
  '    gt = COCO(sys.argv[1]); dt = gt.loadRes(sys.argv[2])',
  '    e = COCOeval(gt, dt, "bbox"); e.evaluate(); e.accumulate(); e.summarize()',
  'print(json.dumps([float(x) for x in e.stats]))',
].join('\n');

for (const sample of [
  { name: 'ham10000', labelColumn: 'dx', model: 'models/detector-ham10000' },
  { name: 'acne04', labelColumn: 'label', model: 'models/detector' },
]) {
  const detector = join(root, sample.model);
  const present = existsSync(join(detector, 'model.onnx'));
  const labels = present
    ? (JSON.parse(readFileSync(join(detector, 'manifest.json'), 'utf8')) as { labels: string[] }).labels
    : [];
  const file = `samples/${sample.name}/annotations.csv`;
  const table = parseCsv(readFileSync(join(root, file), 'utf8'), file);
  const sampleLabels = [...new Set(table.rows.map((r) => r.values[sample.labelColumn]))];
  const skip = !present
    ? `${detector}/model.onnx is absent`
    : sampleLabels.some((l) => !labels.includes(l))
      ? `${sample.model}'s labels (${labels.join(', ')}) do not cover the ${sample.name} sample`
      : false;
  test(`${sample.model} on the ${sample.name} sample: our COCO numbers equal pycocotools`, { skip }, () => {
    const stems = [...new Set(table.rows.map((r) => r.values.image_id))].sort();
    const imageId = new Map(stems.map((stem, i) => [stem, i + 1]));
    const groundTruth: GroundTruthBox[] = table.rows.map(({ values: v }, i) => {
      const [x0, y0, x1, y1] = [v.x_min, v.y_min, v.x_max, v.y_max].map(Number);
      const bbox: GroundTruthBox['bbox'] = [x0, y0, x1 - x0, y1 - y0];
      return {
        id: i + 1,
        image_id: imageId.get(v.image_id)!,
        category_id: labels.indexOf(v[sample.labelColumn]) + 1,
        bbox,
        area: bbox[2] * bbox[3],
        iscrowd: 0,
      };
    });
    const dir = mkdtempSync(join(tmpdir(), 'dermaread-detector-'));
    try {
      const out = join(dir, 'detections.json');
      execFileSync(
        process.execPath,
        [
          'bin/dermaread.js',
          'predict',
          '--model',
          detector,
          '--images',
          join(root, `samples/${sample.name}/images`),
          '--out',
          out,
        ],
        {
          cwd: root,
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      );
      const raw = JSON.parse(readFileSync(out, 'utf8')) as (Omit<Detection, 'image_id'> & {
        image_id: string;
      })[];
      const detections: Detection[] = raw.map((d) => ({ ...d, image_id: imageId.get(d.image_id)! }));
      assert.ok(detections.length > 0 && detections.every((d) => d.image_id !== undefined));
      const images = stems.map((stem, i) => ({ id: i + 1, file_name: `${stem}.jpg` }));
      const categories = labels.map((name, i) => ({ id: i + 1, name }));
      writeFileSync(join(dir, 'gt.json'), JSON.stringify({ images, categories, annotations: groundTruth }));
      writeFileSync(join(dir, 'dt.json'), JSON.stringify(detections));
      const reference = JSON.parse(
        execFileSync(
          join(root, '.venv/bin/python'),
          ['-c', PYCOCOTOOLS, join(dir, 'gt.json'), join(dir, 'dt.json')],
          { encoding: 'utf8' },
        ),
      ) as number[];
      const ours = Object.values(
        cocoEvaluate({
          imageIds: images.map((i) => i.id),
          categoryIds: categories.map((c) => c.id),
          groundTruth,
          detections,
        }).summary,
      );
      ours.forEach((v, i) =>
        assert.ok(Math.abs(v - reference[i]) < 1e-6, `stat ${i}: ${v} vs pycocotools ${reference[i]}`),
      );
      console.log(
        `${sample.model} on the ${sample.name} sample (${stems.length} images): AP ${ours[0].toFixed(4)}, AP50 ${ours[1].toFixed(4)}; pycocotools ${reference[0].toFixed(4)}, ${reference[1].toFixed(4)}`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

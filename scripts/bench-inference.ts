// Images/s of the app's inference pipeline (sharp decode + TypeScript preprocessing + onnxruntime-node) for batch
// 1 and 16 and 1 and 2 threads, next to Python onnxruntime (PIL + training.common.image) on the same model and files.
// usage: nice -n 10 node --import tsx scripts/bench-inference.ts [--model DIR] [--images DIR] [--count N]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { decodedBatches } from '../main/core/inference/batches.ts';
import { ModelRunner } from '../main/core/inference/model-runner.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/classifier' },
    images: { type: 'string', default: 'samples/ham10000/images' },
    count: { type: 'string', default: '160' },
  },
});
const model = values.model!;
if (!existsSync(join(model, 'model.onnx'))) {
  console.error(`${model}/model.onnx is missing (give --model DIR)`);
  process.exit(1);
}
const files = readdirSync(values.images!)
  .filter((f) => /\.(jpe?g|png)$/i.test(f))
  .sort()
  .slice(0, Number(values.count))
  .map((f) => join(values.images!, f));
const batches = [1, 16];
const threadCounts = [1, 2];

const node: { threads: number; batch: number; images_per_s: number }[] = [];
for (const threads of threadCounts) {
  const runner = await ModelRunner.fromSource(model, { threads, provider: 'cpu', log: () => {} });
  for (const batch of batches) {
    for await (const warm of decodedBatches(files.slice(0, batch), (f) => f, batch))
      await runner.run(warm.images);
    const started = performance.now();
    for await (const b of decodedBatches(files, (f) => f, batch)) await runner.run(b.images);
    node.push({ threads, batch, images_per_s: files.length / ((performance.now() - started) / 1000) });
  }
  await runner.release();
}
const python = JSON.parse(
  execFileSync(
    '.venv/bin/python',
    [
      'scripts/bench-inference-python.py',
      '--model',
      model,
      '--batches',
      batches.join(','),
      '--threads',
      threadCounts.join(','),
      ...files,
    ],
    {
      encoding: 'utf8',
    },
  ),
) as typeof node;

console.log(`model ${model}, ${files.length} images from ${values.images}, CPU execution provider`);
console.log('threads  batch   node img/s   python img/s   node/python');
for (const n of node) {
  const p = python.find((r) => r.threads === n.threads && r.batch === n.batch)!;
  console.log(
    `${String(n.threads).padStart(7)}  ${String(n.batch).padStart(5)}   ${n.images_per_s.toFixed(1).padStart(10)}   ${p.images_per_s.toFixed(1).padStart(12)}   ${(n.images_per_s / p.images_per_s).toFixed(2).padStart(10)}x`,
  );
}

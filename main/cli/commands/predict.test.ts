import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT, TINY_CLASSIFIER, makeTempDir, writeHamSampleCoco } from '../../core/store/testing.ts';

const temp = makeTempDir('cli');
after(() => temp.remove());

function dermaread(...args: string[]) {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'dermaread.js'), ...args], {
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('import, models add/list/run, info and predict work from the command line', () => {
  const data = join(temp.path, 'data');
  const ham = writeHamSampleCoco(join(temp.path, 'ham'), 12);
  const splitFile = join(temp.path, 'split.json');
  const ids = ham.rows.map((r) => r.image_id);
  writeFileSync(
    splitFile,
    JSON.stringify({ train: ids.slice(0, 8), val: ids.slice(8, 10), test: ids.slice(10) }),
  );

  const imported = dermaread(
    'import',
    '--coco',
    ham.file,
    '--name',
    'ham',
    '--split',
    splitFile,
    '--data',
    data,
  );
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /imported dataset 'ham' \(id 1\): 12 cases, 12 boxes/);
  assert.match(imported.stdout, /"test":2,"train":8,"val":2/);

  const added = dermaread('models', 'add', TINY_CLASSIFIER, '--dataset', 'ham', '--activate', '--data', data);
  assert.equal(added.code, 0, added.stderr);
  assert.match(
    dermaread('models', 'list', '--data', data).stdout,
    /1\ttiny-test-classifier\t0\.0\.1\tclassification\tactive/,
  );
  const run = dermaread('models', 'run', '1', '--dataset', 'ham', '--split', 'test', '--data', data);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /run 1: completed, 2\/2 cases/);
  assert.match(run.stderr, /runs on the CPU execution provider/);
  const info = JSON.parse(dermaread('info', '--json', '--data', data).stdout);
  assert.equal(info.datasets[0].cases, 12);
  assert.equal(info.runs[0].status, 'completed');

  const out = join(temp.path, 'predictions.csv');
  const predicted = dermaread(
    'predict',
    '--model',
    TINY_CLASSIFIER,
    '--coco',
    ham.file,
    '--split',
    splitFile,
    '--subset',
    'val',
    '--out',
    out,
    '--threads',
    '1',
  );
  assert.equal(predicted.code, 0, predicted.stderr);
  const [header, ...rows] = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(header, 'image_id,akiec,bcc,bkl,df,mel,nv,vasc');
  assert.deepEqual(
    rows.map((r) => r.split(',')[0]),
    ids.slice(8, 10),
  );
  for (const row of rows) {
    const sum = row
      .split(',')
      .slice(1)
      .map(Number)
      .reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-5);
  }

  const bad = dermaread('models', 'add', join(temp.path, 'nowhere'), '--data', data);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /nowhere: no such model folder or \.zip/);
  assert.equal(dermaread('predict', '--model', TINY_CLASSIFIER).code, 2);
});

test('predict over an image folder matches Python onnxruntime on the training-time tensors', () => {
  const images = join(writeHamSampleCoco(join(temp.path, 'folder'), 6).imagesDir);
  const out = join(temp.path, 'folder.csv');
  assert.equal(dermaread('predict', '--model', TINY_CLASSIFIER, '--images', images, '--out', out).code, 0);
  const rows = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split(','));
  const python = JSON.parse(
    execFileSync(
      join(REPO_ROOT, '.venv', 'bin', 'python'),
      ['-c', PYTHON_PREDICT, TINY_CLASSIFIER, ...rows.map((r) => join(images, `${r[0]}.jpg`))],
      {
        encoding: 'utf8',
        cwd: REPO_ROOT,
      },
    ),
  ) as number[][];
  rows.forEach((row, i) =>
    row.slice(1).forEach((p, j) => assert.ok(Math.abs(Number(p) - python[i][j]) < 1e-5, `${row[0]} ${j}`)),
  );
});

const PYTHON_PREDICT = `
import json, sys, numpy as np, onnxruntime as ort
from training.common.image import InputSpec, model_input
manifest = json.load(open(sys.argv[1] + '/manifest.json'))
spec = InputSpec.from_manifest(manifest['input'])
x = np.stack([model_input(p, spec).numpy() for p in sys.argv[2:]])
session = ort.InferenceSession(sys.argv[1] + '/model.onnx', providers=['CPUExecutionProvider'])
print(json.dumps(session.run(None, {manifest['input']['name']: x})[0].tolist()))
`;

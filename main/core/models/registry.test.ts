import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { zipSync } from 'fflate';
import { importDataset } from '../datasets/import.ts';
import { Store } from '../store/store.ts';
import {
  makeTempDir,
  snapshot,
  tinyClassifierCopy,
  TINY_CLASSIFIER,
  writeHamSampleCoco,
} from '../store/testing.ts';
import { activateModelVersion, addModelVersion, retireModelVersion } from './registry.ts';

const temp = makeTempDir('registry');
let store: Store;
let datasetId: number;
before(async () => {
  store = Store.open(join(temp.path, 'data'));
  const ham = writeHamSampleCoco(join(temp.path, 'ham'), 8);
  datasetId = (await importDataset(store, { format: 'coco', file: ham.file }, { name: 'ham' })).datasetId;
});
after(() => {
  store.close();
  temp.remove();
});

async function refused(
  source: string,
  pattern: RegExp,
  options: Parameters<typeof addModelVersion>[2] = { datasetId },
) {
  const before = snapshot(store);
  await assert.rejects(addModelVersion(store, source, options), pattern);
  assert.deepEqual(snapshot(store), before, 'the database and files must be unchanged');
}

test('a model folder is validated and registered with its labels mapped to the dataset categories', async () => {
  const { model, uncoveredCategories } = await addModelVersion(store, TINY_CLASSIFIER, { datasetId });
  assert.equal(model.name, 'tiny-test-classifier');
  assert.equal(model.status, 'inactive');
  assert.deepEqual(
    model.labels.map((l) => l.category),
    ['akiec', 'bcc', 'bkl', 'df', 'mel', 'nv', 'vasc'],
  );
  assert.deepEqual(uncoveredCategories, []);
  assert.ok(
    readFileSync(join(store.modelFolder(model.folder), 'model.onnx')).equals(
      readFileSync(join(TINY_CLASSIFIER, 'model.onnx')),
    ),
  );
  await refused(TINY_CLASSIFIER, /model tiny-test-classifier 0\.0\.1 is already registered/);
});

test('a .zip holding a model folder registers; versions activate one at a time and retire', async () => {
  const folder = tinyClassifierCopy(join(temp.path, 'v2'), (m) => (m.version = '0.0.2'));
  const zip = join(temp.path, 'v2.zip');
  writeFileSync(
    zip,
    zipSync({
      'v2/model.onnx': readFileSync(join(folder, 'model.onnx')),
      'v2/manifest.json': readFileSync(join(folder, 'manifest.json')),
    }),
  );
  const { model: v2 } = await addModelVersion(store, zip, { datasetId, activate: true });
  assert.equal(store.models.active('classification')?.id, v2.id);
  const v1 = store.models.find('tiny-test-classifier', '0.0.1')!;
  activateModelVersion(store, v1.id);
  assert.equal(store.models.get(v2.id).status, 'inactive');
  assert.equal(store.models.active('classification')?.id, v1.id);
  retireModelVersion(store, v2.id);
  assert.throws(() => activateModelVersion(store, v2.id), /retired and cannot be activated/);
  assert.deepEqual(
    store.models.list({ includeRetired: false }).map((m) => m.version),
    ['0.0.1'],
  );
});

test('an ONNX file of garbage bytes is refused as not loadable', async () => {
  const folder = tinyClassifierCopy(
    join(temp.path, 'garbage'),
    (m) => (m.version = 'garbage'),
    randomBytes(4096),
  );
  await refused(folder, /garbage: model\.onnx is not a loadable ONNX model/);
});

test('a model whose input shape differs from the manifest is refused naming both shapes', async () => {
  const folder = tinyClassifierCopy(join(temp.path, 'shape'), (m) => {
    m.version = 'shape';
    m.input.width = 224;
    m.input.height = 224;
  });
  await refused(
    folder,
    /input 'input' has shape \[N, 3, 64, 64\] in the ONNX model, the manifest says \[N, 3, 224, 224\]/,
  );
  const renamed = tinyClassifierCopy(join(temp.path, 'renamed'), (m) => {
    m.version = 'renamed';
    m.input.name = 'image';
  });
  await refused(renamed, /the ONNX model has no input 'image' \(its inputs: input\)/);
});

test('labels that are not the dataset categories are refused by name, and accepted with a label map', async () => {
  const folder = tinyClassifierCopy(join(temp.path, 'labels'), (m) => {
    m.version = 'labels';
    m.labels[4] = 'melanoma';
  });
  await refused(
    folder,
    /label\(s\) 'melanoma' are not categories of dataset 'ham' \(akiec, bcc, bkl, df, mel, nv, vasc\); give a label map/,
  );
  const { model } = await addModelVersion(store, folder, { datasetId, labelMap: { melanoma: 'mel' } });
  assert.equal(model.labels[4].label, 'melanoma');
  assert.equal(model.labels[4].category, 'mel');
});

test('a manifest failing its schema or its sha256 is refused naming the field', async () => {
  const badSchema = tinyClassifierCopy(join(temp.path, 'schema'), (m) => {
    m.version = 'schema';
    m.input.resize = 'squash';
    delete m.multi_label;
  });
  await refused(badSchema, /manifest\.json: .*input\.resize: .*multi_label/s);
  const badSha = tinyClassifierCopy(join(temp.path, 'sha'), (m) => {
    m.version = 'sha';
    m.sha256 = '0'.repeat(64);
  });
  await refused(badSha, /model\.onnx has sha256 [0-9a-f]{64}, but manifest\.json says 0{64}/);
});

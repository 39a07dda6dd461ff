import assert from 'node:assert/strict';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { importDataset } from '../datasets/import.ts';
import { defaultDataDir } from './data-dir.ts';
import { Store } from './store.ts';
import { makeTempDir, writeHamSampleCoco } from './testing.ts';

const temp = makeTempDir('store');
after(() => temp.remove());

test('a store opens in a data folder or on a database file, and splits, categories and garbage collection work', async () => {
  const store = Store.open(join(temp.path, 'folder'));
  assert.equal(store.databasePath, join(temp.path, 'folder', 'dermaread.sqlite'));
  const ham = writeHamSampleCoco(join(temp.path, 'ham'), 6);
  const { datasetId } = await importDataset(store, { format: 'coco', file: ham.file }, { name: 'ham' });
  const ids = ham.rows.map((r) => r.image_id);
  store.datasets.assignSplits(datasetId, { train: ids.slice(0, 4), test: ids.slice(4) });
  assert.deepEqual(store.datasets.get(datasetId).splits, { test: 2, train: 4 });
  assert.deepEqual(
    store.cases.list({ datasetId, split: 'test' }).map((c) => c.externalId),
    ids.slice(4),
  );
  assert.throws(
    () => store.datasets.assignSplits(datasetId, { test: ['ISIC_nope'] }),
    /split 'test': 1 image id\(s\) not in the dataset, e.g. ISIC_nope/,
  );
  assert.deepEqual(
    store.datasets.get(datasetId).splits,
    { test: 2, train: 4 },
    'a refused split changes nothing',
  );

  const truth = store.cases.groundTruthOfDataset(datasetId);
  assert.equal(truth.size, 6);
  assert.deepEqual(
    [...truth.values()].map((t) => t.labels[0]),
    ham.rows.map((r) => r.dx),
  );

  assert.match(store.categories.byName('mel')!.description, /melanocytic/i);
  const added = store.categories.ensure('scc');
  assert.equal(
    store.categories.describe('scc', 'Squamous cell carcinoma', 'Keratotic nodule.').title,
    'Squamous cell carcinoma',
  );
  assert.equal(store.categories.ensure('scc').id, added.id);

  const orphan = join(store.dataDir, 'images', 'ff', `${'f'.repeat(64)}.jpg`);
  mkdirSync(join(orphan, '..'), { recursive: true });
  writeFileSync(orphan, 'x');
  assert.equal(store.files.collectGarbage(), 1);
  assert.ok(!existsSync(orphan));
  assert.ok(existsSync(store.cases.imagePath(store.cases.list()[0].id)));
  store.close();

  const onFile = Store.open(join(temp.path, 'elsewhere', 'study.db'));
  assert.equal(onFile.dataDir, join(temp.path, 'elsewhere'));
  onFile.close();
});

test('the default data folder follows DERMAREAD_DATA, then the platform', () => {
  assert.equal(defaultDataDir({ DERMAREAD_DATA: '/x' }, 'linux'), '/x');
  assert.equal(defaultDataDir({ XDG_DATA_HOME: '/data' }, 'linux'), '/data/dermaread');
  assert.equal(
    defaultDataDir({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32'),
    join('C:\\Users\\a\\AppData\\Roaming', 'DermaRead'),
  );
});
